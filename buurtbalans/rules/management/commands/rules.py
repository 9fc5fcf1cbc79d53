"""`buurtbalans rules show|check`: the legal parameters on a date, or the decisions for one case (JSON)."""

import argparse

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.engine.parameters import builtin_parameter_sets
from buurtbalans.rules.cli import EXIT_OK, add_rules_arguments, run_rules
from buurtbalans.rules.parameters import parameter_sets


class Command(BuurtbalansCommand):
    help = _("Show the legal parameters valid on a date, or check one household and rent against them (JSON).")
    # Reads only the parameter values: no need to wait for the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        add_rules_arguments(parser)

    def handle(self, *args, **options):
        # The parameters in force: the built-in table with the administrators' corrections and additions; without
        # a (migrated) database, the built-in table, and a line on stderr says so (issue 14).
        sets = self.from_database_or_builtin(parameter_sets, builtin_parameter_sets)
        code, text = run_rules(argparse.Namespace(**options), sets)
        if code != EXIT_OK:
            raise CommandError(text.removeprefix("error: "), returncode=code)
        return text
