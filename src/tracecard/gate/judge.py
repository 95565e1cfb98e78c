"""The launch gate: a card's results held against its requirements, over plain data.

Pure: the inputs are front-matter mappings as loaded, the output is rows of values. Which
cards are gated, how rows are shown and what exit code they make are the caller's business.

Matching (`match_result`)
    A result matches a criterion when the normalised metric names are equal and `dataset`,
    `split` and `slice` are equal exactly (case-sensitive). A missing or null `split`/`slice`
    matches only a missing or null one: a criterion with no split does not match a result
    measured on `test`, because "which split?" is the question the gate exists to settle.
    When several results match, the first is used and the row carries `AMBIGUOUS_RESULT`.

Verdicts (`judge`)
    MISSING       the criterion could not be judged: no matching result (`NO_RESULT`), a
                  result value that is absent or not a number (`BAD_ACTUAL`: the string
                  "0.93" is not a number), or a criterion without a usable metric, dataset or
                  launch value (`NO_METRIC`, `NO_DATASET`, `BAD_LAUNCH`).
    FAIL          the value misses the launch minimum.
    BELOW_TARGET  the value meets launch but misses the target.
    PASS          the value meets the target, or launch when there is no target.
    Gated slices: a criterion with no `slice` of its own also holds each of its `slices`, and
    each gated edge case of its dataset, to the same bars: one more row per slice
    (`gated_slice`), matched and judged like a criterion written with that `slice`. A slice
    without a result is MISSING, one under the launch value FAILs, whatever the aggregate says.
    `ci_warning` is set when the verdict is PASS or BELOW_TARGET but the interval's pessimistic
    end (low for higher-is-better, high for lower-is-better) misses launch.
    Direction: the criterion's `direction`, else the vocabulary's; an unknown metric with no
    direction is judged as higher-is-better (`DIRECTION_ASSUMED`). `unknown_metric` is set
    whenever the vocabulary does not know the metric, with or without a direction.

Input is never trusted: odd types are skipped or flagged, never raised on. Numbers are ints and
floats (float subclasses included), finite, and not bools.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TypeGuard

from tracecard.model.fast import constructor
from tracecard.model.metrics import (
    EXPLAINABILITY,
    Direction,
    Explainability,
    Metric,
    Vocabulary,
    as_number,
    card_explainability,
    normalise,
    required_explainability,
)


class Verdict(Enum):
    PASS = "PASS"
    BELOW_TARGET = "BELOW TARGET"
    FAIL = "FAIL"
    MISSING = "MISSING"

    def __str__(self) -> str:
        return self.value

    @property
    def is_error(self) -> bool:
        """FAIL and MISSING are errors; BELOW TARGET is a warning."""
        return self in (Verdict.FAIL, Verdict.MISSING)


class Flag(StrEnum):
    """Why a row looks the way it does, beyond its verdict."""

    NO_RESULT = "no_result"  # no matching result, or no operational value for the constraint
    BAD_ACTUAL = "bad_actual"  # the result's value is absent or not a number (or level)
    NO_METRIC = "no_metric"  # the criterion's metric (or constraint key) is not a string
    NO_DATASET = "no_dataset"  # the criterion names no dataset
    BAD_LAUNCH = "bad_launch"  # the launch value (or constraint limit) is absent or unusable
    BAD_TARGET = "bad_target"  # the target is present but not a number: ignored
    BAD_DIRECTION = "bad_direction"  # the criterion's direction is not higher/lower: ignored
    DIRECTION_ASSUMED = "direction_assumed"  # unknown metric, no direction given
    BAD_CI = "bad_ci"  # the result's ci is not a pair of numbers: ignored
    AMBIGUOUS_RESULT = "ambiguous_result"  # several results match; the first is used
    OUT_OF_RANGE = "out_of_range"  # the value is outside the metric's range: FAIL, not compared
    OUTSIDE_CI = "outside_ci"  # the value lies outside its own confidence interval: FAIL


Value = float | str | None  # numbers keep the object they were loaded as (YamlFloat keeps `1.10`)


@dataclass(frozen=True, slots=True)
class Row:
    """One criterion or constraint of one requirement, judged against one card."""

    metric: str | None  # normalised; the constraint key for constraints
    dataset: str | None
    split: str | None
    slice: str | None
    launch: Value
    target: Value
    actual: Value
    ci: tuple[float, float] | None
    direction: Direction
    verdict: Verdict
    ci_warning: bool = False
    unknown_metric: bool = False
    flags: frozenset[Flag] = frozenset()
    criterion_index: int | None = None  # position in the requirement's `criteria`
    result_index: int | None = None  # position in the card's `results`
    requirement: str | None = None
    constraint: bool = False  # True for a row from `constraints` / `operational`
    gated_slice: bool = False  # a slice the criterion holds to its bars on its own


#: Row(...), built through its slots (tracecard.model.fast): a gate makes one per criterion,
#: slice and constraint of every card.
_row = constructor(Row)


class SkipReason(StrEnum):
    NOT_AGREED = "not_agreed"  # the requirement's status is not `agreed`
    UNKNOWN_REQUIREMENT = "unknown_requirement"  # `satisfies` names an ID not given
    BAD_ID = "bad_id"  # a `satisfies` entry that is not a string
    DUPLICATE = "duplicate"  # a requirement named twice in `satisfies`
    NOT_A_MAPPING = "not_a_mapping"  # a requirement or criterion that is not a mapping
    BAD_CRITERIA = "bad_criteria"  # `criteria` present but not a list
    BAD_CONSTRAINTS = "bad_constraints"  # `constraints` present but not a mapping
    NO_CRITERIA = "no_criteria"  # an agreed requirement with no criterion and no constraint


@dataclass(frozen=True, slots=True)
class Skip:
    requirement: str | None
    reason: SkipReason
    index: int | None = None  # the criterion's, or the `satisfies` entry's, position


@dataclass(frozen=True, slots=True)
class CardGate:
    rows: tuple[Row, ...] = ()
    skipped: tuple[Skip, ...] = ()


# --- matching -------------------------------------------------------------------------------


def _match_key(entry: Mapping[str, object]) -> tuple[str, object, object, object] | None:
    metric, dataset = entry.get("metric"), entry.get("dataset")
    if not isinstance(metric, str) or dataset is None:
        return None
    return normalise(metric), dataset, entry.get("split"), entry.get("slice")


def matching_results(criterion: object, results: object) -> list[int]:
    """Positions of every result that matches `criterion` (see the module docstring)."""
    if not isinstance(criterion, Mapping) or not _is_list(results):
        return []
    return _matching(criterion, _result_keys(results))


def _result_keys(results: Sequence[object]) -> list[tuple[str, object, object, object] | None]:
    """The match key of each result (None: it matches nothing), worked out once per card and
    requirement rather than once per criterion."""
    return [_match_key(r) if _is_mapping(r) else None for r in results]


def _matching(
    criterion: Mapping[str, object], keys: list[tuple[str, object, object, object] | None]
) -> list[int]:
    key = _match_key(criterion)
    if key is None:
        return []
    return [i for i, k in enumerate(keys) if k == key]


def match_result(criterion: object, results: object) -> int | None:
    """Position of the first result that matches `criterion`, or None."""
    found = matching_results(criterion, results)
    return found[0] if found else None


# --- judging criteria -----------------------------------------------------------------------


def _verdict(
    direction: Direction, actual: float | None, launch: float | None, target: float | None
) -> Verdict:
    if actual is None or launch is None:
        return Verdict.MISSING
    if not direction.meets(actual, launch):
        return Verdict.FAIL
    if target is not None and not direction.meets(actual, target):
        return Verdict.BELOW_TARGET
    return Verdict.PASS


def _direction(
    given: object, metric: Metric | None, fallback: Direction, flags: set[Flag]
) -> Direction:
    if given is not None:
        word = given.strip().lower() if isinstance(given, str) else None
        if word in ("higher", "lower"):
            return Direction(word)
        flags.add(Flag.BAD_DIRECTION)
    if metric is not None:
        return metric.direction
    flags.add(Flag.DIRECTION_ASSUMED)
    return fallback


def _ci(raw: object, flags: set[Flag]) -> tuple[float, float] | None:
    if raw is None:
        return None
    ends = [as_number(end) for end in raw] if _is_list(raw) else []
    numbers = [end for end in ends if end is not None]
    if len(ends) != 2 or len(numbers) != 2:
        flags.add(Flag.BAD_CI)
        return None
    return (min(numbers), max(numbers))


def _shown(value: object, number: float | None) -> Value:
    """`value` as shown in a row: the loaded number object (a YamlFloat keeps `1.10`) when it
    is a number (`number`, its `as_number`, worked out already), else None."""
    return value if number is not None else None  # type: ignore[return-value]


def _text(value: object) -> str | None:
    return None if value is None else value if isinstance(value, str) else str(value)


def judge(
    criterion: object,
    result: object,
    vocab: Vocabulary | None = None,
    *,
    criterion_index: int | None = None,
    result_index: int | None = None,
    requirement: str | None = None,
    gated_slice: bool = False,
    ambiguous: bool = False,
) -> Row:
    """Judge one criterion against its matching result (None when nothing matched).
    `ambiguous`: other results match too (the row is flagged AMBIGUOUS_RESULT)."""
    vocab = vocab or Vocabulary.builtin()
    crit: Mapping[str, object] = criterion if _is_mapping(criterion) else {}
    res: Mapping[str, object] | None = result if _is_mapping(result) else None
    flags: set[Flag] = {Flag.AMBIGUOUS_RESULT} if ambiguous else set()
    get = crit.get  # each key read once
    raw_metric, dataset, raw_launch, raw_target = (
        get("metric"), get("dataset"), get("launch"), get("target")
    )
    metric = vocab.lookup(raw_metric)
    direction = _direction(get("direction"), metric, Direction.HIGHER, flags)
    launch, target = _thresholds(raw_metric, dataset, raw_launch, raw_target, flags)
    raw_actual = res.get("value") if res is not None else None
    actual, ci = _measurement(res, raw_actual, flags)
    if actual is not None and metric is not None and not vocab.in_range(metric, actual):
        flags.add(Flag.OUT_OF_RANGE)
    if actual is not None and ci is not None and not min(ci) <= actual <= max(ci):
        flags.add(Flag.OUTSIDE_CI)
    if flags & _UNJUDGEABLE:
        verdict = Verdict.MISSING
    elif flags & _IMPLAUSIBLE and launch is not None:
        verdict = Verdict.FAIL  # a value that cannot be what was measured is not compared
    else:
        verdict = _verdict(direction, actual, launch, target)
    ci_warning = (
        ci is not None
        and launch is not None
        and verdict in (Verdict.PASS, Verdict.BELOW_TARGET)
        and not direction.meets(direction.pessimistic(*ci), launch)
    )
    return _row(
        metric=normalise(raw_metric) if isinstance(raw_metric, str) else None,
        dataset=_text(dataset),
        split=_text(get("split")),
        slice=_text(get("slice")),
        launch=_shown(raw_launch, launch),
        target=_shown(raw_target, target),
        actual=_shown(raw_actual, actual),
        ci=ci,
        direction=direction,
        verdict=verdict,
        ci_warning=ci_warning,
        unknown_metric=metric is None,
        flags=frozenset(flags),
        criterion_index=criterion_index,
        result_index=None if res is None else result_index,
        requirement=requirement,
        gated_slice=gated_slice,
    )


_UNJUDGEABLE = frozenset({Flag.NO_METRIC, Flag.NO_DATASET})
_IMPLAUSIBLE = frozenset({Flag.OUT_OF_RANGE, Flag.OUTSIDE_CI})


def _thresholds(
    metric: object, dataset: object, launch: object, target: object, flags: set[Flag]
) -> tuple[float | None, float | None]:
    """(launch, target) of a criterion as numbers, flagging what makes it unjudgeable."""
    if not isinstance(metric, str):
        flags.add(Flag.NO_METRIC)
    if dataset is None:
        flags.add(Flag.NO_DATASET)
    launch_number, target_number = as_number(launch), as_number(target)
    if launch_number is None:
        flags.add(Flag.BAD_LAUNCH)
    if target_number is None and target is not None:
        flags.add(Flag.BAD_TARGET)
    return launch_number, target_number


def _measurement(
    res: Mapping[str, object] | None, value: object, flags: set[Flag]
) -> tuple[float | None, tuple[float, float] | None]:
    """(value, ci) of the matched result (`value` read from it), flagging what is absent or
    unusable."""
    if res is None:
        flags.add(Flag.NO_RESULT)
        return None, None
    actual = as_number(value)
    if actual is None:
        flags.add(Flag.BAD_ACTUAL)
    return actual, _ci(res.get("ci"), flags)


def _is_mapping(value: object) -> TypeGuard[Mapping[str, object]]:
    """isinstance(value, Mapping), without the ABC's check for a dict (what YAML loads)."""
    return type(value) is dict or isinstance(value, Mapping)


def judge_criteria(
    criteria: Sequence[object],
    results: object,
    vocab: Vocabulary | None = None,
    *,
    requirement: str | None = None,
    gated_slices: Mapping[str, Sequence[str]] | None = None,
) -> tuple[list[Row], list[Skip]]:
    """Judge every criterion against the card's results; non-mapping criteria are skipped."""
    rows: list[Row] = []
    skipped: list[Skip] = []
    items = results if _is_list(results) else []
    keys = _result_keys(items)
    gated = gated_slices or {}
    for i, criterion in enumerate(criteria):
        if not _is_mapping(criterion):
            skipped.append(Skip(requirement, SkipReason.NOT_A_MAPPING, i))
            continue
        rows.append(_judged(criterion, items, keys, vocab, i, requirement))
        for name in slices_of(criterion, gated):
            held = {**criterion, "slice": name}
            rows.append(_judged(held, items, keys, vocab, i, requirement, gated_slice=True))
    return rows, skipped


def _judged(
    criterion: Mapping[str, object], items: Sequence[object],
    keys: list[tuple[str, object, object, object] | None], vocab: Vocabulary | None,
    index: int, requirement: str | None, gated_slice: bool = False,
) -> Row:
    found = _matching(criterion, keys)
    first = found[0] if found else None
    return judge(
        criterion, None if first is None else items[first], vocab,
        criterion_index=index, result_index=first, requirement=requirement,
        gated_slice=gated_slice, ambiguous=len(found) > 1,
    )  # fmt: skip


def slices_of(criterion: Mapping[str, object], gated: Mapping[str, Sequence[str]]) -> list[str]:
    """The slices a criterion holds to its bars on their own: its `slices`, then the gated edge
    cases of its dataset, each once. A criterion that is itself on a slice has none."""
    if criterion.get("slice") is not None:
        return []
    names: list[str] = []
    own = criterion.get("slices")
    dataset = criterion.get("dataset")
    edge = gated.get(dataset, ()) if isinstance(dataset, str) else ()
    for name in [*(own if _is_list(own) else ()), *edge]:
        if isinstance(name, str) and name.strip() and name not in names:
            names.append(name)
    return names


def gated_edge_cases(datasets: Mapping[str, object]) -> dict[str, list[str]]:
    """Dataset ID -> the names of its edge cases marked `gated: true` (front matter in)."""
    out: dict[str, list[str]] = {}
    for ds_id, data in datasets.items():
        cases = data.get("edge_cases") if isinstance(data, Mapping) else None
        names = [
            c["name"] for c in (cases if _is_list(cases) else ())
            if isinstance(c, Mapping) and c.get("gated") is True and isinstance(c.get("name"), str)
        ]  # fmt: skip
        if names:
            out[ds_id] = names
    return out


# --- judging constraints --------------------------------------------------------------------


def _operational_value(operational: Mapping[object, object], key: str) -> tuple[bool, object]:
    if key in operational:
        return True, operational[key]
    wanted = normalise(key)
    for name, value in operational.items():
        if isinstance(name, str) and normalise(name) == wanted:
            return True, value
    return False, None


def _numeric_constraint(
    key: str, limit: object, present: bool, actual: object, vocab: Vocabulary,
    requirement: str | None,
) -> Row:
    flags: set[Flag] = set()
    metric = vocab.lookup(key)
    # A constraint is a budget: an unknown key is read as a maximum.
    direction = _direction(None, metric, Direction.LOWER, flags)
    limit_number, actual_number = as_number(limit), as_number(actual)
    if limit_number is None:
        flags.add(Flag.BAD_LAUNCH)
    if not present:
        flags.add(Flag.NO_RESULT)
    elif actual_number is None:
        flags.add(Flag.BAD_ACTUAL)
    verdict = _verdict(direction, actual_number, limit_number, None)
    return _constraint_row(
        normalise(key), _shown(limit, limit_number), None, _shown(actual, actual_number),
        direction, verdict, metric is None, flags, requirement,
    )  # fmt: skip


def _explainability_constraint(
    need: object, present: bool, actual: object, requirement: str | None
) -> Row:
    flags: set[Flag] = set()
    levels = required_explainability(need)
    level = card_explainability(actual)
    if not present:
        flags.add(Flag.NO_RESULT)
    elif level is None:
        flags.add(Flag.BAD_ACTUAL)
    if levels is None:
        flags.add(Flag.BAD_LAUNCH)
        verdict = Verdict.MISSING
    else:
        launch, target = levels
        # Only a launch minimum above NONE needs the card to state its level.
        if level is None and launch is Explainability.NONE:
            level = Explainability.NONE
        verdict = _verdict(Direction.HIGHER, level, launch, target)
    shown_actual = actual if isinstance(actual, str) else None if actual is None else str(actual)
    return _constraint_row(
        EXPLAINABILITY,
        None if levels is None else levels[0].name.lower(),
        None if levels is None else levels[1].name.lower(),
        shown_actual, Direction.HIGHER, verdict, False, flags, requirement,
    )  # fmt: skip


def _constraint_row(
    key: str | None,
    launch: Value,
    target: Value,
    actual: Value,
    direction: Direction,
    verdict: Verdict,
    unknown: bool,
    flags: set[Flag],
    requirement: str | None,
) -> Row:
    return _row(
        metric=key, dataset=None, split=None, slice=None, launch=launch, target=target,
        actual=actual, ci=None, direction=direction, verdict=verdict, unknown_metric=unknown,
        flags=frozenset(flags), requirement=requirement, constraint=True,
    )  # fmt: skip


def judge_constraints(
    constraints: object,
    operational: object,
    vocab: Vocabulary | None = None,
    *,
    requirement: str | None = None,
) -> list[Row]:
    """One row per constraint, held against the card's `operational` values."""
    if not isinstance(constraints, Mapping):
        return []
    vocab = vocab or Vocabulary.builtin()
    values: Mapping[object, object] = operational if isinstance(operational, Mapping) else {}
    rows = []
    for key, limit in constraints.items():
        if not isinstance(key, str):
            flags = {Flag.NO_METRIC}
            row = _constraint_row(None, None, None, None, Direction.LOWER, Verdict.MISSING,
                                  True, flags, requirement)  # fmt: skip
        else:
            present, actual = _operational_value(values, key)
            if normalise(key) == EXPLAINABILITY:
                row = _explainability_constraint(limit, present, actual, requirement)
            else:
                row = _numeric_constraint(key, limit, present, actual, vocab, requirement)
        rows.append(row)
    return rows


# --- a whole card ---------------------------------------------------------------------------


def _satisfies(card: Mapping[str, object]) -> tuple[list[str], list[Skip]]:
    raw = card.get("satisfies")
    entries = [raw] if isinstance(raw, str) else raw if _is_list(raw) else []
    ids: list[str] = []
    skipped: list[Skip] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, str):
            skipped.append(Skip(None, SkipReason.BAD_ID, i))
        elif entry in ids:
            skipped.append(Skip(entry, SkipReason.DUPLICATE, i))
        else:
            ids.append(entry)
    return ids, skipped


def _is_agreed(requirement: Mapping[str, object]) -> bool:
    status = requirement.get("status")
    return isinstance(status, str) and status.strip().lower() == "agreed"


def gate_requirement(
    requirement_id: str,
    requirement: object,
    card: Mapping[str, object],
    vocab: Vocabulary | None = None,
    gated_slices: Mapping[str, Sequence[str]] | None = None,
) -> CardGate:
    """The rows of one requirement against one card (its status is not checked here)."""
    if not isinstance(requirement, Mapping):
        return CardGate((), (Skip(requirement_id, SkipReason.NOT_A_MAPPING),))
    skipped: list[Skip] = []
    rows: list[Row] = []
    criteria = requirement.get("criteria")
    if _is_list(criteria):
        rows, skipped = judge_criteria(
            criteria, card.get("results"), vocab, requirement=requirement_id,
            gated_slices=gated_slices,
        )
    elif criteria is not None:
        skipped.append(Skip(requirement_id, SkipReason.BAD_CRITERIA))
    constraints = requirement.get("constraints")
    if constraints is not None and not isinstance(constraints, Mapping):
        skipped.append(Skip(requirement_id, SkipReason.BAD_CONSTRAINTS))
    rows += judge_constraints(
        constraints, card.get("operational"), vocab, requirement=requirement_id
    )
    return CardGate(tuple(rows), tuple(skipped))


def gate_card(
    card: object,
    requirements: object,
    vocab: Vocabulary | None = None,
    gated_slices: Mapping[str, Sequence[str]] | None = None,
) -> CardGate:
    """Every agreed requirement the card `satisfies`, judged; the rest listed as skipped.

    `gated_slices` (dataset ID -> edge-case names, see `gated_edge_cases`) adds the gated edge
    cases of each criterion's dataset to the slices it holds on their own. The card's own
    status is not looked at: whether a draft card can fail is the caller's call.
    """
    data: Mapping[str, object] = card if isinstance(card, Mapping) else {}
    known: Mapping[object, object] = requirements if isinstance(requirements, Mapping) else {}
    ids, skipped = _satisfies(data)
    rows: list[Row] = []
    for requirement_id in ids:
        requirement = known.get(requirement_id)
        if requirement_id not in known:
            skipped.append(Skip(requirement_id, SkipReason.UNKNOWN_REQUIREMENT))
        elif isinstance(requirement, Mapping) and not _is_agreed(requirement):
            skipped.append(Skip(requirement_id, SkipReason.NOT_AGREED))
        else:
            part = gate_requirement(requirement_id, requirement, data, vocab, gated_slices)
            rows += part.rows
            skipped += part.skipped
            if not part.rows and not part.skipped:
                skipped.append(Skip(requirement_id, SkipReason.NO_CRITERIA))
    return CardGate(tuple(rows), tuple(skipped))


def _is_list(value: object) -> TypeGuard[list[object] | tuple[object, ...]]:
    return isinstance(value, list | tuple)
