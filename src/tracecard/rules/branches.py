"""IDN005: a number this working tree holds that another branch holds too.

Git is asked through `tracecard.git.branches` (`clashes`); the rule declares `needs_git`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tracecard.git.branches import clashes, other_branches_possible
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.numbering import format_id, number_of
from tracecard.model.records import ID_SCHEMES, Kind, Record
from tracecard.rules.base import Rule

#: How many (file, branches) holders a message names before "and N more".
SHOWN = 3
_NEW_COMMAND = {Kind.DECISION: "tracecard adr new", Kind.REQUIREMENT: "tracecard req new"}


class TakenOnAnotherBranch(Rule):
    """What it does:
    Reports a numbered record (`ADR-NNNN`, `REQ-NNNN`) whose number a different file holds on
    another local or remote-tracking branch that HEAD does not contain yet.

    Not reported: the same path on the other branch (the same record, perhaps edited there),
    branches already merged into HEAD, the current branch, and files both sides inherited
    from before the branches parted (a record renamed on one side only is the same record).

    Why it matters:
    When the two branches meet, the merge brings in two records with one ID, and every link
    to that ID becomes ambiguous (IDN001). Renumbering before either is merged is one
    `git mv`; renumbering after means finding every link that meant the other record. A
    warning, not an error: the finding depends on which branches this clone has fetched, it
    shows on both branches although only the one merged second must change, and a stale or
    abandoned branch would otherwise fail every check until it is pruned. The merge itself
    fails the check with IDN001.

    Example:
    `docs/decisions/0010-use-redis.md` in the working tree of `main`, while the branch
    `feature/kafka` holds `docs/decisions/0010-use-kafka.md`: both are `ADR-0010`.

    Fix:
    Renumber the record that will be merged second: `git mv` it to a number no branch holds and
    change its `id` (`tracecard adr new` and `tracecard req new` pick such a number), then
    update links that meant it. If the other branch is stale, delete it (`git branch -d`,
    `git fetch --prune`).
    """

    code = "IDN005"
    name = "id-taken-on-another-branch"
    severity = Severity.WARNING
    needs_git = True

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        mine = _numbered(graph)
        if not mine or not other_branches_possible(graph.settings.root):
            return  # nothing to compare with: git is not even imported
        held: dict[str, dict[str, set[str]]] = {}
        records: dict[str, Record] = {}
        for clash in clashes(graph.settings, mine):
            records[clash.record.path] = clash.record
            held.setdefault(clash.record.path, {}).setdefault(clash.path, set()).add(clash.branch)
        for path in sorted(held):
            rec = records[path]
            pos = ("id",) if not rec.id_from_file else ()
            yield self.at(rec, pos, _message(rec, held[path]))


def _message(rec: Record, held: dict[str, set[str]]) -> str:
    assert rec.kind is not None and rec.id is not None
    groups = sorted(held.items())
    where = "; ".join(
        f"by {path} on branch{'es' if len(branches) > 1 else ''} {', '.join(sorted(branches))}"
        for path, branches in groups[:SHOWN]
    )
    if len(groups) > SHOWN:
        where += f"; and by {len(groups) - SHOWN} more files"
    rid = format_id(rec.kind, number_of(rec.kind, rec.id) or 0)
    return (
        f"{rid} is also taken {where}: the two collide when merged; renumber the one merged "
        f"second (git mv to a free number and change its id; {_NEW_COMMAND[rec.kind]} picks one)"
    )


def _numbered(graph: RepoGraph) -> dict[Kind, dict[int, list[Record]]]:
    """The working tree's records of numbered kinds, by kind and number."""
    found: dict[Kind, dict[int, list[Record]]] = {}
    for rec in graph.records:
        if rec.kind is None or rec.id is None or not ID_SCHEMES[rec.kind].numbered:
            continue
        number = number_of(rec.kind, rec.id)
        if number is not None:
            found.setdefault(rec.kind, {}).setdefault(number, []).append(rec)
    return found
