"""parse.py: the exact split of a record into front matter and body.

These tests pin behaviour (codes, 1-based positions, values), not message wording.
"""

from __future__ import annotations

import time

import pytest

from tracecard.load.markdown import scan_body
from tracecard.load.parse import (
    BOLD_LEVEL,
    MAX_NODES,
    Parsed,
    YamlFloat,
    decode,
    parse_text,
)


def codes(parsed: Parsed) -> list[str]:
    return [p.code for p in parsed.problems]


def where(parsed: Parsed, code: str) -> tuple[int, int]:
    hits = [(p.line, p.col) for p in parsed.problems if p.code == code]
    assert len(hits) == 1, parsed.problems
    return hits[0]


def value_at(parsed: Parsed, *path: str | int) -> tuple[int, int]:
    return parsed.pos(path)


def key_at(parsed: Parsed, *path: str | int) -> tuple[int, int]:
    return parsed.pos(path, key=True)


# --- the split and exact lines ------------------------------------------------------------


def test_plain_record_lines() -> None:
    p = parse_text("---\nid: ADR-0001\nstatus: accepted\n---\n# Title\n\ntext\n")
    assert p.problems == []
    assert p.data == {"id": "ADR-0001", "status": "accepted"}
    assert (p.fm_start, p.fm_end, p.body_start) == (1, 4, 5)
    assert p.body_lines == ["# Title", "", "text"]
    assert key_at(p, "status") == (3, 1)
    assert value_at(p, "status") == (3, 9)


def test_blank_lines_after_the_opening_fence_do_not_shift_lines() -> None:
    p = parse_text("---\n\n\nid: ADR-0001\n\nstatus: acepted\n---\nbody\n")
    assert p.problems == []
    assert key_at(p, "id") == (4, 1)
    assert value_at(p, "status") == (6, 9)
    assert (p.fm_end, p.body_start) == (7, 8)
    assert p.body_lines == ["body"]


def test_crlf_line_endings() -> None:
    text = "---\r\n\r\nid: REQ-0001\r\nstatus: agreed\r\n---\r\n# Title\r\nline\r\n"
    p = parse_text(text)
    assert p.problems == []
    assert p.data == {"id": "REQ-0001", "status": "agreed"}
    assert value_at(p, "status") == (4, 9)
    assert p.fm_end == 5
    assert p.body_lines == ["# Title", "line"]  # no stray carriage returns
    body = scan_body(p.body_lines, p.body_start)
    assert [(h.text, h.line) for h in body.headings] == [("Title", 6)]


def test_bom_is_stripped_by_decode_and_lines_stay_exact() -> None:
    raw = b"\xef\xbb\xbf---\r\nid: DS-holdout\r\nstatus: ready\r\n---\r\nbody\r\n"
    text, problem = decode(raw)
    assert problem is None
    assert text is not None and not text.startswith("\ufeff")
    p = parse_text(text)
    assert p.problems == []
    assert p.data == {"id": "DS-holdout", "status": "ready"}
    assert value_at(p, "status") == (3, 9)


def test_closing_fence_may_be_dots_or_have_trailing_spaces() -> None:
    assert parse_text("---  \nid: a\n...\nbody\n").data == {"id": "a"}
    p = parse_text("---\nid: a\n---   \nbody\n")
    assert p.data == {"id": "a"} and p.body_lines == ["body"]


def test_empty_front_matter_is_an_empty_mapping() -> None:
    p = parse_text("---\n---\n# T\n")
    assert p.problems == [] and p.data == {}


# --- bad input: problems as values --------------------------------------------------------


def test_unclosed_fence() -> None:
    p = parse_text("---\nid: ADR-0001\nstatus: accepted\n\n# Title\n")
    assert codes(p) == ["PAR002"]
    assert where(p, "PAR002") == (1, 1)
    assert p.data is None


def test_no_front_matter() -> None:
    p = parse_text("# Just a heading\n\nSome text.\n")
    assert codes(p) == ["PAR001"]
    assert where(p, "PAR001") == (1, 1)
    assert p.data is None
    assert p.body_lines[0] == "# Just a heading"


@pytest.mark.parametrize("text", ["", "   \n\n\t\n", "\n"])
def test_empty_or_whitespace_only_file(text: str) -> None:
    p = parse_text(text)
    assert codes(p) == ["PAR001"]
    assert where(p, "PAR001") == (1, 1)
    assert p.data is None


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("---\nid: a\ntitle: b: c\n---\n", 3, 9),  # mapping value inside a plain scalar
        ("---\n\n\nid: a\n  bad: indent\n---\n", 5, 6),  # blank lines before it count
        ("---\r\nid: a\r\ntitle: b: c\r\n---\r\n", 3, 9),  # CRLF
        ("---\nid: a\n\tstatus: x\n---\n", 3, 1),  # a tab cannot start a token
    ],
)
def test_invalid_yaml_reports_the_yaml_line(text: str, line: int, col: int) -> None:
    p = parse_text(text)
    assert codes(p) == ["PAR003"]
    assert where(p, "PAR003") == (line, col)
    assert p.data is None


def test_invalid_yaml_at_end_of_stream_stays_inside_the_front_matter() -> None:
    # An unclosed flow sequence is detected at the end of the YAML: the closing fence line.
    p = parse_text("---\nid: a\nowners: [alice,\n---\nbody\n")
    assert codes(p) == ["PAR003"]
    line, _ = where(p, "PAR003")
    assert 3 <= line <= 4


def test_duplicate_key_points_at_the_second() -> None:
    p = parse_text("---\nid: ADR-0001\nstatus: accepted\n\nstatus: proposed\n---\n")
    assert codes(p) == ["PAR004"]
    assert where(p, "PAR004") == (5, 1)
    assert p.data is not None  # the rest of the record is still usable


def test_duplicate_key_nested_and_in_flow_mappings() -> None:
    p = parse_text("---\ncriteria:\n  - metric: recall\n    metric: precision\n---\n")
    assert where(p, "PAR004") == (4, 5)
    p = parse_text("---\nlabeling: {owner: a, owner: b}\n---\n")
    assert where(p, "PAR004") == (2, 22)


@pytest.mark.parametrize(
    ("yaml_text", "line", "col"),
    [("- a\n- b\n", 2, 1), ("just a string\n", 2, 1), ("\n\n42\n", 4, 1)],
)
def test_front_matter_that_is_not_a_mapping(yaml_text: str, line: int, col: int) -> None:
    p = parse_text("---\n" + yaml_text + "---\nbody\n")
    assert codes(p) == ["PAR005"]
    assert where(p, "PAR005") == (line, col)
    assert p.data is None


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["---", "a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append("title: boom")
    return "\n".join(lines) + "\n---\nbody\n"


def test_alias_bomb_is_refused_fast() -> None:
    text = _alias_bomb()  # 9**9 (387 million) nodes once expanded
    t0 = time.perf_counter()
    p = parse_text(text)
    elapsed = time.perf_counter() - t0
    assert codes(p) == ["PAR009"]
    assert p.data is None
    assert elapsed < 2.0
    line, col = where(p, "PAR009")
    assert 2 <= line <= 11 and col >= 1


def test_aliases_within_the_budget_are_expanded() -> None:
    p = parse_text("---\nbase: &b {owner: qa, due: 2026-01-05}\nlabeling: *b\n---\n")
    assert p.problems == []
    assert p.data == {"base": {"owner": "qa", "due": "2026-01-05"}, "labeling": {"owner": "qa", "due": "2026-01-05"}}
    assert MAX_NODES >= 1000


@pytest.mark.parametrize(
    "yaml_text",
    ["a: &a\n  b: *a\n", "a: &a [*a]\n", "a: &a\n  - x\n  - *a\n"],
)
def test_recursive_alias(yaml_text: str) -> None:
    t0 = time.perf_counter()
    p = parse_text("---\n" + yaml_text + "---\n")
    assert time.perf_counter() - t0 < 2.0
    assert "PAR009" in codes(p)
    line, col = where(p, "PAR009")
    assert line == 2 and col >= 1


def test_non_utf8_reports_the_bad_byte() -> None:
    raw = b"---\nid: MC-x\ntitle: caf" + b"\xe9" + b" menu\n---\n"
    text, problem = decode(raw)
    assert text is None and problem is not None
    assert problem.code == "PAR007"
    assert (problem.line, problem.col) == (3, 11)


def test_non_utf8_after_crlf() -> None:
    _, problem = decode(b"---\r\nid: a\r\n\r\nx: \xff\r\n---\r\n")
    assert problem is not None and problem.code == "PAR007"
    assert (problem.line, problem.col) == (4, 4)


def test_non_utf8_after_a_bom() -> None:
    _, problem = decode(b"\xef\xbb\xbf---\r\nid: a\r\n\r\nx: \xff\r\n---\r\n")
    assert problem is not None and problem.code == "PAR007"
    assert (problem.line, problem.col) == (4, 4)
    _, problem = decode(b"\xef\xbb\xbf---\n\xff\n")
    assert problem is not None and (problem.line, problem.col) == (2, 1)


def test_binary_file() -> None:
    _, problem = decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problem is not None and problem.code == "PAR007"
    assert (problem.line, problem.col) == (1, 1)


def test_plain_utf8_decodes() -> None:
    text, problem = decode("---\ntitle: Café ✓\n---\n".encode())
    assert problem is None and text == "---\ntitle: Café ✓\n---\n"


# --- YAML 1.2 scalars ---------------------------------------------------------------------

SCALARS = """---
date: 2021-03-9
when: 2026-01-05
answer: yes
Answer: Yes
switch: on
version: 1.10
quoted_version: "1.10"
hex: 0x1F
decimal: 012
count: 42
negative: -3
nothing: ~
null_word: null
empty:
flag: true
Flag: False
ratio: .5
inf: .inf
time: 1:30
underscored: 1_000
---
"""


def test_yaml_12_scalars_are_read_as_written() -> None:
    p = parse_text(SCALARS)
    assert p.problems == []
    d = p.data
    assert d is not None
    assert d["date"] == "2021-03-9" and isinstance(d["date"], str)
    assert d["when"] == "2026-01-05" and isinstance(d["when"], str)
    assert d["answer"] == "yes" and d["Answer"] == "Yes" and d["switch"] == "on"
    assert isinstance(d["version"], float) and isinstance(d["version"], YamlFloat)
    assert d["version"] == 1.1 and d["version"].raw == "1.10"
    assert d["quoted_version"] == "1.10"
    assert d["hex"] == 31 and type(d["hex"]) is int
    assert d["decimal"] == 12  # YAML 1.2: not octal
    assert d["count"] == 42 and d["negative"] == -3
    assert d["nothing"] is None and d["null_word"] is None and d["empty"] is None
    assert d["flag"] is True and d["Flag"] is False
    assert d["ratio"] == 0.5
    assert d["inf"] == float("inf")
    assert d["time"] == "1:30"  # YAML 1.1 sexagesimal is a string in 1.2
    assert d["underscored"] == "1_000"


def test_yaml_12_exponent_floats_and_octal() -> None:
    p = parse_text("---\nfpr: 1e-3\nsize: 2.5e3\nmode: 0o17\n---\n")
    d = p.data
    assert d is not None
    assert d["fpr"] == 0.001 and isinstance(d["fpr"], float)
    assert d["size"] == 2500.0
    assert d["mode"] == 15


def test_quoted_and_block_scalars_are_strings() -> None:
    p = parse_text("---\na: '42'\nb: \"true\"\nc: |\n  0x1F\nd: !!str 7\n---\n")
    assert p.data == {"a": "42", "b": "true", "c": "0x1F\n", "d": "7"}


def test_merge_key_overridden_by_an_explicit_key() -> None:
    p = parse_text("---\nbase: &b {owner: qa, due: 2026-02-01}\nlabeling:\n  <<: *b\n  owner: ml\n---\n")
    assert p.problems == []
    assert p.data is not None and p.data["labeling"] == {"owner": "ml", "due": "2026-02-01"}


def test_merge_key() -> None:
    p = parse_text("---\nbase: &b {owner: qa, due: 2026-02-01}\nlabeling:\n  <<: *b\n  tool: x\n---\n")
    assert p.problems == []
    assert p.data is not None and p.data["labeling"] == {"owner": "qa", "due": "2026-02-01", "tool": "x"}


def test_a_key_that_is_not_a_scalar() -> None:
    p = parse_text("---\nid: a\n? [x, y]\n: 1\n---\n")
    assert "PAR003" in codes(p)
    assert where(p, "PAR003") == (3, 3)


# --- positions ----------------------------------------------------------------------------

NESTED = """---
id: REQ-0003
criteria:
  - metric: precision
    dataset: DS-holdout
    launch: 0.7
  - metric: recall

    launch: 0.5
    target: 0.6
owners: [alice, bob]
constraints:
  latency_p95_ms: 80
empty_value:
next: x
---
"""


def test_positions_of_nested_keys_and_list_items() -> None:
    p = parse_text(NESTED)
    assert p.problems == []
    assert p.positions[("criteria", 1, "launch")] == (9, 5, 9, 13)
    assert p.positions[("criteria", 0, "metric")][:2] == (4, 5)
    assert value_at(p, "criteria", 0, "dataset") == (5, 14)
    assert value_at(p, "criteria", 1) == (7, 5)  # the item starts at its first key
    assert key_at(p, "criteria") == (3, 1)
    assert value_at(p, "owners", 1) == (11, 17)
    assert value_at(p, "constraints", "latency_p95_ms") == (13, 19)


def test_an_empty_value_is_placed_on_its_key_line() -> None:
    p = parse_text(NESTED)
    assert p.data is not None and p.data["empty_value"] is None
    assert value_at(p, "empty_value")[0] == 14
    assert key_at(p, "empty_value") == (14, 1)


def test_pos_falls_back_to_the_nearest_parent_then_the_fence() -> None:
    p = parse_text(NESTED)
    assert value_at(p, "criteria", 1, "slice") == (7, 5)  # no such key: its item
    assert value_at(p, "no_such_key") == (1, 1)  # the opening fence
    assert p.pos(()) == (1, 1)


def test_positions_with_crlf_bom_and_blank_lines_together() -> None:
    raw = ("\ufeff---\r\n\r\n" + NESTED[4:].replace("\n", "\r\n")).encode()
    text, problem = decode(raw)
    assert problem is None and text is not None
    p = parse_text(text)
    assert p.problems == []
    assert p.positions[("criteria", 1, "launch")] == (10, 5, 10, 13)


def test_unicode_line_separator_in_a_value_does_not_shift_lines() -> None:
    p = parse_text('---\ntitle: "a\u2028b"\nstatus: acepted\n# note \u2028 pasted\nid: x\n---\n')
    assert p.problems == []
    assert value_at(p, "status") == (3, 9)
    assert value_at(p, "id") == (5, 5)


# --- body -------------------------------------------------------------------------------

BODY = """# Title

Setext one
==========

Setext two
----------

```python
# not a heading
[no](link.md)
```

<!-- ## hidden heading
## still hidden
[no](hidden.md) -->
<!-- a --> ## not a heading either

## Real *heading* ##

See [the data](../datasets/holdout.md "Holdout") and ![chart](img/chart.png).
Inline `[no](code.md)` but [yes](b.md#part) after it.

[ref]: ../decisions/0001-x.md "Title"

**Decision**

Text under a bold label.

~~~
## in a tilde fence
~~~
    ## indented four spaces: code, not a heading
####### seven hashes is text
"""


def scanned():  # noqa: ANN201 - a Body
    return scan_body(BODY.split("\n"), 20)


def line_of(text: str) -> int:
    return 20 + BODY.split("\n").index(text)


def test_atx_and_setext_headings() -> None:
    heads = [(h.level, h.text, h.line) for h in scanned().headings]
    assert (1, "Title", 20) in heads
    assert (1, "Setext one", line_of("Setext one")) in heads
    assert (2, "Setext two", line_of("Setext two")) in heads
    # the text a reader sees: emphasis markup is not part of it
    assert (2, "Real heading", line_of("## Real *heading* ##")) in heads


def test_headings_in_code_and_comments_are_ignored() -> None:
    texts = [h.text for h in scanned().headings]
    assert not any("not a heading" in t or "hidden" in t or "tilde" in t for t in texts)
    assert not any("indented" in t or "seven" in t for t in texts)


def test_bold_only_paragraph_is_a_level_7_heading() -> None:
    heads = [(h.level, h.text, h.line) for h in scanned().headings]
    assert BOLD_LEVEL == 7
    assert (7, "Decision", line_of("**Decision**")) in heads
    # Bold text inside a paragraph is not a heading.
    body = scan_body(["Some text", "**Decision**", ""], 1)
    assert [h.level for h in body.headings] == []


def test_fences_are_recorded() -> None:
    fences = scanned().fences
    assert line_of("```python") in fences and line_of("~~~") in fences


def test_links_with_columns() -> None:
    lines = BODY.split("\n")
    links = {(link.target, link.line, link.col) for link in scanned().links}
    see = line_of('See [the data](../datasets/holdout.md "Holdout") and ![chart](img/chart.png).')
    text = lines[see - 20]
    assert ("../datasets/holdout.md", see, text.index("../datasets") + 1) in links
    assert ("img/chart.png", see, text.index("img/chart") + 1) in links
    inline = line_of("Inline `[no](code.md)` but [yes](b.md#part) after it.")
    assert ("b.md#part", inline, lines[inline - 20].index("b.md") + 1) in links
    ref = line_of('[ref]: ../decisions/0001-x.md "Title"')
    assert ("../decisions/0001-x.md", ref, 8) in links


def test_links_in_code_comments_and_inline_code_are_ignored() -> None:
    targets = {link.target for link in scanned().links}
    assert targets == {"../datasets/holdout.md", "img/chart.png", "b.md#part", "../decisions/0001-x.md"}


def test_prose_blanks_inline_code_and_skips_code_blocks() -> None:
    prose = dict(scanned().prose)
    inline = line_of("Inline `[no](code.md)` but [yes](b.md#part) after it.")
    assert "code.md" not in prose[inline]
    assert len(prose[inline]) == len(BODY.split("\n")[inline - 20])  # columns kept
    assert line_of("[no](link.md)") not in prose
    assert all("hidden" not in t for t in prose.values())


def test_multi_line_comment_then_text_on_the_closing_line() -> None:
    # CommonMark: an HTML comment block runs to the end of the line that closes it, so GitHub
    # shows neither the heading nor the link (raw HTML, not Markdown)
    body = scan_body(["<!-- start", "## hidden", "end --> [x](after.md)", "", "[y](next.md)"], 5)
    assert body.headings == ()
    assert [(link.target, link.line, link.col) for link in body.links] == [("next.md", 9, 5)]


def test_unclosed_fence_hides_the_rest() -> None:
    body = scan_body(["## A", "```", "## B", "[x](y.md)"], 1)
    assert [h.text for h in body.headings] == ["A"]
    assert body.links == ()


def test_setext_underline_after_a_list_item_is_not_a_heading() -> None:
    body = scan_body(["- item", "---"], 1)
    assert body.headings == ()
