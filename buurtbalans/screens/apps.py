from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreensConfig(AppConfig):
    """The screens that combine apps: the overview, the complex page and the buurt pages (issue 12).

    It sits on top of the layers: it may read every app's selectors, and no app imports it. It has no models.
    """

    name = "buurtbalans.screens"
    label = "screens"
    verbose_name = _("Screens")
