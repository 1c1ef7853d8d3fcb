"""documents: an index on the reference, so searching by number or reference uses indexes

Revision ID: 0015_document_search
Revises: 0014_returns
Create Date: 2026-11-25

"""

from alembic import op

revision = "0015_document_search"
down_revision = "0014_returns"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_documents_reference", "documents", ["reference"], unique=False)


def downgrade():
    op.drop_index("ix_documents_reference", table_name="documents")
