"""seed_demo says which demo logins set up two-step verification at their first login."""

from io import StringIO

from buurtbalans.demo.management.commands.seed_demo import Command
from buurtbalans.demo.writer import DemoLogin


def logins():
    return [
        DemoLogin("verhuur", "x", "Voorbeeld Wonen", ("ALLOCATION_OFFICER",)),
        DemoLogin("beleid", "x", "Voorbeeld Wonen", ("POLICY_ANALYST",)),
        DemoLogin("beheer", "x", "Voorbeeld Wonen", ("ADMIN",)),
    ]


def test_the_demo_output_names_the_logins_that_set_up_an_app(mfa_enforced):
    command = Command(stdout=StringIO())
    command._print_logins(logins())
    text = command.stdout.getvalue()
    assert "verhuur, beheer stellen bij de eerste keer inloggen" in text
    assert "beleid," not in text


def test_without_mfa_the_note_is_left_out():
    command = Command(stdout=StringIO())
    command._print_logins(logins())
    assert "inloggen in twee stappen" not in command.stdout.getvalue()
