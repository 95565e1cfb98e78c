"""The next free number of a numbered kind (ADR-NNNN, REQ-NNNN), counting other branches.

Two branches that both take `ADR-0007` is the most common collision in real decision logs, so
the number also counts files that exist only on other local branches and on remote-tracking
branches. Git is asked through GitPython: one `git for-each-ref` for the branch tips, then
the trees of the record folder are read through GitPython's object database (its persistent
`git cat-file` process), each distinct folder tree once, however many branches share it.
Outside git, or without git installed, only the working tree counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from tracecard.config import NOT_RECORDS
from tracecard.records import ID_SCHEMES, Kind

if TYPE_CHECKING:
    import git


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
        return int(name[len(prefix) :])
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


def next_number(kind: Kind, folder: Path, local: set[int]) -> NextNumber:
    """One more than the highest number in the working tree or on any branch."""
    top = max(local, default=0)
    elsewhere = [t for t in branch_numbers(kind, folder) if t.number > top]
    highest = max([top] + [t.number for t in elsewhere])
    skipped = tuple(sorted(set(elsewhere), key=lambda t: (t.number, t.branch)))
    return NextNumber(highest + 1, skipped)


def branch_numbers(kind: Kind, folder: Path) -> list[Taken]:
    """Every numbered record file in `folder` on every local and remote-tracking branch."""
    try:
        import git
    except ImportError:  # GitPython cannot find a git executable
        return []
    try:
        repo = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return []
    try:
        return list(_taken(repo, kind, folder))
    except (git.GitCommandError, ValueError, KeyError, OSError):
        return []  # a bare, broken or unusual repository: count the working tree only
    finally:
        repo.close()


def _taken(repo: git.Repo, kind: Kind, folder: Path) -> Iterator[Taken]:
    top = Path(str(repo.working_tree_dir)).resolve()
    prefix = folder.resolve().relative_to(top).as_posix()
    tips = repo.git.for_each_ref(
        "--format=%(objectname) %(objecttype) %(refname)", "refs/heads", "refs/remotes"
    )
    names_by_tree: dict[str, list[str]] = {}
    for line in tips.splitlines():
        sha, objtype, ref = line.split(" ", 2)
        if objtype != "commit" or ref.endswith("/HEAD"):
            continue
        tree = _folder_tree(repo, sha, prefix)
        if tree is None:
            continue
        if tree.hexsha not in names_by_tree:
            names_by_tree[tree.hexsha] = [b.path for b in tree.traverse() if b.type == "blob"]
        for path in names_by_tree[tree.hexsha]:
            number = number_of(kind, PurePosixPath(path).name)
            if number is not None:
                yield Taken(number, _branch_name(ref), path)


def _folder_tree(repo: git.Repo, sha: str, prefix: str) -> git.Tree | None:
    tree = repo.commit(sha).tree
    if prefix in ("", "."):
        return tree
    try:
        found = tree / prefix
    except KeyError:
        return None
    return found if found.type == "tree" else None


def _branch_name(ref: str) -> str:
    for lead in ("refs/heads/", "refs/remotes/"):
        if ref.startswith(lead):
            return ref[len(lead) :]
    return ref


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
