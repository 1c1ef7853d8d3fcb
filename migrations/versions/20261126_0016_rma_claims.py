"""returns: each RMA line keeps what it claims on its delivered line (0 once rejected), so
the filing form sums claims from one index instead of joining lines and statuses

Revision ID: 0016_rma_claims
Revises: 0015_document_search
Create Date: 2026-11-26

"""

import sqlalchemy as sa
from alembic import op

revision = "0016_rma_claims"
down_revision = "0015_document_search"
branch_labels = None
depends_on = None

QUANTITY = sa.BigInteger()  # thousandths, as every quantity (core/money.Thousandths)


def upgrade():
    with op.batch_alter_table("rma_lines") as batch:
        batch.add_column(sa.Column("claimed", QUANTITY, nullable=False, server_default="0"))
    # An RMA that was ever rejected claims nothing (a rejected RMA may be closed later).
    op.execute(
        """
        UPDATE rma_lines SET claimed = (
            SELECT document_lines.quantity FROM document_lines
            WHERE document_lines.id = rma_lines.document_line_id
        )
        WHERE NOT EXISTS (
            SELECT 1 FROM document_lines
            JOIN document_events ON document_events.document_id = document_lines.document_id
            WHERE document_lines.id = rma_lines.document_line_id
              AND document_events.rma_status = 'rejected'
        )
        """
    )
    with op.batch_alter_table("rma_lines") as batch:
        batch.alter_column("claimed", server_default=None)
        batch.drop_index("ix_rma_lines_delivered_line_id")
        batch.create_index("ix_rma_lines_claims", ["delivered_line_id", "claimed"])


def downgrade():
    with op.batch_alter_table("rma_lines") as batch:
        batch.drop_index("ix_rma_lines_claims")
        batch.create_index("ix_rma_lines_delivered_line_id", ["delivered_line_id"])
        batch.drop_column("claimed")
