"""Screenshots of examples/shop's dashboard for docs/dashboard.md, taken in headless Chromium.

    .venv/bin/python scripts/dashboard_screenshots.py [--out docs/img]

The shop is given a history first (tests/shop_history.py: the commits that bring its two
models to where the example stands), so that the trends have points; the pages are then
opened from the file system, as a reader would, with the browser client of the tests
(tests/chromium.py). tests/test_dashboard_browser.py runs the same steps and checks what
the pages show.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests"))

from chromium import Browser  # noqa: E402
from shop_history import make_shop_history  # noqa: E402

#: (file name, page of the site, the element to show: None for the whole page, "top" for
#: its first 1,050 pixels)
SHOTS = (
    ("dashboard-overview.png", "index.html", None),
    ("dashboard-card.png", "records/MC-fraud-detector.html", "top"),
    ("dashboard-trends.png", "records/MC-fraud-detector.html", "div.charts"),
    ("dashboard-requirement.png", "records/REQ-0001.html", "table.matrix"),
    ("dashboard-failures.png", "failures.html", "main section"),
    ("dashboard-data.png", "data.html", "main"),
)


def build(work: Path) -> Path:
    repo = make_shop_history(work / "shop")
    site = work / "site"
    subprocess.run([sys.executable, "-m", "tracecard", "dashboard", "--output", str(site)],
                   cwd=repo, check=True, env={**os.environ, "TRACECARD_TODAY": "2026-06-15"})
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "docs" / "img")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Browser.launch() as browser:
        site = build(Path(tmp))
        for name, page, selector in SHOTS:
            tab = browser.open(site / page, width=1280)
            if selector == "top":
                tab.screenshot(args.out / name, width=1280, full=False, height=1050)
            else:
                tab.screenshot(args.out / name, width=1280, selector=selector)
            tab.close()
            print(args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
