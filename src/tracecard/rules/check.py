"""`tracecard check`: every rule over the repository, reported on the paths asked for."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from tracecard.errors import UsageError
from tracecard.load import config
from tracecard.load.repository import load_graph, no_gc
from tracecard.model.findings import Severity
from tracecard.model.graph import RepoGraph
from tracecard.report.findings import REPORTERS
from tracecard.rules.registry import RULES
from tracecard.rules.run import Result, run_rules


def check(
    paths: tuple[str, ...],
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool | None,
    out: IO[str],
) -> int:
    targets = [Path(p) for p in paths]
    for t in targets:
        if not t.exists():
            raise UsageError(f"{t}: no such file or folder")
    root = config.find_root(targets[0] if targets else Path.cwd())
    settings = config.load(root).with_cli(_codes(select), _codes(ignore), strict)
    for code in settings.select + settings.ignore:
        validate_code(code)
    with no_gc():
        graph = load_graph(settings, extra=[t for t in targets if t.is_file()])
        result = run_rules(graph)
    result = _in_scope(result, root, targets, graph)
    REPORTERS[fmt](result, out)
    return exit_code(result, settings.strict)


def exit_code(result: Result, strict: bool) -> int:
    worst = Severity.WARNING if strict else Severity.ERROR
    return 1 if any(d.severity.rank >= worst.rank for d in result.diagnostics) else 0


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select LNK,BDY001 --select PAR` -> ('LNK', 'BDY001', 'PAR')."""
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


def validate_code(code: str) -> None:
    if code != "ALL" and not any(c.startswith(code) for c in RULES):
        raise UsageError(f"unknown rule code or prefix {code!r}: `tracecard rules` lists them")


def _in_scope(result: Result, root: Path, targets: list[Path], graph: RepoGraph) -> Result:
    """Keep findings in the files and folders asked for (all of them when none or the root)."""
    prefixes: list[str] = []
    for t in targets:
        try:
            rel = t.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = t.as_posix()
        if rel in ("", "."):
            return result
        prefixes.append(rel if t.is_file() else rel.rstrip("/") + "/")
    if not prefixes:
        return result
    def asked(path: str) -> bool:
        return any(path == p or (p.endswith("/") and path.startswith(p)) for p in prefixes)

    keep = [d for d in result.diagnostics if asked(d.path)]
    suppressed = [p for p in result.suppressed_in if asked(p)]
    records = len([r for r in graph.records if asked(r.path)])
    return Result(keep, len(suppressed), records, tuple(suppressed))
