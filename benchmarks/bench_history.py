"""Time the history reader against one `git log` per file, on a synthetic repository.

    python benchmarks/bench_history.py                      # 2,000 records, 20,000 commits
    python benchmarks/bench_history.py --records 300 --commits 3000   # a quick run

Prints, in one run: the cold read (no cache), the warm read (cache, no new commits), the
warm read after 10 new commits, and one `git log -- FILE` per record timed on a sample of
records and extrapolated to all of them, with the ratios. The goal (issue 5) is a cold read
under 10 s and a warm one under 1 s for 2,000 records over 20,000 commits.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import history_gen  # noqa: E402

from tracecard.git.index import History, read_history  # noqa: E402

FOLDERS = list(history_gen.FOLDERS.values())
COLD_GOAL_S = 10.0
WARM_GOAL_S = 1.0


@dataclass(frozen=True)
class Timing:
    key: str
    label: str
    seconds: float
    detail: str = ""


def key_for(path: str, data: dict[str, Any] | None) -> str | None:
    m = re.match(r"docs/(decisions|requirements)/(\d{4})-", path)
    if not m:
        return None
    return ("ADR-" if m.group(1) == "decisions" else "REQ-") + m.group(2)


def timed(fn: Callable[[], History], repeat: int) -> tuple[float, History]:
    """Best wall time of `repeat` calls, each started with no earlier result alive."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


FRESH = """
import sys
from pathlib import Path
from tracecard.git.index import read_history
hist = read_history(Path(sys.argv[1]), sys.argv[2:], lambda path, data: None)
print(hist.stats.cache, len(hist.records))
"""


def fresh_process(repo: Path, repeat: int) -> tuple[float, str]:
    """Wall time of a new Python process that imports tracecard and reads the history."""
    best, out = float("inf"), ""
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", FRESH, str(repo), *FOLDERS],
            check=True,
            capture_output=True,
            text=True,
        )
        best = min(best, time.perf_counter() - started)
        out = done.stdout.strip()
    return best, out


def clear_cache(repo: Path) -> None:
    shutil.rmtree(repo / ".git" / "tracecard", ignore_errors=True)


def cold(repo: Path) -> History:
    clear_cache(repo)
    return read_history(repo, FOLDERS, key_for)


def warm(repo: Path) -> History:
    return read_history(repo, FOLDERS, key_for)


def describe(hist: History) -> str:
    s = hist.stats
    versions = sum(len(r.versions) for r in hist.records.values())
    return (
        f"cache {s.cache}; {s.commits_read} commits and {s.blobs_read} blobs read; "
        f"{len(hist.records)} records, {versions} versions"
    )


def per_file_log(repo: Path, sample: int, seed: int) -> tuple[float, int, int]:
    """Seconds for one `git log -- FILE` on each of `sample` records, and the record count."""
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "--", *FOLDERS],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    paths = [p for p in listing if p.endswith(".md")]
    chosen = random.Random(seed).sample(paths, min(sample, len(paths)))
    started = time.perf_counter()
    for path in chosen:
        subprocess.run(
            ["git", "-C", str(repo), "log", "--format=%H %aI %an %s", "--", path],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started, len(chosen), len(paths)


def run(args: argparse.Namespace) -> list[Timing]:
    repo = args.repo or Path(tempfile.mkdtemp(prefix="tracecard-bench-")) / "repo"
    out: list[Timing] = []
    if (repo / ".git").exists():
        repo = history_gen._own(repo)  # only a repository history_gen built (extend rewrites it)
    else:
        started = time.perf_counter()
        history_gen.build(repo, args.records, args.commits, args.seed)
        out.append(Timing("build", "build (fast-import)", time.perf_counter() - started, str(repo)))
    seconds, hist = timed(lambda: cold(repo), args.repeat)
    out.append(Timing("cold", "cold (no cache)", seconds, describe(hist)))
    seconds, hist = timed(lambda: warm(repo), args.repeat)
    out.append(Timing("warm", "warm (cache, no new commits)", seconds, describe(hist)))
    seconds, said = fresh_process(repo, args.repeat)
    out.append(
        Timing(
            "fresh",
            "warm, in a new python process",
            seconds,
            f"interpreter + imports + read: {said}",
        )
    )
    history_gen.extend(repo, args.new_commits)
    hist = None
    seconds, hist = timed(lambda: warm(repo), 1)
    out.append(
        Timing("extended", f"warm after {args.new_commits} new commits", seconds, describe(hist))
    )
    spent, sampled, total = per_file_log(repo, args.sample, args.seed)
    out.append(Timing("sample", f"git log -- FILE x {sampled} (sample)", spent))
    out.append(
        Timing(
            "per_file", f"git log -- FILE x {total} (extrapolated)", spent / max(sampled, 1) * total
        )
    )
    if args.repo is None and not args.keep:
        shutil.rmtree(repo.parent, ignore_errors=True)
    return out


def report(timings: list[Timing], args: argparse.Namespace) -> str:
    by = {t.key: t.seconds for t in timings}
    lines = [
        f"history benchmark: {args.records} records, {args.commits} commits "
        f"(git {_git_version()}, best of {args.repeat})",
        "",
    ]
    lines += [f"  {t.label:<42} {t.seconds:8.2f} s   {t.detail}" for t in timings]
    cold_s, warm_s = by["cold"], by["warm"]
    per_file = by["per_file"]
    lines += [
        "",
        f"  per-file git log / cold read   {per_file / cold_s:8.1f}x",
        f"  per-file git log / warm read   {per_file / warm_s:8.1f}x",
        f"  cold / warm                    {cold_s / warm_s:8.1f}x",
        f"  goal: cold < {COLD_GOAL_S:.0f} s: {'met' if cold_s < COLD_GOAL_S else 'MISSED'}; "
        f"warm < {WARM_GOAL_S:.0f} s: {'met' if warm_s < WARM_GOAL_S else 'MISSED'} "
        f"(in a new process: {'met' if by['fresh'] < WARM_GOAL_S else 'MISSED'}; "
        f"after new commits: {'met' if by['extended'] < WARM_GOAL_S else 'MISSED'})",
    ]
    return "\n".join(lines)


def _git_version() -> str:
    return subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.split()[-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sample", type=int, default=50, help="records timed with one git log each")
    ap.add_argument("--new-commits", type=int, default=10)
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs of the cold and warm reads (best kept)"
    )
    ap.add_argument(
        "--repo", type=Path, help="use (or build) the repository here; default: a temporary one"
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary repository")
    args = ap.parse_args(argv)
    print(report(run(args), args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
