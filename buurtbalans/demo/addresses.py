"""Made-up streets, complex names, dwelling addresses and postcodes for the demo, and applicants' home addresses.

Every address is plausible Dutch (a street from `names`, a postcode of four digits and two letters) and none is
real: the streets are invented and the town sits in a forest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from buurtbalans.demo import names
from buurtbalans.demo.rows import ApplicantRow, HouseholdRow, NeighbourhoodContext


class Streets(NamedTuple):
    """Per complex: its street, its name and the house number its first dwelling gets."""

    streets: list[str]
    complex_names: list[str]
    first_numbers: list[int]


def streets_and_names(rng, complex_type, complex_buurt, neighbourhoods, sizes) -> Streets:
    """A street per complex (streets are reused, numbering on, once every name is taken) and a unique name."""
    combos = [(stem, suffix) for stem in names.STREET_STEMS for suffix in names.STREET_SUFFIXES]
    order = rng.permutation(len(combos))
    next_number: dict[str, int] = {}
    streets, complex_names, first_numbers = [], [], []
    taken: set[str] = set()
    for i, kind in enumerate(complex_type.tolist()):
        stem, suffix = combos[order[i % len(combos)]]
        street = f"{stem}{suffix}"
        first = next_number.get(street, int(rng.integers(1, 30)))
        next_number[street] = first + int(sizes[i]) + 2
        streets.append(street)
        first_numbers.append(first)
        patterns = names.COMPLEX_NAME_PATTERNS[kind]
        pattern = patterns[int(rng.integers(len(patterns)))]
        base = pattern.format(
            stem=stem,
            street=street,
            buurt=neighbourhoods[complex_buurt[i]].name,
            quarter=names.QUARTERS[int(rng.integers(len(names.QUARTERS)))],
        )
        complex_names.append(_unique(base, taken))
    return Streets(streets, complex_names, first_numbers)


def _unique(base: str, taken: set[str]) -> str:
    """`base`, or "base II", "base III", ... where the name is taken: two complexes may not share a name."""
    name, roman = base, 1
    while name in taken:
        roman += 1
        name = f"{base} {_roman(roman)}"
    taken.add(name)
    return name


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def postcode_areas(neighbourhoods, city: str) -> list[int]:
    """A stable four-digit postal area per buurt: one of the town's real areas where the demo knows them
    (`names.POSTAL_AREAS`, e.g. Zwolle), a made-up one elsewhere."""
    known = names.POSTAL_AREAS.get(city)
    areas = []
    for i, buurt in enumerate(neighbourhoods):
        number = sum(ord(ch) * (k + 1) for k, ch in enumerate(buurt.cbs_code)) * 7 + i * 13
        areas.append(known[number % len(known)] if known else 1000 + number % 8900)
    return areas


def dwelling_addresses(
    sizes: np.ndarray,
    streets: Streets,
    complex_type: np.ndarray,
    complex_buurt: np.ndarray,
    neighbourhoods: list[NeighbourhoodContext],
    city: str,
) -> list[tuple[str, int, str, str]]:
    """(street, number, suffix, postcode) per dwelling: consecutive numbers, a postcode per ~20 addresses."""
    # A stable four-digit area per buurt (the town's real ones where known, else fictional).
    digits = dict(enumerate(postcode_areas(neighbourhoods, city)))
    letter_next = dict.fromkeys(range(len(neighbourhoods)), 0)
    out = []
    for c, size in enumerate(sizes.tolist()):
        b = int(complex_buurt[c])
        is_rooms = complex_type[c] == "room"
        first = streets.first_numbers[c]
        for k in range(size):
            if is_rooms:
                # Rooms share a front door: eight rooms per house number, suffixed a-h.
                number, suffix = first + k // 8, "abcdefgh"[k % 8]
            else:
                number, suffix = first + k, ""
            if k % 20 == 0:
                letters = names.POSTAL_CODE_LETTERS[letter_next[b] % len(names.POSTAL_CODE_LETTERS)]
                letter_next[b] += 1
            out.append((streets.streets[c], number, suffix, f"{digits[b]}{letters}"))
    return out


def with_names_and_addresses(rng, applicants, households: list[HouseholdRow], city, areas) -> list[ApplicantRow]:
    """The applicants with a made-up name and a home address in the town (they live there now, elsewhere)."""
    people = names.person_names(rng, [h.adults for h in households])
    homes = names.home_addresses(rng, len(applicants), postal_areas=areas)
    return [
        ApplicantRow(a.external_id, a.household_external_id, a.registration_date, person, street, code, city)
        for a, person, (street, code) in zip(applicants, people, homes, strict=True)
    ]
