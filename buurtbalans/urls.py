from django.urls import include, path

from buurtbalans.allocation.public_views import public_account
from buurtbalans.households.urls import marker_kind_urlpatterns

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Login (password, then a code), passwords, two-step verification, the administrator's users. No /admin/:
    # nothing in the product needs Django's admin site (issue 11).
    path("", include("buurtbalans.accounts.urls")),
    # The screens that combine apps: the overview, the complex page and the buurt pages.
    path("", include("buurtbalans.screens.urls")),
    path("stock/", include("buurtbalans.portfolio.urls")),
    path("households/", include("buurtbalans.households.urls")),
    path("settings/marker-kinds/", include(marker_kind_urlpatterns)),
    path("rules/", include("buurtbalans.rules.urls")),
    path("allocation/", include("buurtbalans.allocation.urls")),
    # The public account of a listing, without a login (a random key per listing).
    path("verantwoording/<str:token>/", public_account, name="public_account"),
    path("steering/", include("buurtbalans.steering.urls")),
    path("placements/", include("buurtbalans.placements.urls")),
    path("monitor/", include("buurtbalans.liveability.urls")),
    path("history/", include("buurtbalans.history.urls")),  # sold dwellings and means to steer (issue 16)
    path("cooperatives/", include("buurtbalans.cooperatives.urls")),
    path("simulation/", include("buurtbalans.simulation.urls")),
    path("evaluation/", include("buurtbalans.evaluation.urls")),
    path("accountability/", include("buurtbalans.accountability.urls")),
    path("privacy/", include("buurtbalans.privacy.urls")),
    # The REST API /api/v1/ (its own token login, no session) and the token screens /api/tokens/ (issue 17).
    path("api/", include("buurtbalans.api.urls")),
    path("", include("buurtbalans.core.urls")),
]
