"""Web pages of text analytics: themes with their trend, a theme's comments with thumbs."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
