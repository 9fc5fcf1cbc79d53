"""Every `buurtbalans` command of ours answers --help (a lazy help text once crashed argparse)."""

import pytest
from django.core.management import get_commands, load_command_class

OUR_COMMANDS = sorted((name, app) for name, app in get_commands().items() if app.startswith("buurtbalans."))


def test_there_are_commands_to_check():
    assert {"import_portfolio", "seed_demo", "run_worker", "rules"} <= {name for name, _ in OUR_COMMANDS}


@pytest.mark.smoke
@pytest.mark.parametrize(("name", "app"), OUR_COMMANDS, ids=[name for name, _ in OUR_COMMANDS])
def test_the_command_explains_itself(name, app):
    text = load_command_class(app, name).create_parser("buurtbalans", name).format_help()
    assert f"buurtbalans {name}" in text and len(text) > 100
