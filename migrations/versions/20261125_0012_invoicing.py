"""invoicing (placeholder: filled in when this area changes the schema)

Revision ID: 0012_invoicing
Revises: 0011_documents
Create Date: 2026-11-25

"""

revision = "0012_invoicing"
down_revision = "0011_documents"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
