"""The base class of our management commands."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """A management command whose `help` may be a lazy translation.

    argparse formats the description with `re`, which needs a real string; the lazy string is resolved when the
    parser is made, so it follows the language active then.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
