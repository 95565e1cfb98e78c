"""The record groups (adr, req, card, dataset, model-review) and the commands that write records: click only.

Each command turns its options into the arguments of one plain function in
`tracecard.edit` and returns that function's exit code.
"""

from __future__ import annotations

import sys

import click

from tracecard.model.lifecycles import TRANSITIONS
from tracecard.model.records import Kind


@click.group("adr")
def adr_group() -> None:
    """Decision records: create, supersede, link, accept, reject, deprecate, list."""


@click.group("req")
def req_group() -> None:
    """Requirement translations: create, agree, reopen, retire, list."""


@click.group("card")
def card_group() -> None:
    """Model cards: create, promote, list, and the launch gate (`card check`)."""


@click.group("dataset")
def dataset_group() -> None:
    """Dataset sheets: create, promote, list."""


@click.group("model-review")
def model_review_group() -> None:
    """Model reviews (MR-NNNN): product and ML people look at a card's actual wrong outputs
    together and record the failure types found and what was decided. Create, hold, list.

    Not to be confused with `tracecard review`, which reviews a pull request.
    """


_LINK_HELP = (
    "Add a typed link REL:ID (amends:ADR-0003, relates-to:REQ-0002); the target gets the "
    "reverse relation (amended-by, relates-to). Repeatable."
)
_EDIT_HELP = "Open the new record in $VISUAL or $EDITOR."


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def init_cmd(directory: str | None) -> int:
    """Set up DIRECTORY (default: here) for tracecard: tracecard.toml, the record folders
    and the templates in .tracecard/templates/ for your team to edit.

    Nothing that exists is overwritten; running it again changes nothing.
    """
    from tracecard.edit.init import init

    return init(directory, sys.stdout)


# -- new ------------------------------------------------------------------------------------


def _new(kind: Kind, title: str, links: tuple[str, ...], open_editor: bool,
         supersedes: tuple[str, ...] = (), slug: str | None = None,
         card: str | None = None, version: str | None = None) -> int:  # fmt: skip
    from tracecard.edit.new import new_record

    return new_record(kind, title, sys.stdout, sys.stderr, supersedes, links, slug, open_editor,
                      card=card, version=version)  # fmt: skip


@adr_group.command("new")
@click.argument("title")
@click.option("--supersedes", multiple=True, metavar="ID",
              help="A decision this one replaces: it becomes superseded by the new one. "
                   "Repeatable.")
@click.option("--link", "links", multiple=True, metavar="REL:ID", help=_LINK_HELP)
@click.option("--edit", "open_editor", is_flag=True, help=_EDIT_HELP)
def adr_new_cmd(
    title: str, supersedes: tuple[str, ...], links: tuple[str, ...], open_editor: bool
) -> int:
    """Create the next decision record, NNNN-slugged-title.md, and print its path.

    The number is one more than the highest in the folder or on any local or remote-tracking
    branch (a skipped number is reported with the branch that holds it).
    """
    return _new(Kind.DECISION, title, links, open_editor, supersedes=supersedes)


@req_group.command("new")
@click.argument("title")
@click.option("--link", "links", multiple=True, metavar="REL:ID", help=_LINK_HELP)
@click.option("--edit", "open_editor", is_flag=True, help=_EDIT_HELP)
def req_new_cmd(title: str, links: tuple[str, ...], open_editor: bool) -> int:
    """Create the next requirement translation, NNNN-slugged-title.md, and print its path."""
    return _new(Kind.REQUIREMENT, title, links, open_editor)


@card_group.command("new")
@click.argument("title")
@click.option("--slug", help="ID MC-SLUG and file SLUG.md instead of the title's slug.")
@click.option("--link", "links", multiple=True, metavar="REL:ID", help=_LINK_HELP)
@click.option("--edit", "open_editor", is_flag=True, help=_EDIT_HELP)
def card_new_cmd(title: str, slug: str | None, links: tuple[str, ...], open_editor: bool) -> int:
    """Create a model card, slugged-title.md holding MC-slugged-title, and print its path."""
    return _new(Kind.MODEL_CARD, title, links, open_editor, slug=slug)


@dataset_group.command("new")
@click.argument("title")
@click.option("--slug", help="ID DS-SLUG and file SLUG.md instead of the title's slug.")
@click.option("--link", "links", multiple=True, metavar="REL:ID", help=_LINK_HELP)
@click.option("--edit", "open_editor", is_flag=True, help=_EDIT_HELP)
def dataset_new_cmd(title: str, slug: str | None, links: tuple[str, ...], open_editor: bool) -> int:
    """Create a dataset sheet, slugged-title.md holding DS-slugged-title, and print its path."""
    return _new(Kind.DATASET, title, links, open_editor, slug=slug)


@model_review_group.command("new")
@click.argument("title")
@click.option("--card", required=True, metavar="MC-ID", help="The model card reviewed.")
@click.option("--version", metavar="V",
              help="The card version reviewed. Default: the card's `version` now.")
@click.option("--link", "links", multiple=True, metavar="REL:ID", help=_LINK_HELP)
@click.option("--edit", "open_editor", is_flag=True, help=_EDIT_HELP)
def model_review_new_cmd(title: str, card: str, version: str | None, links: tuple[str, ...],
                         open_editor: bool) -> int:  # fmt: skip
    """Create the next model review, NNNN-slugged-title.md holding MR-NNNN, as a draft of a
    review of card MC-ID, dated today (the day it is planned), and print its path.

    Fill in the participants, the wrong outputs looked at (examples) and the actions; then
    `tracecard model-review hold ID` records that it took place.
    """
    return _new(Kind.MODEL_REVIEW, title, links, open_editor, card=card, version=version)


# -- supersede and link ---------------------------------------------------------------------


@adr_group.command("supersede")
@click.argument("old")
@click.argument("new")
def adr_supersede_cmd(old: str, new: str) -> int:
    """Record that decision NEW replaces decision OLD, on both records.

    OLD gets status superseded, superseded_by NEW and today's date; NEW lists OLD in supersedes.
    """
    from tracecard.edit.lifecycle import supersede

    return supersede(old, new, sys.stdout)


@adr_group.command("link")
@click.argument("src")
@click.argument("rel")
@click.argument("dst")
def adr_link_cmd(src: str, rel: str, dst: str) -> int:
    """Link decision SRC to record DST with relation REL, and DST back with the reverse.

    REL is one of relates-to, amends, clarifies, depends-on, refines, extends, implements,
    blocks, conflicts-with (or their reverse: amended-by, clarified-by, required-by, ...).
    """
    from tracecard.edit.lifecycle import link

    return link(src, rel, dst, sys.stdout)


# -- lifecycle ------------------------------------------------------------------------------

_MANY = ("\n\nSeveral IDs change together: all of them, or none when one is refused.")


def _status_command(group: click.Group, name: str, kind: Kind, target: str, doc: str) -> None:
    @group.command(name, help=doc + _MANY)
    @click.argument("idents", metavar="ID...", nargs=-1, required=True)
    def command(idents: tuple[str, ...]) -> int:
        from tracecard.edit.lifecycle import transition

        return transition(kind, idents, target, sys.stdout)


_status_command(adr_group, "accept", Kind.DECISION, "accepted",
                "Accept a proposed decision (sets status accepted and date to today).")
_status_command(adr_group, "reject", Kind.DECISION, "rejected",
                "Reject a proposed decision (sets status rejected and date to today).")
_status_command(adr_group, "deprecate", Kind.DECISION, "deprecated",
                "Deprecate an accepted decision that nothing replaces (status deprecated, "
                "date today).")
#: The roles a sign-off may name (the requirement schema's `agreed_by[].role`).
SIGN_OFF_ROLES = ("product", "ml", "data", "engineering", "legal", "other")


def _signer(value: str) -> tuple[str, str]:
    role, sep, name = value.partition(":")
    role, name = role.strip().lower(), " ".join(name.split())
    if not sep or role not in SIGN_OFF_ROLES or not name:
        raise click.BadParameter(
            f"{value!r}: write ROLE:NAME, with ROLE one of {', '.join(SIGN_OFF_ROLES)} "
            '(e.g. --by product:"Ana Ruiz" --by ml:"Priya Nair")'
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise click.BadParameter(f"{value!r}: a name cannot hold control characters")
    return role, name


@req_group.command("agree")
@click.argument("idents", metavar="ID...", nargs=-1, required=True)
@click.option("--by", "signers", multiple=True, metavar="ROLE:NAME",
              help="Who agrees, and for which side: --by product:NAME --by ml:NAME (repeat). "
                   "Added to agreed_by with today's date; an agreed requirement needs both a "
                   "product and an ML sign-off (REQ012). On an agreed requirement, adds the "
                   "sign-off alone.")  # fmt: skip
def req_agree_cmd(idents: tuple[str, ...], signers: tuple[str, ...]) -> int:
    """Mark a draft requirement as agreed by the product and ML sides: the launch gate applies
    to the cards that satisfy it. Several IDs change together: all of them, or none when one
    is refused.

    \b
    Example:
      tracecard req agree REQ-0002 --by product:"Ana Ruiz" --by ml:"Priya Nair"
    """
    from tracecard.edit.lifecycle import transition

    parsed = [_signer(s) for s in signers]
    return transition(Kind.REQUIREMENT, idents, "agreed", sys.stdout, parsed)


_status_command(req_group, "reopen", Kind.REQUIREMENT, "draft",
                "Put an agreed requirement back to draft to renegotiate it.")
_status_command(req_group, "retire", Kind.REQUIREMENT, "retired",
                "Retire a requirement that no longer applies.")
_status_command(model_review_group, "hold", Kind.MODEL_REVIEW, "held",
                "Record that a draft model review took place (status held). Its date becomes "
                "today unless it already names a day that has come (a review written up "
                "afterwards). A held review needs a product and an ML participant.")


def _promote_command(group: click.Group, kind: Kind, doc: str) -> None:
    @group.command("promote", help=doc + _MANY)
    @click.argument("idents", metavar="ID...", nargs=-1, required=True)
    @click.option("--to", "target", required=True, type=click.Choice(list(TRANSITIONS[kind])),
                  help="The new status.")
    def command(idents: tuple[str, ...], target: str) -> int:
        from tracecard.edit.lifecycle import transition

        return transition(kind, idents, target, sys.stdout)


_promote_command(card_group, Kind.MODEL_CARD,
                 "Move a model card along its lifecycle: draft -> candidate -> production -> "
                 "retired (a candidate may go back to draft).")
_promote_command(dataset_group, Kind.DATASET,
                 "Move a dataset sheet along its lifecycle: planned -> labeling -> ready -> "
                 "retired.")


# -- list -----------------------------------------------------------------------------------


def _list_command(group: click.Group, kind: Kind) -> None:
    @group.command("list", help=f"List the {kind.label} records: ID, status and title.")
    @click.option("--status", "statuses", multiple=True, metavar="STATUS",
                  help=f"Only these statuses ({', '.join(TRANSITIONS[kind])}); repeatable or "
                       "comma-separated.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                  show_default=True)
    def command(statuses: tuple[str, ...], fmt: str) -> int:
        from tracecard.edit.listing import list_records

        return list_records(kind, statuses, fmt, sys.stdout, sys.stderr)


for _group, _kind in ((adr_group, Kind.DECISION), (req_group, Kind.REQUIREMENT),
                      (card_group, Kind.MODEL_CARD), (dataset_group, Kind.DATASET),
                      (model_review_group, Kind.MODEL_REVIEW)):  # fmt: skip
    _list_command(_group, _kind)
