"""`tracecard review`: what a range of commits changes in the records.

`build` (pure: the changes of each record between two points of history), `render` (markdown,
github, json and text), `command` (the range from git, the history rules for it, the report).
"""
