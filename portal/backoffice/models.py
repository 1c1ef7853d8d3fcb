"""Indexes the office's dashboards need on other areas' tables (declared here, created by
migration 0013_admin).

Overdue invoices are counted on every office and rep dashboard: of a year's documents only the
unpaid ones matter, so a partial index holds just those, with every column the count and
the sum read (a covering index: the table itself is not touched). The office reads every
partner's by due date; a rep reads a hundred partners', by partner (migration 0018).
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.documents.models import Document

OPEN_PAYABLE = sa.text("paid_total < gross_total")

open_due_index = sa.Index(
    "ix_documents_open_due",
    Document.kind,
    Document.due_on,
    Document.company_id,
    Document.state,
    Document.gross_total,
    Document.paid_total,
    sqlite_where=OPEN_PAYABLE,
    postgresql_where=OPEN_PAYABLE,
)

open_due_by_company_index = sa.Index(
    "ix_documents_open_due_company",
    Document.company_id,
    Document.due_on,
    Document.kind,
    Document.state,
    Document.gross_total,
    Document.paid_total,
    sqlite_where=OPEN_PAYABLE,
    postgresql_where=OPEN_PAYABLE,
)
