"""Authoring: the commands that write records, and how they write.

`frontmatter` (lossless front-matter edits: only the lines that must change), `lifecycle`
(the workspace, lifecycle transitions and links written to both records, atomic multi-file
writes), `new` (new records: numbering, slugs, templates), `init` (a repository set up for
tracecard) and `listing` (`tracecard adr|req|card|dataset|model-review list`).
"""
