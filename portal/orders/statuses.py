"""Order statuses are data: steps move an order to the status configured for the step, and
every change is a row on the order's timeline."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.core.db import db
from portal.core.errors import DomainError
from portal.documents.models import Document, DocumentEvent, EventKind
from portal.orders.models import OrderStatus, OrderStatusTransition, Step

# A step without a status of its own lands where another step does.
STEP_FALLBACK = {Step.APPROVE: Step.PLACE}


class InvalidTransition(DomainError):
    pass


def status_for(step: Step) -> OrderStatus:
    target = STEP_FALLBACK.get(step, step)
    status = db.session.scalar(sa.select(OrderStatus).where(OrderStatus.step == target))
    if status is None:
        raise LookupError(f"no order status is configured for the step {target}")
    return status


def can_move(current: OrderStatus | None, target: OrderStatus) -> bool:
    if current is None:
        return True
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OrderStatusTransition)
            .where(
                OrderStatusTransition.from_status_id == current.id,
                OrderStatusTransition.to_status_id == target.id,
            )
        )
        or 0
    ) > 0


def move_to_step(
    order: Document,
    step: Step,
    *,
    actor: User | None,
    on_behalf_of: User | None = None,
    note: str = "",
    check: bool = True,
) -> OrderStatus:
    """Changes the order's status and writes the timeline row; joins the caller's transaction."""
    target = status_for(step)
    current = db.session.get(OrderStatus, order.status_id) if order.status_id else None
    if check and not can_move(current, target):
        raise InvalidTransition(
            _(
                "An order that is %(current)s cannot become %(target)s.",
                current=current.name if current else "-",
                target=target.name,
            )
        )
    order.status_id = target.id
    db.session.add(
        DocumentEvent(
            document_id=order.id,
            kind=EventKind.STATUS,
            actor_id=actor.id if actor else None,
            on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
            from_status_id=current.id if current else None,
            to_status_id=target.id,
            note=note,
        )
    )
    return target
