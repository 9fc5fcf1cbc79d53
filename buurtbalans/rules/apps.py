from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """Legal allocation rules: dated parameters, decisions and yearly compliance (engine in buurtbalans.engine)."""

    name = "buurtbalans.rules"
    label = "rules"
    verbose_name = _("Legal rules")

    def ready(self):
        # Connects the request signals that scope the parameter cache's freshness check to one request.
        from buurtbalans.rules import parameters  # noqa: F401
