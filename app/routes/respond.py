"""Routes: respond (being built)."""

from fastapi import APIRouter

router = APIRouter()
