"""`tracecard review --base REF [--head REF]`: what a pull request changes in the records.

The range is `BASE..HEAD`, what a pull request shows: the commits head has and base does
not, compared from their merge-base. Head defaults to the checked-out commit (`HEAD`);
uncommitted changes are not part of a review (`tracecard check` sees them). A `--head` other
than the checkout must be an ancestor of it, because history is read from the checkout.

Git, besides the one-pass history read (`gitindex.read_history`, cached), answers exactly:
    git rev-parse --is-shallow-repository BASE^{commit} HEAD^{commit} HEAD^{commit}
    git merge-base BASE HEAD            (missing in a shallow clone: exit 2, say why)
    git rev-list BASE..HEAD             (the commits of the range)
and, only for a `--head` that is not the checkout, `git merge-base --is-ancestor` and
`git rev-list HEAD..<checkout>`.

Exit codes: 0 no error finding, 1 an error finding, 2 usage (unknown ref, not a git
repository, shallow clone without the merge-base, bad configuration).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tracecard import config, history
from tracecard.config import Settings
from tracecard.diagnostics import Diagnostic, select
from tracecard.errors import UsageError
from tracecard.gitindex import WORKTREE, front_matter
from tracecard.graph import RepoGraph
from tracecard.lint import load_graph, run_rules
from tracecard.parse import decode, parse_text
from tracecard.records import Kind
from tracecard.review import Inputs, Issue, KindOf, Review, Span, build
from tracecard.review_report import RENDERERS, RangeInfo, Report
from tracecard.rules import RULES
from tracecard.rules.requirements import vocabulary

if TYPE_CHECKING:  # pragma: no cover
    import git

SHALLOW = "shallow clone: fetch with fetch-depth: 0"


def review(base: str, head: str | None, fmt: str, out: IO[str], link_base: str = "") -> int:
    root = config.find_root(Path.cwd())
    settings = config.load(root)
    span, info = resolve_range(root, base, head or "HEAD")
    graph = load_graph(settings)
    hist = history.history_of(graph)  # the committed versions, and the working tree (ignored)
    if not hist.available:
        raise UsageError(hist.message)
    span = replace(span, after_head=span.after_head | {WORKTREE})
    inputs = Inputs(span, kind_of(settings), vocabulary(settings), hist.id_changes)
    result = build(hist.records, inputs)
    notes: list[str] = [hist.message] if hist.shallow and hist.message else []
    findings = locate(root, result) + history_findings(graph, span, info, notes)
    findings = select(findings, settings.select, settings.ignore)
    findings.sort(key=lambda d: (d.severity.rank * -1, *d.sort_key()))
    report = Report(info, result, tuple(findings), tuple(notes), link_base)
    RENDERERS[fmt](report, out)
    return 1 if report.errors else 0


# --- the history rules, for the range ----------------------------------------------------------

def history_findings(
    graph: RepoGraph, span: Span, info: RangeInfo, notes: list[str]
) -> list[Diagnostic]:
    """The HIS findings the range brought in, at their lines in the working tree."""
    if info.head != info.checkout:
        notes.append("history rules not run: they judge the checked-out files, and --head is "
                     "not the checkout")  # fmt: skip
        return []
    rules = [r for r in RULES.values() if r.needs_history]
    found = run_rules(graph, rules, note=lambda line: None).diagnostics
    # Each history finding carries the commit that brought the problem in.
    return [d for d in found if d.commit in span.in_range]


# --- the range ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Refs:
    shallow: bool
    base: str
    head: str
    checkout: str


def resolve_range(root: Path, base: str, head: str) -> tuple[Span, RangeInfo]:
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
    info = RangeInfo(base, head, refs.base, refs.head, merge_base, len(in_range), refs.shallow,
                     refs.checkout)  # fmt: skip
    return Span(in_range, after_head), info


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


def kind_of(settings: Settings) -> KindOf:
    """`history.kind_of`, remembered per file and `kind:` value (asked for every record)."""
    known: dict[tuple[str, object], Kind | None] = {}

    def kind(path: str, data: dict[str, Any] | None) -> Kind | None:
        named = data.get("kind") if data is not None else None
        key = (path, named if isinstance(named, str) else None)
        if key not in known:
            known[key] = history.kind_of(settings, path, data)
        return known[key]

    return kind


# --- findings at lines -------------------------------------------------------------------------


def locate(root: Path, result: Review) -> list[Diagnostic]:
    """The review's issues as diagnostics, at the line of the key in the file at head.

    The lines are read from the working tree when its front matter is the head's (a CI
    checkout); otherwise, or for a deleted record, the finding is at line 1."""
    heads = {c.id: c.head for c in result.changes}
    out = []
    for issue in result.issues:
        head = heads.get(issue.record)
        line, col = _position(root, issue, head.data if head else None)
        out.append(Diagnostic(issue.path, line, col, issue.code, issue.severity, issue.message))
    return out


def _position(root: Path, issue: Issue, expected: dict[str, Any] | None) -> tuple[int, int]:
    if expected is None or not issue.at:
        return 1, 1
    try:
        raw = (root / issue.path).read_bytes()
    except OSError:
        return 1, 1
    if front_matter(raw) != expected:
        return 1, 1
    text, _ = decode(raw)
    return parse_text(text).pos(issue.at) if text is not None else (1, 1)
