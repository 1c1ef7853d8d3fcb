"""listing indexes end with the product id, so deep pages are index-only scans

Revision ID: 0006_listing_indexes
Revises: 0005_indexes
Create Date: 2026-11-25

"""
from alembic import op

revision = "0006_listing_indexes"
down_revision = "0005_indexes"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_products_active_category_name": ["active", "category_id", "name"],
    "ix_products_active_name": ["active", "name"],
    "ix_products_active_list_price": ["active", "list_price"],
    "ix_products_active_created_at": ["active", "created_at"],
}


def upgrade():
    # Index operations only: on SQLite the batch does not rebuild the table (which would
    # drop the search triggers).
    with op.batch_alter_table("products", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, [*columns, "id"], unique=False)


def downgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)
