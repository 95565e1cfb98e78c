"""The launch gate's rules (GAT): what `tracecard.gate.evaluate` finds on `candidate` and
`production` cards, reported by `tracecard check`, and GAT011, a result outside its metric's
range (every card).

The gate's findings are made in `tracecard.gate.evaluate` through these classes, so that
`tracecard card check` and `tracecard check` report the same codes at the same lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tracecard.load.config import vocabulary
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.metrics import Vocabulary, as_number
from tracecard.model.records import Kind, Record
from tracecard.rules.base import Rule
from tracecard.rules.requirements import out_of_range

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.model.graph import RepoGraph


class _GateRule(Rule):
    """Reports the gate issues of its code, for cards that are `candidate` or `production`."""

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        from tracecard.gate.evaluate import evaluate

        for report in evaluate(graph):
            if not report.gated:
                continue
            for finding in report.findings:
                if finding.code == self.code:
                    yield finding


class LaunchMissed(_GateRule):
    """What it does:
    Reports a result of a `candidate` or `production` card that misses the launch minimum of a
    criterion it must meet (for lower-is-better metrics, a result above the launch maximum).

    Every criterion of every `agreed` requirement the card `satisfies` is held against the
    card's result on the same metric, dataset, split and slice. Lower-is-better metrics are
    fpr, fnr, log_loss, latency and the others the vocabulary marks so. Operational
    results are held against the requirement's constraints the same way: latency, cost and
    size are maxima, throughput a minimum, and `explainability: required` needs a card with
    `explainability: full`. The finding is at the result's `value` (or the `operational` value).
    Draft cards are never reported; `tracecard card check` shows them.

    Why it matters:
    The launch minimum is what product and ML agreed the feature must at least do. A card that
    misses it and is still a candidate is about to ship a model that does not do its job.

    Example:
    ```yaml
    # REQ-0002: {metric: fpr, dataset: DS-fraud-holdout, split: holdout, launch: 0.0015}
    status: candidate
    results:
      - {metric: fpr, dataset: DS-fraud-holdout, split: holdout, value: 0.0021}
    ```

    Fix:
    Improve the model until it meets the launch value, or set the card back to `draft`. If the
    threshold itself is wrong, change the requirement with a decision record that says why.
    """

    code = "GAT001"
    name = "launch-missed"


class ResultMissing(_GateRule):
    """What it does:
    Reports a criterion of an agreed requirement that a `candidate` or `production` card has no
    usable result for.

    Missing means: no result with the same metric (`Precision@10` and `precision_at_10` are
    `precision@10`), dataset, split and slice; a result whose value is not a number; or a
    criterion that cannot be judged at all. Also a constraint (latency, cost, size,
    explainability) the card has no `operational` value for. The finding is at the card's
    `satisfies` entry for the requirement (at the `value` when it is not a number): the card is
    what must change, and the message names the criterion and its line in the requirement.

    Why it matters:
    A missing result is not a passing one. "We did not measure it" is the most common way a
    model ships without meeting the requirement, and the gate must fail until someone measures.

    Example:
    ```yaml
    # REQ-0002 asks for precision on DS-fraud-holdout, split holdout, slice first_order
    satisfies: [REQ-0002]
    results:
      - {metric: precision, dataset: DS-fraud-holdout, split: holdout, value: 0.93}
    ```

    Fix:
    Measure the model on the criterion's dataset, split and slice and add the result (with
    the same names) to `results`, or the operational figure under `operational`.
    """

    code = "GAT002"
    name = "result-missing"


class TargetMissed(_GateRule):
    """What it does:
    Warns when a `candidate` or `production` card's result meets the launch minimum of a
    criterion but not its target (for lower-is-better metrics, is at or under the launch
    maximum but above the target), and when an operational value misses a preferred level
    (`explainability: preferred` and a card that is not fully explainable). The finding is at
    the result's `value`.

    Why it matters:
    The model may launch, but it does not yet deliver the value the feature was meant to have.
    The gap should be a known, visible fact in review, not a surprise later.

    Example:
    ```yaml
    # REQ-0002: {metric: precision, dataset: DS-fraud-holdout, launch: 0.90, target: 0.93}
    results:
      - {metric: precision, dataset: DS-fraud-holdout, value: 0.91}
    ```

    Fix:
    Nothing blocks the launch. Improve the model to reach the target, or record the decision
    to launch below it (and why) in a decision record; suppress the warning for this card with
    `tracecard-ignore: [GAT003]` if the team has accepted the gap.
    """

    code = "GAT003"
    name = "target-missed"
    severity = Severity.WARNING


class IntervalMissesLaunch(_GateRule):
    """What it does:
    Warns when a result's confidence interval `ci: [low, high]` reaches past the launch
    minimum at its pessimistic end (the low end for higher-is-better metrics, the high end for
    lower-is-better ones) although the value itself passes. The finding is at the `ci`.

    Why it matters:
    The point value passes, but the evaluation cannot tell the model apart from one that
    fails: on another sample of the same size it may well miss the launch minimum.

    Example:
    ```yaml
    # launch: 0.90 for precision
    - {metric: precision, dataset: DS-fraud-holdout, value: 0.91, ci: [0.87, 0.94]}
    ```

    Fix:
    Evaluate on more data (a larger holdout or slice) to narrow the interval, or improve the
    model until the whole interval clears the launch value.
    """

    code = "GAT004"
    name = "interval-misses-launch"
    severity = Severity.WARNING


class EvaluationDataNotReady(_GateRule):
    """What it does:
    Reports a `candidate` or `production` card whose evaluation data is not ready: a dataset
    named by a criterion of a requirement the card satisfies has a status other than `ready`
    (`planned`, `labeling`, `retired`). The finding is at the card's first result on that
    dataset.

    Why it matters:
    Labeling that was never scoped as a deliverable is the data handoff that fails most
    often: results measured on half-labeled data are not the results the gate was agreed on.

    Example:
    ```yaml
    # docs/datasets/fraud-holdout.md
    status: labeling
    labeling: {owner: risk operations, due: 2026-05-30}
    ```

    Fix:
    Finish the labeling, re-measure, and set the dataset's `status: ready`; until then keep the
    card in `draft`.
    """

    code = "GAT005"
    name = "evaluation-data-not-ready"


class ProductShareLow(_GateRule):
    """What it does:
    Warns when an evaluation dataset of a `candidate` or `production` card records a
    `composition.product_defined_share` under the configured minimum
    (`min_product_defined_share`, default 0.5). Sheets that do not record the share are not
    reported. The finding is at the card's first result on that dataset.

    Why it matters:
    An evaluation set assembled by the ML side alone tends to miss the business-critical edge
    cases that product people know about; the guideline is that they define at least half.

    Example:
    ```yaml
    composition: {size: 20000, product_defined_share: 0.1, includes_production_sample: true}
    ```

    Fix:
    Ask the product side for the cases that matter (first orders, high-value baskets, ...) and
    add them to the dataset, then update the share. A team with another guideline sets
    `min_product_defined_share` in its configuration.
    """

    code = "GAT006"
    name = "product-share-low"
    severity = Severity.WARNING


class ProductionWithoutProductionSample(_GateRule):
    """What it does:
    Reports a `production` card evaluated on a dataset whose sheet does not record a sample of
    real production inputs (`composition.includes_production_sample: true`). The finding is at
    the card's first result on that dataset.

    Why it matters:
    Evaluation data that does not represent production inputs is the last handoff that fails:
    the model meets every criterion on curated data and disappoints on real traffic.

    Example:
    ```yaml
    composition: {size: 20000, product_defined_share: 0.6, includes_production_sample: false}
    ```

    Fix:
    Add a recent sample of production inputs to the evaluation dataset, re-measure, and set
    `includes_production_sample: true` with its `production_sample_date`.
    """

    code = "GAT007"
    name = "production-without-production-sample"


class CandidateWithoutProductionSample(_GateRule):
    """What it does:
    Warns when a `candidate` card is evaluated on a dataset whose sheet does not record a
    sample of real production inputs. GAT007 makes this an error once the card is `production`.
    The finding is at the card's first result on that dataset.

    Why it matters:
    The card cannot go to production on this data; better to find out while it is a candidate.

    Example:
    ```yaml
    composition: {size: 20000, product_defined_share: 0.6}
    ```

    Fix:
    Add a sample of production inputs to the evaluation dataset before promoting the card, and
    set `includes_production_sample: true`.
    """

    code = "GAT008"
    name = "candidate-without-production-sample"
    severity = Severity.WARNING


class CardNotGated(_GateRule):
    """What it does:
    Warns when a `candidate` or `production` card satisfies no `agreed` requirement (no
    `satisfies`, or only draft, retired or unknown requirements), so the launch gate has
    nothing to hold it to. The finding is at `satisfies` (or `status` when there is none).

    Why it matters:
    A card passes a gate with no criteria by default. Launching it says "it works" without
    saying against what.

    Example:
    ```yaml
    status: candidate
    satisfies: []
    ```

    Fix:
    Name the requirements the model is meant to meet in `satisfies`, and agree them; or keep
    the card in `draft`.
    """

    code = "GAT009"
    name = "card-not-gated"
    severity = Severity.WARNING


class AmbiguousResult(_GateRule):
    """What it does:
    Warns when a card has two or more results with the same metric, dataset, split and slice
    that a criterion matches. The gate uses the first; the finding is at each other one.

    Why it matters:
    Two values for one measurement leave the reader to guess which one is real, and the gate
    may be judging the stale one.

    Example:
    ```yaml
    results:
      - {metric: recall, dataset: DS-fraud-holdout, split: holdout, value: 0.61}
      - {metric: recall, dataset: DS-fraud-holdout, split: holdout, value: 0.66}
    ```

    Fix:
    Keep the current result and delete the other; a result on a subset belongs under its own
    `slice`.
    """

    code = "GAT010"
    name = "ambiguous-result"
    severity = Severity.WARNING


class ResultOutOfRange(Rule):
    """What it does:
    Reports a model card result (its `value`, or an end of its `ci`) outside the range of its
    metric: a proportion such as precision or recall above 1, a latency, loss or error rate
    below 0, or outside the `min`/`max` of a team metric. Cards of every status are checked.

    Why it matters:
    A result on the wrong scale (`value: 93` for a precision of 0.93) passes every launch
    minimum written as a fraction, so the gate would let through a model nobody measured on
    the requirement's terms.

    Example:
    ```yaml
    results:
      - {metric: precision, value: 93.5, dataset: DS-fraud-holdout, split: holdout}
    ```

    Fix:
    Write the value on the metric's scale: `value: 0.935`.
    """

    code = "GAT011"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "result-out-of-range"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        vocab = vocabulary(graph.settings)
        for card in graph.of_kind(Kind.MODEL_CARD):
            results = card.data.get("results")
            if not isinstance(results, list):
                continue
            for i, result in enumerate(results):
                if not isinstance(result, dict) or not isinstance(result.get("metric"), str):
                    continue
                metric = vocab.lookup(result["metric"])
                if metric is None:
                    continue
                yield from self._check_result(card, i, result, metric, vocab)

    def _check_result(
        self, card: Record, i: int, result: dict[str, Any], metric: Any, vocab: Vocabulary
    ) -> Iterator[Finding]:
        value = result.get("value")
        if as_number(value) is not None and not vocab.in_range(metric, value):
            msg = out_of_range(metric, "value", value)
            yield self.at(card, ("results", i, "value"), f"{msg}: the gate cannot compare it")
        ci = result.get("ci")
        if isinstance(ci, list):
            for j, end in enumerate(ci[:2]):
                if as_number(end) is not None and not vocab.in_range(metric, end):
                    msg = out_of_range(metric, "ci end", end)
                    yield self.at(card, ("results", i, "ci", j), f"{msg}: write the interval on the metric's scale")




class ValueOutsideInterval(Rule):
    """What it does:
    Reports a model card result whose `value` lies outside its own confidence interval `ci`
    (`value: 0.43` with `ci: [0.44, 0.46]`). Cards of every status are checked; the finding is
    at the `value`.

    Why it matters:
    A point estimate always lies inside its interval. When it does not, one of the two was
    copied wrong, and nobody can say which: the launch gate fails such a result on a
    `candidate` or `production` card rather than compare a number it cannot trust.

    Example:
    ```yaml
    results:
      - {metric: recall, dataset: DS-fraud-holdout, split: holdout, value: 0.43, ci: [0.44, 0.46]}
    ```

    Fix:
    Copy the value and the interval again from the same evaluation run.
    """

    code = "GAT012"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "value-outside-interval"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for card in graph.of_kind(Kind.MODEL_CARD):
            results = card.data.get("results")
            for i, result in enumerate(results if isinstance(results, list) else []):
                if not isinstance(result, dict):
                    continue
                value, ci = as_number(result.get("value")), result.get("ci")
                if value is None or not isinstance(ci, list) or len(ci) != 2:
                    continue
                ends = [as_number(end) for end in ci]
                if None in ends:
                    continue
                low, high = sorted(e for e in ends if e is not None)
                if not low <= value <= high:
                    yield self.at(card, ("results", i, "value"), (
                        f"value {value:g} lies outside its own confidence interval "
                        f"[{low:g}, {high:g}]: copy both again from the same evaluation run"
                    ))  # fmt: skip


class TrainingDataNotReady(_GateRule):
    """What it does:
    Reports a `candidate` or `production` card trained on a dataset that is not ready: a
    `training_data` entry whose sheet says `planned` or `labeling`. The finding is at that
    `training_data` entry.

    Why it matters:
    Labeling is a milestone. A model trained on data that is still being labeled (or not yet
    collected) was trained on something other than what its card says, and its results will
    move when the labels land; a candidate on such data is not the model that would ship.

    Example:
    ```yaml
    status: candidate
    training_data: [DS-fraud-training]   # DS-fraud-training: status: labeling
    ```

    Fix:
    Finish the labeling and set `status: ready` on the dataset sheet, then retrain and update
    the results; or set the card back to `draft` until then.
    """

    code = "GAT013"
    name = "training-data-not-ready"


class GatedCardIncomplete(_GateRule):
    """What it does:
    Reports a `candidate` or `production` card without `training_data` or without
    `failure_modes` (missing or empty), once per missing field, at the card's `status`.

    Why it matters:
    A card that goes to launch is the team's account of the model: what it learned from and
    where it fails. Without training data nobody can check that labeling was finished or that
    evaluation data did not leak into training; without failure modes, product people cannot
    see what they are accepting, and no review can tell a new failure from a known one.

    Example:
    ```yaml
    status: candidate
    satisfies: [REQ-0002]
    results: [...]
    ```

    Fix:
    Add `training_data: [DS-...]` naming the dataset sheets the model was trained on, and
    `failure_modes:` with at least the known ways it fails (each with a severity and a
    mitigation). If the model truly has no known failure mode, say how that was established.
    """

    code = "GAT014"
    name = "gated-card-incomplete"


class SevereFailureModeUnaccepted(_GateRule):
    """What it does:
    Reports a `high` or `critical` failure mode of a `candidate` or `production` card with no
    `mitigation` and no `decision` that accepts it: the `decision` must name a decision record
    that is `accepted`. The finding is at the failure mode's `severity`.

    Why it matters:
    Failure modes are prioritised: a severe one is either mitigated (a fallback, a human
    review, a monitor) or knowingly accepted by the people who own the product. A severe
    failure mode with neither is a risk nobody has taken responsibility for.

    Example:
    ```yaml
    failure_modes:
      - type: gift_card_fraud
        description: Gift-card orders from new accounts are scored as low risk.
        severity: critical
    ```

    Fix:
    Add the `mitigation` that limits the damage, or write a decision record that accepts the
    risk (`tracecard adr new "Accept gift-card fraud risk until Q3"`), accept it, and name it
    in the failure mode's `decision`.
    """

    code = "GAT015"
    name = "severe-failure-mode-unaccepted"


class DeprioritisedWithoutDecision(_GateRule):
    """What it does:
    Warns about a failure mode of a `candidate` or `production` card marked
    `deprioritised: true` whose `decision` does not name an accepted decision record. The
    finding is at `deprioritised`.

    A warning: deprioritising is a legitimate call, and the failure mode is still written down;
    what is missing is who made the call and why.

    Why it matters:
    "We will not fix this for now" is a product decision with a cost. Without a decision
    record, the next person cannot tell a deliberate trade-off from a forgotten ticket, and
    the failure mode is silently never revisited.

    Example:
    ```yaml
    failure_modes:
      - {type: friendly_fraud, description: ..., severity: medium, deprioritised: true}
    ```

    Fix:
    Name the decision that deprioritised it (`decision: ADR-0005`), writing one first if
    needed; or remove `deprioritised` and plan the work.
    """

    code = "GAT016"
    name = "deprioritised-without-decision"
    severity = Severity.WARNING


class ProductionSampleStale(_GateRule):
    """What it does:
    Warns when a `production` card is evaluated on a dataset whose production sample is older
    than `max_production_sample_age_days` (180 unless configured), counted from the run's
    today, or whose sheet says it includes a production sample without saying when it was
    drawn (`composition.production_sample_date`). The finding is at the card's result on
    that dataset.

    A warning, not an error: the finding appears as days pass, with no change to the
    repository, and a commit that did not touch the card should not fail because of the date.

    Why it matters:
    Production drifts: customers, catalogues and fraudsters change. A production model judged
    on a sample drawn two years ago is judged on a world that no longer exists, and its
    results say little about how it does today.

    Example:
    ```yaml
    # DS-fraud-holdout
    composition: {includes_production_sample: true, production_sample_date: 2024-01-10}
    ```

    Fix:
    Draw a fresh production sample, label it, re-evaluate the card, and update
    `production_sample_date`; or, where the domain is stable, raise
    `max_production_sample_age_days` in the configuration and say why.
    """

    code = "GAT017"
    name = "production-sample-stale"
    severity = Severity.WARNING


GATE_RULES: tuple[type[_GateRule], ...] = (
    LaunchMissed,
    ResultMissing,
    TargetMissed,
    IntervalMissesLaunch,
    EvaluationDataNotReady,
    ProductShareLow,
    ProductionWithoutProductionSample,
    CandidateWithoutProductionSample,
    CardNotGated,
    AmbiguousResult,
    TrainingDataNotReady,
    GatedCardIncomplete,
    SevereFailureModeUnaccepted,
    DeprioritisedWithoutDecision,
    ProductionSampleStale,
)
