"""Identity: every record has one ID, unique, of its kind's pattern, matching its file name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from tracecard.model.findings import Finding
from tracecard.model.graph import RepoGraph
from tracecard.model.numbering import format_id, number_of
from tracecard.model.records import ID_SCHEMES, Kind, Record
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
    `REQ-0001` for requirements (four or more digits), `MC-<slug>` for model cards and
    `DS-<slug>` for datasets (lower-case letters, digits and dashes).

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

    Why it matters:
    People find records by file name and tools find them by ID; when the two disagree, one of
    them leads to the wrong record (often a copy that kept its template's ID).

    Example:
    `docs/decisions/0008-use-feature-store.md` with `id: ADR-0007`.

    Fix:
    Rename the file or correct the `id`, whichever is wrong.
    """

    code = "IDN003"
    name = "id-file-name"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.records:
            if rec.kind is None or rec.id is None or rec.id_from_file or not rec.ok:
                continue
            scheme = ID_SCHEMES[rec.kind]
            if not scheme.pattern.match(rec.id):
                continue  # IDN002 says what is wrong
            stem = rec.path.rsplit("/", 1)[-1][: -len(".md")]
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
