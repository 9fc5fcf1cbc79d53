"""`buurtbalans compliance --year Y --lettings FILE.csv`: passendheidsnorm and DAEB allocation per municipality."""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from buurtbalans.rules.cli import EXIT_OK, add_compliance_arguments, run_compliance


class Command(BaseCommand):
    help = _("Yearly compliance with passend toewijzen and the DAEB allocation rule, per municipality (JSON).")
    requires_system_checks = []

    def add_arguments(self, parser):
        add_compliance_arguments(parser)

    def handle(self, *args, **options):
        # TODO: without --lettings, read the lettings from the database (tenancies started in the year) once
        # the rules app is registered and a selector for lettings exists; run_compliance refuses it until then.
        code, text = run_compliance(argparse.Namespace(**options))
        if code != EXIT_OK:
            raise CommandError(text.removeprefix("error: "), returncode=code)
        return text
