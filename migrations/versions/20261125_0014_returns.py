"""returns and complaints: RMA details and lines, photos, return policies, auto-approval rules

Revision ID: 0014_returns
Revises: 0013_admin
Create Date: 2026-11-25

"""

import datetime

import sqlalchemy as sa
from alembic import op

revision = "0014_returns"
down_revision = "0013_admin"
branch_labels = None
depends_on = None


def _enum(*values, name, length=20):
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def upgrade():
    op.create_table(
        "return_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("return_window_days", sa.Integer(), nullable=False),
        sa.Column("warranty_months", sa.Integer(), nullable=False),
        sa.Column("restocking_fee_percent", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_policies")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_return_policies_valid_from")),
    )
    op.create_table(
        "rma_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("return", "complaint", name="rmakind", length=10), nullable=True),
        sa.Column("max_value", sa.BigInteger(), nullable=True),
        sa.Column("require_good_standing", sa.Boolean(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rma_rules")),
    )
    op.create_table(
        "rma_info",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("return", "complaint", name="rmakind", length=10), nullable=False),
        sa.Column(
            "status",
            _enum(
                "submitted",
                "awaiting_review",
                "approved",
                "rejected",
                "in_transit",
                "received",
                "inspected",
                "resolved",
                "closed",
                name="rmastatus",
            ),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("auto_approved", sa.Boolean(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("rejection_reason", sa.Text(), nullable=False),
        sa.Column("tracking_number", sa.String(length=60), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column(
            "refund_state",
            _enum("none", "pending", "refunded", "failed", name="refundstate", length=10),
            nullable=False,
        ),
        sa.Column("refund_amount", sa.BigInteger(), nullable=False),
        sa.Column("refund_error", sa.Text(), nullable=False),
        sa.Column("stripe_refund_id", sa.String(length=255), nullable=True),
        sa.Column("restocking_fee", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_rma_info_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_rma_info")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_rma_info_idempotency_key")),
        sa.UniqueConstraint("stripe_refund_id", name=op.f("uq_rma_info_stripe_refund_id")),
    )
    op.create_index(op.f("ix_rma_info_status"), "rma_info", ["status"], unique=False)
    op.create_table(
        "rma_lines",
        sa.Column("document_line_id", sa.Integer(), nullable=False),
        sa.Column("delivered_line_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reason_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "resolution",
            _enum("refund", "replacement", "repair", "credit", name="resolution", length=12),
            nullable=False,
        ),
        sa.Column("accepted_quantity", sa.BigInteger(), nullable=True),
        sa.Column(
            "condition",
            _enum("resellable", "damaged", "missing", "return_to_supplier", name="condition"),
            nullable=True,
        ),
        sa.Column("inspection_notes", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_rma_lines_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["delivered_line_id"],
            ["document_lines.id"],
            name=op.f("fk_rma_lines_delivered_line_id_document_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["document_line_id"],
            ["document_lines.id"],
            name=op.f("fk_rma_lines_document_line_id_document_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["documents.id"], name=op.f("fk_rma_lines_order_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["reason_id"], ["reason_codes.id"], name=op.f("fk_rma_lines_reason_id_reason_codes")
        ),
        sa.PrimaryKeyConstraint("document_line_id", name=op.f("pk_rma_lines")),
    )
    op.create_index(
        op.f("ix_rma_lines_delivered_line_id"), "rma_lines", ["delivered_line_id"], unique=False
    )
    op.create_index(op.f("ix_rma_lines_order_id"), "rma_lines", ["order_id"], unique=False)
    op.create_table(
        "rma_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_line_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage", _enum("filing", "inspection", name="photostage", length=10), nullable=False
        ),
        sa.Column("image_key", sa.String(length=80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_line_id"],
            ["document_lines.id"],
            name=op.f("fk_rma_photos_document_line_id_document_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_rma_photos_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rma_photos")),
    )
    op.create_index(
        op.f("ix_rma_photos_document_line_id"), "rma_photos", ["document_line_id"], unique=False
    )
    op.add_column("document_events", sa.Column("rma_status", sa.String(length=20), nullable=True))
    # products is not rebuilt (its search triggers stay): a plain column with a default.
    op.add_column(
        "products",
        sa.Column("returnable", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    # Defaults: a 30-day return window and 24 months of warranty since always; returns up to
    # 1,000 PLN net from partners without overdue invoices are approved at once.
    op.bulk_insert(
        sa.table(
            "return_policies",
            sa.column("valid_from", sa.Date),
            sa.column("return_window_days", sa.Integer),
            sa.column("warranty_months", sa.Integer),
            sa.column("restocking_fee_percent", sa.BigInteger),
        ),
        [
            {
                "valid_from": datetime.date(2000, 1, 1),
                "return_window_days": 30,
                "warranty_months": 24,
                "restocking_fee_percent": 0,
            }
        ],
    )
    op.bulk_insert(
        sa.table(
            "rma_rules",
            sa.column("position", sa.Integer),
            sa.column("kind", sa.String),
            sa.column("max_value", sa.BigInteger),
            sa.column("require_good_standing", sa.Boolean),
            sa.column("instructions", sa.Text),
            sa.column("active", sa.Boolean),
        ),
        [
            {
                "position": 10,
                "kind": "return",
                "max_value": 100_000,  # 1,000.00 PLN in cents
                "require_good_standing": True,
                "instructions": "",
                "active": True,
            }
        ],
    )


def downgrade():
    # ALTER TABLE ... DROP COLUMN in place (SQLite >= 3.35): products keeps its triggers.
    op.execute("ALTER TABLE products DROP COLUMN returnable")
    op.execute("ALTER TABLE document_events DROP COLUMN rma_status")
    op.drop_index(op.f("ix_rma_photos_document_line_id"), table_name="rma_photos")
    op.drop_table("rma_photos")
    op.drop_index(op.f("ix_rma_lines_order_id"), table_name="rma_lines")
    op.drop_index(op.f("ix_rma_lines_delivered_line_id"), table_name="rma_lines")
    op.drop_table("rma_lines")
    op.drop_index(op.f("ix_rma_info_status"), table_name="rma_info")
    op.drop_table("rma_info")
    op.drop_table("rma_rules")
    op.drop_table("return_policies")
