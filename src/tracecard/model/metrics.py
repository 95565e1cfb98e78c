"""The metric vocabulary: names, directions and ranges, in one place.

Pure: no files, no configuration loading, no output. The launch gate (`tracecard.gate`) and the
requirement rules build on it.

Names
    `normalise` lower-cases, turns runs of spaces, hyphens and underscores into one `_`,
    closes spaces around `@`, rewrites a trailing `_at_<digits>` as `@<digits>` (with the
    leading zeros of the cut-off dropped), and then applies an explicit alias table
    (`ROC-AUC`, `auroc`, `auc` -> `roc_auc`; `F1-score` -> `f1`; `P@10` -> `precision@10`).
    Bare `auc` means ROC AUC, as it does in scikit-learn, XGBoost, LightGBM and Keras.
    `p@k`, `r@k` and `hr@k` are mapped only with a cut-off: they are the information-retrieval
    spellings, and a bare `p` or `r` is too ambiguous to guess.

Ranges (inclusive; None = unbounded)
    Proportions and probabilities are 0..1. `bleu` and `exact_match` are 0..100, because the
    common tools disagree (sacrebleu and the SQuAD script report 0..100, Hugging Face
    `evaluate` 0..1) and a range must accept both. `wer`, `cer` and `mape` have no upper bound:
    insertions push WER above 1, and MAPE is reported both as a fraction and as a percentage.
    `r2` has no lower bound. `log_loss`, errors, latency, cost and size are >= 0.

Cut-off metrics
    `precision@k`, `recall@k`, `ndcg@k`, `map@k`, `hit_rate@k` and `mrr@k` resolve through
    their base with k a positive integer (`precision@0` and `precision@k` are unknown).
    Bare `mrr`, `ndcg` and `map` are known too (a ranking metric over the whole list).

Team metrics
    `Vocabulary.from_config({name: {direction, min?, max?, description?}})`. A name ending in
    `@k` declares a cut-off family. A team entry replaces a built-in of the same normalised
    name (a team that reports `bleu` as 0..1 can say so).

Constraints (requirement `constraints` -> card `operational`)
    A numeric constraint key is a metric name: lower-is-better metrics (`latency_p95_ms`,
    `latency_p99_ms`, `cost_per_1k_usd`, `model_size_mb`, ...) make the constraint a maximum,
    higher-is-better ones (`throughput_rps`) a minimum. `explainability` is ordinal:

        card `operational.explainability`          level
        full, required, yes, true                  FULL
        partial, preferred                         PARTIAL
        none, not_required, no, false              NONE

        requirement `constraints.explainability`   launch    target
        required (or true)                         FULL      FULL
        preferred                                  NONE      FULL
        not_required (or false)                    NONE      NONE

    So `required` fails a card that is only partially explainable, and `preferred` makes
    anything less than full explainability a missed target, never a launch failure.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from types import MappingProxyType


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"

    def meets(self, actual: float, threshold: float) -> bool:
        """True when `actual` is at least as good as `threshold`."""
        return actual >= threshold if self is Direction.HIGHER else actual <= threshold

    def better(self, a: float, b: float) -> bool:
        """True when `a` is strictly better than `b`."""
        return a > b if self is Direction.HIGHER else a < b

    def pessimistic(self, low: float, high: float) -> float:
        """The end of an interval that is worse for this direction."""
        return low if self is Direction.HIGHER else high


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    direction: Direction
    low: float | None
    high: float | None
    description: str
    k: int | None = None  # the cut-off of an `@k` metric


def as_number(value: object) -> float | None:
    """`value` as a finite float when it is a real number (not a bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# --- built-ins -----------------------------------------------------------------------------

_H, _L = Direction.HIGHER, Direction.LOWER

_BUILTIN_ROWS: tuple[tuple[str, Direction, float | None, float | None, str], ...] = (
    ("accuracy", _H, 0, 1, "share of correct predictions"),
    ("balanced_accuracy", _H, 0, 1, "mean of the per-class recalls"),
    ("precision", _H, 0, 1, "share of predicted positives that are positive"),
    ("recall", _H, 0, 1, "share of positives that are found (sensitivity, TPR)"),
    ("f1", _H, 0, 1, "harmonic mean of precision and recall"),
    ("specificity", _H, 0, 1, "share of negatives predicted negative (TNR)"),
    ("fpr", _L, 0, 1, "false-positive rate: negatives predicted positive"),
    ("fnr", _L, 0, 1, "false-negative rate: positives predicted negative"),
    ("roc_auc", _H, 0, 1, "area under the ROC curve"),
    ("pr_auc", _H, 0, 1, "area under the precision-recall curve"),
    ("log_loss", _L, 0, None, "cross-entropy of the predicted probabilities"),
    ("brier", _L, 0, 1, "mean squared error of the predicted probabilities"),
    ("mae", _L, 0, None, "mean absolute error"),
    ("mse", _L, 0, None, "mean squared error"),
    ("rmse", _L, 0, None, "root mean squared error"),
    ("mape", _L, 0, None, "mean absolute percentage error (fraction or percent)"),
    ("r2", _H, None, 1, "coefficient of determination"),
    ("wer", _L, 0, None, "word error rate (can exceed 1)"),
    ("cer", _L, 0, None, "character error rate (can exceed 1)"),
    ("bleu", _H, 0, 100, "BLEU, as 0..1 or as sacrebleu's 0..100"),
    ("exact_match", _H, 0, 100, "share of exact answers, as 0..1 or as 0..100"),
    ("mrr", _H, 0, 1, "mean reciprocal rank"),
    ("ndcg", _H, 0, 1, "normalised discounted cumulative gain over the whole list"),
    ("map", _H, 0, 1, "mean average precision over the whole list"),
    ("latency_p50_ms", _L, 0, None, "median latency in milliseconds"),
    ("latency_p95_ms", _L, 0, None, "95th-percentile latency in milliseconds"),
    ("latency_p99_ms", _L, 0, None, "99th-percentile latency in milliseconds"),
    ("throughput_rps", _H, 0, None, "requests served per second"),
    ("cost_per_1k_usd", _L, 0, None, "cost of 1000 predictions in US dollars"),
    ("model_size_mb", _L, 0, None, "model size in megabytes"),
    ("ece", _L, 0, 1, "expected calibration error"),
)

_FAMILY_ROWS: tuple[tuple[str, str], ...] = (
    ("precision", "share of the top k that is relevant"),
    ("recall", "share of the relevant items found in the top k"),
    ("ndcg", "normalised discounted cumulative gain of the top k"),
    ("map", "mean average precision of the top k"),
    ("hit_rate", "share of queries with a relevant item in the top k"),
    ("mrr", "mean reciprocal rank within the top k"),
)

#: Whole-name aliases, applied after the spelling is normalised.
ALIASES: Mapping[str, str] = MappingProxyType({
    "acc": "accuracy",
    "balanced_acc": "balanced_accuracy",
    "ppv": "precision",
    "positive_predictive_value": "precision",
    "sensitivity": "recall",
    "tpr": "recall",
    "true_positive_rate": "recall",
    "f1_score": "f1",
    "f1score": "f1",
    "f_1": "f1",
    "f_score": "f1",
    "tnr": "specificity",
    "true_negative_rate": "specificity",
    "false_positive_rate": "fpr",
    "fall_out": "fpr",
    "fallout": "fpr",
    "false_negative_rate": "fnr",
    "miss_rate": "fnr",
    "auc": "roc_auc",
    "rocauc": "roc_auc",
    "auc_roc": "roc_auc",
    "auroc": "roc_auc",
    "roc_auc_score": "roc_auc",
    "prauc": "pr_auc",
    "auc_pr": "pr_auc",
    "aucpr": "pr_auc",
    "auprc": "pr_auc",
    "logloss": "log_loss",
    "cross_entropy": "log_loss",
    "brier_score": "brier",
    "brier_score_loss": "brier",
    "mean_absolute_error": "mae",
    "mean_squared_error": "mse",
    "root_mean_squared_error": "rmse",
    "mean_absolute_percentage_error": "mape",
    "r_squared": "r2",
    "r2_score": "r2",
    "word_error_rate": "wer",
    "character_error_rate": "cer",
    "bleu_score": "bleu",
    "sacrebleu": "bleu",
    "em": "exact_match",
    "mean_reciprocal_rank": "mrr",
    "mean_average_precision": "map",
    "p95_latency_ms": "latency_p95_ms",
    "p99_latency_ms": "latency_p99_ms",
    "p50_latency_ms": "latency_p50_ms",
    "expected_calibration_error": "ece",
})  # fmt: skip

#: Aliases of the base of a cut-off name (`P@10` -> `precision@10`).
CUTOFF_ALIASES: Mapping[str, str] = MappingProxyType({
    "p": "precision",
    "prec": "precision",
    "r": "recall",
    "hr": "hit_rate",
    "hitrate": "hit_rate",
    "hits": "hit_rate",
    "hit": "hit_rate",
    "mean_average_precision": "map",
    "mean_reciprocal_rank": "mrr",
})  # fmt: skip

_SEPARATORS = re.compile(r"[\s_-]+")
_SPACED_AT = re.compile(r"\s*@\s*")
_AT_SUFFIX = re.compile(r"_at_([0-9]+)\Z")
_CUTOFF = re.compile(r"[0-9]{1,9}\Z")  # a cutoff, not a number of any size


@functools.lru_cache(maxsize=4096)
def normalise(name: str) -> str:
    """The canonical spelling of a metric name (see the module docstring).

    Cached: a repository names the same few metrics thousands of times."""
    text = _SPACED_AT.sub("@", name.strip().lower())
    text = _SEPARATORS.sub("_", text).strip("_")
    text = _AT_SUFFIX.sub(r"@\1", text)
    base, at, cutoff = text.partition("@")
    if not at:
        return ALIASES.get(text, text)
    base = CUTOFF_ALIASES.get(base, base)
    if _CUTOFF.match(cutoff):
        cutoff = str(int(cutoff))
    return f"{base}@{cutoff}"


# --- the vocabulary -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Known metrics by canonical name, and cut-off families by base name."""

    metrics: Mapping[str, Metric]
    families: Mapping[str, Metric]  # template metrics: name `base@k`, k None
    #: `lookup`'s answers by name as written: the gate and the rules ask for the same few
    #: metrics thousands of times (a cut-off metric is made anew from its family each time).
    _looked_up: dict[object, Metric | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def builtin(cls) -> Vocabulary:
        return _BUILTIN

    @classmethod
    def from_config(cls, config: Mapping[str, object] | None) -> Vocabulary:
        """The built-ins plus a team's metrics; ValueError naming the bad entry."""
        if config is None:
            return _BUILTIN
        if not isinstance(config, Mapping):
            raise ValueError(f"metrics: expected a table of metric names, got {_kind(config)}")
        metrics, families = dict(_BUILTIN.metrics), dict(_BUILTIN.families)
        for raw_name, entry in config.items():
            metric = _metric_from_config(raw_name, entry)
            if metric.name.endswith("@k"):
                families[metric.name[:-2]] = metric
            else:
                metrics[metric.name] = metric
        return cls(MappingProxyType(metrics), MappingProxyType(families))

    def lookup(self, name: object) -> Metric | None:
        """The metric `name` denotes, or None when it is unknown (or not a string)."""
        if not isinstance(name, str):
            return None
        try:
            return self._looked_up[name]
        except KeyError:
            found = self._looked_up[name] = self._lookup(name)
            return found

    def _lookup(self, name: str) -> Metric | None:
        canonical = normalise(name)
        found = self.metrics.get(canonical)
        if found is not None:
            return found
        base, at, cutoff = canonical.partition("@")
        family = self.families.get(base) if at and _CUTOFF.match(cutoff) else None
        if family is None or int(cutoff) < 1:
            return None
        return replace(family, name=canonical, k=int(cutoff))

    def names(self) -> tuple[str, ...]:
        """Every known name, cut-off families spelled `base@k`, sorted."""
        return tuple(sorted([*self.metrics, *(f"{b}@k" for b in self.families)]))

    def suggest(self, name: object) -> str | None:
        """The closest known name to an unknown `name`, for "did you mean" messages."""
        canonical = normalise(name) if isinstance(name, str) else ""
        base, at, cutoff = canonical.partition("@")
        if at:
            close = difflib.get_close_matches(base, list(self.families), n=1)
            if not close:
                return None
            small = cutoff.isdigit() and len(cutoff) < 10
            k = int(cutoff) if small and int(cutoff) >= 1 else 10  # `@0`, `@k`: say @10
            suggestion = f"{close[0]}@{k}"
            return suggestion if suggestion != canonical else None
        close = difflib.get_close_matches(canonical, list(self.metrics), n=1)
        return close[0] if close else None

    @staticmethod
    def in_range(metric: Metric, value: object) -> bool:
        """True when `value` is a finite number within the metric's inclusive range."""
        number = as_number(value)
        if number is None:
            return False
        above_low = metric.low is None or number >= metric.low
        return above_low and (metric.high is None or number <= metric.high)

    @staticmethod
    def better(metric: Metric, a: float, b: float) -> bool:
        """True when `a` is strictly better than `b` for this metric."""
        return metric.direction.better(a, b)

    @staticmethod
    def meets(metric: Metric, actual: float, threshold: float) -> bool:
        """True when `actual` reaches `threshold`: >= for higher, <= for lower."""
        return metric.direction.meets(actual, threshold)


_CONFIG_KEYS = frozenset({"direction", "min", "max", "description"})


def _metric_from_config(raw_name: object, entry: object) -> Metric:
    if not isinstance(raw_name, str) or not normalise(raw_name):
        raise ValueError(f"metrics: metric name must be a non-empty string, got {raw_name!r}")
    name = normalise(raw_name)
    where = f"metrics.{raw_name}"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: expected a table with a direction, got {_kind(entry)}")
    unknown = sorted(str(key) for key in entry if key not in _CONFIG_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_CONFIG_KEYS))
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {allowed})")
    if "@" in name and not name.endswith("@k"):
        raise ValueError(f"{where}: a cut-off metric is declared as '<name>@k'")
    direction = _config_direction(where, entry.get("direction"))
    low = _config_bound(where, "min", entry.get("min"))
    high = _config_bound(where, "max", entry.get("max"))
    if low is not None and high is not None and low > high:
        raise ValueError(f"{where}: min ({low}) is greater than max ({high})")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise ValueError(f"{where}.description: expected a string, got {_kind(description)}")
    return Metric(name, direction, low, high, description)


def _config_direction(where: str, value: object) -> Direction:
    if value is None:
        raise ValueError(f"{where}: direction is required ('higher' or 'lower')")
    if isinstance(value, str) and value.strip().lower() in ("higher", "lower"):
        return Direction(value.strip().lower())
    raise ValueError(f"{where}.direction: expected 'higher' or 'lower', got {value!r}")


def _config_bound(where: str, key: str, value: object) -> float | None:
    if value is None:
        return None
    number = as_number(value)
    if number is None:
        raise ValueError(f"{where}.{key}: expected a finite number, got {value!r}")
    return number


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


def _builtin() -> Vocabulary:
    metrics = {
        name: Metric(name, direction, None if low is None else float(low),
                     None if high is None else float(high), text)
        for name, direction, low, high, text in _BUILTIN_ROWS
    }  # fmt: skip
    families = {
        base: Metric(f"{base}@k", Direction.HIGHER, 0.0, 1.0, text) for base, text in _FAMILY_ROWS
    }
    return Vocabulary(MappingProxyType(metrics), MappingProxyType(families))


_BUILTIN = _builtin()


# --- constraints ----------------------------------------------------------------------------

EXPLAINABILITY = "explainability"


class Explainability(IntEnum):
    NONE = 0
    PARTIAL = 1
    FULL = 2


_CARD_EXPLAINABILITY: Mapping[str, Explainability] = MappingProxyType({
    "full": Explainability.FULL,
    "required": Explainability.FULL,
    "yes": Explainability.FULL,
    "true": Explainability.FULL,
    "partial": Explainability.PARTIAL,
    "preferred": Explainability.PARTIAL,
    "none": Explainability.NONE,
    "not_required": Explainability.NONE,
    "no": Explainability.NONE,
    "false": Explainability.NONE,
})  # fmt: skip

#: Requirement level -> (launch minimum, target), on the card's scale.
_REQUIRED_EXPLAINABILITY: Mapping[str, tuple[Explainability, Explainability]] = MappingProxyType({
    "required": (Explainability.FULL, Explainability.FULL),
    "true": (Explainability.FULL, Explainability.FULL),
    "preferred": (Explainability.NONE, Explainability.FULL),
    "not_required": (Explainability.NONE, Explainability.NONE),
    "false": (Explainability.NONE, Explainability.NONE),
})  # fmt: skip


def _word(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _SEPARATORS.sub("_", value.strip().lower())
    return None


def card_explainability(value: object) -> Explainability | None:
    """A card's `operational.explainability` on the ordinal scale; None when unrecognised."""
    word = _word(value)
    return None if word is None else _CARD_EXPLAINABILITY.get(word)


def required_explainability(value: object) -> tuple[Explainability, Explainability] | None:
    """A requirement's `explainability` as (launch, target); None when unrecognised."""
    word = _word(value)
    return None if word is None else _REQUIRED_EXPLAINABILITY.get(word)
