"""`tracecard dashboard`: the evaluation dashboard, a static site for product and ML people.

    build.py     what the site shows, gathered from the graph, the launch gate and the git
                 history as plain values (pure but for reading history): no HTML here
    svg.py       the charts, drawn at build time as inline SVG (our own small writer: a
                 line chart with its launch and target bars, and a bar chart)
    render.py    the pages: Jinja2 templates (autoescaped) and markdown-it-py for the bodies
                 (raw HTML off, links rewritten or dropped, images never loaded)
    command.py   the command: where the site goes, built beside it and moved into place
    templates/   the page templates and the stylesheet inlined in every page

The verdicts come from `tracecard.gate.evaluate` and are shown as `tracecard card check`
words them: the dashboard never judges a result itself.
"""
