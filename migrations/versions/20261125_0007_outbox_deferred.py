"""outbox messages keep their language and context; the delivery worker renders them

Revision ID: 0007_outbox_deferred
Revises: 0006_listing_indexes
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_deferred"
down_revision = "0006_listing_indexes"
branch_labels = None
depends_on = None


def upgrade():
    # Rows queued before this revision are already rendered: they need neither column.
    op.add_column(
        "outbox_messages",
        sa.Column("language", sa.String(length=10), nullable=False, server_default="en"),
    )
    op.add_column("outbox_messages", sa.Column("context", sa.JSON(), nullable=True))


def downgrade():
    # Without its context a message not yet rendered would be lost: send it first.
    waiting = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM outbox_messages WHERE body_text = ''")
    )
    if waiting:
        raise RuntimeError(
            f"{waiting} queued messages are not rendered yet: run `flask outbox run` first"
        )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("context")
        batch_op.drop_column("language")
