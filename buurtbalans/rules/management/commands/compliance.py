"""`buurtbalans compliance --year Y --corporation CODE | --lettings FILE.csv`: passendheidsnorm and DAEB allocation
per municipality and in total (JSON)."""

import argparse
import json

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.core.models import HousingCorporation
from buurtbalans.engine.parameters import builtin_parameter_sets
from buurtbalans.rules.cli import EXIT_BAD_INPUT, EXIT_OK, add_compliance_arguments, run_compliance
from buurtbalans.rules.compliance import agreements_for_year, compliance_for_corporation, outcome_json
from buurtbalans.rules.parameters import parameter_sets


class Command(BuurtbalansCommand):
    help = _("Yearly compliance with passend toewijzen and the DAEB allocation rule, per municipality (JSON).")
    requires_system_checks = []

    def add_arguments(self, parser):
        add_compliance_arguments(parser)

    def handle(self, *args, **options):
        corporation = None
        if options["corporation"]:
            corporation = HousingCorporation.objects.filter(code=options["corporation"]).first()
            if corporation is None:
                raise CommandError(f"unknown corporation {options['corporation']!r}", returncode=EXIT_BAD_INPUT)
        # With a lettings file and no corporation this is a file command: without a (migrated) database it uses the
        # built-in parameter table, and a line on stderr says so (issue 14).
        if corporation:
            sets = parameter_sets()
        else:
            sets = self.from_database_or_builtin(parameter_sets, builtin_parameter_sets)
        if options["lettings"] is None and corporation is not None:
            try:
                outcome = compliance_for_corporation(
                    corporation,
                    options["year"],
                    options["municipality"],
                    sets=sets,
                    extra_agreements=frozenset(options["performance_agreement"]),
                )
            except LookupError as exc:
                raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from exc
            return json.dumps(outcome_json(outcome), indent=2, ensure_ascii=False)
        agreements = frozenset(agreements_for_year(corporation, options["year"])) if corporation else frozenset()
        code, text = run_compliance(argparse.Namespace(**options), sets=sets, performance_agreements=agreements)
        if code != EXIT_OK:
            raise CommandError(text.removeprefix("error: "), returncode=code)
        return text
