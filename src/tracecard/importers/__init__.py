"""`tracecard import`: records another tool wrote, turned into tracecard records in one step.

    core.py        the plan every format fills in (one `Planned` per file), the typed links
                   mirrored on both records, the report, the dry-run diff and the one
                   all-or-nothing write through `tracecard.edit.transaction`
    header.py      what the decision formats share: the title, status words, "Verb [N. Title]
                   (file)" link lines, people lists
    decisions.py   decision records of any of the three formats: IDs (log4brains' dated
                   names and names without a number numbered after the highest), the
                   front matter, links written on both records
    adr_tools.py   adr-tools (Nygard): `# N. Title`, `Date:`, a `## Status` section
    madr.py        MADR 2 and log4brains bullet lists (`* Status:`), MADR 3/4 front matter
    hf.py          Hugging Face model cards: ID, status, `model-index` to `results` and back

The body below the header is never rewritten: the header lines that move into the front
matter are cut out and every other byte (BOM, CRLF, trailing spaces) stays as it was.
"""

#: The formats `tracecard import` reads (`auto` tells them apart file by file).
FORMATS = ("adr-tools", "madr", "log4brains", "hf", "auto")
