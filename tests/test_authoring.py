"""`tracecard init` and the `new` commands, run in-process on real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import TODAY

from tracecard.cli import main
from tracecard.edit.new import slugify


class Run(NamedTuple):
    code: int
    out: str
    err: str


Tc = Callable[..., Run]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Pinned git identity and dates; a home folder that must stay unwritten; no editor."""
    home = tmp_path / "home-must-not-be-written"
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # durability is not under test; speed is
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Ada Lovelace")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "ada@example.com")
        monkeypatch.setenv(f"GIT_{who}_DATE", "2026-01-05T10:00:00+0000")
    for var in ("VISUAL", "EDITOR"):
        monkeypatch.delenv(var, raising=False)
    yield tmp_path
    assert not home.exists(), "something wrote to the home folder"


@pytest.fixture
def repo(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git repository with a user name, as the working folder."""
    root = env / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Ada Lovelace")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def tc(capsys: pytest.CaptureFixture[str]) -> Tc:
    """`tc("adr", "new", "Title")` runs tracecard in-process and returns code, stdout, stderr."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def assert_checks(tc: Tc) -> list[dict[str, object]]:
    """`tracecard check` finds no error; returns its warnings."""
    res = tc("check", "--format", "json")
    report = json.loads(res.out)
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert res.code == 0 and not errors, errors
    return report["diagnostics"]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


# -- init -----------------------------------------------------------------------------------


def test_init_twice(repo: Path, tc: Tc) -> None:
    first = tc("init")
    assert first.code == 0
    assert first.out.splitlines()[0] == "created tracecard.toml"
    files = snapshot(repo)
    assert set(files) == {
        "tracecard.toml",
        *(f"docs/{f}/README.md" for f in ("decisions", "requirements", "model-cards", "datasets", "model-reviews")),
        *(f".tracecard/templates/{n}" for n in ("decision.md", "requirement.md", "model_card.md", "dataset.md", "model_review.md")),
    }
    assert b'templates = ".tracecard/templates"' in files["tracecard.toml"]
    again = tc("init")
    assert again.code == 0 and "nothing changed" in again.out
    assert snapshot(repo) == files
    assert assert_checks(tc) == []


def test_init_into_a_directory_argument(env: Path, tc: Tc, monkeypatch: pytest.MonkeyPatch) -> None:
    target = env / "elsewhere"
    target.mkdir()
    monkeypatch.chdir(env)
    assert tc("init", str(target)).code == 0
    assert (target / "docs/decisions").is_dir() and (target / "tracecard.toml").is_file()


def test_init_keeps_an_existing_configuration(repo: Path, tc: Tc) -> None:
    pyproject = '[project]\nname = "x"\n\n[tool.tracecard.folders]\ndecision = "doc/adr"\n'
    (repo / "pyproject.toml").write_text(pyproject)
    assert tc("init").code == 0
    assert not (repo / "tracecard.toml").exists()
    assert (repo / "pyproject.toml").read_text() == pyproject
    assert (repo / "doc/adr/README.md").is_file() and not (repo / "docs/decisions").exists()
    assert (repo / ".tracecard/templates/decision.md").is_file()
    assert tc("adr", "new", "First").out.strip() == "doc/adr/0001-first.md"


def test_init_finds_the_adr_tools_folder(repo: Path, tc: Tc) -> None:
    (repo / "architecture/decisions").mkdir(parents=True)
    (repo / ".adr-dir").write_text("architecture/decisions\n")
    assert tc("init").code == 0
    assert 'decision = "architecture/decisions"' in (repo / "tracecard.toml").read_text()
    assert not (repo / "architecture/decisions/README.md").exists()  # its folder: left alone


def test_init_keeps_a_template_the_team_edited(repo: Path, tc: Tc) -> None:
    own = repo / ".tracecard/templates/decision.md"
    own.parent.mkdir(parents=True)
    own.write_text("---\nstatus: proposed\n---\n# {{title}}\n\n## Context\n\nOurs.\n\n## Decision\n\nOurs.\n")
    tc("init")
    assert own.read_text().endswith("Ours.\n")


def test_init_into_a_missing_folder(env: Path, tc: Tc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(env)
    res = tc("init", "no-such-folder")
    assert res.code == 2 and res.err.count("\n") == 1
    assert not (env / "no-such-folder").exists()


# -- adr new --------------------------------------------------------------------------------


def test_three_adr_new(repo: Path, tc: Tc) -> None:
    tc("init")
    titles = ["Record architecture decisions", "Use two-tower retrieval", "Something About Node.JS"]
    paths = []
    for title in titles:
        res = tc("adr", "new", title)
        assert res.code == 0 and res.err == ""
        paths.append(res.out.strip())
        assert_checks(tc)
    assert paths == [
        "docs/decisions/0001-record-architecture-decisions.md",
        "docs/decisions/0002-use-two-tower-retrieval.md",
        "docs/decisions/0003-something-about-node-js.md",
    ]
    head = (repo / paths[1]).read_text().split("---\n")[1]
    assert head.startswith(
        f"id: ADR-0002\ntitle: Use two-tower retrieval\nstatus: proposed\ndate: {TODAY}\n"
    )
    assert "owners: [Ada Lovelace]\n" in head
    body = (repo / paths[1]).read_text().split("---\n", 2)[2]
    assert body.startswith("# Use two-tower retrieval\n")
    for section in ("## Context", "## Decision", "## Consequences"):
        assert f"\n{section}\n" in body


def test_title_that_needs_quoting(repo: Path, tc: Tc) -> None:
    tc("init")
    res = tc("adr", "new", 'Block orders: "score >= 0.82" #fraud')
    assert res.out.strip() == "docs/decisions/0001-block-orders-score-0-82-fraud.md"
    text = (repo / res.out.strip()).read_text()
    assert "title: 'Block orders: \"score >= 0.82\" #fraud'\n" in text
    assert '\n# Block orders: "score >= 0.82" #fraud\n' in text
    assert_checks(tc)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Something About Node.JS", "something-about-node-js"),
        ("  Use   two-tower  retrieval!! ", "use-two-tower-retrieval"),
        ("Café au lait für Ärzte", "cafe-au-lait-fur-arzte"),
        ("precision@10 >= 0.7", "precision-10-0-7"),
        ("!!!", ""),
        ("推荐系统", ""),
    ],
)
def test_slug_follows_adr_tools(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize("title", ["!!!", "   ", "推荐"])
def test_title_that_slugs_to_nothing(repo: Path, tc: Tc, title: str) -> None:
    tc("init")
    before = snapshot(repo)
    res = tc("adr", "new", title)
    assert res.code == 2 and res.out == "" and res.err.count("\n") == 1
    assert snapshot(repo) == before


def test_missing_folder(repo: Path, tc: Tc) -> None:
    (repo / "tracecard.toml").write_text("")
    res = tc("adr", "new", "Anything")
    assert res.code == 2 and "docs/decisions" in res.err and res.err.count("\n") == 1
    assert snapshot(repo) == {"tracecard.toml": b""}


def test_adr_new_outside_git(env: Path, tc: Tc, monkeypatch: pytest.MonkeyPatch) -> None:
    root = env / "plain"
    root.mkdir()
    monkeypatch.chdir(root)
    tc("init")
    assert tc("adr", "new", "No git").out.strip() == "docs/decisions/0001-no-git.md"
    assert tc("adr", "new", "Still none").out.strip() == "docs/decisions/0002-still-none.md"
    assert "owners: []" in (root / "docs/decisions/0001-no-git.md").read_text()
    assert_checks(tc)


def test_adr_new_continues_an_adr_tools_log(repo: Path, tc: Tc) -> None:
    """Numbers from files without front matter count; 3-digit and `_` names too."""
    (repo / "doc/adr").mkdir(parents=True)
    (repo / "doc/adr/0001-record-architecture-decisions.md").write_text("# 1. Record\n\nDate: 2020-01-01\n")
    (repo / "doc/adr/009_use_kafka.md").write_text("# 9. Use Kafka\n")
    (repo / ".adr-dir").write_text("doc/adr")
    tc("init")
    assert tc("adr", "new", "Next").out.strip() == "doc/adr/0010-next.md"


def test_template_override(repo: Path, tc: Tc) -> None:
    tc("init")
    own = repo / ".tracecard/templates/decision.md"
    own.write_text(own.read_text().replace("## Consequences", "## Alternatives rejected\n\nNone yet.\n\n## Consequences"))
    res = tc("adr", "new", "Own template")
    assert "## Alternatives rejected" in (repo / res.out.strip()).read_text()
    assert_checks(tc)


def test_template_folder_named_in_config_must_exist(repo: Path, tc: Tc) -> None:
    tc("init")
    (repo / "tracecard.toml").write_text('templates = "nowhere"\n')
    res = tc("adr", "new", "X")
    assert res.code == 2 and "nowhere" in res.err
    assert not (repo / "docs/decisions/0001-x.md").exists()


def test_template_that_would_fail_the_check_is_refused(repo: Path, tc: Tc) -> None:
    tc("init")
    (repo / ".tracecard/templates/decision.md").write_text("---\nstatus: proposed\n---\n# {{title}}\n")
    res = tc("adr", "new", "Thin")
    assert res.code == 2 and "BDY001" in res.err
    assert not (repo / "docs/decisions/0001-thin.md").exists()


def test_edit_opens_the_editor(repo: Path, tc: Tc, monkeypatch: pytest.MonkeyPatch) -> None:
    tc("init")
    log = repo.parent / "editor.log"
    script = repo.parent / "editor.py"
    script.write_text(f"import sys\nopen({str(log)!r}, 'a').write(sys.argv[1])\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    res = tc("adr", "new", "Edit me", "--edit")
    assert res.code == 0
    assert log.read_text().endswith(os.path.join("docs", "decisions", "0001-edit-me.md"))


def test_edit_without_an_editor_still_creates(repo: Path, tc: Tc) -> None:
    tc("init")
    res = tc("adr", "new", "No editor", "--edit")
    assert res.code == 0 and "EDITOR" in res.err
    assert (repo / "docs/decisions/0001-no-editor.md").is_file()


# -- other kinds ----------------------------------------------------------------------------


def test_req_card_dataset_new(repo: Path, tc: Tc) -> None:
    tc("init")
    assert tc("req", "new", "Relevant recommendations").out.strip() == (
        "docs/requirements/0001-relevant-recommendations.md"
    )
    assert tc("req", "new", "Stop fraud").out.strip() == "docs/requirements/0002-stop-fraud.md"
    assert tc("card", "new", "Fraud Detector v2").out.strip() == "docs/model-cards/fraud-detector-v2.md"
    assert tc("dataset", "new", "Fraud holdout", "--slug", "fraud-holdout-2026").out.strip() == (
        "docs/datasets/fraud-holdout-2026.md"
    )
    card = (repo / "docs/model-cards/fraud-detector-v2.md").read_text()
    assert "id: MC-fraud-detector-v2\n" in card and "status: draft\n" in card
    assert "\n## Intended Use\n" in card and "\n## Evaluation Data\n" in card
    ds = (repo / "docs/datasets/fraud-holdout-2026.md").read_text()
    assert "id: DS-fraud-holdout-2026\n" in ds and "status: planned\n" in ds
    req = (repo / "docs/requirements/0002-stop-fraud.md").read_text()
    assert "id: REQ-0002\n" in req and "status: draft\n" in req and "date:" not in req.split("---")[1]
    warnings = assert_checks(tc)
    assert {d["code"] for d in warnings} <= {"BDY003"}


def test_slugged_id_taken(repo: Path, tc: Tc) -> None:
    tc("init")
    tc("card", "new", "Fraud detector")
    before = snapshot(repo)
    res = tc("card", "new", "Fraud  Detector")
    assert res.code == 2 and "MC-fraud-detector" in res.err
    assert snapshot(repo) == before


def test_new_with_link(repo: Path, tc: Tc) -> None:
    tc("init")
    tc("req", "new", "Relevant recommendations")
    res = tc("adr", "new", "Two-stage ranking", "--link", "relates-to:REQ-0001", "--link", "depends-on:REQ-1")
    assert res.code == 0
    adr = (repo / "docs/decisions/0001-two-stage-ranking.md").read_text()
    assert "links: [{rel: relates-to, id: REQ-0001}, {rel: depends-on, id: REQ-0001}]\n" in adr
    req = (repo / "docs/requirements/0001-relevant-recommendations.md").read_text()
    assert "links: [{rel: relates-to, id: ADR-0001}, {rel: required-by, id: ADR-0001}]\n" in req
    assert_checks(tc)


@pytest.mark.parametrize(
    "argv",
    [
        ["adr", "new", "X", "--link", "relates-to:ADR-0042"],  # unknown ID
        ["adr", "new", "X", "--link", "frobnicates:REQ-0001"],  # unknown relation
        ["adr", "new", "X", "--link", "REQ-0001"],  # no relation
        ["adr", "new", "X", "--supersedes", "REQ-0001"],  # wrong kind
        ["adr", "new", "X", "--supersedes", "ADR-0009"],  # unknown ID
    ],
)
def test_new_refuses_bad_references(repo: Path, tc: Tc, argv: list[str]) -> None:
    tc("init")
    tc("req", "new", "Relevant recommendations")
    before = snapshot(repo)
    res = tc(*argv)
    assert res.code == 2 and res.err.startswith("tracecard: error: ") and res.err.count("\n") == 1
    assert snapshot(repo) == before


# -- list -----------------------------------------------------------------------------------


def test_list(repo: Path, tc: Tc) -> None:
    tc("init")
    for title in ("One", "Two", "Three"):
        tc("adr", "new", title)
    tc("adr", "accept", "ADR-0002")
    text = tc("adr", "list").out.splitlines()
    assert text[0].split() == ["ID", "STATUS", "DATE", "TITLE"]
    assert [line.split()[:2] for line in text[1:]] == [
        ["ADR-0001", "proposed"], ["ADR-0002", "accepted"], ["ADR-0003", "proposed"],
    ]  # fmt: skip
    rows = json.loads(tc("adr", "list", "--status", "proposed", "--format", "json").out)
    assert [r["id"] for r in rows] == ["ADR-0001", "ADR-0003"]
    assert rows[0] == {
        "id": "ADR-0001", "status": "proposed", "title": "One", "date": TODAY,
        "path": "docs/decisions/0001-one.md",
    }  # fmt: skip
    assert tc("adr", "list", "--status", "acepted").code == 2
    assert tc("card", "list").out == "no model card records\n"
    tc("dataset", "new", "Holdout")
    assert json.loads(tc("dataset", "list", "--format", "json").out)[0]["id"] == "DS-holdout"


def test_every_authoring_command_has_help(tc: Tc) -> None:
    for argv in (
        ["init"], ["adr", "new"], ["adr", "supersede"], ["adr", "link"], ["adr", "accept"],
        ["adr", "reject"], ["adr", "deprecate"], ["adr", "list"], ["req", "new"], ["req", "agree"],
        ["req", "reopen"], ["req", "retire"], ["req", "list"], ["card", "new"], ["card", "promote"],
        ["card", "list"], ["dataset", "new"], ["dataset", "promote"], ["dataset", "list"],
    ):  # fmt: skip
        res = tc(*argv, "--help")
        assert res.code == 0 and "Usage: tracecard" in res.out, argv
