"""The statement catalogue: themes, areas and statements, loaded and validated from YAML."""

from app.themes.catalogue import (
    Area,
    Catalogue,
    CatalogueError,
    Profession,
    ReflectionQuestion,
    Scale,
    Statement,
    Theme,
    default_catalogue_path,
    load_catalogue,
)

__all__ = [
    "Area",
    "Catalogue",
    "CatalogueError",
    "Profession",
    "ReflectionQuestion",
    "Scale",
    "Statement",
    "Theme",
    "default_catalogue_path",
    "load_catalogue",
]
