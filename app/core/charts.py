"""Radar charts (spindelvæv) as Plotly figures in JSON form, for `app/static/results.js`.

Pure: no FastAPI, no database. The figure travels to the browser as JSON in a
`<script type="application/json">` element; plotly.js is served by the service itself.
"""

import html
from collections.abc import Collection, Sequence
from typing import Any

import plotly.graph_objects as go

from app.core.stats import RoundSeries, StatementInfo

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
# Earlier rounds differ by dash as well as colour: the chart must not rely on colour alone.
DASHES = ("dot", "dash", "dashdot", "longdash", "longdashdot")
LABEL_WIDTH = 16  # axis labels longer than this are split over two lines
HOVER_WIDTH = 48
MARK = "★"  # before the axis label of a prioritised statement; the legend says what it means
LEGEND_HINT = "Runder (klik for at skjule)"
PRINTED_LEGEND = "Runder"


def plotly_text(text: str) -> str:
    """User-entered text as Plotly shows it literally: its pseudo-HTML (links, tags) escaped.

    Plotly reads <a href>, <b> and the like in labels, names and titles, and %{…} in hover
    templates; entities (&lt;, &#37;) it shows as the characters they stand for.
    """
    return html.escape(text, quote=False).replace("%", "&#37;")


def legend_name(label: str, date_text: str) -> str:
    """A round's name in the legend: "Label (22. nov. 2026)"."""
    return f"{label} ({date_text})"


def rgba(colour: str, alpha: float) -> str:
    """A "#RRGGBB" colour as "rgba(r, g, b, alpha)"."""
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def wrap_label(text: str, width: int = LABEL_WIDTH) -> str:
    """Split a long axis label over two lines at the space nearest its middle."""
    if len(text) <= width or " " not in text:
        return plotly_text(text)
    middle = len(text) / 2
    spaces = [index for index, char in enumerate(text) if char == " "]
    cut = min(spaces, key=lambda index: abs(index - middle))
    return f"{plotly_text(text[:cut])}<br>{plotly_text(text[cut + 1 :])}"


def wrap_text(text: str, width: int = HOVER_WIDTH) -> str:
    """Break a statement's full text into lines of about `width` characters for the hover box."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plotly_text(line) for line in lines)


def axis_labels(axes: Sequence[StatementInfo], marked: Collection[str] = ()) -> list[str]:
    """One distinct label per axis (Plotly merges equal labels into one axis); marked ones get ★."""
    labels: list[str] = []
    for axis in axes:
        label = wrap_label(axis.short)
        if axis.id in marked:
            label = f"{MARK} {label}"
        while label in labels:
            label += "\u00a0"  # an invisible difference keeps a repeated label on its own axis
        labels.append(label)
    return labels


def _closed(values: list[Any]) -> list[Any]:
    return [*values, values[0]] if values else values


def radar_trace(
    axes: Sequence[StatementInfo],
    series: RoundSeries,
    *,
    filled: bool,
    dash: str | None = None,
    marked: Collection[str] = (),
) -> go.Scatterpolar:
    """One round as a closed line around the axes; a statement without a mean leaves a gap."""
    values = [series.means.get(axis.id) for axis in axes]
    r = _closed([None if value is None else round(value, 2) for value in values])
    return go.Scatterpolar(
        r=r,
        theta=_closed(axis_labels(axes, marked)),
        customdata=_closed([wrap_text(axis.text) for axis in axes]),
        hovertemplate=(
            "%{customdata}<br><b>" + plotly_text(series.label) + ": %{r:.1f}</b><extra></extra>"
        ),
        name=plotly_text(series.legend),
        mode="lines+markers",
        connectgaps=False,
        fill="toself" if filled else "none",
        fillcolor=rgba(series.colour, 0.22) if filled else None,
        line={"color": series.colour, "width": 3 if filled else 2, "dash": dash or "solid"},
        marker={"color": series.colour, "size": 7 if filled else 5},
    )


def radar_figure(
    *,
    axes: Sequence[StatementInfo],
    series: Sequence[RoundSeries],
    filled_round_id: int | None = None,
    title: str = "",
    marked: Collection[str] = (),
    printed: bool = False,
) -> dict[str, Any]:
    """The radar of one theme: one axis per statement, radial axis 0-10, one trace per round.

    `series` is oldest first; the round `filled_round_id` (normally the newest) is filled in its
    colour, the others are lines in theirs. Each legend entry toggles its round. The statements
    in `marked` (the team's priorities) get a ★ before their axis label, explained in the legend.
    `printed` (the minutes) puts the legend under a shorter chart, without the click hint.
    """
    traces = []
    others = 0
    for item in series:
        filled = item.round_id == filled_round_id
        dash = None if filled else DASHES[others % len(DASHES)]
        others += 0 if filled else 1
        traces.append(radar_trace(axes, item, filled=filled, dash=dash, marked=marked))
    # Each trace is validated by plotly; the layout is a constant whose validity a test checks
    # (go.Figure would validate it again on every page view, which costs more than the SQL).
    data = [trace.to_plotly_json() for trace in traces]
    layout = _layout(title, len(axes))
    if printed:
        layout = _printed(layout)
    if any(axis.id in marked for axis in axes):
        layout["legend"]["title"]["text"] += f"<br>{MARK} = prioriteret udsagn"
    return {"data": data, "layout": layout}


def _printed(layout: dict[str, Any]) -> dict[str, Any]:
    """The layout for paper: nothing to click, so no hint; the legend below, to fit A4's width."""
    legend = {**layout["legend"], "title": {"text": PRINTED_LEGEND}, "orientation": "h"}
    legend.update({"x": 0, "xanchor": "left", "y": -0.16, "yanchor": "top"})
    return {
        **layout,
        "legend": legend,
        "height": 480,
        "margin": {"l": 80, "r": 80, "t": 45, "b": 45},
    }


def _layout(title: str, n_axes: int) -> dict[str, Any]:
    return {
        "title": {"text": plotly_text(title), "x": 0, "xanchor": "left"},
        "separators": ",.",  # decimal comma on hover and ticks
        "font": {"family": FONT, "size": 13, "color": "#1b1b1f"},
        "paper_bgcolor": "#ffffff",
        "showlegend": True,
        "legend": {
            "title": {"text": LEGEND_HINT},
            "orientation": "v",
            "x": 1.02,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "traceorder": "reversed",  # the newest round on top
            "bgcolor": "rgba(255, 255, 255, 0.9)",
            "bordercolor": "#c9ccd3",
            "borderwidth": 1,
        },
        "margin": {"l": 90, "r": 20, "t": 50, "b": 50},
        "height": 520,
        "polar": {
            "bgcolor": "#ffffff",
            "radialaxis": {
                "range": [0, 10],
                "autorange": False,
                "tickvals": [0, 2, 4, 6, 8, 10],
                # Between the first two axes, so the scale's numbers do not cover an axis label.
                "angle": 90 - 180 / max(n_axes, 1),
                "tickangle": 0,
                "gridcolor": "#d5d8de",
                "linecolor": "#8a8f98",
                "tickfont": {"size": 11, "color": "#4d5159"},
            },
            "angularaxis": {
                "direction": "clockwise",
                "rotation": 90,
                "gridcolor": "#d5d8de",
                "linecolor": "#8a8f98",
                "tickfont": {"size": 12},
            },
        },
        "hoverlabel": {"font": {"family": FONT}},
        "dragmode": False,
    }
