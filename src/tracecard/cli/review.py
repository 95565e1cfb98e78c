"""`tracecard review`: the pull-request command, registered on the top-level group."""

from __future__ import annotations

import sys

import click

#: The keys of `review_report.RENDERERS` (a test keeps them equal); the command's modules are
#: imported only when it runs.
FORMATS = ("markdown", "github", "json", "text")


@click.command("review")
@click.option(
    "--base",
    required=True,
    metavar="REF",
    help="What the pull request merges into: a branch, tag or commit (origin/main).",
)
@click.option(
    "--head",
    default=None,
    metavar="REF",
    help="The pull request's tip; default HEAD, the checked-out commit. Another REF "
    "must be an ancestor of the checkout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="markdown for a pull-request comment, github for workflow annotations, "
    "json for tools, text for a terminal.",
)
@click.option(
    "--link-base",
    default="",
    metavar="URL",
    help="Prefix for file links in markdown, e.g. "
    "https://github.com/OWNER/REPO/blob/SHA/ (default: relative paths).",
)
def review_cmd(base: str, head: str | None, fmt: str, link_base: str) -> int:
    """What a pull request changes in the records, from the merge-base of BASE and HEAD.

    New, changed and deleted records; status transitions and whether the lifecycle allows
    them; requirement thresholds that changed and the decision that explains each; model
    card results that got better or worse; the launch gate before and after; the model reviews
    added or changed (card and version reviewed, participants, failure types found). The
    findings are those of the history rules (HIS, MRV006) that commits of the range brought
    in, HIS006 for a record deleted instead of retired, and what `tracecard check` finds in
    the records the range touched and in those that link to them.

    Uncommitted changes are not part of the review. A shallow clone needs the merge-base:
    check out with fetch-depth: 0.

    Exit codes: 0 no error finding, 1 an error finding, 2 usage error (unknown REF, not a git
    repository, shallow clone without the merge-base).
    """
    from tracecard.review.command import review

    return review(base, head, fmt, sys.stdout, link_base)
