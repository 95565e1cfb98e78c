"""Property tests (hypothesis), with example counts bounded so the suite stays quick.

- any text read as a record gives a result or findings, never an exception;
- an edit of one key keeps every other byte of the file;
- whatever a record holds, the inert forms used by the renderers contain nothing that acts.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracecard.edit import frontmatter as edit
from tracecard.load.parse import parse_text
from tracecard.report.text import dumps_json, md, md_code, md_url, one_line

FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

YAMLISH = st.text(alphabet=st.sampled_from(list("---\n :#[]{}'\"&*!|>-,?%@`\t\r abc019\u00e9\u2028")),
                  max_size=200)  # fmt: skip


@FAST
@given(st.one_of(YAMLISH.map(lambda s: "---\n" + s + "\n---\n# body\n"), st.text(max_size=300)))
def test_any_text_parses_to_data_or_findings(text: str) -> None:
    parsed = parse_text(text)
    assert parsed.data is not None or parsed.problems
    for p in parsed.problems:
        assert p.line >= 1 and p.col >= 1


KEY = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)
PLAIN = st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,20}", fullmatch=True).map(str.strip).filter(bool)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[str]]:
    keys = draw(st.lists(KEY, min_size=2, max_size=6, unique=True))
    lines = []
    for k in keys:
        value = draw(st.one_of(PLAIN, st.lists(PLAIN, max_size=3).map(lambda v: "[" + ", ".join(v) + "]")))
        comment = draw(st.sampled_from(["", "  # note"]))
        lines.append(f"{k}: {value}{comment}")
    return "---\n" + "\n".join(lines) + "\n---\n# Title\n\nBody text.\n", keys


@FAST
@given(documents(), st.data())
def test_editing_one_key_keeps_every_other_line(doc: tuple[str, list[str]], data: st.DataObject) -> None:
    text, keys = doc
    key = data.draw(st.sampled_from(keys))
    value = data.draw(st.one_of(PLAIN, st.sampled_from(["yes", "1.10", "a: b", "#x", "2026-01-01"])))
    document = edit.Document(text.encode())
    document.set_scalar(key, value)
    after = document.to_bytes().decode()
    before_lines, after_lines = text.splitlines(), after.splitlines()
    assert len(before_lines) == len(after_lines)
    changed = [i for i, (a, b) in enumerate(zip(before_lines, after_lines)) if a != b]
    assert all(before_lines[i].startswith(f"{key}:") for i in changed)
    assert edit.Document(after.encode()).data[key] == value


ACTS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@FAST
@given(st.text(max_size=80))
def test_inert_forms_hold_nothing_that_acts(text: str) -> None:
    assert not ACTS.search(one_line(text))
    rendered = md(text)
    assert not ACTS.search(rendered) and "<" not in rendered and "\n" not in rendered
    # read back as GitHub would: plain text and code spans, nothing else
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parseInline(rendered)
    kinds = {child.type for tok in tokens for child in tok.children or []}
    assert kinds <= {"text", "code_inline", "softbreak"}, (rendered, kinds)
    code = md_code(text)
    fence = re.match(r"`+", code)
    assert fence and code.endswith(fence.group(0)) and "\n" not in code
    assert not re.search(r"[\s()\[\]<>`\\]", md_url(text))
    assert not ACTS.search(dumps_json({"v": text}).replace("\n", ""))
