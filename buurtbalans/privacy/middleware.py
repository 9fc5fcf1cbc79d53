"""No page for a signed-in user is kept by a browser or a proxy.

Every page behind the login shows personal or special-category data, or could (a household, its markers, support
needs, bids, letters, the audit log, exports). `Cache-Control: no-store, private` keeps it out of the browser's
cache and its back/forward history on a shared computer, and out of any shared proxy (ASVS 8.2.1, BIO 13.2). One
rule for all of them, so a new page cannot forget it; pages for anonymous visitors (the login page, a listing's
public account) keep whatever they set themselves.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class PrivatePagesNotStoredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # max-age=0, no-cache, no-store, must-revalidate, private (and Expires now): Django's own helper.
            add_never_cache_headers(response)
        return response
