"""Routes: results (being built)."""

from fastapi import APIRouter

router = APIRouter()
