"""Record content cannot forge output: every command, every format, on a repository whose titles,
statuses and file names carry workflow commands, escape sequences, HTML and Markdown."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tracecard.cli import main

FORGED = "::error file=README.md,line=1::FAKE"
TITLE = ("T \x1b[2J\x1b]0;pwned\x07 \x9b31m <img src=x onerror=alert(1)> <script>x</script> "
         "``` [a](http://evil.example) \u202e \u2028 |cell|")  # fmt: skip
STATUS = f"proposed\n{FORGED}"


def q(text: str) -> str:
    return json.dumps(text)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "repo"
    files = {
        "docs/decisions/0001-a.md": f"---\nid: ADR-0001\ntitle: {q(TITLE)}\nstatus: {q(STATUS)}\n"
                                    "---\n# x\n\n## Context\n\nc\n\n## Decision\n\nd\n",
        f"docs/decisions/0002-b\n{FORGED}.md": "---\nid: ADR-0002\nstatus: accepted\n---\n# x\n",
        "docs/model-cards/[a](http:evil)```<b>/card.md":
            f"---\nid: MC-card\ntitle: {q(TITLE)}\nstatus: candidate\nsatisfies: [REQ-0001]\n"
            "results:\n  - {metric: precision, dataset: DS-x, value: 0.5}\n---\n# c\n",
        "docs/requirements/0001-r.md":
            f"---\nid: REQ-0001\ntitle: {q(TITLE)}\nstatus: agreed\nproduct_requirement: x\n"
            "criteria:\n  - {metric: precision, dataset: DS-x, launch: 0.9}\n---\n# r\n",
        "docs/datasets/x.md": f"---\nid: DS-x\ntitle: {q(TITLE)}\nstatus: ready\n"
                              "purpose: evaluation\n---\n# d\n",
        "docs/model-reviews/0001-r.md":
            f"---\nid: MR-0001\ntitle: {q(TITLE)}\nstatus: held\ndate: 2026-01-01\n"
            f"card: MC-card\nversion: {q(TITLE)}\nparticipants: [{{name: {q(TITLE)}, role: {q(STATUS)}}}]\n"
            f"examples: [{{ref: {q(TITLE)}, failure_type: {q(TITLE)}, severity: {q(STATUS)}}}]\n"
            f"actions: [{{kind: {q(STATUS)}, record: {q(TITLE)}, item: {q(TITLE)}}}]\n---\n# m\n",
    }
    env = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "A",
           "GIT_COMMITTER_EMAIL": "a@x", "PATH": "/usr/bin:/bin"}  # fmt: skip
    root.mkdir(parents=True)
    (root / "tracecard.toml").write_text("")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "start"], cwd=root, env=env,
                   check=True)  # fmt: skip
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", f"evil\n{FORGED}"], cwd=root, env=env,
                   check=True)  # fmt: skip
    return root


COMMANDS = [
    *[["check", "--format", f] for f in ("text", "json", "github", "sarif")],
    *[["card", "check", "--format", f] for f in ("text", "markdown", "json", "github")],
    *[["review", "--base", "HEAD~1", "--format", f] for f in ("text", "markdown", "json", "github")],
    *[["index", "--format", f] for f in ("json", "markdown")],
    ["adr", "list"], ["card", "list"], ["adr", "list", "--format", "json"],
    ["history", "ADR-0001"], ["history", "MC-card"], ["history", "MR-0001"],
    ["model-review", "list"], ["model-review", "list", "--format", "json"],
    ["graph"], ["graph", "--format", "dot"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_no_output_is_forged(argv: list[str], hostile: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.chdir(hostile)
    monkeypatch.setenv("FORCE_COLOR", "")
    monkeypatch.setenv("NO_COLOR", "1")
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    for stream in (out, err):
        assert "Traceback" not in stream and "internal error" not in stream
        # nothing that acts on a terminal: no C0 control but newline, no DEL, no C1, no bidi
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\x80-\x9f\u2028\u2029\u202a-\u202e]", stream)
        for line in stream.splitlines():  # no line that record content began
            assert not line.startswith(("::error file=README", "::error::", "FAKE"))
    fmt = argv[argv.index("--format") + 1] if "--format" in argv else "text"
    if fmt in ("json", "sarif"):
        json.loads(out)
    if fmt == "github":
        ours = [ln for ln in out.splitlines() if ln.startswith("::")]
        assert all(re.match(r"::(error|warning|notice) file=[^:\n]*::", ln) for ln in ours)
    if fmt == "markdown":
        check_markdown(out)


def check_markdown(out: str) -> None:
    """Read the output as GitHub would (CommonMark and tables): no HTML, no image, no link but
    tracecard's own (to a record's file, percent-encoded), no URL left in plain text for
    GitHub's autolinker."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    for tok in tokens:
        assert tok.type != "html_block", tok.content
        for child in _walk(tok.children or []):
            if child.type == "html_inline":  # only tracecard's own <sub> around the range
                assert child.content in ("<sub>", "</sub>"), child.content
            assert child.type != "image", child.content
            if child.type == "link_open":
                href = child.attrs["href"]
                assert isinstance(href, str) and "://" not in href and " " not in href, href
            if child.type == "text":
                assert not re.search(r"(?i)\b(https?://|www\.)", child.content), child.content


def _walk(children: list) -> list:  # type: ignore[type-arg]
    out = []
    for child in children:
        out.append(child)
        out += _walk(child.children or [])
    return out
