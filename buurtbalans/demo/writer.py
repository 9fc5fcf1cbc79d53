"""Store the demo: places, two corporations with their stock, households and social management records, a login
per role, and the vitality counted.

`demo_seed` is the service behind `buurtbalans seed_demo`. It asks `generator` for rows and writes them in
one transaction, so a failed run leaves nothing behind, with bulk inserts (`rows_insert`), so 100,000
dwellings and their households take seconds, not minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import ApplicantProfile
from buurtbalans.core import bulk
from buurtbalans.core.audit import audit_record
from buurtbalans.core.audit_labels import DEMO_ACTOR
from buurtbalans.core.db import analyze_tables
from buurtbalans.core.models import AuditEvent, HousingCorporation, Membership, Role
from buurtbalans.core.services import corporation_contact_set
from buurtbalans.demo import generator, names
from buurtbalans.demo import history as demo_history
from buurtbalans.demo.allocation import allocation_demo_write
from buurtbalans.demo.cooperatives import demo_cooperatives_seed
from buurtbalans.demo.generator import CorporationData, NeighbourhoodContext, Town
from buurtbalans.demo.simulation import simulation_demo_write
from buurtbalans.demo.social_write import MODELS as SOCIAL_MODELS
from buurtbalans.demo.social_write import complex_facts, social_demo_seed
from buurtbalans.evaluation.models import Intervention
from buurtbalans.history.models import ComplexOwnership, DwellingStatusPeriod, HistoryImport, HouseholdIncomeBand
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.liveability.services import vitality_refresh
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood, PublicIndicator
from buurtbalans.neighbourhoods.selectors import DEMO_SOURCE
from buurtbalans.portfolio.models import Complex, Dwelling
from buurtbalans.rules.parameters import parameter_sets

DEMO_CODE = "voorbeeld-wonen"
DEMO_NAME = "Voorbeeld Wonen"
DEMO_PREFIX = "VW"
OTHER_CODE = "andere-woningstichting"
OTHER_NAME = "Andere Woningstichting"
OTHER_PREFIX = "AW"
OTHER_DWELLINGS = 240
TOWN_CODE = "GM9999"
TOWN_NAME = "Voorbeeldstad"
DEFAULT_SEED = 1
DEFAULT_DWELLINGS = 12_000
# Printed by the command and in the README: a demo has no secrets. Long enough for the password validators.
DEMO_PASSWORD = "buurtbalans-demo"
DEMO_USERS = (
    ("verhuur", DEMO_CODE, (Role.ALLOCATION_OFFICER,)),
    ("wijk", DEMO_CODE, (Role.NEIGHBOURHOOD_MANAGER,)),
    ("beleid", DEMO_CODE, (Role.POLICY_ANALYST,)),
    ("coop", DEMO_CODE, (Role.COOPERATIVE_BOARD,)),
    ("audit", DEMO_CODE, (Role.AUDITOR,)),
    # Answers a household's request to see or erase its data (AVG art. 15 and 17).
    ("privacy", DEMO_CODE, (Role.PRIVACY_OFFICER,)),
    # Scores motivation texts blind and sees nothing else (issue 13).
    ("beoordelaar", DEMO_CODE, (Role.MOTIVATION_ASSESSOR,)),
    ("beheer", DEMO_CODE, (Role.ADMIN,)),
    # Changes the legal parameters every corporation shares (a demo stands in for the installation's operator).
    ("platform", DEMO_CODE, (Role.PLATFORM_ADMIN,)),
    # Someone at another corporation, to show that corporations never see each other's rows.
    ("andere", OTHER_CODE, (Role.ALLOCATION_OFFICER, Role.ADMIN)),
)
BATCH_SIZE = 2000


class DemoSeedError(Exception):
    """The demo cannot be generated as asked (e.g. no buurten in the open data)."""


@dataclass
class DemoLogin:
    username: str
    password: str
    corporation: str
    roles: tuple[str, ...]
    note: str = ""


@dataclass
class DemoSeedResult:
    skipped: bool
    dry_run: bool = False
    places: str = ""
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: float = 0.0


def demo_exists() -> bool:
    return Complex.objects.filter(corporation__code=DEMO_CODE).exists()


def demo_seed(
    *,
    reference_date: date,
    dwellings: int = DEFAULT_DWELLINGS,
    seed: int = DEFAULT_SEED,
    open_data_dir: Path | None = None,
    municipality_code: str = "GM0193",
    reset: bool = False,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoSeedResult:
    """Generate the demo corporation "Voorbeeld Wonen", a small second corporation and the demo logins.

    Running it again leaves the data as it is (and makes sure the logins work); `reset` rebuilds both demo
    corporations, which for the same seed and reference date gives the same rows again.

    Args:
        reference_date: "today" for the data (current tenancies run on it, five years of history before it).
        dwellings: the size of Voorbeeld Wonen.
        seed: the random seed; the same seed and reference date give the same rows.
        open_data_dir: import the real places and statistics from this folder (see `import_open_data`) and
            place the complexes in that municipality's buurten; without it, a synthetic town.
        municipality_code: the municipality to take from the open data.
        reset: delete both demo corporations' stock and households first and generate them again.
        dry_run: do everything, report the counts, and roll it all back.
        progress: called with a line of text after each phase.

    Raises:
        DemoSeedError: when there are no buurten to place complexes in.
    """
    say = progress or (lambda line: None)
    started = time.perf_counter()
    if demo_exists() and not reset and not dry_run:
        say(_("The demo corporation %(name)s already exists: nothing generated (use --reset to rebuild it).")
            % {"name": DEMO_NAME})
        with transaction.atomic():
            logins = _users_ensure(say)
        return DemoSeedResult(skipped=True, logins=logins, seconds=time.perf_counter() - started)

    town_seed, demo_seed_sequence, other_seed = np.random.SeedSequence(seed).spawn(3)
    result = DemoSeedResult(skipped=False, dry_run=dry_run)
    with transaction.atomic():
        phase = time.perf_counter()
        if open_data_dir is not None:
            contexts, city, result.places = _places_from_open_data(Path(open_data_dir), municipality_code)
            say(_("places: %(places)s: %(buurten)d neighbourhoods, %(with_income)d with a low-income figure "
                  "(%(seconds).1f s)")
                % {"places": result.places, "buurten": len(contexts),
                   "with_income": sum(c.low_income_pct is not None for c in contexts),
                   "seconds": time.perf_counter() - phase})
        else:
            neighbourhoods, town_dwellings = generator.town_size_for(dwellings)
            town = generator.generate_town(
                np.random.default_rng(town_seed),
                reference_date=reference_date,
                neighbourhoods=neighbourhoods,
                town_dwellings=town_dwellings,
                code=TOWN_CODE,
                name=TOWN_NAME,
                source=DEMO_SOURCE,
            )
            _town_write(town)
            contexts, city = generator.town_contexts(town), town.municipality.name
            result.places = f"{TOWN_NAME} ({TOWN_CODE}, synthetic)"
            say(_("places: %(town)s: %(districts)d districts, %(buurten)d neighbourhoods, "
                  "%(indicators)d public indicators (%(seconds).1f s)")
                % {"town": result.places, "districts": len(town.districts), "buurten": len(town.neighbourhoods),
                   "indicators": len(town.indicators), "seconds": time.perf_counter() - phase})

        last_year = reference_date.year
        # The parameters in force, including values an administrator filled in.
        limits = generator.legal_limits(1900, last_year, parameter_sets())
        for code, name, prefix, size, sequence in (
            (DEMO_CODE, DEMO_NAME, DEMO_PREFIX, dwellings, demo_seed_sequence),
            (OTHER_CODE, OTHER_NAME, OTHER_PREFIX, OTHER_DWELLINGS, other_seed),
        ):
            phase = time.perf_counter()
            data = generator.generate_corporation(
                np.random.default_rng(sequence),
                neighbourhoods=contexts,
                reference_date=reference_date,
                dwellings=size,
                prefix=prefix,
                city=city,
                limits=limits,
            )
            if code == DEMO_CODE:  # issue 16: sales and a demolition over the five years, on the rows
                data, stock_events = demo_history.stock_events_plan(data, reference_date=reference_date, seed=seed)
                demo_data = data
            counts = data.counts()
            say(_("%(name)s: generated %(complexes)d complexes, %(dwellings)d dwellings, %(households)d households, "
                  "%(tenancies)d tenancies (%(current)d current), %(markers)d markers, %(applicants)d applicants "
                  "(%(seconds).1f s)")
                % {"name": name, **counts, "current": counts["current_tenancies"],
                   "seconds": time.perf_counter() - phase})
            corporation, _created = HousingCorporation.objects.get_or_create(code=code, defaults={"name": name})
            _corporation_clear(corporation, say)
            _corporation_write(corporation, data, say)
            if code == DEMO_CODE:  # the address, phone and objection route its letters print (fictitious)
                corporation_contact_set(corporation=corporation, actor=None,
                                        values={**names.DEMO_CONTACT, "city": city}, purpose="demo")
            allocation_demo_write(corporation, reference_date=reference_date, seed=seed, say=say)  # issue 4
            audit_record(
                actor=None,
                event=AuditEvent.Type.DEMO_SEEDED,
                corporation=corporation,
                subject_type="demo",
                purpose="demo",
                subject_label=_("Demo data generated for %(name)s") % {"name": name},
                data={"seed": seed, "reference_date": reference_date.isoformat(), "places": result.places,
                      **counts},
            )
            result.counts[code] = counts
        result.logins = _users_ensure(say)
        demo_cooperatives_seed(corporation_code=DEMO_CODE, reference_date=reference_date, seed=seed, say=say)
        phase = time.perf_counter()
        demo_corporation = HousingCorporation.objects.get(code=DEMO_CODE)
        # Issue 16: two programmes whose effect is planted in the signals, chosen among complexes without sales.
        facts = complex_facts(demo_corporation, reference_date)
        complex_pks = dict(Complex.objects.filter(corporation=demo_corporation).values_list("external_id", "pk"))
        programmes = demo_history.programmes_choose(
            facts, excluded={complex_pks[c] for c in stock_events.complexes_touched(demo_data)},
            reference_date=reference_date)
        social = social_demo_seed(corporation=demo_corporation, reference_date=reference_date, seed=seed, reset=True,
                                  analyze=False, facts=facts,
                                  programmes=demo_history.programmes_by_complex(programmes))
        result.counts[DEMO_CODE]["social_records"] = social
        say(_("%(name)s: %(signals)d signals, %(support_needs)d support needs, %(visits)d visits, %(activities)d "
              "activities, %(meeting_places)d meeting places with %(meeting_place_use)d months of use, %(arrears)d "
              "arrears figures (%(seconds).1f s)")
            % {"name": DEMO_NAME, **social, "seconds": time.perf_counter() - phase})
        # Before the commit and the vitality count: the history is recorded from the stored state of each date,
        # and the monitor then counts every year from the same dated facts (the signals with their effects).
        say(demo_history.say_written(DEMO_NAME, demo_history.demo_history_write(
            demo_corporation, data=demo_data, events=stock_events, programmes=programmes,
            reference_date=reference_date)))
        if dry_run:
            transaction.set_rollback(True)
        phase = time.perf_counter()
    if dry_run:
        say(_("dry run: everything rolled back"))
    else:
        # PostgreSQL checks the deferred foreign keys of every new row now.
        say(_("committed (%(seconds).1f s)") % {"seconds": time.perf_counter() - phase})
        analyze_tables(Complex, Dwelling, Household, Tenancy, VulnerabilityMarker, Applicant, PublicIndicator,
                       *SOCIAL_MODELS, *HISTORY_TABLES)
        _vitality_count(reference_date, say)
        # After the vitality count: the study reads the composition and lettings as the monitor does (issue 15).
        simulation_demo_write(HousingCorporation.objects.get(code=DEMO_CODE), reference_date=reference_date,
                              analyst_username="beleid", say=say)
    result.seconds = time.perf_counter() - started
    return result


def _vitality_count(reference_date: date, say) -> None:
    """Count both demo corporations' vitality, so the monitor shows scores at once (after the commit: a count
    reads committed rows, and a recount an import asked for is then found current and skipped)."""
    for code in (DEMO_CODE, OTHER_CODE):
        corporation = HousingCorporation.objects.get(code=code)
        counted = vitality_refresh(corporation=corporation, reference_date=reference_date)
        say(_("%(name)s: vitality counted: %(complexes)d complexes, %(warnings)d with a warning (%(seconds).1f s)")
            % {"name": corporation.name, "complexes": counted["complexes"], "warnings": counted["warnings"],
               "seconds": counted["seconds"]})


# --- places -------------------------------------------------------------------------------------------


def _town_write(town: Town) -> None:
    """Upsert the synthetic town by CBS code; its statistics replace any earlier demo run's."""
    m = town.municipality
    municipality, _created = Municipality.objects.update_or_create(
        cbs_code=m.cbs_code, defaults={"name": m.name, "geometry": m.geometry}
    )
    districts = {}
    for d in town.districts:
        districts[d.cbs_code], _created = District.objects.update_or_create(
            cbs_code=d.cbs_code, defaults={"name": d.name, "geometry": d.geometry, "municipality": municipality}
        )
    for b in town.neighbourhoods:
        Neighbourhood.objects.update_or_create(
            cbs_code=b.cbs_code,
            defaults={
                "name": b.name,
                "geometry": b.geometry,
                "district": districts[b.district_code],
                "municipality": municipality,
                "centroid_lon": b.centroid_lon,
                "centroid_lat": b.centroid_lat,
            },
        )
    PublicIndicator.objects.bulk_create(
        [PublicIndicator(area_code=r.area_code, key=r.key, year=r.year, value=r.value, source=r.source)
         for r in town.indicators],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["area_code", "key", "year"],
        update_fields=["value", "source"],
    )


# Keys of a buurt's size and low-income share in the open data, best first: the municipal table's columns
# come per buurt, CBS's mostly per wijk.
OPEN_DATA_DWELLING_KEYS = ("woningen", generator.INDICATOR_DWELLINGS)
OPEN_DATA_LOW_INCOME_KEYS = (generator.INDICATOR_LOW_INCOME,)


def _places_from_open_data(directory: Path, municipality_code: str):
    from buurtbalans.neighbourhoods.services import open_data_import

    report = open_data_import(directory=directory, municipality_code=municipality_code, actor=None)
    if not report.ok:
        raise DemoSeedError("\n".join([report.summary(), *report.errors]))
    municipality_code = report.municipality_code
    municipality = Municipality.objects.filter(cbs_code=municipality_code).first()
    buurten = list(Neighbourhood.objects.filter(municipality__cbs_code=municipality_code).order_by("cbs_code"))
    if municipality is None or not buurten:
        raise DemoSeedError(
            _("The open data in %(dir)s has no neighbourhoods for %(code)s.") % {"dir": directory,
                                                                                 "code": municipality_code}
        )
    return (neighbourhood_contexts(buurten), municipality.name,
            f"{municipality.name} ({municipality_code}, open data)")


def neighbourhood_contexts(buurten) -> list[NeighbourhoodContext]:
    """Each buurt's latest known size and low-income share, from its public indicators."""
    codes = [b.cbs_code for b in buurten]
    wanted = (*OPEN_DATA_DWELLING_KEYS, *OPEN_DATA_LOW_INCOME_KEYS)
    latest: dict[tuple[str, str], float] = {}
    for area_code, key, value in (
        PublicIndicator.objects.filter(area_code__in=codes, key__in=wanted)
        .order_by("year")
        .values_list("area_code", "key", "value")
    ):
        latest[(area_code, key)] = value

    def first_known(code, keys):
        return next((latest[(code, key)] for key in keys if (code, key) in latest), None)

    return [
        NeighbourhoodContext(
            cbs_code=b.cbs_code,
            name=b.name,
            low_income_pct=first_known(b.cbs_code, OPEN_DATA_LOW_INCOME_KEYS),
            dwellings=first_known(b.cbs_code, OPEN_DATA_DWELLING_KEYS),
        )
        for b in buurten
    ]


# --- a corporation's rows -----------------------------------------------------------------------------


# The demo's own tables, children first: deleting in this order leaves no row pointing at a deleted one.
DEMO_TABLES = (VulnerabilityMarker, Applicant, Tenancy, Household, Dwelling, Complex)
# The history and the register the demo writes (issue 16): deleted first, one DELETE each, so that Django's delete
# of the dwellings and households below need not collect tens of thousands of their rows.
HISTORY_TABLES = (DwellingStatusPeriod, HouseholdIncomeBand, ComplexOwnership, HistoryImport, Intervention)


def _corporation_clear(corporation: HousingCorporation, say) -> None:
    """Delete a demo corporation's stock and households before it is generated again.

    The corporation itself stays: audit events refer to it and can never be deleted. Where only the demo's
    own tables point at a table, one DELETE per table does it; Django's cascading delete would first load
    every row (minutes for 100,000 dwellings). Where another app's rows point at it, Django's delete runs,
    so their on_delete rules (cascade, protect) still apply.
    """
    deleted = 0
    with connection.cursor() as cursor:
        for model in HISTORY_TABLES:
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(model._meta.get_field("corporation").column)
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [corporation.pk])
            deleted += max(cursor.rowcount, 0)
        for model in DEMO_TABLES:
            referenced_elsewhere = any(
                relation.related_model not in DEMO_TABLES + HISTORY_TABLES
                for relation in model._meta.get_fields(include_hidden=True)
                if relation.auto_created and not relation.concrete and (relation.one_to_one or relation.one_to_many)
            )
            if referenced_elsewhere:
                deleted += model.objects.filter(corporation=corporation).delete()[0]
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(model._meta.get_field("corporation").column)
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [corporation.pk])
            deleted += max(cursor.rowcount, 0)
    if deleted:
        say(_("%(name)s: removed %(count)d earlier demo rows") % {"name": corporation.name, "count": deleted})


def _corporation_write(corporation: HousingCorporation, data: CorporationData, say) -> None:
    phase = time.perf_counter()
    corp = corporation.pk
    neighbourhood_ids = dict(
        Neighbourhood.objects.filter(cbs_code__in={c.neighbourhood_code for c in data.complexes}).values_list(
            "cbs_code", "pk"
        )
    )
    complex_pks = rows_insert(
        Complex,
        ("corporation", "external_id", "name", "neighbourhood"),
        [(corp, c.external_id, c.name, neighbourhood_ids.get(c.neighbourhood_code)) for c in data.complexes],
    )
    complex_ids = {c.external_id: pk for c, pk in zip(data.complexes, complex_pks, strict=True)}
    dwelling_pks = rows_insert(
        Dwelling,
        ("corporation", "complex", "external_id", "street", "house_number", "house_number_suffix", "postcode", "city",
         "dwelling_type", "rooms", "floor_area", "build_year", "energy_label", "base_rent", "service_charges",
         "wws_points", "is_daeb", "accessibility_label", "status"),
        [
            (corp, complex_ids[d.complex_external_id], d.external_id, d.street, d.house_number, d.house_number_suffix,
             d.postcode, d.city, d.dwelling_type, d.rooms, d.floor_area, d.build_year, d.energy_label, d.base_rent,
             d.service_charges, d.wws_points, d.is_daeb, d.accessibility_label, d.status)
            for d in data.dwellings
        ],
    )
    dwelling_ids = {d.external_id: pk for d, pk in zip(data.dwellings, dwelling_pks, strict=True)}
    say(_("%(name)s: stored %(complexes)d complexes and %(dwellings)d dwellings (%(seconds).1f s)")
        % {"name": corporation.name, "complexes": len(complex_pks), "dwellings": len(dwelling_pks),
           "seconds": time.perf_counter() - phase})

    phase = time.perf_counter()
    household_pks = rows_insert(
        Household,
        ("corporation", "external_id", "size", "adults", "children", "is_pension_age_household", "assessed_income",
         "income_year", "income_source"),
        [
            (corp, h.external_id, h.size, h.adults, h.children, h.is_pension_age_household, h.assessed_income,
             h.income_year, h.income_source)
            for h in data.households
        ],
    )
    household_ids = {h.external_id: pk for h, pk in zip(data.households, household_pks, strict=True)}
    tenancy_pks = rows_insert(
        Tenancy,
        ("corporation", "external_id", "dwelling", "household", "start_date", "end_date", "income_at_start",
         "rent_at_start", "contract_type", "exception_reason"),
        [
            (corp, t.external_id, dwelling_ids[t.dwelling_external_id], household_ids[t.household_external_id],
             t.start_date, t.end_date, t.income_at_start, t.rent_at_start, t.contract_type, t.exception_reason)
            for t in data.tenancies
        ],
    )
    say(_("%(name)s: stored %(households)d households and %(tenancies)d tenancies (%(seconds).1f s)")
        % {"name": corporation.name, "households": len(household_pks), "tenancies": len(tenancy_pks),
           "seconds": time.perf_counter() - phase})

    phase = time.perf_counter()
    kinds = _vulnerability_kinds()
    rows_insert(
        VulnerabilityMarker,
        ("corporation", "household", "kind", "source", "valid_from", "valid_until"),
        [(corp, household_ids[m.household_external_id], kinds[m.kind].pk, m.source, m.valid_from, m.valid_until)
         for m in data.markers],
    )
    applicant_pks = rows_insert(
        Applicant,
        ("corporation", "external_id", "household", "registration_date", "name", "street_address", "postal_code",
         "city"),
        [(corp, a.external_id, household_ids[a.household_external_id], a.registration_date, a.name,
          a.street_address, a.postal_code, a.city)
         for a in data.applicants],
    )
    # The applicants' own profiles: target groups and the urgency decision, never a marker (issue 13). One audit
    # event for all of them: the people are synthetic (no per-household events, as for the markers above).
    profiles = rows_insert(
        ApplicantProfile,
        ("corporation", "applicant", "groups", "is_urgent", "urgency_valid_until"),
        [(corp, pk, list(a.groups), a.is_urgent, a.urgency_valid_until)
         for a, pk in zip(data.applicants, applicant_pks, strict=True) if a.groups or a.is_urgent],
    )
    audit_record(actor=None, event=AuditEvent.Type.APPLICANT_PROFILE_WRITTEN, corporation=corporation,
                 subject_type="applicant", purpose="demo", actor_name=DEMO_ACTOR,
                 subject_label="demo: target groups and urgency decisions of applicants",
                 data={"profiles": len(profiles), "urgent": sum(a.is_urgent for a in data.applicants)})
    say(_("%(name)s: stored %(markers)d vulnerability markers and %(applicants)d applicants (%(seconds).1f s)")
        % {"name": corporation.name, "markers": len(data.markers), "applicants": len(data.applicants),
           "seconds": time.perf_counter() - phase})


def rows_insert(model, fields: Sequence[str], rows: list[tuple]) -> list[int]:
    """Insert rows of plain values (in `fields` order; a foreign key as its id) and return their primary keys.

    `bulk_create` builds a model instance and a parameter list per row, which makes 400,000 rows take most of
    a minute. `core.bulk.columns_insert` takes the keys first (PostgreSQL: from the table's sequence; SQLite,
    whose write lock this transaction holds: on from the highest key), so the next table's rows can refer to
    these, and writes them through COPY (PostgreSQL) or executemany (SQLite); fields not given get their
    defaults. No model `save()` logic or signal is skipped: these models have none.
    """
    return bulk.columns_insert(model, fields, bulk.columns_of(rows, len(fields)), return_keys=True)


def _vulnerability_kinds() -> dict[str, VulnerabilityKind]:
    """The default kinds (created by a households migration; recreated here if someone removed one)."""
    kinds = {k.code: k for k in VulnerabilityKind.objects.filter(corporation=None,
                                                                   code__in=generator.VULNERABILITY_KINDS)}
    for code in generator.VULNERABILITY_KINDS:
        if code not in kinds:
            kinds[code] = VulnerabilityKind.objects.create(corporation=None, code=code, label=code)
    return kinds


# --- logins -------------------------------------------------------------------------------------------


def _users_ensure(say) -> list[DemoLogin]:
    """Make sure every demo login exists, belongs to its demo corporation and has the demo password.

    A user of the same name who belongs to a real corporation is left alone.
    """
    corporations = {
        code: HousingCorporation.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in ((DEMO_CODE, DEMO_NAME), (OTHER_CODE, OTHER_NAME))
    }
    demo_corporation_ids = {c.pk for c in corporations.values()}
    # One hash for all: hashing is slow on purpose, and the password is printed anyway.
    password_hash = make_password(DEMO_PASSWORD)
    user_model = get_user_model()
    logins = []
    for username, code, roles in DEMO_USERS:
        corporation = corporations[code]
        user = user_model.objects.filter(username=username).first()
        membership = Membership.objects.filter(user=user).first() if user else None
        if membership is not None and membership.corporation_id not in demo_corporation_ids:
            say(_("login %(username)s exists at %(corporation)s and is left alone")
                % {"username": username, "corporation": membership.corporation})
            logins.append(DemoLogin(username, "", str(membership.corporation), tuple(roles),
                                    note=_("not a demo login")))
            continue
        if user is None:
            user = user_model(username=username)
        user.password = password_hash
        user.is_active = True
        user.save()
        Membership.objects.update_or_create(
            user=user, defaults={"corporation": corporation, "roles": [str(r) for r in roles]}
        )
        logins.append(DemoLogin(username, DEMO_PASSWORD, corporation.name, tuple(roles)))
    return logins
