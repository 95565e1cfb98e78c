"""History rules: what git knows about a record that its current file cannot show.

Each rule reads `tracecard.history.timeline.history_of(graph)` (git history plus the working tree as
one more version) and reports on records as they are now: a finding sits at the line of the
current file a person must edit, and names the commit (short sha, date, author) where the
problem came in. Records deleted since are `tracecard review`'s business.

Every comparison is between one version and its first parent (`Version.before`), so a change
made on a merged branch is judged where it was made. A problem that was later undone (a
status set back, a threshold restored, a result recovered, an explaining decision added) is no
longer reported: a finding always has a fix. In a shallow clone the first fetched commit only
looks like a creation; nothing is concluded from it (see `tracecard.history.timeline.is_boundary`).
`tracecard.load.repository` runs these rules only when history can be read.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tracecard.history.timeline import (
    ResultChange,
    ThresholdChange,
    added_decisions,
    changed_keys,
    history_of,
    is_boundary,
    keyed,
    label,
    match_key,
    result_changes,
    same_value,
    short,
    status_of,
    threshold_changes,
    versions_after,
)
from tracecard.load.config import vocabulary
from tracecard.load.parse import plain
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.lifecycles import reachable
from tracecard.model.records import ID_SCHEMES, Kind, Record, id_list
from tracecard.report.text import fmt_number
from tracecard.rules.base import Rule

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.git.index import History, RecordHistory, Version

#: What may change on a decision once it is accepted (`tracecard-ignore` is not content).
MAY_CHANGE_AFTER_ACCEPTANCE = frozenset(
    {"status", "superseded_by", "links", "date", "tracecard-ignore"}
)
#: Statuses a decision reaches only through acceptance.
ACCEPTED_ONWARDS = frozenset({"accepted", "deprecated", "superseded"})


# --- shared --------------------------------------------------------------------------------


def _tracked(graph: RepoGraph, hist: History, kind: Kind) -> Iterator[tuple[Record, RecordHistory]]:
    """Current readable records of `kind` with a history, one per ID (duplicates are IDN's)."""
    if not hist.available:
        return
    for rec in graph.scoped(kind):  # (every finding of a rule that reads these is in the record)
        if rec.id is None or rec.id in graph.duplicates:
            continue
        rh = hist.get(rec.id)
        if rh is not None:
            yield rec, rh


def _current(rec: Record, rh: RecordHistory) -> dict[str, Any]:
    """The record's front matter now: its last version (the working tree's, when it differs
    from HEAD), already in the plain form history keeps."""
    last = rh.latest
    if not last.deleted and last.path == rec.path and last.data is not None:
        return last.data
    return dict(plain(rec.data))


def when(v: Version) -> str:
    """`in 1a2b3c4 (2024-01-05, Grace)`, or `in uncommitted changes`."""
    if short(v.commit) == "uncommitted":
        return "in uncommitted changes"
    return f"in {short(v.commit)} ({v.date[:10]}, {v.author})"


def _compared(v: Version) -> bool:
    """A version that changed an existing record (so `before` and `data` can be compared)."""
    return v.before is not None and v.data is not None and not v.deleted


def _first_seen_at_cut(hist: History, rh: RecordHistory) -> bool:
    """In a shallow clone, a record whose earlier history is cut off."""
    return is_boundary(hist, rh.versions[0])


def _value(value: Any) -> str:
    return "nothing" if value is None else fmt_number(value)


def _explained_since(v: Version, current: Mapping[str, Any]) -> bool:
    """The change of `v` names a decision: added in that commit, or in `decisions` since."""
    assert v.before is not None
    if added_decisions(v.before, v.data):
        return True
    now = set(id_list(current.get("decisions")))
    return bool(now - set(id_list(v.before.get("decisions"))))


# --- HIS001 --------------------------------------------------------------------------------


class AcceptedDecisionEdited(Rule):
    """What it does:
    Reports an accepted decision whose content changed after the commit that accepted it:
    its front matter or its body (the text below the front matter).

    `status`, `superseded_by`, `links` and `date` may change (and `tracecard-ignore`, which is
    not content); any other key may not, and neither may the body. It applies to decisions
    that are accepted, deprecated or superseded now. A changed key is reported at that key in
    the current file; a changed body at its first heading (history keeps a digest of the body,
    which tells that it changed, not where). Each finding names the accepting commit and the
    commit that made the change. Formatting is not a change: line endings (LF or CRLF),
    whitespace at the end of a line, blank lines at the end of the file. A change that was
    undone since (the text as accepted again) is not reported.

    Why it matters:
    A decision record is worth keeping because it says what was decided, by whom, when.
    Editing an accepted decision rewrites that history silently: the people who agreed to it
    agreed to something else, and the next reader cannot tell. A changed decision is a new
    decision that supersedes the old one.

    Example:
    ```yaml
    # accepted in 1a2b3c4; two commits later someone edits it in place:
    id: ADR-0003
    title: Use recall as the fraud threshold     # was: Use precision as the fraud threshold
    status: accepted
    ```

    Fix:
    Put the key (or the text) back as it was when the decision was accepted (`git show
    COMMIT:PATH` prints the accepted file), and write the new decision as its own record:
    `tracecard adr new "Use recall as the fraud threshold" --supersedes ADR-0003`.
    """

    code = "HIS001"
    name = "accepted-decision-edited"
    needs_history = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        hist = history_of(graph)
        if not hist.available:
            return
        from tracecard.git.index import body_digest  # only once history is read

        for rec, rh in _tracked(graph, hist, Kind.DECISION):
            if rec.status not in ACCEPTED_ONWARDS:
                continue
            accepted = _acceptance(hist, rh)
            if accepted is None or accepted.data is None:
                continue
            current = _current(rec, rh)
            for key in sorted(changed_keys(accepted.data, current) - MAY_CHANGE_AFTER_ACCEPTANCE):
                change = _first_change_of(rh, accepted, key)
                yield self.at(
                    rec, (key,), self._message(rec, rh, accepted, key), key=True,
                    commit=change.commit if change is not None else None,
                )
            if accepted.body is not None and (rec.parsed.digest or body_digest(rec.parsed.body_lines)) != accepted.body:
                yield self._body_finding(rec, rh, accepted)

    @staticmethod
    def _body_finding(rec: Record, rh: RecordHistory, accepted: Version) -> Finding:
        change = _body_change(rh, accepted)
        since = f" {when(change)}" if change is not None else " since"
        message = (
            f"{rec.id} was accepted {when(accepted)}; the body changed{since}: an accepted "
            f"decision is superseded, not edited: restore the text as it was accepted and write "
            f"a new decision that supersedes {rec.id}"
        )
        headings = rec.body.headings
        if headings:
            line = headings[0].line
        elif rec.parsed.body_lines:
            line = rec.parsed.body_start
        else:  # no body left: the closing fence
            line = rec.parsed.fm_end or 1
        return AcceptedDecisionEdited.found(
            rec.path, line, 1, message, change.commit if change is not None else None
        )

    @staticmethod
    def _message(rec: Record, rh: RecordHistory, accepted: Version, key: str) -> str:
        change = _first_change_of(rh, accepted, key)
        since = f" {when(change)}" if change is not None else " since"
        return (
            f"{rec.id} was accepted {when(accepted)}; `{key}` changed{since}: an accepted "
            f"decision is superseded, not edited: restore `{key}` and write a new decision "
            f"that supersedes {rec.id}"
        )


def _acceptance(hist: History, rh: RecordHistory) -> Version | None:
    """The last version that made the decision accepted (created accepted, or moved there)."""
    found = None
    for v in rh.versions:
        if v.deleted or status_of(v.data) != "accepted":
            continue
        if (
            v.before is None
            and not is_boundary(hist, v)
            or v.before is not None
            and status_of(v.before) != "accepted"
        ):
            found = v
    return found


def _body_change(rh: RecordHistory, accepted: Version) -> Version | None:
    """The version that made the body differ from the accepted text for good: the first one
    after acceptance that changed it, or after the last one that put it back."""
    found = None
    for v in versions_after(rh, accepted):
        if v.deleted or v.body is None:
            continue  # unknown (unreadable, too large): neither a change nor a revert
        if v.body == accepted.body:
            found = None
        elif found is None:
            found = v
    return found


def _first_change_of(rh: RecordHistory, start: Version, key: str) -> Version | None:
    missing = object()
    for v in versions_after(rh, start):
        if (
            v.before is not None
            and v.data is not None
            and (v.before.get(key, missing) != v.data.get(key, missing))
        ):
            return v
    return None


# --- HIS002 --------------------------------------------------------------------------------


class TransitionNotAllowed(Rule):
    """What it does:
    Reports a status change that the record kind's lifecycle does not allow.

    Each version is compared with its first parent, and the change is allowed when a path of
    allowed steps leads from the old status to the new one (draft -> candidate -> production
    in one commit is fine). Reported: a decision that went from accepted back to proposed, a
    retired dataset that became ready again, a production model card moved to draft. A record
    without `status` counts as being in its kind's first status; a status that is not one of
    the kind's is left to the schema rules. A change that was later undone (the status set
    back to what it was) is not reported. The finding sits at the `status` line and names the
    commit.

    Why it matters:
    The lifecycle is what lets people trust a status: an accepted decision was proposed and
    then agreed to, a production card went through candidate. A status edited by hand past
    those steps claims an agreement or a gate that never happened.

    Example:
    ```yaml
    # ADR-0002 was accepted in 1a2b3c4; then edited to:
    status: proposed
    ```

    Fix:
    Set `status` back to what it was, then move the record on by an allowed step (`tracecard
    adr deprecate`, `tracecard card promote`, ...). To change an accepted decision, supersede
    it with a new one. The allowed steps are listed in `tracecard.model.lifecycles`.
    """

    code = "HIS002"
    name = "status-transition-not-allowed"
    needs_history = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        from tracecard.model.lifecycles import INITIAL, TRANSITIONS

        hist = history_of(graph)
        for kind, lifecycle in TRANSITIONS.items():
            for rec, rh in _tracked(graph, hist, kind):
                if _first_seen_at_cut(hist, rh):
                    continue
                for v, old, new in _bad_steps(rh, lifecycle, INITIAL[kind]):
                    allowed = " or ".join(sorted(reachable(lifecycle, old)))
                    then = (f"then move it on to {allowed} by the lifecycle's steps" if allowed
                            else "it is final")  # fmt: skip
                    yield self.at(rec, ("status",), (
                        f"status changed from {old} to {new} {when(v)}, which no allowed step "
                        f"leads to: undo the edit (set `status` back to {old}); {then}"
                    ), commit=v.commit)  # fmt: skip


def _bad_steps(
    rh: RecordHistory, lifecycle: dict[str, frozenset[str]], initial: str
) -> Iterator[tuple[Version, str, str]]:
    """Status changes the lifecycle forbids, less those set back later (and the setting back)."""
    steps = []
    for v in rh.versions:
        if _compared(v):
            old, new = status_of(v.before) or initial, status_of(v.data) or initial
            if old != new:
                steps.append((v, old, new))
    undone: set[int] = set()
    for i, (v, old, new) in enumerate(steps):
        if i in undone or old not in lifecycle or new not in lifecycle:
            continue
        if new in reachable(lifecycle, old):
            continue
        back = next((j for j in range(i + 1, len(steps)) if steps[j][2] == old), None)
        if back is not None:
            undone.add(back)  # setting the status back is the fix, not a new problem
            continue
        yield v, old, new


# --- HIS003 --------------------------------------------------------------------------------


class ThresholdWithoutDecision(Rule):
    """What it does:
    Reports a launch or target value, or a constraint (latency, cost, size, explainability...),
    of an agreed requirement that differs from the value last agreed, with no decision to
    explain it.

    The thresholds of the requirement now are compared with those of its last agreed version:
    the first version in `agreed`, then every later agreed version whose changes were
    explained. So reopening it (`draft`), lowering a value and agreeing again is a change;
    so is a value lowered over several commits, or by a merge. A change is explained by a
    decision record added to the requirement's `decisions` since the last agreed version,
    which was agreed to (`accepted`, or since deprecated or superseded) and is about this
    requirement: it names its ID, or it names no requirement and was written for the change
    (first committed after the last agreed version). A proposed or rejected decision, an ID
    that is no record, a decision that names only other requirements, or an old decision
    about something else added to the list explains nothing. Draft requirements are still being negotiated and are not checked; a
    retired one gates nothing. A value set back to the agreed one is not reported. The finding
    sits at the criterion's value (a constraint's, or `constraints` when it was removed) and
    names the last commit that changed it.

    Why it matters:
    A threshold is where product and ML agreed on what "good enough" means. Lowered quietly to
    let a model pass, it turns the launch gate into a formality; a decision record says who
    changed it, why, and what was given up, so the next person does not undo or repeat it.

    Example:
    ```yaml
    # REQ-0002, agreed; this commit changes launch 0.90 -> 0.85 and nothing else:
    criteria:
      - {metric: precision, dataset: DS-fraud-holdout, split: test, launch: 0.85}
    decisions: [ADR-0003]
    ```

    Fix:
    Write a decision record that explains the new threshold (`tracecard adr new "Lower the fraud
    precision minimum to 0.85"`) and add its ID to `decisions`, in the same commit as the
    change; or put the old value back.
    """

    code = "HIS003"
    name = "threshold-changed-without-decision"
    needs_history = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        hist = history_of(graph)
        for rec, rh in _tracked(graph, hist, Kind.REQUIREMENT):
            if rec.status == "agreed":
                yield from self._record(graph, rec, rh)

    def _record(self, graph: RepoGraph, rec: Record, rh: RecordHistory) -> Iterator[Finding]:
        current = _current(rec, rh)
        agreed = last_agreed(graph, rec, rh)
        if agreed is None or agreed.data is None or status_of(current) != "agreed":
            return
        changes = threshold_changes(agreed.data, current)
        loosened = constraint_changes(agreed.data, current)
        if not (changes or loosened) or explains(graph, rec, agreed.data, current, agreed.date):
            return
        hint = _unqualified(graph, rec, agreed.data, current, agreed.date)
        now_constraints = current.get("constraints")
        for name, old_value, new_value in loosened:
            v = _last_constraint_change(rh, name) or rh.latest
            since = "" if v is agreed else f" (last agreed {when(agreed)})"
            present = isinstance(now_constraints, Mapping) and name in now_constraints
            yield self.at(rec, ("constraints", name) if present else ("constraints",), (
                f"constraint {name} changed from {_value(old_value)} to {_value(new_value)} "
                f"{when(v)}{since} without a decision{hint}: add an accepted decision record "
                f"that explains it and names {rec.id} to `decisions`, or restore the value"
            ), commit=v.commit)  # fmt: skip
        now = keyed(current.get("criteria"))
        for t in changes:
            index, crit = now.get((t.key, t.nth), (None, {}))
            where: tuple[str | int, ...] = ("criteria",)
            if index is not None:
                where = ("criteria", index, t.field) if t.field in crit else ("criteria", index)
            v = _last_change_of(rh, t) or rh.latest
            since = "" if v is agreed else f" (last agreed {when(agreed)})"
            yield self.at(rec, where, (
                f"{t.field} of {t.label} changed from {_value(t.before)} to {_value(t.after)} "
                f"{when(v)}{since} without a decision{hint}: add an accepted decision record "
                f"that explains it and names {rec.id} to `decisions`, or restore the value"
            ), commit=v.commit)  # fmt: skip


#: Statuses of a decision that was agreed to (it may have been replaced since).
_DECIDED = frozenset({"accepted", "deprecated", "superseded"})


def last_agreed(graph: RepoGraph, rec: Record, rh: RecordHistory) -> Version | None:
    """The last version of an agreed requirement whose thresholds count as agreed: the first
    version in `agreed`, then each later agreed version whose thresholds equal it or whose
    changes an accepted decision explains. Versions in draft in between do not count, so
    reopen, edit, re-agree is held to the thresholds agreed before."""
    found: Version | None = None
    for v in rh.versions:
        if v.deleted or v.data is None or status_of(v.data) != "agreed":
            continue
        if found is None or found.data is None:
            found = v
        elif (not threshold_changes(found.data, v.data) and not constraint_changes(found.data, v.data)) \
                or explains(graph, rec, found.data, v.data, found.date):
            found = v
    return found


def decision_explains(graph: RepoGraph, requirement: str, decision: str,
                      is_new: Callable[[str], bool] | None = None) -> bool:  # fmt: skip
    """Whether `decision` can explain a threshold change of `requirement` (what HIS003 asks,
    and what `tracecard review` shows): an agreed-to decision record about it (see
    `_about`); `is_new(decision)` says whether it was written for the change."""
    found = graph.get(decision)
    return (found is not None and found.kind is Kind.DECISION and found.status in _DECIDED
            and _about(found, {requirement}, Kind.REQUIREMENT,
                       is_new(decision) if is_new is not None else True))  # fmt: skip


def _decisions_added(
    graph: RepoGraph, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[Record]:
    out = []
    for did in added_decisions(before, after):
        found = graph.get(did)
        if found is not None and found.kind is Kind.DECISION:
            out.append(found)
    return out


def _about(decision: Record, names: set[str], kind: Kind, new: bool) -> bool:
    """The decision is about the record: it names it (its ID, or for a card its model or a
    requirement it satisfies), in a front-matter value or its text; or it names no other
    record of the kind and was written for the change (first committed since the record's
    last agreed or promoted version). An old decision about something else, added to the
    list afterwards, explains nothing."""
    names = {n for n in names if n}
    texts = [*_strings(decision.data), *decision.parsed.body_lines]
    if any(name in text for name in names for text in texts):
        return True
    prefix = ID_SCHEMES[kind].prefix + "-"
    return new and not any(prefix in text for text in texts)


def written_since(graph: RepoGraph, did: str, since: str | None, commit: str | None = None) -> bool:
    """The decision was written after `since` (the ISO date of the version the change is
    measured from): first committed later than that, or in `commit` (the one that adds it to
    the list), or not committed yet."""
    if since is None:
        return True
    rh = history_of(graph).get(did)
    if rh is None or not rh.versions or rh.created.commit in (commit, WORKTREE_COMMIT):
        return True
    try:
        return datetime.fromisoformat(rh.created.date) > datetime.fromisoformat(since)
    except ValueError:
        return True


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def explains(
    graph: RepoGraph, rec: Record, before: Mapping[str, Any], after: Mapping[str, Any],
    since: str | None = None,
) -> bool:
    """A decision added to `decisions` between the two versions explains their threshold
    changes when it was agreed to (accepted, or since deprecated or superseded) and is about
    the requirement (`_about`; `since`: the date of the version the change is measured from)."""
    return any(
        d.status in _DECIDED and _about(d, {rec.id or ""}, Kind.REQUIREMENT, written_since(graph, d.id or "", since))
        for d in _decisions_added(graph, before, after)
    )


def _unqualified(
    graph: RepoGraph, rec: Record, before: Mapping[str, Any], after: Mapping[str, Any],
    since: str | None = None,
) -> str:
    """Why the decisions added since do not explain the change, when some were added."""
    reasons = []
    for d in _decisions_added(graph, before, after):
        if d.status not in _DECIDED:
            reasons.append(f"{d.id} is {d.status or 'without a status'}, not accepted")
        elif not _about(d, {rec.id or ""}, Kind.REQUIREMENT, written_since(graph, d.id or "", since)):
            reasons.append(f"{d.id} does not name {rec.id} and was not written for this change")
    return f" ({'; '.join(reasons)})" if reasons else ""


def constraint_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(name, agreed value, value now) of each constraint an agreed requirement had in
    `before` and changed or lost in `after` (a new constraint is no change)."""
    old, new = before.get("constraints"), after.get("constraints")
    if not isinstance(old, Mapping):
        return []
    new = new if isinstance(new, Mapping) else {}
    return [(str(k), v, new.get(k)) for k, v in old.items()
            if v is not None and not same_value(v, new.get(k))]  # fmt: skip


def _last_constraint_change(rh: RecordHistory, name: str) -> Version | None:
    for v in reversed(rh.versions):
        if _compared(v) and any(n == name for n, _, _ in constraint_changes(v.before or {}, v.data or {})):
            return v
    return None


def _last_change_of(rh: RecordHistory, change: ThresholdChange) -> Version | None:
    """The latest version that changed this criterion value."""
    for v in reversed(rh.versions):
        if not _compared(v):
            continue
        for t in threshold_changes(v.before, v.data):
            if (t.key, t.nth, t.field) == (change.key, change.nth, change.field):
                return v
    return None


# --- HIS004 --------------------------------------------------------------------------------


class ProductionResultRegressed(Rule):
    """What it does:
    Reports a production model card's result that got worse than in its previous version.

    Previous is the card's first parent; worse is by more than `regression_tolerance`, a
    fraction of the previous value (0.02 lets a result get 2% worse; the default, 0, lets
    nothing). Better and worse follow the metric's direction in the vocabulary; results of
    metrics it does not know are not compared. A commit that adds a decision to the card's
    `decisions` accepts its regressions, and so does a decision added since; a result that has
    recovered is not reported. The finding sits at the result's `value` in the current file.

    Why it matters:
    A production card describes the model people are served. When a new version is worse on a
    metric someone cared enough to report, that is either a trade-off somebody decided on (and
    should write down) or a regression nobody noticed: the gate only checks the launch minimum,
    not whether the model got worse than the one it replaced.

    Example:
    ```yaml
    # MC-fraud-detector, production; this commit changes the value 0.93 -> 0.90:
    results:
      - {metric: precision, dataset: DS-fraud-holdout, split: test, value: 0.90}
    ```

    Fix:
    Keep serving the better model and put its results back, or record the trade-off: write a
    decision ("Accept lower precision for a 40% latency cut") and add it to the card's
    `decisions`. To allow small noise between evaluations, set `regression_tolerance` in the
    configuration.
    """

    code = "HIS004"
    name = "production-result-regressed"
    needs_history = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        hist = history_of(graph)
        for rec, rh in _tracked(graph, hist, Kind.MODEL_CARD):
            if rec.status == "production":
                yield from self._record(graph, rec, rh)

    def _record(self, graph: RepoGraph, rec: Record, rh: RecordHistory) -> Iterator[Finding]:
        vocab, tolerance = vocabulary(graph.settings), graph.settings.regression_tolerance
        current = _current(rec, rh)
        now = keyed(current.get("results"))
        reported: set[tuple[Any, ...]] = set()
        for v in rh.versions:
            if not _compared(v) or status_of(v.data) != "production":
                continue
            if _explained_since(v, current):
                continue
            for r in result_changes(v.before, v.data, vocab):
                index, entry = now.get((r.key, r.nth), (None, None))
                if entry is None or index is None or (r.key, r.nth) in reported:
                    continue
                if not r.regressed(tolerance):
                    continue
                still = ResultChange(r.key, r.before, entry.get("value"), index, r.direction)
                if not still.regressed(tolerance):
                    continue  # it has recovered since
                reported.add((r.key, r.nth))
                yield self.at(rec, ("results", index, "value"), (
                    f"{r.label} went from {_value(r.before)} to {_value(r.after)} {when(v)}, "
                    f"worse than the previous version beyond the regression tolerance "
                    f"({tolerance:g}) on a production card: restore the better model, or add a "
                    "decision that accepts the regression to `decisions`"
                ), commit=v.commit)  # fmt: skip


# --- HIS005 --------------------------------------------------------------------------------


class IdChanged(Rule):
    """What it does:
    Reports a record file whose ID changed while the file stayed where it was.

    The `id:` key was edited, or (for a file without `id:`) the ID its name gives. The finding sits at the `id`
    line of the current file and names the commit. Not reported: an ID that did not match its
    kind's pattern before (correcting it is the fix IDN002 asks for), an ID set back to the one
    the file had, and a change that came with a rename (git pairs similar files as renames, so
    a record deleted and another created from the same template look alike).

    Why it matters:
    Other records, pull requests, tickets and people's memories refer to a record by its ID.
    Changing it breaks every one of those references, and reusing the file for a different
    record makes its history (who accepted what, when) belong to the wrong record.

    Example:
    ```yaml
    # docs/decisions/0004-two-stage-retrieval.md held ADR-0004; now:
    id: ADR-0007
    ```

    Fix:
    Put the old ID back. If the file now holds a different record, move that record to a new
    file with a new ID (`tracecard adr new`) and restore the old one, or retire it.
    """

    code = "HIS005"
    name = "id-changed"
    needs_history = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        hist = history_of(graph)
        if not hist.available:
            return
        for change in hist.id_changes:
            rec = graph.by_id.get(change.new_id)
            rh = hist.get(change.new_id)
            if rec is None or rec.kind is None or rh is None or change.new_id in graph.duplicates:
                continue
            v = _changed_in_place(hist, rh, change.commit, change.path, change.old_id)
            if v is not None and ID_SCHEMES[rec.kind].pattern.match(change.old_id):
                yield self.at(rec, ("id",), (
                    f"the ID of this file changed from {change.old_id} to {change.new_id} "
                    f"{when(v)}: references to {change.old_id} now point nowhere; put back "
                    f"`id: {change.old_id}` and give a new record a new file"
                ), commit=change.commit)  # fmt: skip


def _changed_in_place(
    hist: History, rh: RecordHistory, commit: str, path: str, old_id: str
) -> Version | None:
    """The version that changed the ID at `path` without a rename and without restoring the
    ID the file had before; None when it is not one to report."""
    for i, v in enumerate(rh.versions):
        if v.commit == commit and v.path == path:
            if v.old_path is not None or any(u.path == path for u in rh.versions[:i]):
                return None
            old = hist.get(old_id)
            if hist.shallow and (old is None or _first_seen_at_cut(hist, old)):
                return None  # what the file held before the cut is unknown
            return v
    return None


# --- HIS006 --------------------------------------------------------------------------------


class RecordDeleted(Rule):
    """What it does:
    Reports a record file that was deleted instead of being retired (or, for a decision,
    deprecated or superseded). `tracecard check` reports deletions not yet committed;
    `tracecard review` reports the records a pull request deletes. A file renamed with its ID
    kept is not a deletion.

    Why it matters:
    Other records name it by ID (a card's `satisfies`, a requirement's `decisions`), and
    history tools read it: once the file is gone those links point nowhere and the reasoning
    it held cannot be found again without digging through git.

    Example:
    `git rm docs/datasets/recs-interactions.md` for a training set nobody uses any more.

    Fix:
    Restore the file (`git restore --staged --worktree PATH`, or `git checkout BASE -- PATH`)
    and set `status: retired` (`deprecated` or `superseded` for a decision) instead.
    """

    code = "HIS006"
    name = "record-deleted"
    needs_history = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        hist = history_of(graph)
        if not hist.available:
            return
        rekeyed = {c.old_id for c in hist.id_changes}  # renamed to another ID: HIS005's business
        for rh in hist.deleted_now:
            v = rh.latest
            if rh.id in graph.by_id or rh.id in rekeyed:
                continue
            yield self.found(v.path, 1, 1, deleted_message(rh.id), None)


def deleted_message(rid: str) -> str:
    """What to do about a deleted record (shared with `tracecard review`)."""
    return (
        f"{rid} was deleted: restore the file and set status: retired (a decision: deprecated "
        "or superseded) instead, so that the records that name it still resolve"
    )


#: Card statuses the launch gate holds to their requirements.
_GATED = frozenset({"candidate", "production"})
#: Failure-mode severities, least to most severe.
_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def _agreed_decisions_added(graph: RepoGraph, v: Version, card: str, since: str | None) -> list[str]:
    """Decisions added to the card's `decisions` by this version that were agreed to
    (accepted, or since deprecated or superseded) and are about the card (`_about`: they name
    it, its model or a requirement it satisfies, or were written since `since`, the date of
    the card's previous version, and name no other card)."""
    assert v.before is not None
    about = _card_names(v.data or {}, card)
    return [
        did for did in added_decisions(v.before, v.data)
        if (d := graph.get(did)) is not None and d.kind is Kind.DECISION and d.status in _DECIDED
        and _about(d, about, Kind.MODEL_CARD, written_since(graph, did, since, v.commit))
    ]  # fmt: skip


def _card_names(data: Mapping[str, Any], card: str) -> set[str]:
    """What a decision about this card names: its ID, its model, a requirement it satisfies."""
    names = {card} if card else set()
    model = data.get("model")
    if isinstance(model, str) and len(model.strip()) >= 3:
        names.add(model.strip())
    names.update(id_list(data.get("satisfies")))
    return names


def _explained(graph: RepoGraph, v: Version, card: str, since: str | None,
               key: str | None = None) -> bool:  # fmt: skip
    """This version added an agreed-to decision about the card to `decisions`, or (for `key`,
    a mapping with its own `decision` field such as `operating_point`) named a new one there."""
    if _agreed_decisions_added(graph, v, card, since):
        return True
    if key is None or v.before is None or v.data is None:
        return False
    after, before = v.data.get(key), v.before.get(key)
    new = after.get("decision") if isinstance(after, Mapping) else None
    old = before.get("decision") if isinstance(before, Mapping) else None
    if not isinstance(new, str) or new == old:
        return False
    d = graph.get(new.strip())
    return d is not None and d.kind is Kind.DECISION and d.status in _DECIDED


def _words(text: object) -> str:
    return " ".join(str(text).lower().split()) if isinstance(text, str) else ""


def _same_mode(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two entries describe the same failure mode: the same `type`, or descriptions that are
    the same or nearly so (a typo fixed, a sentence added)."""
    ta, tb = a.get("type"), b.get("type")
    if isinstance(ta, str) and isinstance(tb, str) and ta.strip() and ta.strip() == tb.strip():
        return True
    da, db = _words(a.get("description")), _words(b.get("description"))
    if not da or not db:
        return False
    if da == db:
        return True
    matcher = difflib.SequenceMatcher(None, da, db)  # the cheap upper bounds first: same answer
    return matcher.real_quick_ratio() >= 0.8 and matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8


def _mode_list(data: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    modes = data.get("failure_modes") if data else None
    return [m for m in (modes if isinstance(modes, list) else []) if isinstance(m, Mapping)]


def _mode_label(mode: Mapping[str, Any]) -> str:
    kind = mode.get("type")
    if isinstance(kind, str) and kind.strip():
        return kind.strip()
    return _short(" ".join(str(mode.get("description") or "?").split()))


def _short(text: str, limit: int = 60) -> str:
    """`text`, cut at a word boundary with an ellipsis when longer than `limit`."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


class _GatedCardHistory(Rule):
    """A history rule about `candidate` and `production` cards: `_record` reads one card's
    versions."""

    needs_history = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        hist = history_of(graph)
        for rec, rh in _tracked(graph, hist, Kind.MODEL_CARD):
            if rec.status in _GATED and not _first_seen_at_cut(hist, rh):
                yield from self._record(graph, rec, rh)

    def _record(self, graph: RepoGraph, rec: Record, rh: RecordHistory) -> Iterator[Finding]:
        raise NotImplementedError


@dataclass
class _Known:
    """A failure mode the card has listed, as it stands in the record the rule keeps."""

    mode: Mapping[str, Any]
    severity: int  # the highest severity it has had since last explained
    raised_in: Version  # the version that set that severity
    gone_in: Version | None = None  # the version that removed it, while it is gone


class FailureModeRemovedWithoutDecision(_GatedCardHistory):
    """What it does:
    Reports, on a `candidate` or `production` card, a failure mode that the card once listed
    and no longer does, or whose `severity` was lowered, with no agreed-to decision record
    (accepted, or since deprecated or superseded) added to the card's `decisions` since. A
    removal made while the card was a draft counts too: what was known about the model before
    it was promoted does not disappear by being deleted first. Failure modes are matched by
    `type`, or by their description (the same, or nearly: a typo fix or an added `type` is not
    a removal). A failure mode that is back, at its severity, is not reported. A removal is
    reported at the card's `failure_modes` (at `status` when the list is gone), a lowered
    severity at that `severity`; both name the commit.

    Why it matters:
    A failure mode is a known risk that product people accepted. Deleting it, or quietly
    calling it less severe, does not fix the model: it hides the risk from the next review,
    from the gate (a `high` failure mode needs a mitigation, a `low` one does not) and from
    everyone reading the card. Fixing a failure mode is a change worth a decision record: what
    changed, and how it was shown to be fixed.

    Example:
    ```yaml
    # MC-fraud-detector, production; this commit deletes:
    #   - {type: friendly_fraud, severity: medium, description: ...}
    decisions: [ADR-0003]
    ```

    Fix:
    Put the failure mode back (at its severity); or, if it is really fixed or less severe than
    thought, write a decision record that says how that was shown, accept it, and add it to
    the card's `decisions`.
    """

    code = "HIS007"
    name = "failure-mode-removed-without-decision"

    def _record(self, graph: RepoGraph, rec: Record, rh: RecordHistory) -> Iterator[Finding]:
        known: list[_Known] = []
        prev: str | None = None  # the date of the card's previous version
        for v in rh.versions:
            since, prev = prev, v.date
            if v.deleted or v.data is None:
                continue
            if v.before is not None and _explained(graph, v, rh.id, since):
                known = []  # an agreed decision accounts for what the card says now
            now = _mode_list(v.data)
            for k in known:
                match = next((m for m in now if _same_mode(k.mode, m)), None)
                if match is None:
                    k.gone_in = k.gone_in or v
                    continue
                k.gone_in, k.mode = None, match
                rank = _SEVERITY_RANK.get(str(match.get("severity")), -1)
                if rank > k.severity:
                    k.severity, k.raised_in = rank, v
            for m in now:
                if not any(_same_mode(k.mode, m) for k in known):
                    known.append(_Known(m, _SEVERITY_RANK.get(str(m.get("severity")), -1), v))
        current = _mode_list(_current(rec, rh))
        for k in known:
            if k.gone_in is not None:
                where = ("failure_modes",) if "failure_modes" in rec.data else ("status",)
                yield self.at(rec, where, (
                    f"the failure mode {_mode_label(k.mode)!r} was removed {when(k.gone_in)} "
                    "without a decision: put it back, or add an accepted decision record that "
                    "says how it was fixed to `decisions`"
                ), key=where == ("failure_modes",), commit=k.gone_in.commit)  # fmt: skip
                continue
            index = next((i for i, m in enumerate(current) if _same_mode(k.mode, m)), None)
            severity = k.mode.get("severity")
            rank = _SEVERITY_RANK.get(str(severity), -1)
            if index is None or rank < 0 or rank >= k.severity:
                continue
            was = next(n for n, r in _SEVERITY_RANK.items() if r == k.severity)
            yield self.at(rec, ("failure_modes", index, "severity"), (
                f"the failure mode {_mode_label(k.mode)!r} is {severity} now, but was {was} "
                f"{when(k.raised_in)}, and no decision says why: restore the severity, or add "
                "an accepted decision record that explains it to `decisions`"
            ), commit=rh.latest.commit)  # fmt: skip


#: What a card's model is: a change of any of these is a different model.
MODEL_KEYS = ("model", "library_name", "base_model")


def _baseline_changes(
    graph: RepoGraph,
    rh: RecordHistory,
    read: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    key: str | None = None,
) -> dict[str, tuple[Any, Version]]:
    """For each field `read` picks out of a card: (the value it had when the card was promoted
    or a decision last explained it, the last version that changed it) where the card's value
    now differs from that baseline. Changes while the card is a draft are free; a value set
    back is no change."""
    base: dict[str, Any] = {}
    last: dict[str, Version] = {}
    gated = False
    prev: str | None = None  # the date of the card's previous version
    for v in rh.versions:
        since, prev = prev, v.date
        if v.deleted or v.data is None:
            continue
        values = read(v.data)
        now_gated = status_of(v.data) in _GATED
        if not now_gated:
            gated = False
            continue
        if not gated or (v.before is not None and _explained(graph, v, rh.id, since, key)):
            base, last, gated = dict(values), {}, True
            continue
        before = read(v.before) if v.before is not None else {}
        for name in set(values) | set(before):
            if not same_value(values.get(name), before.get(name)):
                last[name] = v
    current = read(rh.latest.data or {}) if not rh.latest.deleted else {}
    return {
        name: (value, last[name]) for name, value in base.items()
        if name in last and not _same_text(current.get(name), value)
    }  # fmt: skip


def _same_text(a: Any, b: Any) -> bool:
    """Equal, with text compared without case or surrounding space (LightGBM is lightgbm)."""
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().lower() == b.strip().lower()
    return same_value(a, b)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(x) for x in value) or "nothing"
    return _value(value)


class ModelChangedWithoutDecision(_GatedCardHistory):
    """What it does:
    Reports a `candidate` or `production` card whose `model` (the model family),
    `library_name` or `base_model` differs from what it was when the card was promoted (or
    when an agreed-to decision record was last added to its `decisions`). Changes while the
    card is a draft are free; a value set back is not reported; a value stated for the first
    time is not a change; text is compared without case. The finding is at the key in the
    current file and names the last commit that changed it.

    Why it matters:
    Replacing gradient-boosted trees with a neural network, or one base model with another,
    changes how the model fails, what it costs and what it can explain, even when the
    headline metric stays the same. Decisions like that are what decision records are for;
    without one, nobody can later say why the model is what it is.

    Example:
    ```yaml
    # MC-fraud-detector, production; this commit changes:
    library_name: xgboost   # was lightgbm
    ```

    Fix:
    Write a decision record for the change (`tracecard adr new "Move the fraud model to
    XGBoost"`), accept it, and add it to the card's `decisions`; or restore the previous value.
    """

    code = "HIS008"
    name = "model-changed-without-decision"

    def _record(self, graph: RepoGraph, rec: Record, rh: RecordHistory) -> Iterator[Finding]:
        def read(data: Mapping[str, Any]) -> dict[str, Any]:
            return {k: data[k] for k in MODEL_KEYS if data.get(k) is not None}

        current = _current(rec, rh)
        for key, (was, v) in sorted(_baseline_changes(graph, rh, read).items()):
            where = (key,) if key in rec.data else ("status",)
            yield self.at(rec, where, (
                f"{key} is {_shown(current.get(key))}, but was {_shown(was)} when the card was "
                f"promoted; changed {when(v)} without a decision: add an accepted decision record "
                "about the change to `decisions`, or restore the previous value"
            ), commit=v.commit)  # fmt: skip


class OperatingPointChangedWithoutDecision(_GatedCardHistory):
    """What it does:
    Reports an `operating_point` value (the `threshold`, or another named threshold such as a
    review band) of a `candidate` or `production` card that differs from the value it had when
    the card was promoted, or when a decision for it was last recorded: an agreed-to decision
    record added to the card's `decisions`, or a new `operating_point.decision` naming one. A
    value set back is not reported; changes while the card is a draft are free. The finding is
    at the value in the current file and names the last commit that changed it.

    Why it matters:
    The operating threshold is where the model trades one error for the other: lowering a
    fraud block threshold catches more fraud and blocks more good customers. Which error costs
    more is a product decision (see `error_costs`), and moving the threshold quietly changes
    the product without anyone deciding it.

    Example:
    ```yaml
    # MC-fraud-detector, production; this commit changes 0.92 -> 0.85:
    operating_point: {threshold: 0.85, trades: fewer missed frauds for more blocked customers}
    ```

    Fix:
    Write a decision record for the new threshold with what it trades, accept it, and name it
    in `operating_point.decision` (or add it to `decisions`); or restore the previous value.
    """

    code = "HIS009"
    name = "operating-point-changed-without-decision"

    def _record(self, graph: RepoGraph, rec: Record, rh: RecordHistory) -> Iterator[Finding]:
        def read(data: Mapping[str, Any]) -> dict[str, Any]:
            return _numbers(data.get("operating_point"))

        now = _numbers(_current(rec, rh).get("operating_point"))
        changes = _baseline_changes(graph, rh, read, "operating_point")
        for key, (was, v) in sorted(changes.items()):
            where: tuple[str | int, ...] = ("operating_point", key)
            if key not in now:
                where = ("operating_point",) if "operating_point" in rec.data else ("status",)
            yield self.at(rec, where, (
                f"operating_point.{key} is {_value(now.get(key))}, but was {_value(was)} when the "
                f"card was promoted; changed {when(v)} without a decision: moving the threshold "
                "trades one error for the other; add an accepted decision record that says what "
                "it trades and name it in operating_point.decision, or restore the value"
            ), commit=v.commit)  # fmt: skip


def _numbers(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    return {k: x for k, x in value.items() if isinstance(k, str) and isinstance(x, int | float)
            and not isinstance(x, bool)}  # fmt: skip


class CriteriaFittedToResults(Rule):
    """What it does:
    Warns about a criterion of an agreed requirement whose launch value was agreed after a
    card that satisfies the requirement already had a result for it, when that earlier result
    clears the launch value by a hair: by no more than 2% of the launch value. The launch
    value counts as agreed in the first agreed version that had it, so reopening the
    requirement and agreeing it again unchanged does not move that date. The finding is at the criterion's `launch` and
    names the card's earlier commit.

    A warning: the bar may be right. But a bar set just under a result that already existed
    looks like a bar drawn around the model, and the reader deserves to know.

    Why it matters:
    Requirements come first: product and ML agree what good enough means, then the model is
    judged. When the numbers are agreed after the results are in, "launch: 0.81" beside a
    result of 0.815 measures nothing but the model itself, and the launch gate becomes a
    formality.

    Example:
    ```yaml
    # MC-churn's results had recall 0.815 on DS-churn-holdout since March;
    # REQ-0007 was agreed in May with:
    criteria:
      - {metric: recall, dataset: DS-churn-holdout, launch: 0.81, target: 0.85}
    ```

    Fix:
    Revisit the bar with the product side, from what the feature needs rather than what the
    model does; write a decision record that explains the value (add it to `decisions`), or
    change it.
    """

    code = "HIS010"
    name = "criteria-fitted-to-results"
    severity = Severity.WARNING
    needs_history = True

    _root: str | None = None

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        hist = history_of(graph)
        if not hist.available:
            return
        self._root = str(graph.settings.root)
        if not any(rec.status == "agreed" for rec, _rh in _tracked(graph, hist, Kind.REQUIREMENT)):
            return  # (the cards are read for the agreed requirements in scope)
        vocab = vocabulary(graph.settings)
        cards = [c for c in graph.of_kind(Kind.MODEL_CARD) if c.id and c.id in hist.records]
        # Which cards satisfy each requirement, found once (not once per requirement).
        satisfied_by: dict[str, list[Record]] = {}
        for card in cards:
            for rid in dict.fromkeys(id_list(card.data.get("satisfies"))):
                satisfied_by.setdefault(rid, []).append(card)
        for rec, rh in _tracked(graph, hist, Kind.REQUIREMENT):
            if rec.status != "agreed" or not rec.id:
                continue
            users = satisfied_by.get(rec.id, [])
            current = _current(rec, rh)
            for (key, nth), (index, crit) in keyed(rec.data.get("criteria")).items():
                agreed = _value_agreed_at(rh, key, nth, crit.get("launch"))
                if agreed is None or is_boundary(hist, agreed) or _decision_with(agreed, current):
                    continue
                yield from self._criterion(rec, index, crit, agreed, users, hist, vocab)

    def _criterion(
        self, rec: Record, index: int, crit: Mapping[str, Any], agreed: Version,
        users: list[Record], hist: History, vocab: Any,
    ) -> Iterator[Finding]:
        launch = crit.get("launch")
        if not isinstance(launch, int | float) or isinstance(launch, bool) or not launch:
            return
        key = match_key(crit)
        metric = vocab.lookup(crit.get("metric"))
        if key is None or metric is None:
            return
        margin = FIT_MARGIN * abs(launch)
        for card in users:
            rh = hist.get(card.id or "")
            earlier = _result_before(rh, key, agreed, self._root) if rh else None
            if earlier is None:
                continue
            v, value = earlier
            if metric.direction.meets(value, launch) and abs(value - launch) <= margin:
                yield self.at(rec, ("criteria", index, "launch"), (
                    f"launch {_value(launch)} for {label(key)} was agreed {when(agreed)}, "
                    f"after {card.id} already reported {_value(value)} {when(v)}: a bar set just "
                    "under an existing result measures the model, not the need; agree it from "
                    "what the feature needs, and write a decision that explains the value"
                ), commit=agreed.commit)  # fmt: skip
                return


#: The commit of the version that stands for uncommitted changes (tracecard.git.index).
WORKTREE_COMMIT = "WORKTREE"


#: How close to an earlier result a launch value must sit to look fitted to it: 2% of the value.
FIT_MARGIN = 0.02


def _decision_with(agreed: Version, current: Mapping[str, Any]) -> bool:
    """A decision was named when the requirement was agreed, or has been added since."""
    before = set(id_list(agreed.before.get("decisions"))) if agreed.before else set()
    return bool(set(id_list(current.get("decisions"))) - before)


def _value_agreed_at(rh: RecordHistory, key: Any, nth: int, launch: object) -> Version | None:
    """The first agreed version since which this criterion's launch value has been `launch`
    in every agreed version: reopening and agreeing the same value again keeps the first."""
    found = None
    for v in rh.versions:
        if v.data is None or v.deleted or status_of(v.data) != "agreed":
            continue
        entry = keyed(v.data.get("criteria")).get((key, nth))
        value = entry[1].get("launch") if entry else None
        if not same_value(value, launch):
            found = None
        elif found is None:
            found = v
    return found


def _result_before(
    rh: RecordHistory, key: Any, agreed: Version, root: str | None
) -> tuple[Version, float] | None:
    """The card's earliest committed result for `key` from before the `agreed` version (in
    commit order: uncommitted changes come last, commits of the same second are ordered by
    ancestry)."""
    for v in rh.versions:
        if v.data is None or v.deleted or not _earlier(v, agreed, root):
            continue
        for entry in v.data.get("results") or []:
            if isinstance(entry, Mapping) and match_key(entry) == key:
                value = entry.get("value")
                if isinstance(value, int | float) and not isinstance(value, bool):
                    return v, float(value)
    return None


def _earlier(v: Version, agreed: Version, root: str | None) -> bool:
    """Version `v` (of another record) came before `agreed`."""
    if v.commit == WORKTREE_COMMIT:
        return False
    if agreed.commit == WORKTREE_COMMIT:
        return True  # the working tree is the newest version of everything
    try:
        a, b = datetime.fromisoformat(v.date), datetime.fromisoformat(agreed.date)
    except ValueError:
        return False
    if a != b:
        return a < b
    return v.commit != agreed.commit and root is not None and _is_ancestor(root, v.commit, agreed.commit)


def _is_ancestor(root: str, older: str, newer: str) -> bool:
    import subprocess

    try:
        done = subprocess.run(["git", "-C", root, "merge-base", "--is-ancestor", older, newer],
                              capture_output=True, timeout=30, check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0