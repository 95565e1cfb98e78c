"""`tracecard graph`: click only, registered on `tracecard.cli.cli`."""

from __future__ import annotations

import sys

import click

#: The formats of tracecard.graph.render.RENDERERS (not imported here: the CLI starts light).
FORMATS = ("mermaid", "dot")


@click.command("graph")
@click.argument("path", required=False, metavar="[PATH]",
                type=click.Path(file_okay=True, dir_okay=True))  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="mermaid", show_default=True,
              help="mermaid: a flowchart to paste into a ```mermaid block on GitHub (or use "
                   "--fence); dot: a Graphviz digraph (`dot -Tsvg`).")  # fmt: skip
@click.option("--id", "ids", multiple=True, metavar="ID",
              help="Draw only this record and its neighbourhood (repeatable; `adr-4`, a slug "
                   "and any case are read too). Exit 2 when no record has it.")  # fmt: skip
@click.option("--depth", type=click.IntRange(min=0), default=None, metavar="N",
              help="With --id: how many links away to go, following links in both directions "
                   "(0: only the records named). Default 1.")  # fmt: skip
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="Draw only records of this kind (repeatable): decision, requirement, "
                   "model_card, dataset, model_review. --id and --depth still walk every "
                   "kind.")  # fmt: skip
@click.option("--output", "-o", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the graph to FILE (atomically) instead of stdout.")
@click.option("--fence", is_flag=True,
              help="Wrap the output in a Markdown code block (```mermaid or ```dot), ready to "
                   "paste into an issue, a pull request or a .md file.")  # fmt: skip
def graph_cmd(path: str | None, fmt: str, ids: tuple[str, ...], depth: int | None,
              kinds: tuple[str, ...], output: str | None, fence: bool) -> int:  # fmt: skip
    """The records and their typed links, as a Mermaid flowchart or a Graphviz digraph.

    One node per record (its ID, title and status; the shape tells the kind) and one arrow per
    link, labelled with its relation: supersedes, superseded_by, decisions, satisfies,
    training_data, card, criteria.dataset, results.dataset, actions.record, or the rel of a
    typed link (relates-to, amends, ...). Production cards are highlighted; superseded,
    retired, deprecated and rejected records greyed; drafts and proposals dashed. A link to an
    ID no record has is drawn dashed, to a red 'missing' node (and counted on stderr).

    PATH is the repository, or any folder or file in it (default: the current folder). The
    order is sorted (records by kind, then ID), so the output diffs well when committed.
    Titles are escaped: record content cannot add a node, an edge or a line.

    \b
    Examples:
      tracecard graph --fence > docs/graph.md
      tracecard graph --id MC-fraud-detector --depth 2
      tracecard graph --format dot | dot -Tsvg > graph.svg

    Exit codes: 0 done, 2 usage error (an ID no record has, an unknown kind, --depth
    without --id).
    """
    from tracecard.graph.command import graph

    return graph(path, fmt, ids, depth, kinds, output, fence, sys.stdout, sys.stderr)
