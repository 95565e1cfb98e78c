"""`tracecard review --base REF [--head REF]`: what a pull request changes in the records.

The range is `BASE..HEAD`, what a pull request shows: the commits head has and base does
not, compared from their merge-base. Head defaults to the checked-out commit (`HEAD`);
uncommitted changes are not part of a review (`tracecard check` sees them). A `--head` other
than the checkout must be an ancestor of it, because history is read from the checkout.

Git, besides the one-pass history read (`tracecard.git.index.read_history`, cached),
answers through `tracecard.git.revisions`:
    git rev-parse --is-shallow-repository BASE^{commit} HEAD^{commit} HEAD^{commit}
    git merge-base BASE HEAD            (missing in a shallow clone: exit 2, say why)
    git rev-list BASE..HEAD             (the commits of the range)
and, only for a `--head` that is not the checkout, `git merge-base --is-ancestor` and
`git rev-list HEAD..<checkout>`.

Exit codes: 0 no error finding, 1 an error finding, 2 usage (unknown ref, not a git
repository, shallow clone without the merge-base, bad configuration).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from tracecard.errors import UsageError
from tracecard.gate.command import related_paths
from tracecard.git import revisions
from tracecard.git.index import WORKTREE, front_matter
from tracecard.history import timeline as history
from tracecard.load import config
from tracecard.load.config import Settings, vocabulary
from tracecard.load.parse import decode, parse_text
from tracecard.load.repository import load_graph
from tracecard.model.findings import Finding, Severity, select
from tracecard.model.graph import RepoGraph
from tracecard.model.records import Kind
from tracecard.review.build import GateChange, Inputs, Issue, KindOf, Review, Span, build
from tracecard.review.render import RENDERERS, RangeInfo, Report
from tracecard.rules.history import decision_explains
from tracecard.rules.registry import RULES
from tracecard.rules.run import run_rules


def review(base: str, head: str | None, fmt: str, out: IO[str], link_base: str = "") -> int:
    root = config.find_root(Path.cwd())
    settings = config.load(root)
    span, info = resolve_range(root, base, head or "HEAD")
    graph = load_graph(settings)
    hist = history.history_of(graph)  # the committed versions, and the working tree (ignored)
    if not hist.available:
        raise UsageError(hist.message)
    span = replace(span, after_head=span.after_head | {WORKTREE})

    def is_new(did: str) -> bool:  # written in the range (or not committed): for its change
        rh = hist.get(did)
        return rh is None or not rh.versions or rh.created.commit in span.in_range | span.after_head

    inputs = Inputs(span, kind_of(settings), vocabulary(settings), hist.id_changes,
                    lambda rid, did: decision_explains(graph, rid, did, is_new), settings)
    result = build(hist.records, inputs)
    notes: list[str] = [hist.message] if hist.shallow and hist.message else []
    findings = (locate(root, result) + history_findings(graph, span, info, notes)
                + record_findings(graph, result, info))  # fmt: skip
    findings = select(findings, settings.select, settings.ignore)
    findings.sort(key=lambda d: (d.severity.rank * -1, *d.sort_key()))
    result = replace(result, gates=tuple(_with_findings(graph, g, findings) for g in result.gates))
    report = Report(info, result, tuple(findings), tuple(notes), link_base)
    RENDERERS[fmt](report, out)
    return 1 if report.errors else 0


def _with_findings(graph: RepoGraph, gate: GateChange, findings: list[Finding]) -> GateChange:
    """The card's gate at head, failing on the review's errors in the files its launch rests on
    (as `card check` counts them): a card is never PASS here and FAIL there."""
    card = graph.get(gate.card)
    if gate.head is None or card is None or card.kind is not Kind.MODEL_CARD:
        return gate
    paths = related_paths(graph, card)
    have = {code for code, _, _ in gate.head.issues}
    extra = tuple((f.code, True, f"at {f.path}:{f.line}") for f in findings
                  if f.path in paths and f.severity is Severity.ERROR and f.code not in have)  # fmt: skip
    return replace(gate, head=replace(gate.head, issues=gate.head.issues + extra)) if extra else gate


# --- the history rules, for the range ----------------------------------------------------------

def history_findings(
    graph: RepoGraph, span: Span, info: RangeInfo, notes: list[str]
) -> list[Finding]:
    """The HIS findings the range brought in, at their lines in the working tree."""
    if info.head != info.checkout:
        notes.append("history rules not run: they judge the checked-out files, and --head is "
                     "not the checkout")  # fmt: skip
        return []
    rules = [r for r in RULES.values() if r.needs_history]
    found = run_rules(graph, rules, note=lambda line: None).diagnostics
    # Each history finding carries the commit that brought the problem in.
    return [d for d in found if d.commit in span.in_range]


def record_findings(graph: RepoGraph, result: Review, info: RangeInfo) -> list[Finding]:
    """What `tracecard check` finds, at head, in the records the range touched and in the
    records that link to them (a deleted or renumbered record leaves its referrers broken; a
    changed requirement or dataset changes the gate of the cards that name it). The verdict of
    the review is then never PASS where `check` fails a record the pull request touched."""
    if info.head != info.checkout:
        return []  # the working tree is not head: said once, with the history rules
    touched = {c.head.path for c in result.changes if c.head is not None}
    ids = {c.id for c in result.changes}
    ids |= {c.old_id for c in result.changes if c.old_id is not None}
    touched.update(rec.path for rec in graph.records if rec.id in ids)
    touched.update(rec.path for rec in graph.referrers(ids))
    if not touched:
        return []
    rules = [r for r in RULES.values() if not r.needs_history]
    found = run_rules(graph, rules, note=lambda line: None).diagnostics
    return [d for d in found if d.path in touched]


# --- the range ---------------------------------------------------------------------------------


def resolve_range(root: Path, base: str, head: str) -> tuple[Span, RangeInfo]:
    """The commits of `base..head` and where the range starts; UsageError when it cannot say."""
    r = revisions.resolve(root, base, head)
    info = RangeInfo(base, head, r.base, r.head, r.merge_base, len(r.in_range), r.shallow,
                     r.checkout)  # fmt: skip
    return Span(r.in_range, r.after_head), info


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


def locate(root: Path, result: Review) -> list[Finding]:
    """The review's issues as diagnostics, at the line of the key in the file at head.

    The lines are read from the working tree when its front matter is the head's (a CI
    checkout); otherwise, or for a deleted record, the finding is at line 1."""
    heads = {c.id: c.head for c in result.changes}
    out = []
    for issue in result.issues:
        head = heads.get(issue.record)
        line, col = _position(root, issue, head.data if head else None)
        out.append(Finding(issue.path, line, col, issue.code, issue.severity, issue.message))
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
