"""Stored codes said in words (issue 14 item 5): periods and who wrote a row without a user."""

import pytest
from django.utils import translation

from buurtbalans.core.audit import actor_label
from buurtbalans.core.audit_labels import actor_display
from buurtbalans.core.periods import half_year_choices, period_display


@pytest.mark.parametrize(
    ("code", "dutch", "english"),
    [
        ("2026-H1", "1e helft 2026", "first half of 2026"),
        ("2025-H2", "2e helft 2025", "second half of 2025"),
        ("2025-Q3", "3e kwartaal 2025", "quarter 3 of 2025"),
        ("2025", "2025", "2025"),
        ("2025-H3", "2025-H3", "2025-H3"),  # not a period: shown as stored, nothing hidden
        ("", "", ""),
    ],
)
def test_a_period_code_reads_as_words(code, dutch, english):
    with translation.override("nl"):
        assert period_display(code) == dutch
    with translation.override("en"):
        assert period_display(code) == english


def test_half_year_choices_run_newest_first_with_words():
    with translation.override("nl"):
        assert half_year_choices(2025, 2026) == [
            ("2026-H2", "2e helft 2026"), ("2026-H1", "1e helft 2026"),
            ("2025-H2", "2e helft 2025"), ("2025-H1", "1e helft 2025"),
        ]


def test_the_demo_and_a_server_command_are_named_in_words():
    with translation.override("nl"):
        assert actor_display("seed_demo") == "de demo van Buurtbalans"
        assert actor_label(None).startswith("cli:")  # what a command on the server stores
        assert actor_display("cli:beheer") == "een opdracht op de server (login beheer)"
        assert actor_display("j.jansen") == "j.jansen"
        assert actor_display("") == "–"
