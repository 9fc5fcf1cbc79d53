"""The public account of a listing (verantwoording), for anyone, without a login, as the regional platforms
publish it: reached by the random link of the listing, it shows counts, the selection, and the place and
registration year of the one who got (or was offered) the home; nothing that identifies a person."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from buurtbalans.allocation import selectors
from buurtbalans.allocation.views import account_columns
from buurtbalans.core.exports import export_response, requested_format


@login_not_required
@require_GET
def public_account(request, token: str):
    account, corporation_name = selectors.public_listing_account(token)
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name=f"verantwoording-{account.address}",
                               columns=account_columns(), rows=[account])
    return render(request, "allocation/public_account.html",
                  {"account": account, "account_list": [account], "corporation_name": corporation_name})
