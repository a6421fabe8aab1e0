"""Dependency aliases shared by the routes."""

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.db.engine import SessionDep
from app.themes import Catalogue


# Async because they only read app state: a sync dependency costs a hop to the thread pool.
async def get_catalogue(request: Request) -> Catalogue:
    """The statement catalogue loaded at start-up."""
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


async def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

__all__ = ["CatalogueDep", "SessionDep", "SettingsDep"]
