from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    """Intake conversations, contingents per half year, placements of vulnerable households, temporary contracts."""

    name = "buurtbalans.placements"
    label = "placements"
    verbose_name = _("Placements")
