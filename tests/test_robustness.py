"""Hostile input: never a hang, never a traceback, one bad file never stops the run."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tracecard.cli import main
from tracecard.load.parse import parse_text

CARD = """---
id: MC-x
status: draft
---
# X

## Intended Use

Scoring.

## Evaluation Data

A holdout.
"""


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "tracecard.toml").write_text("")
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _check(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, int, int, str]]]:
    code = main(["check", str(repo), "--format", "json", "--ignore", "HIS", *args])
    doc = json.loads(capsys.readouterr().out)
    return code, [(d["path"], d["line"], d["column"], d["code"]) for d in doc["diagnostics"]]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_or_a_link_to_a_device_is_a_finding_not_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path, {"docs/model-cards/x.md": CARD})
    os.mkfifo(repo / "docs/model-cards/pipe.md")
    (repo / "docs/model-cards/zero.md").symlink_to("/dev/zero")
    code, found = _check(repo, capsys)
    assert code == 1
    assert ("docs/model-cards/pipe.md", 1, 1, "PAR007") in found
    assert ("docs/model-cards/zero.md", 1, 1, "PAR007") in found


def test_a_huge_integer_stays_in_its_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = "---\nid: REQ-0001\nstatus: draft\nx: " + "9" * 5000 + "\n---\n# R\n"
    repo = _repo(tmp_path, {"docs/requirements/0001-r.md": huge, "docs/model-cards/x.md": CARD})
    code, found = _check(repo, capsys)
    assert code in (0, 1)
    assert all(path != "docs/model-cards/x.md" for path, *_ in found)
    assert parse_text(huge).problems == []


def test_an_unclosed_flow_list_points_where_it_opened() -> None:
    p = parse_text("---\nid: a\ntitle: x\nowners: [ana, ben\nstatus: draft\n---\n")
    assert [(q.code, q.line, q.col) for q in p.problems] == [("PAR003", 4, 9)]


@pytest.mark.parametrize(
    "config",
    [
        '[folders]\ndecision = "../.."\n',
        '[folders]\ndecision = "/etc"\n',
        "max_file_size = -1\n",
        "min_product_defined_share = 7\n",
        '[schemas]\nmodel_card = "../elsewhere.json"\n',
    ],
)
def test_configuration_that_points_outside_or_makes_no_sense_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str
) -> None:
    repo = _repo(tmp_path, {"docs/model-cards/x.md": CARD})
    (repo / "tracecard.toml").write_text(config)
    assert main(["check", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_git_is_not_imported_for_a_plain_folder(tmp_path: Path) -> None:
    import subprocess

    repo = _repo(tmp_path, {"docs/model-cards/x.md": CARD})
    code = (
        "import sys; from tracecard.cli import main; rc = main(['check', sys.argv[1]]);"
        "print('git' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(repo)], capture_output=True, text=True, check=False
    )
    assert out.stdout.strip().splitlines()[-1] == "False"


_SAMPLES = [
    "id: REQ-0001\nstatus: agreed\ncriteria:\n  - metric: precision\n    dataset: DS-x\n    launch: 0.9\n"
    "  - {metric: recall, dataset: DS-x, launch: 0.5}\nconstraints:\n  latency_p95_ms: 50\n",
    "\n\nid: ADR-0001\ntitle: 'quoted'\nempty:\nlist:\n- a\n-\n- c\nnested:\n  deeper:\n    deepest: [1, 2]\n",
    "id: x\nid: y\nmulti: |\n  line one\n  line two\nafter: 3\n",
]


@pytest.mark.parametrize("yaml_text", _SAMPLES)
def test_lazy_positions_equal_the_eager_ones(yaml_text: str) -> None:
    fast = parse_text("---\n" + yaml_text + "---\n# Body\n")
    # A comment with '!' sends the same YAML through the builder that records eagerly.
    slow = parse_text("---\n" + yaml_text + "# !\n---\n# Body\n")
    assert fast.data == slow.data
    assert fast.problems == slow.problems
    assert fast.positions == slow.positions


@pytest.mark.parametrize("yaml_text", _SAMPLES)
def test_following_one_path_gives_what_the_full_walk_gives(yaml_text: str) -> None:
    lazy = parse_text("---\n" + yaml_text + "---\n# Body\n")
    eager = parse_text("---\n" + yaml_text + "---\n# Body\n")
    paths = list(eager.positions) + [("criteria", 5, "x"), ("nested", "nope"), ("list", 1), ("nope",)]
    for path in paths:
        for key in (False, True):
            assert lazy.pos(path, key=key) == eager.pos(path, key=key), (path, key)
        lazy = parse_text("---\n" + yaml_text + "---\n# Body\n")  # keep it lazy for every path
