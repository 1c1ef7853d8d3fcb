"""Order statuses are data: steps move an order to the status configured for the step, and
every change is a row on the order's timeline.

The statuses and their allowed transitions are read once per process and kept for a short
while (ORDER_STATUS_CACHE_SECONDS), per database: every placed order needs its first status,
and they change only when an admin edits them (who calls forget_statuses())."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import User
from portal.core.db import db, is_sqlite
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.documents.models import Document, DocumentEvent, EventKind
from portal.orders.models import OrderStatus, OrderStatusTransition, StatusType, Step

# A step without a status of its own lands where another step does.
STEP_FALLBACK = {Step.APPROVE: Step.PLACE}


class InvalidTransition(DomainError):
    pass


@dataclass(frozen=True)
class StatusInfo:
    """An order status as read at the last refresh (plain values, safe to share)."""

    id: int
    code: str
    name: str
    type: StatusType
    step: Step | None


@dataclass(frozen=True)
class _Statuses:
    expires: float
    by_id: dict[int, StatusInfo]
    by_step: dict[Step, StatusInfo]
    transitions: frozenset[tuple[int, int]]


_cache: dict[str, _Statuses] = {}


def forget_statuses() -> None:
    """Call after statuses or transitions change; other workers see it within the TTL."""
    _cache.clear()


def _statuses() -> _Statuses:
    key = current_app.config["SQLALCHEMY_DATABASE_URI"]
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and cached.expires > now:
        return cached
    columns = (OrderStatus.id, OrderStatus.code, OrderStatus.name, OrderStatus.type)
    infos = [
        StatusInfo(row.id, row.code, row.name, row.type, row.step)
        for row in db.session.execute(sa.select(*columns, OrderStatus.step))
    ]
    transitions = frozenset(
        (row.from_status_id, row.to_status_id)
        for row in db.session.execute(
            sa.select(OrderStatusTransition.from_status_id, OrderStatusTransition.to_status_id)
        )
    )
    fresh = _Statuses(
        expires=now + current_app.config.get("ORDER_STATUS_CACHE_SECONDS", 60),
        by_id={info.id: info for info in infos},
        by_step={info.step: info for info in infos if info.step is not None},
        transitions=transitions,
    )
    _cache[key] = fresh
    return fresh


def status_ids(*types: StatusType, code: str | None = None) -> list[int]:
    """The ids of the order statuses of these types (or with this code), from the statuses
    the process keeps (see _statuses), passed on as values: given a subquery on the
    statuses' type, PostgreSQL guessed that most orders match (six of ten statuses are
    open) and read every order ever placed; given ids, it reads the index on (kind, status)
    for just those, from its statistics of how many orders each has."""
    infos = _statuses().by_id.values()
    if code is not None:
        return [info.id for info in infos if info.code == code]
    return sorted(info.id for info in infos if info.type in types)


def status_for(step: Step) -> StatusInfo:
    target = STEP_FALLBACK.get(step, step)
    status = _statuses().by_step.get(target)
    if status is None:
        raise LookupError(f"no order status is configured for the step {target}")
    return status


def status_of(order: Document) -> StatusInfo | None:
    return _statuses().by_id.get(order.status_id) if order.status_id else None


def refresh_status(order: Document, *, lock: bool = False) -> None:
    """Reads the order's status as stored now, inside the caller's transaction (the order
    was loaded with the page, maybe before someone else changed it); `lock` also locks the
    order's row on PostgreSQL, so two people cannot act on the same order at once (on
    SQLite the transaction already holds the write lock)."""
    query = sa.select(Document.status_id).where(Document.id == order.id)
    if lock and not is_sqlite():
        query = query.with_for_update()
    order.status_id = db.session.scalar(query)


def can_move(current: StatusInfo | None, target: StatusInfo) -> bool:
    return current is None or (current.id, target.id) in _statuses().transitions


def status_event(
    order: Document,
    target: StatusInfo,
    *,
    current: StatusInfo | None,
    actor: User | None,
    on_behalf_of: User | None = None,
    note: str = "",
) -> dict[str, Any]:
    """The timeline row of a status change, for an insert of DocumentEvent."""
    return {
        "document_id": order.id,
        "kind": EventKind.STATUS,
        "actor_id": actor.id if actor else None,
        "on_behalf_of_id": on_behalf_of.id if on_behalf_of else None,
        "from_status_id": current.id if current else None,
        "to_status_id": target.id,
        "note": note,
    }


def move_to_step(
    order: Document,
    step: Step,
    *,
    actor: User | None,
    on_behalf_of: User | None = None,
    note: str = "",
    check: bool = True,
) -> StatusInfo:
    """Changes the order's status and writes the timeline row; joins the caller's transaction."""
    target = status_for(step)
    current = status_of(order)
    if check and not can_move(current, target):
        raise InvalidTransition(
            _(
                "An order that is %(current)s cannot become %(target)s.",
                current=current.name if current else "-",
                target=target.name,
            )
        )
    order.status_id = target.id
    db.session.execute(
        sa.insert(DocumentEvent),
        [
            status_event(
                order,
                target,
                current=current,
                actor=actor,
                on_behalf_of=on_behalf_of,
                note=note,
            )
        ],
    )
    from portal.notifications.status_mail import notify_status  # after the timeline row

    notify_status(order, target, actor=actor)
    return target
