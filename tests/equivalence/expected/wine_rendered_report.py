"""Render the first wines as HTML with flytekit's renderers, keep it in decks, and return it.

One task reads the first rows of the wine data, an output whose annotation asks flytekit for an
automatic deck of its first rows; another renders a Markdown title and an HTML table of the rows
with flytekit's `MarkdownRenderer` and `TopFrameRenderer`, logs both to a named deck and to the
default deck kept in a variable, and returns the HTML. In Flyte 2 each renderer is the library
call it wraps, and the HTML is the same.
"""
# equivalence: entry=rendered_report inputs={"rows": 3}

from typing import Dict

import flyte
import flyte.report
import pandas as pd
from markdown_it import MarkdownIt

env = flyte.TaskEnvironment(name="main")


@env.task
def wine_head(rows: int) -> pd.DataFrame:
    from sklearn.datasets import load_wine

    return load_wine(as_frame=True).frame.head(rows)[["alcohol", "proline"]]


@env.task(report=True)
def render(frame: pd.DataFrame) -> Dict[str, str]:
    title = MarkdownIt().render(f"# {len(frame)} wines\n\n*alcohol* and **proline**")
    table = frame.to_html(max_rows=2, max_cols=100)
    deck = flyte.report.get_tab("rendered")
    deck.log(title)
    deck.log(table)
    main = flyte.report.get_tab("main")
    main.log("<p>rendered</p>")
    return {"title": title, "table": table}


@env.task
async def rendered_report(rows: int) -> Dict[str, str]:
    return await render.aio(frame=await wine_head.aio(rows=rows))
