"""Word lists for plausible Dutch place, street, complex and person names in the demo, and the demo's contact data.

Nothing here names a real person: initials and surnames are drawn apart and combined at random. Streets are made
from stems and suffixes; in a real town (the demo placed in Zwolle) a made-up street may share its name with a real
one, but never with a real resident.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Buurt names for the synthetic town; at least as many as the largest town has buurten (40).
NEIGHBOURHOOD_NAMES = (
    "Binnenstad",
    "Oude Haven",
    "Stationskwartier",
    "Vogelwijk",
    "Bloemenbuurt",
    "Schildersbuurt",
    "Componistenbuurt",
    "Kerkebuurt",
    "Molenwijk",
    "Oosterpark",
    "Westerhoek",
    "Zuiderpoort",
    "Noorderveld",
    "Dijkzicht",
    "De Weiden",
    "Het Hoge Land",
    "Rivierenbuurt",
    "Eikenhorst",
    "Lindenhof",
    "Beukenrode",
    "Sterrenbuurt",
    "Kanaalzone",
    "Spoorzicht",
    "Hofstede",
    "De Kamp",
    "Essenburg",
    "Heidepark",
    "Kloosterveld",
    "Watermolen",
    "De Esch",
    "Nieuwe Akker",
    "Zandbergen",
    "Brinkhoven",
    "Veenhuizerhoek",
    "De Vlier",
    "Lage Weide",
    "Boerhaavewijk",
    "Het Rietland",
    "Koppelkamp",
    "Marsweg-Noord",
    "Marsweg-Zuid",
    "De Horst",
)

# Wijk names, given in order of distance from the town centre.
DISTRICT_NAMES = ("Centrum", "Noord", "Oost", "Zuid", "West", "Noordoost", "Zuidwest", "Buitenwegen")

# First parts of street names; combined with a suffix ("Merel" + "straat").
STREET_STEMS = (
    # birds
    "Merel", "Lijster", "Zwaluw", "Reiger", "Kievit", "Spreeuw", "Mus", "Vink", "Specht", "Havik", "Uil", "Kraai",
    "Meeuw", "Fazant", "Koekoek", "Wielewaal", "Roodborst", "Boomklever", "Grutto", "Tureluur",
    # trees
    "Eiken", "Linden", "Berken", "Beuken", "Wilgen", "Essen", "Kastanje", "Populieren", "Iepen", "Elzen",
    "Esdoorn", "Platanen", "Hazelaar", "Meidoorn", "Vlier",
    # flowers
    "Rozen", "Tulpen", "Irissen", "Lelie", "Anjer", "Krokus", "Narcis", "Hyacint", "Dahlia", "Seringen",
    "Klaproos", "Korenbloem", "Zonnebloem", "Goudsbloem", "Viooltjes",
    # painters and composers
    "Rembrandt", "Vermeer", "Frans Hals", "Jan Steen", "Mondriaan", "Van Gogh", "Breitner", "Israëls",
    "Jongkind", "Mesdag", "Sweelinck", "Diepenbrock", "Röntgen", "Andriessen", "Wagenaar",
    # rivers and waters
    "Rijn", "Maas", "Waal", "IJssel", "Vecht", "Dinkel", "Regge", "Berkel", "Amstel", "Lek", "Linge", "Eem",
    # provinces, islands and towns
    "Drenthe", "Friesland", "Zeeland", "Texel", "Vlieland", "Ameland", "Schiermonnikoog", "Terschelling",
    "Kampen", "Deventer", "Harderwijk", "Elburg", "Hattem", "Steenwijk", "Genemuiden",
    # trades and old land use
    "Molenaars", "Smeden", "Kuipers", "Bakkers", "Wevers", "Schippers", "Touwslagers", "Brouwers",
    "Akker", "Esch", "Kamp", "Brink", "Weide", "Venne", "Heide", "Zand", "Dijk", "Kerk", "Poort",
    # people and history
    "Thorbecke", "Van Heutsz", "Piet Hein", "De Ruyter", "Tromp", "Erasmus", "Grotius", "Spinoza", "Huygens",
    "Lorentz", "Kamerlingh Onnes", "Zernike", "Aletta Jacobs", "Dr. Schaepman", "Troelstra", "Domela Nieuwenhuis",
)

STREET_SUFFIXES = ("straat", "laan", "weg", "plein", "hof", "singel", "kade", "dreef", "pad", "erf")

# Name patterns for a complex, per dwelling type. `{stem}` is the street stem, `{street}` the street and
# `{buurt}` the buurt name; the generator adds " II", " III" where a name is taken.
COMPLEX_NAME_PATTERNS = {
    "single_family": (
        "Hof van {buurt}",
        "{stem}hof",
        "Eengezinswoningen {street}",
        "{buurt} {quarter}",
        "Tuinwijk {stem}",
    ),
    "apartment": (
        "{stem}flat",
        "Portiekflats {street}",
        "De {stem}",
        "Residentie {stem}",
        "Hof van {buurt}",
        "{stem}staete",
        "Galerijflat {street}",
    ),
    "senior": ("Seniorencomplex {stem}", "De {stem}hof", "Residentie {stem}", "Hofje van {buurt}"),
    "room": ("Studentenhuis {stem}", "Jongerenhuis {stem}", "Kamers {street}"),
}

QUARTERS = ("Noord", "Zuid", "Oost", "West", "Midden")

# --- applicants: names and home addresses --------------------------------------------------------------------

# Letters that start Dutch first names often enough to be seen as initials.
INITIALS = "AABCDEFGHIJJKLMMNOPRSTWY"

# Surnames as written after the initials ("J. de Vries"): common Dutch surnames and surnames of Dutch residents
# with roots elsewhere, as a letter register of a Dutch town shows them.
SURNAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
    "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "de Bruin", "van der Heijden",
    "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster",
    "van Dam", "van der Wal", "Prins", "Blom", "Huisman", "Peeters", "de Lange", "Kuipers", "van Wijk", "Postma",
    "Kramer", "Bosman", "Wolters", "Timmer", "Brinkman", "ter Horst", "Nijhof", "Scholten", "Kamphuis", "Hulst",
    "Veldhuis", "Lubbers", "ten Brink", "Zwiers", "Klein Haneveld", "Yilmaz", "Kaya", "Demir", "Şahin", "Çelik",
    "Öztürk", "El Amrani", "Bouzid", "Tahiri", "El Idrissi", "Haddou", "Benali", "Pinas", "Sedney", "Doelwijt",
    "Nguyen", "Tran", "Mohamud", "Hassan", "Abdi", "Tesfay", "Haile", "Kowalski", "Nowak", "Wiśniewska",
    "Popescu", "Ivanova", "Nunes", "da Silva", "Pereira", "Rodríguez", "Suárez", "Ahmadi", "Karimi", "Haidari",
)

# What follows a house number, now and then: a letter or a floor.
HOUSE_NUMBER_ADDITIONS = (" A", " B", " C", "-1", "-2", "-3", " bis")

# Real four-digit postal areas of towns the demo can be placed in (the town's residential areas); elsewhere the
# demo makes up an area per buurt.
POSTAL_AREAS: dict[str, tuple[int, ...]] = {
    "Zwolle": (8011, 8012, 8013, 8014, 8015, 8016, 8017, 8021, 8022, 8023, 8024, 8025, 8026, 8031, 8032, 8033,
               8034, 8041, 8042, 8043),
}

# Postal code letters: PostNL never issued SA, SD and SS.
POSTAL_CODE_LETTERS = tuple(a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                            if a + b not in {"SA", "SD", "SS"})


def person_names(rng: np.random.Generator, adults: Sequence[int]) -> list[str]:
    """A name as on an envelope per household ("J. de Vries", "A.M. Yilmaz"); two adults are sometimes named
    both ("J. de Vries en K. Bakker").

    Args:
        rng: the random generator (draws from it; pass a generator of its own to keep other draws as they were).
        adults: the number of adults per household.
    """
    count = len(adults)
    surnames = rng.integers(len(SURNAMES), size=(count, 2))
    letters = rng.integers(len(INITIALS), size=(count, 4))
    initials_count = rng.choice((1, 2), size=(count, 2), p=(0.6, 0.4))
    both = (np.asarray(adults) >= 2) & (rng.random(count) < 0.3)
    out = []
    for name_ids, letter_ids, n_initials, is_both in zip(
        surnames.tolist(), letters.tolist(), initials_count.tolist(), both.tolist(), strict=True
    ):
        name = "".join(f"{INITIALS[k]}." for k in letter_ids[: n_initials[0]]) + " " + SURNAMES[name_ids[0]]
        if is_both:
            partner = "".join(f"{INITIALS[k]}." for k in letter_ids[2 : 2 + n_initials[1]])
            name = f"{name} en {partner} {SURNAMES[name_ids[1]]}"
        out.append(name)
    return out


def home_addresses(rng: np.random.Generator, count: int, *, postal_areas: Sequence[int]) -> list[tuple[str, str]]:
    """(street and number, postal code) for `count` homes in the demo town, e.g. ("Merelstraat 12 A", "8023 KL").

    Args:
        rng: the random generator.
        count: how many addresses.
        postal_areas: the town's four-digit postal areas to draw from.
    """
    stems = rng.integers(len(STREET_STEMS), size=count)
    suffixes = rng.integers(len(STREET_SUFFIXES), size=count)
    numbers = np.minimum(1 + np.floor(rng.exponential(40, size=count)).astype(int), 350)
    has_addition = rng.random(count) < 0.12
    additions = rng.integers(len(HOUSE_NUMBER_ADDITIONS), size=count)
    areas = rng.integers(len(postal_areas), size=count)
    letters = rng.integers(len(POSTAL_CODE_LETTERS), size=count)
    return [
        (
            f"{STREET_STEMS[st]}{STREET_SUFFIXES[su]} {nr}{HOUSE_NUMBER_ADDITIONS[ad] if has else ''}",
            f"{postal_areas[ar]} {POSTAL_CODE_LETTERS[le]}",
        )
        for st, su, nr, has, ad, ar, le in zip(
            stems.tolist(), suffixes.tolist(), numbers.tolist(), has_addition.tolist(), additions.tolist(),
            areas.tolist(), letters.tolist(), strict=True,
        )
    ]


# --- the demo corporation's own contact details (fictitious) ------------------------------------------------

# For "Voorbeeld Wonen"; the city is the demo town's. Phone numbers whose subscriber part starts with 0 are never
# issued, and .example domains never resolve (RFC 2606): nothing here reaches anyone.
DEMO_CONTACT = {
    "street_address": "Postbus 1234",
    "postal_code": "8000 AA",
    "phone": "038-000 12 34",
    "email": "info@voorbeeldwonen.example",
    "website": "https://www.voorbeeldwonen.example",
    "objection_term_weeks": 6,
    "objection_handler": "de geschillencommissie van Voorbeeld Wonen",
    "complaint_url": "https://www.voorbeeldwonen.example/klacht",
}
