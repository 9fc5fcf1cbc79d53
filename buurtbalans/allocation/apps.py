from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    """Listings, bids, allocation rounds and offers (engine in buurtbalans.engine.allocation)."""

    name = "buurtbalans.allocation"
    label = "allocation"
    verbose_name = _("Allocation")
