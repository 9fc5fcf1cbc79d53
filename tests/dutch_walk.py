"""The Dutch page walk (issue 14 item 5): every page each role may open, its visible text checked for English.

Used by tests/test_dutch_pages.py. The list of pages comes from the URL patterns, so a new page is walked without
anyone adding it here: a pattern without arguments is opened as it is; a pattern with arguments needs one line in
`ROUTE_ARGS` (which object of the demo fills it) or in `SKIPPED` (why it is no page: a download, JSON or a POST-only
action). A pattern in neither fails the walk's completeness test.

A page fails when its visible text (tags stripped, scripts and styles dropped) holds
- an English sentence of the catalogue: a msgid of three or more words whose Dutch msgstr differs (so the text
  should have gone through gettext, or was stored in English and shown as it is), or
- jargon or a foreign format: a half-year code ("2026-H1"), a formula ("(k + 1) / (n + 2)"), "seed", "Vega-Lite",
  a version code ("database:2026-01-01:5eabe4cb"), a capitalised month abbreviation ("6 Dec 2026"), an English
  amount or number ("€36,300.00", "€719.31") or a raw code where a label exists ("builtin", "complex_page").
Technical detail inside a <details> element (under its <summary>) is not checked for jargon: that is where it goes.
A code marked as one (a <code> element, or the house style's `bb-code` class) is what a file or another system
carries, shown beside its Dutch label: it is not reported as a raw code (the other checks still read it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.urls import URLPattern, URLResolver, get_resolver

CATALOGUE = Path(__file__).resolve().parent.parent / "buurtbalans" / "locale" / "nl" / "LC_MESSAGES" / "django.po"


# --- the pages --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]


def all_routes() -> list[Route]:
    """Every named URL pattern of the product, with the names of its arguments."""
    found: list[Route] = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                found.append(Route(p.name, route, tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))))

    walk(get_resolver().url_patterns)
    return found


# URL names that are no page to read, and why. The completeness test checks a POST-only one refuses a GET (405).
DOWNLOAD = "a download (PDF or file), not a page"
JSON = "JSON for a script, not a page"
POST_ONLY = "an action (POST only), not a page"
SKIPPED: dict[str, str] = {
    "set_language": "switches the language (a form posts to it); a GET only sends the visitor back",
    "logout": POST_ONLY,
    "password_reset_confirm": "a one-time link from an e-mail; its form is the password form walked on "
                              "password_change",
    "accounts_user_active": POST_ONLY,
    "accounts_user_mfa_reset": POST_ONLY,
    "accounts_user_password_link": POST_ONLY,
    "portfolio_import_confirm": POST_ONLY,
    "marker_kind_active": POST_ONLY,
    "marker_kind_delete": POST_ONLY,
    "rules_compliance_report": POST_ONLY,
    "rules_compliance_report_download": DOWNLOAD,
    "rules_parameter_confirm": POST_ONLY,
    "rules_local_parameter_remove": POST_ONLY,
    "rules_parameter_remove": POST_ONLY,
    "rules_agreement_delete": POST_ONLY,
    "rules_motivation_cap_delete": POST_ONLY,
    "allocation_round_start": POST_ONLY,
    "allocation_round_approve": POST_ONLY,
    "allocation_round_close": POST_ONLY,
    "allocation_round_add_listings": POST_ONLY,
    "allocation_letters_all": POST_ONLY,
    "allocation_letter_pdf": DOWNLOAD,
    "allocation_letters_file": DOWNLOAD,
    "allocation_listing_withdraw": POST_ONLY,
    "allocation_listing_bid_add": POST_ONLY,
    "allocation_listing_score_add": POST_ONLY,
    "steering_vacancy_listing": POST_ONLY,
    "steering_plan_result": JSON,
    "steering_role_end": POST_ONLY,
    "monitor_refresh": POST_ONLY,
    "monitor_map_data": JSON,
    "monitor_complex_chart": JSON,
    "monitor_records_import_confirm": POST_ONLY,
    "monitor_report_download": DOWNLOAD,
    "cooperative_complex_remove": POST_ONLY,
    "cooperative_contact_delete": POST_ONLY,
    "cooperative_document_file": DOWNLOAD,
    "cooperative_document_delete": POST_ONLY,
    "cooperative_board_remove": POST_ONLY,
    "cooperative_activity_delete": POST_ONLY,
    "cooperative_activity_file": DOWNLOAD,
    "cooperative_account_pdf": DOWNLOAD,
    "cooperative_account_file": DOWNLOAD,
    "privacy_household_access": POST_ONLY,
    "simulation_study_run": POST_ONLY,
    "simulation_study_copy": POST_ONLY,
    "simulation_study_delete": POST_ONLY,
    "simulation_study_upload": POST_ONLY,
    "simulation_study_report": DOWNLOAD,
    "evaluation_intervention_end": POST_ONLY,
    "job_status": JSON,
}


# --- the text a reader sees ------------------------------------------------------------------------------------

class _VisibleText(HTMLParser):
    """The text of a page as read: without scripts, styles and templates; <details> bodies apart.

    `text` is all visible text (also what opens under a <summary>); `plain` leaves out what sits in a <details>
    element outside its <summary>: the technical detail the reader opens on purpose.
    """

    HIDDEN = {"script", "style", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    BLOCK = {"p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "dt", "dd", "br",
             "summary", "details", "section", "option", "label", "legend", "button", "figcaption", "title", "ul",
             "ol", "table", "nav", "header", "footer", "main", "form", "fieldset", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.plain: list[str] = []
        self.prose: list[str] = []
        self._hidden = 0
        self._details = 0
        self._summary = 0
        # Open elements that mark a code, as a stack of tags (a <span class="bb-code"> ends with a </span>).
        self._code: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "details":
            self._details += 1
        elif tag == "summary":
            self._summary += 1
        if tag not in self.VOID:
            marks_code = tag == "code" or "bb-code" in (dict(attrs).get("class") or "").split()
            self._open.append(tag)
            if marks_code:
                self._code.append(len(self._open))
        if tag in self.BLOCK:
            self._emit("\n")
        if tag in ("input", "img") and not self._hidden:
            # A button's label and an image's alternative text are read too.
            values = dict(attrs)
            if tag == "img" or values.get("type") in ("submit", "button"):
                self._emit(" " + (values.get("alt") or values.get("value") or "") + " ")

    def handle_endtag(self, tag):
        if tag in self._open:
            # Close up to the matching tag (HTML lets some end tags be left out).
            depth = len(self._open) - self._open[::-1].index(tag)
            del self._open[depth - 1:]
            while self._code and self._code[-1] > len(self._open):
                self._code.pop()
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "details":
            self._details = max(0, self._details - 1)
        elif tag == "summary":
            self._summary = max(0, self._summary - 1)
        if tag in self.BLOCK:
            self._emit("\n")

    def handle_data(self, data):
        if not self._hidden:
            self._emit(data)

    def _emit(self, data):
        self.text.append(data)
        if not self._details or self._summary:
            self.plain.append(data)
            # A marked code reads as a line break, so a code never joins the words around it.
            self.prose.append("\n" if self._code else data)


def visible_text(html: str) -> tuple[str, str, str]:
    """(all visible text, the text outside <details> bodies, that text without marked codes), whitespace
    collapsed per line."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()

    def tidy(parts):
        lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in "".join(parts).split("\n"))
        return "\n".join(line for line in lines if line)

    return tidy(parser.text), tidy(parser.plain), tidy(parser.prose)


# --- English sentences of the catalogue ------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{[^}]*\}|<[^>]+>|\s[-–—:;]\s")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+")
MIN_WORDS = 3


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


@dataclass
class EnglishIndex:
    """The English msgids (their literal parts of three or more words) by their first three words."""

    by_start: dict[tuple[str, str, str], list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)

    @classmethod
    def from_catalogue(cls, path: Path = CATALOGUE) -> EnglishIndex:
        catalogue = polib.pofile(str(path))
        dutch_words: set[tuple[str, ...]] = set()
        entries = []
        for entry in catalogue:
            if entry.obsolete:
                continue
            translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
            for text in translations:
                dutch_words.add(tuple(_words(text)))
            msgids = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
            if all(t.strip() == m.strip() for t in translations for m in msgids[:1]):
                continue  # the same in Dutch (a name, a code): nothing to find
            entries.append((msgids, translations))
        dutch_text = " ".join(" ".join(words) for words in dutch_words)
        index = cls()
        for msgids, _translations in entries:
            for msgid in msgids:
                for part in _PLACEHOLDER.split(msgid):
                    words = tuple(_words(part))
                    if len(words) < MIN_WORDS or not any(len(w) > 2 for w in words):
                        continue
                    if " ".join(words) in dutch_text:  # the same words are Dutch too (e.g. a quoted name)
                        continue
                    index.by_start.setdefault(words[:3], []).append((words, msgid))
        return index

    def find(self, text: str) -> list[str]:
        """The msgids whose English words stand in `text`, in the order found."""
        words = _words(text)
        found: list[str] = []
        for i in range(len(words) - 2):
            for candidate, msgid in self.by_start.get((words[i], words[i + 1], words[i + 2]), ()):
                if tuple(words[i:i + len(candidate)]) == candidate and msgid not in found:
                    found.append(msgid)
        return found


# --- jargon and foreign formats ----------------------------------------------------------------------------------

_MONTHS = "Jan|Feb|Mrt|Mar|Apr|Mei|May|Jun|Jul|Aug|Sep|Sept|Okt|Oct|Nov|Dec"
JARGON: dict[str, re.Pattern] = {
    "half-year code (write '1e helft 2026')": re.compile(r"\b\d{4}-H[12]\b"),
    "formula": re.compile(r"\(\s*k\s*\+\s*1\s*\)\s*/\s*\(\s*n\s*\+\s*2\s*\)"),
    "the word 'seed'": re.compile(r"\bseeds?\b", re.IGNORECASE),
    "Vega-Lite": re.compile(r"Vega-?Lite", re.IGNORECASE),
    "version code": re.compile(r"\b[a-z_]+:\d{4}-\d{2}-\d{2}:[0-9a-f]{6,}\b"),
    "capitalised month abbreviation": re.compile(rf"\b\d{{1,2}} (?:{_MONTHS})\.? \d{{4}}\b"),
    "English month name": re.compile(r"\b\d{1,2} (?:January|February|March|April|June|July|August|September|"
                                     r"October|November|December) \d{4}\b"),
    "English amount (decimal point)": re.compile(r"€\s?-?\d{1,3}(?:,\d{3})*\.\d{2}\b"),
    "English number (comma thousands)": re.compile(
        r"(?<![\d.,])\d{1,3}(?:(?:,\d{3})+\.\d+|(?:,\d{3}){2,})(?![\d,])"),
    "raw code (snake_case)": re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w./@-])"),
    "raw code": re.compile(r"\b(?:builtin|complex_page|allocation|marker_kind_management|motivation_assessment)\b"),
}


# Checked on the text without marked codes: a code beside its label is allowed there.
CODE_CHECKS = frozenset({"raw code (snake_case)"})


def jargon_in(text: str, prose: str | None = None) -> list[str]:
    """The jargon in `text`; the checks of a raw code read `prose` (the text without marked codes) when given."""
    found = []
    for what, pattern in JARGON.items():
        read = prose if prose is not None and what in CODE_CHECKS else text
        for match in pattern.finditer(read):
            found.append(f"{what}: {match.group(0)!r} in …{read[max(0, match.start() - 60):match.end() + 40]!r}…")
    return found


@dataclass
class Finding:
    who: str
    url: str
    problems: list[str]




def check_page(index: EnglishIndex, html: str) -> list[str]:
    """What a Dutch reader should not find on this page."""
    text, plain, prose = visible_text(html)
    problems = [f"English: {msgid!r}" for msgid in index.find(text)]
    problems += jargon_in(plain, prose)
    return problems


PageArgs = Callable[[object], list[dict] | None]


# --- which object fills a page ------------------------------------------------------------------------------------

def _first(queryset):
    return queryset.order_by("pk").first()


def route_args(corporation) -> dict[str, Callable[[], list[dict]]]:
    """Per URL name with arguments: the argument sets to open it with, from the corporation's own objects.

    Each entry returns a list (a page may be walked for more than one object, e.g. a draft and a decided round);
    an empty list means the data has no such object, and the completeness test names the page as not walked.
    """
    from buurtbalans.accountability.models import Objection
    from buurtbalans.allocation.models import AllocationRound, Bid, Listing, Offer
    from buurtbalans.cooperatives.models import Activity as CooperativeActivity
    from buurtbalans.cooperatives.models import Commitment, CooperativeAgreement, HousingCooperative
    from buurtbalans.core.models import Job, Membership
    from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
    from buurtbalans.liveability.models import MeetingPlace, SupportNeed
    from buurtbalans.placements.models import IntakeRecord
    from buurtbalans.portfolio.models import Complex, Dwelling
    from buurtbalans.rules.models import LocalParameterValue, MotivationCap, ParameterValue, PerformanceAgreement
    from buurtbalans.steering.models import LabellingPlan

    own = {"corporation": corporation}

    def pks(queryset, name="pk", limit=1):
        return [{name: pk} for pk in queryset.order_by("pk").values_list("pk", flat=True)[:limit]]

    def marked():
        return Household.objects.filter(**own, pk__in=VulnerabilityMarker.objects.values("household_id"))

    def rounds():
        return list(AllocationRound.objects.filter(**own).order_by("pk"))

    def letters():
        from buurtbalans.allocation.models import BidResult

        found = []
        for allocation_round in rounds():
            result = BidResult.objects.filter(run__allocation_round=allocation_round).order_by("pk").first()
            if result is not None:
                found.append({"pk": allocation_round.pk, "applicant_pk": result.bid.applicant_id})
        return found[:1]

    def cooperatives():
        return pks(HousingCooperative.objects.filter(**own))

    def cooperative_years():
        from buurtbalans.cooperatives.models import YearlyAccount

        account = YearlyAccount.objects.filter(cooperative__corporation=corporation).order_by("pk").first()
        return [{"pk": account.cooperative_id, "year": account.year}] if account else []

    def cooperative_reviews():
        from buurtbalans.cooperatives.models import CommitmentReview

        review = CommitmentReview.objects.filter(
            commitment__agreement__cooperative__corporation=corporation).order_by("pk").first()
        return [{"pk": review.commitment.agreement.cooperative_id, "year": review.period_start.year}] if review else []

    def simulation_studies():
        """A calculated policy study; the demo makes none, so one is built from its data (10 runs) and run."""
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from buurtbalans.core.jobs import job_run
        from buurtbalans.simulation.models import PolicyStudy
        from buurtbalans.simulation.services import policy_study_create, policy_study_run_request

        study = PolicyStudy.objects.filter(**own, result__isnull=False).order_by("pk").first()
        if study is None:
            analyst = get_user_model().objects.get(username="beleid")
            study = policy_study_create(corporation=corporation, actor=analyst, name="Proef",
                                        on=timezone.localdate(), years=3)
            PolicyStudy.objects.filter(pk=study.pk).update(runs=10)
            study = policy_study_run_request(study=PolicyStudy.objects.get(pk=study.pk), actor=analyst)
            job_run(study.job)
        return [{"pk": study.pk}]

    def interventions():
        """An intervention of the register: the ones the product records from the demo's facts, else one entered."""
        from datetime import date

        from buurtbalans.evaluation.models import Intervention
        from buurtbalans.evaluation.services import intervention_record, interventions_record_from_facts

        if not Intervention.objects.filter(**own).exists():
            interventions_record_from_facts(corporation=corporation)
        if not Intervention.objects.filter(**own).exists():
            intervention_record(corporation=corporation, complex_=_first(Complex.objects.filter(**own)),
                                kind="social_management", started_on=date(2024, 3, 1),
                                description="Portiekgesprekken en een buurtconciërge", source="entered",
                                actor_name="beleid")
        return pks(Intervention.objects.filter(**own))

    return {
        "accounts_user_detail": lambda: pks(Membership.objects.filter(**own), "user_id"),
        "complex_detail": lambda: pks(Complex.objects.filter(**own)),
        "neighbourhood_detail": lambda: [{"cbs_code": c} for c in Complex.objects.filter(**own).order_by("pk")
                                         .values_list("neighbourhood__cbs_code", flat=True)[:1] if c],
        "household_detail": lambda: pks(marked()),
        "household_markers": lambda: pks(marked()),
        "marker_kind_detail": lambda: pks(VulnerabilityKind.objects.all()),
        "rules_local_parameter_edit": lambda: pks(LocalParameterValue.objects.filter(**own)),
        "rules_parameter_set": lambda: [{"valid_from": d.isoformat()} for d in ParameterValue.objects.order_by(
            "-valid_from").values_list("valid_from", flat=True)[:1]],
        "rules_agreement_edit": lambda: pks(PerformanceAgreement.objects.filter(**own)),
        "rules_motivation_cap_edit": lambda: pks(MotivationCap.objects.filter(**own)),
        "allocation_round_detail": lambda: [{"pk": r.pk} for r in rounds()],
        "allocation_round_result": lambda: [{"pk": r.pk} for r in rounds() if r.runs.exists()],
        "allocation_letter_list": lambda: [{"pk": r.pk} for r in rounds() if r.runs.exists()],
        "allocation_letter": letters,
        "allocation_offer_accept": lambda: pks(Offer.objects.filter(listing__corporation=corporation)),
        "allocation_offer_decline": lambda: pks(Offer.objects.filter(listing__corporation=corporation)),
        "allocation_listing_detail": lambda: pks(Listing.objects.filter(**own), limit=20),
        "allocation_listing_edit": lambda: pks(Listing.objects.filter(**own, status="open")),
        "allocation_listing_account": lambda: pks(Listing.objects.filter(**own).exclude(status="open"), limit=3),
        "allocation_applicant": lambda: pks(Applicant.objects.filter(**own, pk__in=Bid.objects.values("applicant_id"))),
        "allocation_assess_listing": lambda: pks(Listing.objects.filter(**own, selection="motivation")),
        "allocation_motivation_texts": lambda: pks(Listing.objects.filter(**own, selection="motivation")),
        "public_account": lambda: [{"token": t} for t in Listing.objects.filter(**own).exclude(status="open")
                                   .order_by("pk").values_list("public_token", flat=True)[:3]],
        "steering_vacancy": lambda: pks(Dwelling.objects.filter(**own, status="vacant"), limit=3),
        "steering_profile_edit": lambda: pks(Complex.objects.filter(**own)),
        "steering_plan": lambda: pks(LabellingPlan.objects.filter(**own)),
        "steering_plan_complexes": lambda: pks(LabellingPlan.objects.filter(**own)),
        "placements_place": lambda: pks(Dwelling.objects.filter(**own, status="vacant")),
        "placements_intake": lambda: pks(IntakeRecord.objects.filter(**own)),
        "monitor_complex": lambda: pks(Complex.objects.filter(**own), limit=3),
        "monitor_support_needs": lambda: pks(Complex.objects.filter(
            **own, pk__in=SupportNeed.objects.values("complex_id"))),
        "monitor_buurt": lambda: [{"cbs_code": c} for c in Complex.objects.filter(**own).order_by("pk")
                                  .values_list("neighbourhood__cbs_code", flat=True)[:1] if c],
        "monitor_record_new": lambda: [{"kind": k} for k in ("signal", "support_need", "visit", "activity",
                                                             "meeting_place", "arrears")],
        "monitor_meeting_place_use": lambda: pks(MeetingPlace.objects.filter(**own)),
        "monitor_records_import_result": lambda: pks(Job.objects.filter(**own, kind="social_records_import")),
        "cooperative_detail": cooperatives,
        "cooperative_edit": cooperatives,
        "cooperative_complex_add": cooperatives,
        "cooperative_contact_add": cooperatives,
        "cooperative_document_add": cooperatives,
        "cooperative_agreement_add": cooperatives,
        "cooperative_board_add": cooperatives,
        "cooperative_activities": cooperatives,
        "cooperative_activity_add": cooperatives,
        "cooperative_escalation_add": cooperatives,
        "cooperative_comparison": cooperatives,
        "cooperative_co_optation_add": cooperatives,
        "cooperative_commitment_add": lambda: pks(CooperativeAgreement.objects.filter(
            cooperative__corporation=corporation)),
        "cooperative_commitment_edit": lambda: pks(Commitment.objects.filter(
            agreement__cooperative__corporation=corporation)),
        "cooperative_activity_edit": lambda: pks(CooperativeActivity.objects.filter(
            cooperative__corporation=corporation)),
        "cooperative_account": cooperative_years,
        "cooperative_reviews": cooperative_reviews,
        "accountability_objection": lambda: pks(Objection.objects.filter(**own)),
        "accountability_follow_up_new": lambda: pks(Tenancy.objects.filter(**own, selection_method="motivation")),
        "privacy_household_erase": lambda: pks(marked()),
        "simulation_study": simulation_studies,
        "simulation_study_results": simulation_studies,
        "evaluation_intervention_edit": interventions,
        "job_detail": lambda: [{"pk": pk} for pk in sorted({
            pk for kind in Job.objects.filter(**own).values_list("kind", flat=True).distinct()
            for pk in Job.objects.filter(**own, kind=kind).order_by("pk").values_list("pk", flat=True)[:1]})],
    }


# --- the walk ------------------------------------------------------------------------------------------------------

@dataclass
class WalkResult:
    findings: list[Finding] = field(default_factory=list)
    walked: set[str] = field(default_factory=set)  # URL names that answered a page to this user
    refused: set[str] = field(default_factory=set)  # URL names this user may not open (403/404)
    unfilled: set[str] = field(default_factory=set)  # URL names with arguments but no object to fill them


def walk_pages(client, corporation, who: str, index: EnglishIndex, *, routes=None) -> WalkResult:
    """GET every page of the product as the client's user, in Dutch, and check each answered page.

    A redirect is followed (within the product) and the page it ends on is checked; a download or JSON answer to
    a page URL is left alone.
    """
    from django.urls import reverse

    result = WalkResult()
    args = route_args(corporation)
    for route in routes or all_routes():
        if route.name in SKIPPED:
            continue
        if route.params:
            if route.name not in args:
                continue  # the completeness test names it
            kwargs_list = args[route.name]()
            if not kwargs_list:
                result.unfilled.add(route.name)
                continue
        else:
            kwargs_list = [{}]
        for kwargs in kwargs_list:
            url = reverse(route.name, kwargs=kwargs)
            response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="nl")
            if response.status_code in (403, 404, 405):
                result.refused.add(route.name)
                continue
            assert response.status_code == 200, (who, url, response.status_code)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            result.walked.add(route.name)
            problems = check_page(index, response.content.decode())
            if problems:
                final = response.redirect_chain[-1][0] if response.redirect_chain else url
                result.findings.append(Finding(who, final, problems))
    return result


def report(findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        lines.append(f"{finding.who} {finding.url}:")
        lines += [f"    {problem}" for problem in finding.problems]
    return "\n".join(lines)
