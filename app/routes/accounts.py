"""Routes: accounts (being built)."""

from fastapi import APIRouter

router = APIRouter()
