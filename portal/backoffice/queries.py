"""The office dashboard's counts: each one an indexed query, whatever the data's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.core.db import db
from portal.core.money import sum_of
from portal.documents.models import Document, DocumentKind
from portal.orders.models import OrderStatus, StatusType, Step
from portal.reps.queries import overdue_condition
from portal.stock.queries import main_warehouse_id, stock_levels

LOW_STOCK_SHOWN = 99
"""The tile counts low products up to this; more shows as "99+"."""
TO_PACK_STEPS = (Step.CONFIRM, Step.PICK)


@dataclass(frozen=True)
class Tiles:
    to_confirm: int
    to_pack: int
    overdue_count: int
    overdue_total: Decimal
    low_stock: int
    """Capped at LOW_STOCK_SHOWN + 1."""


def _orders_in(statuses: sa.ColumnElement[bool]) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Document)
            .where(
                Document.kind == DocumentKind.ZK,
                Document.status_id.in_(sa.select(OrderStatus.id).where(statuses)),
            )
        )
        or 0
    )


def tiles(today: date) -> Tiles:
    to_confirm = _orders_in(
        sa.and_(
            OrderStatus.type == StatusType.WAITING,
            sa.or_(OrderStatus.step.is_(None), OrderStatus.step != Step.HOLD_FOR_APPROVAL),
        )
    )
    to_pack = _orders_in(OrderStatus.step.in_(TO_PACK_STEPS))
    overdue_count, overdue_total = db.session.execute(
        sa.select(sa.func.count(), sum_of(Document.gross_total - Document.paid_total))
        .select_from(Document)
        .where(overdue_condition(today))
    ).one()
    low = stock_levels(main_warehouse_id(), low_only=True, limit=LOW_STOCK_SHOWN + 1)
    return Tiles(to_confirm, to_pack, overdue_count, overdue_total, len(low))


def status_code(step: Step) -> str:
    """The code of the status a step leads to, for the order list's filter link."""
    return db.session.scalar(sa.select(OrderStatus.code).where(OrderStatus.step == step)) or ""
