"""The `buurtbalans` console script: Django's management utility with our settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbalans.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A setting from the environment is missing or wrong: say which, not where in Django it was read.
        print(f"buurtbalans: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    except OperationalError as exc:
        # Most often the database is not running or DATABASE_URL points at the wrong place.
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        print(f"buurtbalans: the database cannot be reached or used: {first_line}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
