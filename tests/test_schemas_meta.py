"""The shipped JSON Schemas: valid Draft 2020-12, fully described, self-contained, and strict
where it matters; plus the field reference in docs/fields.md generated from them.

The merge below is the documented convention every consumer follows: a kind's effective schema
is the kind's schema with common `properties` and `$defs` underneath its own.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

KINDS = ("decision", "requirement", "model_card", "dataset")
SCHEMA_FILES = ("common", *KINDS)
ROOT = Path(__file__).resolve().parent.parent


def load(name: str) -> dict[str, Any]:
    text = files("tracecard").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def merged(kind: str) -> dict[str, Any]:
    common, own = load("common"), load(kind)
    return {
        **own,
        "properties": {**common["properties"], **own.get("properties", {})},
        "$defs": {**common["$defs"], **own.get("$defs", {})},
    }


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(merged(kind))


def subschemas(schema: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema nested in `schema`, with a readable path to it."""
    if not isinstance(schema, dict):
        return
    yield path, schema
    for key in ("properties", "$defs"):
        for name, child in schema.get(key, {}).items():
            yield from subschemas(child, f"{path}/{key}/{name}")
    for key in ("items", "additionalProperties", "not"):
        yield from subschemas(schema.get(key), f"{path}/{key}")
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, child in enumerate(schema.get(key, ())):
            yield from subschemas(child, f"{path}/{key}/{i}")


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = load(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_property_has_a_description(name: str) -> None:
    missing = [
        f"{path}/properties/{prop}"
        for path, sub in subschemas(load(name), "#")
        for prop, child in sub.get("properties", {}).items()
        if not str(child.get("description", "")).strip()
    ]
    assert missing == []


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_is_self_contained(name: str) -> None:
    """No $id, no format keyword, only local `#/$defs/` references, which resolve once merged."""
    kinds = KINDS if name == "common" else (name,)
    for path, sub in subschemas(load(name), "#"):
        assert "$id" not in sub, path
        assert "format" not in sub, path
        ref = sub.get("$ref")
        if ref is not None:
            assert ref.startswith("#/$defs/"), path
            for kind in kinds:
                assert ref.removeprefix("#/$defs/") in merged(kind)["$defs"], (kind, path)


@pytest.mark.parametrize("name", KINDS)
def test_kind_schemas_are_objects_open_at_the_top(name: str) -> None:
    schema = load(name)
    assert schema["type"] == "object"
    assert schema.get("additionalProperties", True) is True
    assert "id" not in schema.get("required", ())


MINIMAL: dict[str, list[dict[str, Any]]] = {
    "decision": [
        {},
        {"status": "accepted", "date": "2026-02-03"},
        {"status": "superseded by ADR-0004"},
        {"status": "proposed", "decision-makers": "@ana, @ben", "consulted": ["risk team"]},
        {"status": "accepted", "deciders": ["Ana Ruiz"], "parent": "Decisions", "nav_order": 3},
        {"status": "superseded", "superseded_by": "ADR-0004", "supersedes": "ADR-0001, ADR-0002"},
        {
            "id": "ADR-0004",
            "supersedes": ["ADR-0002"],
            "links": [{"rel": "amends", "id": "ADR-0003"}],
        },
        {"status": "accepted", "tracecard-ignore": ["BDY", "LNK102"]},
    ],
    "requirement": [
        {"status": "draft"},
        {
            "status": "agreed",
            "criteria": [
                {"metric": "precision@10", "dataset": "DS-recs-holdout", "split": "holdout",
                 "launch": 0.3, "target": 0.35},
                {"metric": "fpr", "direction": "lower"},
            ],
            "constraints": {"latency_p95_ms": 80, "explainability": "required", "gpu_count": 1},
            "error_costs": {"false_positive": 5, "false_negative": 1},
            "decisions": ["ADR-0003"],
        },
    ],
    "model_card": [
        {"status": "draft"},
        {"status": "candidate", "version": 1.10, "out_of_scope": "bulk scoring"},
        {
            "status": "production",
            "version": "2.3.0",
            "satisfies": ["REQ-0002"],
            "results": [
                {"metric": "precision", "value": 0.91, "dataset": "DS-x", "ci": [0.89, 0.93]}
            ],
            "operational": {"latency_p95_ms": 41, "explainability": "full", "qps_peak": 900},
            "failure_modes": [{"description": "new merchants", "severity": "high"}],
            "license": "mit",
            "base_model": ["a", "b"],
            "model-index": [
                {"name": "m", "results": [{"metrics": [{"type": "acc", "value": "0.9 +/- 0.1"}]}]}
            ],
        },
    ],
    "dataset": [
        {"status": "planned"},
        {
            "status": "ready",
            "purpose": "evaluation",
            "labeling": {"owner": "risk ops", "due": "2026-03-31"},
            "composition": {"size": 12000, "product_defined_share": 0.6,
                            "includes_production_sample": True,
                            "production_sample_date": "2026-03-01"},
            "splits": {"holdout": {"size": 12000}},
            "edge_cases": ["gift_cards", {"name": "vpn_orders", "count": 340}],
        },
    ],
}


@pytest.mark.parametrize(("kind", "record"), [(k, r) for k, rs in MINIMAL.items() for r in rs])
def test_valid_record_is_accepted(kind: str, record: dict[str, Any]) -> None:
    errors = [e.message for e in validator(kind).iter_errors(record)]
    assert errors == []


RESULT = {"metric": "f1", "value": 0.8, "dataset": "DS-x"}

INVALID: list[tuple[str, dict[str, Any]]] = [
    ("decision", {"status": "acepted"}),
    ("decision", {"status": "Superseded by"}),
    ("decision", {"status": 1}),
    ("decision", {"date": "12/01/2026"}),
    ("decision", {"date": "2026-13-01"}),
    ("decision", {"superseded_by": ["ADR-0004"]}),
    ("decision", {"tracecard-ignore": ["lnk"]}),
    ("decision", {"links": [{"rel": "amends"}]}),
    ("requirement", {}),
    ("requirement", {"status": "agred"}),
    ("requirement", {"status": "agreed", "criteria": [{"dataset": "DS-x", "launch": 0.5}]}),
    ("requirement", {"status": "agreed", "criteria": [{"metric": "recall", "lauch": 0.5}]}),
    ("requirement", {"status": "agreed", "criteria": [{"metric": "recall", "direction": "up"}]}),
    ("requirement", {"status": "agreed", "constraints": {"explainability": "yes"}}),
    ("requirement", {"status": "agreed", "constraints": {"latency_p95_ms": -1}}),
    ("requirement", {"status": "agreed", "error_costs": {"false_positive": 5}}),
    ("model_card", {}),
    ("model_card", {"status": "prod"}),
    ("model_card", {"status": "candidate", "results": [{"metric": "f1", "value": 0.8}]}),
    ("model_card", {"status": "candidate", "results": [{**RESULT, "value": "0.8"}]}),
    ("model_card", {"status": "candidate", "results": [{**RESULT, "ci": [0.7]}]}),
    ("model_card", {"status": "draft", "failure_modes": [{"description": "x", "severity": "4"}]}),
    ("model_card", {"status": "candidate", "satisfies": "REQ-0001"}),
    ("model_card", {"status": "candidate", "operational": {"explainability": "SHAP"}}),
    ("model_card", {"status": "candidate", "operational": {"latency_p95_ms": "40ms"}}),
    ("dataset", {"status": "done"}),
    ("dataset", {"status": "ready", "purpose": "testing"}),
    ("dataset", {"status": "ready", "composition": {"product_defined_share": 60}}),
    ("dataset", {"status": "ready", "composition": {"includes_production_sample": "yes"}}),
    ("dataset", {"status": "ready", "labeling": {"owner": "x", "due": "next week"}}),
    ("dataset", {"status": "ready", "edge_cases": [{"description": "no name"}]}),
]


@pytest.mark.parametrize(("kind", "record"), INVALID)
def test_invalid_record_is_rejected(kind: str, record: dict[str, Any]) -> None:
    assert list(validator(kind).iter_errors(record)) != []


def _fields_doc_module() -> Any:
    path = ROOT / "scripts" / "gen_fields_doc.py"
    spec = importlib.util.spec_from_file_location("gen_fields_doc", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fields_doc_is_current() -> None:
    gen = _fields_doc_module()
    expected = gen.render(Path(str(files("tracecard").joinpath("schemas"))))
    current = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    assert current == expected, "docs/fields.md is stale: run python scripts/gen_fields_doc.py"


def test_fields_doc_lists_every_property() -> None:
    text = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    for kind in KINDS:
        for prop in merged(kind)["properties"]:
            assert f"| `{prop}` |" in text, (kind, prop)
