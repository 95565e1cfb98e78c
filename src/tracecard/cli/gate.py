"""`tracecard card check`: the launch gate's click command, registered on the `card` group."""

from __future__ import annotations

import sys

import click

#: The formats of tracecard.gate.render.RENDERERS (not imported here: the CLI starts light).
FORMATS = ("text", "markdown", "json", "github")


@click.command("check")
@click.argument("targets", nargs=-1, metavar="[ID|PATH]...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True,
              help="text for a terminal, markdown for a pull-request comment, json for tools, "
                   "github for workflow annotations.")  # fmt: skip
def card_check_cmd(targets: tuple[str, ...], fmt: str) -> int:
    """The launch gate: each model card's results against the agreed requirements it satisfies.

    One table per card: requirement, criterion (metric on dataset/split/slice), launch,
    target, actual, verdict (PASS, BELOW TARGET, FAIL, MISSING), then the findings with their
    lines, including the data handoffs (evaluation data ready, product-defined share,
    production sample), and every other error or warning `tracecard check` reports in the
    files the card's launch rests on (the card, its requirements, its datasets, its model
    reviews), so that the two commands never disagree. Draft cards are shown but never fail.

    With no arguments, every card that is not retired. A card ID or file checks that card; a
    requirement or dataset (ID or file) checks the cards that depend on it; other files are
    ignored, so pre-commit can pass the changed files.

    Exit codes: 0 the gate passes, 1 a candidate or production card fails it, 2 usage error.
    """
    from tracecard.gate.command import card_check

    return card_check(targets, fmt, sys.stdout)
