"""Identity across branches: a number this working tree holds that another branch holds too.

Git is read the way `tracecard.numbering` reads it, through GitPython: ONE
`git for-each-ref --no-merged=HEAD` for the tips of the local and remote-tracking branches
that HEAD does not contain (the current branch and every merged branch drop out there), then
the trees of the record folders through GitPython's object database (its persistent
`git cat-file`), each distinct folder tree once. Only a branch that holds a candidate
collision costs one more `git merge-base`.

Git is not even imported when there is nothing to compare with: no numbered record, no `.git`
above the root, or a repository whose only branch is the one checked out (read from the ref
files under `.git`). A check there costs what it cost before this rule existed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from tracecard.config import Settings
from tracecard.diagnostics import Severity
from tracecard.graph import RepoGraph
from tracecard.history import is_record_path, kind_of
from tracecard.numbering import format_id, number_of
from tracecard.records import ID_SCHEMES, Kind, Record
from tracecard.rules.base import Finding, Rule

if TYPE_CHECKING:  # pragma: no cover
    import git

#: How many (file, branches) holders a message names before "and N more".
SHOWN = 3
_NEW_COMMAND = {Kind.DECISION: "tracecard adr new", Kind.REQUIREMENT: "tracecard req new"}


class Clash(NamedTuple):
    """A record of the working tree and a different file holding its number on a branch."""

    record: Record
    path: str  # the other file, relative to the tracecard root
    branch: str  # `feature/x`, or `origin/feature/x` for a remote-tracking branch


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
        for line in packed.read_text(encoding="utf-8").splitlines():
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
    for line in tips.splitlines():
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
