"""`tracecard rules [CODE]`: the rule table, or one rule's documentation."""

from __future__ import annotations

from typing import IO

from tracecard.errors import UsageError
from tracecard.rules.docs import SECTIONS, all_docs


def rules(code: str | None, out: IO[str]) -> int:
    docs = all_docs()
    if code is None:
        width = max(len(d.name) for d in docs)
        for d in docs:
            out.write(f"{d.code}  {d.name:<{width}}  {d.severity:<7}  {d.summary}\n")
        return 0
    wanted = code.strip().upper()
    chosen = [d for d in docs if d.code == wanted] or [d for d in docs if d.code.startswith(wanted)]
    if not chosen:
        raise UsageError(f"unknown rule {code!r}: `tracecard rules` lists them")
    for i, d in enumerate(chosen):
        if i:
            out.write("\n")
        out.write(f"{d.code} {d.name} ({d.family}, {d.severity})\n")
        for title in SECTIONS:
            out.write(f"\n{title}:\n")
            for line in d.sections.get(title, "").splitlines():
                out.write(f"  {line}\n" if line else "\n")
    return 0
