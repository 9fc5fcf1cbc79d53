"""`buurtbalans run_allocation_round`: the file contract of issue 4 (keys, exit codes, every problem listed).

No database: the command reads a round file and writes a result file.
"""

import copy
import io
import json
import subprocess
import sys
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.allocation.roundfile import (
    RESULT_FORMAT,
    RESULT_FORMAT_2,
    RoundFileError,
    _microseconds,
    _Problems,
    candidate_detail_texts,
    parse_round_document,
    write_result,
)
from buurtbalans.engine.allocation import SelectionKey, solve_round
from buurtbalans.engine.tests.allocation_support import (
    PARAMS_2025,
    REFERENCE_DATE,
    document_from_round_input,
    golden_scenarios,
    load_json,
    seeds,
    small_rounds,
    upgrade_to_round_2,
)
from buurtbalans.rules.testing import caps_unknown

# The command reads the legal parameters in force (the database's values over the built-in table).
pytestmark = pytest.mark.django_db

SCENARIOS = golden_scenarios()
RESULT_KEYS = {"format", "parameters_version", "reference_date", "lottery_seed", "allocations", "listings",
               "ineligible"}
REASONS = {"household_size", "income_above_max", "income_below_min", "group_not_allowed", "group_excluded",
           "not_affordable", "no_motivation_score"}


@pytest.fixture(autouse=True)
def english():
    # Messages go through gettext (Dutch in the product); the tests read the English source messages.
    with translation.override("en"):
        yield


def run(path, *args):
    """Run the command; return (exit code, stdout, stderr or the error message)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("run_allocation_round", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def write(tmp_path, document, name="round.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def scenario(name):
    return next(folder for folder in SCENARIOS if folder.name == name)


@pytest.mark.smoke
def test_a_round_file_gives_exactly_the_contract_keys(tmp_path):
    output = tmp_path / "out.json"
    code, out, _err = run(scenario("registration_basic") / "input.json", "--output", str(output))
    assert code == 0
    assert "3 listings, 5 applicants, 12 bids: 3 allocated" in out
    result = json.loads(output.read_text())
    assert set(result) == RESULT_KEYS
    assert result["format"] == RESULT_FORMAT
    assert result["parameters_version"].startswith("parameters:2025-01-01:")
    for allocation in result["allocations"]:
        assert set(allocation) == {"listing", "applicant", "rank"}
    for entry in result["listings"].values():
        assert set(entry) == {"status", "candidates", "reserve"}
        for candidate in entry["candidates"]:
            assert set(candidate) == {"applicant", "rank", "outcome", "detail"}
            assert candidate["outcome"] in {"allocated", "allocated_elsewhere", "outranked"}
        for reserve in entry["reserve"]:
            assert set(reserve) == {"applicant", "rank"}
    for ineligible in result["ineligible"]:
        assert set(ineligible) == {"applicant", "listing", "reason"} and ineligible["reason"] in REASONS


@pytest.mark.parametrize("folder", SCENARIOS, ids=[folder.name for folder in SCENARIOS])
def test_the_command_reproduces_each_golden_file(folder, tmp_path):
    # --indent writes the same text regenerate_golden does; the default streamed output is the same document.
    code, out, _err = run(folder / "input.json", "--indent", "2")
    assert code == 0
    assert out == (folder / "expected.json").read_text(encoding="utf-8")
    code, _out, _err = run(folder / "input.json", "--output", str(tmp_path / "out.json"))
    assert code == 0
    assert json.loads((tmp_path / "out.json").read_text()) == load_json(folder / "expected.json")


def test_regenerate_golden_finds_nothing_to_change():
    out = io.StringIO()
    call_command("regenerate_golden", "--dry-run", stdout=out)
    assert out.getvalue().count(": unchanged") == len(SCENARIOS)


def malformed_round():
    document = load_json(scenario("registration_basic") / "input.json")
    document["format"] = "buurtbalans.round/9"
    document["reference_date"] = "2025-13-01"
    document["listings"][0]["colour"] = "red"
    document["listings"][1]["base_rent"] = "700,00"
    del document["listings"][2]["selection"]
    document["applicants"][1]["registration_date"] = "10-05-2012"
    document["applicants"][2]["assessed_income"] = 36000
    document["applicants"][3]["motivation_scores"] = {"L9": 5}
    bid = {"applicant": "A1", "listing": "L2", "preference": 9, "submitted_at": "2025-05-30T09:00:00"}
    document["bids"] += [
        {**bid, "listing": "L9"},  # 12
        {**bid, "applicant": "A9"},  # 13
        {**bid, "applicant": "A4", "preference": 1},  # 14: A4 gave preference 1 in bids[8]
        {**bid, "applicant": "A5", "preference": 3},  # 15: A5 bid on L2 in bids[10]
        {**bid, "applicant": "A2", "listing": "L2", "submitted_at": "yesterday"},  # 16: A2 already bid on L2 too
        "A1 wants L1",  # 17
    ]
    return document


EXPECTED_PROBLEMS = [
    'format: must be "buurtbalans.round/1" or "buurtbalans.round/2", not "buurtbalans.round/9"',
    'reference_date: must be a date such as "2026-01-31"',
    'listings[0]: unknown key "colour"',
    'listings[1].base_rent: must be an amount in euros as a string with at most two decimals, such as "1234.56"',
    "listings[2].selection: missing",
    'applicants[1].registration_date: must be a date such as "2026-01-31"',
    'applicants[2].assessed_income: must be an amount in euros as a string with at most two decimals, such as '
    '"1234.56"',
    'applicants[3].motivation_scores.L9: unknown listing "L9"',
    'bids[12].listing: unknown listing "L9"',
    'bids[13].applicant: unknown applicant "A9"',
    'bids[14].preference: applicant "A4" already gave preference 1 in bids[8]',
    'bids[15]: applicant "A5" already bid on listing "L2" in bids[10]',
    'bids[16]: applicant "A2" already bid on listing "L2" in bids[4]',
    'bids[16].submitted_at: must be a date and time such as "2026-01-31T09:30:00" (optionally with a UTC offset)',
    "bids[17]: must be an object",
]


@pytest.mark.smoke
def test_malformed_input_exits_2_with_every_problem_listed_in_file_order(tmp_path):
    path = write(tmp_path, malformed_round())
    code, out, message = run(path)
    assert code == 2
    assert out == ""
    lines = message.splitlines()
    assert lines[0] == f"{path} is not a valid round file ({len(EXPECTED_PROBLEMS)} problems):"
    assert [line.strip() for line in lines[1:]] == EXPECTED_PROBLEMS


def test_the_exit_code_reaches_the_shell(tmp_path):
    path = write(tmp_path, malformed_round())
    process = subprocess.run([sys.executable, "-m", "buurtbalans", "run_allocation_round", str(path)],
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 2
    assert "bids[12].listing: " in process.stderr and '"L9"' in process.stderr  # in the site's language
    assert process.stdout == ""


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "round.json"
    path.write_text('{"format": "buurtbalans.round/1",', encoding="utf-8")
    code, _out, message = run(path)
    assert code == 2 and "not valid JSON (line 1" in message
    assert run(tmp_path / "missing.json")[0] == 2


def test_every_missing_top_level_key_is_named(tmp_path):
    code, _out, message = run(write(tmp_path, {"format": "buurtbalans.round/1", "listings": {}}))
    assert code == 2
    for key in ("reference_date", "lottery_seed", "applicants", "bids"):
        assert f"{key}: missing" in message
    assert "listings: must be a list" in message


def test_a_parameter_missing_for_the_reference_date_exits_2_and_names_it(tmp_path):
    caps_unknown(2026)  # stored as unknown by an administrator, as they were before they were published
    document = load_json(scenario("registration_basic") / "input.json")
    document["reference_date"] = "2026-03-01"
    code, _out, message = run(write(tmp_path, document))
    assert code == 2
    assert "parameter missing: allowance_cap_low (valid from 2026-01-01)" in message
    assert "affordability exception" in message
    for listing in document["listings"]:
        listing["affordability_exception"] = True
    code, out, _err = run(write(tmp_path, document), "--output", str(tmp_path / "out.json"))
    assert code == 0
    assert json.loads((tmp_path / "out.json").read_text())["parameters_version"].startswith("database:2026-01-01:")


def test_an_administrators_value_for_a_missing_cap_is_used_and_recorded(tmp_path):
    from django.utils import timezone

    from buurtbalans.rules.models import ParameterValue

    document = load_json(scenario("registration_basic") / "input.json")
    document["reference_date"] = "2026-03-01"
    for key, amount in (("allowance_cap_low", "713.44"), ("allowance_cap_high", "764.73")):
        ParameterValue.objects.create(valid_from=date(2026, 1, 1), key=key, state="value", value=amount,
                                      source="test", version="x", changed=timezone.now(), changed_by_name="test")
    code, _out, _err = run(write(tmp_path, document), "--output", str(tmp_path / "out.json"))
    assert code == 0
    assert json.loads((tmp_path / "out.json").read_text())["parameters_version"].startswith("database:2026-01-01:")


def test_without_a_database_the_built_in_table_is_used(tmp_path):
    env = {**__import__("os").environ, "BUURTBALANS_VAR_DIR": str(tmp_path / "empty")}
    env.pop("DATABASE_URL", None)  # the default: a SQLite file in the (empty) var folder, never migrated
    source = scenario("registration_basic") / "input.json"
    process = subprocess.run(
        [sys.executable, "-m", "buurtbalans", "run_allocation_round", str(source), "-o", str(tmp_path / "out.json")],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert process.returncode == 0, process.stderr
    assert json.loads((tmp_path / "out.json").read_text()) == load_json(
        scenario("registration_basic") / "expected.json")


def test_a_reference_date_before_every_parameter_set_exits_2(tmp_path):
    document = load_json(scenario("registration_basic") / "input.json")
    document["reference_date"] = "2019-01-01"
    code, _out, message = run(write(tmp_path, document))
    assert code == 2 and "no legal parameters known for 2019-01-01" in message


def test_without_output_the_result_goes_to_stdout(tmp_path):
    code, out, err = run(scenario("eligibility_reasons") / "input.json")
    assert code == 0
    assert json.loads(out) == load_json(scenario("eligibility_reasons") / "expected.json")
    assert "6 listings" in err


# --- the reader and the writer against the engine's own rows -----------------------------------------------------

ROUNDS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.function_scoped_fixture])


@ROUNDS
@given(small_rounds(max_listings=4, max_applicants=6))
def test_the_file_reads_into_the_same_facts_and_writes_the_same_document_as_the_rows(round_input):
    document = json.loads(json.dumps(document_from_round_input(round_input)))
    from_file = parse_round_document(document)
    from_rows = round_input.compile()
    assert from_file.reference_date == REFERENCE_DATE
    for name in ("applicant_ids", "group_names", "listings"):
        assert getattr(from_file.facts, name) == getattr(from_rows, name)
    for name in ("household_size", "assessed_income_cents", "is_pension_age_household", "registration_day",
                 "is_urgent", "applicant_group_mask", "motivation_applicant", "motivation_listing",
                 "motivation_score", "bid_applicant", "bid_listing", "bid_preference", "bid_submitted_us"):
        assert getattr(from_file.facts, name).tolist() == getattr(from_rows, name).tolist(), name
    result = solve_round(from_file.facts, PARAMS_2025, reference_date=REFERENCE_DATE, lottery_seed="s")
    stream = io.StringIO()
    write_result(result, stream)
    assert json.loads(stream.getvalue()) == result.to_document()


# Values each field must refuse, and what the message starts with.
BAD_VALUES = {
    "listings": {
        "id": [None, "", 5], "base_rent": ["-5", "5,00", 600, "6.005", None], "selection": ["random", None],
        "urgency_first": [1, "yes", None], "household_size_min": [0, 2.5, "2", True], "income_max": [40000, "4e4"],
        "allowed_groups": ["senior", [1], [""]], "affordability_exception": [0, None], "dwelling": [7],
    },
    "applicants": {
        "id": ["", 7, None], "household_size": [0, 31, "2", True, 2.0], "assessed_income": [30000, "30.000,00",
                                                                                          "-1", "1e5", None],
        "is_pension_age_household": [0, "false", None], "is_urgent": [1],
        "registration_date": ["2015/01/01", "2015-1-1", 20150101, None, "2015-02-30"],
        "groups": ["senior", [None], [""], {}], "motivation_scores": [[], "7", {"L0": "7"}, {"L0": True}],
    },
    "bids": {
        "applicant": [None, 5, "NOPE", [1]], "listing": [None, "NOPE"],
        "preference": [0, -1, "1", 1.0, True, 10**7], "submitted_at": ["yesterday", None, 20250526,
                                                                      "2025-05-26T25:00:00"],
    },
}


@ROUNDS
@given(small_rounds(max_listings=3, max_applicants=4), st.data())
def test_every_bad_value_is_reported_where_it_is(round_input, data):
    document = document_from_round_input(round_input)
    sections = [s for s in BAD_VALUES if document[s]]
    section = data.draw(st.sampled_from(sections))
    row = data.draw(st.integers(0, len(document[section]) - 1))
    field = data.draw(st.sampled_from(sorted(BAD_VALUES[section])))
    change = data.draw(st.sampled_from([*BAD_VALUES[section][field], "<remove>", "<add>"]))
    broken = copy.deepcopy(document)
    if change == "<remove>":
        del broken[section][row][field]
        where = f"{section}[{row}].{field}: missing"
    elif change == "<add>":
        broken[section][row]["nickname"] = "x"
        where = f'{section}[{row}]: unknown key "nickname"'
    else:
        broken[section][row][field] = change
        where = f"{section}[{row}].{field}"
    with pytest.raises(RoundFileError) as caught:
        parse_round_document(json.loads(json.dumps(broken)))
    assert any(problem.startswith(where) for problem in caught.value.problems), caught.value.problems


@pytest.mark.parametrize("text", ["2026-03-02T09:15", "2026-03-02 09:15:00", "2026-03-02T09:15:00.5",
                                  "2026-03-02T09:15:00.1234567", "20260302T091500", "2026-W10-1T09:15",
                                  "2026-03-02T09:15:00,5", "2026-03-02"])
def test_bid_times_in_any_iso_form_mean_the_same_moment(text):
    values, is_utc = _microseconds([text, "2026-03-02T10:00:00"], _Problems())
    expected = (datetime.fromisoformat(text) - datetime(1970, 1, 1)).total_seconds() * 1_000_000
    assert not is_utc and values[0] == round(expected)


def test_bid_times_with_offsets_are_compared_in_utc():
    problems = _Problems()
    values, is_utc = _microseconds(["2026-03-02T10:00:00+01:00", "2026-03-02T09:30:00Z"], problems)
    assert is_utc and not problems and values[0] < values[1]
    _microseconds(["2026-03-02T10:00:00+01:00", "2026-03-02T09:30:00"], problems)
    assert problems.sorted() == ["bids[1].submitted_at: has no UTC offset while other bids have one"]


def test_dates_in_the_result_are_the_dates_in_the_file():
    document = load_json(scenario("registration_basic") / "expected.json")
    candidate = document["listings"]["L1"]["candidates"][0]
    assert date.fromisoformat(candidate["detail"]["registration_date"]) == date(2008, 3, 1)


# --- round/2: motivation from blind assessments (issue 13 item 2) ----------------------------------------------------

NOT_MOTIVATION = tuple(key for key in SelectionKey if key is not SelectionKey.MOTIVATION)


@pytest.mark.parametrize("criteria", [[], None, "<missing>"])
def test_a_round_2_motivation_listing_without_criteria_exits_2_naming_the_file_the_listing_and_the_field(
        tmp_path, criteria):
    document = load_json(scenario("round2_ties") / "input.json")
    if criteria == "<missing>":
        del document["listings"][1]["criteria"]
        problem = "listings[1].criteria: missing"
    else:
        document["listings"][1]["criteria"] = criteria
        problem = ('listings[1].criteria: listing "REGISTRATION_DATE" selects on motivation and must publish its '
                   "criteria: a non-empty list of texts")
    path = write(tmp_path, document)
    code, out, message = run(path)
    assert (code, out) == (2, "")
    assert message.splitlines() == [f"{path} is not a valid round file (1 problems):", f"  {problem}"]


def test_round_2_results_name_their_format_and_the_new_reasons(tmp_path):
    code, out, _err = run(scenario("round2_below_minimum") / "input.json")
    assert code == 0
    result = json.loads(out)
    assert result["format"] == RESULT_FORMAT_2 and set(result) == RESULT_KEYS
    assert {entry["reason"] for entry in result["ineligible"]} == {"motivation_below_minimum", "motivation_incomplete"}


def test_round_1_keys_are_refused_in_a_round_2_file_and_round_2_keys_in_a_round_1_file():
    document = load_json(scenario("round2_ties") / "input.json")
    document["applicants"][0]["motivation_scores"] = {"SCORE": 3}
    with pytest.raises(RoundFileError) as caught:
        parse_round_document(document)
    assert caught.value.problems == ['applicants[0]: unknown key "motivation_scores"']
    document = load_json(scenario("registration_basic") / "input.json")
    document["listings"][0]["criteria"] = ["x"]
    with pytest.raises(RoundFileError) as caught:
        parse_round_document(document)
    assert caught.value.problems == ['listings[0]: unknown key "criteria"']


@ROUNDS
@given(small_rounds(max_listings=4, max_applicants=6, selections=NOT_MOTIVATION), seeds)
def test_a_round_1_file_gives_byte_for_byte_the_same_result_read_as_round_2(round_input, seed):
    # Round/2 changes only motivation listings: a round/1 file without them, upgraded to round/2 (the same rows,
    # no criteria, no minimum, no assessments), gives the same bytes, apart from the result's format name.
    document = document_from_round_input(round_input, seed=seed)
    outputs = []
    for version in (document, upgrade_to_round_2(document)):
        round_file = parse_round_document(json.loads(json.dumps(version)))
        result = solve_round(round_file.facts, PARAMS_2025, reference_date=REFERENCE_DATE, lottery_seed=seed)
        streamed, indented = io.StringIO(), io.StringIO()
        write_result(result, streamed)
        write_result(result, indented, indent=2)
        outputs.append((streamed.getvalue(), indented.getvalue(), candidate_detail_texts(result)))
    (streamed_1, indented_1, details_1), (streamed_2, indented_2, details_2) = outputs
    assert streamed_1.startswith('{"format":"buurtbalans.round-result/1",')
    assert streamed_2 == streamed_1.replace("buurtbalans.round-result/1", "buurtbalans.round-result/2", 1)
    assert indented_2 == indented_1.replace("buurtbalans.round-result/1", "buurtbalans.round-result/2", 1)
    assert details_2 == details_1


@ROUNDS
@given(small_rounds(max_listings=4, max_applicants=6, round_2=True))
def test_a_round_2_file_reads_into_the_same_facts_and_writes_the_same_document_as_the_rows(round_input):
    document = json.loads(json.dumps(document_from_round_input(round_input)))
    assert document["format"] == "buurtbalans.round/2"
    from_file = parse_round_document(document).facts
    from_rows = round_input.compile()
    assert from_file.motivation_rule == from_rows.motivation_rule
    for name in ("listings", "assessor_ids"):
        assert getattr(from_file, name) == getattr(from_rows, name)
    for name in ("assessment_applicant", "assessment_listing", "assessment_assessor", "assessment_score_tenths",
                 "bid_applicant", "bid_listing", "registration_day"):
        assert getattr(from_file, name).tolist() == getattr(from_rows, name).tolist(), name
    result = solve_round(from_file, PARAMS_2025, reference_date=REFERENCE_DATE, lottery_seed="s")
    stream = io.StringIO()
    write_result(result, stream)
    assert json.loads(stream.getvalue()) == result.to_document()
    assert [json.loads(text) for text in candidate_detail_texts(result)] == [
        c["detail"] for li in range(len(from_file.listings)) for c in result.listing_entry(li)["candidates"]]


# Values each round/2 field must refuse; "<L>" stands for a listing of the round.
BAD_VALUES_2 = {
    "listings": {"criteria": ["Helpt mee", [""], [1], {}], "motivation_min_score": [2.5, "4.5", "2.25", "-1", ""]},
    "applicants": {"motivation_assessments": [
        [], "x", {"NOPE": []}, {"<L>": "x"}, {"<L>": ["anna"]}, {"<L>": [{"assessor": "anna"}]},
        {"<L>": [{"assessor": "", "score": "2.0"}]}, {"<L>": [{"assessor": 7, "score": "2.0"}]},
        {"<L>": [{"assessor": "anna", "score": 2.0}]}, {"<L>": [{"assessor": "anna", "score": "4.1"}]},
        {"<L>": [{"assessor": "anna", "score": "3.25"}]}, {"<L>": [{"assessor": "anna", "score": "2,5"}]},
        {"<L>": [{"assessor": "anna", "score": "2.0"}, {"assessor": "bram", "score": "2.0", "note": "x"}]},
    ]},
}


@ROUNDS
@given(small_rounds(max_listings=3, max_applicants=4, round_2=True), st.data())
def test_every_bad_round_2_value_is_reported_where_it_is(round_input, data):
    document = document_from_round_input(round_input)
    sections = [s for s in BAD_VALUES_2 if document[s]]
    section = data.draw(st.sampled_from(sections))
    row = data.draw(st.integers(0, len(document[section]) - 1))
    field = data.draw(st.sampled_from(sorted(BAD_VALUES_2[section])))
    change = data.draw(st.sampled_from([*BAD_VALUES_2[section][field], "<remove>"]))
    broken = copy.deepcopy(document)
    if change == "<remove>":
        del broken[section][row][field]
        where = f"{section}[{row}].{field}: missing"
    else:
        text = json.dumps(change).replace("<L>", document["listings"][0]["id"])
        broken[section][row][field] = json.loads(text)
        where = f"{section}[{row}].{field}"
    with pytest.raises(RoundFileError) as caught:
        parse_round_document(json.loads(json.dumps(broken)))
    assert any(problem.startswith(where) for problem in caught.value.problems), caught.value.problems


def test_an_assessment_problem_names_the_applicant_the_listing_and_the_field():
    document = load_json(scenario("round2_ties") / "input.json")
    document["applicants"][2]["motivation_assessments"]["SCORE"][1]["score"] = "4.5"
    document["applicants"][3]["motivation_assessments"]["REGISTRATION_DATE"].append({"assessor": "chris"})
    document["listings"][0]["motivation_min_score"] = "2.25"
    document["listings"][0]["selection"] = "lottery"
    with pytest.raises(RoundFileError) as caught:
        parse_round_document(document)
    assert caught.value.problems == [
        "listings[0].criteria: only a listing that selects on motivation has criteria (null or [] here)",
        'listings[0].motivation_min_score: must be a score from "0.0" to "4.0" as a string with at most one '
        'decimal, such as "2.5", or null',
        'applicants[2].motivation_assessments.SCORE[1].score: must be a score from "0.0" to "4.0" as a string with '
        'at most one decimal, such as "2.5"',
        "applicants[3].motivation_assessments.REGISTRATION_DATE[2].score: missing",
    ]


def test_every_reason_of_the_engine_has_a_dutch_label_and_fits_the_outcome_rows():
    from buurtbalans.allocation.models import BidResult, IneligibleReasonCode
    from buurtbalans.engine.allocation import REASON_ORDER

    assert [code for code, _label in IneligibleReasonCode.choices] == [reason.value for reason in REASON_ORDER]
    assert max(map(len, IneligibleReasonCode.values)) <= BidResult._meta.get_field("reason").max_length
    with translation.override("nl"):
        labels = dict(IneligibleReasonCode.choices)
        assert str(labels["motivation_incomplete"]) == "Motivatie niet volledig beoordeeld"
        assert str(labels["motivation_below_minimum"]) == "Motivatiescore lager dan het minimum"
