"""Alembic migrations of the cxloop schema."""
