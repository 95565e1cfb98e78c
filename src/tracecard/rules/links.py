"""Links: every ID a record names exists, is of the right kind, and supersession is mirrored."""

from __future__ import annotations

from collections.abc import Iterator

from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.records import INACTIVE_STATUSES, Kind, Record, id_list
from tracecard.rules.base import Rule


class UnknownId(Rule):
    """What it does:
    Reports a link to an ID that no record in the repository has: in `satisfies`, `decisions`,
    `training_data`, `supersedes`, `superseded_by`, the `dataset` of a criterion or a result,
    a model review's `card` and the `record` of each of its `actions`, and `links`.

    Why it matters:
    A dangling link is a claim nobody can check: a card that `satisfies` a requirement that does
    not exist passes a launch gate that was never set.

    Example:
    ```yaml
    satisfies: [REQ-0009]   # there is no REQ-0009
    ```

    Fix:
    Correct the ID (a typo, or a renumbered record), or create the missing record.
    """

    code = "LNK001"
    name = "unknown-id"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.scoped():  # (its findings are at its own links)
            for ref in graph.links(rec):
                if ref.target not in graph.by_id:
                    yield self.at(rec, ref.path, f"{ref.field} names {ref.target}, which no record has")


class WrongKind(Rule):
    """What it does:
    Reports a link that names a record of the wrong kind: `satisfies` must name requirements,
    `decisions` decisions, `training_data` and a result's or criterion's `dataset` datasets,
    `supersedes` and `superseded_by` decisions, a model review's `card` a model card.

    Why it matters:
    The launch gate reads the thresholds of the requirements a card satisfies; a decision ID in
    `satisfies` means the card is held to nothing.

    Example:
    ```yaml
    satisfies: [ADR-0004]
    ```

    Fix:
    Name a record of the expected kind (`satisfies: [REQ-0002]`), or move the ID to the field
    that fits (`decisions: [ADR-0004]`).
    """

    code = "LNK002"
    name = "wrong-kind"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.scoped():  # (its findings are at its own links)
            for ref in graph.links(rec):
                target = graph.by_id.get(ref.target)
                if target is None or ref.expects is None or target.kind in ref.expects:
                    continue
                want = " or ".join(sorted(k.label for k in ref.expects))
                got = target.kind.label if target.kind else "unknown kind"
                yield self.at(rec, ref.path, f"{ref.field} must name a {want}; {ref.target} is a {got}")


def _supersedes(rec: Record) -> list[str]:
    return id_list(rec.data.get("supersedes"))


class SupersessionNotMirrored(Rule):
    """What it does:
    Checks that supersession is written on both records: when ADR-0009 `supersedes: [ADR-0004]`,
    ADR-0004 must have `status: superseded` and `superseded_by: ADR-0009` (MADR's
    `status: superseded by ADR-0009` counts), and the other way round. A superseded record must
    name its successor. MADR has no field for the successor to name its predecessor, so a
    record in MADR's form (`status: superseded by ADR-0009`, no `superseded_by`) is mirrored
    enough when ADR-0009 has no `supersedes` key at all.

    Why it matters:
    Readers land on the old decision from search and old links. If it does not say it was
    superseded, and by what, they act on a decision the team has already reversed.

    Example:
    ```yaml
    # docs/decisions/0004-use-two-tower-retrieval.md
    status: accepted          # but ADR-0009 supersedes it
    ```

    Fix:
    `tracecard adr supersede ADR-0004 ADR-0009` updates both records; by hand, set
    `status: superseded` and `superseded_by: ADR-0009` on the old record and
    `supersedes: [ADR-0004]` on the new one.
    """

    code = "LNK003"
    name = "supersession-not-mirrored"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.scoped(Kind.DECISION):  # (both directions report in `rec` itself)
            yield from self._forward(graph, rec)
            yield from self._backward(graph, rec)

    def _forward(self, graph: RepoGraph, rec: Record) -> Iterator[Finding]:
        value = rec.data.get("supersedes")
        for i, old_id in enumerate(_supersedes(rec)):
            old = graph.by_id.get(old_id)
            if old is None or old.kind is not Kind.DECISION:
                continue  # LNK001 / LNK002
            path = ("supersedes", i) if isinstance(value, list) else ("supersedes",)
            if old.superseded_by != rec.id:
                named = f"names {old.superseded_by}" if old.superseded_by else "names no successor"
                yield self.at(rec, path, f"supersedes {old_id}, but {old_id} {named}: set superseded_by: {rec.id} there")
            elif old.status != "superseded":
                yield self.at(rec, path, f"supersedes {old_id}, but {old_id} has status {old.status!r}: set it to superseded")

    def _backward(self, graph: RepoGraph, rec: Record) -> Iterator[Finding]:
        succ_id = rec.superseded_by
        path = ("superseded_by",) if "superseded_by" in rec.data else ("status",)
        if succ_id is None:
            if rec.status == "superseded":
                yield self.at(rec, ("status",), "status is superseded but no successor is named: add superseded_by: ADR-NNNN")
            return
        succ = graph.by_id.get(succ_id)
        if succ is None or succ.kind is not Kind.DECISION:
            return
        madr_form = "superseded_by" not in rec.data
        if rec.id not in _supersedes(succ) and not (madr_form and "supersedes" not in succ.data):
            # MADR has no field for the successor to point back: `status: superseded by X` on the
            # old record is the whole of MADR's supersession, unless the successor uses ours.
            yield self.at(rec, path, f"superseded by {succ_id}, but {succ_id} does not list {rec.id} in supersedes")
        if rec.status != "superseded":
            yield self.at(rec, ("status",), f"superseded_by names {succ_id} but status is {rec.status!r}: set status: superseded")


class SupersessionCycle(Rule):
    """What it does:
    Reports a chain of supersession that comes back to where it started (ADR-0003 superseded by
    ADR-0005, superseded by ADR-0003), once per cycle, at the record with the lowest ID.

    Why it matters:
    In a cycle no decision is current: every one of them says another replaced it.

    Example:
    ADR-0003 `superseded_by: ADR-0005` and ADR-0005 `superseded_by: ADR-0003`.

    Fix:
    Decide which record is current, and remove its `superseded_by` and its `status: superseded`.
    """

    code = "LNK004"
    name = "supersession-cycle"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        succ: dict[str, set[str]] = {}
        for rec in graph.of_kind(Kind.DECISION):
            if rec.id is None:
                continue
            if rec.superseded_by:
                succ.setdefault(rec.id, set()).add(rec.superseded_by)
            for old in _supersedes(rec):
                succ.setdefault(old, set()).add(rec.id)
        reported: set[frozenset[str]] = set()
        for start in sorted(succ):
            cycle = _cycle_from(start, succ)
            if cycle and frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                first = min(cycle)
                found = graph.by_id.get(first)
                if found is not None:
                    rec = found
                    path = ("superseded_by",) if "superseded_by" in rec.data else ("supersedes",)
                    chain = " -> ".join(_rotate(cycle, first) + [first])
                    yield self.at(rec, path, f"supersession cycle: {chain}: make one of them current")


def _cycle_from(start: str, succ: dict[str, set[str]]) -> list[str] | None:
    """A cycle through `start`, found by depth-first search, or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(succ.get(node, ())):
            if nxt == start:
                return path
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def _rotate(cycle: list[str], first: str) -> list[str]:
    i = cycle.index(first)
    return cycle[i:] + cycle[:i]


class LinkToInactive(Rule):
    """What it does:
    Warns when an active record links to a record that is superseded, retired or deprecated:
    a card that satisfies a retired requirement, a requirement whose thresholds were set by a
    superseded decision, a result on a retired dataset. Supersession links themselves, and links
    from records that are themselves inactive, are not reported.

    Why it matters:
    The link still resolves, so nothing looks broken, but the reasoning it points to is no
    longer in force: the card is being held to a requirement nobody agreed to any more.

    Example:
    ```yaml
    decisions: [ADR-0002]   # ADR-0002 was superseded by ADR-0004
    ```

    Fix:
    Point the link at the successor (`ADR-0004`), or, if the old record is what you mean,
    suppress the warning for this record with `tracecard-ignore: [LNK005]`.
    """

    code = "LNK005"
    name = "link-to-inactive"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        by_id = graph.by_id
        for rec in graph.scoped():  # (its findings are at its own links)
            if not rec.ok or rec.status in INACTIVE_STATUSES:
                continue
            links = rec.data.get("links")
            for ref in graph.links(rec):
                # (the target first: most are current, and that settles it)
                target = by_id.get(ref.target)
                if target is None or target.status not in ("superseded", "retired", "deprecated"):
                    continue
                if ref.field in ("supersedes", "superseded_by"):
                    continue
                if ref.field == "links" and _is_supersession_rel(links, ref.path):
                    continue
                hint = f": link to {target.superseded_by} instead" if target.superseded_by else ""
                yield self.at(rec, ref.path, f"{ref.field} names {ref.target}, which is {target.status}{hint}")


def _is_supersession_rel(links: object, path: tuple[str | int, ...]) -> bool:
    if not isinstance(links, list) or len(path) < 2 or not isinstance(path[1], int):
        return False
    rel = links[path[1]].get("rel") if isinstance(links[path[1]], dict) else None
    return isinstance(rel, str) and rel.lower().startswith(("supersede", "replace"))
