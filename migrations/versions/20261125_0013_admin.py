"""admin (placeholder: filled in when this area changes the schema)

Revision ID: 0013_admin
Revises: 0012_invoicing
Create Date: 2026-11-25

"""

revision = "0013_admin"
down_revision = "0012_invoicing"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
