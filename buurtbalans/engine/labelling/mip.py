"""The labelling plan as a mixed-integer program, solved lexicographically with HiGHS (highspy).

The issue states the program with one binary per vacancy and label (sum 1 per vacancy), a continuous excess
variable per complex and measure (>= 0 and >= the projected share minus the target), and the global rows
Σ RESERVED_VULNERABLE >= min_vulnerable_placements and Σ ABOVE_CAP <= n - ceil(min_affordable_share * n).
We solve equivalent programs that HiGHS solves much faster (docs/labelling.md, "The model"; the engine tests
compare the result with an exhaustive search over all 4^n labellings):

1. Counts. Within a complex the vacancies differ only in whether ABOVE_CAP is allowed; the projected counts, both
   global rows and all three objectives depend only on the label counts (O, N, R, A) of each complex. Every
   per-vacancy labelling has such counts, and every count vector with A <= (vacancies allowing ABOVE_CAP) is the
   count of a per-vacancy labelling. So the optimal objective vectors are the same.
2. OPEN follows from R and A. Given R and A the primary-band share is fixed (O + N = n - R - A; both bring q_open).
   OPEN brings p_open vulnerable households and NO_VULNERABLE p_no (p_no_vulnerable, 0 by default); write
   p_low = min(p_open, p_no) and d = p_open - p_low (OPEN's extra over the cheaper of the two). The vulnerable
   excess is smallest, max(0, F) households over the limit with F(R, A) = Vb + p_low (n - R - A) + R + p_above A
   (Vb: the count left after the moves minus the limit), with every other vacancy the cheaper label. The most OPEN
   that keep it there is g(R, A) = n - R - A when d = 0 (p_open <= p_no, or p_open = 0), else 0 when F >= 0, else
   min(n - R - A, floor(-F / d)). More OPEN raises the excess (stage 1 never picks that); fewer is no better in
   any stage. So a complex's plan is (R, A, O = g(R, A)) with the exact excess
   f(R, A) = (max(0, F(R, A)) + max(0, Pb + q_open (n - R - A) + q_reserved R + q_above A)) / H.
   With p_no = 0 (every plan before issue 13) p_low = 0, d = p_open and F = Vb + R + p_above A, as before.

Stage 1 (least sum of excess shares) is solved on integers R_c, A_c (R + A <= n, A <= allowed) with continuous
u_c, w_c >= 0 and >= the two affine parts of f: f is convex in (R, A), so this relaxation is close to integral.
Stages 2 and 3 depend on the floor in g, which that relaxation represents badly; they are solved on the options
of each complex: a binary x[c, k] per undominated option k = (R, A, g, f) with Σ_k x[c, k] = 1, whose relaxation
is the convex hull of each complex's options. An option (R, A') is dominated by (R, A) with A < A' when
f(R, A) <= f(R, A'): same R, no more excess, fewer ABOVE_CAP and no fewer OPEN (g does not grow with A).
Replacing it never makes a stage worse, so every lexicographic optimum stays reachable. A complex with very many
vacancies (more than OPTION_LIMIT candidate options) keeps the counts form in stages 2 and 3, with OPEN as an
integer variable O <= n - R - A in its vulnerable row: the same plans, without the options' quadratic number.

Lexicographic solve:
  1. minimise Σ f (counts model); optimum z1;
  2. options model with Σ f x <= z1 + EXCESS_TOLERANCE: minimise Σ A x; optimum z2 (an integer);
  3. add Σ A x <= z2: maximise Σ g x; optimum z3.
Stage 2 minimises (n + 1) Σ A x - Σ g x instead of Σ A x. Proof that this gives the fewest ABOVE_CAP and, among
those, the most OPEN: A and g are integers and 0 <= Σ g <= n. If a plan y had Σ A(y) < Σ A(x*) for the minimiser
x*, then (n + 1) A(y) - g(y) <= (n + 1) (A(x*) - 1) = (n + 1) A(x*) - n - 1 < (n + 1) A(x*) - n
<= (n + 1) A(x*) - g(x*), a contradiction; among plans with A = A(x*) it maximises g. So stage 2 already ends
at the stage-3 optimum and stage 3 only confirms it (HiGHS's heuristics need seconds to find that plan from a
start with few OPEN labels; this way it is the start). Each stage starts from the previous plan, and the status of
every solve is checked before its solution is read.
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

# Two plans whose sums of excess shares differ by less than this are equally good in stage 1. It equals HiGHS's
# default primal feasibility tolerance, the accuracy with which the solver meets a row anyway. As a share it is
# 0.00001 percentage point.
EXCESS_TOLERANCE = 1e-7
# Float noise: an excess below this is 0, and keeping an option needs its excess to fall by more than this.
_NOISE = 1e-12
# The options model's excess row counts in units of 1/10,000 share: HiGHS ignores matrix values below 1e-9, and
# a true excess share can be that small (an excess of 0.0001 household in a complex of 100,000).
EXCESS_ROW_SCALE = 1e4
INF = highspy.kHighsInf


@dataclass(frozen=True)
class ComplexRows:
    """One complex with vacancies, as the programs see it.

    Attributes:
        vacancies: n. above_allowed: vacancies whose lawful ceiling is above the cap. households: H.
        vulnerable_base: Vb = V - Lv - tv H, the vulnerable households over the limit (negative: room) when every
            vacancy is let NO_VULNERABLE and NO_VULNERABLE brings none (p_no_vulnerable = 0).
            primary_base: Pb = P - Lp - tp H, the same for the primary band when
            nobody moves in.
    """

    vacancies: int
    above_allowed: int
    households: int
    vulnerable_base: float
    primary_base: float


@dataclass(frozen=True)
class Inflow:
    """Expected inflow per label (floats for the solver).

    p_open, p_above, q_open, q_reserved, q_above, and p_no_vulnerable: the vulnerable households through the regular
    route on a NO_VULNERABLE vacancy (default 0).
    """

    p_open: float
    p_above: float
    q_open: float
    q_reserved: float
    q_above: float
    p_no_vulnerable: float = 0.0

    @property
    def p_low(self) -> float:
        """The vulnerable inflow of the cheaper of OPEN and NO_VULNERABLE (module docstring, 2)."""
        return min(self.p_open, self.p_no_vulnerable)

    @property
    def open_extra(self) -> float:
        """d: what an OPEN label brings beyond the cheaper of the two (0 when NO_VULNERABLE brings as much)."""
        return self.p_open - self.p_low


@dataclass(frozen=True)
class CountSolution:
    """Label counts per complex (rows in input order; columns OPEN, NO_VULNERABLE, RESERVED, ABOVE) and timing."""

    counts: np.ndarray
    stage_objectives: tuple[float, float, float]
    seconds: float
    options: int


class Infeasible(Exception):
    """No counts satisfy the rows; `constraints` names the global rows that cannot be met together."""

    def __init__(self, constraints: tuple[str, ...]):
        super().__init__(", ".join(constraints))
        self.constraints = constraints


class SolverStopped(Exception):
    """HiGHS ended a stage without a proven optimum; the message gives the stage and HiGHS's model status."""


# --- the plan of one complex ---------------------------------------------------------------------------------


def max_open(rows: ComplexRows, inflow: Inflow, reserved: int, above: int) -> int:
    """g(R, A): the most OPEN labels that do not raise the complex's vulnerable excess (module docstring, 2)."""
    free = rows.vacancies - reserved - above
    extra = inflow.open_extra
    if extra <= 0:
        return free
    over = vulnerable_floor(rows, inflow, reserved, above)
    if over >= 0:
        return 0
    # A hair of slack, so a room of exactly k x d (up to float rounding) admits k.
    return min(free, math.floor((-over + 1e-9) / extra))


def vulnerable_floor(rows: ComplexRows, inflow: Inflow, reserved: int, above: int) -> float:
    """F(R, A): the vulnerable households over the limit, the rest let as the cheaper of OPEN and NO_VULNERABLE.

    Module docstring, 2. With p_no_vulnerable = 0 it is the same float as Vb + R + p_above A.
    """
    rest = rows.vacancies - reserved - above
    return rows.vulnerable_base + inflow.p_low * rest + reserved + inflow.p_above * above


def excess_share(rows: ComplexRows, inflow: Inflow, reserved: int, above: int) -> float:
    """f(R, A): the complex's excess share over its two limits, with OPEN = g(R, A) (module docstring, 2).

    That is max(0, projected vulnerable share - target) + max(0, projected primary share - target); float noise
    below _NOISE counts as 0.
    """
    vulnerable = vulnerable_floor(rows, inflow, reserved, above)
    rest = rows.vacancies - reserved - above
    primary = rows.primary_base + inflow.q_open * rest + inflow.q_reserved * reserved + inflow.q_above * above
    f = (max(0.0, vulnerable) + max(0.0, primary)) / rows.households
    return 0.0 if f < _NOISE else f


# --- HiGHS ---------------------------------------------------------------------------------------------------

_banner_silenced = False


def _highs() -> highspy.Highs:
    """A Highs instance, with the licence banner of the first one in a process sent to /dev/null.

    That banner goes straight to file descriptor 1, before any option can turn output off, and would corrupt a
    JSON document on stdout.
    """
    global _banner_silenced
    if _banner_silenced:
        return highspy.Highs()
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
        ctypes.CDLL(None).fflush(None)  # the banner sits in C's stdout buffer until flushed
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    _banner_silenced = True
    return h


def _new_solver(seed: int, lp: highspy.HighsLp) -> highspy.Highs:
    h = _highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", int(seed))
    # Prove optimality; the default 0.01% relative gap could stop at a plan that is not the lexicographic optimum.
    h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(lp)
    return h


def _lp(
    costs: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    columns: list[list[tuple[int, float]]],
    integer: list[bool],
) -> highspy.HighsLp:
    starts, index, value = [], [], []
    for entries in columns:
        starts.append(len(index))
        for row, coefficient in entries:
            if coefficient != 0.0:
                index.append(row)
                value.append(coefficient)
    lp = highspy.HighsLp()
    lp.num_col_ = len(columns)
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = costs
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array([*starts, len(index)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=np.float64)
    kinds = highspy.HighsVarType
    lp.integrality_ = [kinds.kInteger if flag else kinds.kContinuous for flag in integer]
    return lp


def _solve(h: highspy.Highs, stage: str, deadline: float | None, *, may_be_infeasible: bool = False) -> float:
    if deadline is not None:
        h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.001))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        # Only stage 1 can be infeasible: later stages start from the previous stage's plan.
        if status == highspy.HighsModelStatus.kInfeasible and may_be_infeasible:
            raise Infeasible(())
        raise SolverStopped(f"stage {stage}: HiGHS stopped without an optimal plan ({h.modelStatusToString(status)})")
    return h.getInfo().objective_function_value


def _start(h: highspy.Highs, values: np.ndarray) -> None:
    solution = highspy.HighsSolution()
    solution.col_value = values
    solution.value_valid = True
    h.setSolution(solution)


# --- stage 1: counts model -----------------------------------------------------------------------------------


def _counts_model(
    complexes: Sequence[ComplexRows],
    inflow: Inflow,
    min_reserved: int,
    max_above: int,
    *,
    reserved_row: bool = True,
    above_row: bool = True,
) -> highspy.HighsLp:
    """The stage-1 program: least sum of excess shares, on the label counts of each complex.

    Columns per complex: R, A (integers), u, w (continuous). Rows per complex: R + A <= n;
    u - (1 - p_low) R - (p_above - p_low) A >= Vb + p_low n (that is u >= F(R, A));
    w - (q_reserved - q_open) R - (q_above - q_open) A >= Pb + q_open n.
    Then Σ R >= min_reserved and Σ A <= max_above. Objective Σ (u + w) / H.
    """
    k = len(complexes)
    reserved, above = 3 * k, 3 * k + 1
    columns: list[list[tuple[int, float]]] = []
    costs, lower, upper, integer = [], [], [], []
    row_lower, row_upper = np.empty(3 * k + 2), np.empty(3 * k + 2)
    low = inflow.p_low
    for c, rows in enumerate(complexes):
        free, vul, pri = 3 * c, 3 * c + 1, 3 * c + 2
        columns.append(
            [(free, 1.0), (vul, -(1.0 - low)), (pri, -(inflow.q_reserved - inflow.q_open)), (reserved, 1.0)])
        columns.append(
            [(free, 1.0), (vul, -(inflow.p_above - low)), (pri, -(inflow.q_above - inflow.q_open)), (above, 1.0)])
        columns.append([(vul, 1.0)])
        columns.append([(pri, 1.0)])
        costs += [0.0, 0.0, 1.0 / rows.households, 1.0 / rows.households]
        lower += [0.0] * 4
        upper += [rows.vacancies, rows.above_allowed, INF, INF]
        integer += [True, True, False, False]
        row_lower[free], row_upper[free] = -INF, rows.vacancies
        row_lower[vul], row_upper[vul] = rows.vulnerable_base + low * rows.vacancies, INF
        row_lower[pri], row_upper[pri] = rows.primary_base + inflow.q_open * rows.vacancies, INF
    row_lower[reserved], row_upper[reserved] = (min_reserved if reserved_row else -INF), INF
    row_lower[above], row_upper[above] = -INF, (max_above if above_row else INF)
    return _lp(np.array(costs), np.array(lower), np.array(upper), row_lower, row_upper, columns, integer)


# --- stages 2 and 3: options model (with counts for large complexes) ----------------------------------------

# A complex with more candidate options than this, (n + 1) x (min(allowed, n) + 1), keeps the counts form in
# stages 2 and 3 too (a new-build complex let at once can have hundreds of vacancies, and hundreds squared options):
# its floor in g is one OPEN label among many, and the branch and bound closes such gaps quickly.
OPTION_LIMIT = 600


def uses_options(rows: ComplexRows) -> bool:
    """Whether the complex is small enough for the options form in stages 2 and 3 (see OPTION_LIMIT)."""
    return (rows.vacancies + 1) * (min(rows.above_allowed, rows.vacancies) + 1) <= OPTION_LIMIT


def complex_options(rows: ComplexRows, inflow: Inflow) -> list[tuple[int, int, int, int, float]]:
    """The complex's undominated options (O, N, R, A, f), R increasing and, per R, A increasing."""
    options = []
    for reserved in range(rows.vacancies + 1):
        best = math.inf
        for above in range(min(rows.above_allowed, rows.vacancies - reserved) + 1):
            f = excess_share(rows, inflow, reserved, above)
            if f < best - _NOISE:
                best = f
                open_ = max_open(rows, inflow, reserved, above)
                options.append((open_, rows.vacancies - reserved - above - open_, reserved, above, f))
    return options


class _Model:
    """The stage-2/3 program, column by column; built with the global rows' bounds.

    Global rows 0-2: Σ R >= min, Σ A <= max, Σ excess <= limit (in 1/EXCESS_ROW_SCALE shares). Per column it
    keeps how many ABOVE_CAP and OPEN labels it stands for.
    """

    RESERVED, ABOVE, EXCESS = range(3)

    def __init__(self, min_reserved: int, max_above: int, excess_limit: float):
        self.row_lower = [float(min_reserved), -INF, -INF]
        self.row_upper = [INF, float(max_above), excess_limit * EXCESS_ROW_SCALE]
        self.columns: list[list[tuple[int, float]]] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.above: list[float] = []
        self.open: list[float] = []

    def row(self, lower: float, upper: float) -> int:
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        return len(self.row_lower) - 1

    def column(self, entries, *, upper: float, integer: bool, above: float = 0.0, open_: float = 0.0) -> int:
        self.columns.append(entries)
        self.upper.append(upper)
        self.integer.append(integer)
        self.above.append(above)
        self.open.append(open_)
        return len(self.columns) - 1

    def lp(self, costs: np.ndarray) -> highspy.HighsLp:
        m = len(self.columns)
        return _lp(
            costs,
            np.zeros(m),
            np.array(self.upper),
            np.array(self.row_lower),
            np.array(self.row_upper),
            self.columns,
            self.integer,
        )


@dataclass
class _Complex:
    """Where one complex lives in the stage-2/3 program: its option columns, or its count columns."""

    options: list[tuple[int, int, int, int, float]] | None = None
    first: int = 0  # options: first column; counts: the column of O (then R, A, u, w)


def _stage_model(
    complexes: Sequence[ComplexRows], inflow: Inflow, min_reserved: int, max_above: int, excess_limit: float
) -> tuple[_Model, list[_Complex]]:
    model = _Model(min_reserved, max_above, excess_limit)
    placed = []
    for rows in complexes:
        if uses_options(rows):
            options = complex_options(rows, inflow)
            choice = model.row(1.0, 1.0)
            first = len(model.columns)
            for open_, _, reserved, above, f in options:
                entries = [
                    (choice, 1.0),
                    (model.RESERVED, reserved),
                    (model.ABOVE, above),
                    (model.EXCESS, f * EXCESS_ROW_SCALE),
                ]
                model.column(entries, upper=1.0, integer=True, above=above, open_=open_)
            placed.append(_Complex(options=options, first=first))
            continue
        # Counts: O + R + A <= n; u >= Vb + p_open O + p_no N + R + p_above A with N = n - O - R - A;
        # w >= Pb + q_open (n - R - A) + ... (as stage 1, with O as a variable: OPEN above g raises u, which the
        # excess row then has to allow).
        no = inflow.p_no_vulnerable
        free = model.row(-INF, rows.vacancies)
        vul = model.row(rows.vulnerable_base + no * rows.vacancies, INF)
        pri = model.row(rows.primary_base + inflow.q_open * rows.vacancies, INF)
        weight = EXCESS_ROW_SCALE / rows.households
        first = model.column([(free, 1.0), (vul, -(inflow.p_open - no))], upper=rows.vacancies, integer=True,
                             open_=1.0)
        model.column(
            [(free, 1.0), (vul, -(1.0 - no)), (pri, -(inflow.q_reserved - inflow.q_open)), (model.RESERVED, 1.0)],
            upper=rows.vacancies,
            integer=True,
        )
        model.column(
            [(free, 1.0), (vul, -(inflow.p_above - no)), (pri, -(inflow.q_above - inflow.q_open)),
             (model.ABOVE, 1.0)],
            upper=rows.above_allowed,
            integer=True,
            above=1.0,
        )
        model.column([(vul, 1.0), (model.EXCESS, weight)], upper=INF, integer=False)
        model.column([(pri, 1.0), (model.EXCESS, weight)], upper=INF, integer=False)
        placed.append(_Complex(first=first))
    return model, placed


def _stage_start(
    complexes: Sequence[ComplexRows], inflow: Inflow, placed: list[_Complex], plan: np.ndarray, columns: int
) -> tuple[np.ndarray, float]:
    """The stage-1 plan (R, A per complex) as a start for stage 2, and its sum of excess shares.

    An options complex takes the option that dominates (R, A): same R, the largest kept A <= A.
    """
    start = np.zeros(columns)
    total = 0.0
    for rows, where, (reserved, above) in zip(complexes, placed, plan, strict=True):
        reserved, above = int(reserved), int(above)
        if where.options is not None:
            best = None
            for i, (_, _, r, a, _) in enumerate(where.options):
                if r == reserved and a <= above:
                    best = i
            if best is None:
                raise SolverStopped("the stage-1 plan has no option in the stage-2 program")
            start[where.first + best] = 1.0
            total += where.options[best][4]
            continue
        open_ = max_open(rows, inflow, reserved, above)
        rest = rows.vacancies - reserved - above
        vulnerable = (rows.vulnerable_base + inflow.p_open * open_ + inflow.p_no_vulnerable * (rest - open_)
                      + reserved + inflow.p_above * above)
        primary = rows.primary_base + inflow.q_open * rest + inflow.q_reserved * reserved + inflow.q_above * above
        start[where.first : where.first + 5] = [open_, reserved, above, max(0.0, vulnerable), max(0.0, primary)]
        total += excess_share(rows, inflow, reserved, above)
    return start, total


def _stage_counts(complexes: Sequence[ComplexRows], placed: list[_Complex], values: np.ndarray) -> np.ndarray:
    """Label counts (O, N, R, A) per complex from a stage-2/3 solution."""
    counts = np.zeros((len(complexes), 4), dtype=np.int64)
    for c, (rows, where) in enumerate(zip(complexes, placed, strict=True)):
        if where.options is not None:
            chosen = [i for i in range(len(where.options)) if values[where.first + i] > 0.5]
            if len(chosen) != 1:
                raise SolverStopped("the solver's plan does not choose exactly one option per complex")
            counts[c] = where.options[chosen[0]][:4]
        else:
            open_, reserved, above = (int(round(v)) for v in values[where.first : where.first + 3])
            counts[c] = (open_, rows.vacancies - open_ - reserved - above, reserved, above)
            if counts[c, 1] < 0:
                raise SolverStopped("the solver's plan labels more vacancies than a complex has")
    return counts


# --- the lexicographic solve ---------------------------------------------------------------------------------


def solve_label_counts(
    complexes: Sequence[ComplexRows],
    inflow: Inflow,
    *,
    min_reserved: int,
    max_above: int,
    seed: int = 0,
    time_limit: float | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> CountSolution:
    """Solve the three lexicographic stages (module docstring) and return the label counts per complex.

    Args:
        complexes: the complexes that have vacancies.
        inflow: expected inflow per label.
        min_reserved: at least this many RESERVED_VULNERABLE in total.
        max_above: at most this many ABOVE_CAP in total.
        seed: HiGHS's random seed; the same seed and input give the same counts.
        time_limit: seconds for the three stages together; None for no limit.
        on_progress: called with (stages done, 3) after each stage.

    Returns:
        The counts and each stage's optimal objective (stage 3 as the number of OPEN labels).

    Raises:
        Infeasible: no counts satisfy the rows; `constraints` names the global rows that cannot be met.
        SolverStopped: a stage ended without a proven optimum (time limit, numerical trouble).
    """
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit
    k = len(complexes)

    # Stage 1: the least sum of excess shares, on the counts model.
    h = _new_solver(seed, _counts_model(complexes, inflow, min_reserved, max_above))
    # Well inside the tolerance, so z1 is the optimum as far as the tolerance can tell (the default gap is 1e-6).
    h.setOptionValue("mip_abs_gap", EXCESS_TOLERANCE / 10)
    try:
        z1 = _solve(h, "1 (excess shares)", deadline, may_be_infeasible=True)
    except Infeasible:
        raise Infeasible(_diagnose(complexes, inflow, min_reserved, max_above, seed)) from None
    if on_progress:
        on_progress(1, 3)
    plan = np.rint(np.array(h.getSolution().col_value).reshape(k, 4)[:, :2]).astype(np.int64)

    # Stage 2: the fewest ABOVE_CAP, then the most OPEN (weighted, see the module docstring), among the plans
    # within the tolerance of z1. It starts from the stage-1 plan; if float rounding puts that a hair above
    # z1 + tolerance, the limit takes the start's own sum instead.
    model, placed = _stage_model(complexes, inflow, min_reserved, max_above, z1 + EXCESS_TOLERANCE)
    m = len(model.columns)
    start, start_excess = _stage_start(complexes, inflow, placed, plan, m)
    if start_excess > z1 + EXCESS_TOLERANCE:
        model.row_upper[model.EXCESS] = start_excess * EXCESS_ROW_SCALE
    above, opened = np.array(model.above), np.array(model.open)
    vacancies = sum(rows.vacancies for rows in complexes)
    h = _new_solver(seed, model.lp((vacancies + 1) * above - opened))
    # The objective is an integer, so a gap below 1 proves the optimum. HiGHS's presolve spends seconds on the many
    # small choice rows and, in HiGHS 1.16, once reported an objective its own postsolved plan did not have; the
    # relaxation is tight enough without it.
    h.setOptionValue("mip_abs_gap", 0.5)
    h.setOptionValue("presolve", "off")
    _start(h, start)
    _solve(h, "2 (above the cap)", deadline)
    values = np.array(h.getSolution().col_value)
    z2 = round(float(above @ values))
    if on_progress:
        on_progress(2, 3)

    # Stage 3: the most OPEN among those.
    columns = np.arange(m, dtype=np.int32)
    h.addRow(-INF, z2, m, columns, above)
    h.changeColsCost(m, columns, -opened)
    _start(h, values)
    z3 = -round(_solve(h, "3 (open labels)", deadline))
    values = np.array(h.getSolution().col_value)
    counts = _stage_counts(complexes, placed, values)
    if int(counts[:, 0].sum()) != z3 or int(counts[:, 3].sum()) > z2:
        raise SolverStopped("stage 3 (open labels): HiGHS reported an objective its plan does not have")
    if on_progress:
        on_progress(3, 3)
    return CountSolution(
        counts=counts,
        stage_objectives=(z1, float(z2), float(z3)),
        seconds=time.perf_counter() - started,
        options=m,
    )


def _feasible(complexes: Sequence[ComplexRows], inflow: Inflow, min_reserved: int, max_above: int, seed: int, **rows):
    h = _new_solver(seed, _counts_model(complexes, inflow, min_reserved, max_above, **rows))
    h.run()
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _diagnose(
    complexes: Sequence[ComplexRows], inflow: Inflow, min_reserved: int, max_above: int, seed: int
) -> tuple[str, ...]:
    """Which global rows make the program infeasible: each whose removal alone restores feasibility, else both."""
    named = []
    if _feasible(complexes, inflow, min_reserved, max_above, seed, reserved_row=False):
        named.append("min_vulnerable_placements")
    if _feasible(complexes, inflow, min_reserved, max_above, seed, above_row=False):
        named.append("min_affordable_share")
    return tuple(named) or ("min_vulnerable_placements", "min_affordable_share")
