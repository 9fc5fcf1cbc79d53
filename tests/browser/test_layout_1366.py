"""Layout on a 1366 px laptop and at 200 % zoom (issue 14 item 7), in a real browser.

Every role's home page (its work list) at 1366 × 768: axe-core finds no serious or critical violations, the page does
not scroll sideways, and a screenshot goes to docs/screenshots/home-<role>.png. The pages with wide tables
(concentration, stock overview, monitor and its warnings, vacancies, a round's result, compliance, a cooperative's
comparison) at 1366 px, and two of them at 200 % zoom (a 683 × 384 CSS px window at device scale 2, which is what the
browser's zoom does): a table wider than its place scrolls inside its region, never the page; its first column and
its caption stay in view while the rest scrolls; no word in a header cell is broken in the middle (a code may wrap
at its hyphen).

One small demo (the product's own generator, with its own logins) serves all of it: seeding it is the slow part.
"""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from buurtbalans.allocation.models import AllocationRound
from buurtbalans.cooperatives.models import HousingCooperative
from buurtbalans.core.models import Role
from buurtbalans.demo.writer import DEMO_PASSWORD, DEMO_USERS
from tests.browser.test_screens import (  # noqa: F401 - fixtures
    assert_accessible,
    audit_log_cleared_after,
    browser,
    screenshot,
    seed_small_demo,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
# The browser's 200 % zoom: the same screen holds half the CSS pixels, each drawn with four device pixels.
ZOOM_200 = {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2}

# Each role once, with the demo login that has it (the board member sits on a cooperative's board).
ROLES = (
    Role.ALLOCATION_OFFICER,
    Role.NEIGHBOURHOOD_MANAGER,
    Role.POLICY_ANALYST,
    Role.COOPERATIVE_BOARD,
    Role.AUDITOR,
    Role.PRIVACY_OFFICER,
    Role.ADMIN,
    Role.PLATFORM_ADMIN,
    Role.MOTIVATION_ASSESSOR,
)

# In the page: what is wrong with the layout of its tables, in words (empty when nothing is).
TABLE_PROBLEMS = """
() => {
  const problems = [];
  const name = (table) => table.id || (table.caption && table.caption.textContent.trim()) || 'a table';
  const onOneLine = (rects) => rects.every((r, i) => i === 0 || r.top < rects[0].bottom - 1);
  // Words in a header cell, each split after its hyphens: "VW-C0012" may wrap as "VW-" and "C0012", nothing else.
  const brokenWords = (cell) => {
    const broken = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.bb-visually-hidden')) continue;  // one pixel wide on purpose
      for (const m of node.data.matchAll(/[^\\s\\-\\u2010\\u2011]+[\\-\\u2010\\u2011]?/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        if (!onOneLine(rects)) broken.push(m[0]);
      }
    }
    return broken;
  };
  const width = document.documentElement.clientWidth;
  for (const table of document.querySelectorAll('.bb-main table')) {
    const wrap = table.closest('.bb-table-wrap');
    if (!wrap) { problems.push(`${name(table)}: not in a scrolling region (.bb-table-wrap)`); continue; }
    const box = wrap.getBoundingClientRect();
    if (box.right > width + 1) problems.push(`${name(table)}: its region reaches past the page (${box.right})`);
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !['auto', 'scroll'].includes(getComputedStyle(wrap).overflowX)) {
      problems.push(`${name(table)}: columns cut off without a scroll bar`);
    }
    const rows = [...table.rows].filter((row) => row.cells.length && !row.cells[0].hasAttribute('colspan'));
    for (const row of rows) {
      const first = row.cells[0];
      const style = getComputedStyle(first);
      if (style.position !== 'sticky') {
        problems.push(`${name(table)}: first column not fixed ("${first.textContent.trim()}")`);
        break;
      }
      if (style.backgroundColor === 'rgba(0, 0, 0, 0)') {
        problems.push(`${name(table)}: fixed column without a background`);
        break;
      }
    }
    for (const cell of table.querySelectorAll('th')) {
      const broken = brokenWords(cell);
      if (broken.length) problems.push(`${name(table)}: broken in the middle: ${broken.join(', ')}`);
    }
    if (scrolls && rows.length) {
      // Scrolled to the far end, the first column is still where it was: at the region's left edge.
      wrap.scrollLeft = wrap.scrollWidth;
      const first = rows[rows.length - 1].cells[0].getBoundingClientRect();
      if (Math.abs(first.left - box.left) > 1) problems.push(`${name(table)}: first column scrolls away`);
      const last = [...rows[rows.length - 1].cells].at(-1).getBoundingClientRect();
      if (last.right > box.right + 1) problems.push(`${name(table)}: last column out of reach`);
      // The caption that says what the table is stays in view too, whole.
      if (table.caption) {
        const caption = table.caption.getBoundingClientRect();
        if (caption.left < box.left - 1 || caption.right > box.right + 1) {
          problems.push(`${name(table)}: caption scrolls away`);
        }
      }
      wrap.scrollLeft = 0;
    }
  }
  return problems;
}
"""


def page_scrolls_sideways(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth")


def username(role: str) -> str:
    return next(name for name, _corporation, roles in DEMO_USERS if roles == (role,))


def log_in(browser, base_url, role, **context_options):  # noqa: F811 - the fixture's value
    """A Dutch browser of its own for the role's demo login, logged in with the keyboard."""
    # Reduced motion: the page scrolls smoothly otherwise, and a screenshot would catch it half way.
    context = browser.new_context(locale="nl-NL", reduced_motion="reduce", **context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}{reverse('login')}")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_username'")
    page.keyboard.type(username(role))
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation(url=f"{base_url}/"):
        page.keyboard.press("Enter")
    return page


@pytest.fixture
def layout_demo(settings, audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    corporation = seed_small_demo(settings, 400)
    finished = AllocationRound.objects.filter(corporation=corporation, runs__isnull=False).order_by("pk").first()
    cooperative = HousingCooperative.objects.filter(corporation=corporation).order_by("pk").first()
    return {"corporation": corporation, "round": finished, "cooperative": cooperative}


def test_every_roles_home_page_at_1366_px(browser, live_server, layout_demo):  # noqa: F811
    for role in ROLES:
        page = log_in(browser, live_server.url, role, **LAPTOP)
        assert page.locator("h1").inner_text() == "Uw werk", role
        # Something to do or somewhere to go, for every role: never an empty page.
        assert page.locator("#work-waiting li, #work-done li, #work-places li").count() >= 1, role
        assert not page_scrolls_sideways(page), role
        assert_accessible(page)
        screenshot(page, f"home-{role.lower().replace('_', '-')}")
        page.context.close()


def test_wide_tables_scroll_in_their_region_at_1366_px_and_200_percent(browser, live_server, layout_demo):  # noqa: F811
    base = live_server.url
    wide_pages = {
        "concentration": reverse("steering_concentration"),
        "stock overview": reverse("stock_overview"),
        "monitor": reverse("monitor_overview"),
        "warnings": reverse("monitor_warnings"),
        "vacancies": reverse("steering_vacancies"),
        "round result": reverse("allocation_round_result", args=[layout_demo["round"].pk]),
        "compliance": reverse("rules_compliance"),
        "cooperative comparison": reverse("cooperative_comparison", args=[layout_demo["cooperative"].pk]),
    }
    page = log_in(browser, base, Role.ALLOCATION_OFFICER, **LAPTOP)
    for name, url in wide_pages.items():
        page.goto(f"{base}{url}")
        assert page.locator(".bb-main table").count() >= 1, name
        assert not page_scrolls_sideways(page), name
        assert page.evaluate(TABLE_PROBLEMS) == [], name
        assert_accessible(page)
    page.context.close()

    # At 200 % zoom the same tables are twice too wide: they scroll, the page does not, the first column stays.
    page = log_in(browser, base, Role.ALLOCATION_OFFICER, **ZOOM_200)
    for name, url, table in (
        ("concentration", wide_pages["concentration"], "#concentration-table"),
        ("monitor", wide_pages["monitor"], "#vitality-table"),
    ):
        page.goto(f"{base}{url}")
        wrap = page.locator(table).locator("xpath=ancestor::*[contains(@class, 'bb-table-wrap')][1]")
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), f"{name}: the table should be too wide here"
        assert not page_scrolls_sideways(page), name
        assert page.evaluate(TABLE_PROBLEMS) == [], name
        assert_accessible(page)
        # The picture for docs/ui.md: scrolled half way, the names stay at the left.
        wrap.evaluate("w => { w.scrollLeft = (w.scrollWidth - w.clientWidth) / 2; w.scrollIntoView(); }")
        screenshot(page, f"layout-200-{name}")
    page.context.close()

    # The policy analyst's wide tables: a study's scenario (tables of inputs) and its results, at 1366 px and 200 %.
    study = _calculated_study(layout_demo["corporation"])
    analyst_pages = {
        "study scenario": reverse("simulation_study", args=[study.pk]),
        "study results": reverse("simulation_study_results", args=[study.pk]),
    }
    for options in (LAPTOP, ZOOM_200):
        page = log_in(browser, base, Role.POLICY_ANALYST, **options)
        for name, url in analyst_pages.items():
            page.goto(f"{base}{url}")
            assert page.locator(".bb-main table").count() >= 1, name
            assert not page_scrolls_sideways(page), (name, options)
            assert page.evaluate(TABLE_PROBLEMS) == [], (name, options)
            if options is LAPTOP:
                assert_accessible(page)
        page.context.close()


def _calculated_study(corporation):
    """The demo's calculated policy study, or one built from its data and calculated (10 calculations)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from buurtbalans.core.jobs import job_run
    from buurtbalans.simulation.models import PolicyStudy
    from buurtbalans.simulation.services import policy_study_create, policy_study_run_request

    study = PolicyStudy.objects.filter(corporation=corporation, result__isnull=False).order_by("pk").first()
    if study is None:
        analyst = get_user_model().objects.get(username=username(Role.POLICY_ANALYST))
        study = policy_study_create(corporation=corporation, actor=analyst, name="Proef", on=timezone.localdate(),
                                    years=3)
        PolicyStudy.objects.filter(pk=study.pk).update(runs=10)
        study = policy_study_run_request(study=PolicyStudy.objects.get(pk=study.pk), actor=analyst)
        job_run(study.job)
    return study
