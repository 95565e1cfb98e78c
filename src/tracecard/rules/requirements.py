"""Requirement translations: criteria that can be measured, on the right data, in the right
direction, and error costs that the criteria actually constrain.

Every rule here reads requirements that are `draft` or `agreed` (a retired requirement gates
nothing), except REQ007, which is about `agreed` ones only. The metric vocabulary comes from
`vocabulary(settings)`: built-ins plus the team's `[metrics]`, built once per run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tracecard.load.config import vocabulary
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.metrics import Direction, Metric, Vocabulary, as_number, normalise
from tracecard.model.records import Kind, Record
from tracecard.report.text import fmt_number
from tracecard.rules.base import Rule

# --- shared with the launch gate -------------------------------------------------------------

def given_direction(crit: Mapping[str, Any]) -> Direction | None:
    """The criterion's own `direction`, when it is a valid one."""
    word = crit.get("direction")
    if isinstance(word, str) and word.strip().lower() in ("higher", "lower"):
        return Direction(word.strip().lower())
    return None


def _live_requirements(graph: RepoGraph) -> list[Record]:
    """The requirements in scope that are not retired (the findings of every rule that reads
    these are in the requirement itself); worked out once per graph and scope: most rules here
    ask."""
    key = ("rules.requirements.live", graph.scope)
    live: list[Record] | None = graph.memo.get(key)
    if live is None:
        live = graph.memo[key] = [
            rec for rec in graph.scoped(Kind.REQUIREMENT) if rec.status != "retired"
        ]
    return live


def _criteria(rec: Record) -> Iterable[tuple[int, Any]]:
    items = rec.data.get("criteria")
    return enumerate(items) if isinstance(items, list) else ()


def _mapped_criteria(rec: Record) -> list[tuple[int, Mapping[str, Any]]]:
    items = rec.data.get("criteria")
    if not isinstance(items, list):
        return []
    return [(i, crit) for i, crit in enumerate(items)
            if type(crit) is dict or isinstance(crit, Mapping)]  # fmt: skip


def _known_metric(crit: Mapping[str, Any], vocab: Vocabulary) -> Metric | None:
    return vocab.lookup(crit.get("metric"))


def _range_text(metric: Metric) -> str:
    low = "-inf" if metric.low is None else f"{metric.low:g}"
    high = "+inf" if metric.high is None else f"{metric.high:g}"
    return f"{low}..{high}"


# --- REQ001 ----------------------------------------------------------------------------------


class CriterionNotMeasurable(Rule):
    """What it does:
    Reports a criterion that cannot be measured: one with no `metric`, no `dataset` or no
    `launch` value, one where any of these is not usable (a metric that is not a name, a
    launch value written as text, `launch: "0.9"`), and a criterion written as a sentence
    instead of a mapping. A missing key is reported at the criterion's `-` item, a key with a
    bad value at that value.

    Why it matters:
    A criterion is the product requirement translated into something a model can fail. Without
    a metric, a dataset and a launch minimum, the launch gate has nothing to compare the model
    card with: every card "passes" it, and the requirement is back to being a wish.

    Example:
    ```yaml
    criteria:
      - metric: precision@10        # no dataset, no launch value
      - "precision@10 >= 0.7 on holdout"
    ```

    Fix:
    Write each criterion as a mapping with the metric, the evaluation dataset's ID and the
    minimum acceptable for launch (and, ideally, the split and a target):
    `{metric: precision@10, dataset: DS-recs-holdout, split: holdout, launch: 0.7, target: 0.75}`.
    """

    code = "REQ001"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "criterion-not-measurable"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in _live_requirements(graph):
            for i, crit in _criteria(rec):
                if not isinstance(crit, Mapping):
                    yield self.at(rec, ("criteria", i), (
                        f"criterion {i + 1} is not a mapping: write it as "
                        "{metric: ..., dataset: DS-..., launch: ...}"
                    ))  # fmt: skip
                    continue
                yield from self._check(rec, i, crit)

    def _check(self, rec: Record, i: int, crit: Mapping[str, Any]) -> Iterator[Finding]:
        missing = [key for key in ("metric", "dataset", "launch") if crit.get(key) is None]
        if missing:
            what = " and no ".join(missing)
            yield self.at(rec, ("criteria", i), (
                f"criterion {i + 1} has no {what}: the launch gate cannot judge it; "
                f"add {', '.join(f'`{m}`' for m in missing)}"
            ))  # fmt: skip
        for key in ("metric", "dataset"):
            value = crit.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                yield self.at(rec, ("criteria", i, key), (
                    f"criterion {i + 1}: {key} {value!r} is not a name: write the "
                    f"{'metric name' if key == 'metric' else 'dataset ID (DS-...)'}"
                ))  # fmt: skip
        launch = crit.get("launch")
        if launch is not None and as_number(launch) is None:
            yield self.at(rec, ("criteria", i, "launch"), (
                f"criterion {i + 1}: launch {launch!r} is not a number: write it unquoted, "
                "as a number (0.9, not \"0.9\" or \"90%\")"
            ))  # fmt: skip


# --- REQ002 ----------------------------------------------------------------------------------


class UnknownMetric(Rule):
    """What it does:
    Reports a criterion whose metric is not in the metric vocabulary (the built-ins plus the
    team's `[metrics]` table) and that does not say its `direction`. Spellings are normalised
    first: `Precision@10`, `precision_at_10` and `P@10` all mean `precision@10`. The message
    suggests the closest known name.

    Why it matters:
    The gate needs to know whether higher or lower is better. A misspelt metric (`precison`)
    would be judged as higher-is-better by assumption, and a lower-is-better one such as a
    latency or an error rate would pass when it should fail. A misspelling also never matches
    the model card's result.

    Example:
    ```yaml
    criteria:
      - {metric: precison, dataset: DS-fraud-holdout, launch: 0.9}
    ```

    Fix:
    Correct the name (`precision`). For a metric of your own, declare it once in the
    configuration, `[metrics.conversion_uplift] direction = "higher"` (with `min`/`max` if it
    has a range), or give the criterion a `direction: higher|lower`.
    """

    code = "REQ002"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "unknown-metric"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        vocab = vocabulary(graph.settings)
        for rec in _live_requirements(graph):
            for i, crit in _mapped_criteria(rec):
                name = crit.get("metric")
                if not isinstance(name, str) or not name.strip():
                    continue  # REQ001
                if vocab.lookup(name) is not None or given_direction(crit) is not None:
                    continue
                guess = vocab.suggest(name)
                hint = f"did you mean {guess!r}? " if guess else ""
                yield self.at(rec, ("criteria", i, "metric"), (
                    f"unknown metric {name!r}: {hint}Declare it under [metrics] in the "
                    "configuration, or give the criterion a direction (higher or lower)"
                ))  # fmt: skip


# --- REQ003 ----------------------------------------------------------------------------------


class ThresholdOutOfRange(Rule):
    """What it does:
    Reports a `launch` or `target` value outside the range of its metric: precision, recall,
    AUC and the other proportions are 0..1; errors, losses, latency, cost and size are >= 0;
    `r2` is at most 1; a team metric has the `min` and `max` it declares.

    Why it matters:
    A threshold outside the range can never be met (`launch: 90` for precision) or is always
    met (`launch: -1`). The usual cause is a percentage written where a fraction belongs, and
    the gate would then fail every model, or pass every one.

    Example:
    ```yaml
    - {metric: recall, dataset: DS-fraud-holdout, launch: 60, target: 65}
    ```

    Fix:
    Write the value on the metric's scale: `launch: 0.60, target: 0.65`.
    """

    code = "REQ003"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "threshold-out-of-range"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        vocab = vocabulary(graph.settings)
        for rec in _live_requirements(graph):
            for i, crit in _mapped_criteria(rec):
                metric = _known_metric(crit, vocab)
                if metric is None:
                    continue
                for key in ("launch", "target"):
                    value = crit.get(key)
                    if as_number(value) is None or vocab.in_range(metric, value):
                        continue
                    yield self.at(rec, ("criteria", i, key), self._message(metric, key, value))

    @staticmethod
    def _message(metric: Metric, key: str, value: object) -> str:
        return f"{out_of_range(metric, key, value)}: no model can be judged against it"


def out_of_range(metric: Metric, what: str, value: object) -> str:
    """`launch 90 is outside the range of precision (0..1) (a percentage? write 0.9)`."""
    number = as_number(value) or 0.0
    hint = ""
    if metric.low == 0 and metric.high == 1 and 1 < number <= 100:
        hint = f" (a percentage? write {number / 100:g})"
    return f"{what} {fmt_number(value)} is outside the range of {metric.name} ({_range_text(metric)}){hint}"


# --- REQ004 ----------------------------------------------------------------------------------


class TargetEasierThanLaunch(Rule):
    """What it does:
    Reports a criterion whose `target` is easier to reach than its `launch` minimum, for the
    metric's direction: a target below launch when higher is better (precision, recall,
    ndcg@10), or above launch when lower is better (fpr, log_loss, latency_p95_ms).

    Why it matters:
    The target is the level that makes the feature genuinely valuable, the launch value the
    least the business accepts. A target that is easier than launch means the two were swapped,
    or the direction was misread: for an error rate, "launch 0.0015, target 0.002" lets a model
    reach the target while failing the launch gate.

    Example:
    ```yaml
    - {metric: fpr, dataset: DS-fraud-holdout, launch: 0.0015, target: 0.002}
    ```

    Fix:
    Swap the values, or correct the one that is wrong: for a lower-is-better metric the target
    is the smaller number (`launch: 0.0015, target: 0.0012`).
    """

    code = "REQ004"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "target-easier-than-launch"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        vocab = vocabulary(graph.settings)
        for rec in _live_requirements(graph):
            for i, crit in _mapped_criteria(rec):
                launch, target = as_number(crit.get("launch")), as_number(crit.get("target"))
                metric = _known_metric(crit, vocab)
                direction = given_direction(crit) or (metric.direction if metric else None)
                if launch is None or target is None or direction is None:
                    continue
                if metric is not None and not (vocab.in_range(metric, launch) and vocab.in_range(metric, target)):
                    continue  # REQ003 says what is wrong; comparing off-scale values adds noise
                if direction.better(launch, target):
                    word = "below" if direction is Direction.HIGHER else "above"
                    yield self.at(rec, ("criteria", i, "target"), (
                        f"target {fmt_number(crit['target'])} is {word} launch "
                        f"{fmt_number(crit['launch'])}, but {direction.value} is better for "
                        f"{crit.get('metric')}: the target must be at least as good as launch "
                        "(swapped?)"
                    ))  # fmt: skip


# --- REQ005 ----------------------------------------------------------------------------------


_EVALUATION = ("evaluation", "both")


class NotAnEvaluationDataset(Rule):
    """What it does:
    Reports a criterion measured on a dataset whose sheet says `purpose: training` (anything
    but `evaluation` or `both`). A dataset sheet without a `purpose` is not reported.

    Why it matters:
    A model scores best on the data it was trained on. A launch criterion measured on training
    data says nothing about how the model does on inputs it has not seen, and the gate passes
    models that will disappoint in production.

    Example:
    ```yaml
    - {metric: recall, dataset: DS-fraud-training, split: validation, launch: 0.6}
    ```

    Fix:
    Measure the criterion on an evaluation dataset (a sheet with `purpose: evaluation`); if the
    dataset really is held out, say so on its sheet with `purpose: evaluation` or `both`.
    """

    code = "REQ005"
    name = "not-an-evaluation-dataset"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in _live_requirements(graph):
            for i, crit in _mapped_criteria(rec):
                ds_id = crit.get("dataset")
                ds = graph.get(ds_id.strip()) if isinstance(ds_id, str) else None
                if ds is None or ds.kind is not Kind.DATASET:
                    continue  # LNK001 / LNK002
                purpose = ds.data.get("purpose")
                if not isinstance(purpose, str) or purpose.strip().lower() in _EVALUATION:
                    continue
                yield self.at(rec, ("criteria", i, "dataset"), (
                    f"{ds.id} is not an evaluation dataset (purpose: {purpose}, "
                    f"{ds.path}): measure the criterion on held-out evaluation data"
                ))  # fmt: skip


# --- REQ006 ----------------------------------------------------------------------------------

#: Metric bases that constrain each kind of error (cut-off variants count: precision@10).
_CONSTRAINS = {
    "false_positive": frozenset({"precision", "specificity", "fpr"}),
    "false_negative": frozenset({"recall", "fnr"}),
}


def _metric_base(name: object, vocab: Vocabulary) -> str | None:
    if not isinstance(name, str):
        return None
    metric = vocab.lookup(name)
    canonical = metric.name if metric else normalise(name)
    return canonical.partition("@")[0]


class CostlyErrorUnconstrained(Rule):
    """What it does:
    Reads `error_costs`. When a false positive costs more than a false negative, at least one
    criterion must constrain false positives: precision (or precision@k), specificity or the
    false-positive rate (fpr). When a false negative costs more, one must constrain recall (or
    recall@k) or the false-negative rate (fnr). The finding is at `error_costs`.

    Why it matters:
    Not all errors cost the same, and the team wrote down which one hurts more. If no
    criterion limits that error, a model can pass the gate by trading it away: a fraud model
    tuned for recall blocks more good customers, each of them five times as costly as a missed
    fraud.

    Example:
    ```yaml
    criteria:
      - {metric: recall, dataset: DS-fraud-holdout, launch: 0.6}
    error_costs: {false_positive: 5, false_negative: 1}
    ```

    Fix:
    Add a criterion on the error that costs more (`{metric: precision, dataset:
    DS-fraud-holdout, launch: 0.9}`), or correct `error_costs` if the costs were recorded the
    wrong way round.
    """

    code = "REQ006"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "costly-error-unconstrained"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        vocab = vocabulary(graph.settings)
        for rec in _live_requirements(graph):
            costs = rec.data.get("error_costs")
            if not isinstance(costs, Mapping):
                continue
            fp, fn = as_number(costs.get("false_positive")), as_number(costs.get("false_negative"))
            if fp is None or fn is None or fp == fn:
                continue
            costly = "false_positive" if fp > fn else "false_negative"
            bases = {_metric_base(c.get("metric"), vocab) for _, c in _mapped_criteria(rec)}
            if bases & _CONSTRAINS[costly]:
                continue
            yield self.at(rec, ("error_costs",), self._message(costly, fp, fn), key=True)

    @staticmethod
    def _message(costly: str, fp: float, fn: float) -> str:
        high, low = (fp, fn) if costly == "false_positive" else (fn, fp)
        ratio = f"{high / low:g} times" if low else "more than"
        label = costly.replace("_", " ")
        other = "false negative" if costly == "false_positive" else "false positive"
        metrics = " ".join(sorted(_CONSTRAINS[costly]))
        return (
            f"a {label} costs {ratio} a {other}, but no criterion constrains {label}s: "
            f"add a criterion on one of: {metrics}"
        )


# --- REQ007 ----------------------------------------------------------------------------------


class AgreedWithoutCriteria(Rule):
    """What it does:
    Reports a requirement with `status: agreed` and no criteria (`criteria` missing or empty).
    Constraints alone do not count: they limit how the model runs, not whether it does what the
    product requirement asks.

    Why it matters:
    "Agreed" means product and ML signed off on how the requirement is measured. With no
    criteria there is nothing measured: model cards that satisfy it pass the launch gate by
    default, which is the handoff failure the requirement translation exists to prevent.

    Example:
    ```yaml
    status: agreed
    product_requirement: Users should get relevant recommendations.
    ```

    Fix:
    Translate the product requirement into at least one criterion
    (`{metric: precision@10, dataset: DS-recs-holdout, split: holdout, launch: 0.25}`), or set
    `status: draft` until the criteria are agreed.
    """

    code = "REQ007"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "agreed-without-criteria"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.of_kind(Kind.REQUIREMENT):
            if rec.status != "agreed":
                continue
            criteria = rec.data.get("criteria")
            if isinstance(criteria, list) and criteria:
                continue
            if criteria is not None and not isinstance(criteria, list):
                continue  # SCH001: not a list
            path = ("criteria",) if "criteria" in rec.data else ("status",)
            yield self.at(rec, path, (
                "the requirement is agreed but has no criteria: add the measurable criteria "
                "(metric, dataset, launch) or set status: draft"
            ), key=path == ("criteria",))  # fmt: skip


# --- REQ008 ----------------------------------------------------------------------------------


class DirectionContradictsMetric(Rule):
    """What it does:
    Warns when a criterion's `direction` contradicts the vocabulary's direction for a known
    metric: `direction: lower` on recall, `direction: higher` on fpr or latency_p95_ms.

    Why it matters:
    The criterion's own direction wins in the launch gate, so a wrong one turns the gate
    upside down: the better the model, the more surely it fails.

    Example:
    ```yaml
    - {metric: fpr, dataset: DS-fraud-holdout, launch: 0.0015, direction: higher}
    ```

    Fix:
    Remove `direction` for metrics tracecard knows. If your metric of the same name really
    runs the other way, declare it under `[metrics]` in the configuration instead.
    """

    code = "REQ008"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "direction-contradicts-metric"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        vocab = vocabulary(graph.settings)
        for rec in _live_requirements(graph):
            for i, crit in _mapped_criteria(rec):
                metric, given = _known_metric(crit, vocab), given_direction(crit)
                if metric is None or given is None or given is metric.direction:
                    continue
                yield self.at(rec, ("criteria", i, "direction"), (
                    f"direction {given.value} contradicts {metric.name}, for which "
                    f"{metric.direction.value} is better: remove `direction`"
                ))  # fmt: skip


class TaskNotStated(Rule):
    """What it does:
    Reports an agreed requirement that does not state the ML task: no `task` block, or one
    without its `input` or `output`, or with none of the output's `classes` (classification),
    `range` (a score or a regression) or `items` (what a ranking ranks). The finding is at `task` (or at `status` when
    there is none). Drafts are being written and are not checked.

    Why it matters:
    "Understand what customers think" is a wish; "classify each review as positive, negative or
    neutral" is a task that a model can be built for and a criterion can measure. A requirement
    agreed without the task leaves the ML side to guess the input and the classes, and product
    discovers the guess at launch.

    Example:
    ```yaml
    status: agreed
    product_requirement: Understand what customers think.
    criteria:
      - {metric: accuracy, dataset: DS-reviews-holdout, launch: 0.8}
    ```

    Fix:
    Add the task both sides agree on, then agree again:
    ```yaml
    task:
      input: the text of one customer review
      output: the review's sentiment
      classes: [positive, negative, neutral]
      unit: one review
    ```
    """

    code = "REQ009"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "task-not-stated"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.of_kind(Kind.REQUIREMENT):
            if rec.status != "agreed":
                continue
            task = rec.data.get("task")
            if task is None:
                yield self.at(rec, ("status",), (
                    "the requirement is agreed but does not say what the model does: add a task "
                    "block with input, output and the output's classes, range or items"
                ))  # fmt: skip
                continue
            if not isinstance(task, Mapping):
                continue  # SCH001
            missing = [k for k in ("input", "output") if not _said(task.get(k))]
            if not any(_said(task.get(k)) for k in ("classes", "range", "items")):
                missing.append("classes, range or items")
            if missing:
                yield self.at(rec, ("task",), (
                    f"the task does not say its {' or its '.join(missing)}: state what the "
                    "model receives and what it must produce, so that both sides agree on the same "
                    "thing"
                ), key=True)  # fmt: skip


def _said(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return value is not None


# --- REQ010 ----------------------------------------------------------------------------------


class CriterionWithoutTarget(Rule):
    """What it does:
    Warns about a criterion of an agreed requirement that has a `launch` minimum and no
    `target`. The finding is at the criterion's `launch`. Drafts are not checked.

    A warning and not an error: the launch minimum alone is enough for the gate to judge a
    card, so nothing is wrong with the model; what is missing is half of the translation.

    Why it matters:
    Every criterion has two bars: the minimum the feature can launch with, and the level at
    which it is genuinely valuable. Without the second, a card that barely clears launch shows
    PASS exactly like one that delivers what product hoped for, and nobody ever says what
    "good" would be.

    Example:
    ```yaml
    criteria:
      - {metric: precision, dataset: DS-fraud-holdout, split: holdout, launch: 0.90}
    ```

    Fix:
    Agree the target with the product side and add it (`target: 0.95`); the gate then shows
    BELOW TARGET for a card between the two bars.
    """

    code = "REQ010"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "criterion-without-target"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.of_kind(Kind.REQUIREMENT):
            if rec.status != "agreed":
                continue
            for i, crit in _criteria(rec):
                if not isinstance(crit, Mapping) or "launch" not in crit or "target" in crit:
                    continue
                yield self.at(rec, ("criteria", i, "launch"), (
                    f"{_named(crit)} has a launch minimum and no target: agree the level that "
                    "makes the feature genuinely valuable with the product side and add it as "
                    "target"
                ))  # fmt: skip


def _named(crit: Mapping[str, Any]) -> str:
    metric = crit.get("metric")
    dataset = crit.get("dataset")
    name = metric if isinstance(metric, str) else "the criterion"
    return f"{name} on {dataset}" if isinstance(dataset, str) else str(name)


# --- REQ011 ----------------------------------------------------------------------------------


class AgreedWithoutConstraints(Rule):
    """What it does:
    Reports, as information, an agreed requirement with no `constraints` (latency, serving
    cost, model size, explainability...). The finding is at `status`. Drafts are not checked.

    Information, not a warning: some features genuinely have no constraint worth writing down
    (a nightly batch job), so the finding asks the question rather than calling it a mistake.
    Write `constraints: {}` to say that the question was asked and the answer is none.

    Why it matters:
    A model that meets every metric but answers in two seconds, costs ten times the budget or
    cannot explain a refused loan does not ship. Constraints not written down are discovered
    when the model is already built.

    Example:
    ```yaml
    status: agreed
    criteria:
      - {metric: precision@10, dataset: DS-recs-holdout, launch: 0.25}
    ```

    Fix:
    Add the limits the product must respect (`constraints: {latency_p95_ms: 120,
    cost_per_1k_usd: 0.05}`), or `constraints: {}` when there are none.
    """

    code = "REQ011"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "agreed-without-constraints"
    severity = Severity.INFO

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.of_kind(Kind.REQUIREMENT):
            if rec.status == "agreed" and "constraints" not in rec.data:
                yield self.at(rec, ("status",), (
                    "the requirement states no constraints: add the latency, cost, size or "
                    "explainability limits the product must respect, or constraints: {} if "
                    "there are none"
                ))  # fmt: skip


# --- REQ012 ----------------------------------------------------------------------------------

#: The two sides that must both sign an agreed requirement off.
SIDES = ("product", "ml")


class SignOffMissing(Rule):
    """What it does:
    Warns about an agreed requirement whose `agreed_by` does not name someone from both sides:
    a `product` and an `ml` sign-off. The finding is at `agreed_by` (at `status` when there
    is none). `tracecard req agree ID --by product:NAME --by ml:NAME` writes it.

    A warning and not an error: a requirement may be agreed in a meeting and its names added in
    the next commit; the gate still judges cards against it.

    Why it matters:
    A requirement translation is a joint decision: product says what the feature must do, ML
    says what can be measured and met. A requirement "agreed" by one side alone is the handoff
    failure this record exists to prevent, and nobody can later tell who to ask.

    Example:
    ```yaml
    status: agreed
    agreed_by:
      - {name: Priya Nair, role: ml}
    ```

    Fix:
    Have the product owner review it and add them: `tracecard req agree REQ-0002 --by
    product:"Ana Ruiz"` (or add `{name: Ana Ruiz, role: product}` to `agreed_by`).
    """

    code = "REQ012"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "sign-off-missing"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.of_kind(Kind.REQUIREMENT):
            if rec.status != "agreed":
                continue
            signed = rec.data.get("agreed_by")
            roles = {
                e.get("role") for e in (signed if isinstance(signed, list) else [])
                if isinstance(e, Mapping) and _said(e.get("name"))
            }  # fmt: skip
            missing = [side for side in SIDES if side not in roles]
            if not missing:
                continue
            path = ("agreed_by",) if "agreed_by" in rec.data else ("status",)
            sides = " and ".join("ML" if m == "ml" else m for m in missing)
            yield self.at(rec, path, (
                f"no {sides} sign-off: an agreed requirement is signed off by both sides; "
                f"run tracecard req agree {rec.id} "
                + " ".join(f"--by {side}:NAME" for side in missing)
            ), key=path == ("agreed_by",))  # fmt: skip


class SliceNotAnEdgeCase(Rule):
    """What it does:
    Warns about a name in a criterion's `slices` that is not one of the `edge_cases` of the
    criterion's dataset (compared exactly; a name that differs only in case or spelling is
    suggested). Each name is reported at its place in `slices`. A dataset that lists no edge
    cases at all is DAT003's business, and is not reported here.

    Why it matters:
    A gated slice is an edge case that product people named and that the evaluation set holds
    examples of. A slice name the dataset does not know is either a typo (`giftcards` for
    `gift_cards`), so no card result will ever match it and the gate reports it MISSING
    forever, or a case nobody collected examples for, so no result for it can be trusted.

    Example:
    ```yaml
    # DS-fraud-holdout: edge_cases: [first_order, gift_cards]
    - {metric: precision, dataset: DS-fraud-holdout, launch: 0.90, target: 0.93,
       slices: [Gift_Cards]}
    ```

    Fix:
    Use the edge case's name as the dataset sheet spells it, or add the case to the dataset's
    `edge_cases` (with how many examples of it the set holds).
    """

    code = "REQ013"
    name = "slice-not-an-edge-case"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.scoped(Kind.REQUIREMENT):  # (its findings are in the requirement)
            for i, crit in _criteria(rec):
                if not isinstance(crit, Mapping) or not isinstance(crit.get("slices"), list):
                    continue
                ds_id = crit.get("dataset")
                ds = graph.get(ds_id.strip()) if isinstance(ds_id, str) else None
                if ds is None or ds.kind is not Kind.DATASET or not ds.ok:
                    continue  # LNK's
                names = edge_case_names(ds.data.get("edge_cases"))
                if not names:
                    continue
                for j, name in enumerate(crit["slices"]):
                    if isinstance(name, str) and name not in names:
                        close = _closest(name, names)
                        hint = f" (did you mean {close!r}?)" if close else ""
                        yield self.at(rec, ("criteria", i, "slices", j), (
                            f"{name!r} is not an edge case of {ds_id}{hint}: use the name its "
                            f"sheet ({ds.path}) gives, or add the case to its edge_cases"
                        ))  # fmt: skip


def edge_case_names(value: object) -> list[str]:
    """The names of a dataset's `edge_cases` (strings, or mappings with a `name`)."""
    out = []
    for case in value if isinstance(value, list) else []:
        name = case.get("name") if isinstance(case, Mapping) else case
        if isinstance(name, str) and name.strip():
            out.append(name.strip())
    return out


def _closest(name: str, names: list[str]) -> str | None:
    folded = {n.lower().replace("-", "_").replace(" ", "_"): n for n in names}
    key = name.lower().replace("-", "_").replace(" ", "_")
    if key in folded:
        return folded[key]
    found = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.8)
    return folded[found[0]] if found else None
