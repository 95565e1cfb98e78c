"""Output: how findings reach people and tools.

`findings` (text, json, github and sarif output of `tracecard check`), `text` (what every
renderer shares: escaping record content so that it cannot forge a line, an escape sequence or
markup, colour, and number formatting).
"""
