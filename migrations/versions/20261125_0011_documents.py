"""documents and payments: how a payment was made and the order a prepayment pays for

Revision ID: 0011_documents
Revises: 0009_stock
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

revision = "0011_documents"
down_revision = "0009_stock"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payment_info",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "bank_transfer",
                "card",
                "cash",
                name="paymentchannel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_payment_info_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["documents.id"], name=op.f("fk_payment_info_order_id_documents")
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_payment_info")),
    )
    with op.batch_alter_table("payment_info", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_info_order_id"), ["order_id"], unique=False)


def downgrade():
    with op.batch_alter_table("payment_info", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_info_order_id"))
    op.drop_table("payment_info")
