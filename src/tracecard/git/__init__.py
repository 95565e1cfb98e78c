"""Git: the only package that starts git or imports GitPython.

`index` (the history of every record, read in one pass and cached in .git/tracecard),
`branches` (numbers held on other branches: the next free number, and IDN005's collisions),
`revisions` (a review's range of commits, and the user's name from git config). Every other
module asks these; none opens a repository itself. `in_git` (here) answers from the files
alone whether there is a repository to ask.
"""

from __future__ import annotations

import os
from pathlib import Path


def in_git(root: Path) -> bool:
    """False only when certainly not in a git repository: no `.git` above `root` and no GIT_DIR.
    Costs a few `stat` calls; git is not started (and GitPython not imported)."""
    if os.environ.get("GIT_DIR"):
        return True
    start = root.resolve()
    return any((f / ".git").exists() for f in (start, *start.parents))
