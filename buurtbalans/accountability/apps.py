from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    """Accountability for lettings outside the waiting-list order (issue 13 item 4): the objection register and the
    voluntary follow-up of tenants chosen on motivation. The public account's marks live with the public account
    (allocation.public_views)."""

    name = "buurtbalans.accountability"
    label = "accountability"
    verbose_name = _("Accountability")
