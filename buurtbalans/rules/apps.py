from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """Legal allocation rules: dated parameters, decisions and yearly compliance (engine in buurtbalans.engine)."""

    name = "buurtbalans.rules"
    label = "rules"
    verbose_name = _("Legal rules")

    def ready(self):
        # Importing parameters connects the request signals that scope the parameter cache's freshness check to one
        # request; registering its lookup lets the apps below rules (households, portfolio) use the same one.
        from buurtbalans.core.legal_parameters import lookup_register
        from buurtbalans.rules import parameters

        lookup_register(parameters.parameters_for)
