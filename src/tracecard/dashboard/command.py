"""`tracecard dashboard --output DIR`: build the site next to DIR, then move it into place.

A failed build leaves DIR as it was: the pages are written to a new folder beside it (same
file system, so the final step is a rename), and only a complete site replaces it. DIR may be
missing, empty, or a dashboard this command wrote before (it holds the marker file); any
other folder is refused unless --force, so that a mistyped path cannot wipe a folder. A file,
a folder inside `.git`, or a place that cannot be written is a usage error (exit 2).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import IO

from tracecard.errors import UsageError
from tracecard.load import config
from tracecard.report.text import say

INSTALL_HINT = "pip install 'tracecard[dashboard]'"


def dashboard(output: str, force: bool, err: IO[str]) -> int:
    _require_libraries()
    from tracecard.dashboard.render import MARKER

    root = config.find_root(Path.cwd())
    target = Path(output)
    check_target(target, force, MARKER, root)
    settings = config.load(root)
    started = time.perf_counter()
    from tracecard.dashboard.build import gather
    from tracecard.dashboard.render import Pages
    from tracecard.history.timeline import read
    from tracecard.load.repository import load_graph

    graph = load_graph(settings)
    _refuse_records(target, root, [r.path for r in graph.records])
    hist = read(settings, progress=err)
    if not hist.available:
        say(f"tracecard: no history for the trends: {hist.message}", err)
    site = gather(graph, hist)
    pages = Pages(site, root.name or "records")
    count = build_into(target, pages.write)
    say(f"tracecard: wrote {target} ({count} pages, {len(graph.records)} records) in "
        f"{time.perf_counter() - started:.1f} s; open {target / 'index.html'}", err)  # fmt: skip
    return 0


def _require_libraries() -> None:
    try:
        import jinja2  # noqa: F401
        import markdown_it  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"tracecard dashboard needs {exc.name or 'Jinja2 and markdown-it-py'}: "
                         f"install them with {INSTALL_HINT}") from exc  # fmt: skip


def check_target(target: Path, force: bool, marker: str, root: Path) -> None:
    """Refuse a DIR the site must not go to, before anything is read or written."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UsageError(f"{target}: is a file, not a folder: name a folder for the dashboard")
    resolved = target.resolve()
    if ".git" in resolved.parts:
        raise UsageError(f"{target}: is inside a .git folder: write the dashboard elsewhere")
    if resolved == Path.cwd().resolve() or root.resolve().is_relative_to(resolved) \
            or Path.cwd().resolve().is_relative_to(resolved):  # fmt: skip
        raise UsageError(f"{target}: holds the repository (or the current folder), which the "
                         "site would replace: name a folder of its own, such as site/")  # fmt: skip
    parent = resolved.parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"{target}: {parent} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / marker).is_file() and not force:
        raise UsageError(f"{target}: is a folder that holds something other than a dashboard: "
                         "name an empty or new folder, or add --force to replace it")  # fmt: skip


def _refuse_records(target: Path, root: Path, paths: list[str]) -> None:
    """Even with --force, a folder that holds records is never replaced by the site."""
    try:
        inside = target.resolve().relative_to(root.resolve()).as_posix().rstrip("/") + "/"
    except ValueError:
        return
    held = next((p for p in paths if p.startswith(inside)), None)
    if held is not None:
        raise UsageError(f"{target}: holds records ({held}), which the site would replace: "
                         "name a folder of its own, such as site/")  # fmt: skip


def build_into(target: Path, write: object) -> int:
    """Run `write(folder) -> pages` on a new folder beside `target`, then put that folder in
    its place; on any failure the new folder is removed and `target` is untouched."""
    assert callable(write)
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new", dir=parent))
    except OSError as exc:
        raise UsageError(f"{target}: cannot write there: {exc.strerror or exc}") from exc
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a site is for reading
        count = int(write(staging))
        _swap(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UsageError(f"{target}: cannot write the dashboard: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
