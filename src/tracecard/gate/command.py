"""`tracecard card check [ID|PATH...]`: the launch gate as a table per model card.

What is checked:
    no arguments          every model card that is not retired
    a model card          that card (ID or file)
    a requirement         the cards that satisfy it: a changed threshold re-gates them
    a dataset             the cards whose gate reads it (a criterion or a result names it)
    a folder              the records under it, each as above
    anything else         nothing (a decision record, a README): so that pre-commit can pass
                          every changed Markdown file and only the affected cards are checked

A card's findings are the gate's and every other error or warning `check` reports in the
files its launch rests on (the card, the requirements it satisfies, the datasets it is
evaluated and trained on, its model reviews): one verdict, whichever command gives it.

Exit codes: 0 when no gated card fails, 1 when a `candidate` or `production` card has an
error (FAIL, MISSING, evaluation data not ready, a production card without a production
sample, or any error `check` reports in those files), 2 for an unknown ID, a path that does not exist or a bad configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO

from tracecard.errors import UsageError
from tracecard.gate.evaluate import CardReport, evaluate_cards
from tracecard.gate.render import RENDERERS
from tracecard.load import cache, config
from tracecard.load.repository import load_graph, no_gc
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.records import Kind, Record, id_list, resolve_id
from tracecard.rules.run import run_rules


def card_check(targets: tuple[str, ...], fmt: str, out: IO[str]) -> int:
    paths = [Path(t) for t in targets if Path(t).exists()]
    root = config.find_root(paths[0] if paths else Path.cwd())
    settings = config.load(root)
    files = None
    if not cache.disabled_by_env():  # what `check` cached; card check adds nothing to it
        files = cache.FileCache.open(settings, readonly=True)
    with no_gc():
        from tracecard.rules.registry import PER_RECORD

        local = PER_RECORD if files is not None else None
        graph = load_graph(settings, extra=[p for p in paths if p.is_file()], cache=files,
                           local_rules=local)  # fmt: skip
        chosen = select_cards(graph, targets, root) if targets else _active(graph)
        wanted = {id(card) for card in chosen}
        shown = [r for r in evaluate_cards(graph, chosen) if id(r.card) in wanted]
        shown = with_related(graph, shown)
    RENDERERS[fmt](shown, out)
    return 1 if any(r.failed for r in shown) else 0


def with_related(graph: RepoGraph, reports: Sequence[CardReport],
                 note: Callable[[str], None] | None = None) -> list[CardReport]:  # fmt: skip
    """The reports with the errors `check` reports in each card's records added to their
    findings (see `related_findings`): the verdict every command and the dashboard show."""
    if not reports:
        return []
    scope = graph.scope
    if scope is None:  # only the cards' records: a pre-commit run does not check everything
        graph.scope = frozenset(p for r in reports for p in related_paths(graph, r.card))
    try:
        found = run_rules(graph, note=note).diagnostics  # what `check` says: no verdict differs
    finally:
        graph.scope = scope
    return [replace(r, findings=r.findings + tuple(related_findings(graph, r, found))) for r in reports]


def related_paths(graph: RepoGraph, card: Record) -> set[str]:
    """The files a card's launch rests on: the card, the requirements it satisfies, every
    dataset its gate or its training reads, and the model reviews of it."""
    paths = {card.path}
    ids = set(_satisfied(card)) | _datasets(graph, card) | set(id_list(card.data.get("training_data")))
    for rid in ids:
        rec = graph.get(rid)
        if rec is not None:
            paths.add(rec.path)
    if card.id:
        paths.update(r.path for r in graph.of_kind(Kind.MODEL_REVIEW) if r.data.get("card") == card.id)
    return paths


def related_findings(graph: RepoGraph, report: CardReport, found: Iterable[Finding]) -> list[Finding]:
    """The errors `check` reports in the files the card's launch rests on that
    the gate itself does not (a history rule on the card, a broken link, a requirement that
    states no task...): they count in the card's verdict, as they do in `check`'s."""
    paths = related_paths(graph, report.card)
    own = {(f.path, f.line, f.col, f.code) for f in report.findings}
    return [f for f in found
            if f.path in paths and f.severity is Severity.ERROR
            and (f.path, f.line, f.col, f.code) not in own]  # fmt: skip


def _active(graph: RepoGraph) -> list[Record]:
    return [c for c in graph.of_kind(Kind.MODEL_CARD) if c.status != "retired"]


def select_cards(graph: RepoGraph, targets: Iterable[str], root: Path) -> list[Record]:
    """The cards affected by `targets` (IDs or paths), in the repository's order."""
    records: list[Record] = []
    for target in targets:
        path = Path(target)
        if path.exists():
            records += _under(graph, path, root)
        elif (rid := resolve_id(graph.by_id, target)) is not None:
            records.append(graph.by_id[rid])
        else:
            raise UsageError(f"{target}: no record has this ID, and no such file or folder")
    affected = {id(card) for rec in records for card in _cards_of(graph, rec)}
    return [c for c in graph.of_kind(Kind.MODEL_CARD) if id(c) in affected]


def _under(graph: RepoGraph, path: Path, root: Path) -> list[Record]:
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return []
    if rel in ("", "."):
        return list(graph.records)
    if path.is_dir():
        return [r for r in graph.records if r.path.startswith(rel.rstrip("/") + "/")]
    return [r for r in graph.records if r.path == rel]


def _cards_of(graph: RepoGraph, rec: Record) -> Iterator[Record]:
    if rec.kind is Kind.MODEL_CARD:
        yield rec
    elif rec.kind is Kind.REQUIREMENT and rec.id:
        yield from (c for c in graph.of_kind(Kind.MODEL_CARD) if rec.id in _satisfied(c))
    elif rec.kind is Kind.DATASET and rec.id:
        yield from (c for c in graph.of_kind(Kind.MODEL_CARD) if rec.id in _datasets(graph, c))


def _satisfied(card: Record) -> list[str]:
    return id_list(card.data.get("satisfies"))


def _datasets(graph: RepoGraph, card: Record) -> set[str]:
    """Every dataset the card's gate reads: its results' and its requirements' criteria's."""
    found = set(_item_datasets(card.data.get("results")))
    for rid in _satisfied(card):
        req = graph.get(rid)
        if req is not None and req.kind is Kind.REQUIREMENT:
            found.update(_item_datasets(req.data.get("criteria")))
    return found


def _item_datasets(items: object) -> Iterator[str]:
    if isinstance(items, list):
        for item in items:
            if isinstance(item, Mapping) and isinstance(item.get("dataset"), str):
                yield item["dataset"].strip()


__all__ = ["CardReport", "card_check", "related_findings", "related_paths", "select_cards",
           "with_related"]
