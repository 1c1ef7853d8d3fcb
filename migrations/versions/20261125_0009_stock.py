"""stock (placeholder: filled in when this area changes the schema)

Revision ID: 0009_stock
Revises: 0008_back_office
Create Date: 2026-11-25

"""

revision = "0009_stock"
down_revision = "0008_back_office"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
