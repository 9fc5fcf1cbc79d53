"""The public indicators we know: stable key, English label (translated through gettext), Dutch term, unit.

Every `PublicIndicator.key` is one of three kinds (see docs/open-data.md):

- **CBS Kerncijfers wijken en buurten** (`dataset="cbs_kwb"`): our own stable English keys (`inhabitants`,
  `dwellings`, ...). CBS renames its column keys every year (`AantalInwoners_5` in 2024), so the importer finds a
  column through its *title* in the table's DataProperties metadata (`cbs_titles` below, compared case- and
  space-insensitively) and stores the value under our key. Values in "x 1 000 euro" are stored in euros.
- **Leefbaarometer 3.0** (`dataset="leefbaarometer_3"`): `lbm` (the score) and `lbm_afw`, `lbm_won`, `lbm_fys`,
  `lbm_vrz`, `lbm_soc`, `lbm_onv` (the deviation from the national average and its five dimensions, which add up to
  it).
- **Plain per-buurt tables** (`dataset="table"`, e.g. a municipality's own export): the file's own column name is the
  key (`inwoners`, `pct_hh_onder_105_sociaal_minimum`). The known ones are listed here; any other column still
  imports and shows its key as its label.

`comparable_with` links a plain-table key to the CBS key for the same quantity (the municipality's `inwoners` counts
the same people as CBS's `inhabitants`, from the same register, but is a separate series with its own source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CBS_KWB = "cbs_kwb"
LEEFBAAROMETER = "leefbaarometer_3"
TABLE = "table"

# Credit lines the licences ask for, shown under every table or chart that uses the data.
DATASET_CREDITS = {
    CBS_KWB: _("Source: CBS (CC BY 4.0)"),
    LEEFBAAROMETER: _("Source: Leefbaarometer 3.0, Ministry of the Interior (BZK)"),
    TABLE: _("Source: municipality (from BAG, BRP, CBS, Klimaatmonitor)"),
}

UNIT_LABELS: dict[str, Promise | str] = {
    "count": "",
    "persons": _("persons"),
    "dwellings": _("dwellings"),
    "households": _("households"),
    "percent": "%",
    "eur": "€",
    "persons_per_household": _("persons per household"),
    "per_km2": _("per km²"),
    "per_1000": _("per 1,000 inhabitants"),
    "ha": "ha",
    "km": "km",
    "kwh": "kWh",
    "m3": "m³",
    "mln_m3": _("million m³"),
    "tj": "TJ",
    "gwh": "GWh",
    "kton": "kton",
    "kw": "kW",
    "wp": "Wp",
    "mw": "MW",
    "eur_per_m3": _("€ per m³"),
    "eur_per_kwh": _("€ per kWh"),
    "score": "",
    "code": "",
}

GROUP_LABELS = {
    "population": _("Population"),
    "households": _("Households"),
    "housing": _("Housing"),
    "income": _("Income"),
    "social_security": _("Social security and care"),
    "energy": _("Energy"),
    "amenities": _("Amenities"),
    "area": _("Area"),
    "liveability": _("Liveability"),
}


@dataclass(frozen=True)
class Indicator:
    """One known indicator.

    Attributes:
        key: the stable key stored in `PublicIndicator.key`.
        label: English label (gettext msgid; Dutch comes from the translation catalogue).
        label_nl: the Dutch term the source uses, for translators and for the docs.
        unit: a key of UNIT_LABELS.
        group: a key of GROUP_LABELS, for grouping on the buurt page.
        dataset: CBS_KWB, LEEFBAAROMETER or TABLE.
        decimals: decimals worth showing.
        cbs_titles: DataProperties titles that mean this indicator (lower case), CBS only.
        comparable_with: the key of the same quantity in another dataset, if any.
    """

    key: str
    label: Promise | str
    label_nl: str
    unit: str
    group: str
    dataset: str
    decimals: int = 0
    cbs_titles: tuple[str, ...] = ()
    comparable_with: str = ""

    @property
    def unit_label(self) -> Promise | str:
        return UNIT_LABELS.get(self.unit, self.unit)

    @property
    def group_label(self) -> Promise | str:
        return GROUP_LABELS.get(self.group, self.group)


def _cbs(key, label, label_nl, unit, group, *titles, decimals=0, comparable_with=""):
    return Indicator(key, label, label_nl, unit, group, CBS_KWB, decimals, tuple(titles or (label_nl.lower(),)),
                     comparable_with)


def _table(key, label, label_nl, unit, group, decimals=0, comparable_with=""):
    return Indicator(key, label, label_nl, unit, group, TABLE, decimals, (), comparable_with)


def _lbm(key, label, label_nl):
    return Indicator(key, label, label_nl, "score", "liveability", LEEFBAAROMETER, 3)


# CBS Kerncijfers wijken en buurten (e.g. table 85984NED for 2024). Titles as in the DataProperties metadata;
# a second title is an older year's wording.
CBS_INDICATORS = [
    _cbs("inhabitants", _("Inhabitants"), "Aantal inwoners", "persons", "population"),
    _cbs("men", _("Men"), "Mannen", "persons", "population"),
    _cbs("women", _("Women"), "Vrouwen", "persons", "population"),
    _cbs("age_0_14", _("Aged 0 to 14"), "0 tot 15 jaar", "persons", "population"),
    _cbs("age_15_24", _("Aged 15 to 24"), "15 tot 25 jaar", "persons", "population"),
    _cbs("age_25_44", _("Aged 25 to 44"), "25 tot 45 jaar", "persons", "population"),
    _cbs("age_45_64", _("Aged 45 to 64"), "45 tot 65 jaar", "persons", "population"),
    _cbs("age_65_plus", _("Aged 65 or older"), "65 jaar of ouder", "persons", "population"),
    _cbs("population_density", _("Population density"), "Bevolkingsdichtheid", "per_km2", "population"),
    _cbs("households", _("Households"), "Huishoudens totaal", "households", "households"),
    _cbs("single_person_households", _("Single-person households"), "Eenpersoonshuishoudens", "households",
         "households"),
    _cbs("households_without_children", _("Households without children"), "Huishoudens zonder kinderen",
         "households", "households"),
    _cbs("households_with_children", _("Households with children"), "Huishoudens met kinderen", "households",
         "households"),
    _cbs("average_household_size", _("Average household size"), "Gemiddelde huishoudensgrootte",
         "persons_per_household", "households", decimals=1),
    _cbs("dwellings", _("Dwelling stock"), "Woningvoorraad", "dwellings", "housing", comparable_with="woningen"),
    _cbs("average_woz_value", _("Average WOZ value of dwellings"), "Gemiddelde WOZ-waarde van woningen", "eur",
         "housing", "gemiddelde woz-waarde van woningen", "gemiddelde woningwaarde"),
    _cbs("single_family_share", _("Single-family dwellings"), "Percentage eengezinswoning", "percent", "housing"),
    _cbs("multi_family_share", _("Multi-family dwellings"), "Percentage meergezinswoning", "percent", "housing"),
    _cbs("vacant_dwellings_share", _("Unoccupied dwellings"), "Onbewoonde woningen", "percent", "housing",
         "onbewoonde woningen", "percentage onbewoonde woningen"),
    _cbs("owner_occupied_share", _("Owner-occupied dwellings"), "Koopwoningen", "percent", "housing"),
    _cbs("rental_share", _("Rental dwellings"), "Huurwoningen totaal", "percent", "housing"),
    _cbs("social_rental_share", _("Owned by a housing corporation"), "In bezit woningcorporatie", "percent",
         "housing"),
    _cbs("other_landlord_share", _("Owned by other landlords"), "In bezit overige verhuurders", "percent", "housing"),
    _cbs("built_last_ten_years_share", _("Built in the last ten years"), "Bouwjaar afgelopen tien jaar", "percent",
         "housing"),
    _cbs("average_electricity_use", _("Average electricity use per dwelling"),
         "Gemiddelde elektriciteitslevering totaal", "kwh", "energy"),
    _cbs("average_gas_use", _("Average gas use per dwelling"), "Gemiddeld aardgasverbruik totaal", "m3", "energy"),
    _cbs("district_heating_share", _("Dwellings with district heating"), "Percentage woningen met stadsverwarming",
         "percent", "energy", decimals=1),
    _cbs("net_labour_participation", _("Net labour participation"), "Nettoarbeidsparticipatie", "percent", "income"),
    _cbs("income_recipients", _("Income recipients"), "Aantal inkomensontvangers", "persons", "income"),
    _cbs("average_income_per_recipient", _("Average income per income recipient"),
         "Gemiddeld inkomen per inkomensontvanger", "eur", "income"),
    _cbs("average_income_per_inhabitant", _("Average income per inhabitant"), "Gemiddeld inkomen per inwoner", "eur",
         "income", comparable_with="gem_inkomen_per_inwoner_eur"),
    _cbs("persons_lowest_40_share", _("Persons in the 40% lowest incomes"), "40% personen met laagste inkomen",
         "percent", "income", decimals=1),
    _cbs("persons_highest_20_share", _("Persons in the 20% highest incomes"), "20% personen met hoogste inkomen",
         "percent", "income", decimals=1),
    _cbs("average_standardised_household_income", _("Average standardised household income"),
         "Gem. gestandaardiseerd inkomen van huish", "eur", "income",
         "gem. gestandaardiseerd inkomen van huish", "gemiddeld gestandaardiseerd inkomen van huishoudens",
         comparable_with="gem_gestand_inkomen_hh_eur"),
    _cbs("households_lowest_40_share", _("Households in the 40% lowest incomes"),
         "40% huishoudens met laagste inkomen", "percent", "income", decimals=1),
    _cbs("households_highest_20_share", _("Households in the 20% highest incomes"),
         "20% huishoudens met hoogste inkomen", "percent", "income", decimals=1),
    _cbs("low_income_households_share", _("Households with a low income"), "Huishoudens met een laag inkomen",
         "percent", "income", decimals=1),
    _cbs("social_minimum_households_share", _("Households at or below the social minimum"),
         "Huish. onder of rond sociaal minimum", "percent", "income",
         "huish. onder of rond sociaal minimum", "huishoudens onder of rond sociaal minimum", decimals=1),
    _cbs("households_below_110_social_minimum_share", _("Households up to 110% of the social minimum"),
         "Huishoudens tot 110% van sociaal minimum", "percent", "income", decimals=1),
    _cbs("households_below_120_social_minimum_share", _("Households up to 120% of the social minimum"),
         "Huishoudens tot 120% van sociaal minimum", "percent", "income", decimals=1),
    _cbs("median_household_wealth", _("Median wealth of private households"),
         "Mediaan vermogen van particuliere huish.", "eur", "income"),
    _cbs("social_assistance_recipients", _("Persons on social assistance"), "Personen per soort uitkering; Bijstand",
         "persons", "social_security"),
    _cbs("disability_benefit_recipients", _("Persons on disability benefit"), "Personen per soort uitkering; AO",
         "persons", "social_security"),
    _cbs("unemployment_benefit_recipients", _("Persons on unemployment benefit"),
         "Personen per soort uitkering; WW", "persons", "social_security"),
    _cbs("state_pension_recipients", _("Persons on state pension"), "Personen per soort uitkering; AOW", "persons",
         "social_security"),
    _cbs("youth_care_share", _("Young people in youth care"), "Percentage jongeren met jeugdzorg", "percent",
         "social_security", decimals=1),
    _cbs("wmo_clients", _("Wmo clients (social support)"), "Wmo-cliënten", "persons", "social_security"),
    _cbs("wmo_clients_per_1000", _("Wmo clients per 1,000 inhabitants"), "Wmo-cliënten relatief", "per_1000",
         "social_security"),
    _cbs("distance_gp", _("Distance to a GP practice"), "Afstand tot huisartsenpraktijk", "km", "amenities",
         decimals=1),
    _cbs("distance_supermarket", _("Distance to a large supermarket"), "Afstand tot grote supermarkt", "km",
         "amenities", decimals=1),
    _cbs("distance_school", _("Distance to a primary school"), "Afstand tot school", "km", "amenities", decimals=1),
    _cbs("area_total", _("Total area"), "Oppervlakte totaal", "ha", "area"),
    _cbs("area_land", _("Land area"), "Oppervlakte land", "ha", "area"),
    _cbs("area_water", _("Water area"), "Oppervlakte water", "ha", "area"),
    _cbs("urbanity", _("Degree of urbanisation (1 very high to 5 none)"), "Mate van stedelijkheid", "code", "area"),
    _cbs("address_density", _("Address density"), "Omgevingsadressendichtheid", "per_km2", "area"),
]

# Leefbaarometer 3.0: the score and the deviation from the national average with its five dimensions
# (won + fys + vrz + soc + onv = afw; lbm - afw = the national average of the 3.0 model, 4.1023).
LEEFBAAROMETER_INDICATORS = [
    _lbm("lbm", _("Leefbaarometer score"), "Leefbaarometer-score"),
    _lbm("lbm_afw", _("Deviation from the Dutch average"), "Afwijking van het landelijk gemiddelde"),
    _lbm("lbm_won", _("Dwellings"), "Woningvoorraad"),
    _lbm("lbm_fys", _("Physical environment"), "Fysieke omgeving"),
    _lbm("lbm_vrz", _("Amenities"), "Voorzieningen"),
    _lbm("lbm_soc", _("Social cohesion"), "Sociale samenhang"),
    _lbm("lbm_onv", _("Nuisance and insecurity"), "Overlast en onveiligheid"),
]
# Column in a Leefbaarometer file -> our key.
LEEFBAAROMETER_COLUMNS = {
    "lbm": "lbm", "afw": "lbm_afw", "won": "lbm_won", "fys": "lbm_fys", "vrz": "lbm_vrz", "soc": "lbm_soc",
    "onv": "lbm_onv",
}
LEEFBAAROMETER_DIMENSIONS = ("lbm_won", "lbm_fys", "lbm_vrz", "lbm_soc", "lbm_onv")
# lbm - afw in every 3.0 row: the model's national average.
LEEFBAAROMETER_3_NATIONAL_AVERAGE = 4.1023

# Known columns of plain per-buurt tables: the Zwolle exports (cijfersoverzwolle.nl) with kerncijfers and energy.
TABLE_INDICATORS = [
    _table("inwoners", _("Inhabitants"), "Inwoners", "persons", "population", comparable_with="inhabitants"),
    _table("inw_0_3", _("Aged 0 to 3"), "Inwoners 0-3 jaar", "persons", "population"),
    _table("inw_4_11", _("Aged 4 to 11"), "Inwoners 4-11 jaar", "persons", "population"),
    _table("inw_12_17", _("Aged 12 to 17"), "Inwoners 12-17 jaar", "persons", "population"),
    _table("inw_18_24", _("Aged 18 to 24"), "Inwoners 18-24 jaar", "persons", "population"),
    _table("inw_25_39", _("Aged 25 to 39"), "Inwoners 25-39 jaar", "persons", "population"),
    _table("inw_40_54", _("Aged 40 to 54"), "Inwoners 40-54 jaar", "persons", "population"),
    _table("inw_55_64", _("Aged 55 to 64"), "Inwoners 55-64 jaar", "persons", "population"),
    _table("inw_65_74", _("Aged 65 to 74"), "Inwoners 65-74 jaar", "persons", "population"),
    _table("inw_75_84", _("Aged 75 to 84"), "Inwoners 75-84 jaar", "persons", "population"),
    _table("inw_85_plus", _("Aged 85 or older"), "Inwoners 85 jaar en ouder", "persons", "population"),
    _table("inw_0_17", _("Aged 0 to 17"), "Inwoners 0-17 jaar", "persons", "population"),
    _table("inw_18_64", _("Aged 18 to 64"), "Inwoners 18-64 jaar", "persons", "population"),
    _table("inw_65_plus", _("Aged 65 or older"), "Inwoners 65 jaar en ouder", "persons", "population"),
    _table("bevolking", _("Population (energy monitor)"), "Bevolking", "persons", "population"),
    _table("huishoudens", _("Households (energy monitor)"), "Huishoudens", "households", "households"),
    _table("woningen", _("Dwellings"), "Woningen", "dwellings", "housing", comparable_with="dwellings"),
    _table("woonruimten_totaal", _("Dwellings and other living units"), "Woonruimten totaal", "count", "housing"),
    _table("gem_gestand_inkomen_hh_eur", _("Average standardised household income"),
           "Gemiddeld gestandaardiseerd inkomen huishoudens", "eur", "income",
           comparable_with="average_standardised_household_income"),
    _table("pct_hh_onder_105_sociaal_minimum", _("Households below 105% of the social minimum"),
           "Huishoudens onder 105% van het sociaal minimum", "percent", "income"),
    _table("gem_inkomen_per_inwoner_eur", _("Average income per inhabitant"), "Gemiddeld inkomen per inwoner",
           "eur", "income", comparable_with="average_income_per_inhabitant"),
    _table("gem_inkomen_per_huishouden_eur", _("Average income per household"), "Gemiddeld inkomen per huishouden",
           "eur", "income"),
    _table("aardgas_woningen_tc_TJ", _("Gas use of dwellings in energy, temperature-corrected"),
           "Aardgasverbruik woningen, temperatuurgecorrigeerd", "tj", "energy"),
    _table("aardgas_woningen_mln_m3", _("Gas use of dwellings"), "Aardgasverbruik woningen", "mln_m3", "energy",
           decimals=2),
    _table("aardgas_woningen_tc_mln_m3", _("Gas use of dwellings, temperature-corrected"),
           "Aardgasverbruik woningen, temperatuurgecorrigeerd", "mln_m3", "energy", decimals=2),
    _table("elektriciteit_woningen_GWh", _("Electricity use of dwellings"), "Elektriciteitsverbruik woningen", "gwh",
           "energy", decimals=1),
    _table("co2_woningen_elektriciteit_kton", _("CO₂ from electricity use of dwellings"),
           "CO₂-uitstoot elektriciteit woningen", "kton", "energy", decimals=1),
    _table("co2_woningen_aardgas_kton", _("CO₂ from gas use of dwellings"), "CO₂-uitstoot aardgas woningen", "kton",
           "energy", decimals=1),
    _table("co2_woningen_aardgas_tc_kton", _("CO₂ from gas use of dwellings, temperature-corrected"),
           "CO₂-uitstoot aardgas woningen, temperatuurgecorrigeerd", "kton", "energy", decimals=1),
    _table("prijs_gas_eur_per_m3", _("Gas price"), "Gasprijs", "eur_per_m3", "energy", decimals=2),
    _table("prijs_elektriciteit_eur_per_kwh", _("Electricity price"), "Elektriciteitsprijs", "eur_per_kwh", "energy",
           decimals=2),
    _table("woningen_aardgasverwarming", _("Dwellings heated by gas"), "Woningen met aardgasverwarming", "dwellings",
           "energy"),
    _table("woningen_elektrische_verwarming", _("Dwellings heated electrically"), "Woningen met elektrische verwarming",
           "dwellings", "energy"),
    _table("installaties_zonnepanelen_woningen", _("Solar panel installations on dwellings"),
           "Installaties zonnepanelen woningen", "count", "energy"),
    _table("vermogen_zonnepanelen_woningen_kW", _("Solar panel capacity on dwellings"),
           "Vermogen zonnepanelen woningen", "kw", "energy"),
    _table("vermogen_zonnepanelen_per_woning_Wp", _("Solar panel capacity per dwelling"),
           "Vermogen zonnepanelen per woning", "wp", "energy"),
    _table("wind_op_land_MW", _("Onshore wind capacity"), "Wind op land", "mw", "energy", decimals=1),
    _table("pct_woningen_met_zonnepanelen", _("Dwellings with solar panels"), "Woningen met zonnepanelen", "percent",
           "energy"),
]

INDICATORS: dict[str, Indicator] = {
    indicator.key: indicator for indicator in [*CBS_INDICATORS, *LEEFBAAROMETER_INDICATORS, *TABLE_INDICATORS]
}
ORDER = {key: position for position, key in enumerate(INDICATORS)}


def normalise_title(title: str) -> str:
    """A CBS title compared loosely: lower case, single spaces, no trailing spaces (CBS pads some titles)."""
    return re.sub(r"\s+", " ", title.replace("\u00a0", " ")).strip().lower()


# CBS DataProperties title -> our key.
CBS_TITLE_KEYS: dict[str, str] = {
    normalise_title(title): indicator.key for indicator in CBS_INDICATORS for title in indicator.cbs_titles
}


def indicator_definition(key: str, dataset: str = "") -> Indicator:
    """The known indicator, or a plain stand-in (label = key) for a column we have not described yet."""
    known = INDICATORS.get(key)
    if known is not None:
        return known
    return Indicator(key, key, key, "count", "other", dataset or TABLE)
