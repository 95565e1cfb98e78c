"""The dashboard in a real browser: Debian's headless Chromium opens the pages from the file
system, as a reader would, through tests/chromium.py (the DevTools protocol over a pipe).

Asserted: every page loads with no console error and no request but its own file; the
charts and tables show the example repository's figures; markup from records stays text
(no script runs: `window.PWNED` stays undefined, and the markup is visible as text).

Without chromium these tests skip, saying why; under CI (CI or TRACECARD_REQUIRE_BROWSER set,
as .ci/run does, after installing chromium) a missing browser fails instead. One browser
for the module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import Browser, Page, find_chromium
from shop_history import PWNED_OWNER, PWNED_TITLE, make_injected_shop, make_shop_history

REQUIRED = bool(os.environ.get("CI") or os.environ.get("TRACECARD_REQUIRE_BROWSER"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if find_chromium() is None:
        message = ("chromium is not installed (apt-get install chromium, or set CHROMIUM to "
                   "its path)")  # fmt: skip
        if REQUIRED:
            pytest.fail(f"{message}: CI needs the browser tests to run")
        pytest.skip(message)
    with Browser.launch() as b:
        yield b


def _build(repo: Path, site: Path) -> Path:
    subprocess.run([sys.executable, "-m", "tracecard", "dashboard", "--output", str(site)],
                   cwd=repo, check=True, capture_output=True)  # fmt: skip
    return site


@pytest.fixture(scope="module")
def shop_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("browser")
    return _build(make_shop_history(base / "shop"), base / "site")


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("injected")
    return _build(make_injected_shop(base / "shop"), base / "site")


@pytest.fixture(scope="module")
def tab(browser: Browser, shop_site: Path) -> Iterator[Page]:
    page = browser.open(shop_site / "index.html")
    yield page
    page.close()


def _visit(tab: Page, path: Path) -> None:
    tab.navigate(path.resolve().as_uri())
    assert tab.console_errors == [], path
    assert tab.requests == [path.resolve().as_uri()], path  # nothing but the page itself


def test_every_page_loads_clean_and_asks_for_nothing(tab: Page, shop_site: Path) -> None:
    pages = sorted(shop_site.glob("*.html")) + sorted((shop_site / "records").glob("*.html"))
    assert len(pages) == 5 + 17
    for page in pages:
        _visit(tab, page)
        assert tab.evaluate("document.querySelectorAll('main h1').length") == 1, page


def test_landing_page_shows_the_shop_at_a_glance(tab: Page, shop_site: Path) -> None:
    _visit(tab, shop_site / "index.html")
    tiles = tab.evaluate("['n-production','n-candidate','n-failing']"
                         ".map(i => document.getElementById(i).textContent)")  # fmt: skip
    assert tiles == ["1", "1", "0"]
    cells = tab.evaluate("[...document.querySelectorAll('table.matrix td.cell')]"
                         ".map(td => td.innerText.split('\\n')[0])")  # fmt: skip
    assert "0.935 [0.919, 0.949] PASS" in cells  # the fraud detector's precision
    assert "0.41 [0.402, 0.418] PASS" in cells  # the ranker on new visitors
    text = tab.evaluate("document.body.innerText")
    assert "In production: Checkout fraud detector (version 3.2.0) passes the launch gate." in text
    assert "account_takeover × 2" in text  # a failure type the May review found twice


def test_card_chart_and_table_show_every_version(tab: Page, shop_site: Path) -> None:
    _visit(tab, shop_site / "records" / "MC-fraud-detector.html")
    charts = tab.evaluate("""[...document.querySelectorAll('figure.trend svg')].map(s => ({
        label: s.getAttribute('aria-labelledby'),
        title: s.querySelector('title').textContent,
        desc: s.querySelector('desc').textContent,
        points: [...s.querySelectorAll('text.value')].map(t => t.textContent),
        width: s.getBoundingClientRect().width}))""")
    assert "Production, version 3.2.0: passes the launch gate. Since 3.1.0: 8 results better, " \
        "none worse." in tab.evaluate("document.querySelector('p.headline').textContent")
    assert len(charts) == 8
    first = charts[0]
    assert first["title"] == "precision on DS-fraud-holdout/holdout, MC-fraud-detector"
    assert first["points"] == ["0.912", "0.927", "0.935"]
    assert "launch 0.9, target 0.93" in first["desc"]
    assert all(c["width"] > 300 for c in charts)  # drawn, and at a readable size
    rows = tab.evaluate("[...document.querySelectorAll('table.trend-table tbody tr')]"
                        ".map(tr => [...tr.cells].map(c => c.innerText.trim()))")  # fmt: skip
    assert [r[0] for r in rows] == ["3.0.0", "3.1.0", "3.2.0", "launch bar", "target"]
    assert rows[2][4] == "0.935" and rows[0][4] == "0.912"


def test_a_body_link_opens_the_other_record(tab: Page, shop_site: Path) -> None:
    _visit(tab, shop_site / "records" / "MC-fraud-detector.html")
    href = tab.evaluate("document.querySelector('article.record-body a[href=\"ADR-0003.html\"]').href")
    tab.navigate(href)
    assert tab.console_errors == []
    assert tab.evaluate("document.title").startswith("ADR-0003 ")


def test_markup_from_records_stays_inert(browser: Browser, injected_site: Path) -> None:
    page = browser.open(injected_site / "index.html")
    try:
        for path in (injected_site / "index.html", injected_site / "records" / "MC-recs-ranker.html",
                     injected_site / "records" / "REQ-0001.html", injected_site / "data.html"):
            _visit(page, path)
            assert page.evaluate("typeof window.PWNED") == "undefined", path
            assert page.evaluate("document.querySelectorAll('main script, main img, main iframe').length") == 0
            assert page.evaluate("[...document.querySelectorAll('a')].filter(a => "
                                 "/^(javascript|data):/i.test(a.getAttribute('href') || '')).length") == 0
        _visit(page, injected_site / "index.html")
        assert PWNED_TITLE in page.evaluate("document.body.innerText")  # shown as text
        _visit(page, injected_site / "records" / "MC-recs-ranker.html")
        text = page.evaluate("document.body.innerText")
        assert '<img src=x onerror="window.PWNED=2">' in text
        assert "<script>window.PWNED=4</script>" in text
        _visit(page, injected_site / "data.html")
        assert PWNED_OWNER in page.evaluate("document.body.innerText")
    finally:
        page.close()


def test_screenshot(tab: Page, shop_site: Path, tmp_path: Path) -> None:
    _visit(tab, shop_site / "index.html")
    shot = tmp_path / "overview.png"
    tab.screenshot(shot, width=1280)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
