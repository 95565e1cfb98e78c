"""Time `tracecard dashboard` on large repositories: prints figures (it is not a test).

    python benchmarks/bench_dashboard.py                       # 10,000 records, best of 3
    python benchmarks/bench_dashboard.py --sizes 1000,10000 --repeat 2
    python benchmarks/bench_dashboard.py --history 1000x10000  # also a long git history

For each size, gen_repo.py generates a repository (cached under benchmarks/out/, as
bench_check.py does), and the dashboard is built:

- as a subprocess (`python -m tracecard dashboard --output DIR`), interpreter start and
  imports included: once with no history cache (`.git/tracecard/` removed), then best of
  `--repeat` with the cache warm;
- in process, phase by phase: loading the records, reading the history, gathering (the gate,
  the trends, failure types, data readiness) and writing the pages;
- with the number of pages and the size of the site.

`--history RxC` does the same on a repository of R records changed over C commits made by
history_gen.py, so that the cards have many versions to chart.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))


def repo_for(size: int, seed: int) -> Path:
    from bench_check import repo_for as cached

    return cached(size, seed, True)


def history_repo(records: int, commits: int) -> Path:
    import history_gen

    path = OUT / f"history-{records}x{commits}"
    if not (path / ".git").is_dir():
        t0 = time.perf_counter()
        shutil.rmtree(path, ignore_errors=True)
        history_gen.build(path, records, commits)
        (path / "tracecard.toml").write_text("# generated\n", encoding="utf-8")
        print(f"  generated {path.relative_to(HERE.parent)} in {time.perf_counter() - t0:.1f} s")
    return path


def run_once(repo: Path, site: Path) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tracecard", "dashboard", "--output", str(site),
                           "--force"], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})  # fmt: skip
    took = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"tracecard dashboard failed ({done.returncode}): {done.stderr}")
    return took


def phases(repo: Path, site: Path) -> list[tuple[str, float]]:
    from tracecard.dashboard.build import gather
    from tracecard.dashboard.command import build_into
    from tracecard.dashboard.render import Pages
    from tracecard.history.timeline import read
    from tracecard.load import config
    from tracecard.load.repository import load_graph

    out = []
    t0 = time.perf_counter()
    settings = config.load(repo)
    graph = load_graph(settings)
    out.append(("load the records", time.perf_counter() - t0))
    t0 = time.perf_counter()
    hist = read(settings)
    out.append(("read the history (cache warm)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    data = gather(graph, hist)
    out.append(("gather: gate, trends, failures, data", time.perf_counter() - t0))
    t0 = time.perf_counter()
    pages = Pages(data, repo.name)
    out.append(("compile the templates", time.perf_counter() - t0))
    t0 = time.perf_counter()
    build_into(site, pages.write)
    out.append(("render and write the pages", time.perf_counter() - t0))
    return out


def site_size(site: Path) -> tuple[int, int]:
    files = [p for p in site.rglob("*.html")]
    return len(files), sum(p.stat().st_size for p in files)


def measure(label: str, repo: Path, repeat: int) -> None:
    site = OUT / f"site-{repo.name}"
    shutil.rmtree(repo / ".git" / "tracecard", ignore_errors=True)
    cold = run_once(repo, site)
    warm = min(run_once(repo, site) for _ in range(repeat))
    pages, size = site_size(site)
    print(f"\n{label}: {repo.relative_to(HERE.parent)}")
    print(f"  {pages:,} pages, {size / 1e6:.1f} MB")
    print(f"  tracecard dashboard, no history cache: {cold:6.2f} s wall")
    print(f"  tracecard dashboard, best of {repeat}:       {warm:6.2f} s wall")
    for name, seconds in phases(repo, site):
        print(f"    {name:<40} {seconds:6.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000", help="record counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--history", default="", metavar="RxC",
                    help="also a repository of R records over C commits (history_gen.py)")
    args = ap.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    for size in (int(s) for s in args.sizes.split(",") if s):
        measure(f"{size:,} records, one commit (gen_repo.py)", repo_for(size, args.seed), args.repeat)
    if args.history:
        records, commits = (int(n) for n in args.history.lower().split("x"))
        measure(f"{records:,} records over {commits:,} commits (history_gen.py)",
                history_repo(records, commits), args.repeat)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
