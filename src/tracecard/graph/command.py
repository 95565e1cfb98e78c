"""`tracecard graph`: the records and their typed links, as Mermaid or Graphviz DOT."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from tracecard.errors import UsageError
from tracecard.graph.build import parse_kinds, resolve, select, whole
from tracecard.graph.render import RENDERERS, fenced
from tracecard.load import config
from tracecard.load.repository import load_graph
from tracecard.report.text import say


def graph(
    path: str | None,
    fmt: str,
    ids: tuple[str, ...],
    depth: int | None,
    kinds: tuple[str, ...],
    output: str | None,
    fence: bool,
    out: IO[str],
    err: IO[str],
) -> int:
    if depth is not None and not ids:
        raise UsageError("--depth counts links from the records --id names: give --id too")
    wanted_kinds = parse_kinds(kinds)
    start = Path(path) if path else Path.cwd()
    if not start.exists():
        raise UsageError(f"{start}: no such file or folder")
    settings = config.load(config.find_root(start))
    full = whole(load_graph(settings))
    drawn = select(full, resolve(full, ids), depth, wanted_kinds)
    text = RENDERERS[fmt](drawn)
    if fence:
        text = fenced(fmt, text)
    broken = sum(1 for e in drawn.edges if e.broken)
    if broken:
        say(f"tracecard: {broken} link{'s' if broken != 1 else ''} name{'' if broken != 1 else 's'}"
            " a record that does not exist: drawn dashed, to a 'missing' node "
            "(`tracecard check` reports them)", err)  # fmt: skip
    if not drawn.nodes:
        say("tracecard: no record matches: the graph is empty", err)
    if output is None:
        out.write(text)
        return 0
    _write(Path(output), text.encode("utf-8"))
    say(f"tracecard: wrote {output} ({len(drawn.nodes)} nodes, {len(drawn.edges)} edges)", err)
    return 0


def _write(target: Path, data: bytes) -> None:
    from tracecard.edit.frontmatter import write_atomic

    if target.is_dir():
        raise UsageError(f"{target}: is a folder: --output names a file")
    try:
        write_atomic(str(target), data)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from exc
