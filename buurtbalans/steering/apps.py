from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    """Steering the mix: complex profiles, concentration, labelling plans (engine in buurtbalans.engine.labelling)."""

    name = "buurtbalans.steering"
    label = "steering"
    verbose_name = _("Steering the mix")
