"""Dutch throughout (issue 14 item 5): every page of every role, in Dutch, holds no English and no jargon.

The demo (`seed_demo`, small) fills the pages; what the demo does not make (an objection, an intake, a plan, a
local parameter, ...) is added below through the services, so every page with arguments is opened with an object.
Which pages exist comes from the URL patterns (tests/dutch_walk.py): a new page is walked without being listed, and
one with arguments that nobody told the walk how to fill fails `test_every_page_is_walked_or_skipped_with_a_reason`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from tests import dutch_walk

# Every test asks for the database, so pytest-django sets the test database up before the module's demo is made.
pytestmark = pytest.mark.django_db

REFERENCE_DATE = date(2026, 6, 1)
ROLES = ("verhuur", "wijk", "beleid", "coop", "audit", "privacy", "beoordelaar", "beheer", "platform")


def _fill_what_the_demo_leaves_empty(corporation):
    """One object for each page the demo makes nothing for, made through the services where they exist."""
    from django.contrib.auth import get_user_model

    from buurtbalans.accountability.services import objection_register
    from buurtbalans.allocation.models import Listing
    from buurtbalans.core.jobs import job_run
    from buurtbalans.core.models import Job
    from buurtbalans.households.models import Household, Tenancy
    from buurtbalans.neighbourhoods.models import Municipality
    from buurtbalans.placements.models import IntakeRecord
    from buurtbalans.portfolio.models import Complex
    from buurtbalans.rules.local_parameters import LOCAL_PARAMETER_KEYS
    from buurtbalans.rules.services import (
        local_parameter_value_save,
        motivation_cap_save,
        performance_agreement_save,
    )
    from buurtbalans.steering.services import label_plan_request

    users = get_user_model().objects
    officer, analyst, admin = users.get(username="verhuur"), users.get(username="beleid"), users.get(username="beheer")
    municipality = Municipality.objects.filter(
        pk__in=Complex.objects.filter(corporation=corporation).values("neighbourhood__municipality")).first()
    performance_agreement_save(actor=analyst, corporation=corporation, municipality=municipality,
                               valid_from=date(REFERENCE_DATE.year, 1, 1), valid_until=None,
                               free_allocation_share=Decimal("0.15"), note="Afspraak met de gemeente")
    motivation_cap_save(actor=analyst, corporation=corporation, municipality=municipality, year=REFERENCE_DATE.year,
                        max_share=Decimal("0.25"), max_number=20, source="Huisvestingsverordening")
    assert "allowance_cap_high" in LOCAL_PARAMETER_KEYS
    local_parameter_value_save(actor=admin, corporation=corporation, key="allowance_cap_high",
                               valid_from=date(REFERENCE_DATE.year, 1, 1), valid_until=None,
                               value=Decimal("750.00"), source="Besluit directie")
    listing = Listing.objects.filter(corporation=corporation).exclude(status="open").order_by("pk").first()
    objection_register(actor=officer, listing=listing, received_on=REFERENCE_DATE - timedelta(days=10),
                       summary="De kandidaat vindt dat de volgorde niet klopt.", objector_reference="Kandidaat 12")
    household = Household.objects.filter(corporation=corporation).order_by("pk").first()
    IntakeRecord.objects.create(
        corporation=corporation, household=household, held_on=REFERENCE_DATE - timedelta(days=5),
        wish_dwelling=IntakeRecord._meta.get_field("wish_dwelling").choices[0][0],
        support_kind=IntakeRecord._meta.get_field("support_kind").choices[0][0],
        follow_up_on=REFERENCE_DATE + timedelta(days=30),
        follow_up_by=IntakeRecord._meta.get_field("follow_up_by").choices[0][0], recorded_by_name="verhuur")
    # A letting on motivation, for the follow-up form.
    Tenancy.objects.filter(pk=Tenancy.objects.filter(corporation=corporation, end_date__isnull=True)
                           .order_by("-start_date").values("pk")[:1]).update(selection_method="motivation")
    plan = label_plan_request(corporation=corporation, actor=analyst, period_start=REFERENCE_DATE,
                              period_end=REFERENCE_DATE.replace(month=12, day=31), composition_date=REFERENCE_DATE,
                              policy={"min_vulnerable_placements": 2, "min_affordable_share": "0.7", "p_open": "0.3",
                                      "p_above": "0.1", "q_open": "0.5", "q_reserved": "0.3", "q_above": "0.2"})
    job_run(plan.job)
    Job.objects.create(
        kind="social_records_import", corporation=corporation, user=users.get(username="wijk"),
        status=Job.Status.SUCCEEDED, params={"file_name": "signalen.xlsx", "dry_run": True},
        result={"is_valid": True, "error_count": 0, "errors": [],
                "counts": {"signals": {"new": 1, "updated": 0, "unchanged": 0}}},
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo, made once for this module and rolled back after it."""
    from django.conf import settings

    from buurtbalans.core.models import HousingCorporation
    from buurtbalans.demo.writer import DEMO_CODE

    hashers = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        with transaction.atomic():
            with translation.override("nl"):
                call_command("seed_demo", "--dwellings", "600", "--reference-date", REFERENCE_DATE.isoformat(),
                             stdout=open("/dev/null", "w"))
            corporation = HousingCorporation.objects.get(code=DEMO_CODE)
            _fill_what_the_demo_leaves_empty(corporation)
            yield corporation
            transaction.set_rollback(True)
    settings.PASSWORD_HASHERS = hashers


@pytest.fixture(scope="module")
def english():
    return dutch_walk.EnglishIndex.from_catalogue()


@pytest.fixture(scope="module")
def walks(demo, english, django_db_blocker):
    """Each role's walk, made once: the tests below read them."""
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    results = {}
    # Module-scoped, so before the autouse `mfa_not_enforced` of each test: switch two-step verification off here.
    with django_db_blocker.unblock(), override_settings(MFA_REQUIRED=False):
        for username in ROLES:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            with transaction.atomic():  # a page that writes (an audit row) leaves nothing for the next role
                results[username] = dutch_walk.walk_pages(client, demo, username, english)
                transaction.set_rollback(True)
    return results


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_the_role_reads_dutch_without_jargon(walks, username):
    result = walks[username]
    assert result.walked, f"{username} opened no page at all"
    assert not result.findings, "\n" + dutch_walk.report(result.findings)


def test_every_page_is_walked_or_skipped_with_a_reason(walks, demo, client):
    routes = dutch_walk.all_routes()
    args = dutch_walk.route_args(demo)
    unknown = [r.name for r in routes if r.params and r.name not in args and r.name not in dutch_walk.SKIPPED]
    assert not unknown, f"pages with arguments the walk cannot fill: add them to route_args or SKIPPED: {unknown}"
    walked = set().union(*(w.walked for w in walks.values()))
    anonymous = {"login", "password_reset", "password_reset_done", "password_reset_complete", "public_account",
                 "accounts_mfa_verify", "accounts_mfa_setup"}
    never = sorted({r.name for r in routes} - walked - set(dutch_walk.SKIPPED) - anonymous)
    assert not never, f"pages no role opened (no object to fill them, or no role may open them): {never}"


def test_the_pages_without_a_login_read_dutch(demo, english, client, django_db_blocker):
    """The login and password pages, and a listing's public account, as a visitor without an account sees them."""
    from django.urls import reverse

    from buurtbalans.allocation.models import Listing

    token = Listing.objects.filter(corporation=demo).exclude(status="open").order_by("pk").values_list(
        "public_token", flat=True).first()
    findings = []
    with django_db_blocker.unblock():
        for url in (reverse("login"), reverse("password_reset"), reverse("password_reset_done"),
                    reverse("password_reset_complete"), reverse("public_account", args=[token])):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
            assert response.status_code == 200, url
            problems = dutch_walk.check_page(english, response.content.decode())
            if problems:
                findings.append(dutch_walk.Finding("anonymous", url, problems))
    assert not findings, "\n" + dutch_walk.report(findings)


def test_the_skipped_actions_refuse_a_get(demo, client, django_db_blocker):
    """What the walk skips as "POST only" really is no page: a GET is refused (405)."""
    from django.contrib.auth import get_user_model
    from django.urls import NoReverseMatch, reverse

    with django_db_blocker.unblock():
        client.force_login(get_user_model().objects.get(username="beheer"))
        for route in dutch_walk.all_routes():
            if dutch_walk.SKIPPED.get(route.name) != dutch_walk.POST_ONLY:
                continue
            kwargs = {p: ("2026-01-01" if p == "valid_from" else "x" if p in ("key", "token") else 1)
                      for p in route.params}
            try:
                url = reverse(route.name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            response = client.get(url)
            assert response.status_code in (405, 403, 404), (route.name, response.status_code)


def test_the_walk_finds_what_issue_14_saw():
    """The checks themselves: each thing the issue found on a Dutch screen is caught."""
    html = """<html><head><style>.seed{}</style><script>var seed = 1;</script></head><body>
      <p>Kale huur €719.31 ligt boven de grens</p><p>6 Dec 2026</p><p>2026-H1</p><p>Lotingsgetal (seed)</p>
      <p>(k + 1) / (n + 2)</p><p>Vega-Lite</p><p>database:2026-01-01:5eabe4cb</p><td>complex_page</td>
      <p>inkomen €36,300.00</p>
      <details><summary>Technisch</summary><code>database:2026-01-01:5eabe4cb</code></details></body></html>"""
    text, plain, _prose = dutch_walk.visible_text(html)
    assert "var seed" not in text and ".seed" not in text
    assert plain.count("database:2026-01-01:5eabe4cb") == 1  # the one in <details> is where it belongs
    found = " ".join(dutch_walk.jargon_in(plain))
    for what in ("€719.31", "6 Dec 2026", "2026-H1", "'seed'", "(k + 1) / (n + 2)", "Vega-Lite",
                 "database:2026-01-01:5eabe4cb", "complex_page", "€36,300.00"):
        assert what in found, what
    assert not dutch_walk.jargon_in("6 dec 2026, € 36.300,00, 1e helft 2026, € 719,31")


def test_a_code_beside_its_label_is_allowed_only_where_marked_as_code():
    """A file's column or a kind's code, marked <code> or bb-code next to its Dutch label, is no raw code; the same
    code in running text is, and a version code stays jargon even when marked."""
    html = """<body><p>Inschrijfnummer <code>registration_number</code></p>
      <p>Soort: Statushouder <span class="bb-code">status_holder</span> en verder social_urgency</p>
      <p><code>database:2026-01-01:5eabe4cb</code></p></body>"""
    text, plain, prose = dutch_walk.visible_text(html)
    assert "registration_number" in text  # still read for English sentences
    found = [problem.split(" in …")[0] for problem in dutch_walk.jargon_in(plain, prose)]
    assert found == ["version code: 'database:2026-01-01:5eabe4cb'", "raw code (snake_case): 'social_urgency'"]


def test_the_walk_finds_an_english_sentence_of_the_catalogue(english):
    assert english.find("Hier staat: The audit log shows who saw or changed personal data, when, and why.")
    assert not english.find("Hier ziet u wie persoonsgegevens bekeek of wijzigde, wanneer en waarom.")


def test_the_catalogue_has_no_untranslated_or_fuzzy_message():
    import polib

    catalogue = polib.pofile(str(dutch_walk.CATALOGUE))
    untranslated = [e.msgid for e in catalogue.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries() if not e.obsolete]
    assert not untranslated, f"{len(untranslated)} without Dutch: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"
