"""Requirement translation rules (REQ): codes and positions through the real pipeline, the
metric vocabulary built from the configuration, and configuration errors as exit 2.

The golden corpus (tests/corpus/REQ*/) holds one bad and one good repository per code; these
tests cover what a corpus case cannot say on its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tracecard.cli import main
from tracecard.errors import UsageError
from tracecard.load import config
from tracecard.load.config import vocabulary
from tracecard.load.repository import load_graph
from tracecard.model.metrics import Direction
from tracecard.rules.registry import FAMILIES, RULES
from tracecard.rules.run import run_rules

pytestmark = pytest.mark.usefixtures("no_home")

DATASETS = {
    "docs/datasets/fraud-holdout.md": (
        "---\nid: DS-fraud-holdout\nstatus: ready\npurpose: evaluation\n---\n# Holdout\n"
    ),
    "docs/datasets/fraud-training.md": (
        "---\nid: DS-fraud-training\nstatus: ready\npurpose: training\n---\n# Training\n"
    ),
}


def requirement(body: str, status: str = "agreed") -> str:
    # Line 1 is the fence; `body` starts on line 4.
    return f"---\nid: REQ-0002\nstatus: {status}\n{body}---\n# Fraud precision\n"


REQ_PATH = "docs/requirements/0002-fraud-precision.md"


#: The handoff rules (task, target, constraints, sign-off) have their own tests and corpus;
#: the tests here look at the translation rules, so they leave them out unless asked.
HANDOFF = ("REQ009", "REQ010", "REQ011", "REQ012")


def findings(root: Path, prefix: str = "REQ") -> list[tuple[str, int, int]]:
    """(code, line, col) of every finding whose code starts with `prefix`, sorted."""
    graph = load_graph(config.load(root))
    result = run_rules(graph)
    return sorted(
        (d.code, d.line, d.col) for d in result.diagnostics
        if d.code.startswith(prefix) and (d.code not in HANDOFF or prefix in HANDOFF)
    )  # fmt: skip


def messages(root: Path, code: str) -> list[str]:
    graph = load_graph(config.load(root))
    return [d.message for d in run_rules(graph).diagnostics if d.code == code]


@pytest.fixture
def repo(make_repo: Callable[..., Path]) -> Callable[..., Path]:
    def make(body: str, status: str = "agreed", toml: str | None = None) -> Path:
        files = {**DATASETS, REQ_PATH: requirement(body, status)}
        if toml is not None:
            files["tracecard.toml"] = toml
        return make_repo(files)

    return make


def test_families_are_registered() -> None:
    assert FAMILIES["REQ"] and FAMILIES["GAT"]
    assert {f"REQ00{i}" for i in range(1, 9)} <= set(RULES)


# --- REQ001 ---------------------------------------------------------------------------------


def test_not_measurable_points_at_the_item_or_the_bad_value(repo: Callable[..., Path]) -> None:
    root = repo(
        "criteria:\n"
        "  - metric: precision\n"  # 5: no dataset, no launch
        "  - {metric: fpr, dataset: DS-fraud-holdout, launch: '0.1'}\n"  # 6: launch is text
        "  - precision >= 0.9\n"  # 7: a sentence
        "  - {metric: 7, dataset: DS-fraud-holdout, launch: 0.9}\n"  # 8: metric not a name
    )
    assert [f for f in findings(root) if f[0] == "REQ001"] == [
        ("REQ001", 5, 5),
        ("REQ001", 6, 54),
        ("REQ001", 7, 5),
        ("REQ001", 8, 14),
    ]


def test_a_retired_requirement_is_not_linted(repo: Callable[..., Path]) -> None:
    root = repo("criteria:\n  - metric: precison\n", status="retired")
    assert findings(root) == []


# --- REQ002 ---------------------------------------------------------------------------------


def test_unknown_metric_with_a_suggestion(repo: Callable[..., Path]) -> None:
    root = repo("criteria:\n  - {metric: precison, dataset: DS-fraud-holdout, launch: 0.9}\n")
    assert findings(root) == [("REQ002", 5, 14)]
    assert "'precision'" in messages(root, "REQ002")[0]


@pytest.mark.parametrize("name", ["Precision@10", "precision_at_10", "P@10", "ROC-AUC", "WER"])
def test_spellings_of_known_metrics_are_known(repo: Callable[..., Path], name: str) -> None:
    root = repo(f"criteria:\n  - {{metric: {name}, dataset: DS-fraud-holdout, launch: 0.5}}\n")
    assert findings(root) == []


def test_team_metric_from_the_configuration(repo: Callable[..., Path]) -> None:
    body = "criteria:\n  - {metric: acceptance_rate, dataset: DS-fraud-holdout, launch: 1.5}\n"
    assert findings(repo(body)) == [("REQ002", 5, 14)]
    toml = '[metrics.acceptance_rate]\ndirection = "higher"\nmin = 0\nmax = 1\n'
    assert findings(repo(body, toml=toml)) == [("REQ003", 5, 66)]


@pytest.mark.parametrize(
    "toml",
    [
        '[metrics.acceptance_rate]\nmin = 0\n',  # no direction
        '[metrics.acceptance_rate]\ndirection = "up"\n',
        '[metrics.acceptance_rate]\ndirection = "higher"\nmin = 2\nmax = 1\n',
        '[metrics.acceptance_rate]\ndirection = "higher"\ncolour = "red"\n',
    ],
)
def test_bad_team_metric_is_exit_2(
    repo: Callable[..., Path], toml: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo("criteria:\n  - {metric: precision, dataset: DS-fraud-holdout, launch: 0.9}\n",
                toml=toml)  # fmt: skip
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert "acceptance_rate" in err and "Traceback" not in err


def test_vocabulary_is_built_once_per_settings(tmp_path: Path) -> None:
    settings = config.Settings(root=tmp_path, metrics={"uplift": {"direction": "higher"}})
    first = vocabulary(settings)
    assert vocabulary(settings) is first
    assert first.lookup("uplift") is not None
    bad = config.Settings(root=tmp_path, metrics={"uplift": {"direction": "sideways"}})
    with pytest.raises(UsageError):
        vocabulary(bad)


# --- REQ003 / REQ004 / REQ008 ----------------------------------------------------------------


def test_out_of_range_launch_and_target(repo: Callable[..., Path]) -> None:
    root = repo(
        "criteria:\n"
        "  - metric: precision\n"
        "    dataset: DS-fraud-holdout\n"
        "    launch: 90\n"  # 7
        "    target: 95\n"  # 8
        "  - {metric: latency_p95_ms, dataset: DS-fraud-holdout, launch: -5}\n"  # 9
        "  - {metric: bleu, dataset: DS-fraud-holdout, launch: 35}\n"  # 0..100: fine
    )
    assert findings(root) == [("REQ003", 7, 13), ("REQ003", 8, 13), ("REQ003", 9, 65)]


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        ("{metric: precision, dataset: DS-fraud-holdout, launch: 0.9, target: 0.8}", True),
        ("{metric: precision, dataset: DS-fraud-holdout, launch: 0.8, target: 0.9}", False),
        ("{metric: fpr, dataset: DS-fraud-holdout, launch: 0.01, target: 0.02}", True),
        ("{metric: fpr, dataset: DS-fraud-holdout, launch: 0.02, target: 0.01}", False),
        ("{metric: latency_p95_ms, dataset: DS-fraud-holdout, launch: 80, target: 120}", True),
        ("{metric: log_loss, dataset: DS-fraud-holdout, launch: 0.3, target: 0.2}", False),
        ("{metric: ndcg@10, dataset: DS-fraud-holdout, launch: 0.4, target: 0.3}", True),
        ("{metric: churn, direction: lower, dataset: DS-fraud-holdout, launch: 1, target: 2}",
         True),
        ("{metric: precision, dataset: DS-fraud-holdout, launch: 0.9, target: 0.9}", False),
    ],
)
def test_target_easier_than_launch_follows_the_direction(
    repo: Callable[..., Path], criterion: str, expected: bool
) -> None:
    got = [f for f in findings(repo(f"criteria:\n  - {criterion}\n")) if f[0] == "REQ004"]
    assert bool(got) is expected
    if expected:
        column = criterion.index("target: ") + len("target: ") + 5
        assert got == [("REQ004", 5, column)]


def test_direction_that_contradicts_the_vocabulary(repo: Callable[..., Path]) -> None:
    root = repo("criteria:\n  - metric: fpr\n    dataset: DS-fraud-holdout\n    launch: 0.01\n"
                "    direction: higher\n")  # fmt: skip
    assert findings(root) == [("REQ008", 8, 16)]
    fpr = vocabulary(config.load(root)).lookup("fpr")
    assert fpr is not None and fpr.direction is Direction.LOWER


# --- REQ005 / REQ006 / REQ007 ----------------------------------------------------------------


def test_criterion_on_training_data(repo: Callable[..., Path]) -> None:
    root = repo("criteria:\n  - metric: recall\n    dataset: DS-fraud-training\n    launch: 0.5\n")
    assert findings(root) == [("REQ005", 6, 14)]


@pytest.mark.parametrize(
    ("metrics", "costs", "expected"),
    [
        (["recall"], "{false_positive: 5, false_negative: 1}", True),
        (["precision"], "{false_positive: 5, false_negative: 1}", False),
        (["specificity"], "{false_positive: 5, false_negative: 1}", False),
        (["false_positive_rate"], "{false_positive: 5, false_negative: 1}", False),
        (["precision@10"], "{false_positive: 5, false_negative: 1}", False),
        (["precision"], "{false_positive: 1, false_negative: 5}", True),
        (["recall", "f1"], "{false_positive: 1, false_negative: 5}", False),
        (["fnr"], "{false_positive: 1, false_negative: 5}", False),
        (["f1"], "{false_positive: 2, false_negative: 2}", False),
    ],
)
def test_costly_error_must_be_constrained(
    repo: Callable[..., Path], metrics: list[str], costs: str, expected: bool
) -> None:
    item = "  - {{metric: {}, dataset: DS-fraud-holdout, launch: 0.5}}\n"
    crits = "".join(item.format(m) for m in metrics)
    root = repo(f"criteria:\n{crits}error_costs: {costs}\n")
    line = 5 + len(metrics)
    assert findings(root) == ([("REQ006", line, 1)] if expected else [])


def test_agreed_without_criteria(repo: Callable[..., Path]) -> None:
    assert findings(repo("constraints: {latency_p95_ms: 50}\n")) == [("REQ007", 3, 9)]
    assert findings(repo("criteria: []\n")) == [("REQ007", 4, 1)]
    assert findings(repo("", status="draft")) == []


def test_json_output_carries_code_and_position(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo("criteria:\n  - {metric: recall, dataset: DS-fraud-holdout, launch: 60}\n")
    assert main(["check", str(root), "--format", "json", "--select", "REQ003"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(d["code"], d["line"], d["column"], d["severity"]) for d in doc["diagnostics"]] == [
        ("REQ003", 5, 57, "error")
    ]
