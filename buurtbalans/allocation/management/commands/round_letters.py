"""`buurtbalans round_letters [--corporation CODE] [--round ID] [--output PATH]`: what became of every bid.

Prints (or writes) the machine-readable letters of a corporation's rounds, format `buurtbalans.round-letters/1`
(`allocation/letterfile.py`): all rounds when `--round` is left out; the corporation may be left out when there
is only one. The document holds applicants' registration numbers and outcomes, so writing it is logged as an
export of personal data.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.allocation.letterfile import round_letters_document
from buurtbalans.allocation.models import AllocationRound
from buurtbalans.core.exports import personal_data_export_record
from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.core.models import HousingCorporation
from buurtbalans.households.models import Applicant

EXIT_BAD_INPUT = 2

HELP = gettext_lazy(
    "Write what became of every bid of a corporation's allocation rounds as JSON (buurtbalans.round-letters/1): "
    "the homes, the offers and one letter per applicant."
)


def _corporation(code: str | None) -> HousingCorporation:
    if code:
        corporation = HousingCorporation.objects.filter(code=code).first()
        if corporation is None:
            known = ", ".join(HousingCorporation.objects.order_by("code").values_list("code", flat=True)) or "-"
            raise CommandError(_("unknown corporation code %(code)s (known: %(known)s)")
                               % {"code": repr(code), "known": known}, returncode=EXIT_BAD_INPUT)
        return corporation
    corporations = list(HousingCorporation.objects.order_by("code")[:21])
    if len(corporations) == 1:
        return corporations[0]
    if not corporations:
        raise CommandError(_("there is no corporation in the database yet"), returncode=EXIT_BAD_INPUT)
    raise CommandError(_("there is more than one corporation: choose one with --corporation (%(known)s)")
                       % {"known": ", ".join(c.code for c in corporations[:20])}, returncode=EXIT_BAD_INPUT)


class Command(BuurtbalansCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument("--corporation", help=_("the corporation's code (may be left out when there is one)"))
        parser.add_argument("--round", type=int, dest="round_id",
                            help=_("the number of one round (see the round's page); default: every round"))
        parser.add_argument("--output", "-o", default="-",
                            help=_("where to write the JSON; default: standard output"))
        parser.add_argument("--indent", type=int, default=None, help=_("pretty-print with this indent"))

    def handle(self, *args, corporation=None, round_id=None, output="-", indent=None, **options):
        corporation_ = _corporation(corporation)
        rounds = AllocationRound.objects.filter(corporation=corporation_).order_by("reference_date", "pk")
        if round_id is not None:
            rounds = rounds.filter(pk=round_id)
            if not rounds.exists():
                raise CommandError(_("round %(id)s is not a round of %(code)s")
                                   % {"id": round_id, "code": corporation_.code}, returncode=EXIT_BAD_INPUT)
        document = round_letters_document(rounds)
        text = json.dumps(document, ensure_ascii=False, indent=indent)
        if output == "-":
            self.stdout.write(text)
        else:
            path = Path(output)
            if not path.parent.is_dir():
                raise CommandError(_("folder %(path)s does not exist") % {"path": path.parent},
                                   returncode=EXIT_BAD_INPUT)
            path.write_text(text + "\n", encoding="utf-8")
        applicants = sorted({letter["applicant"] for entry in document["rounds"] for letter in entry["letters"]})
        # The audit log names households, as every other read of allocation data does.
        households = Applicant.objects.filter(corporation=corporation_, external_id__in=applicants).values_list(
            "household__external_id", flat=True)
        if applicants:
            personal_data_export_record(
                actor=None, corporation=corporation_, subject_type="applicant", subject_ids=sorted(set(households)),
                what=f"round letters of {len(document['rounds'])} round(s)", export_format="json",
                purpose="allocation", rows=len(applicants),
            )
        summary = _("%(rounds)d round(s), %(letters)d letter(s)") % {
            "rounds": len(document["rounds"]), "letters": len(applicants)}
        (self.stderr if output == "-" else self.stdout).write(summary)
