from django.middleware.locale import LocaleMiddleware


class DutchByDefaultLocaleMiddleware(LocaleMiddleware):
    """Dutch for everyone unless they chose English with the switch (session/cookie).

    Django would otherwise follow the browser's Accept-Language, so a colleague with an English browser would get
    English pages without asking; the product's language is Dutch (B1) and English is an explicit choice.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
