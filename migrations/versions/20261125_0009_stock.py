"""stock: a posted stocktake keeps the PW and RW it made

Revision ID: 0009_stock
Revises: 0008_back_office
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_stock"
down_revision = "0008_back_office"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stocktakes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stock_in_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("write_off_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_stocktakes_stock_in_id_documents"), "documents", ["stock_in_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_stocktakes_write_off_id_documents"),
            "documents",
            ["write_off_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("stocktakes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_stocktakes_write_off_id_documents"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_stocktakes_stock_in_id_documents"), type_="foreignkey"
        )
        batch_op.drop_column("write_off_id")
        batch_op.drop_column("stock_in_id")
