"""The command line: help, exit codes, scope of `check PATH`, `python -m`, colour."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tracecard.cli import main

ANSI = re.compile(r"\x1b\[[0-9;]*m")

DECISION = """\
---
id: ADR-0001
title: Use gradient boosting for fraud scoring
status: accepted
date: 2026-01-05
decision-makers: [alice, bob]
---

# Use gradient boosting for fraud scoring

## Context

Fraud scoring needs a tabular model that is fast to retrain.

## Decision

We use gradient-boosted trees.
"""

CARD = """\
---
id: MC-fraud-detector
title: Fraud detector
status: draft
decisions: [ADR-0001]
training_data: [DS-fraud-train]
intended_use: Scores checkout orders for fraud.
---

# Fraud detector

## Evaluation Data

The weekly holdout of labelled orders.
"""

DATASET = """\
---
id: DS-fraud-train
title: Fraud training set
status: ready
purpose: training
---

# Fraud training set

Orders from the last twelve months.
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small clean repository; the working folder is its root."""
    write(tmp_path, "tracecard.toml", "[tracecard]\n")
    write(tmp_path, "docs/decisions/0001-use-gradient-boosting.md", DECISION)
    write(tmp_path, "docs/model-cards/fraud-detector.md", CARD)
    write(tmp_path, "docs/datasets/fraud-train.md", DATASET)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def finding_lines(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if re.match(r"\S+:\d+:\d+: [A-Z]{3}\d{3} ", ln)]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TRACECARD_DEBUG")}
    env.update(extra)
    return env


# --- help ---------------------------------------------------------------------------------


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert "check" in out


def test_check_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--help"], capsys)
    assert code == 0
    assert "--format" in out and "--strict" in out


def test_help_as_a_process() -> None:
    proc = subprocess.run([sys.executable, "-m", "tracecard", "check", "--help"],
                          capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 0
    assert "--select" in proc.stdout and proc.stderr == ""


# --- exit codes ---------------------------------------------------------------------------


def test_clean_repository_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check"], capsys)
    assert code == 0, out
    assert finding_lines(out) == []
    assert "3 records" in out


def test_an_error_exits_1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "docs/datasets/fraud-train.md", DATASET.replace("status: ready", "status: redy"))
    code, out, _ = run(["check"], capsys)
    assert code == 1
    assert any(ln.startswith("docs/datasets/fraud-train.md:4:9: SCH001 ") for ln in finding_lines(out)), out


def test_a_warning_exits_0_and_strict_makes_it_1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "docs/datasets/fraud-train.md", DATASET + "\nTODO: add the label guide.\n")
    code, out, _ = run(["check"], capsys)
    assert code == 0
    assert [ln.split(" ")[1] for ln in finding_lines(out)] == ["BDY003"]
    assert finding_lines(out)[0].startswith("docs/datasets/fraud-train.md:12:1: ")
    code, _, _ = run(["check", "--strict"], capsys)
    assert code == 1


def test_strict_from_the_configuration_and_no_strict_on_the_command_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "docs/datasets/fraud-train.md", DATASET + "\nTBD.\n")
    write(repo, "tracecard.toml", "[tracecard]\nstrict = true\n")
    assert run(["check"], capsys)[0] == 1
    assert run(["check", "--no-strict"], capsys)[0] == 0


def test_ignore_and_select(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "docs/datasets/fraud-train.md", DATASET.replace("status: ready", "status: redy"))
    assert run(["check", "--ignore", "SCH"], capsys)[0] == 0
    assert run(["check", "--select", "LNK,BDY"], capsys)[0] == 0
    assert run(["check", "--select", "SCH001"], capsys)[0] == 1


def test_unknown_rule_code_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "--select", "XYZ999"], capsys)
    assert code == 2
    assert "XYZ999" in err and "Traceback" not in err + out


def test_nonexistent_path_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "docs/no-such-file.md"], capsys)
    assert code == 2
    assert "no-such-file.md" in err
    assert finding_lines(out) == []


def test_unknown_format_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "--format", "xml"], capsys)[0] == 2


@pytest.mark.parametrize(
    "toml",
    [
        "[tracecard\nselect = ['SCH']\n",  # not TOML
        "[tracecard]\nselect = 'SCH\n",  # unterminated string
        "[tracecard]\nno_such_key = 1\n",  # valid TOML, unknown key
        "[tracecard]\nstrict = 'yes'\n",  # wrong type
    ],
)
def test_malformed_configuration_exits_2_with_one_line(repo: Path, toml: str) -> None:
    write(repo, "tracecard.toml", toml)
    proc = subprocess.run([sys.executable, "-m", "tracecard", "check"], cwd=repo,
                          capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "tracecard.toml" in lines[0]


# --- scope --------------------------------------------------------------------------------


def test_check_file_reports_only_that_file_but_resolves_links_elsewhere(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An error in another file, which `check <card>` must not report...
    write(repo, "docs/decisions/0002-broken.md", DECISION.replace("ADR-0001", "ADR-0002").replace(
        "status: accepted", "status: acepted"))
    # ...and a card whose links resolve only to records in other files.
    code, out, _ = run(["check", "docs/model-cards/fraud-detector.md"], capsys)
    assert code == 0, out
    assert finding_lines(out) == []
    # The whole repository has the error.
    code, out, _ = run(["check"], capsys)
    assert code == 1
    assert {ln.split(":")[0] for ln in finding_lines(out)} == {"docs/decisions/0002-broken.md"}


def test_check_file_with_a_dangling_link_reports_it(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "docs/model-cards/fraud-detector.md", CARD.replace("[ADR-0001]", "[ADR-0001, ADR-0009]"))
    code, out, _ = run(["check", "docs/model-cards/fraud-detector.md"], capsys)
    assert code == 1
    lines = finding_lines(out)
    assert len(lines) == 1
    assert lines[0].startswith("docs/model-cards/fraud-detector.md:5:")
    assert " LNK001 " in lines[0] and "ADR-0009" in lines[0]


def test_check_a_folder_reports_only_inside_it(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "docs/datasets/fraud-train.md", DATASET.replace("status: ready", "status: redy"))
    assert run(["check", "docs/decisions"], capsys)[0] == 0
    code, out, _ = run(["check", "docs/datasets"], capsys)
    assert code == 1 and finding_lines(out)


def test_check_from_a_subfolder_finds_the_root(repo: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "docs" / "model-cards")
    code, out, _ = run(["check", "fraud-detector.md"], capsys)
    assert code == 0, out


# --- python -m, colour --------------------------------------------------------------------


def test_python_dash_m(repo: Path) -> None:
    write(repo, "docs/datasets/fraud-train.md", DATASET.replace("status: ready", "status: redy"))
    proc = subprocess.run([sys.executable, "-m", "tracecard", "check"], cwd=repo,
                          capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 1
    assert "docs/datasets/fraud-train.md:4:9: SCH001 " in proc.stdout


def _broken(repo: Path) -> None:
    write(repo, "docs/datasets/fraud-train.md", DATASET.replace("status: ready", "status: redy"))


def test_no_ansi_escapes_when_piped(repo: Path) -> None:
    _broken(repo)
    proc = subprocess.run([sys.executable, "-m", "tracecard", "check"], cwd=repo,
                          capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 1 and "SCH001" in proc.stdout
    assert "\x1b" not in proc.stdout + proc.stderr


def test_force_color_gives_colour_when_piped(repo: Path) -> None:
    _broken(repo)
    proc = subprocess.run([sys.executable, "-m", "tracecard", "check"], cwd=repo,
                          capture_output=True, text=True, env=clean_env(FORCE_COLOR="1"))
    assert proc.returncode == 1
    assert ANSI.search(proc.stdout)
    # Without the escapes the line is the plain `path:line:col: CODE message`.
    assert "docs/datasets/fraud-train.md:4:9: SCH001 " in ANSI.sub("", proc.stdout)


def _on_a_terminal(repo: Path, env: dict[str, str]) -> str:
    """Run `tracecard check` with stdout on a pseudo-terminal; return what it wrote."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "tracecard", "check"], cwd=repo, env=env,
                                stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=60)
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal(repo: Path) -> None:
    _broken(repo)
    out = _on_a_terminal(repo, clean_env())
    assert "SCH001" in out and ANSI.search(out)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_respected_on_a_terminal(repo: Path) -> None:
    _broken(repo)
    for env in (clean_env(NO_COLOR="1"), clean_env(NO_COLOR="1", FORCE_COLOR="1")):
        out = _on_a_terminal(repo, env)
        assert "SCH001" in out
        assert "\x1b" not in out


# --- the run's clock -------------------------------------------------------------------------


def test_today_comes_from_the_option_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime

    from tracecard.model import clock

    write(tmp_path, "tracecard.toml", "")
    (tmp_path / "docs/decisions").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACECARD_TODAY", "2030-01-31")
    assert main(["rules"]) == 0
    assert clock.today() == datetime.date(2030, 1, 31)
    assert main(["--today", "2031-02-01", "rules"]) == 0
    assert clock.today() == datetime.date(2031, 2, 1)
    assert main(["adr", "new", "Dated by the clock"]) == 0
    made = (tmp_path / "docs/decisions/0001-dated-by-the-clock.md").read_text()
    assert "date: 2030-01-31\n" in made  # a new run: the environment again, not the last option


@pytest.mark.parametrize("argv,env", [(["--today", "31/01/2030", "rules"], None),
                                      (["rules"], "yesterday")])
def test_a_today_that_is_not_a_date_is_a_usage_error(
    argv: list[str], env: str | None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if env is not None:
        monkeypatch.setenv("TRACECARD_TODAY", env)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "YYYY-MM-DD" in err
