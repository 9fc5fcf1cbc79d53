"""Reading one JSON object of a file contract: every missing, unknown or bad field reported with its path.

The labelling plan file (steering.planfile) and the simulation scenario (engine.simulation.scenario) read their
objects the same way, so both say "complexes[0].turnover: missing" for the same mistake. Pure Python.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any


class Fields:
    """Reads the fields of one JSON object; a bad or missing field is reported and read as None.

    Args:
        path: where the object is in the document ("" for the top, "complexes[0]").
        value: the object as parsed (anything: a non-object is reported).
        keys: the fields it must have.
        problems: the list every problem is added to.
        optional: fields it may have.
        extra: any other field is allowed too (a caller checks them itself).
        document: what the top object is called when it is not an object ("scenario", "plan file").
    """

    def __init__(self, path: str, value: Any, keys: Collection[str], problems: list[str], *,
                 optional: Collection[str] = (), extra: bool = False, document: str = "document"):
        self.path, self.problems = path, problems
        self.readable = isinstance(value, dict)
        self.value: dict = value if self.readable else {}
        if not self.readable:
            problems.append(f"{path or document}: must be an object {{...}}")
            return
        if not extra:
            problems.extend(f"{self.at(key)}: unknown key" for key in value if key not in keys and key not in optional)
        problems.extend(f"{self.at(key)}: missing" for key in keys if key not in value)

    def at(self, key: str) -> str:
        """The path of one field, for a problem about it."""
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, reader: Callable[[Any], Any]):
        """The field read by `reader` (which raises ValueError on a bad value); None when absent or bad."""
        if key not in self.value:
            return None
        try:
            return reader(self.value[key])
        except ValueError as exc:
            self.problems.append(f"{self.at(key)}: {exc}")
            return None
