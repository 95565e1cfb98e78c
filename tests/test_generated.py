"""Generated files must match their sources: validators from schemas."""

from __future__ import annotations

import copy
import importlib
import random
from pathlib import Path

import pytest

from tracecard.load.schemas import fingerprint, kind_schema
from tracecard.model.records import Kind


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_pregenerated_validator_is_current(kind: Kind) -> None:
    module = importlib.import_module(f"tracecard.load._validators.{kind.value}")
    assert module.SCHEMA_SHA256 == fingerprint(kind_schema(kind)), (
        "run: python scripts/gen_validators.py"
    )


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_fast_and_full_validators_agree_on_bad_status(kind: Kind) -> None:
    from tracecard.load.schemas import Validator

    v = Validator(kind_schema(kind), kind)
    errors = v.errors({"status": "no-such-status", "id": "X-1", "card": "MC-x"})  # required keys
    assert [e.path for e in errors] == [("status",)]


# The generated code is fastjsonschema's, rewritten by scripts/gen_validators.py (no value
# names built, typed anyOf branches not tried on another type, cheap exceptions): it must
# still say "valid" exactly when jsonschema finds no error, on the corpus's records and on
# each with one value replaced by a value of another type.
_ODD = [None, True, False, 0, 1, -1, 0.5, float("nan"), "", "x", "X-1", "ADR-0001", "2024-02-30",
        [], ["a"], ["a", "a"], [1], [None], [{"a": 1}], {}, {"a": 1}, [["a"]], "a,b"]  # fmt: skip


def _mutations(data: dict, rnd: random.Random, count: int) -> list[dict]:
    paths: list[tuple] = []

    def walk(node: object, path: tuple) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            paths.append((*path, key))
            walk(value, (*path, key))

    walk(data, ())
    out = []
    for _ in range(count if paths else 0):
        changed = copy.deepcopy(data)
        path = rnd.choice(paths)
        node = changed
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = copy.deepcopy(rnd.choice(_ODD))
        out.append(changed)
    return out


def test_generated_validators_agree_with_jsonschema() -> None:
    from jsonschema import Draft202012Validator

    from tracecard.load.config import DEFAULT_FOLDERS
    from tracecard.load.parse import decode, parse_text
    from tracecard.model.records import KIND_NAMES

    by_folder = {folder.rsplit("/", 1)[-1]: kind for kind, folder in DEFAULT_FOLDERS.items()}

    rnd = random.Random(11)
    checked = 0
    for path in sorted(Path(__file__).parent.joinpath("corpus").rglob("*.md")):
        text, _ = decode(path.read_bytes())
        parsed = parse_text(text) if text is not None else None
        if parsed is None or not isinstance(parsed.data, dict):
            continue
        kind = KIND_NAMES.get(str(parsed.data.get("kind", "")).strip().lower(),
                              by_folder.get(path.parent.name))  # fmt: skip
        if kind is None:
            continue
        fast = importlib.import_module(f"tracecard.load._validators.{kind.value}").validate
        full = Draft202012Validator(kind_schema(kind))
        for data in [parsed.data, *_mutations(parsed.data, rnd, 6)]:
            try:
                fast(data)
                valid = True
            except Exception:  # noqa: BLE001 - any exception says "not valid"
                valid = False
            assert valid == full.is_valid(data), (path, data)
            checked += 1
    assert checked > 500
