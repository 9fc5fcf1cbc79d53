"""`buurtbalans seed_demo`: generate the demo corporation "Voorbeeld Wonen" and a login per role."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.core.models import Role
from buurtbalans.demo.parameters import demo_parameters_seed
from buurtbalans.demo.writer import DEFAULT_DWELLINGS, DEFAULT_SEED, DemoSeedError, demo_seed


class Command(BaseCommand):
    help = (
        "Generate the demo corporation Voorbeeld Wonen (stock, households, five years of lettings, waiting list) "
        "in a synthetic town or, with --open-data, in a real municipality's buurten; plus a login per role. "
        "Running it again changes nothing; --reset rebuilds it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dwellings", type=int, default=DEFAULT_DWELLINGS,
                            help="size of the demo corporation (default %(default)s)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="random seed: the same seed and reference date give the same data")
        parser.add_argument("--open-data", metavar="DIR",
                            help="place the demo in a real municipality: import the open data in DIR first")
        parser.add_argument("--municipality", default="GM0193",
                            help="with --open-data: the municipality to use (default %(default)s, Zwolle)")
        parser.add_argument("--reference-date", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="the date the demo data runs up to (default today)")
        parser.add_argument("--reset", action="store_true", help="delete the demo corporations' data and rebuild")
        parser.add_argument("--dry-run", action="store_true", help="generate and write, then roll everything back")

    def handle(self, *args, **options):
        if options["dwellings"] < 1:
            raise CommandError(_("--dwellings must be at least 1"))
        open_data = options["open_data"]
        if open_data and not Path(open_data).is_dir():
            raise CommandError(_("--open-data %(dir)s is not a folder") % {"dir": open_data})
        reference_date = options["reference_date"] or timezone.localdate()
        # First, so the generated lettings, plans and rounds find every legal parameter (demo values, marked).
        demo_parameters_seed(reference_date=reference_date, dry_run=options["dry_run"], progress=self.stdout.write)
        try:
            result = demo_seed(
                reference_date=reference_date,
                dwellings=options["dwellings"],
                seed=options["seed"],
                open_data_dir=Path(open_data) if open_data else None,
                municipality_code=options["municipality"],
                reset=options["reset"],
                dry_run=options["dry_run"],
                progress=self.stdout.write,
            )
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc

        if not result.skipped:
            demo = next(iter(result.counts.values()))
            self.stdout.write(self.style.SUCCESS(
                _("Demo ready in %(seconds).1f s: %(dwellings)d dwellings, %(households)d households, "
                  "%(applicants)d applicants in %(places)s (seed %(seed)d, reference date %(date)s).")
                % {"seconds": result.seconds, "dwellings": demo["dwellings"], "households": demo["households"],
                   "applicants": demo["applicants"], "places": result.places, "seed": options["seed"],
                   "date": reference_date.isoformat()}
            ))
        self._print_logins(result.logins)

    def _print_logins(self, logins) -> None:
        rows = [(_("role"), _("username"), _("password"), _("corporation"))]
        for login in logins:
            role = ", ".join(str(Role(r).label) for r in login.roles)
            rows.append((role, login.username, login.password or login.note, login.corporation))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(_("Demo logins:"))
        for number, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self._print_two_step_note(logins)

    def _print_two_step_note(self, logins) -> None:
        # Imported here: the accounts app decides who needs two-step verification, from the role table.
        from buurtbalans.accounts.mfa import role_requires_mfa

        names = [login.username for login in logins if role_requires_mfa(login.roles)]
        if names and settings.MFA_REQUIRED:
            self.stdout.write("")
            self.stdout.write(
                _("%(names)s set up two-step verification at their first login: an authenticator app on a phone "
                  "(e.g. FreeOTP or Google Authenticator) scans the QR code shown.") % {"names": ", ".join(names)}
            )
