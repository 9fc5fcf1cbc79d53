from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo corporations: generators (pure Python + numpy), their writers and the commands that seed them
    (`seed_demo`, `seed_social_demo`). At the top of the layers, above every domain app; no models."""

    name = "buurtbalans.demo"
    label = "demo"
    verbose_name = "Demo"
