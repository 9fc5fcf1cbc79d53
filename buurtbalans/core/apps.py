from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "buurtbalans.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # Each app's jobs.py registers its JobRunner subclasses.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
