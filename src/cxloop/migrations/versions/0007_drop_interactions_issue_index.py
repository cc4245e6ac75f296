"""interactions: drop the unused partial index on issue_key

No query looks interactions up by issue key, and maintaining the index cost ~1 µs per ingested
row (ADR 0002, section 5).

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-23 11:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_interactions_ws_issue", table_name="interactions")


def downgrade() -> None:
    op.create_index(
        "ix_interactions_ws_issue",
        "interactions",
        ["workspace_id", "issue_key"],
        unique=False,
        sqlite_where=sa.text("issue_key IS NOT NULL"),
        postgresql_where=sa.text("issue_key IS NOT NULL"),
    )
