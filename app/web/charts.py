"""plotly.js served by the service itself, and the radar figures of a round's report."""

from collections.abc import Collection
from pathlib import Path
from typing import Any

import plotly

from app.core.charts import radar_figure
from app.db.results import (
    RoundReport,
)

PLOTLY_FILE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


# Outside /static: the StaticFiles mount answers (404) for /static/… before any router is asked.
# The version in the query string lets browsers keep the file for a year and still see upgrades.
PLOTLY_URL = f"/vendor/plotly.min.js?v={plotly.__version__}"


PLOTLY_ETAG = f'"plotly-{plotly.__version__}"'


def radar_figures(
    report: RoundReport, marked: Collection[str] = (), *, printed: bool = False
) -> dict[str, dict[str, Any]]:
    """One radar per theme: earlier rounds as lines, this round filled, priorities marked ★."""
    lines = [*report.earlier, report.current]
    return {
        theme.id: radar_figure(
            axes=theme.infos,
            series=lines,
            filled_round_id=report.round.id,
            marked=marked,
            printed=printed,
        )
        for theme in report.themes
    }
