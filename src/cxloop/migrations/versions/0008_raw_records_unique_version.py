"""raw_records: unique per version, not per content

A record may come back to an earlier content (a consent withdrawn again, a tier back to Gold):
that is a new version now, so the same content can be kept twice for one record.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "uq_raw_records_workspace_id_source_id_entity_external_id_content_hash"
_NEW = "uq_raw_records_workspace_id_source_id_entity_external_id_version"
_KEY = ["workspace_id", "source_id", "entity", "external_id"]
# op.f: the names as the naming convention made them (PostgreSQL gets them cut to 63 with a hash)


def upgrade() -> None:
    with op.batch_alter_table("raw_records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_OLD), type_="unique")
        batch_op.create_unique_constraint(op.f(_NEW), [*_KEY, "version"])


def downgrade() -> None:
    # fails if a record holds one content twice: those versions must be merged by hand first
    with op.batch_alter_table("raw_records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_NEW), type_="unique")
        batch_op.create_unique_constraint(op.f(_OLD), [*_KEY, "content_hash"])
