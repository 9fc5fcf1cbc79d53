"""docs/import.md documents the alias table: every sheet, column, alias and label the import accepts."""

from pathlib import Path

from buurtbalans.portfolio.importing import columns

DOC = Path(__file__).resolve().parents[3] / "docs" / "import.md"


def test_every_accepted_name_and_label_is_in_the_documentation():
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for sheet in columns.SHEETS:
        if f"#### {sheet.name}" not in text:
            missing.append(f"section {sheet.name}")
        names = list(sheet.aliases)
        for column in sheet.columns:
            names += [column.name, *column.aliases]
        missing += [f"{sheet.name}: {name}" for name in names if f"`{name}`" not in text]
    for table in (columns.DWELLING_TYPES, columns.DWELLING_STATUSES, columns.INCOME_SOURCES, columns.CONTRACT_TYPES,
                  columns.EXCEPTION_REASONS):
        for code, words in table.items():
            missing += [f"label {w}" for w in [f"`{code}`", *words] if w not in text]
    assert missing == []
