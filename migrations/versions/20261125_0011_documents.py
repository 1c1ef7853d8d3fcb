"""documents (placeholder: filled in when this area changes the schema)

Revision ID: 0011_documents
Revises: 0010_fulfilment
Create Date: 2026-11-25

"""

revision = "0011_documents"
down_revision = "0010_fulfilment"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
