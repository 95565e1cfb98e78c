"""`tracecard dashboard`: what the site holds, where it may be written, and what stays text.

The pages in a real browser: tests/test_dashboard_browser.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from shop_history import (
    FRAUD,
    PWNED_OWNER,
    PWNED_TITLE,
    SHOP,
    VALUES,
    make_injected_shop,
    make_shop_history,
)

from tracecard.cli import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    def call(cwd: Path, *argv: str) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(repository, site): examples/shop with its history, and its dashboard."""
    base = tmp_path_factory.mktemp("dash")
    repo = make_shop_history(base / "shop")
    site = base / "site"
    subprocess.run([sys.executable, "-m", "tracecard", "dashboard", "--output", str(site)],
                   cwd=repo, check=True, capture_output=True)  # fmt: skip
    return repo, site


class Cells(HTMLParser):
    """The text of each table row of a page, with the class of the table it is in."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self._tables: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._tables.append(dict(attrs).get("class") or "")
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append((self._tables[-1] if self._tables else "", self._row))
            self._row = None
        elif tag == "table" and self._tables:
            self._tables.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: Path, table: str) -> list[list[str]]:
    parser = Cells()
    parser.feed(page.read_text(encoding="utf-8"))
    return [cells for cls, cells in parser.rows if cls == table]


def card_check_json(repo: Path) -> dict[str, list[dict[str, object]]]:
    done = subprocess.run([sys.executable, "-m", "tracecard", "card", "check", "--format", "json"],
                          cwd=repo, capture_output=True, text=True, check=False)  # fmt: skip
    return {c["id"]: c["rows"] for c in json.loads(done.stdout)["cards"]}


# --- what the site shows -----------------------------------------------------------------


def test_every_gate_verdict_is_the_one_card_check_gives(history_site: tuple[Path, Path]) -> None:
    repo, site = history_site
    expected = card_check_json(repo)
    assert set(expected) == {"MC-fraud-detector", "MC-recs-ranker", "MC-recs-session-transformer"}
    for card, rows in expected.items():
        shown = table_rows(site / "records" / f"{card}.html", "gate")[1:]  # the header first
        assert len(shown) == len(rows), card
        for cells, row in zip(shown, rows, strict=True):
            verdict = str(row["verdict"]) + (" (CI)" if row["ci_warning"] else "")
            assert cells[0] == row["requirement"]
            assert cells[-1] == verdict, (card, cells)
    # the draft's own failures are shown as card check words them, never as PASS
    draft = [c[-1] for c in table_rows(site / "records/MC-recs-session-transformer.html", "gate")[1:]]
    assert draft.count("FAIL") == 2 and "MISSING" in draft and "BELOW TARGET" in draft


def test_card_page_has_each_metric_across_versions(history_site: tuple[Path, Path]) -> None:
    _, site = history_site
    page = site / "records" / "MC-fraud-detector.html"
    rows = table_rows(page, "trend-table")
    head, body = rows[0], rows[1:]
    column = head.index("precision")  # the first column for precision: the aggregate
    versions = [r[0] for r in body[:-2]]
    assert versions == ["3.0.0", "3.1.0", "3.2.0"]
    values = [r[column] for r in body[:-2]]
    assert values == [str(VALUES[FRAUD][0][2][("precision", None)]),
                      str(VALUES[FRAUD][1][2][("precision", None)]), "0.935"]  # fmt: skip
    assert body[-2][0] == "launch bar" and body[-2][column - 3] == "0.9"
    assert body[-1][0] == "target" and body[-1][column - 3] == "0.93"
    html = page.read_text(encoding="utf-8")
    charts = re.findall(r"<svg[^>]*aria-labelledby=\"trend-[^>]*>.*?</svg>", html, re.S)
    assert len(charts) == len(head) - 4  # a chart per result
    for chart in charts:
        assert "<title" in chart and "<desc" in chart
        assert 'class="bar-launch"' in chart and 'class="bar-target"' in chart


def test_launch_bar_is_drawn_below_the_target_when_higher_is_better(
    history_site: tuple[Path, Path],
) -> None:
    _, site = history_site
    html = (site / "records" / "MC-fraud-detector.html").read_text(encoding="utf-8")
    for chart in re.findall(r"<svg[^>]*aria-labelledby=\"trend-.*?</svg>", html, re.S):
        title = re.search(r"<title[^>]*>([^<]*)</title>", chart)
        assert title is not None
        launch = float(re.search(r'class="bar-launch"[^>]*y1="([\d.]+)"', chart).group(1))  # type: ignore[union-attr]
        target = float(re.search(r'class="bar-target"[^>]*y1="([\d.]+)"', chart).group(1))  # type: ignore[union-attr]
        if title.group(1).startswith("fpr"):
            assert target > launch  # lower is better: the target sits lower on the chart
        else:
            assert target < launch


def test_landing_page_puts_production_beside_candidates(tmp_path: Path, run: Run) -> None:
    repo = tmp_path / "shop"
    import shutil

    shutil.copytree(SHOP, repo)
    # a second card for the fraud requirement, a candidate that misses a bar
    text = (repo / FRAUD).read_text(encoding="utf-8")
    challenger = (text.replace("id: MC-fraud-detector", "id: MC-fraud-challenger", 1)
                  .replace("status: production", "status: candidate", 1)
                  .replace("    value: 0.935\n", "    value: 0.88\n", 1))  # fmt: skip
    (repo / "docs/model-cards/fraud-challenger.md").write_text(challenger, encoding="utf-8")
    code, _, _ = run(repo, "dashboard", "-o", str(tmp_path / "site"))
    assert code == 0
    matrices = [rows for rows in _matrices(tmp_path / "site" / "index.html")]
    fraud = next(rows for rows in matrices if "Checkout fraud detector" in rows[0][3])
    assert fraud[0][3].split()[-3:-2] == ["production"]  # production first, then candidates
    assert fraud[0][4].split()[-3:-2] == ["candidate"]
    precision = next(r for r in fraud if r[0].startswith("precision DS-fraud"))
    assert precision[3].split()[:4] == ["0.935", "[0.919,", "0.949]", "PASS"]
    assert precision[4].split()[0] == "0.88" and "FAIL" in precision[4].split()
    gate = next(r for r in fraud if r[0] == "launch gate")
    assert gate[3] == "gate: PASS" and gate[4].startswith("gate: FAIL")
    assert "GAT001" in gate[4]  # a FAIL says why


def test_a_fail_with_every_row_passing_says_why(tmp_path: Path, run: Run) -> None:
    import shutil

    repo = tmp_path / "shop"
    shutil.copytree(SHOP, repo)
    card = repo / FRAUD  # every row passes; its training set is a record that does not exist
    card.write_text(card.read_text(encoding="utf-8").replace("DS-fraud-training", "DS-gone"),
                    encoding="utf-8")  # fmt: skip
    code, _, _ = run(repo, "dashboard", "-o", str(tmp_path / "site"))
    assert code == 0
    fraud = next(rows for rows in _matrices(tmp_path / "site" / "index.html")
                 if "Checkout fraud detector" in rows[0][3])  # fmt: skip
    assert all("FAIL" not in r[3] for r in fraud if r[0] != "launch gate")
    gate = next(r for r in fraud if r[0] == "launch gate")
    assert gate[3].startswith("gate: FAIL") and "LNK001" in gate[3]


def test_text_direction_controls_are_shown_not_obeyed(tmp_path: Path, run: Run) -> None:
    import shutil

    repo = tmp_path / "shop"
    shutil.copytree(SHOP, repo)
    card = repo / FRAUD
    text = card.read_text(encoding="utf-8")
    title = next(ln for ln in text.splitlines() if ln.startswith("title:"))
    card.write_text(text.replace(title, 'title: "Fraud \u202egnp.exe"') + "\nBody \u2066x\u2069\n",
                    encoding="utf-8")  # fmt: skip
    assert run(repo, "dashboard", "-o", str(tmp_path / "site"))[0] == 0
    for page in (tmp_path / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", html), page
    assert "Fraud [U+202E]gnp.exe" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def _matrices(page: Path) -> list[list[list[str]]]:
    parser = Cells()
    parser.feed(page.read_text(encoding="utf-8"))
    out: list[list[list[str]]] = []
    for cls, cells in parser.rows:
        if cls != "matrix":
            continue
        if cells and cells[0] == "what is measured":
            out.append([])
        out[-1].append(cells)
    return out


def test_failure_types_by_count_and_severity(history_site: tuple[Path, Path]) -> None:
    _, site = history_site
    rows = table_rows(site / "records" / "MC-fraud-detector.html", "failures")
    found = {r[0]: r for r in rows[1:]}
    assert found["account_takeover"][1] == "critical" and found["account_takeover"][-1] == "2"
    assert found["gift_to_new_address"][1] == "high" and found["gift_to_new_address"][-1] == "2"
    assert found["friendly_fraud"][3].startswith("deprioritised")
    assert found["account_takeover"][2].startswith("EUR 1,240 chargeback")  # the worst case's cost
    assert list(found)[:2] == ["account_takeover", "gift_to_new_address"]  # most found first


def test_data_readiness_shows_slips_share_and_sample_age(history_site: tuple[Path, Path]) -> None:
    _, site = history_site
    rows = {r[0].split()[-1]: r for r in table_rows(site / "data.html", "datasets")[1:]}
    recs = rows["DS-recs-holdout"]
    assert "2025-12-15 → 2026-02-20 (2026-01-15)" in recs[5]
    fraud = rows["DS-fraud-holdout"]
    assert fraud[6] == "52%"
    assert fraud[7] == "drawn 2026-01-09, 157 days ago"  # today is the shop's 2026-06-15


def test_decision_log_is_newest_first(history_site: tuple[Path, Path]) -> None:
    _, site = history_site
    dates = [r[0] for r in table_rows(site / "decisions.html", "decisions")[1:]]
    assert len(dates) == 6 and dates == sorted(dates, reverse=True)


def test_every_record_has_a_page_with_links_both_ways(history_site: tuple[Path, Path]) -> None:
    repo, site = history_site
    records = sorted(p.stem for p in (site / "records").glob("*.html"))
    assert len(records) == 17 and "MR-0001" in records
    links = table_rows(site / "records" / "DS-fraud-holdout.html", "links")
    assert ["linked from", "satisfies", "MC-fraud-detector Checkout fraud detector"] not in links
    assert any(r[0] == "linked from" and r[2].startswith("MC-fraud-detector") for r in links)
    html = (site / "records" / "MC-fraud-detector.html").read_text(encoding="utf-8")
    # a body link to another record's file goes to that record's page
    assert 'href="ADR-0003.html"' in html
    req = (site / "records" / "REQ-0002.html").read_text(encoding="utf-8")
    bars = req.index("<h2>The bars: launch minimum and target</h2>")
    assert bars < req.index("high_value_electronics", bars) < req.index("<h2>Links</h2>")


def test_trends_without_git_show_the_current_results(tmp_path: Path, run: Run) -> None:
    import shutil

    shutil.copytree(SHOP, tmp_path / "shop")
    code, _, err = run(tmp_path / "shop", "dashboard", "-o", str(tmp_path / "site"))
    assert code == 0 and "no history" in err
    rows = table_rows(tmp_path / "site/records/MC-fraud-detector.html", "trend-table")
    assert [r[0] for r in rows[1:-2]] == ["3.2.0"]


# --- escaping ----------------------------------------------------------------------------


def test_markup_in_records_is_text_everywhere(tmp_path: Path, run: Run) -> None:
    repo = make_injected_shop(tmp_path / "shop")
    code, _, _ = run(repo, "dashboard", "-o", str(tmp_path / "site"))
    assert code == 0
    pages = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html")}
    for page, html in pages.items():
        tags = Tags()
        tags.feed(html)
        assert not tags.names & {"script", "iframe", "img", "object", "embed"}, page
        assert not [a for a in tags.attrs if a.startswith("on")], page
        assert not [h for h in tags.hrefs if re.match(r"\s*(javascript|data|vbscript|file):", h, re.I)]
    index = pages[tmp_path / "site" / "index.html"]
    assert "&lt;script&gt;window.PWNED=1&lt;/script&gt;" in index
    card = pages[tmp_path / "site" / "records" / "MC-recs-ranker.html"]
    assert "[image: a chart from the web]" in card  # never loaded
    data = pages[tmp_path / "site" / "data.html"]
    assert PWNED_OWNER.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in data
    assert PWNED_TITLE  # used by the browser test


class Tags(HTMLParser):
    """The elements, attribute names and link targets of a page, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attrs: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attrs.update(name for name, _ in attrs)
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]


def test_safe_links_only() -> None:
    from tracecard.dashboard.render import _rewrite, safe_link

    assert safe_link("https://example.com") and safe_link("mailto:a@b.c") and safe_link("../x.md")
    for bad in ("javascript:alert(1)", "JavaScript:x", "data:text/html,x", "file:///etc/passwd",
                "vbscript:x"):  # fmt: skip
        assert not safe_link(bad)
    paths = {"docs/decisions/0003-x.md": "ADR-0003"}
    assert _rewrite("../decisions/0003-x.md#why", "docs/model-cards/c.md", paths) == "ADR-0003.html#why"
    assert _rewrite("../other.md", "docs/model-cards/c.md", paths) is None
    assert _rewrite("javascript:x", "docs/model-cards/c.md", paths) is None


# --- where the site may go ---------------------------------------------------------------


def test_output_that_is_a_file_is_refused(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "site"
    target.write_text("keep me", encoding="utf-8")
    code, _, err = run(SHOP, "dashboard", "--output", str(target))
    assert code == 2 and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "keep me"


def test_output_inside_git_is_refused(tmp_path: Path, run: Run) -> None:
    repo = make_shop_history(tmp_path / "shop")
    code, _, err = run(repo, "dashboard", "--output", ".git/site")
    assert code == 2 and "Traceback" not in err
    assert not (repo / ".git" / "site").exists()


def test_a_folder_that_is_not_a_dashboard_needs_force(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, _ = run(SHOP, "dashboard", "--output", str(target))
    assert code == 2 and (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    code, _, _ = run(SHOP, "dashboard", "--output", str(target), "--force")
    assert code == 0 and not (target / "notes.txt").exists() and (target / "index.html").is_file()


def test_a_previous_dashboard_is_replaced(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "site"
    assert run(SHOP, "dashboard", "--output", str(target))[0] == 0
    (target / "stale.html").write_text("old", encoding="utf-8")
    assert run(SHOP, "dashboard", "--output", str(target))[0] == 0
    assert not (target / "stale.html").exists() and (target / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # nothing left beside it


def test_a_failed_build_leaves_no_half_site(tmp_path: Path, run: Run,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from tracecard.dashboard import render

    target = tmp_path / "site"
    assert run(SHOP, "dashboard", "--output", str(target))[0] == 0
    before = sorted(p.relative_to(target) for p in target.rglob("*"))

    def broken(self: render.Pages, dest: Path) -> int:
        (dest / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(render.Pages, "write", broken)
    code, _, err = run(SHOP, "dashboard", "--output", str(target))
    assert code == 2 and "disk on fire" in err
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before
    assert (target / "index.html").read_text(encoding="utf-8") != "half"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_parent_that_is_a_file_is_a_usage_error(tmp_path: Path, run: Run) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, err = run(SHOP, "dashboard", "--output", str(tmp_path / "file" / "site"))
    assert code == 2 and "Traceback" not in err and "internal error" not in err


def test_without_the_extra_it_says_what_to_install(run: Run, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "jinja2", None)
    code, _, err = run(SHOP, "dashboard", "--output", str(tmp_path / "site"))
    assert code == 2 and "pip install 'tracecard[dashboard]'" in err
    assert not (tmp_path / "site").exists()


def test_the_core_cli_does_not_import_the_dashboard_libraries() -> None:
    code = ("import sys, tracecard.cli; "
            "print(' '.join(m for m in ('jinja2', 'markdown_it', 'tracecard.dashboard.build') "
            "if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_help_explains_the_command(run: Run) -> None:
    code, out, _ = run(SHOP, "dashboard", "--help")
    assert code == 0 and "--output" in out and "--force" in out



def test_uncommitted_results_are_the_last_point(tmp_path: Path, run: Run) -> None:
    repo = make_shop_history(tmp_path / "shop")
    card = repo / FRAUD
    card.write_text(card.read_text(encoding="utf-8").replace("    value: 0.935\n", "    value: 0.94\n", 1),
                    encoding="utf-8")  # fmt: skip
    assert run(repo, "dashboard", "-o", str(tmp_path / "site"))[0] == 0
    rows = table_rows(tmp_path / "site/records/MC-fraud-detector.html", "trend-table")
    column = rows[0].index("precision")
    assert [(r[0], r[column]) for r in rows[1:-2]] == [
        ("3.0.0", "0.912"), ("3.1.0", "0.927"), ("3.2.0", "0.935"), ("3.2.0 (uncommitted)", "0.94")]
    gate = table_rows(tmp_path / "site/records/MC-fraud-detector.html", "gate")
    assert gate[1][4].startswith("0.94 ")  # the gate judges the work tree, as card check does


@pytest.mark.parametrize("where", [".", "..", "docs"])
def test_the_repository_is_never_replaced(tmp_path: Path, run: Run, where: str) -> None:
    import shutil

    repo = tmp_path / "shop"
    shutil.copytree(SHOP, repo)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    cwd = repo / "docs" if where == ".." else repo
    code, _, err = run(cwd, "dashboard", "--output", where, "--force")
    assert code == 2 and "Traceback" not in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


ODD = {
    "docs/requirements/0001-odd.md": "---\nid: REQ-0001\ntitle: Odd\nstatus: agreed\ncriteria: many\n"
                                     "constraints: [1, 2]\n---\n# Odd\n",
    "docs/requirements/0002-fine.md": "---\nid: REQ-0002\ntitle: Fine\nstatus: agreed\ncriteria:\n"
                                      "  - {metric: recall, dataset: DS-x, split: test, launch: 0.5}\n"
                                      "  - just words\n---\n# Fine\n",
    "docs/model-cards/a.md": "---\nid: MC-a\ntitle: A\nstatus: candidate\nversion: {major: 1}\n"
                             "satisfies: [REQ-0001, REQ-0002, 7]\nresults:\n"
                             "  - {metric: recall, dataset: DS-x, split: test, value: '0.7'}\n"
                             "  - not a mapping\n  - {metric: 5, value: [1]}\n"
                             "failure_modes: oops\noperational: [1]\n---\n# A\n",
    "docs/model-cards/b.md": "---\nid: MC-b\ntitle: B\nstatus: production\nresults: 3\n"
                             "failure_modes:\n  - {severity: [high], type: 3}\n  - words\n---\n# B\n",
    "docs/datasets/x.md": "---\nid: DS-x\ntitle: X\nstatus: labeling\nlabeling: soon\n"
                          "composition: {product_defined_share: lots, production_sample_date: 2026-13-40}\n---\n# X\n",
    "docs/model-reviews/0001-r.md": "---\nid: MR-0001\ntitle: R\nstatus: held\ncard: [MC-a]\n"
                                    "examples: {a: 1}\nactions: [1, {kind: 2}]\ndate: never\n---\n# R\n",
    "docs/decisions/0001-d.md": "---\nid: ADR-0001\ntitle: D\nstatus: accepted\ndate: [1]\n"
                                "supersedes: 5\n---\n# D\n\n[x](<../model-cards/a.md>) ![y](z.png)\n",
    "docs/decisions/0002-broken.md": "---\nid: ADR-0002\ntitle: [unclosed\n---\n# Broken\n",
}


def test_odd_records_never_break_the_build(make_repo: Callable[..., Path], tmp_path: Path,
                                           run: Run) -> None:  # fmt: skip
    repo = make_repo(ODD)
    assert run(repo, "check")[0] == 1  # findings, not an internal error (a severity list was one)
    code, _, err = run(repo, "dashboard", "-o", str(tmp_path / "site"))
    assert code == 0, err
    pages = sorted(p.name for p in (tmp_path / "site" / "records").glob("*.html"))
    assert {"MC-a.html", "MC-b.html", "DS-x.html", "MR-0001.html", "ADR-0001.html"} <= set(pages)
    gate = table_rows(tmp_path / "site/records/MC-a.html", "gate")
    assert [r[-1] for r in gate[1:]] == [r["verdict"] for r in card_check_json(repo)["MC-a"]]


def test_at_a_glance_names_production_candidates_and_worst_failures(
    history_site: tuple[Path, Path],
) -> None:
    _, site = history_site
    rows = {r[0]: r for r in table_rows(site / "index.html", "glance")[1:]}
    fraud = rows["Stop fraudulent orders without turning away good customers"]
    assert fraud[1] == "Checkout fraud detector 3.2.0 gate: PASS" and fraud[2] == "none"
    assert fraud[3].startswith("MC-fraud-detector: critical account_takeover, high")
    recs = rows["Recommendations customers want, fast enough for the page"]
    assert recs[1] == "none" and recs[2] == "Recommendation ranker 1.4.0 gate: PASS"
    assert recs[3].startswith("MC-recs-ranker: critical sensitive_category")


def test_a_bar_that_moved_is_drawn_as_it_was_for_each_version(tmp_path: Path) -> None:
    """Each version is drawn against the bar of its day: a launch bar raised after 3.2.0 is
    a step in the chart, and its description says when it moved."""
    from shop_history import _Git

    repo = make_shop_history(tmp_path / "shop")
    req = repo / "docs/requirements/0002-fraud-precision.md"
    text = req.read_text(encoding="utf-8")
    recall = "  - metric: recall\n    dataset: DS-fraud-holdout\n    split: holdout\n    launch: 0.60\n"
    assert recall in text
    req.write_text(text.replace(recall, recall.replace("0.60", "0.62")), encoding="utf-8")
    git = _Git(repo)
    git.commit("Raise the recall bar", "2026-06-08", "Daniel Okafor")
    card = repo / FRAUD
    card.write_text(card.read_text(encoding="utf-8").replace("version: 3.2.0", "version: 3.3.0")
                    .replace("    value: 0.66\n", "    value: 0.67\n", 1), encoding="utf-8")  # fmt: skip
    git.commit("Fraud detector 3.3.0", "2026-06-10", "Priya Nair")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "tracecard", "dashboard", "--output", str(site)],
                   cwd=repo, check=True, capture_output=True)  # fmt: skip
    page = (site / "records" / "MC-fraud-detector.html").read_text(encoding="utf-8")
    chart = next(c for c in re.findall(r"<svg.*?</svg>", page, re.S)
                 if "recall on DS-fraud-holdout/holdout," in c and "high_value" not in c)  # fmt: skip
    assert 'class="bar-launch moved"' in chart
    assert "The launch bar moved: 0.6 to 0.62 at 3.3.0." in chart
    steps = re.search(r'class="bar-launch moved" points="([^"]+)"', chart)
    assert steps is not None
    heights = {p.split(",")[1] for p in steps.group(1).split()}
    assert len(heights) == 2  # two levels: 0.60 for 3.0.0-3.2.0, 0.62 for 3.3.0
