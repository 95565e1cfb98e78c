"""`tracecard graph`: the typed links of examples/shop as Mermaid and DOT, filtering by ID,
depth and kind, broken links, exit codes, and output that record content cannot forge (each
output is parsed back by the small parsers below, which accept only what the renderers write)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracecard.cli import main
from tracecard.graph.build import Edge, Graph, Node
from tracecard.graph.render import (
    DOT_FOOTER,
    DOT_HEADER,
    MERMAID_HEADER,
    clean,
    dot,
    mermaid,
    short,
)
from tracecard.model.records import Kind

SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


Cli = Callable[..., Run]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(["graph", *argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "internal error" not in err, err
        return Run(code, out, err)

    return run


# --- parsers for our own output --------------------------------------------------------------


@dataclass
class Parsed:
    labels: dict[str, list[str]]  # generated node id -> label lines, unescaped
    classes: dict[str, str | None]  # generated node id -> style class
    edges: list[tuple[str, str, str, bool]]  # (source id, relation, target id, dashed)

    def by_record(self) -> dict[str, str]:
        """Record ID (the label's first line) -> generated node id."""
        return {lines[0]: nid for nid, lines in self.labels.items()}

    def record_edges(self) -> set[tuple[str, str, str]]:
        name = {nid: lines[0] for nid, lines in self.labels.items()}
        return {(name[s], rel, name[t]) for s, rel, t, _ in self.edges}

    def cls(self, rid: str) -> str | None:
        return self.classes[self.by_record()[rid]]


_MERMAID_NODE = re.compile(
    r'    (n\d+)(\[|\(\[|\[\[|\[\(|\{\{)"([^"\n]*)"(\]|\]\)|\]\]|\)\]|\}\})(?::::([a-z]+))?'
)
_MERMAID_EDGE = re.compile(r'    (n\d+) (-->|-\.->)\|"([^"\n]*)"\| (n\d+)')
_MERMAID_PAIRS = {"[": "]", "([": "])", "[[": "]]", "[(": ")]", "{{": "}}"}
# what a label may hold: safe ASCII, entity codes, anything beyond ASCII (control characters
# excepted, asserted separately)
_MERMAID_LABEL = re.compile(r"(?:[A-Za-z0-9 .,:\-_/'()+=?!@*~]|#\d+;|[^\x00-\x7f])*")


def _unentity(text: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)


def parse_mermaid(text: str) -> Parsed:
    """Every line is the header, one node or one edge; anything else fails the test."""
    lines = text.splitlines()
    assert text.endswith("\n")
    assert tuple(lines[: len(MERMAID_HEADER)]) == MERMAID_HEADER
    out = Parsed({}, {}, [])
    for line in lines[len(MERMAID_HEADER):]:
        node = _MERMAID_NODE.fullmatch(line)
        edge = _MERMAID_EDGE.fullmatch(line)
        assert node or edge, f"not a node or an edge: {line!r}"
        if node:
            nid, opening, label, closing, cls = node.groups()
            assert _MERMAID_PAIRS[opening] == closing and nid not in out.labels
            parts = label.split("<br/>")
            for part in parts:
                assert _MERMAID_LABEL.fullmatch(part), part
            out.labels[nid] = [_unentity(p) for p in parts]
            out.classes[nid] = cls
        elif edge:
            src, arrow, rel, dst = edge.groups()
            assert _MERMAID_LABEL.fullmatch(rel), rel
            out.edges.append((src, _unentity(rel), dst, arrow == "-.->"))
    for src, _, dst, _ in out.edges:
        assert src in out.labels and dst in out.labels
    return out


_DOT_TOKEN = re.compile(r'\s+|"(?:[^"\\\n]|\\.)*"|->|[A-Za-z_][A-Za-z0-9_]*|\d+|[\[\],;={}]')


def _dot_string(token: str) -> str:
    """A DOT string's text: `\\n` a line break, `\\X` the character X, `&amp;` an ampersand."""
    assert token.startswith('"') and token.endswith('"'), token
    unescaped = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), token[1:-1])
    assert "&" not in unescaped.replace("&amp;", ""), token  # no entity but the escaped `&`
    return unescaped.replace("&amp;", "&")


def _dot_attrs(tokens: list[str]) -> dict[str, str]:
    assert tokens[0] == "[" and tokens[-1] == "]", tokens
    attrs = {}
    body = tokens[1:-1]
    while body:
        key, eq, value, *rest = body
        assert re.fullmatch(r"[a-z]+", key) and eq == "=", body
        attrs[key] = value
        body = rest
        if body:
            assert body[0] == ",", body
            body = body[1:]
    return attrs


def parse_dot(text: str) -> Parsed:
    """One statement per line between the fixed header and footer: a node `nK [..];` or an
    edge `nI -> nJ [..];`; the labels' strings are tokenized as DOT reads them."""
    lines = text.splitlines()
    assert text.endswith("\n")
    head, foot = len(DOT_HEADER), len(DOT_FOOTER)
    assert tuple(lines[:head]) == DOT_HEADER and tuple(lines[-foot:]) == DOT_FOOTER
    out = Parsed({}, {}, [])
    for line in lines[head:-foot]:
        pos, tokens = 0, []
        while pos < len(line):
            m = _DOT_TOKEN.match(line, pos)
            assert m, f"cannot tokenize {line[pos:]!r}"
            if not m.group().isspace():
                tokens.append(m.group())
            pos = m.end()
        assert tokens[-1] == ";" and ";" not in tokens[:-1] and "{" not in tokens, line
        if tokens[1] == "->":
            src, _, dst, *rest = tokens[:-1]
            attrs = _dot_attrs(rest)
            out.edges.append((src, _dot_string(attrs["label"]), dst, attrs.get("style") == "dashed"))
        else:
            nid, *rest = tokens[:-1]
            assert re.fullmatch(r"n\d+", nid) and nid not in out.labels, line
            attrs = _dot_attrs(rest)
            out.labels[nid] = _dot_string(attrs["label"]).split("\n")
            cls = attrs.get("class")
            out.classes[nid] = _dot_string(cls) if cls else None
    for src, _, dst, _ in out.edges:
        assert src in out.labels and dst in out.labels
    return out


PARSERS = {"mermaid": parse_mermaid, "dot": parse_dot}


# --- examples/shop -------------------------------------------------------------------------

SHOP_EDGES = {
    ("ADR-0004", "supersedes", "ADR-0002"),
    ("ADR-0002", "superseded_by", "ADR-0004"),
    ("ADR-0004", "relates-to", "REQ-0001"),
    ("REQ-0002", "decisions", "ADR-0003"),
    ("REQ-0001", "criteria.dataset", "DS-recs-holdout"),
    ("MC-fraud-detector", "satisfies", "REQ-0002"),
    ("MC-fraud-detector", "decisions", "ADR-0005"),
    ("MC-fraud-detector", "training_data", "DS-fraud-training"),
    ("MC-fraud-detector", "results.dataset", "DS-fraud-holdout"),
    ("MC-recs-ranker", "satisfies", "REQ-0001"),
    ("MR-0001", "card", "MC-fraud-detector"),
    ("MR-0001", "actions.record", "ADR-0005"),
    ("MR-0002", "actions.record", "DS-recs-holdout"),
}
SHOP_RECORDS = 17
SHOP_LINKS = 29  # distinct (source, relation, target)


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_shop_edges_and_labels(cli: Cli, fmt: str) -> None:
    res = cli(str(SHOP), "--format", fmt)
    assert res.code == 0 and res.err == ""
    parsed = PARSERS[fmt](res.out)
    assert len(parsed.labels) == SHOP_RECORDS and len(parsed.edges) == SHOP_LINKS
    edges = parsed.record_edges()
    assert SHOP_EDGES <= edges
    assert len(edges) == len(parsed.edges)  # the same link written twice is one edge
    assert not any(dashed for *_, dashed in parsed.edges)  # the example has no broken link
    ranker = parsed.labels[parsed.by_record()["MC-recs-ranker"]]
    assert ranker == ["MC-recs-ranker", "Recommendation ranker", "status: candidate"]
    # ADR-0005 has no `id:` or `title:` key: its ID comes from the file, its title from the H1
    assert parsed.labels[parsed.by_record()["ADR-0005"]][1] == (
        "Deprioritise friendly fraud in the checkout fraud model")


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_shop_status_styles(cli: Cli, fmt: str) -> None:
    parsed = PARSERS[fmt](cli(str(SHOP), "--format", fmt).out)
    assert parsed.cls("ADR-0002") == "inactive"  # superseded: greyed
    assert parsed.cls("MC-fraud-detector") == "production"
    assert parsed.cls("MC-recs-ranker") == "candidate"
    assert parsed.cls("MC-recs-session-transformer") == "draft"
    assert parsed.cls("ADR-0001") is None and parsed.cls("DS-fraud-holdout") is None


def test_shop_shapes_and_dashes_in_mermaid(cli: Cli) -> None:
    out = cli(str(SHOP)).out
    ids = parse_mermaid(out).by_record()
    assert f'    {ids["ADR-0002"]}["ADR-0002<br/>' in out  # decision: rectangle
    assert f'    {ids["REQ-0001"]}(["REQ-0001<br/>' in out  # requirement: stadium
    assert f'    {ids["MC-fraud-detector"]}[["MC-fraud-detector<br/>' in out  # card: subroutine
    assert f'    {ids["DS-recs-holdout"]}[("DS-recs-holdout<br/>' in out  # dataset: cylinder
    assert f'    {ids["MR-0001"]}{{{{"MR-0001<br/>' in out  # review: hexagon
    assert f'    {ids["ADR-0004"]} -->|"supersedes"| {ids["ADR-0002"]}\n' in out


def test_order_is_sorted_and_stable(cli: Cli) -> None:
    first = cli(str(SHOP)).out
    assert cli(str(SHOP)).out == first
    parsed = parse_mermaid(first)
    order = [lines[0] for lines in parsed.labels.values()]
    assert order[:6] == [f"ADR-000{i}" for i in range(1, 7)]
    assert order[6:8] == ["REQ-0001", "REQ-0002"] and order[-2:] == ["MR-0001", "MR-0002"]
    assert list(parsed.labels) == [f"n{i}" for i in range(SHOP_RECORDS)]
    sources = [int(s[1:]) for s, *_ in parsed.edges]
    assert sources == sorted(sources)


def test_path_defaults_to_the_current_folder(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SHOP / "docs" / "decisions")
    assert cli().out == cli(str(SHOP)).out


# --- --id, --depth, --kind -------------------------------------------------------------------


def records(res: Run) -> set[str]:
    assert res.code == 0, res.err
    return {lines[0] for lines in parse_mermaid(res.out).labels.values()}


def test_depth_walks_links_both_ways(cli: Cli) -> None:
    assert records(cli(str(SHOP), "--id", "ADR-0002", "--depth", "0")) == {"ADR-0002"}
    res = cli(str(SHOP), "--id", "ADR-0002")  # depth 1 by default
    assert records(res) == {"ADR-0002", "ADR-0004"}
    assert parse_mermaid(res.out).record_edges() == {
        ("ADR-0004", "supersedes", "ADR-0002"), ("ADR-0002", "superseded_by", "ADR-0004")}
    # depth 2: what links to ADR-0004 (cards) and what it links to (REQ-0001), both ways
    assert records(cli(str(SHOP), "--id", "ADR-0002", "--depth", "2")) == {
        "ADR-0002", "ADR-0004", "REQ-0001", "MC-recs-ranker", "MC-recs-session-transformer"}
    # a review: the card it reviews and the records its actions name, nothing further
    assert records(cli(str(SHOP), "--id", "MR-0001", "--depth", "1")) == {
        "MR-0001", "MC-fraud-detector", "ADR-0005", "DS-fraud-holdout"}
    # any depth: the whole connected part, the fraud records only
    assert records(cli(str(SHOP), "--id", "MR-0001", "--depth", "99")) == {
        "MR-0001", "MC-fraud-detector", "ADR-0005", "DS-fraud-holdout", "ADR-0003", "REQ-0002",
        "DS-fraud-training"}


def test_several_ids_and_spellings(cli: Cli) -> None:
    res = cli(str(SHOP), "--id", "adr-1", "--id", "fraud-training", "--depth", "0")
    assert records(res) == {"ADR-0001", "DS-fraud-training"}
    assert parse_mermaid(res.out).edges == []
    # depth 0 keeps the links between the records named
    res = cli(str(SHOP), "--id", "MC-fraud-detector", "--id", "REQ-0002", "--depth", "0")
    assert parse_mermaid(res.out).record_edges() == {("MC-fraud-detector", "satisfies", "REQ-0002")}


def test_kind_filter(cli: Cli) -> None:
    res = cli(str(SHOP), "--kind", "decision")
    assert records(res) == {f"ADR-000{i}" for i in range(1, 7)}
    assert {rel for _, rel, _, _ in parse_mermaid(res.out).edges} == {"supersedes",
                                                                      "superseded_by"}
    res = cli(str(SHOP), "--kind", "card", "--kind", "DATASET")
    assert records(res) == {"MC-fraud-detector", "MC-recs-ranker", "MC-recs-session-transformer",
                            "DS-fraud-holdout", "DS-fraud-training", "DS-recs-holdout",
                            "DS-recs-interactions"}  # fmt: skip
    assert ("MC-fraud-detector", "training_data", "DS-fraud-training") in parse_mermaid(
        res.out).record_edges()
    # the walk crosses every kind; --kind picks what is drawn
    res = cli(str(SHOP), "--id", "MR-0001", "--depth", "2", "--kind", "decision")
    assert records(res) == {"ADR-0003", "ADR-0005"}
    assert parse_mermaid(res.out).edges == []


def test_empty_selection_says_so(cli: Cli) -> None:
    res = cli(str(SHOP), "--id", "ADR-0001", "--kind", "dataset")
    assert res.code == 0 and "empty" in res.err
    assert res.out == "\n".join(MERMAID_HEADER) + "\n"


# --- output options ------------------------------------------------------------------------


def test_fence_and_output_file(cli: Cli, tmp_path: Path) -> None:
    bare = cli(str(SHOP)).out
    fenced = cli(str(SHOP), "--fence").out
    assert fenced == f"```mermaid\n{bare}```\n"
    assert not any(ln.startswith("`") for ln in bare.splitlines())
    assert cli(str(SHOP), "--format", "dot", "--fence").out.startswith("```dot\n// tracecard")
    target = tmp_path / "graph.mmd"
    res = cli(str(SHOP), "--output", str(target))
    assert res.code == 0 and res.out == "" and "wrote" in res.err
    assert target.read_text(encoding="utf-8") == bare


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_reads_the_dot_output(cli: Cli, hostile: Path) -> None:
    for root in (SHOP, hostile):
        out = cli(str(root), "--format", "dot").out
        done = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True,
                              timeout=60)  # fmt: skip
        assert done.returncode == 0 and "<svg" in done.stdout, done.stderr


# --- exit codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--id", "ADR-0042"], "unknown ID 'ADR-0042'"),
        (["--id", "ADR-0001", "--id", "MC-nope"], "unknown ID 'MC-nope'"),
        (["--depth", "2"], "--depth"),
        (["--id", "ADR-0001", "--depth", "-1"], "-1"),
        (["--kind", "spreadsheet"], "unknown kind 'spreadsheet'"),
        (["--format", "svg"], "svg"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, argv: list[str], message: str) -> None:
    res = cli(str(SHOP), *argv)
    assert res.code == 2 and res.out == "" and message in res.err


def test_missing_path_exits_2(cli: Cli, tmp_path: Path) -> None:
    res = cli(str(tmp_path / "nowhere"))
    assert res.code == 2 and "no such file or folder" in res.err


def test_an_id_only_links_name_is_unknown(cli: Cli, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"docs/model-cards/c.md": "---\nid: MC-c\nstatus: draft\n"
                                               "satisfies: [REQ-0099]\n---\n# C\n"})
    res = cli(str(root), "--id", "REQ-0099")
    assert res.code == 2 and "no record has it" in res.err


def test_unwritable_output_exits_2(cli: Cli, tmp_path: Path) -> None:
    res = cli(str(SHOP), "--output", str(tmp_path / "no" / "such" / "folder" / "g.mmd"))
    assert res.code == 2 and "cannot write" in res.err and res.out == ""


def test_a_duplicate_id_is_one_node_with_the_links_of_both(
    cli: Cli, make_repo: Callable[..., Path]
) -> None:
    root = make_repo({
        "docs/decisions/0001-a.md": "---\nid: ADR-0001\nstatus: accepted\n---\n# A\n",
        "docs/decisions/0002-b.md": "---\nid: ADR-0002\nstatus: accepted\n"
                                    "supersedes: [ADR-0001]\n---\n# B\n",
        "docs/decisions/0003-c.md": "---\nid: ADR-0002\nstatus: accepted\n"
                                    "links: [{rel: amends, id: ADR-0001}]\n---\n# C\n",
    })  # fmt: skip
    parsed = parse_mermaid(cli(str(root)).out)
    assert [lines[0] for lines in parsed.labels.values()] == ["ADR-0001", "ADR-0002"]
    assert parsed.record_edges() == {("ADR-0002", "supersedes", "ADR-0001"),
                                     ("ADR-0002", "amends", "ADR-0001")}  # fmt: skip


def test_graph_is_a_registered_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert re.search(r"^\s+graph\s", capsys.readouterr().out, re.MULTILINE)


# --- broken links --------------------------------------------------------------------------

BROKEN = {
    "docs/model-cards/c.md": "---\nid: MC-c\ntitle: Card\nstatus: candidate\n"
                             "satisfies: [REQ-0099]\ntraining_data: [DS-here]\n---\n# C\n",
    "docs/datasets/here.md": "---\nid: DS-here\nstatus: ready\npurpose: training\n---\n# Here\n",
    "docs/decisions/0001-a.md": "---\nid: ADR-0001\nstatus: accepted\n"
                                "links: [{rel: amends, id: ADR-0077}]\n---\n# A\n",
}


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_broken_links_are_dashed_to_a_missing_node(
    cli: Cli, make_repo: Callable[..., Path], fmt: str
) -> None:
    res = cli(str(make_repo(BROKEN)), "--format", fmt)
    assert res.code == 0 and "2 links name a record that does not exist" in res.err
    parsed = PARSERS[fmt](res.out)
    assert parsed.record_edges() == {("MC-c", "satisfies", "REQ-0099"),
                                     ("MC-c", "training_data", "DS-here"),
                                     ("ADR-0001", "amends", "ADR-0077")}  # fmt: skip
    name = {nid: lines[0] for nid, lines in parsed.labels.items()}
    dashed = {(name[s], name[t]) for s, _, t, d in parsed.edges if d}
    assert dashed == {("MC-c", "REQ-0099"), ("ADR-0001", "ADR-0077")}
    assert parsed.cls("REQ-0099") == "missing" and parsed.cls("ADR-0077") == "missing"
    assert parsed.labels[parsed.by_record()["REQ-0099"]][1].startswith("missing")
    assert list(name.values())[-2:] == ["ADR-0077", "REQ-0099"]  # missing IDs last, sorted


def test_broken_links_follow_their_record_through_kind(
    cli: Cli, make_repo: Callable[..., Path]
) -> None:
    root = make_repo(BROKEN)
    assert records(cli(str(root), "--kind", "model_card")) == {"MC-c", "REQ-0099"}
    assert records(cli(str(root), "--kind", "dataset")) == {"DS-here"}


# --- escaping ------------------------------------------------------------------------------

HOSTILE_TITLES = [
    'quote " and ]"] --> n0["forged"]',
    "line\nbreak\n    n0 --> n1\r\n%% comment\u2028sep",
    "<script>alert(1)</script> <b>bold</b> &amp; & #quot; #35;",
    "pipe | edge |\"label\"| n1; n2 -> n3 [label=x]; }",
    "```\n```mermaid\ngraph TD\n`code`",
    "%%{init: {'theme': 'dark'}}%% click n0 call alert()",
    'back\\slash \\" \\n \\N \\G end \x1b[2J \u202eevil\u202c zero\u200bwidth',
    "Ünïcödé 漢字 emoji \U0001f680 — ok",
    "{{hex}} ([stadium]) [(cyl)] [[sub]] :::production",
]


def _yaml(text: str) -> str:
    """`text` as a YAML double-quoted scalar, everything but printable ASCII escaped."""
    out = []
    for ch in text:
        if " " <= ch <= "~" and ch not in '"\\':
            out.append(ch)
        else:
            out.append(f"\\U{ord(ch):08x}" if ord(ch) > 0xFFFF else f"\\u{ord(ch):04x}")
    return '"' + "".join(out) + '"'


@pytest.fixture
def hostile(make_repo: Callable[..., Path]) -> Path:
    files = {}
    for i, title in enumerate(HOSTILE_TITLES, start=1):
        files[f"docs/decisions/{i:04d}-x.md"] = (
            f"---\nid: ADR-{i:04d}\ntitle: {_yaml(title)}\nstatus: {_yaml(title)}\n"
            f"links: [{{rel: {_yaml(title)}, id: {_yaml(title)}}}]\n---\n# x\n")
    files["docs/decisions/0001-x.md"] = files["docs/decisions/0001-x.md"].replace(
        "links: [", "supersedes: [ADR-0002]\nlinks: [")
    return make_repo(files)


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
@pytest.mark.parametrize("fence", [False, True])
def test_hostile_titles_forge_nothing(cli: Cli, hostile: Path, fmt: str, fence: bool) -> None:
    res = cli(str(hostile), "--format", fmt, *(["--fence"] if fence else []))
    assert res.code == 0
    out = res.out
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u200b]", out)
    if fence:
        lines = out.splitlines()
        assert lines[0] == f"```{fmt}" and lines[-1] == "```"
        assert not any(ln.startswith("`") for ln in lines[1:-1])  # the fence cannot close early
        out = "\n".join(lines[1:-1]) + "\n"
    parsed = PARSERS[fmt](out)
    n = len(HOSTILE_TITLES)
    # every record, every title-named missing ID, one typed link each plus the supersedes
    assert len(parsed.labels) == 2 * n and len(parsed.edges) == n + 1
    header = len(MERMAID_HEADER) if fmt == "mermaid" else len(DOT_HEADER) + len(DOT_FOOTER)
    assert len(out.splitlines()) == header + 2 * n + n + 1
    ids = parsed.by_record()
    for i, title in enumerate(HOSTILE_TITLES, start=1):
        label = parsed.labels[ids[f"ADR-{i:04d}"]]
        assert label[1] == clean(title)[:80] or label[1].endswith("\u2026")
        assert label[2] == f"status: {short(clean(title.lower()), 30)}"
        assert (f"ADR-{i:04d}", clean(title), clean(title)) in parsed.record_edges()
    assert ("ADR-0001", "supersedes", "ADR-0002") in parsed.record_edges()


def test_mermaid_labels_hold_no_syntax(hostile: Path, cli: Cli) -> None:
    out = cli(str(hostile)).out
    for line in out.splitlines()[len(MERMAID_HEADER):]:
        inside = re.findall(r'"([^"]*)"', line)
        assert inside, line
        for text in inside:
            bare = re.sub(r"#\d+;", "", text.replace("<br/>", ""))
            assert not re.search(r"[\"<>\[\]|`%;&{}\\#]", bare), line


# --- property: what the graph holds is what the output holds --------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    kinds = [*Kind, None]
    count = draw(st.integers(min_value=0, max_value=6))
    nodes = []
    for i in range(count):
        missing = draw(st.booleans())
        nodes.append(Node(
            id=f"{draw(_text)}#{i}",  # unique, and anything at all
            kind=draw(st.sampled_from(kinds)),
            title=None if missing else draw(st.one_of(st.none(), _text)),
            status=None if missing else draw(st.one_of(st.none(), _text, st.sampled_from(
                ["production", "superseded", "draft", "candidate", "accepted"]))),
            missing=missing,
        ))
    edges: set[Edge] = set()
    if nodes:
        pick = st.sampled_from([n.id for n in nodes])
        for _ in range(draw(st.integers(min_value=0, max_value=8))):
            edges.add(Edge(draw(pick), draw(_text), draw(pick), draw(st.booleans())))
    return Graph(nodes, sorted(edges))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_output_holds_exactly_the_graph(graph: Graph) -> None:
    for fmt, render in (("mermaid", mermaid), ("dot", dot)):
        out = render(graph)
        parsed = PARSERS[fmt](out)
        assert len(parsed.labels) == len(graph.nodes)
        assert len(parsed.edges) == len(graph.edges)
        header = len(MERMAID_HEADER) if fmt == "mermaid" else len(DOT_HEADER) + len(DOT_FOOTER)
        assert len(out.splitlines()) == header + len(graph.nodes) + len(graph.edges)
        # labels read back as the content, cleaned: escaping loses nothing but control chars
        for nid, node in zip(parsed.labels, graph.nodes):
            assert parsed.labels[nid][0] == (short(clean(node.id)) or "?")
        ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
        assert sorted((s, r, t) for s, r, t, _ in parsed.edges) == sorted(
            (ids[e.source], clean(e.relation) or "?", ids[e.target]) for e in graph.edges)
        assert [d for *_, d in parsed.edges] == [e.broken for e in graph.edges]


# --- docs/graph.md: the examples are what the command prints --------------------------------

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "graph.md"
_EXAMPLE = re.compile(r"(<!-- example: (.*?) -->\n)(.*?)(<!-- /example -->)", re.DOTALL)


def _printed(argv: list[str]) -> str:
    import contextlib
    import io
    import os

    buffer, here = io.StringIO(), Path.cwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(buffer):
            assert main(argv) == 0
    finally:
        os.chdir(here)
    return buffer.getvalue()


def documented(text: str) -> str:
    """docs/graph.md with each example block replaced by what its command prints now."""
    return _EXAMPLE.sub(lambda m: m.group(1) + _printed(m.group(2).split()) + m.group(4), text)


def test_docs_examples_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert len(_EXAMPLE.findall(text)) == 2
    assert documented(text) == text, (
        "docs/graph.md is stale: run `.venv/bin/python tests/test_graph.py --write-docs`")


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] == ["--write-docs"]:
        DOC.write_text(documented(DOC.read_text(encoding="utf-8")), encoding="utf-8")
