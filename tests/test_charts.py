"""The radar figure: axes, values, gaps, colours and legend, checked on the figure's JSON."""

import json
from datetime import UTC, datetime

import plotly.graph_objects as go

from app.core.charts import radar_figure, rgba, wrap_label, wrap_text
from app.core.stats import RoundSeries, StatementInfo


def info(statement_id: str, short: str, text: str, position: int) -> StatementInfo:
    return StatementInfo(
        id=statement_id,
        text=text,
        short=short,
        theme_id="t",
        theme_title="Tema",
        area_id="a",
        area_title="Emne",
        position=position,
    )


AXES = [
    info("t.a.1", "Fælles retning", "Vi har en fælles retning for samarbejdet.", 0),
    info("t.a.2", "Ny idé", "Et udsagn, der kom til i kataloget efter første runde.", 1),
    info("t.a.3", "Opfølgning", "Vi følger op på det, vi aftaler.", 2),
]
FEBRUARY = RoundSeries(
    round_id=1,
    label="Februar 2026",
    colour="#0072B2",
    when=datetime(2026, 2, 10, tzinfo=UTC),
    legend="Februar 2026 (10. feb. 2026)",
    means={"t.a.1": 4.0, "t.a.3": 6.25},  # t.a.2 did not exist yet
)
MAY = RoundSeries(
    round_id=2,
    label="Maj 2026",
    colour="#E69F00",
    when=datetime(2026, 5, 12, tzinfo=UTC),
    legend="Maj 2026 (12. maj 2026)",
    means={"t.a.1": 5.5, "t.a.2": 3.0, "t.a.3": 7.123},
)


def figure() -> dict:
    return radar_figure(axes=AXES, series=[FEBRUARY, MAY], filled_round_id=2)


def test_each_round_is_a_trace_in_its_stored_colour() -> None:
    february, may = figure()["data"]
    assert february["line"]["color"] == "#0072B2"
    assert february["marker"]["color"] == "#0072B2"
    assert may["line"]["color"] == "#E69F00"
    assert may["fillcolor"] == "rgba(230, 159, 0, 0.22)"


def test_the_current_round_is_filled_and_earlier_rounds_are_dashed_lines() -> None:
    february, may = figure()["data"]
    assert may["fill"] == "toself" and may["line"]["dash"] == "solid"
    assert february["fill"] == "none" and february["line"]["dash"] != "solid"


def test_r_values_follow_the_axes_and_close_the_polygon() -> None:
    _february, may = figure()["data"]
    assert may["theta"] == ["Fælles retning", "Ny idé", "Opfølgning", "Fælles retning"]
    assert may["r"] == [5.5, 3.0, 7.12, 5.5]


def test_a_statement_missing_from_an_earlier_round_is_a_gap_not_a_zero() -> None:
    february, _may = figure()["data"]
    assert february["r"] == [4.0, None, 6.25, 4.0]
    assert february["connectgaps"] is False


def test_legend_names_round_and_date_and_sits_beside_the_chart() -> None:
    result = figure()
    assert [trace["name"] for trace in result["data"]] == [
        "Februar 2026 (10. feb. 2026)",
        "Maj 2026 (12. maj 2026)",
    ]
    legend = result["layout"]["legend"]
    assert legend["orientation"] == "v" and legend["x"] > 1
    assert result["layout"]["showlegend"] is True


def test_radial_axis_is_fixed_from_0_to_10_with_a_decimal_comma() -> None:
    layout = figure()["layout"]
    assert layout["polar"]["radialaxis"]["range"] == [0, 10]
    assert layout["polar"]["radialaxis"]["autorange"] is False
    assert layout["separators"] == ",."


def test_full_statement_text_is_on_hover() -> None:
    may = figure()["data"][1]
    assert may["customdata"][0] == "Vi har en fælles retning for samarbejdet."
    assert "%{customdata}" in may["hovertemplate"]


def test_figure_is_plain_json() -> None:
    text = json.dumps(figure())
    assert json.loads(text)["data"][0]["type"] == "scatterpolar"


def test_repeated_short_labels_keep_their_own_axes() -> None:
    twins = [info("x.1", "Samme", "En", 0), info("x.2", "Samme", "To", 1), AXES[2]]
    result = radar_figure(axes=twins, series=[MAY], filled_round_id=2)
    theta = result["data"][0]["theta"]
    assert len(set(theta[:3])) == 3


def test_long_labels_and_texts_are_wrapped() -> None:
    assert wrap_label("Hurtig kontakt mellem ledere") == "Hurtig kontakt<br>mellem ledere"
    assert wrap_label("Kort") == "Kort"
    assert all(len(line) <= 20 for line in wrap_text("ord " * 20, width=20).split("<br>"))


def test_rgba_of_a_hex_colour() -> None:
    assert rgba("#009E73", 0.5) == "rgba(0, 158, 115, 0.5)"


def test_plotly_accepts_the_whole_figure() -> None:
    # The page skips plotly's validation of the constant layout for speed; it is checked here.
    checked = go.Figure(figure())
    assert checked.layout.polar.radialaxis.range == (0, 10)
    assert len(checked.data) == 2
