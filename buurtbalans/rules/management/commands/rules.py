"""`buurtbalans rules show|check`: the legal parameters on a date, or the decisions for one case (JSON)."""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from buurtbalans.rules.cli import EXIT_OK, add_rules_arguments, run_rules


class Command(BaseCommand):
    help = _("Show the legal parameters valid on a date, or check one household and rent against them (JSON).")
    # Pure lookups: no database, so no system checks to wait for.
    requires_system_checks = []

    def add_arguments(self, parser):
        add_rules_arguments(parser)

    def handle(self, *args, **options):
        code, text = run_rules(argparse.Namespace(**options))
        if code != EXIT_OK:
            raise CommandError(text.removeprefix("error: "), returncode=code)
        return text
