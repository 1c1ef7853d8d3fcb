"""fulfilment (placeholder: filled in when this area changes the schema)

Revision ID: 0010_fulfilment
Revises: 0009_stock
Create Date: 2026-11-25

"""

revision = "0010_fulfilment"
down_revision = "0009_stock"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
