"""outbox messages rendered by the delivery worker (filled in by the outbox change)

Revision ID: 0007_outbox_deferred
Revises: 0006_listing_indexes
Create Date: 2026-11-25

"""

revision = "0007_outbox_deferred"
down_revision = "0006_listing_indexes"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
