"""`tracecard import`: records another tool wrote, made tracecard records. Click only."""

from __future__ import annotations

import sys

import click

from tracecard.importers import FORMATS


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--to", "to", metavar="FOLDER",
              help="Write the imported records into FOLDER (same file names; a Hugging Face "
                   "README.md is named after its folder); the originals stay as they are. "
                   "Default: in place.")
@click.option("--dry-run", is_flag=True, help="Print the changes as a unified diff; write nothing.")
@click.option("--dataset-map", "dataset_map", multiple=True, metavar="HFNAME=DS-ID",
              help="hf: the dataset sheet a Hugging Face dataset stands for (instead of a DS- "
                   "sheet created for it). Repeatable.")
def import_cmd(fmt: str, paths: tuple[str, ...], to: str | None, dry_run: bool,
               dataset_map: tuple[str, ...]) -> int:  # fmt: skip
    """Import records that FORMAT wrote (files, or folders searched for *.md).

    \b
    adr-tools   `# N. Title`, `Date:`, a `## Status` section (Supercedes/Superseded by/Amends ...)
    madr        MADR 2 bullets (`* Status:`), MADR 3/4 front matter
    log4brains  `YYYYMMDD-slug.md`, `- Status:` bullets, `## Links`
    hf          Hugging Face model cards: ID, status, `model-index` -> `results`
    auto        tell each file's format from what it looks like

    Decision records get id, title (without its number), status (a lifecycle state; other
    words kept in status_text), date as written, people, tags, and every link of the header
    as a typed link on both records. The header lines move into the front matter; the rest of
    the body stays byte for byte. Anything not fully mapped is reported (file:line: what was
    kept where). Importing twice changes nothing; all files are written at once or none.
    """
    if fmt == "auto":
        from tracecard.errors import UsageError
        from tracecard.importers.core import expand, looks_like_hf

        cards = {looks_like_hf(p) for p in expand(paths, keep_readme=False)}
        if cards == {True, False}:
            raise UsageError("these paths hold both model cards and decision records: run "
                             "`tracecard import hf` and `tracecard import auto` on each folder")
        fmt = "hf" if cards == {True} else fmt
    if fmt == "hf":
        from tracecard.importers.hf import import_cards

        return import_cards(paths, to, dry_run, dataset_map, sys.stdout)
    from tracecard.importers.decisions import import_decisions

    return import_decisions(fmt, paths, to, dry_run, sys.stdout)


@click.command("export-hf")
@click.argument("ident", metavar="ID")
@click.option("--output", metavar="FILE",
              help="Write the card to FILE (a model repository's README.md) instead of stdout.")
def export_hf_cmd(ident: str, output: str | None) -> int:
    """Print model card ID with its Hugging Face `model-index` written from its `results`.

    ID may also be the path of a card imported in place as a README.md. A result that
    `tracecard import hf` read and nobody changed keeps its value exactly as
    it was written ("0.91 ± 0.02"); a changed one is written anew, and a result the
    `model-index` does not hold yet is added under the card's name.
    """
    from tracecard.importers.hf import export_card

    return export_card(ident, output, sys.stdout)
