from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """Legal allocation rules: dated parameters, decisions and yearly compliance (engine in buurtbalans.engine)."""

    name = "buurtbalans.rules"
    label = "rules"
    verbose_name = _("Legal rules")
