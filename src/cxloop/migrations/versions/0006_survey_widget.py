"""survey widget: public keys and their allowed origins

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import cxloop.core.types

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "survey_widget_keys",
        sa.Column("id", _id(), nullable=False),
        sa.Column("workspace_id", _id(), nullable=False),
        sa.Column("public_key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column(
            "survey_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("customer_source_id", _id(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", cxloop.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cxloop.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", cxloop.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_survey_widget_keys_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_widget_keys")),
        sa.UniqueConstraint("public_key", name=op.f("uq_survey_widget_keys_public_key")),
    )
    with op.batch_alter_table("survey_widget_keys", schema=None) as batch_op:
        batch_op.create_index("ix_survey_widget_keys_ws", ["workspace_id"], unique=False)

    op.create_table(
        "survey_widget_origins",
        sa.Column("id", _id(), nullable=False),
        sa.Column("workspace_id", _id(), nullable=False),
        sa.Column("key_id", _id(), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("created_at", cxloop.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["survey_widget_keys.id"],
            name=op.f("fk_survey_widget_origins_key_id_survey_widget_keys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_survey_widget_origins_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_widget_origins")),
        sa.UniqueConstraint(
            "key_id", "origin", name=op.f("uq_survey_widget_origins_key_id_origin")
        ),
    )
    with op.batch_alter_table("survey_widget_origins", schema=None) as batch_op:
        batch_op.create_index("ix_survey_widget_origins_origin", ["origin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_widget_origins", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_widget_origins_origin")
    op.drop_table("survey_widget_origins")
    with op.batch_alter_table("survey_widget_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_widget_keys_ws")
    op.drop_table("survey_widget_keys")
