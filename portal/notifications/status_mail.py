"""The partner's mail when an order enters a status that says so (OrderStatus.notify_partner).

The text is the admin's EmailTemplate "status/<code>" in the buyer's language (rendered now,
in the sandbox), else the file template mail/orders/status_changed (rendered by the worker).
It goes through the outbox, in the transaction of the status change: the change stands when
SMTP is down, and the worker sends the mail later.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from flask_babel import force_locale

from portal.accounts.models import User
from portal.core.db import db
from portal.core.i18n import gettext as _
from portal.documents.models import Document
from portal.notifications import outbox
from portal.notifications.models import OutboxMessage
from portal.notifications.templates_db import outbox_context
from portal.orders.models import OrderStatus, Step

FILE_TEMPLATE = "orders/status_changed"


class StatusLike(Protocol):
    """An OrderStatus row, or the cached copy portal/orders/statuses.py hands around."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def step(self) -> Step | None: ...


SELF_MAILED_STEPS = frozenset({Step.PLACE, Step.HOLD_FOR_APPROVAL, Step.CANCEL, Step.REJECT})
"""Placing, holding for approval, cancelling and rejecting send mails of their own
(orders/placed, awaiting_approval, cancelled, rejected): a second one would repeat them."""

CONTEXT_KEYS = ("name", "company", "number", "status", "gross", "link")
"""What a status template may use; the admin screen lists them."""


def template_code(status: StatusLike) -> str:
    return f"status/{status.code}"


def sends_mail(status: StatusLike) -> bool:
    if status.step in SELF_MAILED_STEPS:
        return False
    notify = getattr(status, "notify_partner", None)
    if notify is None:  # a cached copy without the flag: the row says (identity map first)
        row = db.session.get(OrderStatus, status.id)
        notify = bool(row and row.notify_partner)
    return bool(notify)


def status_context(order: Document, status: StatusLike, buyer: User) -> dict[str, Any]:
    with force_locale(buyer.language):
        status_name = _(status.name)
    return {
        "name": buyer.name,
        "company": buyer.company.name if buyer.company else "",
        "number": order.number,
        "status": status_name,
        "gross": order.gross_total,
        "link": outbox.absolute_url("orders.detail", order_id=order.id),
    }


def sample_context(status_name: str = "Shipped") -> dict[str, Any]:
    """Made-up values for the admin's preview."""
    return {
        "name": "Anna Nowak",
        "company": "Acme Sp. z o.o.",
        "number": "ZK/2026/11/0042",
        "status": status_name,
        "gross": Decimal("1230.00"),
        "link": "https://portal.example/orders/42",
    }


def notify_status(
    order: Document, status: StatusLike, *, actor: User | None
) -> OutboxMessage | None:
    """Queues the mail for an order that has just entered `status`, if the status mails the
    partner; a rep who acted gets a copy. Joins the caller's transaction."""
    if not sends_mail(status) or order.user_id is None:
        return None
    buyer = db.session.get(User, order.user_id)
    if buyer is None or not buyer.active:
        return None
    context = outbox_context(
        template_code(status), buyer.language, status_context(order, status, buyer)
    )
    cc = [actor.email] if actor is not None and actor.is_rep and actor.id != buyer.id else []
    return outbox.enqueue(
        FILE_TEMPLATE,
        to=buyer.email,
        cc=cc,
        language=buyer.language,
        context=context,
    )
