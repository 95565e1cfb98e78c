"""The model review kind (MR-NNNN): the commands that write and list reviews, its schema, its
links and its configuration."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import test_authoring
from conftest import TODAY
from test_authoring import Run

from tracecard.load import config
from tracecard.load.repository import load_graph
from tracecard.model.records import KIND_NAMES, Kind

tc = test_authoring.tc  # the fixture that runs tracecard in-process

CARD = """---
id: MC-fraud-detector
title: Fraud detector
status: draft
version: 3.2.0
---
# Fraud detector

## Intended Use

Scores orders.

## Evaluation Data

DS-fraud-holdout.
"""

DATASET = """---
id: DS-fraud-holdout
title: Fraud holdout
status: ready
---
# Fraud holdout
"""


def review(front: str, status: str = "held") -> str:
    return (
        f"---\nid: MR-0001\ntitle: Fraud review\nstatus: {status}\ndate: 2026-06-01\n"
        f"card: MC-fraud-detector\nversion: 3.2.0\n{front}---\n# Fraud review\n\n"
        "## Summary\n\nWhat we found.\n\n## Actions\n\nWhat we decided.\n"
    )


PEOPLE = "participants:\n  - {name: Ana, role: product}\n  - {name: Priya, role: ml}\n"


@pytest.fixture
def shop(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    root = make_repo({
        "docs/model-cards/fraud-detector.md": CARD,
        "docs/datasets/fraud-holdout.md": DATASET,
    })  # fmt: skip
    (root / "docs" / "model-reviews").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def front(path: Path) -> dict[str, object]:
    from tracecard.load.parse import parse_text

    data = parse_text(path.read_text(encoding="utf-8")).data
    assert data is not None
    return data


def test_kind_spellings_and_scheme() -> None:
    for name in ("model_review", "model-review", "modelreview"):
        assert KIND_NAMES[name] is Kind.MODEL_REVIEW
    assert Kind.MODEL_REVIEW.label == "model review"
    assert config.DEFAULT_FOLDERS[Kind.MODEL_REVIEW] == "docs/model-reviews"


def test_new_numbers_reviews_and_takes_the_cards_version(shop: Path, tc: Callable[..., Run]) -> None:
    first = tc("model-review", "new", "Fraud review, June", "--card", "fraud-detector")
    assert first.code == 0, first.err
    path = shop / "docs/model-reviews/0001-fraud-review-june.md"
    assert first.out.strip().endswith("0001-fraud-review-june.md")
    data = front(path)
    assert data["id"] == "MR-0001" and data["status"] == "draft"
    assert data["card"] == "MC-fraud-detector" and str(data["version"]) == "3.2.0"
    assert str(data["date"]) == TODAY
    second = tc("model-review", "new", "Fraud review, July", "--card", "MC-fraud-detector",
                "--version", "3.1.0")  # fmt: skip
    assert second.code == 0, second.err
    data = front(shop / "docs/model-reviews/0002-fraud-review-july.md")
    assert data["id"] == "MR-0002" and str(data["version"]) == "3.1.0"
    # a fresh review from the shipped template passes every error-level rule
    checked = json.loads(tc("check", "--format", "json").out)
    assert [d for d in checked["diagnostics"] if d["severity"] == "error"] == []


@pytest.mark.parametrize("card", ["MC-nope", "DS-fraud-holdout"])
def test_new_refuses_what_is_not_a_card(shop: Path, tc: Callable[..., Run], card: str) -> None:
    res = tc("model-review", "new", "Review", "--card", card)
    assert res.code == 2 and res.err.startswith("tracecard: error:")
    assert list((shop / "docs/model-reviews").iterdir()) == []


def test_new_requires_card(shop: Path, tc: Callable[..., Run]) -> None:
    assert tc("model-review", "new", "Review").code == 2


def test_hold_moves_draft_to_held_and_dates_it(shop: Path, tc: Callable[..., Run]) -> None:
    path = shop / "docs/model-reviews/0001-fraud-review.md"
    path.write_text(review(PEOPLE, status="draft").replace("2026-06-01", "2026-07-01"))
    res = tc("model-review", "hold", "MR-1")
    assert res.code == 0, res.err
    data = front(path)
    assert data["status"] == "held"
    assert str(data["date"]) == TODAY  # the planned day had not come: held today
    again = tc("model-review", "hold", "MR-0001")
    assert again.code == 0 and "already held" in again.out


def test_hold_keeps_a_past_date(shop: Path, tc: Callable[..., Run]) -> None:
    path = shop / "docs/model-reviews/0001-fraud-review.md"
    path.write_text(review(PEOPLE, status="draft"))
    assert tc("model-review", "hold", "1").code == 0
    assert str(front(path)["date"]) == "2026-06-01"


def test_list(shop: Path, tc: Callable[..., Run]) -> None:
    (shop / "docs/model-reviews/0001-fraud-review.md").write_text(review(PEOPLE))
    rows = json.loads(tc("model-review", "list", "--format", "json").out)
    assert [(r["id"], r["status"], r["card"], r["version"], r["date"]) for r in rows] == [
        ("MR-0001", "held", "MC-fraud-detector", "3.2.0", "2026-06-01")
    ]
    assert tc("model-review", "list", "--status", "draft").out.strip() == "no model review records"
    assert tc("model-review", "list", "--status", "agreed").code == 2


def test_held_review_needs_date_and_participants(shop: Path, tc: Callable[..., Run]) -> None:
    text = review("").replace("date: 2026-06-01\n", "")
    (shop / "docs/model-reviews/0001-fraud-review.md").write_text(text)
    found = json.loads(tc("check", "--format", "json", "--select", "SCH").out)["diagnostics"]
    assert {d["code"] for d in found} == {"SCH001"}
    assert len(found) == 2  # date and participants


def test_links_of_a_review_are_checked(shop: Path, tc: Callable[..., Run]) -> None:
    actions = (
        "actions:\n"
        "  - {kind: decision, record: ADR-0042, description: Wrote it}\n"
        "  - {kind: edge_case, record: DS-fraud-holdout, item: x, description: Added it}\n"
    )
    text = review(PEOPLE + actions).replace("card: MC-fraud-detector", "card: DS-fraud-holdout")
    (shop / "docs/model-reviews/0001-fraud-review.md").write_text(text)
    found = json.loads(tc("check", "--format", "json", "--select", "LNK").out)["diagnostics"]
    got = sorted((d["code"], d["line"]) for d in found)
    assert got == [("LNK001", 12), ("LNK002", 6)]


def test_links_reach_the_graph(shop: Path) -> None:
    (shop / "docs/model-reviews/0001-fraud-review.md").write_text(review(PEOPLE))
    graph = load_graph(config.load(shop))
    assert [r.id for r in graph.referrers({"MC-fraud-detector"})] == ["MR-0001"]


def test_review_period_days_configuration(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"tracecard.toml": "review_period_days = 30\n"})
    assert config.load(root).review_period_days == 30
    assert config.load(make_repo({}, name="plain")).review_period_days == 90
    for bad in ("0", "true", '"90"', "-1"):
        broken = make_repo({"tracecard.toml": f"review_period_days = {bad}\n"}, name=f"b{bad[:2]}")
        with pytest.raises(Exception) as caught:
            config.load(broken)
        assert type(caught.value).__name__ == "UsageError"


def test_init_creates_the_folder_in_a_configured_repository(
    make_repo: Callable[..., Path], tc: Callable[..., Run]
) -> None:
    root = make_repo({"tracecard.toml": "[folders]\nmodel_review = \"reviews\"\n"})
    assert tc("init", str(root)).code == 0
    assert (root / "reviews" / "README.md").is_file()


SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"


def test_the_shops_reviews_line_up_with_its_cards(tc: Callable[..., Run]) -> None:
    """examples/shop: two held reviews, every failure type on its card, every action reflected,
    the production card reviewed within the period on the shop's day."""
    graph = load_graph(config.load(SHOP))
    reviews = sorted(r.id or "" for r in graph.of_kind(Kind.MODEL_REVIEW) if r.status == "held")
    assert reviews == ["MR-0001", "MR-0002"]
    res = tc("check", str(SHOP), "--format", "json", "--select", "MRV,LNK,SCH,BDY,IDN")
    assert json.loads(res.out)["diagnostics"] == [] and res.code == 0
    later = tc("--today", "2026-12-02", "check", str(SHOP), "--format", "json", "--select", "MRV")
    found = json.loads(later.out)["diagnostics"]
    assert [(d["code"], d["path"]) for d in found] == [
        ("MRV001", "docs/model-cards/fraud-detector.md")  # 203 days after its May review
    ]


def test_new_for_a_card_without_a_version(shop: Path, tc: Callable[..., Run]) -> None:
    card = shop / "docs/model-cards/fraud-detector.md"
    card.write_text(CARD.replace("version: 3.2.0\n", ""))
    assert tc("model-review", "new", "Review", "--card", "MC-fraud-detector").code == 0
    assert "version" not in front(shop / "docs/model-reviews/0001-review.md")
    bad = tc("model-review", "new", "Review two", "--card", "MC-fraud-detector", "--version", "1\n2")
    assert bad.code == 2 and not (shop / "docs/model-reviews/0002-review-two.md").exists()


def test_new_keeps_an_unquoted_version_as_written(shop: Path, tc: Callable[..., Run]) -> None:
    card = shop / "docs/model-cards/fraud-detector.md"
    card.write_text(CARD.replace("version: 3.2.0\n", "version: 3.10\n"))
    assert tc("model-review", "new", "Review", "--card", "MC-fraud-detector").code == 0
    raw = (shop / "docs/model-reviews/0001-review.md").read_text()
    assert "version: '3.10'" in raw or 'version: "3.10"' in raw  # not 3.1, a version never had


@pytest.mark.parametrize(("date", "status", "due"), [
    ("2026-03-17", "held", False),   # 90 days before 2026-06-15: the period's last day
    ("2026-03-16", "held", True),    # 91 days
    ("2026-06-20", "held", True),    # dated after today: does not count yet
    ("2026-06-01", "draft", True),   # planned, not held
])  # fmt: skip
def test_review_period(shop: Path, tc: Callable[..., Run], date: str, status: str, due: bool) -> None:
    card = shop / "docs/model-cards/fraud-detector.md"
    card.write_text(CARD.replace("status: draft", "status: production"))
    text = review(PEOPLE, status=status).replace("2026-06-01", date)
    (shop / "docs/model-reviews/0001-fraud-review.md").write_text(text)
    found = json.loads(tc("check", "--format", "json", "--select", "MRV001").out)["diagnostics"]
    assert [(d["path"], d["line"]) for d in found] == (
        [("docs/model-cards/fraud-detector.md", 4)] if due else []
    )


def test_hold_is_refused_without_a_product_participant(shop: Path, tc: Callable[..., Run]) -> None:
    path = shop / "docs/model-reviews/0001-fraud-review.md"
    path.write_text(review("participants:\n  - {name: Priya, role: ml}\n", status="draft"))
    before = path.read_bytes()
    res = tc("model-review", "hold", "MR-0001")
    assert res.code == 2 and "MRV002" in res.err and "nothing written" in res.err
    assert path.read_bytes() == before


def test_a_capitalised_role_is_a_schema_finding_not_a_missing_side(
    shop: Path, tc: Callable[..., Run]
) -> None:
    people = "participants:\n  - {name: Ana, role: Product}\n  - {name: Priya, role: ML}\n"
    (shop / "docs/model-reviews/0001-fraud-review.md").write_text(review(people))
    found = json.loads(tc("check", "--format", "json", "--select", "SCH,MRV002,MRV003").out)
    assert sorted((d["code"], d["line"]) for d in found["diagnostics"]) == [
        ("SCH001", 9), ("SCH001", 10)
    ]
