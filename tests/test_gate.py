from __future__ import annotations

from typing import Any

import pytest

from tracecard.gate.judge import (
    CardGate,
    Flag,
    Row,
    Skip,
    SkipReason,
    Verdict,
    gate_card,
    judge,
    judge_constraints,
    match_result,
    matching_results,
)
from tracecard.model.metrics import Direction, Vocabulary


class _Float(float):
    """Stands in for the parser's YamlFloat."""


def crit(metric: str = "accuracy", launch: object = 0.8, **extra: Any) -> dict[str, Any]:
    return {"metric": metric, "dataset": "DS-holdout", "launch": launch, **extra}


def res(metric: str = "accuracy", value: object = 0.85, **extra: Any) -> dict[str, Any]:
    return {"metric": metric, "dataset": "DS-holdout", "value": value, **extra}


# --- verdict display ------------------------------------------------------------------------


def test_verdict_display_strings() -> None:
    assert [str(v) for v in Verdict] == ["PASS", "BELOW TARGET", "FAIL", "MISSING"]
    assert [v.is_error for v in Verdict] == [False, False, True, True]


# --- matching -------------------------------------------------------------------------------


def test_cutoff_metric_matches_across_spellings() -> None:
    results = [res("precision@5", 0.9), res("precision@10", 0.7), res("precision_at_10", 0.6)]
    assert match_result(crit("Precision@10"), results) == 1
    assert matching_results(crit("Precision@10"), results) == [1, 2]
    assert match_result(crit("precision@20"), results) is None
    assert match_result(crit("P@5"), results) == 0


def test_match_requires_same_dataset_split_and_slice() -> None:
    results = [
        res(dataset="DS-other"),
        res(split="validation"),
        res(split="test", slice="mobile"),
        res(split="test"),
        res(),
    ]
    assert match_result(crit(split="test"), results) == 3
    assert match_result(crit(split="test", slice="mobile"), results) == 2
    assert match_result(crit(), results) == 4  # no split matches only no split
    assert match_result(crit(split="Test"), results) is None  # exact
    assert match_result(crit(dataset="DS-other"), results) == 0


def test_criterion_without_split_does_not_match_result_with_one() -> None:
    assert match_result(crit(), [res(split="test")]) is None
    assert match_result(crit(split="test"), [res()]) is None
    assert match_result(crit(split=None), [res()]) == 0


@pytest.mark.parametrize(
    ("criterion", "results"),
    [
        (None, [res()]),
        ([], [res()]),
        ("accuracy", [res()]),
        (crit(), None),
        (crit(), {"metric": "accuracy"}),
        (crit(), "accuracy"),
        (crit(), [None, 3, "x", ["accuracy"]]),
        ({"metric": None, "dataset": "DS-holdout"}, [res()]),
        ({"metric": "accuracy"}, [{"metric": "accuracy", "value": 1}]),
    ],
)
def test_match_tolerates_odd_input(criterion: object, results: object) -> None:
    assert match_result(criterion, results) is None


def test_match_skips_odd_entries_and_finds_the_good_one() -> None:
    assert match_result(crit(), [None, "x", 3, res()]) == 3


# --- judging criteria -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "launch", "target", "actual", "verdict"),
    [
        ("accuracy", 0.8, 0.9, 0.95, Verdict.PASS),
        ("accuracy", 0.8, 0.9, 0.9, Verdict.PASS),
        ("accuracy", 0.8, 0.9, 0.85, Verdict.BELOW_TARGET),
        ("accuracy", 0.8, 0.9, 0.8, Verdict.BELOW_TARGET),
        ("accuracy", 0.8, 0.9, 0.79, Verdict.FAIL),
        ("accuracy", 0.8, None, 0.8, Verdict.PASS),
        ("latency_p95_ms", 200, 150, 120, Verdict.PASS),
        ("latency_p95_ms", 200, 150, 180, Verdict.BELOW_TARGET),
        ("latency_p95_ms", 200, 150, 250, Verdict.FAIL),
        ("log_loss", 0.4, 0.3, 0.25, Verdict.PASS),
        ("log_loss", 0.4, 0.3, 0.35, Verdict.BELOW_TARGET),
        ("log_loss", 0.4, 0.3, 0.45, Verdict.FAIL),
        ("fpr", 0.05, 0.02, 0.01, Verdict.PASS),
        ("fpr", 0.05, 0.02, 0.03, Verdict.BELOW_TARGET),
        ("fpr", 0.05, 0.02, 0.06, Verdict.FAIL),
        ("fpr", 0.05, None, 0.05, Verdict.PASS),
        ("LogLoss", 0.4, None, 0.5, Verdict.FAIL),
    ],
)
def test_verdicts_follow_the_direction(
    metric: str, launch: float, target: float | None, actual: float, verdict: Verdict
) -> None:
    criterion = crit(metric, launch) | ({} if target is None else {"target": target})
    row = judge(criterion, res(metric, actual))
    assert row.verdict is verdict
    assert not row.ci_warning and not row.unknown_metric
    assert row.flags == frozenset()


def test_lower_is_better_rows_carry_their_direction() -> None:
    assert judge(crit("latency_p99_ms", 300), res("latency_p99_ms", 10)).direction is (
        Direction.LOWER
    )
    assert judge(crit("recall", 0.5), res("recall", 0.6)).direction is Direction.HIGHER


def test_row_values_and_positions() -> None:
    launch, actual = _Float(0.7), _Float(0.72)
    criterion = crit("Precision@10", launch, target=0.8, split="test", slice="new users")
    result = res("precision@10", actual, split="test", slice="new users", ci=[0.7, 0.75])
    row = judge(criterion, result, criterion_index=2, result_index=5, requirement="REQ-0003")
    assert row == Row(
        metric="precision@10", dataset="DS-holdout", split="test", slice="new users",
        launch=launch, target=0.8, actual=actual, ci=(0.7, 0.75), direction=Direction.HIGHER,
        verdict=Verdict.BELOW_TARGET, criterion_index=2, result_index=5,
        requirement="REQ-0003",
    )  # fmt: skip
    assert row.actual is actual  # the loaded object is kept, so its spelling can be shown


def test_criterion_direction_overrides_the_vocabulary() -> None:
    row = judge(crit("accuracy", 0.2, direction="lower"), res("accuracy", 0.1))
    assert (row.direction, row.verdict) == (Direction.LOWER, Verdict.PASS)
    row = judge(crit("fpr", 0.2, direction="Higher"), res("fpr", 0.1))
    assert (row.direction, row.verdict) == (Direction.HIGHER, Verdict.FAIL)


def test_bad_direction_is_ignored_and_flagged() -> None:
    row = judge(crit("fpr", 0.2, direction="down"), res("fpr", 0.1))
    assert (row.direction, row.verdict) == (Direction.LOWER, Verdict.PASS)
    assert row.flags == {Flag.BAD_DIRECTION}


def test_unknown_metric_without_direction_is_judged_as_higher() -> None:
    row = judge(crit("churn_uplift", 0.5), res("churn_uplift", 0.4))
    assert (row.direction, row.verdict, row.unknown_metric) == (
        Direction.HIGHER, Verdict.FAIL, True,
    )  # fmt: skip
    assert Flag.DIRECTION_ASSUMED in row.flags


def test_unknown_metric_with_direction_uses_it_but_stays_unknown() -> None:
    row = judge(crit("churn", 0.5, direction="lower"), res("churn", 0.4))
    assert (row.direction, row.verdict, row.unknown_metric) == (
        Direction.LOWER, Verdict.PASS, True,
    )  # fmt: skip
    assert Flag.DIRECTION_ASSUMED not in row.flags


def test_team_metric_direction_comes_from_config() -> None:
    vocab = Vocabulary.from_config({"churn": {"direction": "lower", "min": 0, "max": 1}})
    row = judge(crit("churn", 0.5), res("churn", 0.4), vocab)
    assert (row.direction, row.verdict, row.unknown_metric) == (
        Direction.LOWER, Verdict.PASS, False,
    )  # fmt: skip


# --- confidence intervals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "launch", "value", "ci", "warn", "verdict"),
    [
        ("recall", 0.8, 0.82, [0.78, 0.86], True, Verdict.PASS),
        ("recall", 0.8, 0.82, [0.86, 0.78], True, Verdict.PASS),  # reversed ends
        ("recall", 0.8, 0.82, [0.80, 0.86], False, Verdict.PASS),
        ("recall", 0.8, 0.82, (0.81, 0.83), False, Verdict.PASS),
        ("recall", 0.8, 0.79, [0.75, 0.83], False, Verdict.FAIL),  # already failing
        ("latency_p95_ms", 200, 190, [170, 215], True, Verdict.PASS),
        ("latency_p95_ms", 200, 190, [150, 200], False, Verdict.PASS),
        ("latency_p95_ms", 200, 190, [185, 240], True, Verdict.PASS),
        ("fpr", 0.05, 0.04, [0.01, 0.06], True, Verdict.PASS),
        ("fpr", 0.05, 0.04, [0.03, 0.049], False, Verdict.PASS),
    ],
)
def test_ci_warning_uses_the_pessimistic_end(
    metric: str, launch: float, value: float, ci: list[float], warn: bool, verdict: Verdict
) -> None:
    row = judge(crit(metric, launch), res(metric, value, ci=ci))
    assert (row.verdict, row.ci_warning) == (verdict, warn)


def test_ci_warning_on_below_target() -> None:
    row = judge(crit("recall", 0.8, target=0.9), res("recall", 0.85, ci=[0.79, 0.9]))
    assert (row.verdict, row.ci_warning) == (Verdict.BELOW_TARGET, True)


@pytest.mark.parametrize("ci", [[0.7], [0.7, 0.8, 0.9], ["0.7", "0.9"], "0.7-0.9", 0.8,
                                {"low": 0.7}, [None, 0.9], [True, 0.9]])  # fmt: skip
def test_bad_ci_is_ignored_and_flagged(ci: object) -> None:
    row = judge(crit("recall", 0.8), res("recall", 0.85, ci=ci))
    assert (row.verdict, row.ci, row.ci_warning) == (Verdict.PASS, None, False)
    assert row.flags == {Flag.BAD_CI}


# --- what cannot be judged ------------------------------------------------------------------


def test_no_result_is_missing() -> None:
    row = judge(crit(), None, criterion_index=0, result_index=4)
    assert (row.verdict, row.actual, row.result_index) == (Verdict.MISSING, None, None)
    assert row.flags == {Flag.NO_RESULT}


@pytest.mark.parametrize("value", ["0.93", None, True, [0.9], {"v": 1}, float("nan")])
def test_result_value_that_is_not_a_number_is_missing(value: object) -> None:
    result = res(value=value)
    if value is None:
        del result["value"]
    row = judge(crit(), result)
    assert (row.verdict, row.actual) == (Verdict.MISSING, None)
    assert row.flags == {Flag.BAD_ACTUAL}


def test_ints_and_float_subclasses_are_numbers() -> None:
    assert judge(crit("latency_p95_ms", 200), res("latency_p95_ms", 150)).verdict is Verdict.PASS
    assert judge(crit(launch=_Float(0.8)), res(value=_Float(0.9))).verdict is Verdict.PASS


@pytest.mark.parametrize("launch", [None, "0.8", True, [0.8]])
def test_unusable_launch_is_missing(launch: object) -> None:
    row = judge(crit(launch=launch), res())
    assert (row.verdict, row.launch) == (Verdict.MISSING, None)
    assert Flag.BAD_LAUNCH in row.flags


def test_unusable_target_is_ignored_and_flagged() -> None:
    row = judge(crit(target="high"), res(value=0.85))
    assert (row.verdict, row.target) == (Verdict.PASS, None)
    assert row.flags == {Flag.BAD_TARGET}


def test_criterion_without_metric_or_dataset_is_missing() -> None:
    row = judge({"dataset": "DS-holdout", "launch": 0.8}, res())
    assert (row.verdict, row.metric) == (Verdict.MISSING, None)
    assert Flag.NO_METRIC in row.flags
    row = judge({"metric": "accuracy", "launch": 0.8}, res())
    assert row.verdict is Verdict.MISSING and Flag.NO_DATASET in row.flags


@pytest.mark.parametrize("criterion", [None, [], "accuracy >= 0.8", 3, {"metric": ["f1"]}])
@pytest.mark.parametrize("result", [None, [], "0.9", res()])
def test_judge_never_raises(criterion: object, result: object) -> None:
    assert judge(criterion, result).verdict is Verdict.MISSING


# --- constraints ----------------------------------------------------------------------------


def _by_metric(rows: list[Row]) -> dict[str | None, Row]:
    return {row.metric: row for row in rows}


def test_numeric_constraints_are_upper_bounds() -> None:
    constraints = {
        "latency_p95_ms": 200,
        "latency_p99_ms": 400,
        "cost_per_1k_usd": 0.5,
        "model_size_mb": 100,
    }
    operational = {
        "latency_p95_ms": 150,
        "latency_p99_ms": 450,
        "cost_per_1k_usd": 0.5,
        "model_size_mb": _Float(250.0),
    }
    rows = _by_metric(judge_constraints(constraints, operational, requirement="REQ-0001"))
    assert {k: r.verdict for k, r in rows.items()} == {
        "latency_p95_ms": Verdict.PASS,
        "latency_p99_ms": Verdict.FAIL,
        "cost_per_1k_usd": Verdict.PASS,
        "model_size_mb": Verdict.FAIL,
    }
    assert all(r.direction is Direction.LOWER and r.constraint for r in rows.values())
    assert all(r.requirement == "REQ-0001" and r.criterion_index is None for r in rows.values())
    assert rows["latency_p99_ms"].launch == 400 and rows["latency_p99_ms"].actual == 450


def test_higher_is_better_constraint_is_a_minimum() -> None:
    [row] = judge_constraints({"throughput_rps": 100}, {"throughput_rps": 80})
    assert (row.direction, row.verdict) == (Direction.HIGHER, Verdict.FAIL)


def test_constraint_keys_are_normalised_on_both_sides() -> None:
    [row] = judge_constraints({"p95-latency-ms": 200}, {"Latency P95 ms": 150})
    assert (row.metric, row.verdict) == ("latency_p95_ms", Verdict.PASS)


def test_unknown_constraint_is_a_maximum() -> None:
    [row] = judge_constraints({"gpu_count": 2}, {"gpu_count": 4})
    assert (row.direction, row.verdict, row.unknown_metric) == (
        Direction.LOWER, Verdict.FAIL, True,
    )  # fmt: skip


def test_missing_or_odd_operational_values() -> None:
    constraints = {"latency_p95_ms": 200, "model_size_mb": 100, "cost_per_1k_usd": "cheap"}
    rows = _by_metric(judge_constraints(constraints, {"model_size_mb": "90MB"}))
    assert rows["latency_p95_ms"].verdict is Verdict.MISSING
    assert rows["latency_p95_ms"].flags == {Flag.NO_RESULT}
    assert rows["model_size_mb"].verdict is Verdict.MISSING
    assert rows["model_size_mb"].flags == {Flag.BAD_ACTUAL}
    assert rows["cost_per_1k_usd"].verdict is Verdict.MISSING
    assert Flag.BAD_LAUNCH in rows["cost_per_1k_usd"].flags


@pytest.mark.parametrize(
    ("need", "card", "verdict"),
    [
        ("required", "full", Verdict.PASS),
        ("required", "yes", Verdict.PASS),
        ("required", True, Verdict.PASS),
        ("required", "required", Verdict.PASS),
        ("required", "partial", Verdict.FAIL),
        ("required", "none", Verdict.FAIL),
        ("required", False, Verdict.FAIL),
        ("required", None, Verdict.MISSING),
        ("required", "somewhat", Verdict.MISSING),
        ("preferred", "full", Verdict.PASS),
        ("preferred", "partial", Verdict.BELOW_TARGET),
        ("preferred", "none", Verdict.BELOW_TARGET),
        ("preferred", None, Verdict.BELOW_TARGET),
        ("not_required", "none", Verdict.PASS),
        ("not_required", None, Verdict.PASS),
        ("not required", "full", Verdict.PASS),
        ("mandatory", "full", Verdict.MISSING),
        (["required"], "full", Verdict.MISSING),
    ],
)
def test_explainability_is_ordinal(need: object, card: object, verdict: Verdict) -> None:
    operational = {} if card is None else {"explainability": card}
    [row] = judge_constraints({"explainability": need}, operational)
    assert (row.metric, row.verdict, row.constraint) == ("explainability", verdict, True)


def test_explainability_flags() -> None:
    [row] = judge_constraints({"explainability": "preferred"}, {})
    assert row.flags == {Flag.NO_RESULT}
    [row] = judge_constraints({"explainability": "mandatory"}, {"explainability": "full"})
    assert row.flags == {Flag.BAD_LAUNCH}


@pytest.mark.parametrize("constraints", [None, [], "fast", 3])
def test_constraints_that_are_not_a_mapping_give_no_rows(constraints: object) -> None:
    assert judge_constraints(constraints, {"latency_p95_ms": 1}) == []


@pytest.mark.parametrize("operational", [None, [], "fast", 3])
def test_operational_that_is_not_a_mapping_is_missing(operational: object) -> None:
    [row] = judge_constraints({"latency_p95_ms": 200}, operational)
    assert row.verdict is Verdict.MISSING and row.flags == {Flag.NO_RESULT}


def test_non_string_constraint_key_is_flagged() -> None:
    [row] = judge_constraints({7: 200}, {7: 100})
    assert (row.metric, row.verdict, row.flags) == (
        None,
        Verdict.MISSING,
        frozenset({Flag.NO_METRIC}),
    )


# --- a whole card ---------------------------------------------------------------------------


def _requirements() -> dict[str, Any]:
    return {
        "REQ-0001": {
            "status": "agreed",
            "criteria": [
                crit("Precision@10", 0.6, target=0.7, split="test"),
                crit("recall", 0.5),
                crit("latency_p95_ms", 300),
            ],
            "constraints": {"model_size_mb": 500, "explainability": "preferred"},
        },
        "REQ-0002": {"status": "draft", "criteria": [crit("f1", 0.9)]},
        "REQ-0003": {"status": "agreed", "criteria": [crit("fpr", 0.05, split="test")]},
        "REQ-0004": {"status": "retired", "criteria": [crit("f1", 0.9)]},
    }


def _card() -> dict[str, Any]:
    return {
        "id": "MC-ranker",
        "status": "candidate",
        "satisfies": ["REQ-0001", "REQ-0002", "REQ-0003", "REQ-0004", "REQ-0099"],
        "results": [
            res("precision@5", 0.9, split="test"),
            res("precision@10", 0.65, split="test", ci=[0.58, 0.7]),
            res("latency_p95_ms", 250),
            res("fpr", 0.08, split="test"),
        ],
        "operational": {"model_size_mb": 420, "explainability": "full"},
    }


def test_gate_card_rows_verdicts_and_positions() -> None:
    gate = gate_card(_card(), _requirements(), Vocabulary.builtin())
    summary = [
        (r.requirement, r.metric, r.criterion_index, r.result_index, r.verdict, r.ci_warning)
        for r in gate.rows
    ]
    assert summary == [
        ("REQ-0001", "precision@10", 0, 1, Verdict.BELOW_TARGET, True),
        ("REQ-0001", "recall", 1, None, Verdict.MISSING, False),
        ("REQ-0001", "latency_p95_ms", 2, 2, Verdict.PASS, False),
        ("REQ-0001", "model_size_mb", None, None, Verdict.PASS, False),
        ("REQ-0001", "explainability", None, None, Verdict.PASS, False),
        ("REQ-0003", "fpr", 0, 3, Verdict.FAIL, False),
    ]
    assert gate.skipped == (
        Skip("REQ-0002", SkipReason.NOT_AGREED),
        Skip("REQ-0004", SkipReason.NOT_AGREED),
        Skip("REQ-0099", SkipReason.UNKNOWN_REQUIREMENT),
    )
    assert gate.rows[1].flags == {Flag.NO_RESULT}
    assert [r.constraint for r in gate.rows] == [False, False, False, True, True, False]


def test_gate_card_does_not_look_at_the_card_status() -> None:
    card = _card() | {"status": "draft"}
    assert gate_card(card, _requirements()).rows == gate_card(_card(), _requirements()).rows


def test_gate_card_single_string_satisfies_and_duplicates() -> None:
    card = _card() | {"satisfies": "REQ-0003"}
    assert [r.requirement for r in gate_card(card, _requirements()).rows] == ["REQ-0003"]
    card = _card() | {"satisfies": ["REQ-0003", 7, "REQ-0003"]}
    gate = gate_card(card, _requirements())
    assert [r.requirement for r in gate.rows] == ["REQ-0003"]
    assert gate.skipped == (
        Skip(None, SkipReason.BAD_ID, 1),
        Skip("REQ-0003", SkipReason.DUPLICATE, 2),
    )


def test_gate_card_flags_ambiguous_results() -> None:
    card = _card() | {"satisfies": ["REQ-0003"]}
    card["results"] = [res("fpr", 0.01, split="test"), res("FPR", 0.2, split="test")]
    [row] = gate_card(card, _requirements()).rows
    assert (row.result_index, row.verdict) == (0, Verdict.PASS)
    assert row.flags == {Flag.AMBIGUOUS_RESULT}


def test_gate_card_skips_odd_requirements_and_criteria() -> None:
    requirements = {
        "REQ-0001": {"status": "agreed", "criteria": [None, crit("recall", 0.5), "f1 > 0.8"]},
        "REQ-0002": ["status", "agreed"],
        "REQ-0003": {"status": "agreed", "criteria": "precision >= 0.7", "constraints": [1]},
        "REQ-0004": {"status": ["agreed"], "criteria": [crit()]},
        "REQ-0005": None,
    }
    card = {"satisfies": list(requirements), "results": [res("recall", 0.6)]}
    gate = gate_card(card, requirements)
    assert [(r.requirement, r.criterion_index, r.verdict) for r in gate.rows] == [
        ("REQ-0001", 1, Verdict.PASS),
    ]
    assert gate.skipped == (
        Skip("REQ-0001", SkipReason.NOT_A_MAPPING, 0),
        Skip("REQ-0001", SkipReason.NOT_A_MAPPING, 2),
        Skip("REQ-0002", SkipReason.NOT_A_MAPPING),
        Skip("REQ-0003", SkipReason.BAD_CRITERIA),
        Skip("REQ-0003", SkipReason.BAD_CONSTRAINTS),
        Skip("REQ-0004", SkipReason.NOT_AGREED),
        Skip("REQ-0005", SkipReason.NOT_A_MAPPING),
    )


def test_gate_card_with_results_of_the_wrong_shape() -> None:
    for results in (None, {"metric": "fpr"}, "fpr: 0.01", [None, 3]):
        card = {"satisfies": ["REQ-0003"], "results": results}
        [row] = gate_card(card, _requirements()).rows
        assert row.verdict is Verdict.MISSING and row.flags == {Flag.NO_RESULT}


@pytest.mark.parametrize("card", [None, [], "MC-x", {}, {"satisfies": None}, {"satisfies": 3}])
@pytest.mark.parametrize("requirements", [None, [], {}, _requirements()])
def test_gate_card_never_raises(card: object, requirements: object) -> None:
    assert gate_card(card, requirements) == CardGate()


def test_result_string_value_does_not_crash_the_gate() -> None:
    card = _card() | {"satisfies": ["REQ-0003"]}
    card["results"] = [res("fpr", "0.01", split="test")]
    [row] = gate_card(card, _requirements()).rows
    assert (row.verdict, row.result_index, row.flags) == (
        Verdict.MISSING, 0, frozenset({Flag.BAD_ACTUAL}),
    )  # fmt: skip
