"""The statement catalogue: themes, areas and statements, loaded and validated from YAML."""

from app.themes.catalogue import (
    Area,
    Catalogue,
    CatalogueError,
    ExtraLines,
    Profession,
    ProfessionLabels,
    Reflection,
    ReflectionGroup,
    ReflectionQuestion,
    Scale,
    Statement,
    Theme,
    check_catalogue,
    default_catalogue_path,
    load_catalogue,
)

__all__ = [
    "Area",
    "Catalogue",
    "CatalogueError",
    "ExtraLines",
    "Profession",
    "ProfessionLabels",
    "Reflection",
    "ReflectionGroup",
    "ReflectionQuestion",
    "Scale",
    "Statement",
    "Theme",
    "check_catalogue",
    "default_catalogue_path",
    "load_catalogue",
]
