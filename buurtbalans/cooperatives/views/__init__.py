"""Cooperative screens: the corporation's registry, reviews and co-optations, and the board's portal.

Views stay thin: selectors decide what the user may see (another corporation's or another cooperative's object
gives 404), services decide what they may change (a missing right gives 403). One module per part of the work:

    registry        the list, a cooperative's page (also the board's portal), its entry and its complexes
    people          contact persons, and the board members who use the portal
    documents       management agreement, demarcation list, co-optation right, ...
    agreements      agreements and their measurable commitments
    activities      the board's activity log
    yearly_account  the board's yearly account (Excel, PDF, its file)
    reviews         the corporation's verdict per commitment and period, and escalation steps
    co_optation     co-optations, and the check of a candidate before a letting
    compare         the cooperative's complexes next to comparable ones
    maps            the cooperatives' complexes on the monitor's map
    common          what they share: page context, the form page, file downloads
"""

from buurtbalans.cooperatives.views.activities import (
    activity_add,
    activity_delete,
    activity_edit,
    activity_file,
    activity_list,
)
from buurtbalans.cooperatives.views.agreements import agreement_add, commitment_add, commitment_edit
from buurtbalans.cooperatives.views.co_optation import co_optation_add
from buurtbalans.cooperatives.views.compare import comparison
from buurtbalans.cooperatives.views.documents import document_add, document_delete, document_file
from buurtbalans.cooperatives.views.maps import cooperative_map
from buurtbalans.cooperatives.views.people import board_add, board_remove, contact_add, contact_delete
from buurtbalans.cooperatives.views.registry import (
    complex_add,
    complex_remove,
    cooperative_detail,
    cooperative_edit,
    cooperative_list,
    cooperative_new,
    cooperative_portal,
)
from buurtbalans.cooperatives.views.reviews import escalation_add, review_year
from buurtbalans.cooperatives.views.yearly_account import account, account_file, account_pdf_view

__all__ = [
    "account",
    "account_file",
    "account_pdf_view",
    "activity_add",
    "activity_delete",
    "activity_edit",
    "activity_file",
    "activity_list",
    "agreement_add",
    "board_add",
    "board_remove",
    "co_optation_add",
    "commitment_add",
    "commitment_edit",
    "comparison",
    "complex_add",
    "complex_remove",
    "contact_add",
    "contact_delete",
    "cooperative_detail",
    "cooperative_edit",
    "cooperative_list",
    "cooperative_map",
    "cooperative_new",
    "cooperative_portal",
    "document_add",
    "document_delete",
    "document_file",
    "escalation_add",
    "review_year",
]
