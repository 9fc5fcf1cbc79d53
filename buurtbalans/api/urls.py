"""/api/v1/ (django-ninja) and the token screens under /api/tokens/.

The API's URL patterns are given without names: the product's page walks (tests/dutch_walk.py) open every named
URL as a signed-in user and expect a Dutch HTML page; an API operation is no page. Nothing reverses them: a `next`
link is built from the request, and the docs page links the schema relatively.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from buurtbalans.api import views
from buurtbalans.api.http import api_view, not_found
from buurtbalans.api.main import api


def _unnamed(patterns):
    result = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            result.append(URLResolver(pattern.pattern, _unnamed(pattern.url_patterns)))
        else:
            result.append(URLPattern(pattern.pattern, api_view(pattern.callback), pattern.default_args))
    return result


v1_patterns = [*_unnamed(api.urls[0]), re_path(r"^(?P<rest>.*)$", not_found)]

urlpatterns = [
    path("v1/", (v1_patterns, "api-v1", "api-v1")),
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/new/", views.token_new, name="api_token_new"),
    path("tokens/new-service/", views.service_token_new, name="api_service_token_new"),
]
