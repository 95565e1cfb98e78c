"""Generated files must match their sources: validators from schemas."""

from __future__ import annotations

import importlib

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
