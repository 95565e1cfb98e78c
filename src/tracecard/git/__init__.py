"""Git: the only package that starts git or imports GitPython.

`index` (the history of every record, read in one pass and cached in .git/tracecard),
`branches` (numbers held on other branches: the next free number, and IDN005's collisions),
`revisions` (a review's range of commits, and the user's name from git config). Every other
module asks these; none opens a repository itself.
"""
