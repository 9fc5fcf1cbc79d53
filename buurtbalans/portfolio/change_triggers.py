"""The database triggers that write the `StockChange` log, for the migrations that watch a table.

Kept here, not copied into each migration: portfolio 0004 (marker kinds) and steering 0003 (carrying roles) add a
table each to what portfolio 0003 watches. PostgreSQL: one log row per statement, by the function 0003 made;
SQLite: one row per changed row (it has no statement-level triggers). Another database gets no triggers, and then
the kept figures would outlive a change: refused.
"""

from __future__ import annotations

FUNCTION = "portfolio_stock_changed"  # made by portfolio migration 0003


def create(schema_editor, log_table: str, table: str) -> None:
    """Log every write to `table` in `log_table`."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for event in ("INSERT", "UPDATE", "DELETE"):
            execute(
                f"CREATE TRIGGER {table}_{event.lower()}_changed AFTER {event} ON {table} "
                f"BEGIN INSERT INTO {log_table} (n) VALUES (1); END"
            )
    else:
        raise NotImplementedError(f"stock change triggers for {schema_editor.connection.vendor}")


def drop(schema_editor, table: str) -> None:
    """Undo `create` for `table`."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table}")
    elif schema_editor.connection.vendor == "sqlite":
        for event in ("insert", "update", "delete"):
            execute(f"DROP TRIGGER IF EXISTS {table}_{event}_changed")


def watching(app_label: str, model_name: str):
    """The forward and backward steps of a migration that adds one model's table to the watched tables."""

    def forward(apps, schema_editor):
        log = apps.get_model("portfolio", "StockChange")._meta.db_table
        create(schema_editor, log, apps.get_model(app_label, model_name)._meta.db_table)

    def backward(apps, schema_editor):
        drop(schema_editor, apps.get_model(app_label, model_name)._meta.db_table)

    return forward, backward
