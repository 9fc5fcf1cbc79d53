"""The NinjaAPI object of /api/v1/: its routers, docs page and error handlers (see the package docstring)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import get_script_prefix
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from buurtbalans.api.errors import install_error_handlers


class OfflineSwagger(DocsBase):
    """Swagger UI from django-ninja's own static files (no CDN: the CSP allows scripts from 'self' only).

    The template is ours (templates/api/docs.html) so that it links the schema by a path relative to the page:
    the API's URLs carry no names (see urls.py).
    """

    def render_page(self, request, api, **kwargs):
        return render(request, "api/docs.html", {"api": api})


class BuurtbalansAPI(NinjaAPI):
    def get_root_path(self, path_params):
        # The schema's paths start here; ninja would reverse a URL name, and ours have none (see urls.py).
        return get_script_prefix() + ROOT


ROOT = "api/v1/"

api = BuurtbalansAPI(
    title="Buurtbalans API",
    version="1",
    description=(
        "The REST API of Buurtbalans for a corporation's own systems (ERP, regional allocation platform, BI). "
        "Authenticate with `Authorization: Bearer <token>` (make a token under API tokens in Buurtbalans). "
        "Every error has the body `{\"detail\": str, \"errors\": [{\"loc\": [...], \"msg\": str}]}`. "
        "See docs/api.md for pagination, ETags, idempotency keys, rate limits and the X-Purpose header."
    ),
    urls_namespace="api-v1",
    docs=OfflineSwagger(),
)
install_error_handlers(api)


def _register() -> None:
    from buurtbalans.api.resources import households, jobs, portfolio

    api.add_router("/", portfolio.router, tags=["stock"])
    api.add_router("/", households.router, tags=["households"])
    api.add_router("/", jobs.router, tags=["jobs"])

    from buurtbalans.api.resources import allocation, rules

    api.add_router("/", allocation.router, tags=["allocation"])
    api.add_router("/", rules.router, tags=["compliance"])

    from buurtbalans.api.resources import cooperatives, monitor, steering

    api.add_router("/", steering.router, tags=["steering"])
    api.add_router("/", monitor.router, tags=["monitor"])
    api.add_router("/", cooperatives.router, tags=["cooperatives"])


_register()
