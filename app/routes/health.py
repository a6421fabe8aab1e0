"""Health check for load balancers and the Docker HEALTHCHECK."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.web.deps import SessionDep

router = APIRouter()


@router.get("/healthz", tags=["drift"], summary="Svarer 200, når tjenesten og databasen virker")
def healthz(session: SessionDep) -> JSONResponse:
    """200 with status ok when the database answers, 503 otherwise."""
    try:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except SQLAlchemyError:
        return JSONResponse({"status": "fejl", "database": "svarer ikke"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
