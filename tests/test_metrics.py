from __future__ import annotations

import math

import pytest

from tracecard.model.metrics import (
    ALIASES,
    CUTOFF_ALIASES,
    Direction,
    Explainability,
    Metric,
    Vocabulary,
    as_number,
    card_explainability,
    normalise,
    required_explainability,
)

VOCAB = Vocabulary.builtin()

NORMALISED = [
    ("Precision@10", "precision@10"),
    ("precision_at_10", "precision@10"),
    ("precision@ 10", "precision@10"),
    ("precision @ 10", "precision@10"),
    ("P@10", "precision@10"),
    ("R@5", "recall@5"),
    ("HR@20", "hit_rate@20"),
    ("hits@3", "hit_rate@3"),
    ("ndcg_at_5", "ndcg@5"),
    ("NDCG@05", "ndcg@5"),
    ("mAP@10", "map@10"),
    ("hit_rate_at_10", "hit_rate@10"),
    ("MRR@10", "mrr@10"),
    ("ROC-AUC", "roc_auc"),
    ("rocauc", "roc_auc"),
    ("auc_roc", "roc_auc"),
    ("AUROC", "roc_auc"),
    ("auc", "roc_auc"),
    ("PR AUC", "pr_auc"),
    ("auprc", "pr_auc"),
    ("F1-score", "f1"),
    ("f1_score", "f1"),
    ("F1", "f1"),
    ("log-loss", "log_loss"),
    ("LogLoss", "log_loss"),
    ("Balanced Accuracy", "balanced_accuracy"),
    ("  accuracy  ", "accuracy"),
    ("roc__auc", "roc_auc"),
    ("sensitivity", "recall"),
    ("False Positive Rate", "fpr"),
    ("Latency P95 ms", "latency_p95_ms"),
    ("p95-latency-ms", "latency_p95_ms"),
    ("exact-match", "exact_match"),
    ("revenue lift", "revenue_lift"),
]


@pytest.mark.parametrize(("raw", "canonical"), NORMALISED)
def test_normalise_table(raw: str, canonical: str) -> None:
    assert normalise(raw) == canonical


@pytest.mark.parametrize(("raw", "canonical"), NORMALISED)
def test_normalise_is_idempotent(raw: str, canonical: str) -> None:
    assert normalise(normalise(raw)) == normalise(raw)


def test_bare_p_and_r_are_not_guessed() -> None:
    assert normalise("p") == "p"
    assert VOCAB.lookup("p") is None
    assert VOCAB.lookup("r") is None


def test_every_alias_points_at_a_known_metric() -> None:
    for alias, target in ALIASES.items():
        assert VOCAB.lookup(target) is not None, alias
        assert VOCAB.lookup(alias) is not None, alias
    for alias, base in CUTOFF_ALIASES.items():
        assert base in VOCAB.families, alias
        assert VOCAB.lookup(f"{alias}@10") == VOCAB.lookup(f"{base}@10")


BUILTINS = {
    # name: (direction, low, high)
    "accuracy": ("higher", 0, 1),
    "balanced_accuracy": ("higher", 0, 1),
    "precision": ("higher", 0, 1),
    "recall": ("higher", 0, 1),
    "f1": ("higher", 0, 1),
    "specificity": ("higher", 0, 1),
    "fpr": ("lower", 0, 1),
    "fnr": ("lower", 0, 1),
    "roc_auc": ("higher", 0, 1),
    "pr_auc": ("higher", 0, 1),
    "log_loss": ("lower", 0, None),
    "brier": ("lower", 0, 1),
    "mae": ("lower", 0, None),
    "mse": ("lower", 0, None),
    "rmse": ("lower", 0, None),
    "mape": ("lower", 0, None),
    "r2": ("higher", None, 1),
    "wer": ("lower", 0, None),
    "cer": ("lower", 0, None),
    "bleu": ("higher", 0, 100),
    "exact_match": ("higher", 0, 100),
    "mrr": ("higher", 0, 1),
    "latency_p50_ms": ("lower", 0, None),
    "latency_p95_ms": ("lower", 0, None),
    "latency_p99_ms": ("lower", 0, None),
    "throughput_rps": ("higher", 0, None),
    "cost_per_1k_usd": ("lower", 0, None),
    "model_size_mb": ("lower", 0, None),
    "ece": ("lower", 0, 1),
}


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtin_direction_and_range(name: str) -> None:
    direction, low, high = BUILTINS[name]
    metric = VOCAB.lookup(name)
    assert metric is not None
    assert metric.name == name
    assert metric.direction is Direction(direction)
    assert (metric.low, metric.high) == (low, high)
    assert metric.description


@pytest.mark.parametrize("base", ["precision", "recall", "ndcg", "map", "hit_rate", "mrr"])
def test_cutoff_metrics_resolve_through_their_base(base: str) -> None:
    metric = VOCAB.lookup(f"{base}@10")
    assert metric is not None
    assert metric == Metric(f"{base}@10", Direction.HIGHER, 0.0, 1.0, metric.description, 10)


@pytest.mark.parametrize(
    "name", ["precision@0", "precision@00", "precision@k", "precision@K", "precision@-1",
             "precision@1.5", "precision@", "f1@10", "@10", "", "nonsense"],
)  # fmt: skip
def test_unknown_names(name: str) -> None:
    assert VOCAB.lookup(name) is None


@pytest.mark.parametrize("odd", [None, 3, 0.5, ["precision"], {"metric": "f1"}, True])
def test_lookup_of_non_strings_is_none(odd: object) -> None:
    assert VOCAB.lookup(odd) is None


def test_cutoff_k_is_kept_and_leading_zeros_dropped() -> None:
    metric = VOCAB.lookup("precision_at_010")
    assert metric is not None
    assert (metric.name, metric.k) == ("precision@10", 10)
    assert VOCAB.lookup("precision@5") != VOCAB.lookup("precision@10")


def test_plain_precision_is_not_a_cutoff_metric() -> None:
    metric = VOCAB.lookup("precision")
    assert metric is not None and metric.k is None


def test_suggest() -> None:
    assert VOCAB.suggest("precison") == "precision"
    assert VOCAB.suggest("ndgc@10") == "ndcg@10"
    assert VOCAB.suggest("zzzzzz") is None
    assert VOCAB.suggest(None) is None


def test_names_lists_families() -> None:
    names = VOCAB.names()
    assert "precision@k" in names and "accuracy" in names
    assert list(names) == sorted(names)


# --- ranges and comparisons ----------------------------------------------------------------


def _metric(name: str) -> Metric:
    metric = VOCAB.lookup(name)
    assert metric is not None
    return metric


@pytest.mark.parametrize(
    ("name", "value", "inside"),
    [
        ("accuracy", 0.0, True),
        ("accuracy", 1.0, True),
        ("accuracy", 1, True),
        ("accuracy", 93, False),
        ("accuracy", -0.01, False),
        ("log_loss", 0.0, True),
        ("log_loss", 12.5, True),
        ("log_loss", -0.1, False),
        ("r2", -3.0, True),
        ("r2", 1.01, False),
        ("bleu", 0.31, True),
        ("bleu", 31.4, True),
        ("bleu", 100.5, False),
        ("wer", 1.3, True),
        ("brier", 1.2, False),
        ("ece", 0.05, True),
        ("latency_p95_ms", -1, False),
        ("precision@10", 1.5, False),
        ("accuracy", "0.9", False),
        ("accuracy", True, False),
        ("accuracy", None, False),
        ("accuracy", math.nan, False),
        ("log_loss", math.inf, False),
    ],
)
def test_in_range(name: str, value: object, inside: bool) -> None:
    assert VOCAB.in_range(_metric(name), value) is inside


@pytest.mark.parametrize(
    ("name", "actual", "threshold", "meets"),
    [
        ("accuracy", 0.9, 0.9, True),
        ("accuracy", 0.89, 0.9, False),
        ("accuracy", 0.91, 0.9, True),
        ("latency_p95_ms", 180, 200, True),
        ("latency_p95_ms", 200, 200, True),
        ("latency_p95_ms", 220, 200, False),
        ("log_loss", 0.3, 0.35, True),
        ("log_loss", 0.4, 0.35, False),
        ("fpr", 0.01, 0.02, True),
        ("fpr", 0.03, 0.02, False),
    ],
)
def test_meets(name: str, actual: float, threshold: float, meets: bool) -> None:
    assert VOCAB.meets(_metric(name), actual, threshold) is meets


def test_better_is_strict_and_follows_direction() -> None:
    assert VOCAB.better(_metric("recall"), 0.8, 0.7)
    assert not VOCAB.better(_metric("recall"), 0.7, 0.7)
    assert VOCAB.better(_metric("fpr"), 0.01, 0.02)
    assert not VOCAB.better(_metric("fpr"), 0.02, 0.01)
    assert VOCAB.better(_metric("latency_p99_ms"), 90, 120)


def test_pessimistic_end() -> None:
    assert Direction.HIGHER.pessimistic(0.8, 0.9) == 0.8
    assert Direction.LOWER.pessimistic(0.8, 0.9) == 0.9


class _Float(float):
    pass


@pytest.mark.parametrize(
    ("value", "number"),
    [(1, 1.0), (0.5, 0.5), (_Float(0.25), 0.25), (True, None), ("0.9", None), (None, None),
     ([0.9], None), (math.nan, None), (math.inf, None)],
)  # fmt: skip
def test_as_number(value: object, number: float | None) -> None:
    assert as_number(value) == number


# --- team metrics from config --------------------------------------------------------------


def test_team_metrics_are_added() -> None:
    vocab = Vocabulary.from_config(
        {
            "Revenue Lift": {"direction": "higher", "min": -1, "max": 5, "description": "uplift"},
            "refund_rate": {"direction": "lower", "min": 0, "max": 1},
            "coverage@k": {"direction": "higher", "min": 0, "max": 1},
        }
    )
    lift = vocab.lookup("revenue-lift")
    assert lift == Metric("revenue_lift", Direction.HIGHER, -1.0, 5.0, "uplift")
    refund = vocab.lookup("Refund Rate")
    assert refund is not None and refund.direction is Direction.LOWER
    assert vocab.in_range(refund, 0.2) and not vocab.in_range(refund, 1.2)
    coverage = vocab.lookup("coverage_at_20")
    assert coverage is not None and (coverage.name, coverage.k) == ("coverage@20", 20)
    assert vocab.lookup("coverage@0") is None
    assert vocab.lookup("accuracy") == VOCAB.lookup("accuracy")
    assert VOCAB.lookup("revenue_lift") is None  # the built-ins are untouched


def test_team_metric_replaces_a_builtin_of_the_same_name() -> None:
    vocab = Vocabulary.from_config({"BLEU": {"direction": "higher", "min": 0, "max": 1}})
    bleu = vocab.lookup("bleu")
    assert bleu is not None and bleu.high == 1.0
    assert VOCAB.lookup("bleu").high == 100.0  # type: ignore[union-attr]


def test_team_metric_range_is_optional_and_direction_case_insensitive() -> None:
    vocab = Vocabulary.from_config({"nps": {"direction": "Higher"}})
    nps = vocab.lookup("nps")
    assert nps == Metric("nps", Direction.HIGHER, None, None, "")
    assert vocab.in_range(nps, -1e9)


def test_from_config_none_or_empty_is_the_builtins() -> None:
    assert Vocabulary.from_config(None).lookup("f1") == VOCAB.lookup("f1")
    assert Vocabulary.from_config({}).names() == VOCAB.names()


@pytest.mark.parametrize(
    ("config", "names"),
    [
        (["nps"], "metrics"),
        ({"nps": "higher"}, "nps"),
        ({"nps": None}, "nps"),
        ({"nps": {}}, "direction"),
        ({"nps": {"direction": "up"}}, "direction"),
        ({"nps": {"direction": 1}}, "direction"),
        ({"nps": {"direction": "higher", "min": "0"}}, "min"),
        ({"nps": {"direction": "higher", "max": True}}, "max"),
        ({"nps": {"direction": "higher", "max": math.nan}}, "max"),
        ({"nps": {"direction": "higher", "min": 2, "max": 1}}, "nps"),
        ({"nps": {"direction": "higher", "maximum": 1}}, "maximum"),
        ({"nps": {"direction": "higher", "description": 3}}, "description"),
        ({"": {"direction": "higher"}}, "name"),
        ({" - ": {"direction": "higher"}}, "name"),
        ({7: {"direction": "higher"}}, "name"),
        ({"coverage@10": {"direction": "higher"}}, "coverage@10"),
    ],
)
def test_from_config_rejects_bad_entries(config: object, names: str) -> None:
    with pytest.raises(ValueError) as info:
        Vocabulary.from_config(config)  # type: ignore[arg-type]
    assert names in str(info.value)


# --- explainability -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("full", Explainability.FULL),
        ("Required", Explainability.FULL),
        ("yes", Explainability.FULL),
        (True, Explainability.FULL),
        ("partial", Explainability.PARTIAL),
        ("preferred", Explainability.PARTIAL),
        ("none", Explainability.NONE),
        ("not required", Explainability.NONE),
        ("not_required", Explainability.NONE),
        (False, Explainability.NONE),
        ("some", None),
        (None, None),
        (2, None),
    ],
)
def test_card_explainability(value: object, level: Explainability | None) -> None:
    assert card_explainability(value) is level


@pytest.mark.parametrize(
    ("value", "levels"),
    [
        ("required", (Explainability.FULL, Explainability.FULL)),
        (True, (Explainability.FULL, Explainability.FULL)),
        ("preferred", (Explainability.NONE, Explainability.FULL)),
        ("not-required", (Explainability.NONE, Explainability.NONE)),
        ("full", None),
        (None, None),
        ([], None),
    ],
)
def test_required_explainability(value: object, levels: object) -> None:
    assert required_explainability(value) == levels
