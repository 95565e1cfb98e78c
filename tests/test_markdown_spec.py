"""The body reader against the reference parser on every example of the CommonMark spec.

The spec is not part of this repository (it is other people's text): `.ci/run` fetches the
`commonmark-spec` package from npm (version and SHA-256 pinned) into `tests/.spec/`, and this
test reads the examples from its `spec.txt`. Where the file is missing the test is skipped,
with the command that fetches it; with TRACECARD_REQUIRE_SPEC=1 (as CI sets it) it fails.

Each example's Markdown is read by tracecard (`tracecard.load.markdown.scan_body`) and by
markdown-it-py; headings, code blocks and link destinations must agree, with the differences
documented in tests/test_markdown.py left out (absolute addresses and autolinks, bold labels).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_markdown import _comparable, ours, reference

SPEC = Path(__file__).resolve().parent / ".spec" / "spec.txt"
FETCH = "bash scripts/fetch_commonmark_spec.sh"
#: The fence around each example in spec.txt, and the line between its Markdown and its HTML.
_FENCE = "`" * 32


def examples(text: str) -> list[tuple[int, str, str]]:
    """(number, section, Markdown) of each example; `→` in the spec stands for a tab."""
    out: list[tuple[int, str, str]] = []
    section = ""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#") and not line.startswith("#" * 7):
            section = line.lstrip("#").strip()
        if line == f"{_FENCE} example":
            j = i + 1
            markdown: list[str] = []
            while j < len(lines) and lines[j] != ".":
                markdown.append(lines[j])
                j += 1
            while j < len(lines) and lines[j] != _FENCE:
                j += 1
            out.append((len(out) + 1, section, "\n".join(markdown).replace("\u2192", "\t") + "\n"))
            i = j
        i += 1
    return out


def _spec_examples() -> list[object]:
    if not SPEC.is_file():
        return [pytest.param(0, "", "", marks=pytest.mark.skipif(
            os.environ.get("TRACECARD_REQUIRE_SPEC") != "1",
            reason=f"the CommonMark spec is not fetched: {FETCH}",
        ), id="spec-missing")]  # fmt: skip
    found = examples(SPEC.read_text(encoding="utf-8"))
    return [pytest.param(n, section, md, id=f"example-{n}") for n, section, md in found]


@pytest.mark.parametrize(("number", "section", "markdown"), _spec_examples())
def test_spec_example_read_as_the_reference_reads_it(number: int, section: str, markdown: str) -> None:
    assert SPEC.is_file(), f"TRACECARD_REQUIRE_SPEC=1 but {SPEC} is missing: {FETCH}"
    assert _comparable(ours(markdown)) == _comparable(reference(markdown)), f"example {number} ({section})"


def test_every_example_is_found() -> None:
    if not SPEC.is_file():
        pytest.skip(f"the CommonMark spec is not fetched: {FETCH}")
    found = examples(SPEC.read_text(encoding="utf-8"))
    assert len(found) == SPEC.read_text(encoding="utf-8").count(f"\n{_FENCE} example\n")
    assert len(found) > 600
    assert all(md.endswith("\n") for _, _, md in found)
