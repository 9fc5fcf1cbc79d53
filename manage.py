#!/usr/bin/env python
"""Same as the `buurtbalans` console script, for those who expect manage.py."""

from buurtbalans.cli import main

if __name__ == "__main__":
    main()
