"""Model review rules (MRV): a production model is reviewed regularly, by product and ML people
together, and what a review found and decided is reflected in the records it names.

Each rule reads reviews through `tracecard.model.reviews`, which `tracecard review` and the
dashboard read too. What they check is said on each rule's class.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from tracecard.model import clock
from tracecard.model import reviews as mr
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.records import Kind, Record
from tracecard.rules.base import Rule

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.git.index import RecordHistory

#: How many known versions a message names before "and N more".
SHOWN = 5


def _reviewed_card(graph: RepoGraph, review: Record) -> Record | None:
    """The model card a review names, when it is one (LNK001 and LNK002 report the others)."""
    cid = mr.card_of(review)
    card = graph.by_id.get(cid) if cid else None
    return card if card is not None and card.kind is Kind.MODEL_CARD and card.ok else None


def _held_reviews(graph: RepoGraph) -> Iterator[Record]:
    """Held reviews in scope (`mr.reviews`'): every rule that reads them reports in the review."""
    return (r for r in graph.scoped(Kind.MODEL_REVIEW) if r.id is not None and mr.held(r))


class ProductionCardNotReviewed(Rule):
    """What it does:
    Reports a model card in production that has no held model review dated within the last
    `review_period_days` days (90 unless the configuration says otherwise), counted back from
    the run's today (`--today`, `TRACECARD_TODAY`, else the machine's date). A review counts
    when its `card` names the card, its `status` is held and its participants include product
    and ML people (a review that MRV002 or MRV003 reports is not the review the card needs); a
    review dated after today does not count. The finding sits at the card's `status` and gives the date of the last review.

    A warning, not an error: it appears when time passes, not when someone changes a file, so
    as an error it would fail the next unrelated pull request of the day the period ends.
    Teams that want it to block set `strict = true` or run `tracecard check --strict`.

    Why it matters:
    Metrics say how often a model is wrong, not how. Only people looking at actual wrong
    outputs together (product people who know what a mistake costs, ML people who know why
    the model makes it) find the failure modes that matter to the business, and production
    inputs drift away from the evaluation data month by month. A model that nobody has
    looked at since launch fails in ways nobody has named.

    Example:
    ```yaml
    # docs/model-cards/fraud-detector.md; today is 2026-06-15
    id: MC-fraud-detector
    status: production
    # its last held review, MR-0001, is dated 2026-01-20: 146 days ago
    ```

    Fix:
    Hold a review: `tracecard model-review new "Fraud detector review, June" --card
    MC-fraud-detector`, look at a sample of wrong outputs with product and ML people, record
    the examples and actions, then `tracecard model-review hold MR-NNNN`. Set
    `review_period_days` in the configuration to review more or less often.
    """

    code = "MRV001"
    name = "production-card-not-reviewed"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        today, period = clock.today(), graph.settings.review_period_days
        latest: dict[str, tuple[Record, date]] | None = None
        for card in graph.scoped(Kind.MODEL_CARD):  # (its finding is in the card)
            if card.id is None or card.status != "production":
                continue
            if latest is None:
                latest = mr.last_held(graph, today)
            last = latest[card.id][1] if card.id in latest else None
            if not mr.review_due(card, last, today, period):
                continue
            if last is None:
                what = f"{card.id} is in production and has never had a held model review"
            else:
                what = (f"{card.id} is in production and its last held model review was on "
                        f"{last.isoformat()}, {(today - last).days} days ago")  # fmt: skip
            yield self.at(card, ("status",), (
                f"{what} (review_period_days = {period}): look at its wrong outputs with product "
                f"and ML people and record it (tracecard model-review new TITLE --card {card.id})"
            ))  # fmt: skip


def _missing_role(rule: type[Rule], graph: RepoGraph, role: str, who: str) -> Iterator[Finding]:
    for rev in _held_reviews(graph):
        if isinstance(rev.data.get("participants"), list) and role not in mr.roles(rev.data):
            yield rule.at(rev, ("participants",), (
                f"this held review has no participant with role: {role}: {who}; add the "
                f"{role} people who took part, or hold the review again with them"
            ), key=True)  # fmt: skip


class ReviewWithoutProduct(Rule):
    """What it does:
    Reports a held model review whose `participants` include nobody with `role: product`.
    Draft reviews are not checked (the participants may not be known yet). The finding sits
    at the `participants` key.

    An error: the record says a review took place, and a review without the product side is
    not the review the practice asks for; the record is wrong, and the fix is in it.

    Why it matters:
    The point of a model review is that product people judge which failures matter to the
    business: a wrong fraud block that loses a loyal customer is worse than ten that catch
    a stolen card late. ML engineers alone rank failures by how often they happen, not by what
    they cost, and the review's conclusions then carry an authority they do not have.

    Example:
    ```yaml
    status: held
    participants:
      - {name: Priya Nair, role: ml}
      - {name: Tom Berg, role: engineering}
    ```

    Fix:
    Add the product people who took part (`- {name: Ana Ruiz, role: product}`). If none did,
    the review was an ML review: hold it again with product people, or set it back to draft.
    """

    code = "MRV002"
    name = "review-without-product"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        yield from _missing_role(ReviewWithoutProduct, graph, mr.PRODUCT_ROLE,
                                 "product people judge which failures matter to the business")


class ReviewWithoutMl(Rule):
    """What it does:
    Reports a held model review whose `participants` include nobody with `role: ml`. Draft
    reviews are not checked. The finding sits at the `participants` key.

    An error, for the same reason as MRV002: the record claims a joint review that did not
    take place as one.

    Why it matters:
    Product people can say what a failure costs; only the people who build the model can say
    why it happens, whether a fix is a threshold, data or a new feature, and what it would
    cost. A review without them produces wishes, not actions anybody owns.

    Example:
    ```yaml
    status: held
    participants:
      - {name: Ana Ruiz, role: product}
      - {name: Jo Park, role: domain}
    ```

    Fix:
    Add the ML people who took part (`- {name: Priya Nair, role: ml}`), or hold the review
    again with them.
    """

    code = "MRV003"
    name = "review-without-ml"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        yield from _missing_role(ReviewWithoutMl, graph, mr.ML_ROLE,
                                 "the people who build the model say why it fails and what a fix costs")


class FailureTypeNotOnCard(Rule):
    """What it does:
    Reports a failure type found in a held model review (an example's `failure_type`) that
    the reviewed card's `failure_modes` do not list as a `type`. Each type is reported once
    per review, at the first example that has it. The card is read as it is now, so a
    failure mode deleted from the card after a review found it is reported too. Reviews of a
    retired card are not checked.

    An error: the card is the document people read before they use the model, and it now
    hides a failure the team has seen with its own eyes.

    Why it matters:
    A review that finds a failure nobody writes down is forgotten by the next launch: the
    card keeps claiming the model fails only in the ways it lists, the launch gate and the
    next review start from that claim, and the failure that cost real customers is
    rediscovered the expensive way.

    Example:
    ```yaml
    # docs/model-reviews/0001-fraud-review-march.md
    card: MC-fraud-detector
    examples:
      - {ref: "case 88121", expected: released, actual: blocked, failure_type: friendly_fraud,
         severity: high}
    # MC-fraud-detector's failure_modes have no `type: friendly_fraud`
    ```

    Fix:
    Add the failure mode to the card with `type: friendly_fraud`, its severity and its
    mitigation; if the team chooses to live with it, say so with `deprioritised: true` and
    the decision record. If the example's type is misspelt, correct it.
    """

    code = "MRV004"
    name = "failure-type-not-on-card"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rev in _held_reviews(graph):
            card = _reviewed_card(graph, rev)
            if card is None or card.status == "retired":
                continue
            listed, seen = mr.failure_types(card.data), set()
            for ex in mr.examples(rev.data):
                kind = ex.failure_type
                if kind is None or kind in listed or kind in seen:
                    continue
                seen.add(kind)
                yield self.at(rev, ("examples", ex.index, "failure_type"), (
                    f"failure type {kind} found in this review is not a failure mode of "
                    f"{card.id} ({card.path}): add a failure mode with type: {kind} to the card "
                    "(deprioritised: true with a decision if the team accepts it), or correct "
                    "the type"
                ))  # fmt: skip


class ActionNotReflected(Rule):
    """What it does:
    Checks each action of a held model review against the record it names in `record`:
    - `kind: failure_mode`: the record is a model card whose `failure_modes` have one with
      `type:` equal to the action's `item`;
    - `kind: edge_case`: the record is a dataset whose `edge_cases` have one named `item`;
    - `kind: decision`: the record is a decision record.
    Actions of `kind: other`, draft reviews, and records that do not exist (LNK001 reports
    those) are not checked. The finding sits at the action's `item`, or at its `record` when
    the record is of the wrong kind.

    An error: the review says something was done, and the repository shows it was not.

    Why it matters:
    A review's value is in its actions. An action recorded as done but never carried out is
    worse than none: the next review reads it, believes the failure is covered by the card
    or the evaluation data, and looks elsewhere.

    Example:
    ```yaml
    actions:
      - kind: edge_case
        record: DS-fraud-holdout
        item: repeat_customer_new_address   # DS-fraud-holdout lists no such edge case
        description: Add repeat customers shipping to a new address to the holdout
    ```

    Fix:
    Carry out the action (add the edge case to the dataset's `edge_cases`, the failure mode to
    the card, write the decision record), or correct `record` and `item` to name where it was
    done. An action still to do belongs in a draft review or an issue tracker.
    """

    code = "MRV005"
    name = "action-not-reflected"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rev in _held_reviews(graph):
            for i, act in mr.items(rev.data, "actions"):
                found = self._action(graph, rev, i, act)
                if found is not None:
                    yield found

    def _action(self, graph: RepoGraph, rev: Record, i: int, act: dict[str, object]) -> Finding | None:
        kind, rid, item = act.get("kind"), act.get("record"), act.get("item")
        target = graph.by_id.get(rid.strip()) if isinstance(rid, str) else None
        if target is None or not target.ok or kind not in _WANTS:
            return None
        want = _WANTS[str(kind)]
        if target.kind is not want:
            got = target.kind.label if target.kind else "record of unknown kind"
            return self.at(rev, ("actions", i, "record"), (
                f"a {kind} action must name the {want.label} that reflects it; {target.id} is a "
                f"{got}"
            ))  # fmt: skip
        if kind == "decision" or not isinstance(item, str) or not item.strip():
            return None  # a decision record reflects the action by existing; no item: SCH001
        item = item.strip()
        if kind == "failure_mode" and item not in mr.failure_types(target.data):
            return self.at(rev, ("actions", i, "item"), (
                f"{target.id} ({target.path}) has no failure mode with type: {item}: add it to "
                "the card's failure_modes, or correct the action"
            ))  # fmt: skip
        if kind == "edge_case" and item not in mr.edge_case_names(target.data):
            return self.at(rev, ("actions", i, "item"), (
                f"{target.id} ({target.path}) has no edge case named {item}: add it to the "
                "dataset's edge_cases, or correct the action"
            ))  # fmt: skip
        return None


_WANTS = {"failure_mode": Kind.MODEL_CARD, "edge_case": Kind.DATASET, "decision": Kind.DECISION}


class ReviewedVersionUnknown(Rule):
    """What it does:
    Reports a model review whose `version` is not a version the reviewed card has had: not its
    `version` now, nor in any committed version of the card file (uncommitted changes count
    as one more). Needs git history; skipped without it, and for a card whose history a
    shallow clone cuts off. The finding sits at the review's `version`.

    An error: a review of a version that never existed cannot be traced to the model that
    produced the wrong outputs it looked at.

    Why it matters:
    Failure types are counted per model version: whether a retrained model still blocks loyal
    customers is read by comparing the reviews of two versions. A typo in the version (3.2
    for 3.2.0) or a review of a version that was never written on the card attaches the
    findings to no model at all.

    Example:
    ```yaml
    card: MC-fraud-detector
    version: 3.3.0    # the card went from 3.1.0 to 3.2.0 and is 3.2.0 now
    ```

    Fix:
    Write the version as the card has it (`tracecard model-review new` fills in the card's
    current version). If the reviewed model was never recorded on the card, update the card
    first.
    """

    code = "MRV006"
    name = "reviewed-version-unknown"
    needs_history = True

    @classmethod
    def relevant(cls, graph: RepoGraph) -> bool:
        return any(mr.version_text(r.data.get("version")) for r in mr.reviews(graph))

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        from tracecard.history.timeline import history_of, is_boundary

        hist = history_of(graph)
        if not hist.available:
            return
        for rev in graph.scoped(Kind.MODEL_REVIEW):  # (its findings are in the review)
            if rev.id is None:
                continue  # (`mr.reviews`)
            wanted = mr.version_text(rev.data.get("version"))
            card = _reviewed_card(graph, rev)
            if wanted is None or card is None or card.id is None:
                continue
            known = {mr.version_text(card.data.get("version"))}
            rh = hist.get(card.id)
            if rh is not None:
                if is_boundary(hist, rh.versions[0]):
                    continue  # a shallow clone: earlier versions are not here to compare
                known |= {mr.version_text((v.data or {}).get("version")) for v in rh.versions}
            versions = sorted(v for v in known if v is not None)
            if any(mr.same_version(wanted, v) for v in versions):
                continue
            named = ", ".join(versions[:SHOWN]) + (f" and {len(versions) - SHOWN} more"
                                                   if len(versions) > SHOWN else "")  # fmt: skip
            had = f"has had versions {named}" if versions else "has never had a version"
            yield self.at(rev, ("version",), (
                f"{card.id} {had}, not {wanted}: write the version as the card has it"
            ), commit=_version_written(hist.get(str(rev.id))))


def _version_written(rh: RecordHistory | None) -> str | None:
    """The commit that gave a review the `version` it has now (`tracecard review` keeps the
    findings of the commits in its range); None when it has no history."""
    if rh is None:
        return None
    found = None
    for v in rh.versions:
        now = mr.version_text((v.data or {}).get("version"))
        if v.before is None or mr.version_text(v.before.get("version")) != now:
            found = v.commit
    return found


class ReviewWithoutExamples(Rule):
    """What it does:
    Reports a held model review that lists no `examples` (the key is missing or the list is
    empty). Draft reviews are not checked. The finding sits at `examples`, or at `status` when
    the key is missing.

    A warning, not an error: the cases may be described in the body, and the review may still
    be worth keeping; but nothing can count its failure types (the dashboard, the index, the
    other MRV rules) until they are in the front matter.

    Why it matters:
    A model review looks at actual wrong outputs, not at metrics: that is what lets product
    people say which failures matter. A review that records no example either looked only at
    numbers, or leaves its evidence where nobody can find it again; either way the next review
    cannot tell whether the failures it finds are new.

    Example:
    ```yaml
    status: held
    participants: [{name: Ana Ruiz, role: product}, {name: Priya Nair, role: ml}]
    examples: []
    ```

    Fix:
    List the wrong outputs the review looked at, each with `ref` (where it lives), `expected`,
    `actual`, `failure_type`, `severity` and `impact`. If the review looked at no case, it was a
    metrics review: hold a model review of the wrong outputs.
    """

    code = "MRV007"
    name = "review-without-examples"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rev in _held_reviews(graph):
            value = rev.data.get("examples")
            if value is None or value == []:
                where = ("examples",) if "examples" in rev.data else ("status",)
                yield self.at(rev, where, (
                    "this held review lists no examples: add the wrong outputs it looked at "
                    "(ref, expected, actual, failure_type, severity, impact)"
                ), key=where == ("examples",))  # fmt: skip
