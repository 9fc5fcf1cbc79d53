"""The public account of a listing (verantwoording), for anyone, without a login, as the regional platforms
publish it: reached by the random link of the listing, it shows counts, the selection, and the place and
registration year of the one who got (or was offered) the home; nothing that identifies a person.

A home not let in waiting-list order is marked (issue 13 item 4): a listing that selects on motivation is an
"afwijkende toewijzing – leefbaarheid", a listing of the placement route (the labelling plan's
RESERVED_VULNERABLE) a "bijzondere toewijzing", each with one line in plain Dutch and the criteria the listing
published. The mark follows the listing's route, so it is there from publication until the letting
(docs/accountability.md).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from buurtbalans.allocation import selectors
from buurtbalans.allocation.marks import public_marks
from buurtbalans.allocation.models import Listing
from buurtbalans.allocation.views import account_columns
from buurtbalans.core.exports import Column, export_response, requested_format


def published_criteria(listing: Listing) -> list[str]:
    """The selection criteria the listing published (texts), without empty ones."""
    return [str(text).strip() for text in (listing.criteria or []) if str(text).strip()]


def public_columns() -> list[Column]:
    """The public account's download: the account's columns, the marks and the published criteria."""
    return [
        *account_columns(),
        Column(gettext_lazy("Kind of allocation"), lambda a: "; ".join(str(m.title) for m in public_marks(a.listing))),
        Column(gettext_lazy("Published criteria"), lambda a: "; ".join(published_criteria(a.listing))),
    ]


@login_not_required
@require_GET
def public_account(request, token: str):
    account, corporation_name = selectors.public_listing_account(token)
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name=f"verantwoording-{account.address}",
                               columns=public_columns(), rows=[account])
    return render(request, "allocation/public_account.html",
                  {"account": account, "account_list": [account], "corporation_name": corporation_name,
                   "marks": public_marks(account.listing), "criteria": published_criteria(account.listing)})
