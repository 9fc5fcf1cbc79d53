from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render


class DutchByDefaultLocaleMiddleware(LocaleMiddleware):
    """Dutch for everyone unless they chose English with the switch (session/cookie).

    Django would otherwise follow the browser's Accept-Language, so a colleague with an English browser would get
    English pages without asking; the product's language is Dutch (B1) and English is an explicit choice.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class RefuseNulBytesMiddleware:
    """Answer 400 to a request with a NUL byte in its path or query, before any view sees it.

    PostgreSQL text cannot hold NUL, so such a value that reached a lookup (a public key, a filter) ended as a
    database error and HTTP 500. No page of ours has a use for NUL in an address; a probe or a broken link does.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        in_query = any("\x00" in key or any("\x00" in value for value in query.getlist(key)) for key in query)
        if in_query or "\x00" in request.path:
            return render(request, "400.html", status=400)
        return self.get_response(request)
