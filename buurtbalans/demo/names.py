"""Word lists for plausible Dutch place, street and complex names in the demo (no real addresses)."""

from __future__ import annotations

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
