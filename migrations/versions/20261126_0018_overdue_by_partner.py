"""documents: unpaid invoices by partner and due date (a partial index like
ix_documents_open_due, partner first), so a rep's overdue list probes its partners instead
of intersecting every open invoice with every document of those partners

Revision ID: 0018_overdue_by_partner
Revises: 0017_document_indexes
Create Date: 2026-11-26

"""

import sqlalchemy as sa
from alembic import op

revision = "0018_overdue_by_partner"
down_revision = "0017_document_indexes"
branch_labels = None
depends_on = None

OPEN_PAYABLE = "paid_total < gross_total"


def upgrade():
    op.create_index(
        "ix_documents_open_due_company",
        "documents",
        ["company_id", "due_on", "kind", "state", "gross_total", "paid_total"],
        unique=False,
        sqlite_where=sa.text(OPEN_PAYABLE),
        postgresql_where=sa.text(OPEN_PAYABLE),
    )


def downgrade():
    op.drop_index("ix_documents_open_due_company", table_name="documents")
