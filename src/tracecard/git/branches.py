"""Branches: record numbers held by files on other local and remote-tracking branches.

Two questions, both asked through GitPython:

- `branch_numbers(kind, folder)`: every numbered file of a record folder on every branch, for
  the next free number (`tracecard adr new`). ONE `git for-each-ref` for the branch tips, then
  the trees of the folder through GitPython's object database (its persistent `git cat-file`
  process), each distinct folder tree once, however many branches share it.
- `clashes(settings, mine)`: for IDN005, the files of other branches that hold a number this
  working tree holds. ONE `git for-each-ref --no-merged=HEAD` for the tips of the branches
  HEAD does not contain (the current branch and every merged branch drop out there), then the
  folder trees as above; only a branch that holds a candidate collision costs one more
  `git merge-base`.

Git is not even imported when there is nothing to compare with: `tracecard.git.in_git` and
`other_branches_possible` answer from the files under `.git` (no `.git` above the root, or a
repository whose only branch is the one checked out). Outside git, or without git installed,
both questions answer "nothing".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from tracecard.history.timeline import is_record_path, kind_of
from tracecard.load.config import Settings
from tracecard.model.numbering import NextNumber, Taken, next_free, number_of
from tracecard.model.records import Kind, Record

if TYPE_CHECKING:  # pragma: no cover
    import git


class Clash(NamedTuple):
    """A record of the working tree and a different file holding its number on a branch."""

    record: Record
    path: str  # the other file, relative to the tracecard root
    branch: str  # `feature/x`, or `origin/feature/x` for a remote-tracking one


# --- the next number ---------------------------------------------------------------------------


def next_number(kind: Kind, folder: Path, local: set[int]) -> NextNumber:
    """One more than the highest number in the working tree (`local`) or on any branch."""
    return next_free(local, branch_numbers(kind, folder, above=max(local, default=0)))


def branch_numbers(kind: Kind, folder: Path, above: int = 0) -> list[Taken]:
    """Every numbered record file in `folder` on every local and remote-tracking branch. With
    only the checked-out branch there is nothing the working tree does not show: git is not
    even started."""
    if not other_branches_possible(folder):
        return []
    try:
        import git
    except ImportError:  # GitPython cannot find a git executable
        return []
    try:
        repo = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return []
    try:
        return list(_taken(repo, kind, folder, above))
    except (git.GitCommandError, ValueError, KeyError, OSError):
        return []  # a bare, broken or unusual repository: count the working tree only
    finally:
        repo.close()


def _taken(repo: git.Repo, kind: Kind, folder: Path, above: int = 0) -> Iterator[Taken]:
    """The numbered files of the folder on each branch tip, those numbered above `above`."""
    top = Path(str(repo.working_tree_dir)).resolve()
    prefix = folder.resolve().relative_to(top).as_posix()
    tips = repo.git.for_each_ref(
        "--format=%(objectname) %(objecttype) %(refname)", "refs/heads", "refs/remotes"
    )
    numbered: dict[str, list[tuple[int, str]]] = {}
    for line in tips.split("\n"):
        if not line:
            continue
        sha, objtype, ref = line.split(" ", 2)
        if objtype != "commit" or ref.endswith("/HEAD"):
            continue
        tree = _folder_tree(repo, sha, prefix)
        if tree is None:
            continue
        if tree.hexsha not in numbered:  # each distinct folder tree read once
            base = "" if prefix in ("", ".") else prefix + "/"
            numbered[tree.hexsha] = list(_numbered(kind, _tree_names(repo, tree.binsha, base),
                                                   above))  # fmt: skip
        for number, path in numbered[tree.hexsha]:
            yield Taken(number, _branch_name(ref), path)


_LEADING = re.compile(r"[0-9]+")


def _numbered(kind: Kind, paths: Iterable[str], above: int) -> Iterator[tuple[int, str]]:
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        lead = _LEADING.match(name)
        if lead is not None and len(lead.group(0)) <= 18 and int(lead.group(0)) <= above:
            continue  # cheaply below what the working tree holds already
        number = number_of(kind, name)
        if number is not None and number > above:
            yield number, path


def _tree_names(repo: git.Repo, binsha: bytes, base: str) -> Iterator[str]:
    """The paths of the files under a tree, read from its raw object through GitPython's
    persistent `git cat-file` (no Python object per entry: a folder of 40,000 records is read
    in a few hundredths of a second)."""
    data = repo.odb.stream(binsha).read()
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        mode, name = data[at:space], data[space + 1:nul].decode("utf-8", "surrogateescape")
        sha = data[nul + 1:nul + 21]
        at = nul + 21
        if mode == b"40000":
            yield from _tree_names(repo, sha, f"{base}{name}/")
        elif not mode.startswith(b"160"):  # not a submodule
            yield base + name


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



# --- IDN005: the same number on another branch ----------------------------------------------


def other_branches_possible(root: Path) -> bool:
    """False only when certainly not: no `.git` above `root`, or a repository whose only local
    branch is the one checked out and that has no remote-tracking branch. Read from the files
    under `.git`; anything unusual (GIT_DIR, a `.git` file of a linked worktree or submodule,
    the reftable format, an unreadable file) answers True and leaves it to git."""
    if os.environ.get("GIT_DIR"):
        return True
    start = root.resolve()
    dot = next((f / ".git" for f in (start, *start.parents) if (f / ".git").exists()), None)
    if dot is None:
        return False
    if not dot.is_dir() or (dot / "reftable").exists():
        return True
    try:
        head = (dot / "HEAD").read_text(encoding="utf-8").strip().removeprefix("ref: ")
        return bool(_branch_refs(dot) - {head})
    except (OSError, UnicodeDecodeError):
        return True


def _branch_refs(gitdir: Path) -> set[str]:
    """The names of the local and remote-tracking branches, loose and packed."""
    names: set[str] = set()
    for sub in ("refs/heads", "refs/remotes"):
        for dirpath, _dirs, files in os.walk(gitdir / sub):
            names.update(Path(dirpath, f).relative_to(gitdir).as_posix() for f in files)
    packed = gitdir / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").split("\n"):
            ref = line.partition(" ")[2]
            if ref.startswith(("refs/heads/", "refs/remotes/")):
                names.add(ref)
    return {n for n in names if not (n.startswith("refs/remotes/") and n.endswith("/HEAD"))}


def clashes(settings: Settings, mine: dict[Kind, dict[int, list[Record]]]) -> list[Clash]:
    """Every (record, other file, branch) that will collide; [] outside git or when git fails."""
    try:
        import git
    except ImportError:  # GitPython cannot find a git executable
        return []
    try:
        repo = git.Repo(settings.root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return []
    try:
        return list(_scan(repo, settings, mine))
    except (git.GitCommandError, ValueError, KeyError, OSError, TypeError):
        return []  # a bare, broken or unusual repository: nothing to compare with
    finally:
        repo.close()


def _scan(
    repo: git.Repo, settings: Settings, mine: dict[Kind, dict[int, list[Record]]]
) -> Iterator[Clash]:
    top = Path(str(repo.working_tree_dir)).resolve()
    under = PurePosixPath(settings.root.resolve().relative_to(top).as_posix())  # root in top
    folders = {kind: (under / settings.folders[kind]).as_posix() for kind in mine}
    listed: dict[str, frozenset[str]] = {}  # folder tree sha -> blob paths (from top)
    for branch, sha in _unmerged_tips(repo):
        commit = repo.commit(sha)
        bases: dict[str, git.Commit | None] = {}  # the merge base, once looked up
        for kind, prefix in folders.items():
            there = _files(commit, prefix, listed)
            for path in sorted(there):
                rel = PurePosixPath(path).relative_to(under).as_posix()
                number = number_of(kind, PurePosixPath(path).name)
                if number is None or number not in mine[kind]:
                    continue
                if not is_record_path(settings, rel) or kind_of(settings, rel, None) is not kind:
                    continue
                for rec in mine[kind][number]:
                    here = (under / rec.path).as_posix()
                    if here == path:
                        continue  # the same record, maybe edited on that branch
                    if sha not in bases:
                        bases[sha] = _merge_base(repo, sha)
                    base = bases[sha]
                    before = _files(base, prefix, listed) if base is not None else frozenset()
                    if path in before:
                        continue  # inherited: here it was renamed or deleted on purpose
                    if here in before and here not in there:
                        continue  # that branch renamed or replaced this very record
                    yield Clash(rec, rel, branch)


def _unmerged_tips(repo: git.Repo) -> Iterator[tuple[str, str]]:
    """(branch, commit) of every local and remote-tracking branch HEAD does not contain."""
    import git

    fmt = "--format=%(objectname) %(objecttype) %(refname)"
    try:
        tips = repo.git.for_each_ref(fmt, "--no-merged=HEAD", "refs/heads", "refs/remotes")
    except git.GitCommandError:  # no commit yet: HEAD contains nothing
        tips = repo.git.for_each_ref(fmt, "refs/heads", "refs/remotes")
    for line in tips.split("\n"):
        if not line:
            continue
        sha, objtype, ref = line.split(" ", 2)
        if objtype == "commit" and not ref.endswith("/HEAD"):
            yield ref.removeprefix("refs/heads/").removeprefix("refs/remotes/"), sha


def _merge_base(repo: git.Repo, sha: str) -> git.Commit | None:
    import git

    try:
        found = repo.git.merge_base("HEAD", sha)
    except git.GitCommandError:  # unrelated histories, or no commit yet
        return None
    return repo.commit(found.split()[0]) if found else None


def _files(commit: git.Commit, prefix: str, listed: dict[str, frozenset[str]]) -> frozenset[str]:
    """The paths (from the top of the work tree) of the files under `prefix` in `commit`."""
    tree = commit.tree
    if prefix not in ("", "."):
        try:
            tree = tree / prefix
        except KeyError:
            return frozenset()
        if tree.type != "tree":
            return frozenset()
    if tree.hexsha not in listed:
        listed[tree.hexsha] = frozenset(_paths(tree))
    return listed[tree.hexsha]


def _paths(tree: git.Tree) -> Iterator[str]:
    for blob in tree.blobs:
        yield str(blob.path)
    for sub in tree.trees:
        yield from _paths(sub)
