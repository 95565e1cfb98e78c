"""Attacks on the writing commands: parallel writers, interrupted writers, writes that would
leave the repository. Each runs real `tracecard` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_repo

DECISION = """---
id: ADR-0001
title: Keep records
status: proposed
date: 2026-01-05
---
# Keep records

## Context

Why.

## Decision

What.
"""


def tracecard(cwd: Path, *args: str, env: dict[str, str] | None = None,
              ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run([sys.executable, "-m", "tracecard", *args], cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=120)


def spawn(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tracecard", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts and ".tracecard" not in p.parts}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_repo(tmp_path / "repo", {"docs/decisions/0001-keep-records.md": DECISION})
    for folder in ("requirements", "model-cards", "datasets"):
        (root / "docs" / folder).mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def test_parallel_new_records_never_share_an_id(repo: Path) -> None:
    procs = [spawn(repo, "adr", "new", "Same title") for _ in range(8)]
    procs += [spawn(repo, "card", "new", "Shared", "--slug", "shared") for _ in range(3)]
    results = [(p.wait(timeout=120), p.stdout.read() if p.stdout else "") for p in procs]
    adr = [r for r in results[:8]]
    assert all(code == 0 for code, _ in adr), results
    made = sorted((repo / "docs/decisions").glob("0*.md"))
    ids = [line for p in made for line in p.read_text().splitlines() if line.startswith("id:")]
    assert len(made) == 9 and len(set(ids)) == 9  # ADR-0001 and eight new ones
    cards = [code for code, _ in results[8:]]
    assert sorted(cards) == [0, 2, 2]  # one card made, the others refused: none lost
    assert len(list((repo / "docs/model-cards").glob("*.md"))) == 1
    assert not list(repo.rglob("*.tmp"))


def test_parallel_status_changes_lose_no_update(repo: Path) -> None:
    procs = [spawn(repo, "adr", verb, "ADR-0001") for verb in ("accept", "reject") * 4]
    codes = [p.wait(timeout=120) for p in procs]
    status = [ln for ln in (repo / "docs/decisions/0001-keep-records.md").read_text().splitlines()
              if ln.startswith("status:")]
    # one transition happened; every later command saw it: the same verb has nothing to do
    # (exit 0), the other is refused by the lifecycle (exit 2)
    assert status in (["status: accepted"], ["status: rejected"])
    won = "accept" if status == ["status: accepted"] else "reject"
    verbs = ("accept", "reject") * 4
    assert [c for v, c in zip(verbs, codes) if v == won] == [0] * 4, codes
    assert [c for v, c in zip(verbs, codes) if v != won] == [2] * 4, codes


@pytest.mark.parametrize("point", ["journal:KILL", "temps:KILL", "moved:1:KILL", "moved:2:KILL"])
def test_killed_writer_is_undone_by_the_next_command(repo: Path, point: str) -> None:
    assert tracecard(repo, "adr", "accept", "ADR-0001").returncode == 0
    before = files(repo)
    done = tracecard(repo, "adr", "new", "Rank in two stages", "--supersedes", "ADR-0001",
                     env={"TRACECARD_FAILPOINT": point})
    assert done.returncode == -signal.SIGKILL
    after = tracecard(repo, "check")
    assert "Traceback" not in after.stderr
    assert files(repo) == before
    assert not list(repo.rglob("*.tmp"))
    assert "interrupted write was undone" in after.stderr or point.startswith("journal")


@pytest.mark.parametrize("sig", ["INT", "TERM"])
def test_interrupted_writer_leaves_the_files_as_they_were(repo: Path, sig: str) -> None:
    assert tracecard(repo, "adr", "accept", "ADR-0001").returncode == 0
    before = files(repo)
    done = tracecard(repo, "adr", "new", "Rank in two stages", "--supersedes", "ADR-0001",
                     env={"TRACECARD_FAILPOINT": f"moved:1:{sig}"})
    assert done.returncode == (130 if sig == "INT" else 143), done.stderr
    assert "Traceback" not in done.stderr
    assert files(repo) == before
    assert not list(repo.rglob("*.tmp"))
    assert not (repo / ".git/tracecard/journal.json").exists()


def test_a_record_linked_from_outside_is_never_written(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(DECISION.replace("ADR-0001", "ADR-0002"))
    (repo / "docs/decisions/0002-linked.md").symlink_to(outside)
    before = outside.read_bytes()
    done = tracecard(repo, "adr", "accept", "ADR-0002")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert outside.read_bytes() == before


def test_init_does_not_write_through_a_linked_folder(tmp_path: Path) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / ".tracecard").symlink_to(outside)
    done = tracecard(root, "init")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("config", [
    "exclude = [1, 2]\n",
    "max_file_size = 100000000000\n",
    'templates = "../../elsewhere"\n',
    "[schemas]\ndecision = \"s.json\"\n",
    "[statuses.decision]\n\"on hold\" = \"frozen\"\n",
    "[schemas]\ndecision = \"loop.json\"\n",
    "[schemas]\ndecision = \"redos.json\"\n",
    "[folders]\ndecision = \"docs/requirements\"\n",
    "[folders]\nrequirement = \"docs/decisions/req\"\n",
    "[folders]\nrequirement = \".\"\n",
    "x = " + "[" * 5000 + "]" * 5000 + "\n",
])
def test_bad_configuration_is_one_clear_line(repo: Path, config: str) -> None:
    (repo / "s.json").write_text('{"properties": {"x": {"$ref": "#/$defs/missing"}}}')
    (repo / "loop.json").write_text('{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}')
    (repo / "redos.json").write_text('{"properties": {"title": {"pattern": "^(a+)+$"}}}')
    (repo / "tracecard.toml").write_text(config)
    done = tracecard(repo, "check")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("tracecard: error:")]
    assert len(errors) == 1 and len(errors[0]) < 400, done.stderr


def test_hostile_titles_make_safe_files(repo: Path) -> None:
    long = tracecard(repo, "adr", "new", "word " * 2000)
    assert long.returncode == 0, long.stderr
    assert len(Path(long.stdout.strip()).name) < 80
    dated = tracecard(repo, "adr", "new", "2026-01-01")
    assert dated.returncode == 0
    assert "title: '2026-01-01'\n" in (repo / dated.stdout.strip()).read_text()


def test_deep_front_matter_is_refused_alike_by_check_and_editors(repo: Path) -> None:
    deep = "[" * 300 + "]" * 300
    (repo / "docs/decisions/0001-keep-records.md").write_text(
        DECISION.replace("date: 2026-01-05\n", f"date: 2026-01-05\nx: {deep}\n"))
    checked = tracecard(repo, "check", "--format", "json")
    assert "PAR009" in checked.stdout and "Traceback" not in checked.stderr
    accepted = tracecard(repo, "adr", "accept", "ADR-0001")
    assert accepted.returncode == 2 and "Traceback" not in accepted.stderr


def test_a_record_with_a_long_file_name_can_be_edited(repo: Path) -> None:
    name = "0002-" + "a" * 240 + ".md"
    (repo / "docs/decisions" / name).write_text(DECISION.replace("ADR-0001", "ADR-0002"))
    done = tracecard(repo, "adr", "accept", "ADR-0002")
    assert done.returncode == 0, done.stderr
    assert "status: accepted" in (repo / "docs/decisions" / name).read_text()


@pytest.mark.parametrize("journal", [
    {"version": 1, "files": [{"path": "/tmp/x/planted.sh", "temp": "/tmp/x/.tracecard-0000000000000000.tmp",
                              "after": "x", "before": "ZWNobyBvd25lZAo="}]},
    {"version": 1, "files": [{"path": "../outside.md", "temp": "../.tracecard-0000000000000000.tmp",
                              "after": "x", "before": None}]},
    {"version": 1, "files": [{"path": 1}]},
    {"files": "abc"},
    "not json",
])
def test_a_hostile_journal_is_set_aside_not_followed(repo: Path, tmp_path: Path,
                                                     journal: object) -> None:  # fmt: skip
    victim = tmp_path / "outside.md"
    victim.write_text("keep")
    state = repo / ".git" / "tracecard"
    state.mkdir(parents=True, exist_ok=True)
    text = journal if isinstance(journal, str) else __import__("json").dumps(journal)
    (state / "journal.json").write_text(text.replace("/tmp/x", str(tmp_path)))
    before = files(repo)
    done = tracecard(repo, "adr", "list")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "set aside" in done.stderr
    assert victim.read_text() == "keep" and not (tmp_path / "planted.sh").exists()
    assert files(repo) == before
    assert tracecard(repo, "adr", "list").stderr == ""  # said once


def test_a_killed_write_is_undone_after_the_repository_moved(repo: Path, tmp_path: Path) -> None:
    assert tracecard(repo, "adr", "accept", "ADR-0001").returncode == 0
    before = files(repo)
    done = tracecard(repo, "adr", "new", "Two stages", "--supersedes", "ADR-0001",
                     env={"TRACECARD_FAILPOINT": "moved:1:KILL"})
    assert done.returncode == -signal.SIGKILL
    moved = tmp_path / "moved"
    repo.rename(moved)
    after = tracecard(moved, "check")
    assert "Traceback" not in after.stderr and "internal error" not in after.stderr
    assert files(moved) == before and not list(moved.rglob("*.tmp"))


def test_links_that_loop_are_findings(repo: Path) -> None:
    (repo / "docs/decisions/0008-loop.md").symlink_to("0008-loop.md")
    (repo / "docs/decisions/0009-a.md").symlink_to("0009-b.md")
    (repo / "docs/decisions/0009-b.md").symlink_to("0009-a.md")
    for argv in (["check"], ["adr", "list"], ["card", "check"], ["adr", "accept", "8"]):
        done = tracecard(repo, *argv)
        assert done.returncode in (0, 1, 2) and "internal error" not in done.stderr, argv


def test_parallel_init_makes_one_set_up(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    procs = [spawn(root, "init") for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert (root / "tracecard.toml").is_file()


def test_a_template_linked_outside_is_not_read(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("---\nid:\ntitle:\nstatus: proposed\nsecret: 42\n---\n# {{title}}\n")
    templates = repo / ".tracecard/templates"
    templates.mkdir(parents=True)
    (templates / "decision.md").symlink_to(outside)
    (repo / "tracecard.toml").write_text('templates = ".tracecard/templates"\n')
    done = tracecard(repo, "adr", "new", "Leak")
    assert done.returncode == 2 and "secret" not in "".join(
        p.read_text() for p in (repo / "docs/decisions").glob("*.md"))


def test_ids_and_names_cannot_start_a_workflow_command(repo: Path) -> None:
    (repo / "docs/decisions/0002-x.md").write_text(
        DECISION.replace("ADR-0001", "::error::FORGED").replace("Keep records", "##[error]F"))
    for argv in (["adr", "list"], ["check"], ["history", "docs/decisions/0002-x.md"]):
        done = tracecard(repo, *argv)
        for line in (done.stdout + done.stderr).splitlines():
            assert not line.lstrip().startswith("::") and "##[" not in line, (argv, line)


def test_a_huge_number_is_no_internal_error(repo: Path) -> None:
    (repo / "docs/decisions/0002-x.md").write_text(DECISION.replace("ADR-0001", "ADR-" + "9" * 5000))
    for argv in (["check"], ["adr", "list"], ["adr", "accept", "ADR-" + "9" * 5000]):
        assert "internal error" not in tracecard(repo, *argv).stderr, argv


def test_a_fifo_schema_does_not_hang(repo: Path) -> None:
    os.mkfifo(repo / "s.json")
    (repo / "tracecard.toml").write_text('[schemas]\ndecision = "s.json"\n')
    done = tracecard(repo, "check")
    assert done.returncode == 2 and "internal error" not in done.stderr
