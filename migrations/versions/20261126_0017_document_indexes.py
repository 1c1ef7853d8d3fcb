"""documents: the (kind, status) index gains the id, so the order queue reads a page of open
orders' ids from the index alone instead of walking every order from the oldest; and an
index that answers sales per partner over a few months (the rep's dashboard) by itself

Revision ID: 0017_document_indexes
Revises: 0016_rma_claims
Create Date: 2026-11-26

"""

from alembic import op

revision = "0017_document_indexes"
down_revision = "0016_rma_claims"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_documents_kind_status_id", "documents", ["kind", "status_id", "id"], unique=False
    )
    op.drop_index("ix_documents_kind_status", table_name="documents")
    op.create_index(
        "ix_documents_kind_issued_sales",
        "documents",
        ["kind", "issued_on", "company_id", "state", "net_total"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_documents_kind_issued_sales", table_name="documents")
    op.create_index("ix_documents_kind_status", "documents", ["kind", "status_id"], unique=False)
    op.drop_index("ix_documents_kind_status_id", table_name="documents")
