"""Test data for cooperatives: a cooperative with every kind of row, built straight into the database.

Used by the cooperatives tests and by the charlie walk in core/tests/test_access_views.py. Every text carries the
`marker` so a test can tell whether any of it leaked onto a page or into an export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from buurtbalans.cooperatives.models import (
    Activity,
    Arrangement,
    Commitment,
    CommitmentReview,
    CooperativeAgreement,
    CooperativeBoardMember,
    CooperativeComplex,
    CooperativeContact,
    CooperativeDocument,
    CoOptation,
    DocumentKind,
    Escalation,
    HousingCooperative,
    YearlyAccount,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%test\n"


@dataclass
class CooperativeWorld:
    cooperative: HousingCooperative
    link: CooperativeComplex
    contact: CooperativeContact
    document: CooperativeDocument
    agreement: CooperativeAgreement
    commitment: Commitment
    weekly: Commitment
    activity: Activity
    review: CommitmentReview
    escalation: Escalation
    account: YearlyAccount
    board_link: CooperativeBoardMember | None
    co_optation: CoOptation | None


def _write(marker: str, suffix: str, content: bytes, really: bool = True) -> tuple[str, str]:
    if not really:
        return "", ""
    directory = Path(settings.VAR_DIR) / "cooperatives" / "test"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{marker}{suffix}"
    path.write_bytes(content)
    return str(path.relative_to(Path(settings.VAR_DIR))), f"{marker}{suffix}"


def make_cooperative(
    corporation,
    complex_,
    *,
    marker: str,
    kvk: str,
    board_user=None,
    tenancy=None,
    year: int = 2025,
    with_files: bool = True,
) -> CooperativeWorld:
    """A cooperative holding `complex_` with a contact, a document (with file), an agreement with two commitments,
    an activity with a photo, a review, an escalation, a submitted account and (with `tenancy`) a co-optation."""
    cooperative = HousingCooperative.objects.create(
        corporation=corporation, name=f"Cooperative {marker}", kvk_number=kvk, founded_on=date(2019, 5, 1),
        members=12, households=10, note=f"note {marker}",
    )
    link = CooperativeComplex.objects.create(
        cooperative=cooperative, complex=complex_, arrangement=Arrangement.MANAGED, valid_from=date(2020, 1, 1)
    )
    contact = CooperativeContact.objects.create(
        cooperative=cooperative, name=f"Chair {marker}", role="chair", email=f"{marker}@example.org"
    )
    path, name = _write(f"document-{marker}", ".pdf", PDF, with_files)
    document = CooperativeDocument.objects.create(
        cooperative=cooperative, kind=DocumentKind.CO_OPTATION_RIGHT, title=f"Co-optation right {marker}",
        valid_from=date(2020, 1, 1), uploaded_by_name="test", file_path=path, file_name=name, file_size=len(PDF),
    )
    agreement = CooperativeAgreement.objects.create(
        cooperative=cooperative, title=f"Agreement {marker}", valid_from=date(2020, 1, 1), document=document
    )
    commitment = Commitment.objects.create(
        agreement=agreement, theme="language_learning", description=f"Language cafe {marker}",
        target_kind="activities", target_per_year=10, valid_from=date(2020, 1, 1), review_rhythm="yearly",
    )
    weekly = Commitment.objects.create(
        agreement=agreement, theme="sharing_giveaway", description=f"Give-away shop {marker}",
        target_kind="open_weeks", target_per_year=40, valid_from=date(2020, 1, 1), review_rhythm="quarterly",
    )
    path, name = _write(f"photo-{marker}", ".png", PNG, with_files)
    activity = Activity.objects.create(
        cooperative=cooperative, commitment=commitment, day=date(year, 3, 14), description=f"Evening {marker}",
        participants=9, buurt_participants=4, recorded_by_name="test", file_path=path, file_name=name,
        file_size=len(PNG),
    )
    review = CommitmentReview.objects.create(
        commitment=weekly, period=f"{year}-Q1", period_start=date(year, 1, 1), period_end=date(year, 3, 31),
        verdict="partly", target=10, realised=6, notes=f"review-note {marker}", follow_up=f"follow {marker}",
        reviewed_by_name="test",
    )
    escalation = Escalation.objects.create(
        cooperative=cooperative, commitment=weekly, step=1, decided_on=date(year, 4, 10),
        notes=f"escalation-note {marker}", recorded_by_name="test",
    )
    path, name = _write(f"account-{marker}", ".pdf", PDF, with_files)
    account = YearlyAccount.objects.create(
        cooperative=cooperative, year=year - 1, status=YearlyAccount.Status.SUBMITTED,
        summary=f"account-summary {marker}", members_at_year_end=11, households_at_year_end=10,
        submitted=datetime(year, 2, 1, 12, tzinfo=UTC), submitted_by_name="test", file_path=path, file_name=name,
        file_size=len(PDF),
    )
    board_link = None
    if board_user is not None:
        board_link = CooperativeBoardMember.objects.create(user=board_user, cooperative=cooperative)
    co_optation = None
    if tenancy is not None:
        tenancy.selection_method = "co_optation"
        tenancy.save(update_fields=["selection_method"])
        co_optation = CoOptation.objects.create(
            cooperative=cooperative, tenancy=tenancy, decided_on=tenancy.start_date, note=f"co-opt {marker}",
            checks={"passes": True, "parameter_version": "test", "affordability": None, "daeb": None},
            passes=True, recorded_by_name="test",
        )
    return CooperativeWorld(cooperative, link, contact, document, agreement, commitment, weekly, activity, review,
                            escalation, account, board_link, co_optation)


def second_complex(stock, prefix: str):
    """A second complex with two dwellings in the stock's buurt (for a second cooperative)."""
    from buurtbalans.portfolio.models import Complex, Dwelling

    complex_ = Complex.objects.create(
        corporation=stock.corporation, external_id=f"{prefix}-C2", name=f"Complex {prefix}2",
        neighbourhood=stock.neighbourhood,
    )
    for number in (1, 2):
        Dwelling.objects.create(
            corporation=stock.corporation, complex=complex_, external_id=f"{prefix}-E{number}",
            street=f"{prefix}laan", house_number=number, postcode="8011AB", city="Zwolle", dwelling_type="apartment",
            base_rent=Decimal("600.00"), is_daeb=True,
        )
    return complex_


def urls_of_coop(world, year: int = 2025) -> list[tuple[str, str, dict]]:
    """(method, url, data) for every view, export and file of one cooperative."""
    c = world.cooperative.pk
    urls = [
        ("get", reverse("cooperative_detail", args=[c]), {}),
        ("get", reverse("cooperative_detail", args=[c]), {"year": str(year)}),
        ("get", reverse("cooperative_edit", args=[c]), {}),
        ("post", reverse("cooperative_edit", args=[c]), {"name": "hijacked", "cooperative_type": "management",
                                                         "kvk_number": "99999999", "founded_on": "2020-01-01",
                                                         "members": "1", "households": "1"}),
        ("get", reverse("cooperative_complex_add", args=[c]), {}),
        ("post", reverse("cooperative_complex_add", args=[c]), {"complex_code": "B-C1", "arrangement": "managed",
                                                                "valid_from": "2024-01-01"}),
        ("post", reverse("cooperative_complex_remove", args=[world.link.pk]), {}),
        ("get", reverse("cooperative_contact_add", args=[c]), {}),
        ("post", reverse("cooperative_contact_add", args=[c]), {"name": "x", "role": "chair"}),
        ("post", reverse("cooperative_contact_delete", args=[world.contact.pk]), {}),
        ("get", reverse("cooperative_document_add", args=[c]), {}),
        ("post", reverse("cooperative_document_add", args=[c]), {"kind": "other", "title": "x",
                                                                 "valid_from": "2024-01-01"}),
        ("get", reverse("cooperative_document_file", args=[world.document.pk]), {}),
        ("post", reverse("cooperative_document_delete", args=[world.document.pk]), {}),
        ("get", reverse("cooperative_agreement_add", args=[c]), {}),
        ("post", reverse("cooperative_agreement_add", args=[c]), {"title": "x", "valid_from": "2024-01-01"}),
        ("get", reverse("cooperative_commitment_add", args=[world.agreement.pk]), {}),
        ("post", reverse("cooperative_commitment_add", args=[world.agreement.pk]), {
            "theme": "food", "description": "x", "target_kind": "activities", "target_per_year": "5",
            "valid_from": "2024-01-01", "review_rhythm": "yearly"}),
        ("get", reverse("cooperative_commitment_edit", args=[world.commitment.pk]), {}),
        ("post", reverse("cooperative_commitment_edit", args=[world.commitment.pk]), {
            "theme": "food", "description": "x", "target_kind": "activities", "target_per_year": "5",
            "valid_from": "2024-01-01", "review_rhythm": "yearly"}),
        ("get", reverse("cooperative_board_add", args=[c]), {}),
        ("post", reverse("cooperative_board_add", args=[c]), {"username": "bram"}),
        ("get", reverse("cooperative_activities", args=[c]), {}),
        ("get", reverse("cooperative_activities", args=[c]), {"year": str(year)}),
        ("get", reverse("cooperative_activity_add", args=[c]), {}),
        ("post", reverse("cooperative_activity_add", args=[c]), {
            "commitment": str(world.commitment.pk), "day": f"{year}-05-01", "description": "x", "participants": "1",
            "buurt_participants": "0"}),
        ("get", reverse("cooperative_activity_edit", args=[world.activity.pk]), {}),
        ("post", reverse("cooperative_activity_edit", args=[world.activity.pk]), {
            "commitment": str(world.commitment.pk), "day": f"{year}-05-01", "description": "x", "participants": "1",
            "buurt_participants": "0"}),
        ("post", reverse("cooperative_activity_delete", args=[world.activity.pk]), {}),
        ("get", reverse("cooperative_activity_file", args=[world.activity.pk]), {}),
        ("get", reverse("cooperative_account", args=[c, year]), {}),
        ("post", reverse("cooperative_account", args=[c, year]), {"summary": "x", "submit": "1"}),
        ("get", reverse("cooperative_account", args=[c, year - 1]), {}),
        ("get", reverse("cooperative_account_pdf", args=[c, year]), {}),
        ("get", reverse("cooperative_account_pdf", args=[c, year - 1]), {}),
        ("get", reverse("cooperative_account_file", args=[c, year - 1]), {}),
        ("get", reverse("cooperative_reviews", args=[c, year]), {}),
        ("post", reverse("cooperative_reviews", args=[c, year]), {
            "commitment": str(world.commitment.pk), "period": str(year), "verdict": "not_met"}),
        ("get", reverse("cooperative_escalation_add", args=[c]), {}),
        ("post", reverse("cooperative_escalation_add", args=[c]), {"step": "5", "decided_on": "2025-06-01",
                                                                   "notes": "x"}),
        ("get", reverse("cooperative_comparison", args=[c]), {}),
        ("get", reverse("cooperative_map"), {"municipality": "GM0193"}),
        ("get", reverse("cooperative_co_optation_add", args=[c]), {}),
        ("get", reverse("cooperative_co_optation_add", args=[c]), {
            "dwelling_code": "A-D1", "letting_date": "2025-01-01", "household_size": "1", "assessed_income": "20000"}),
        ("post", reverse("cooperative_co_optation_add", args=[c]), {"contract_code": "A-T2",
                                                                    "decided_on": "2019-12-01"}),
    ]
    if world.board_link is not None:
        urls.append(("post", reverse("cooperative_board_remove", args=[world.board_link.pk]), {}))
    exports = [
        (reverse("cooperative_list"), {}),
        (reverse("cooperative_activities", args=[c]), {"year": str(year)}),
        (reverse("cooperative_account", args=[c, year]), {}),
        (reverse("cooperative_account", args=[c, year - 1]), {}),
        (reverse("cooperative_comparison", args=[c]), {}),
        (reverse("cooperative_map"), {"municipality": "GM0193"}),
    ]
    for table in ("commitments", "complexes", "contacts", "documents", "reviews", "escalations"):
        exports.append((reverse("cooperative_detail", args=[c]), {"table": table, "year": str(year)}))
    for url, data in exports:
        for export_format in ("csv", "xlsx"):
            urls.append(("get", url, {**data, "format": export_format}))
    return urls


# --- for the charlie walk in core/tests/test_access_views.py ----------------------------------------------------

COOPERATIVE_MARKERS = ("Cooperative coop-a", "12121212", "Chair coop-a", "Language cafe coop-a", "Evening coop-a",
                       "review-note coop-a", "account-summary coop-a", "escalation-note coop-a")


def make_cooperative_objects(stock) -> CooperativeWorld:
    """A cooperative of the stock's corporation holding its complex (no files: those are tested in the app)."""
    return make_cooperative(stock.corporation, stock.complex, marker="coop-a", kvk="12121212", with_files=False)


def cooperative_urls_of(world) -> list[tuple[str, str, dict]]:
    return urls_of_coop(world)
