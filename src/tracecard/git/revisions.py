"""Revisions: the range of commits a review covers, and who the user is, asked of git.

`resolve(root, base, head)` answers with a few `git rev-parse`, `git merge-base` and
`git rev-list` calls through GitPython, and raises UsageError with what to do when git cannot
say (an unknown revision, a shallow clone cut inside the range, no common history).
`user_name(root)` is `git config user.name`, for the author of a new record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tracecard.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import git

SHALLOW = "shallow clone: fetch with fetch-depth: 0"


@dataclass(frozen=True)
class Revisions:
    """A resolved range: full commit names, and the commits in it."""

    base: str
    head: str
    merge_base: str
    in_range: frozenset[str]  # base..head
    after_head: frozenset[str]  # head..checkout: commits of the checkout that head does not have
    shallow: bool
    checkout: str  # HEAD


@dataclass(frozen=True)
class _Refs:
    shallow: bool
    base: str
    head: str
    checkout: str


def resolve(root: Path, base: str, head: str) -> Revisions:
    """The commits of `base..head` and where the range starts; UsageError when it cannot say."""
    for ref in (base, head):
        if not ref.strip() or ref.startswith("-"):
            raise UsageError(f"{ref!r} is not a git revision")
    repo = _open(root)
    try:
        refs = _rev_parse(repo, base, head)
        merge_base = _merge_base(repo, refs, base)
        in_range = _rev_list(repo, f"{refs.base}..{refs.head}")
        if refs.shallow and _cut_commits(repo) & in_range:
            raise UsageError(f"{SHALLOW} (the clone is cut inside the range {base}..{head}, so "
                             "records there would look new)")  # fmt: skip
        after_head = _after_head(repo, refs, head)
    finally:
        repo.close()
    return Revisions(refs.base, refs.head, merge_base, in_range, after_head, refs.shallow,
                     refs.checkout)  # fmt: skip


def _open(root: Path) -> git.Repo:
    try:
        import git
    except ImportError as exc:
        raise UsageError("git is not installed: tracecard review compares two commits") from exc
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise UsageError(f"{root} is not in a git repository: tracecard review compares two "
                         "commits") from exc  # fmt: skip
    except git.GitCommandNotFound as exc:
        raise UsageError("git is not installed: tracecard review compares two commits") from exc
    if repo.bare:
        repo.close()
        raise UsageError(f"{root} is in a bare repository: run tracecard review in a checkout")
    return repo


def _git_errors() -> tuple[type[BaseException], ...]:
    import git

    return (git.GitCommandError, OSError)


def _rev_parse(repo: git.Repo, base: str, head: str) -> _Refs:
    args = ["--is-shallow-repository", f"{base}^{{commit}}", f"{head}^{{commit}}", "HEAD^{commit}"]
    try:
        lines = repo.git.rev_parse(*args).split()
    except _git_errors():
        raise _unknown_ref(repo, base, head) from None
    if len(lines) != 4:
        raise UsageError(f"git rev-parse gave unexpected output: {' '.join(lines)[:80]}")
    return _Refs(lines[0] == "true", lines[1], lines[2], lines[3])


def _unknown_ref(repo: git.Repo, base: str, head: str) -> UsageError:
    """Which revision git did not know, said plainly (only on the error path)."""
    shallow = repo.git.rev_parse("--is-shallow-repository", with_exceptions=False).strip()
    for ref in (base, head, "HEAD"):
        found = repo.git.rev_parse("-q", "--verify", f"{ref}^{{commit}}", with_exceptions=False)
        if not found.strip():
            why = f"unknown revision {ref!r}"
            if ref == "HEAD":
                why = "the repository has no commits yet"
            elif shallow == "true":
                why += f" ({SHALLOW}, and fetch the base branch)"
            else:
                why += " (fetch it first, e.g. git fetch origin main)"
            return UsageError(why)
    return UsageError(f"git cannot resolve {base!r} and {head!r}")


def _merge_base(repo: git.Repo, refs: _Refs, base: str) -> str:
    try:
        return str(repo.git.merge_base(refs.base, refs.head)).split()[0]
    except _git_errors():
        pass
    if refs.shallow:
        raise UsageError(
            f"{SHALLOW} (the merge-base of {base} and the head is not in this clone, so the "
            "review cannot tell what the pull request changed)"
        )
    raise UsageError(f"{base} and the head have no common history: nothing to compare")


def _cut_commits(repo: git.Repo) -> frozenset[str]:
    """The commits a shallow clone is cut at (git lists them in `<git dir>/shallow`)."""
    try:
        return frozenset((Path(repo.git_dir) / "shallow").read_text().split())
    except OSError:
        return frozenset()


def _rev_list(repo: git.Repo, rev_range: str) -> frozenset[str]:
    try:
        return frozenset(repo.git.rev_list(rev_range).split())
    except _git_errors() as exc:
        raise UsageError(f"git rev-list {rev_range} failed: {_first_line(exc)}") from None


def _after_head(repo: git.Repo, refs: _Refs, head: str) -> frozenset[str]:
    """The commits of the checkout that head does not have (none when head is the checkout)."""
    if refs.head == refs.checkout:
        return frozenset()
    try:
        repo.git.merge_base("--is-ancestor", refs.head, refs.checkout)
    except _git_errors():
        raise UsageError(f"--head {head} is not the checked-out commit nor an ancestor of it: "
                         f"check it out first (git switch --detach {head})") from None  # fmt: skip
    return _rev_list(repo, f"{refs.head}..{refs.checkout}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def user_name(root: Path) -> str | None:
    """`git config user.name` as seen from `root`, or None."""
    try:
        import git

        name = git.Git(str(root)).config("user.name").strip()
    except Exception:  # noqa: BLE001 - no git, no repository or no name: the record has no owner
        return None
    return name or None
