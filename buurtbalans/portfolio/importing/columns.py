"""The import format: which sheets, which columns (our names and VERA-style aliases), which values.

This module is the single alias table; `docs/import.md` documents it. A header matches a column when
it equals the column's name or one of its aliases after `normalize_header` (case, spaces, dots,
dashes and underscores ignored), so `Eenheid.code`, `eenheid_code` and `EENHEIDCODE` are the same.
Enumerations accept our code or a Dutch (or English) label, matched the same forgiving way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from buurtbalans.portfolio.importing import values as v

# Field kinds that refer to another row by its key; resolved against the file and the database.
REF_COMPLEX, REF_DWELLING, REF_HOUSEHOLD, REF_NEIGHBOURHOOD, REF_KIND = (
    "complexes",
    "dwellings",
    "households",
    "neighbourhood",
    "kind",
)


@dataclass(frozen=True)
class Column:
    """One column of a sheet; `name` is the model field name and our own column name."""

    name: str
    parse: v.Parser
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must be present in the file
    blank: bool = True  # an empty cell is allowed and gives `default`
    default: object = None
    ref: str | None = None  # the sheet (or lookup) this column refers to
    db_column: str | None = None  # the model's column when it differs (foreign keys)
    expected: str = ""  # what a value looks like, for the documentation

    @property
    def column(self) -> str:
        return self.db_column or self.name


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # columns that identify a row (per corporation)
    aliases: tuple[str, ...] = ()  # other names of the sheet or CSV file
    # Row rule after the cells are parsed: fills derived values and returns [(column, message)].
    check_row: Callable[[list, dict[str, int]], list[tuple[str, str]]] | None = None
    lookup: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for column in self.columns:
            for alias in (column.name, *column.aliases):
                key = normalize_header(alias)
                other = self.lookup.get(key)
                if other is not None and other.name != column.name:
                    raise ValueError(f"{self.name}: header {alias!r} would mean both {other.name} and {column.name}")
                self.lookup[key] = column

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def index(self, name: str) -> int:
        return self.names.index(name)


def normalize_header(text: str) -> str:
    """`Eenheid.code`, `eenheid_code`, `Eenheid code` -> `eenheidcode`."""
    text = unicodedata.normalize("NFKD", str(text).strip().lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]", "", text)


def _code(max_length: int = 60) -> v.Parser:
    return v.text_parser(max_length=max_length)


def _money(max_digits: int) -> v.Parser:
    return v.decimal_parser(places=2, max_digits=max_digits, noun="amount")


# Dutch (and English) words for our enumerations. Codes themselves always match.
DWELLING_TYPES = {
    "single_family": ["eengezinswoning", "egw", "grondgebonden", "woonhuis", "single-family house"],
    "apartment": ["appartement", "flat", "etagewoning", "meergezinswoning", "mgw", "portiekwoning", "galerijwoning"],
    "senior": ["seniorenwoning", "ouderenwoning", "55+ woning", "senior dwelling"],
    "room": ["kamer", "onzelfstandig", "onzelfstandige eenheid", "room (not self-contained)"],
    "other": ["overig", "anders", "overige"],
}
DWELLING_STATUSES = {
    "occupied": ["verhuurd", "bewoond", "in verhuur"],
    "vacant": ["leegstand", "leeg", "leegstaand", "te huur"],
    "renovation": ["renovatie", "in renovatie", "under renovation"],
    "sold": ["verkocht"],
    "demolished": ["gesloopt", "sloop"],
}
ENERGY_LABELS = {label: [] for label in ("A++++", "A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G")}
INCOME_SOURCES = {
    "tax_authority": [
        "belastingdienst", "inkomensverklaring", "ib60", "ibri", "income statement from the tax authority"
    ],
    "declared": ["eigen opgave", "opgave", "verklaring huishouden", "declared by the household"],
    "estimate": ["schatting", "geschat"],
    "unknown": ["onbekend"],
}
CONTRACT_TYPES = {
    "indefinite": ["onbepaalde tijd", "onbepaald", "regulier", "vast"],
    "temporary": ["tijdelijk", "bepaalde tijd", "tijdelijke huurovereenkomst"],
    "youth": ["jongerencontract", "jongeren", "youth contract"],
    "campus": ["campuscontract", "campus contract"],
    "other": ["overig", "anders"],
}
EXCEPTION_REASONS = {
    "special_family_situation": ["bijzondere gezinssituatie", "bijzondere situatie"],
    "restructuring": ["herstructurering", "sloop/renovatie"],
    "rehousing": ["herhuisvesting"],
    "pension_age_assets": ["aow vermogen", "aow-er met vermogen", "vermogen boven grens"],
    "large_household": ["groot huishouden", "maatwerk groot huishouden", "large household (custom rent)"],
    "other": ["overig", "anders"],
}

_DAEB = v.bool_parser(
    true_words=["daeb"], false_words=["niet-daeb", "niet daeb", "non-daeb", "geen daeb"],
    expected="ja, nee, DAEB, niet-DAEB",
)


def _check_household(row: list, at: dict[str, int]) -> list[tuple[str, str]]:
    """Size counts every member; derive adults or children when only one of them is given."""
    size, adults, children = row[at["size"]], row[at["adults"]], row[at["children"]]
    if size is None:
        return []
    if adults is None and children is None:
        adults, children = size, 0
    elif adults is None:
        adults = size - children
    elif children is None:
        children = size - adults
    if adults < 1 or children < 0 or adults + children != size:
        shown_adults = row[at["adults"]] if row[at["adults"]] is not None else "-"
        shown_children = row[at["children"]] if row[at["children"]] is not None else "-"
        return [
            (
                "size",
                _("%(size)s is not adults (%(adults)s) + children (%(children)s), with at least one adult")
                % {"size": size, "adults": shown_adults, "children": shown_children},
            )
        ]
    row[at["adults"]], row[at["children"]] = adults, children
    return []


def _ends_after_start(start: str, end: str):
    def check(row: list, at: dict[str, int]) -> list[tuple[str, str]]:
        first, last = row[at[start]], row[at[end]]
        if first is not None and last is not None and last < first:
            return [(end, _("ends (%(end)s) before it starts (%(start)s)") % {"end": last, "start": first})]
        return []

    return check


def _complex_name(row: list, at: dict[str, int]) -> list[tuple[str, str]]:
    # Complex.name may not be empty; without a name the complex is called by its code.
    if not row[at["name"]]:
        row[at["name"]] = row[at["external_id"]]
    return []


COMPLEXES = Sheet(
    name="complexes",
    aliases=("complexen", "clusters", "cluster", "complex"),
    key=("external_id",),
    check_row=_complex_name,
    columns=(
        Column(
            "external_id", _code(), ("Cluster.code", "clustercode", "complexcode", "complexnummer", "code"),
            required=True, blank=False, expected="text, unique per corporation",
        ),
        Column("name", v.text_parser(max_length=200), ("naam", "Cluster.naam", "clusternaam", "complexnaam"),
               default="", expected="text (default: the code)"),
        Column(
            "neighbourhood", v.parse_bu_code, ("buurtcode", "buurt", "bu_code", "Cluster.buurtcode", "cbs_buurtcode"),
            ref=REF_NEIGHBOURHOOD, db_column="neighbourhood_id",
            expected="CBS buurt code BUxxxxxxxx, known in Buurtbalans",
        ),
        Column(
            "has_owners_association", v.bool_parser(),
            ("vve", "heeftVve", "vve_aanwezig", "vereniging_van_eigenaren", "Cluster.vve", "owners_association"),
            expected="ja/nee: an owners' association (VvE) exists; empty when not known",
        ),
    ),
)

DWELLINGS = Sheet(
    name="dwellings",
    aliases=("eenheden", "verhuureenheden", "woningen", "vhe", "eenheid", "dwelling"),
    key=("external_id",),
    columns=(
        Column(
            "external_id", _code(),
            ("Eenheid.code", "eenheidcode", "eenheidnummer", "vhe", "vhe_nummer", "code"),
            required=True, blank=False, expected="text, unique per corporation",
        ),
        Column(
            "complex", _code(), ("Cluster.code", "clustercode", "complexcode", "complexnummer", "Eenheid.cluster"),
            ref=REF_COMPLEX, db_column="complex_id", expected="a complex code from the complexes sheet or the database",
        ),
        Column("street", v.text_parser(max_length=200), ("straatnaam", "straat", "adres.straatnaam"),
               required=True, blank=False, default="", expected="text"),
        Column("house_number", v.int_parser(minimum=1, maximum=999999), ("huisnummer", "adres.huisnummer"),
               required=True, blank=False, expected="whole number"),
        Column(
            "house_number_suffix", v.text_parser(max_length=20),
            ("huisnummertoevoeging", "toevoeging", "adres.huisnummertoevoeging"), default="", expected="text",
        ),
        Column("postcode", v.parse_postcode, ("adres.postcode", "pc6"), required=True, blank=False, default="",
               expected="1234 AB"),
        Column("city", v.text_parser(max_length=100), ("woonplaats", "plaats", "adres.woonplaats"), default="",
               expected="text"),
        Column(
            "dwelling_type", v.choice_parser(DWELLING_TYPES), ("woningtype", "type", "eenheidsoort", "Eenheid.soort"),
            default="other", expected="code or Dutch label, see below",
        ),
        Column("rooms", v.int_parser(minimum=0, maximum=99), ("aantalKamers", "kamers"),
               expected="whole number"),
        Column(
            "floor_area", v.decimal_parser(places=2, max_digits=7),
            ("oppervlakte", "gebruiksoppervlakte", "woonoppervlakte", "gbo"), expected="m², number",
        ),
        Column("build_year", v.int_parser(minimum=1000, maximum=2200), ("bouwjaar",), expected="year"),
        Column("energy_label", v.choice_parser(ENERGY_LABELS), ("energielabel", "label"), default="",
               expected="A++++ ... G"),
        Column("base_rent", _money(8), ("kaleHuur", "nettohuur", "kale_huur", "huurprijs"),
               expected="euros per month"),
        Column("service_charges", _money(8), ("servicekosten",), expected="euros per month"),
        Column(
            "wws_points", v.decimal_parser(places=2, max_digits=6),
            ("woningwaarderingspunten", "wwspunten", "punten", "wws"), expected="number",
        ),
        Column("is_daeb", _DAEB, ("daeb", "daebStatus"), default=True,
               expected="ja/nee (also DAEB / niet-DAEB); default ja"),
        Column("accessibility_label", v.text_parser(max_length=40), ("toegankelijkheidslabel", "toegankelijkheid"),
               default="", expected="text"),
        Column(
            "status", v.choice_parser(DWELLING_STATUSES), ("verhuurstatus", "eenheidstatus"), default="occupied",
            expected="code or Dutch label, see below; default occupied",
        ),
        Column("vera_unit", v.parse_json_object, ("eenheid_json", "vera_eenheid"),
               expected="a VERA Eenheid as a JSON object"),
    ),
)

HOUSEHOLDS = Sheet(
    name="households",
    aliases=("huishoudens", "huishouden", "household"),
    key=("external_id",),
    check_row=_check_household,
    columns=(
        Column(
            "external_id", _code(),
            ("Huishouden.code", "huishoudcode", "huishoudnummer", "huishouden", "relatienummer", "code"),
            required=True, blank=False, expected="text, unique per corporation",
        ),
        Column("size", v.int_parser(minimum=1, maximum=50),
               ("huishoudgrootte", "aantalPersonen", "personen", "household_size"),
               required=True, blank=False, expected="whole number, everyone who moves in"),
        Column("adults", v.int_parser(minimum=1, maximum=50), ("volwassenen", "aantalVolwassenen"),
               expected="whole number (default: size - children)"),
        Column("children", v.int_parser(minimum=0, maximum=50), ("kinderen", "aantalKinderen"),
               expected="whole number (default: size - adults)"),
        Column(
            "is_pension_age_household", v.bool_parser(),
            ("aow", "aowLeeftijd", "ouderenhuishouden", "pensioenleeftijd", "aow_huishouden"),
            default=False, expected="ja/nee; default nee",
        ),
        Column(
            # An income below 0 is refused as a mistake in the file (issue 11, finding 13).
            "assessed_income", v.decimal_parser(places=2, max_digits=10, noun="amount"),
            ("rekeninkomen", "verzamelinkomen", "huishoudinkomen", "inkomen", "toetsinkomen"),
            expected="euros per year",
        ),
        Column("income_year", v.int_parser(minimum=1990, maximum=2200), ("inkomensjaar", "peiljaar", "jaar_inkomen"),
               expected="year"),
        Column("income_source", v.choice_parser(INCOME_SOURCES), ("inkomensbron", "bron_inkomen"),
               default="unknown", expected="code or Dutch label, see below; default unknown"),
    ),
)

TENANCIES = Sheet(
    name="tenancies",
    aliases=("huurcontracten", "contracten", "huurovereenkomsten", "overeenkomsten", "tenancy"),
    key=("external_id",),
    check_row=_ends_after_start("start_date", "end_date"),
    columns=(
        Column(
            "external_id", _code(),
            (
                "contractnummer", "huurcontractnummer", "Overeenkomst.code", "contractcode", "huurovereenkomstcode",
                "code",
            ),
            required=True, blank=False, expected="text, unique per corporation",
        ),
        Column("dwelling", _code(), ("Eenheid.code", "eenheidcode", "eenheidnummer", "vhe", "vhe_nummer"),
               required=True, blank=False, ref=REF_DWELLING, db_column="dwelling_id",
               expected="a dwelling code from the dwellings sheet or the database"),
        Column("household", _code(), ("Huishouden.code", "huishoudcode", "huishoudnummer", "huishouden"),
               required=True, blank=False, ref=REF_HOUSEHOLD, db_column="household_id",
               expected="a household code from the households sheet or the database"),
        Column("start_date", v.parse_date_cached(), ("ingangsdatum", "startdatum", "begindatum", "aanvangsdatum"),
               required=True, blank=False, expected="date"),
        Column("end_date", v.parse_date_cached(), ("einddatum", "opzegdatum", "datum_einde"),
               expected="date, empty if current"),
        Column("income_at_start", v.decimal_parser(places=2, max_digits=10, noun="amount"),  # < 0 refused
               ("inkomen_bij_start", "inkomenBijAanvang", "aanvangsinkomen", "inkomen_bij_toewijzing"),
               expected="euros per year"),
        Column("rent_at_start", _money(8), ("huur_bij_start", "aanvangshuur", "kaleHuurBijAanvang", "huur_bij_aanvang"),
               expected="euros per month"),
        # The household at letting, for the compliance report; empty: the household's current value is used.
        Column(
            "household_size_at_start", v.int_parser(minimum=1, maximum=50),
            (
                "huishoudgrootte_bij_start", "aantalPersonenBijAanvang", "personen_bij_start",
                "huishoudgrootte_bij_aanvang",
            ),
            expected="whole number, everyone who moved in; empty: the household's current size",
        ),
        Column(
            "is_pension_age_at_start", v.bool_parser(),
            ("aow_bij_start", "ouderenhuishouden_bij_start", "isOuderenhuishoudenBijAanvang", "aow_bij_aanvang"),
            expected="ja/nee, AOW age on 1 January of the year of letting; empty: the household's current value",
        ),
        Column(
            "assets_at_start", _money(12), ("vermogen_bij_start", "rekenvermogen", "vermogen_bij_aanvang"),
            expected="euros (rekenvermogen); empty when not known",
        ),
        Column("contract_type", v.choice_parser(CONTRACT_TYPES), ("contractsoort", "contracttype", "soort_contract"),
               default="indefinite", expected="code or Dutch label, see below; default indefinite"),
        Column(
            "exception_reason", v.choice_parser(EXCEPTION_REASONS),
            ("uitzonderingsreden", "reden_uitzondering", "afwijkingsreden", "reden_niet_passend"),
            default="", expected="code or Dutch label, see below; empty when the letting fitted",
        ),
    ),
)

MARKERS = Sheet(
    name="markers",
    aliases=("kenmerken", "kwetsbaarheidskenmerken", "markeringen", "marker"),
    key=("household", "kind", "valid_from"),
    check_row=_ends_after_start("valid_from", "valid_until"),
    columns=(
        Column("household", _code(), ("Huishouden.code", "huishoudcode", "huishoudnummer", "huishouden"),
               required=True, blank=False, ref=REF_HOUSEHOLD, db_column="household_id",
               expected="a household code from the households sheet or the database"),
        Column("kind", v.text_parser(max_length=200), ("soort", "kenmerk", "kenmerkcode", "type"),
               required=True, blank=False, ref=REF_KIND, db_column="kind_id",
               expected="code or label of a kind of marker (default kinds or the corporation's own)"),
        Column("source", v.text_parser(max_length=200), ("bron", "herkomst"), required=True, blank=False,
               default="", expected="text: who recorded it"),
        Column("valid_from", v.parse_date_cached(), ("geldig_vanaf", "vanaf", "ingangsdatum", "begindatum"),
               required=True, blank=False, expected="date"),
        Column("valid_until", v.parse_date_cached(), ("geldig_tot", "tot", "einddatum"),
               expected="date, empty if open"),
    ),
)

APPLICANTS = Sheet(
    name="applicants",
    aliases=("woningzoekenden", "inschrijvingen", "wachtlijst", "applicant"),
    key=("external_id",),
    columns=(
        Column(
            "external_id", _code(),
            ("inschrijfnummer", "inschrijvingsnummer", "registratienummer", "Inschrijving.code", "code"),
            required=True, blank=False, expected="text, unique per corporation",
        ),
        Column("household", _code(), ("Huishouden.code", "huishoudcode", "huishoudnummer", "huishouden"),
               required=True, blank=False, ref=REF_HOUSEHOLD, db_column="household_id",
               expected="a household code from the households sheet or the database"),
        Column("registration_date", v.parse_date_cached(), ("inschrijfdatum", "inschrijvingsdatum", "registratiedatum"),
               required=True, blank=False, expected="date"),
        # Name and postal address for letters (personal data: see households.models.Applicant).
        Column(
            "name", v.text_parser(max_length=200),
            ("naam", "volledige naam", "volledigeNaam", "aanschrijfnaam", "tenaamstelling", "Relatie.naam"),
            default="", expected="text: the full name as on an envelope, e.g. J. de Vries",
        ),
        Column(
            "street_address", v.text_parser(max_length=200),
            ("adres", "straat en huisnummer", "straat_huisnummer", "adresregel", "postadres", "correspondentieadres"),
            default="", expected="text: street, number and addition in one cell, e.g. Merelstraat 12 A",
        ),
        Column("postal_code", v.parse_postal_code, ("postcode", "adres.postcode"), default="",
               expected="1234 AB (stored so); abroad: the country first, e.g. D-12345"),
        Column("city", v.text_parser(max_length=100), ("woonplaats", "plaats", "adres.woonplaats", "postplaats"),
               default="", expected="text"),
    ),
)

# In dependency order: a sheet only refers to sheets before it.
SHEETS: tuple[Sheet, ...] = (COMPLEXES, DWELLINGS, HOUSEHOLDS, TENANCIES, MARKERS, APPLICANTS)
SHEETS_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
_SHEET_LOOKUP = {normalize_header(alias): sheet for sheet in SHEETS for alias in (sheet.name, *sheet.aliases)}


def sheet_for(name: str) -> Sheet | None:
    """The sheet a worksheet title or CSV file stem (`dwellings`, `Eenheden`) stands for, or None."""
    return _SHEET_LOOKUP.get(normalize_header(name))


__all__ = ["Column", "SHEETS", "SHEETS_BY_NAME", "Sheet", "normalize_header", "sheet_for"]
