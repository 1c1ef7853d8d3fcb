"""The RMA lifecycle: which status may follow which, and the one function that moves an RMA.

submitted -> awaiting review | approved (auto) -> approved | rejected -> in transit ->
received -> inspected -> resolved -> closed. Receiving may skip "in transit" (the parcel
arrived before the buyer said it was sent). Every move is a timeline row and an e-mail to
the buyer through the outbox, in the caller's transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.core.db import db, utcnow
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.documents.models import Document, DocumentEvent, DocumentLine, EventKind
from portal.notifications import outbox
from portal.returns.models import RMA_STATUS_NAMES, RmaInfo, RmaLine, RmaStatus

S = RmaStatus
TRANSITIONS: dict[RmaStatus, frozenset[RmaStatus]] = {
    S.SUBMITTED: frozenset({S.AWAITING_REVIEW, S.APPROVED, S.REJECTED}),
    S.AWAITING_REVIEW: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.IN_TRANSIT, S.RECEIVED}),
    S.IN_TRANSIT: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.INSPECTED}),
    S.INSPECTED: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

TIMESTAMPS = {
    S.APPROVED: "decided_at",
    S.REJECTED: "decided_at",
    S.RECEIVED: "received_at",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
}


class InvalidRmaTransition(DomainError):
    status = 409


def move_rma(
    rma: Document,
    info: RmaInfo,
    to: RmaStatus,
    *,
    actor: User | None,
    note: str = "",
    notify: bool = True,
) -> None:
    """Moves the RMA if its status is still the one read (a concurrent move loses with a clear
    message: two staff receiving the same parcel book it once)."""
    before = info.status
    if to not in TRANSITIONS[before]:
        raise InvalidRmaTransition(
            _(
                "%(number)s is %(status)s and cannot become %(target)s.",
                number=rma.number,
                status=RMA_STATUS_NAMES[before],
                target=RMA_STATUS_NAMES[to],
            )
        )
    values: dict[str, object] = {"status": to}
    if to in TIMESTAMPS:
        values[TIMESTAMPS[to]] = utcnow()
    moved = db.session.execute(
        sa.update(RmaInfo)
        .where(RmaInfo.document_id == rma.id, RmaInfo.status == before)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidRmaTransition(
            _("%(number)s was changed by someone else meanwhile; reload it.", number=rma.number)
        )
    if to is S.REJECTED:  # the goods may be claimed again
        rma_lines = sa.select(DocumentLine.id).where(DocumentLine.document_id == rma.id)
        db.session.execute(
            sa.update(RmaLine)
            .where(RmaLine.document_line_id.in_(rma_lines))
            .values(claimed=0)
            .execution_options(synchronize_session=False)
        )
    for key, value in values.items():
        setattr(info, key, value)
    db.session.add(
        DocumentEvent(
            document_id=rma.id,
            kind=EventKind.STATUS,
            actor_id=actor.id if actor else None,
            rma_status=to.value,
            note=note,
        )
    )
    if notify:
        notify_buyer(rma, info, to, note=note)


def notify_buyer(rma: Document, info: RmaInfo, status: RmaStatus, *, note: str = "") -> None:
    buyer = db.session.get(User, rma.user_id) if rma.user_id else None
    if buyer is None or not buyer.active:
        return
    outbox.enqueue(
        "returns/status",
        to=buyer.email,
        language=buyer.language,
        context={
            "name": buyer.name,
            "number": rma.number,
            "status": status.value,
            "note": note,
            "instructions": info.instructions if status is S.APPROVED else "",
            "rejection_reason": info.rejection_reason if status is S.REJECTED else "",
            "link": outbox.absolute_url("returns.detail", rma_id=rma.id),
        },
    )
