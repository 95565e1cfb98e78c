"""The numbers of numbered kinds (ADR-NNNN, REQ-NNNN, MR-NNNN): what a file name or ID holds, the next
free one, and the lines that say which numbers other branches hold.

Two branches that both take `ADR-0007` is the most common collision in real decision logs, so
the next number also counts files that exist only on other local branches and on
remote-tracking branches: `tracecard.git.branches.branch_numbers` reads those.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tracecard.model.records import ID_SCHEMES, NOT_RECORDS, Kind


@dataclass(frozen=True)
class Taken:
    """A number held by a record file on a branch."""

    number: int
    branch: str  # `feature/x` for a local branch, `origin/feature/x` for a remote-tracking one
    path: str  # posix, relative to the top of the git work tree


@dataclass(frozen=True)
class NextNumber:
    number: int
    #: Numbers above the highest local one that branches hold, so they were skipped.
    skipped: tuple[Taken, ...]


def format_id(kind: Kind, number: int) -> str:
    return f"{ID_SCHEMES[kind].prefix}-{number:04d}"


def number_of(kind: Kind, name: str) -> int | None:
    """The number a record file name (`0007-x.md`) or an ID (`ADR-0007`) holds."""
    scheme = ID_SCHEMES[kind]
    prefix = scheme.prefix + "-"
    if name.upper().startswith(prefix) and name[len(prefix) :].isdigit():
        digits = name[len(prefix) :]
        return int(digits) if len(digits) <= 18 else None
    if not name.endswith(".md") or name.lower() in NOT_RECORDS:
        return None
    rid = scheme.from_filename(name[: -len(".md")])
    return int(rid.split("-", 1)[1]) if rid else None


def local_numbers(kind: Kind, folder: Path, ids: Iterable[str] = ()) -> set[int]:
    """Numbers of the files in `folder` (and below it) and of the given record IDs."""
    names = list(ids)
    for _dirpath, _dirs, files in os.walk(folder):
        names.extend(files)
    return {n for n in (number_of(kind, name) for name in names) if n is not None}


def next_free(local: set[int], taken: Iterable[Taken]) -> NextNumber:
    """One more than the highest number in the working tree (`local`) or on any branch
    (`taken`, from `tracecard.git.branches.branch_numbers`)."""
    top = max(local, default=0)
    elsewhere = [t for t in taken if t.number > top]
    highest = max([top] + [t.number for t in elsewhere])
    skipped = tuple(sorted(set(elsewhere), key=lambda t: (t.number, t.branch)))
    return NextNumber(highest + 1, skipped)


def skipped_message(
    kind: Kind, skipped: tuple[Taken, ...], chosen: int, limit: int = 5
) -> list[str]:
    """One line per skipped number (at most `limit`): which branches hold it, in which file."""
    by_number: dict[int, list[Taken]] = {}
    for t in skipped:
        by_number.setdefault(t.number, []).append(t)
    new_id = format_id(kind, chosen)
    lines = []
    for number, held in sorted(by_number.items())[:limit]:
        where = ", ".join(sorted({f"{t.branch} ({PurePosixPath(t.path).name})" for t in held}))
        branches = "branch" if len({t.branch for t in held}) == 1 else "branches"
        lines.append(f"{format_id(kind, number)} is taken on {branches} {where}; using {new_id}")
    if len(by_number) > limit:
        more = len(by_number) - limit
        lines.append(f"{more} more numbers below {new_id} are taken on other branches")
    return lines
