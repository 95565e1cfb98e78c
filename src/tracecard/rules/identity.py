"""Identity: every record has one ID, unique, of its kind's pattern, matching its file name, and
not taken by another file on a branch that will be merged (IDN005, asked of `tracecard.git`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from tracecard.git.branches import clashes, other_branches_possible
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.numbering import format_id, number_of
from tracecard.model.records import DATE_NAME, ID_SCHEMES, Kind, Record
from tracecard.rules.base import Rule


def _id_pos(rec: Record) -> tuple[str | int, ...]:
    return ("id",) if not rec.id_from_file else ()


class DuplicateId(Rule):
    """What it does:
    Reports two or more records with the same ID, at each of them.

    Why it matters:
    Links name records by ID. With two `ADR-0007`s, every link to `ADR-0007` is ambiguous and
    one of the two decisions is unreachable. The most common cause is two branches that both
    took the next number; `tracecard adr new` counts numbers taken on other branches.

    Example:
    `docs/decisions/0007-use-two-tower-retrieval.md` and `docs/decisions/0007-drop-cold-start.md`
    both hold `ADR-0007`.

    Fix:
    Renumber the newer record (file name and `id`), and update the links that meant it.
    """

    code = "IDN001"
    name = "duplicate-id"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rid, recs in sorted(graph.duplicates.items()):
            for rec in recs:
                others = ", ".join(r.path for r in recs if r is not rec)
                fix = "renumber one of the files" if rec.id_from_file else "give one of them a new ID"
                yield self.at(rec, _id_pos(rec), f"ID {rid} is also used by {others}: {fix}")


class IdPattern(Rule):
    """What it does:
    Reports an ID that does not follow its kind's pattern: `ADR-0001` for decisions,
    `REQ-0001` for requirements and `MR-0001` for model reviews (four or more digits),
    `MC-<slug>` for model cards and `DS-<slug>` for datasets (lower-case letters, digits and
    dashes).

    Why it matters:
    A predictable ID tells a reader what kind of record a link names, and lets tools find the
    next free number.

    Example:
    ```yaml
    id: adr-7
    ```

    Fix:
    ```yaml
    id: ADR-0007
    ```
    """

    code = "IDN002"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "id-pattern"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.records:
            if rec.kind is None or rec.id is None or not rec.ok:
                continue
            scheme = ID_SCHEMES[rec.kind]
            if not scheme.pattern.match(rec.id):
                if rec.id_from_file:
                    msg = (f"the file name implies the {rec.kind.label} ID {rec.id!r}, which is not "
                           f"of the form {scheme.example}: rename the file or add an `id:` key")
                else:
                    msg = f"{rec.kind.label} ID {rec.id!r} is not of the form {scheme.example}: correct it"
                yield self.at(rec, _id_pos(rec), msg)


class IdFileName(Rule):
    """What it does:
    Reports a record whose `id` does not match its file name: `NNNN-slug.md` must hold
    `PREFIX-NNNN` for numbered kinds, `slug.md` must hold `PREFIX-slug` for the others.
    log4brains' `YYYYMMDD-slug.md` names carry a date, not a number: such a decision may hold
    any number in its `id` (`tracecard import log4brains` numbers them in date order).

    Why it matters:
    People find records by file name and tools find them by ID; when the two disagree, one of
    them leads to the wrong record (often a copy that kept its template's ID).

    Example:
    `docs/decisions/0008-use-feature-store.md` with `id: ADR-0007`.

    Fix:
    Rename the file or correct the `id`, whichever is wrong.
    """

    code = "IDN003"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "id-file-name"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.records:
            if rec.kind is None or rec.id is None or rec.id_from_file or not rec.ok:
                continue
            scheme = ID_SCHEMES[rec.kind]
            if not scheme.pattern.match(rec.id):
                continue  # IDN002 says what is wrong
            stem = rec.path.rsplit("/", 1)[-1][: -len(".md")]
            if scheme.numbered and DATE_NAME.match(stem):
                continue  # log4brains: the leading digits are the day it was written
            implied = scheme.from_filename(stem)
            if implied != rec.id:
                want = (
                    f"{rec.id.split('-', 1)[1]}-<slug>.md" if scheme.numbered else f"{rec.id.split('-', 1)[1]}.md"
                )
                yield self.at(
                    rec, ("id",),
                    f"ID {rec.id} does not match the file name {stem}.md: name the file {want} "
                    "or correct the ID",
                )  # fmt: skip


class MissingId(Rule):
    """What it does:
    Reports a record with no `id` key whose file name does not imply one either (a numbered
    kind's file without the `NNNN-` prefix).

    Why it matters:
    A record without an ID cannot be linked, superseded or tracked through history.

    Example:
    `docs/decisions/use-feature-store.md` with no `id:` key.

    Fix:
    Add `id: ADR-0008` (the next free number) and rename the file `0008-use-feature-store.md`.
    """

    code = "IDN004"
    name = "missing-id"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        if graph.scope is not None and all(r.id is not None for r in graph.scoped()):
            return  # (its findings are in records without an ID: none in scope)
        taken: dict[Kind, int] = {}  # the next free number per numbered kind, counted once
        for rec in graph.records:
            if rec.kind is not None and rec.ok and rec.id is None:
                if rec.kind not in taken:
                    numbers = (number_of(rec.kind, r.id) for r in graph.of_kind(rec.kind) if r.id)
                    taken[rec.kind] = max((n for n in numbers if n is not None), default=0) + 1
                rid = format_id(rec.kind, taken[rec.kind])
                taken[rec.kind] += 1  # two records without an ID get two different suggestions
                stem = PurePosixPath(rec.path).stem
                yield self.at(rec, (), (
                    f"no ID: add 'id: {rid}' (the next free number) and name the file "
                    f"{rid.split('-', 1)[1]}-{stem}.md to match"
                ))  # fmt: skip


#: How many (file, branches) holders a message names before "and N more".
SHOWN = 3
_NEW_COMMAND = {Kind.DECISION: "tracecard adr new", Kind.REQUIREMENT: "tracecard req new",
                Kind.MODEL_REVIEW: "tracecard model-review new"}


class TakenOnAnotherBranch(Rule):
    """What it does:
    Reports a numbered record (`ADR-NNNN`, `REQ-NNNN`, `MR-NNNN`) whose number a different file holds on
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
        if not other_branches_possible(graph.settings.root):
            return  # nothing to compare with: git is not even imported
        mine = _numbered(graph)
        if not mine:
            return
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
    """The working tree's records of numbered kinds in scope, by kind and number (a clash is
    reported in the working tree's record, and found for each record on its own)."""
    found: dict[Kind, dict[int, list[Record]]] = {}
    for rec in graph.scoped():
        if rec.kind is None or rec.id is None or not ID_SCHEMES[rec.kind].numbered:
            continue
        number = number_of(rec.kind, rec.id)
        if number is not None:
            found.setdefault(rec.kind, {}).setdefault(number, []).append(rec)
    return found
