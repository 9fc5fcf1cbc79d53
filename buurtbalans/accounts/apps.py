from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "buurtbalans.accounts"
    label = "accounts"
    verbose_name = _("Accounts and login")

    def ready(self):
        from buurtbalans.accounts import signals  # noqa: F401 - connects the login receivers
