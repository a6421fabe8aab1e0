"""Routes: rounds (being built)."""

from fastapi import APIRouter

router = APIRouter()
