"""Routes: teams (being built)."""

from fastapi import APIRouter

router = APIRouter()
