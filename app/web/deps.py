"""Dependency aliases shared by the routes."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.config import Settings
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


def get_session(request: Request) -> Iterator[Session]:
    """One session per request and the owner of its transaction.

    It commits once when the handler returns and rolls back when it raises: `app.db` functions only
    flush, and routes never commit or roll back. Function scope makes the commit happen before the
    response is sent, so a 303 always means the change is stored.
    """
    with Session(request.app.state.engine) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

__all__ = ["CatalogueDep", "SessionDep", "SettingsDep"]
