"""Statuses a team already uses (`[statuses]`), and lifecycle commands on several IDs at once:
what an adoption needs after `tracecard import`."""

from __future__ import annotations

from pathlib import Path

import pytest
from importkit import FIXTURES, Run, front, in_tmp, run_fixture  # noqa: F401 (the run fixture)

from tracecard.importers import adr_tools, madr
from tracecard.importers.header import heading_title, map_status, relation, reverse, split_links
from tracecard.load.parse import parse_text

BODY = "# T\n\n## Context\n\nc\n\n## Decision\n\nd\n"



@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    in_tmp(tmp_path, monkeypatch)
    (tmp_path / "tracecard.toml").write_text(
        '[statuses.decision]\n"on hold" = "proposed"\n"pending" = "proposed"\n', encoding="utf-8"
    )
    folder = tmp_path / "docs/decisions"
    folder.mkdir(parents=True)
    for n, status in ((1, "on hold"), (2, "Pending"), (3, "proposed"), (4, "rejected")):
        (folder / f"000{n}-d.md").write_text(f"---\nstatus: {status}\n---\n{BODY}", encoding="utf-8")
    return tmp_path


def status(root: Path, n: int) -> object:
    data = parse_text((root / f"docs/decisions/000{n}-d.md").read_text(encoding="utf-8")).data
    assert data is not None
    return data.get("status")


def test_team_words_check_clean(repo: Path, run: Run) -> None:
    code, out = run("check")
    assert code == 0, out


def test_accept_several_at_once(repo: Path, run: Run) -> None:
    code, out = run("adr", "accept", "1", "ADR-0002", "3", "1")
    assert code == 0, out
    assert [status(repo, n) for n in (1, 2, 3)] == ["accepted"] * 3
    assert out.count("-> accepted") == 3


def test_one_refused_changes_none(repo: Path, run: Run) -> None:
    before = {p: p.read_bytes() for p in (repo / "docs/decisions").iterdir()}
    code, _ = run("adr", "accept", "1", "2", "4")  # ADR-0004 is rejected: final
    assert code == 2
    assert {p: p.read_bytes() for p in (repo / "docs/decisions").iterdir()} == before
    assert run("adr", "accept", "1", "99")[0] == 2
    assert status(repo, 1) == "on hold"


def test_ids_are_required(repo: Path, run: Run) -> None:
    assert run("adr", "reject")[0] == 2


@pytest.mark.parametrize(("text", "state"), [
    ("Accepted", "accepted"), ("on hold", "proposed"), ("Draft", "proposed"),
    ("Accepted (lazy consensus) & implemented", "accepted"), ("Superceded", "superseded"),
    ("Deprecated.", "deprecated"), ("Declined", "rejected"), ("whatever this is", None), ("", None),
    ("2019-01-04 proposed\n2019-02-01 accepted", "accepted"),
])  # fmt: skip
def test_status_words(text: str, state: str | None) -> None:
    assert map_status(text) == state


def test_configured_word_first() -> None:
    assert map_status("parked", {"parked": "rejected"}) == "rejected"


@pytest.mark.parametrize(("verb", "rel", "back"), [
    ("Supercedes", "supersedes", None), ("Superceded by", "superseded-by", None),
    ("Superseded by", "superseded-by", None), ("Amends", "amends", "amended-by"),
    ("Amended by", "amended-by", "amends"), ("Reverted by", "reverted-by", "reverts"),
    ("Clarified by", "clarified-by", "clarifies"), ("Relates to", "relates-to", "relates-to"),
    ("Overrides", "overrides", "overrided-by"),
])  # fmt: skip
def test_link_verbs(verb: str, rel: str, back: str | None) -> None:
    assert relation(verb) == rel
    if back is not None:
        assert reverse(rel) == back


@pytest.mark.parametrize(("line", "title"), [
    ("# 2. Second Record", "Second Record"), ("#46. Title", "Title"),
    ("# ADR-0007: Use X", "Use X"), ("# 0012 - Twelve", "Twelve"), ("# Plain title", "Plain title"),
    ("## Not a title", None), ("text", None), ("# Use Python 3 for scripts", "Use Python 3 for scripts"),
    ("# 2021 plan", "2021 plan"), ("# x" + " " * 50_000 + "y", "x" + " " * 50_000 + "y"),
])  # fmt: skip
def test_titles(line: str, title: str | None) -> None:
    assert heading_title(line) == title


@pytest.mark.parametrize(("text", "rest", "links"), [
    ("Superceded by [3. X](0003-x.md)", "", [("superseded-by", "0003-x.md")]),
    ("accepted; supersedes ADR-0045", "accepted", [("supersedes", "ADR-0045")]),
    ("Status is superseded by ADR-5", "", [("superseded-by", "ADR-5")]),
    ("Accepted, see [the RFC](https://example.org/rfc)", "Accepted, see [the RFC](https://example.org/rfc)", []),
    ("Accepted ADR-0003", "Accepted ADR-0003", []),
])  # fmt: skip
def test_link_phrases(text: str, rest: str, links: list[tuple[str, str]]) -> None:
    got_rest, got = split_links(text, 1)
    assert (got_rest, [(ln.rel, ln.target) for ln in got]) == (rest, links)


def test_status_heading_with_its_value() -> None:
    lines = ["# 7. Seven", "", "## Status: Accepted", "", "Replaced by [8. Y](0008-y.md)", "",
             "## Context", "", "c"]  # fmt: skip
    h = adr_tools.parse(lines)
    assert (h.title, h.status, [ln.rel for ln in h.links]) == ("Seven", "Accepted", ["superseded-by"])
    assert h.cut == {2, 3, 4, 5}


def test_status_in_a_code_block_is_not_the_header() -> None:
    h = adr_tools.parse(["# 4. Fence", "", "```", "## Status", "", "Accepted", "```"])
    assert h.status is None and not h.cut


def test_import_keeps_a_configured_word(repo: Path, run: Run) -> None:
    folder = repo / "docs/decisions"
    (folder / "0005-bullets.md").write_text("# Bullets\n\n* Status: on hold\n\n" + BODY[4:], encoding="utf-8")
    before = (folder / "0001-d.md").read_bytes()
    code, _ = run("import", "madr", "docs/decisions")
    assert code == 0
    assert (folder / "0001-d.md").read_bytes() == before  # `status: on hold` is the team's word
    data = parse_text((folder / "0005-bullets.md").read_text(encoding="utf-8")).data
    assert data is not None and data["status"] == "on hold" and "status_text" not in data
    assert run("check")[0] == 0


def test_long_lines_take_no_time() -> None:
    """No pattern here scans a long line from every position (a hostile file must not hang)."""
    import time

    pad = " " * 100_000
    lines = ["# 1. T" + pad + "x", "", "Date: x" + pad + "y", "## Status" + pad + "x", "## Status:" + pad + "x",
             "* Status: a" + pad + "b", "Amended by" + pad + "[1. T](0001-t.md)", "a" * 100_000, "## Links" + pad]  # fmt: skip
    start = time.monotonic()
    adr_tools.parse(lines)
    madr.parse(lines)
    split_links("[a](b) " * 700, 1)
    split_links("x ADR-1 " * 600, 1)
    assert time.monotonic() - start < 2


def test_status_section_as_a_list() -> None:
    h = adr_tools.parse(["# 3. T", "", "## Status", "", "- Accepted", "* Supersedes [1. A](0001-a.md)", "",
                         "## Context"])  # fmt: skip
    assert (h.status, [(ln.rel, ln.target) for ln in h.links]) == ("Accepted", [("supersedes", "0001-a.md")])
