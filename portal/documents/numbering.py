"""Document numbers: per kind and period, unique and gapless under concurrency.

The series row is incremented inside the issuing transaction. On PostgreSQL the UPDATE holds
the row lock until commit, so issuers queue; on SQLite writers hold the database lock from
BEGIN IMMEDIATE. A rollback gives the number back: never duplicated, never skipped.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.core.db import db, table_of
from portal.documents.models import DocumentKind, DocumentSeries

YEARLY = {DocumentKind.RMA}


def period_of(kind: DocumentKind, on: date) -> str:
    return f"{on:%Y}" if kind in YEARLY else f"{on:%Y/%m}"


def format_number(kind: DocumentKind, period: str, sequence: int) -> str:
    if kind in YEARLY:
        return f"{kind.value}/{period}/{sequence:06d}"  # RMA/2026/000123
    return f"{kind.value}/{period}/{sequence:04d}"  # ZK/2026/11/0042


def allocate_number(kind: DocumentKind, on: date) -> str:
    """The next number of the kind's series in the period: one statement that starts the
    series at 1 or adds 1 to it, and returns the number (every order waits for it)."""
    period = period_of(kind, on)
    sequence = db.session.scalar(
        _next_in_series(db.engine.dialect.name), {"kind": kind, "period": period}
    )
    assert sequence is not None
    return format_number(kind, period, sequence)


# Every numbered document runs this: built once, as building a statement costs about as much
# Python as running it.
@cache
def _next_in_series(dialect: str) -> sa.Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    series = table_of(DocumentSeries)
    return (
        insert(series)
        .values(kind=sa.bindparam("kind"), period=sa.bindparam("period"), last_number=1)
        .on_conflict_do_update(
            index_elements=["kind", "period"], set_={"last_number": series.c.last_number + 1}
        )
        .returning(series.c.last_number)
    )
