"""The letting cycle in a real browser, as the corporation's staff walk it (issue 10), in Dutch:

plan → decide a label (the listing follows) → round → approve → decline → worked out again → approve → letters
(page, PDF, all letters as one PDF, outcomes for the mail merge) → the public account without a login.

A policy analyst asks for a labelling plan; an allocation officer lists one of its vacant homes, decides "boven de
aftoppingsgrens" for it with a rent typed inside the shown range, puts it with a second home into the demo's open
round, enters bids, works the round out, approves, records a decline, approves the new result and sends the
letters; then anyone can read the home's public account by its link. axe-core finds no serious violation on any
screen of the walk. Screenshots go to docs/screenshots/cycle-*.png (shown in docs/allocation-product.md).

The background jobs (the plan, working the round out) run here with `run_pending_jobs()` where the worker would;
the pages follow them by themselves, as they do for the user. The data is the demo generator's: 600 dwellings,
because the 400-dwelling demo lists every one of its vacant homes in its own rounds.
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from buurtbalans.allocation.models import ApplicantProfile, ApplicantStatus, Bid, Listing
from buurtbalans.allocation.tests.test_letter_views import pdf_text
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import Applicant
from buurtbalans.rules.parameters import parameters_for
from buurtbalans.steering.models import ProposedLabel
from tests.browser.test_screens import (  # noqa: F401 - fixtures
    assert_accessible,
    audit_log_cleared_after,
    browser,
    login_with_keyboard,
    page,
    screenshot,
    seed_small_demo,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The pages poll their job every 1.5 s and reload when it is done; give that time on a slow CI machine.
JOB_FOLLOWED = 20_000


@pytest.fixture
def cycle_demo(settings, audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    corporation = seed_small_demo(settings, 600)
    return {
        "corporation": corporation,
        "officer": make_user("ui-officer", corporation, Role.ALLOCATION_OFFICER),
        "analyst": make_user("ui-analyst", corporation, Role.POLICY_ANALYST),
    }


# --- what the test picks, as an officer would pick it from the screens and the platform's bids -------------------


def homes_to_let(corporation, plan_pk: int):
    """Two vacant homes of the plan that have no listing yet: one that may be let above the rent cap (A), and a
    second one (B), from the same complex when there is one, so both are listed from one complex page."""
    listed = Listing.objects.filter(corporation=corporation).values("dwelling_id")
    free = list(
        ProposedLabel.objects.filter(plan_id=plan_pk)
        .exclude(dwelling_id__in=listed)
        .select_related("dwelling__complex")
        .order_by("dwelling__external_id")
    )
    above_cap = [p for p in free if p.above_cap_rent is not None]
    assert above_cap and len(free) >= 2, "the demo has no two vacant homes without a listing in the plan"
    for a in above_cap:
        same_complex = [p for p in free if p.dwelling.complex_id == a.dwelling.complex_id and p is not a]
        if same_complex:
            return a.dwelling, same_complex[0].dwelling
    a = above_cap[0]
    return a.dwelling, next(p for p in free if p is not a).dwelling


def applicants_who_react(corporation, on: date):
    """Applicants who did not react in any round yet: D, N and O earn enough to rent above the rent cap (single,
    income between the limit of passend toewijzen and the DAEB limit), by registration date; L earns too little."""
    params = parameters_for(on)
    reacted = Bid.objects.filter(corporation=corporation).values("applicant_id")
    housed = ApplicantProfile.objects.filter(status=ApplicantStatus.HOUSED).values("applicant_id")
    single = (
        Applicant.objects.filter(corporation=corporation, household__size=1, household__assessed_income__isnull=False)
        .exclude(pk__in=reacted)
        .exclude(pk__in=housed)
        .order_by("registration_date", "external_id")
    )
    enough = list(
        single.filter(
            household__assessed_income__gt=params.allowance_income_limit_single,
            household__assessed_income__lte=params.daeb_income_limit_single,
        )
    )
    low = min(params.allowance_income_limit_single, params.allowance_income_limit_single_pension)
    too_little = single.filter(household__assessed_income__lt=low).first()
    assert len(enough) >= 3 and too_little is not None, "the demo lacks applicants for this walk"
    return {"D": enough[0], "N": enough[1], "O": enough[2], "L": too_little}


# --- small helpers ------------------------------------------------------------------------------------------------


def text_of(locator) -> str:
    """What the user reads, with the non-breaking spaces of amounts as plain spaces."""
    return locator.inner_text().replace("\u00a0", " ")


def euro(amount: Decimal) -> str:
    """An amount as the Dutch screens write it: 1.234,50."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def amount(dutch: str) -> Decimal:
    return Decimal(dutch.replace(".", "").replace(",", "."))


def click_and_wait(tab, locator) -> None:
    with tab.expect_navigation():
        locator.click()


def menu(tab, name: str) -> None:
    click_and_wait(tab, tab.locator("nav.bb-nav").get_by_role("link", name=name, exact=True))


def log_out(tab) -> None:
    click_and_wait(tab, tab.get_by_role("button", name="Uitloggen"))


def enter_bid(tab, applicant: Applicant, preference: int) -> None:
    """On a listing page: the bid form, filled in as a person fills it in (the time left empty: now)."""
    tab.get_by_label("Inschrijfnummer", exact=True).fill(applicant.external_id)
    tab.get_by_label("Voorkeur (1 = liefst)").fill(str(preference))
    click_and_wait(tab, tab.get_by_role("button", name="Reactie vastleggen"))
    expect(tab.get_by_text("De reactie is vastgelegd.")).to_be_visible()


def work_out_in_background(tab) -> None:
    """Run what the worker would run now; the round's page follows the task and shows the result by itself."""
    expect(tab.locator("#job-progress")).to_be_visible()
    assert run_pending_jobs() >= 1
    expect(tab.locator("#round-status")).to_have_text("Te beoordelen", timeout=JOB_FOLLOWED)


def result_section(tab, listing: Listing):
    return tab.locator("section").filter(has=tab.locator(f"#listing-{listing.pk}"))


def show(locator) -> None:
    """Scroll so the part of the page a screenshot is about starts at the top of the window."""
    locator.evaluate("element => element.scrollIntoView({block: 'start', behavior: 'instant'})")


def candidate_row(section, applicant: Applicant):
    """The row of one candidate in a home's list on the review page (found by their registration number's link)."""
    return section.locator("tbody tr").filter(
        has=section.page.get_by_role("link", name=applicant.external_id, exact=True)
    )


def download(tab, locator) -> tuple[str, bytes]:
    with tab.expect_download() as info:
        locator.click()
    file = info.value
    return file.suggested_filename, Path(file.path()).read_bytes()


# --- the walk -----------------------------------------------------------------------------------------------------


def test_the_letting_cycle_from_plan_to_public_account(page, live_server, cycle_demo):  # noqa: F811
    base = live_server.url
    corporation = cycle_demo["corporation"]
    today = timezone.localdate()

    # 1. The policy analyst asks for a labelling plan for this quarter; the worker makes it.
    login_with_keyboard(page, base, "ui-analyst")
    menu(page, "Mix en labels")
    click_and_wait(page, page.get_by_role("link", name="Labelplannen"))
    click_and_wait(page, page.get_by_role("link", name="Een nieuw plan maken"))
    assert_accessible(page)
    page.get_by_label("Plan de lege woningen van").select_option(index=0)  # this quarter
    click_and_wait(page, page.get_by_role("button", name="Het plan maken"))
    expect(page.locator("#job-progress")).to_be_visible()
    plan_url = page.url
    assert run_pending_jobs() == 1
    expect(page.locator("#plan-summary")).to_be_visible(timeout=JOB_FOLLOWED)
    assert "lege woningen gepland" in text_of(page.locator("#plan-summary"))
    assert page.locator("#label-table tbody tr").count() >= 2
    # The homes already offered in the demo's approved round are fixed ("vast"): listed apart, without a label.
    assert "liggen vast" in text_of(page.locator("#fixed-count"))
    assert "Aangeboden via publicatie" in text_of(page.locator("#fixed-table"))
    assert_accessible(page)
    screenshot(page, "cycle-01-plan")
    log_out(page)

    plan_pk = int(re.search(r"/plans/(\d+)/", plan_url).group(1))
    home_a, home_b = homes_to_let(corporation, plan_pk)
    people = applicants_who_react(corporation, today)

    # 2. The allocation officer opens one of the plan's vacant homes: no listing yet. They list it from its
    #    complex page, then decide its label on the plan's decision screen: above the rent cap, at a rent they type.
    login_with_keyboard(page, base, "ui-officer")
    menu(page, "Mix en labels")
    click_and_wait(page, page.get_by_role("link", name="Labelplannen"))
    click_and_wait(page, page.locator("#plan-table").get_by_role("link").first)
    click_and_wait(page, page.locator("#label-table").get_by_role("link", name=home_a.address, exact=True))
    expect(page.locator("#listing-effect")).to_contain_text("heeft nog geen publicatie")
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="Bekijk het complex"))
    click_and_wait(page, page.get_by_role("link", name=f"Deze woning publiceren ({home_a.address})", exact=True))
    assert_accessible(page)
    expect(page.get_by_label("Woning", exact=True)).to_have_value(str(home_a.pk))
    click_and_wait(page, page.get_by_role("button", name="Publicatie bewaren"))
    expect(page.get_by_text(re.compile(r"Publicatie \S+ is gemaakt\."))).to_be_visible()
    listing_a = Listing.objects.get(dwelling=home_a)

    menu(page, "Mix en labels")
    click_and_wait(page, page.get_by_role("link", name="Lege woningen en labels"))
    click_and_wait(page, page.locator("#vacancy-table").get_by_role("link", name=home_a.address, exact=True))
    expect(page.locator("#listing-effect")).to_contain_text(
        f"Publicatie {listing_a.reference} staat open en heeft nog geen reacties."
    )
    page.get_by_role("radio", name="Boven de aftoppingsgrens").check()
    shown = re.search(r"van € ([\d.,]+) tot en met € ([\d.,]+)", text_of(page.locator("#label-ABOVE_CAP-text")))
    lowest, highest = amount(shown.group(1)), amount(shown.group(2))
    rent = ((lowest + highest) / 2).quantize(Decimal("1"), rounding=ROUND_FLOOR)
    assert lowest <= rent <= highest
    rent_field = page.get_by_label("Kale huur boven de aftoppingsgrens (per maand)")
    rent_field.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(euro(rent))
    page.get_by_label("Waarom verandert u het label?").fill(
        "Veel huishoudens in dit complex hebben de laagste inkomens; deze woning gaat naar een iets hoger inkomen."
    )
    show(page.locator("#listing-effect-heading"))
    assert_accessible(page)
    screenshot(page, "cycle-02-label-decision")
    click_and_wait(page, page.get_by_role("button", name="Het besluit bewaren"))
    expect(page.get_by_text("Het label is veranderd in “Boven de aftoppingsgrens”.")).to_be_visible()
    followed = rf"Publicatie {re.escape(listing_a.reference)} heeft nu dit label, de kale huur €\s{euro(rent)}"
    expect(page.get_by_text(re.compile(followed))).to_be_visible()
    assert "Boven de aftoppingsgrens" in text_of(page.locator("#listing-list"))
    assert_accessible(page)

    # The listing followed the decision: its page shows the label and the rent.
    click_and_wait(page, page.locator("#listing-list").get_by_role("link", name=listing_a.reference))
    conditions = text_of(page.locator("#listing-labels"))
    assert f"€ {euro(rent)} per maand" in conditions
    assert "Label uit het labelplan" in conditions and "Boven de aftoppingsgrens" in conditions
    assert_accessible(page)
    screenshot(page, "cycle-03-listing-follows-label")

    # 3. A second home of the plan is listed too; both go into the demo's open round, which has its bids already.
    page.goto(f"{base}{reverse('complex_detail', args=[home_b.complex_id])}")
    click_and_wait(page, page.get_by_role("link", name=f"Deze woning publiceren ({home_b.address})", exact=True))
    click_and_wait(page, page.get_by_role("button", name="Publicatie bewaren"))
    listing_b = Listing.objects.get(dwelling=home_b)

    menu(page, "Toewijzing")
    rounds = page.locator("table").first
    click_and_wait(page, rounds.locator("tbody tr", has_text="Concept").get_by_role("link").first)
    expect(page.locator("#round-status")).to_have_text("Concept")
    page.get_by_label(f"{listing_a.reference}: {home_a.address}").check()
    page.get_by_label(f"{listing_b.reference}: {home_b.address}").check()
    click_and_wait(page, page.get_by_role("button", name="Aan deze ronde toevoegen"))
    account = page.locator("#account-table")
    expect(account.locator(f"tr[data-listing='{listing_a.reference}']")).to_be_visible()

    # The bids reached the corporation through the regional platform; the officer types them in on each home.
    d, n, o, low = people["D"], people["N"], people["O"], people["L"]
    click_and_wait(page, account.get_by_role("link", name=home_a.address, exact=True))
    for applicant in (d, n, low):
        enter_bid(page, applicant, 1)
    assert page.locator("#bid-table tbody tr").count() == 3
    assert_accessible(page)
    click_and_wait(page, page.locator("#listing-labels").get_by_role("link"))  # back to the round
    click_and_wait(page, page.locator("#account-table").get_by_role("link", name=home_b.address, exact=True))
    enter_bid(page, d, 2)
    enter_bid(page, o, 1)
    click_and_wait(page, page.locator("#listing-labels").get_by_role("link"))

    # Worked out in the background, reviewed and approved.
    click_and_wait(page, page.get_by_role("button", name="De ronde uitrekenen"))
    expect(page.locator("#round-status")).to_have_text("Wordt uitgerekend")
    work_out_in_background(page)
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="De uitkomst beoordelen en goedkeuren"))
    assert "berekening 1" in text_of(page.locator("h1"))
    section_a = result_section(page, listing_a)
    assert "Toegewezen" in text_of(candidate_row(section_a, d))
    assert low.external_id in text_of(section_a)  # did not meet the conditions, with the reason
    assert "passend toewijzen" in text_of(section_a)
    assert_accessible(page)
    show(section_a)
    screenshot(page, "cycle-04-review")
    click_and_wait(page, page.get_by_role("button", name="Goedkeuren en de aanbiedingen doen"))
    expect(page.get_by_text(re.compile(r"Goedgekeurd\. Nieuwe aanbiedingen: \d+\."))).to_be_visible()
    expect(page.locator("#round-status")).to_have_text("Goedgekeurd: aanbiedingen gedaan")
    offer_a = page.locator("#offer-table tbody tr", has_text=listing_a.reference)
    assert d.external_id in text_of(offer_a) and "Aangeboden" in text_of(offer_a)
    assert_accessible(page)
    show(page.locator("#offers"))
    screenshot(page, "cycle-05-offers")

    # D says no to the home above the cap; the officer records it with the VERA reason.
    click_and_wait(page, offer_a.get_by_role("link", name="Geweigerd of ingetrokken"))
    assert f"aan woningzoekende {d.external_id}" in text_of(page.locator("main"))
    page.get_by_label("Huurprijs te hoog").check()
    assert_accessible(page)
    screenshot(page, "cycle-06-decline")
    click_and_wait(page, page.get_by_role("button", name="Reden vastleggen"))
    expect(
        page.get_by_text("Vastgelegd. De ronde wordt opnieuw uitgerekend voor de woningen die over zijn.")
    ).to_be_visible(timeout=JOB_FOLLOWED)

    # The round is worked out again without D; the officer reviews and approves the new offer.
    work_out_in_background(page)
    click_and_wait(page, page.get_by_role("link", name="De uitkomst beoordelen en goedkeuren"))
    assert "berekening 2" in text_of(page.locator("h1"))
    section_a = result_section(page, listing_a)
    assert "Toegewezen" in text_of(candidate_row(section_a, n))
    assert d.external_id not in text_of(section_a.locator("tbody"))
    assert_accessible(page)
    show(section_a)
    screenshot(page, "cycle-07-review-again")
    click_and_wait(page, page.get_by_role("button", name="Goedkeuren en de aanbiedingen doen"))
    expect(page.get_by_text("Goedgekeurd. Nieuwe aanbiedingen: 1.")).to_be_visible()
    offers_a = page.locator("#offer-table tbody tr", has_text=listing_a.reference)
    assert "Aangeboden" in text_of(offers_a.filter(has_text=n.external_id))
    assert "Geweigerd door de woningzoekende: Huurprijs te hoog" in text_of(offers_a.filter(has_text=d.external_id))

    # 4. The letters: every applicant with the outcome of each bid; D's letter says they said no.
    click_and_wait(page, page.get_by_role("link", name="Brieven aan woningzoekenden"))
    letters = page.locator("#letters")
    applicants = int(re.search(r"brieven aan (\d+) woningzoekenden", text_of(page.locator("main"))).group(1))
    assert applicants == letters.locator("tbody tr").count() > 5
    row_d = letters.locator(f"tr[data-applicant='{d.external_id}']")
    assert home_a.address in text_of(row_d.locator("li").nth(0))
    assert "Geweigerd door de woningzoekende" in text_of(row_d.locator("li").nth(0))
    assert "Telt niet meer mee" in text_of(row_d.locator("li").nth(1))
    assert "Aangeboden" in text_of(letters.locator(f"tr[data-applicant='{n.external_id}']"))
    assert "Voldoet niet aan de voorwaarden" in text_of(letters.locator(f"tr[data-applicant='{low.external_id}']"))
    assert_accessible(page)
    screenshot(page, "cycle-08-letters")

    # The officer finds D by typing the registration number, and reads the letter.
    page.get_by_label("Inschrijfnummer of naam").fill(d.external_id)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert letters.locator("tbody tr").count() == 1
    click_and_wait(page, row_d.get_by_role("link", name="Lezen"))
    letter = page.locator("#letter")
    assert d.name in text_of(page.locator("#letter-recipient"))
    item_a = text_of(letter.locator(f"section[data-listing='{listing_a.reference}']"))
    assert "Wij hebben u deze woning aangeboden. U zei nee." in item_a
    assert "Reden: Huurprijs te hoog." in item_a
    assert "Daarna doet u niet meer mee in deze ronde." in item_a
    item_b = text_of(letter.locator(f"section[data-listing='{listing_b.reference}']"))
    assert "Uw reactie telde niet meer mee." in item_b
    assert f"U zei nee tegen het aanbod van {home_a.address}" in item_b
    assert "Daarna doet u niet meer mee in deze ronde." in item_b
    assert "bezwaar maken" in text_of(page.locator("#letter-objection"))
    assert_accessible(page)
    show(letter.locator("h1"))
    screenshot(page, "cycle-09-letter")
    name, content = download(page, page.get_by_role("link", name="Downloaden als PDF"))
    assert name.endswith(f"{d.external_id}.pdf") and content.startswith(b"%PDF")
    assert "U zei nee." in pdf_text(content)

    # All letters as one PDF, one letter per applicant; and the outcomes for the mail merge.
    click_and_wait(page, page.get_by_role("link", name="Brieven", exact=True))
    name, content = download(page, page.get_by_role("button", name="Alle brieven (PDF)"))
    assert name.endswith(".pdf") and content.startswith(b"%PDF")
    assert pdf_text(content).count("Wat er met uw reacties is gebeurd") == applicants
    name, content = download(page, page.get_by_role("link", name="CSV (Uitkomsten voor de mailmerge)"))
    assert name.endswith(".csv")
    # The CSV for Dutch Excel (issue 14): semicolons.
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert {row["Inschrijfnummer"] for row in rows} >= {d.external_id, n.external_id, o.external_id}
    declined = next(r for r in rows if r["Inschrijfnummer"] == d.external_id and r["Publicatie"] == listing_a.reference)
    assert declined["Status"] == "Geweigerd door de woningzoekende"

    # 5. The public account of the home, by the link on its listing page, read without a login.
    page.goto(f"{base}{reverse('allocation_listing_detail', args=[listing_a.pk])}")
    public_link = page.locator("#public-link a").get_attribute("href")
    log_out(page)
    page.goto(f"{base}{public_link}")
    assert page.url == f"{base}{public_link}"  # not sent to the login page
    assert home_a.address in text_of(page.locator("h1"))
    summary = text_of(page.locator("#account-summary"))
    assert "3 mensen reageerden. 2 daarvan voldeden aan de voorwaarden." in summary
    assert "Aangeboden, nog niet verhuurd." in summary or "Verhuurd." in summary
    assert "zei nee tegen het aanbod" in summary
    everything = page.content()
    assert "VW-A" not in everything  # no registration numbers
    for person in (d, n, o, low):
        assert person.name not in everything and person.external_id not in everything
    assert_accessible(page)
    screenshot(page, "cycle-10-public-account")
