"""Property tests of the decision import: whatever the header holds, the import never fails,
keeps every body line that is not part of the header, and a second import changes nothing."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracecard.importers.decisions import import_decisions

FAST = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

_WORD = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=12)
_HEADER_LINE = st.one_of(
    st.builds(lambda w: f"Date: {w}", _WORD),
    st.builds(lambda w: f"Status: {w}", _WORD),
    st.builds(lambda v, n: f"{v} [{n}. X](000{n}-x.md)",
              st.sampled_from(["Supercedes", "Superseded by", "Amends", "Amended by", "Reverted by", "Odd verb"]),
              st.integers(1, 3)),  # fmt: skip
    st.builds(lambda w: f"* Status: {w}", _WORD),
    st.builds(lambda w: f"- Deciders: {w}", _WORD),
    _WORD,
)
_BODY = "## Context\n\nSomething.\n\n## Decision\n\nSomething else.\n"


def _run(root: Path, fmt: str) -> int:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return import_decisions(fmt, ["d"], None, False, io.StringIO())
    finally:
        os.chdir(cwd)
        from tracecard.edit import transaction

        transaction.release(restore_signals=False)


@FAST
@given(title=_WORD, header=st.lists(_HEADER_LINE, max_size=6), status=st.lists(_HEADER_LINE, max_size=4),
       fmt=st.sampled_from(["adr-tools", "madr", "log4brains", "auto"]), crlf=st.booleans())  # fmt: skip
def test_import_keeps_the_body_and_is_idempotent(title: str, header: list[str], status: list[str],
                                                 fmt: str, crlf: bool) -> None:  # fmt: skip
    nl = "\r\n" if crlf else "\n"
    text = f"# 1. {title}\n\n" + "\n".join(header) + "\n\n## Status\n\n" + "\n\n".join(status) + "\n\n" + _BODY
    text = text.replace("\n", nl)
    root = Path(tempfile.mkdtemp())
    try:
        (root / "tracecard.toml").write_text("", encoding="utf-8")
        (root / "d").mkdir()
        path = root / "d/0001-x.md"
        path.write_bytes(text.encode("utf-8"))
        assert _run(root, fmt) == 0
        after = path.read_bytes()
        assert after.endswith(_BODY.replace("\n", nl).encode("utf-8"))
        assert after.startswith(b"---")
        assert _run(root, fmt) == 0
        assert path.read_bytes() == after
    finally:
        shutil.rmtree(root)


_NAME = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
_VALUE = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.integers(-1000, 1000),
    st.builds(lambda v, h: f"{v} ± {h}", st.decimals(0, 100, places=3), st.decimals(0, 5, places=3)),
    st.builds(lambda v, h: f"{v} +/- {h}", st.decimals(0, 100, places=2), st.decimals(0, 5, places=2)),
    _WORD,
)
_METRIC = st.fixed_dictionaries({"type": st.sampled_from(["accuracy", "f1", "wer", "loss", "bleu", "acc"]),
                                 "value": _VALUE}, optional={"name": _WORD})  # fmt: skip
_RESULT = st.fixed_dictionaries({
    "task": st.fixed_dictionaries({"type": _NAME}),
    "dataset": st.fixed_dictionaries({"type": _NAME, "name": _WORD}, optional={"split": _NAME}),
    "metrics": st.lists(_METRIC, min_size=1, max_size=3),
})  # fmt: skip
_INDEX = st.lists(st.fixed_dictionaries({"name": _NAME, "results": st.lists(_RESULT, max_size=3)}),
                  min_size=1, max_size=2)  # fmt: skip


@FAST
@given(index=_INDEX)
def test_hugging_face_round_trip(index: list[dict[str, object]]) -> None:
    import yaml

    from tracecard.cli import main

    root = Path(tempfile.mkdtemp())
    cwd = os.getcwd()
    try:
        (root / "tracecard.toml").write_text("", encoding="utf-8")
        card = root / "docs/model-cards/m.md"
        card.parent.mkdir(parents=True)
        front = yaml.safe_dump({"license": "mit", "model-index": index}, allow_unicode=True, sort_keys=False)
        card.write_text(f"---\n{front}---\n# M\n", encoding="utf-8")
        original = yaml.safe_load(front)["model-index"]
        os.chdir(root)
        assert main(["import", "hf", "docs/model-cards"]) == 0
        out = io.StringIO()
        from tracecard.importers.hf import export_card

        assert export_card("MC-m", None, out) == 0
        assert yaml.safe_load(out.getvalue().split("---\n")[1])["model-index"] == original
    finally:
        os.chdir(cwd)
        shutil.rmtree(root)
