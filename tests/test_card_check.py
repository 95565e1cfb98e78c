"""`tracecard card check`: verdicts, exit codes, positions, card selection and the four formats;
and the GAT findings of `tracecard check`, which must agree with it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tracecard.cli import main

pytestmark = pytest.mark.usefixtures("no_home")

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT / "examples" / "launch-gate"


def dataset(status: str = "ready", sample: str = "true", share: str = "0.6") -> str:
    return (
        f"---\nid: DS-fraud-holdout\nstatus: {status}\npurpose: evaluation\ncomposition:\n"
        f"  product_defined_share: {share}\n  includes_production_sample: {sample}\n"
        "  production_sample_date: 2026-05-01\n"
        "---\n# Holdout\n"
    )


REQUIREMENT = """\
---
id: REQ-0002
status: agreed
criteria:
  - {metric: precision, dataset: DS-fraud-holdout, split: holdout, launch: 0.90, target: 0.93}
  - {metric: fpr, dataset: DS-fraud-holdout, split: holdout, launch: 0.0015, target: 0.0012}
  - {metric: ndcg@10, dataset: DS-fraud-holdout, split: holdout, launch: 0.40, target: 0.45}
constraints:
  latency_p95_ms: 50
task: {input: one checkout order, output: the probability of fraud, range: [0, 1]}
---
# Fraud precision
"""

#: Card lines: 3 status, 4 satisfies (entry at col 13), 6 results:, results[i] on 7 + i, then
#: operational: and latency_p95_ms.
RESULT = "  - {{metric: {metric}, dataset: DS-fraud-holdout, split: holdout, value: {value}{ci}}}\n"

#: What a gated card needs besides its results (GAT014), after everything tests point at.
COMPLETE = (
    "training_data: [DS-fraud-training]\n"
    "failure_modes:\n  - {description: Misses fraud from new markets., severity: low}\n"
)
TRAINING = "---\nid: DS-fraud-training\nstatus: ready\npurpose: training\n---\n# Training\n"

PASSING = {"precision": "0.95", "fpr": "0.0010", "ndcg_at_10": "0.47"}


def card(
    status: str = "candidate",
    values: dict[str, str] | None = None,
    cis: dict[str, str] | None = None,
    latency: str = "40",
    slug: str = "fraud-detector",
) -> str:
    values = PASSING if values is None else values
    cis = cis or {}
    results = "".join(
        RESULT.format(metric=m, value=v, ci=f", ci: {cis[m]}" if m in cis else "")
        for m, v in values.items()
    )
    return (
        f"---\nid: MC-{slug}\nstatus: {status}\nsatisfies: [REQ-0002]\n"
        "intended_use: Score checkouts.\n"
        f"results:\n{results}operational:\n  latency_p95_ms: {latency}\n"
        f"{COMPLETE}---\n# Fraud detector\n\n## Evaluation Data\n\nThe holdout set.\n"
    )


CARD = "docs/model-cards/fraud-detector.md"


@pytest.fixture
def repo(make_repo: Callable[..., Path]) -> Callable[..., Path]:
    def make(*cards: tuple[str, str], data: str | None = None) -> Path:
        files = {
            "docs/datasets/fraud-holdout.md": data or dataset(),
            "docs/datasets/fraud-training.md": TRAINING,
            "docs/requirements/0002-fraud-precision.md": REQUIREMENT,
            "docs/decisions/0001-record-decisions.md": (
                "---\nid: ADR-0001\nstatus: accepted\n---\n# Record\n\n## Context\n\nx\n\n"
                "## Decision\n\ny\n"
            ),
        }
        files.update(dict(cards) or {CARD: card()})
        return make_repo(files)

    return make


def gate(
    capsys: pytest.CaptureFixture[str], *args: str, fmt: str = "json"
) -> tuple[int, Any]:
    capsys.readouterr()
    rc = main(["card", "check", *args, "--format", fmt])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return rc, json.loads(captured.out) if fmt == "json" else captured.out


def verdicts(doc: dict[str, Any], card_id: str = "MC-fraud-detector") -> dict[str, str]:
    (found,) = [c for c in doc["cards"] if c["id"] == card_id]
    return {row["metric"]: row["verdict"] for row in found["rows"]}


def findings(doc: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    return sorted(
        (f["code"], f["path"], f["line"], f["column"]) for c in doc["cards"] for f in c["findings"]
    )


# --- verdicts -------------------------------------------------------------------------------


def test_all_pass_exit_0(repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    rc, doc = gate(capsys, str(repo()))
    assert rc == 0
    assert verdicts(doc) == {
        "precision": "PASS", "fpr": "PASS", "ndcg@10": "PASS", "latency_p95_ms": "PASS",
    }  # fmt: skip
    assert doc["cards"][0]["verdict"] == "PASS"
    assert findings(doc) == []


@pytest.mark.parametrize(
    ("metric", "value", "verdict", "rc"),
    [
        ("precision", "0.91", "BELOW TARGET", 0),
        ("precision", "0.93", "PASS", 0),
        ("precision", "0.89", "FAIL", 1),
        # Lower is better: above the launch maximum fails, between the two misses the target.
        ("fpr", "0.0016", "FAIL", 1),
        ("fpr", "0.0013", "BELOW TARGET", 0),
        ("fpr", "0.0012", "PASS", 0),
        ("fpr", "0.0001", "PASS", 0),
        ("ndcg_at_10", "0.42", "BELOW TARGET", 0),
        ("ndcg_at_10", "0.39", "FAIL", 1),
    ],
)
def test_verdict_and_exit_code(
    repo: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    metric: str,
    value: str,
    verdict: str,
    rc: int,
) -> None:
    values = {**PASSING, metric: value}
    got_rc, doc = gate(capsys, str(repo((CARD, card(values=values)))))
    shown = "ndcg@10" if metric == "ndcg_at_10" else metric
    assert verdicts(doc)[shown] == verdict
    assert got_rc == rc


def test_cutoff_must_match(repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    values = {"precision": "0.95", "fpr": "0.0010", "ndcg@5": "0.47"}
    rc, doc = gate(capsys, str(repo((CARD, card(values=values)))))
    assert verdicts(doc)["ndcg@10"] == "MISSING"
    assert rc == 1
    # The missing result is reported at the card's satisfies entry.
    assert findings(doc) == [("GAT002", CARD, 4, 13)]


def test_positions_of_fail_below_target_ci_and_operational(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    values = {"precision": "0.89", "fpr": "0.0013", "ndcg_at_10": "0.47"}
    cis = {"ndcg_at_10": "[0.38, 0.52]"}
    rc, doc = gate(capsys, str(repo((CARD, card(values=values, cis=cis, latency="65")))))
    assert rc == 1
    text = card(values=values, cis=cis, latency="65").splitlines()
    assert findings(doc) == [
        ("GAT001", CARD, 7, text[6].index("0.89") + 1),  # precision under launch
        ("GAT001", CARD, 11, text[10].index("65") + 1),  # latency over the constraint
        ("GAT003", CARD, 8, text[7].index("0.0013") + 1),  # fpr between launch and target
        ("GAT004", CARD, 9, text[8].index("[0.38") + 1),  # the interval reaches under launch
    ]


def test_ci_on_a_lower_is_better_metric_uses_the_high_end(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ok = card(cis={"fpr": "[0.0002, 0.0015]"})
    _, doc = gate(capsys, str(repo((CARD, ok))))
    assert [f[0] for f in findings(doc)] == []
    wide = card(cis={"fpr": "[0.0002, 0.0016]"})
    rc, doc = gate(capsys, str(repo((CARD, wide))))
    assert [f[0] for f in findings(doc)] == ["GAT004"] and rc == 0
    assert verdicts(doc)["fpr"] == "PASS"


def test_draft_card_is_shown_but_never_fails(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    draft = card(status="draft", values={"precision": "0.5"})
    rc, doc = gate(capsys, str(repo((CARD, draft))))
    assert rc == 0
    assert verdicts(doc) == {
        "precision": "FAIL", "fpr": "MISSING", "ndcg@10": "MISSING", "latency_p95_ms": "PASS",
    }  # fmt: skip
    (shown,) = doc["cards"]
    assert shown["gated"] is False and shown["verdict"] is None


@pytest.mark.parametrize(
    ("status", "data", "codes", "rc"),
    [
        ("candidate", dataset(status="labeling"), ["GAT005"], 1),
        ("production", dataset(status="planned"), ["GAT005"], 1),
        ("candidate", dataset(share="0.2"), ["GAT006"], 0),
        ("production", dataset(sample="false"), ["GAT007"], 1),
        ("candidate", dataset(sample="false"), ["GAT008"], 0),
        ("draft", dataset(status="labeling", sample="false"), ["GAT005", "GAT008"], 0),
    ],
)
def test_data_handoffs(
    repo: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    status: str,
    data: str,
    codes: list[str],
    rc: int,
) -> None:
    root = repo((CARD, card(status=status)), data=data)
    got_rc, doc = gate(capsys, str(root))
    assert got_rc == rc
    # At the card's first result on the dataset: its `dataset` value.
    column = RESULT.index("DS-fraud-holdout") + 1
    assert findings(doc) == [(code, CARD, 7, column) for code in codes]


# --- tracecard check agrees ----------------------------------------------------------------


def test_check_reports_the_gate_of_gated_cards_only(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    failing = {"precision": "0.89", "fpr": "0.0013"}
    root = repo(
        (CARD, card(values=failing)),
        ("docs/model-cards/fraud-next.md", card(status="draft", values={}, slug="fraud-next")),
    )
    rc, doc = gate(capsys, str(root))
    assert rc == 1
    gated = [
        (f["code"], f["path"], f["line"], f["column"])
        for c in doc["cards"] if c["gated"] for f in c["findings"]
    ]  # fmt: skip
    capsys.readouterr()
    assert main(["check", str(root), "--format", "json"]) == 1
    everything = {(d["code"], d["path"], d["line"], d["column"])
                  for d in json.loads(capsys.readouterr().out)["diagnostics"]}  # fmt: skip
    assert set(gated) <= everything  # the card's findings are check's, other rules' included
    assert main(["check", str(root), "--format", "json", "--select", "GAT"]) == 1
    checked = json.loads(capsys.readouterr().out)["diagnostics"]
    gate_only = [f for f in gated if f[0].startswith("GAT")]
    assert sorted((d["code"], d["path"], d["line"], d["column"]) for d in checked) == sorted(gate_only)
    assert {d["severity"] for d in checked if d["code"] == "GAT003"} == {"warning"}
    assert all(d["path"] == CARD for d in checked)


# --- selection and usage errors -------------------------------------------------------------


def test_selection_by_id_and_by_path(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    other = "docs/model-cards/other.md"
    root = repo((CARD, card()), (other, card(slug="other", values={"precision": "0.1"})))
    monkeypatch.chdir(root)

    def ids(doc: dict[str, Any]) -> list[str]:
        return [c["id"] for c in doc["cards"]]

    rc, doc = gate(capsys, "MC-fraud-detector")
    assert (rc, ids(doc)) == (0, ["MC-fraud-detector"])
    rc, doc = gate(capsys, other)
    assert (rc, ids(doc)) == (1, ["MC-other"])
    # A requirement or a dataset selects the cards that depend on it.
    for target in ("REQ-0002", "docs/requirements/0002-fraud-precision.md", "DS-fraud-holdout"):
        rc, doc = gate(capsys, target)
        assert (rc, ids(doc)) == (1, ["MC-fraud-detector", "MC-other"])
    # A decision record selects nothing: exit 0.
    rc, doc = gate(capsys, "docs/decisions/0001-record-decisions.md")
    assert (rc, ids(doc)) == (0, [])


@pytest.mark.parametrize("target", ["MC-nope", "docs/model-cards/nope.md"])
def test_unknown_id_or_path_is_exit_2(
    repo: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    target: str,
) -> None:
    monkeypatch.chdir(repo())
    assert main(["card", "check", target]) == 2
    err = capsys.readouterr().err
    assert target in err and "Traceback" not in err


def test_bad_format_is_exit_2(repo: Callable[..., Path]) -> None:
    assert main(["card", "check", str(repo()), "--format", "sarif"]) == 2


def test_bad_team_metric_is_exit_2(
    make_repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({CARD: card(), "tracecard.toml": "[metrics.uplift]\nmin = 0\n"})
    assert main(["card", "check", str(root)]) == 2
    assert "uplift" in capsys.readouterr().err


# --- formats --------------------------------------------------------------------------------


def _failing_repo(repo: Callable[..., Path]) -> Path:
    draft = card(status="draft", values={}, slug="fraud-next")
    values = {"precision": "0.89", "fpr": "0.0013"}
    return repo((CARD, card(values=values)), ("docs/model-cards/fraud-next.md", draft))


def test_text_is_aligned_and_plain_when_not_a_tty(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    rc, out = gate(capsys, str(_failing_repo(repo)), fmt="text")
    assert rc == 1
    assert "\x1b[" not in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("requirement"))
    column = lines[header].index("verdict")
    table = lines[header + 1 : header + 5]
    assert [line[column:].split("  ")[0] for line in table] == [
        "FAIL", "BELOW TARGET", "MISSING", "PASS",
    ]  # fmt: skip
    assert any(line.startswith("  ") and "GAT002" in line for line in lines)


@pytest.mark.parametrize(("env", "coloured"), [({"FORCE_COLOR": "1"}, True),
                                               ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)])
def test_colour_follows_the_environment(
    repo: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    coloured: bool,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _, out = gate(capsys, str(_failing_repo(repo)), fmt="text")
    assert ("\x1b[" in out) is coloured


def test_markdown_has_a_table_per_card(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = gate(capsys, str(_failing_repo(repo)), fmt="markdown")
    assert rc == 1
    assert out.count("| requirement | criterion | launch | target | actual | verdict |") == 2
    assert out.count("|---|---|---|---|---|---|") == 2
    assert re.search(r"^### MC-fraud-detector .*FAIL$", out, re.MULTILINE)
    assert "**GAT001**" in out


def test_github_annotates_gated_cards_only(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = gate(capsys, str(_failing_repo(repo)), fmt="github")
    assert rc == 1
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert annotations and all("fraud-detector.md" in line for line in annotations)
    assert any(line.startswith(f"::error file={CARD},line=7,col=") for line in annotations)
    assert any(line.startswith("::warning ") and "GAT003" in line for line in annotations)


# --- the example ----------------------------------------------------------------------------


def test_launch_gate_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "launch-gate"
    shutil.copytree(EXAMPLE, root)
    rc, doc = gate(capsys, str(root))
    assert rc == 1
    cards = {c["id"]: c for c in doc["cards"]}
    assert {k: (c["gated"], c["verdict"]) for k, c in cards.items()} == {
        "MC-call-transcriber": (True, "FAIL"),
        "MC-spam-filter": (True, "FAIL"),
        "MC-spam-filter-next": (False, None),
        "MC-ticket-router": (True, "PASS"),
    }
    every = {row["verdict"] for c in doc["cards"] for row in c["rows"]}
    assert every == {"PASS", "BELOW TARGET", "FAIL", "MISSING"}
    codes = {f["code"] for c in doc["cards"] if c["gated"] for f in c["findings"]}
    assert codes == {f"GAT00{i}" for i in range(1, 9)}
    assert verdicts(doc, "MC-ticket-router")["recall@3"] == "PASS"  # Recall@3 vs recall_at_3
    assert verdicts(doc, "MC-spam-filter")["fpr"] == "FAIL"  # lower is better
    rc, doc = gate(capsys, str(root / "docs" / "model-cards" / "ticket-router.md"))
    assert rc == 0
    capsys.readouterr()
    assert main(["check", str(root), "--format", "json"]) == 1
    checked = json.loads(capsys.readouterr().out)["diagnostics"]
    # DAT002: labeling overdue; MRV001: the production spam filter was never reviewed
    assert {d["code"][:3] for d in checked} == {"GAT", "DAT", "MRV"}


@pytest.mark.parametrize("broken", ["card", "requirement"])
def test_what_check_fails_in_the_cards_records_fails_the_gate(
    repo: Callable[..., Path], capsys: pytest.CaptureFixture[str], broken: str
) -> None:
    """One verdict: an error `check` reports in the card or a record its launch rests on (a
    broken link, a requirement that states no task) fails the card in `card check` too."""
    root = repo()
    if broken == "card":
        path = root / CARD
        path.write_text(path.read_text().replace("[DS-fraud-training]", "[DS-fraud-gone]"))
    else:
        path = root / "docs/requirements/0002-fraud-precision.md"
        path.write_text("".join(ln for ln in path.read_text().splitlines(keepends=True)
                                if not ln.startswith("task:")))  # fmt: skip
    capsys.readouterr()
    assert main(["check", str(root), "--format", "json"]) == 1
    errors = {(d["code"], d["path"], d["line"], d["column"])
              for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["severity"] == "error"}  # fmt: skip
    rc, doc = gate(capsys, str(root))
    assert rc == 1
    (card_doc,) = doc["cards"]
    assert card_doc["verdict"] == "FAIL"
    shown = {(f["code"], f["path"], f["line"], f["column"]) for f in card_doc["findings"]}
    assert errors <= shown
