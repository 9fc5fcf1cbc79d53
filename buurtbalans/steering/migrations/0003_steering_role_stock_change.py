"""The steering mix counts households by "carrying" (a tenancy's carrying role, issue 5), and the compositions are
kept in memory while the `StockChange` sum stands (portfolio.composition.counted_once, issue 12 item 7): a change of
a carrying role must raise that sum, so the roles table gets the same change triggers as the tables of portfolio
migrations 0003 and 0004."""

from django.db import migrations

from buurtbalans.portfolio import change_triggers


create_triggers, drop_triggers = change_triggers.watching("steering", "SteeringRole")


class Migration(migrations.Migration):
    dependencies = [
        ("steering", "0002_plan_fixed_dwellings"),
        ("portfolio", "0004_stock_change_on_marker_kinds"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
