"""A theme's key points are quoted from 001, word for word, on the lines they name."""

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from app.themes import Catalogue, CatalogueError, check_catalogue, default_catalogue_path
from tests.html import parse

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"


def test_every_theme_has_key_points_from_001() -> None:
    catalogue = check_catalogue(default_catalogue_path(), SOURCES)
    assert all(theme.key_points for theme in catalogue.themes)
    assert all(p.basis.startswith("001:") for t in catalogue.themes for p in t.key_points)


def test_a_key_point_not_in_the_material_is_a_catalogue_problem(tmp_path: Path) -> None:
    data = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
    data["themes"][0]["key_points"][0]["text"] = "Noget, materialet ikke siger."
    path = tmp_path / "statements.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        check_catalogue(path, SOURCES)
    assert ("themes[0].key_points[0].text", "står ikke ordret i materialet på 001:313") in (
        raised.value.problems
    )


def test_a_quote_that_is_not_the_materials_words_is_a_catalogue_problem(tmp_path: Path) -> None:
    data = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
    statement = data["themes"][0]["areas"][0]["statements"][0]
    statement["quote"] = "Ord, som ikke står der."
    path = tmp_path / "statements.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        check_catalogue(path, SOURCES)
    where = "themes[0].areas[0].statements[0].quote"
    assert (where, f"står ikke ordret i materialet på {statement['basis']}") in (
        raised.value.problems
    )


def test_the_catalogue_page_quotes_the_passage_a_statement_was_derived_from(
    client: TestClient, catalogue: Catalogue
) -> None:
    statement = next(s for s in catalogue.all_statements() if s.quote)
    page = parse(client.get("/udsagn").text)
    label = next(
        span
        for span in page.select(".provenance")
        if span.find_previous_sibling("span", string=statement.text) is not None
    )
    assert label["title"] == f"Materialet ({statement.basis}): »{statement.quote}«"
