from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperativesConfig(AppConfig):
    """Housing cooperatives (wooncoöperaties): registry, agreements, the board's activity log and reviews."""

    name = "buurtbalans.cooperatives"
    label = "cooperatives"
    verbose_name = _("Housing cooperatives")
