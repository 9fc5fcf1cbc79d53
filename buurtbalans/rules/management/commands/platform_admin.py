"""`buurtbalans platform_admin grant|revoke|list [USERNAME]`: who may change the shared legal parameters.

The role PLATFORM_ADMIN acts for every corporation in the installation, so no corporation's screen grants it:
only someone with access to the server does, with this command (audited as MEMBERSHIP_CHANGED).
"""

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core.audit import actor_label
from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.rules.services import PlatformAdminError, platform_admin_list, platform_admin_set

EXIT_BAD_INPUT = 2


class Command(BuurtbalansCommand):
    help = gettext_lazy(
        "Grant or revoke the role platform administrator (changes the legal parameters of every corporation), "
        "or list who has it."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["grant", "revoke", "list"])
        parser.add_argument("username", nargs="?", help="the user (for grant and revoke)")
        parser.add_argument("--corporation", metavar="CODE",
                            help="for a user without a corporation: the corporation to add them to")
        parser.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")

    def handle(self, *args, **options):
        action, username = options["action"], options["username"]
        if action == "list":
            for name, corporation in platform_admin_list():
                self.stdout.write(f"{name}\t{corporation}")
            return
        if not username:
            raise CommandError(_("give the username: platform_admin %(action)s USERNAME") % {"action": action},
                               returncode=EXIT_BAD_INPUT)
        try:
            with transaction.atomic():
                old, new = platform_admin_set(
                    username=username, grant=action == "grant", corporation_code=options["corporation"],
                    actor_name=actor_label(None),
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except PlatformAdminError as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from exc
        if old == new:
            message = (_("%(user)s is already a platform administrator: nothing changed") if action == "grant"
                       else _("%(user)s is not a platform administrator: nothing changed"))
        else:
            message = (_("%(user)s is now a platform administrator") if action == "grant"
                       else _("%(user)s is no longer a platform administrator"))
        if options["dry_run"]:
            message += " " + _("(dry run: nothing saved)")
        self.stdout.write(message % {"user": username})
