"""Who must use two-step verification: derived from the role table, so new roles and actions are covered."""

from buurtbalans.accounts.mfa import roles_requiring_mfa, unclassified_actions
from buurtbalans.core.models import Role
from buurtbalans.core.permissions import ROLE_ACTIONS, Action


def test_roles_that_read_special_category_data_and_administrators_need_it():
    required = roles_requiring_mfa()
    assert {Role.ALLOCATION_OFFICER, Role.NEIGHBOURHOOD_MANAGER, Role.ADMIN} <= required
    assert not {Role.POLICY_ANALYST, Role.COOPERATIVE_BOARD, Role.AUDITOR} & required


def test_the_privacy_officer_and_the_platform_administrator_need_it_when_they_exist():
    for name in ("PRIVACY_OFFICER", "PLATFORM_ADMIN"):
        role = getattr(Role, name, None)
        if role is not None and role in ROLE_ACTIONS:
            assert role in roles_requiring_mfa(), name


def test_every_action_in_the_role_table_is_classified():
    """A new action makes its roles need MFA until it is listed in accounts/mfa.py: this names it."""
    assert unclassified_actions() == frozenset()


def test_a_new_role_with_an_action_nobody_classified_needs_it():
    table = {"NEW_ROLE": frozenset({"read_something_new"}), "VIEWER": frozenset({Action.VIEW_STOCK})}
    assert roles_requiring_mfa(table) == {"NEW_ROLE", Role.ADMIN}


def test_a_new_role_reading_markers_needs_it():
    table = {"CARE_COORDINATOR": frozenset({Action.VIEW_STOCK, Action.VIEW_MARKERS})}
    assert "CARE_COORDINATOR" in roles_requiring_mfa(table)
