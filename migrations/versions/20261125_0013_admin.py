"""admin: a partial index of unpaid documents for the dashboards' overdue counts

Revision ID: 0013_admin
Revises: 0011_documents
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

revision = "0013_admin"
down_revision = "0011_documents"
branch_labels = None
depends_on = None

OPEN_PAYABLE = "paid_total < gross_total"


def upgrade():
    op.create_index(
        "ix_documents_open_due",
        "documents",
        ["kind", "due_on", "company_id", "state", "gross_total", "paid_total"],
        unique=False,
        sqlite_where=sa.text(OPEN_PAYABLE),
        postgresql_where=sa.text(OPEN_PAYABLE),
    )


def downgrade():
    op.drop_index("ix_documents_open_due", table_name="documents")
