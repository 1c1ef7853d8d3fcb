"""Filing a return or a complaint: the partner's side of an RMA, in one transaction.

`submit_rma` re-checks every line's eligibility after locking the delivered lines (on
PostgreSQL `FOR UPDATE` in id order, so two submissions queue instead of deadlocking; on
SQLite a writer holds the database from its first statement), so concurrent RMAs can never
claim more than was delivered. The RMA's number comes from the same transaction: no number
is used without its RMA. Photos are stored before (content-addressed files: a rollback
leaves at most an unreferenced file, never a row without its RMA).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.catalog.models import Unit
from portal.core.clock import local_today
from portal.core.db import atomic, db, is_sqlite
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import round_money
from portal.core.templating import unit
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    EventKind,
    ReasonCode,
    ReasonKind,
)
from portal.documents.services import LineDraft, issue, link
from portal.returns import rules
from portal.returns.eligibility import DeliveredLine, delivered_lines, eligibility, plain
from portal.returns.models import (
    PhotoStage,
    Resolution,
    RmaInfo,
    RmaKind,
    RmaLine,
    RmaStatus,
)
from portal.returns.photos import MAX_PHOTOS_PER_LINE, StoredPhoto, add_photo
from portal.returns.states import move_rma

log = logging.getLogger(__name__)


class ClaimLine(NamedTuple):
    """One line of a submission: what the partner asks for on one delivered line."""

    delivered_line_id: int
    quantity: Decimal
    reason_id: int | None
    description: str = ""
    resolution: Resolution | None = None
    photos: Sequence[StoredPhoto] = ()


class FilingRefused(DomainError):
    """The submission is refused; `errors` says why per delivered line and field
    ((line id, "quantity") -> message), `message` for the whole form."""

    def __init__(self, message: str, errors: dict[tuple[int, str], str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


def reason_kind(kind: RmaKind) -> ReasonKind:
    return ReasonKind.RETURN if kind is RmaKind.RETURN else ReasonKind.COMPLAINT


def reasons_for(kind: RmaKind) -> list[ReasonCode]:
    return list(
        db.session.scalars(
            sa.select(ReasonCode)
            .where(ReasonCode.kind == reason_kind(kind), ReasonCode.active.is_(True))
            .order_by(ReasonCode.position, ReasonCode.id)
        )
    )


def rma_by_key(key: str) -> Document | None:
    return db.session.scalar(
        sa.select(Document)
        .join(RmaInfo, RmaInfo.document_id == Document.id)
        .where(RmaInfo.idempotency_key == key)
    )


def submit_rma(
    buyer: User,
    *,
    actor: User,
    kind: RmaKind,
    lines: Sequence[ClaimLine],
    idempotency_key: str,
    today: date | None = None,
) -> Document:
    """Files the RMA for `buyer` (a partner user; `actor` is who did it: the buyer, or a rep
    acting for them): numbered, its lines, photos, links from the orders and delivery notes,
    then approved by the first matching rule or left awaiting review. The same key twice
    gives the first RMA."""
    key = idempotency_key.strip()[:64]
    if not key:
        raise FilingRefused(_("The form has expired; please open it again."))
    try:
        return _submit(buyer, actor=actor, kind=kind, lines=lines, key=key, today=today)
    except IntegrityError:
        # The same key committed by a concurrent submission (PostgreSQL): that one wins.
        db.session.rollback()
        first = rma_by_key(key)
        if first is None or first.company_id != buyer.company_id:
            raise
        return first


def _submit(
    buyer: User,
    *,
    actor: User,
    kind: RmaKind,
    lines: Sequence[ClaimLine],
    key: str,
    today: date | None,
) -> Document:
    with atomic():
        first = rma_by_key(key)
        if first is not None:
            if first.company_id != buyer.company_id:
                raise FilingRefused(_("The form has expired; please open it again."))
            return first
        if not lines:
            raise FilingRefused(_("Choose at least one line and the quantity to return."))
        today = today or local_today()
        ids = [claim.delivered_line_id for claim in lines]
        if len(set(ids)) != len(ids):
            raise FilingRefused(_("Each delivered line may appear once."))
        _lock_delivered_lines(ids)
        known = {line.line_id: line for line in delivered_lines(buyer, line_ids=ids)}
        reasons = {reason.id: reason for reason in reasons_for(kind)}
        errors = _check(lines, known, reasons, kind=kind, today=today)
        if errors:
            raise FilingRefused(_("Please correct the lines marked below."), errors)
        rma = _issue(buyer, actor=actor, kind=kind, lines=lines, known=known, key=key, on=today)
    log.info("rma submitted number=%s id=%s company=%s", rma.number, rma.id, rma.company_id)
    return rma


def _lock_delivered_lines(ids: Sequence[int]) -> None:
    """Two submissions on the same delivered line queue here (a fixed order: no deadlock)."""
    if is_sqlite():
        return  # the writer already holds the database (BEGIN IMMEDIATE)
    db.session.execute(
        sa.select(DocumentLine.id)
        .where(DocumentLine.id.in_(ids))
        .order_by(DocumentLine.id)
        .with_for_update()
    ).all()


def _check(
    lines: Sequence[ClaimLine],
    known: dict[int, DeliveredLine],
    reasons: dict[int, ReasonCode],
    *,
    kind: RmaKind,
    today: date,
) -> dict[tuple[int, str], str]:
    errors: dict[tuple[int, str], str] = {}
    for claim in lines:
        line_id = claim.delivered_line_id
        delivered = known.get(line_id)
        if delivered is None:
            errors[line_id, "line"] = _("This line is not one of your deliveries.")
            continue
        verdict = eligibility(delivered, kind, today)
        if not verdict.eligible:
            errors[line_id, "quantity"] = verdict.message
        elif claim.quantity <= 0:
            errors[line_id, "quantity"] = _("Enter a quantity above zero.")
        elif claim.quantity > verdict.claimable:
            errors[line_id, "quantity"] = _(
                "At most %(quantity)s %(unit)s can be claimed on this line.",
                quantity=plain(verdict.claimable),
                unit=unit(delivered.unit),
            )
        elif claim.quantity != claim.quantity.quantize(Decimal("0.001")):
            errors[line_id, "quantity"] = _("Use at most 3 decimal places.")
        elif not _fractional(delivered.unit) and claim.quantity != claim.quantity.to_integral():
            errors[line_id, "quantity"] = _("Enter a whole number for this unit.")
        reason = reasons.get(claim.reason_id) if claim.reason_id is not None else None
        if reason is None:
            errors[line_id, "reason"] = _("Choose a reason.")
        else:
            if reason.requires_photos and not claim.photos:
                errors[line_id, "photos"] = _("This reason needs at least one photo.")
            if reason.requires_description and not claim.description.strip():
                errors[line_id, "description"] = _("This reason needs a description.")
        if len(claim.photos) > MAX_PHOTOS_PER_LINE:
            errors[line_id, "photos"] = _(
                "At most %(count)d photos per line.", count=MAX_PHOTOS_PER_LINE
            )
        if claim.resolution is None:
            errors[line_id, "resolution"] = _("Choose what you would like us to do.")
    return errors


def _fractional(code: str) -> bool:
    return code in {u.value for u in Unit if u.allows_fraction}


def _issue(
    buyer: User,
    *,
    actor: User,
    kind: RmaKind,
    lines: Sequence[ClaimLine],
    known: dict[int, DeliveredLine],
    key: str,
    on: date,
) -> Document:
    drafts = []
    for claim in lines:
        delivered = known[claim.delivered_line_id]
        share = round_money(delivered.discount * claim.quantity / delivered.quantity)
        drafts.append(
            LineDraft(
                sku=delivered.sku,
                name=delivered.name,
                unit=delivered.unit,
                quantity=claim.quantity,
                unit_price=delivered.unit_price,
                list_price=delivered.list_price,
                vat_percent=delivered.vat_percent,
                discount=share,
                product_id=delivered.product_id,
                source_line_id=delivered.line_id,
            )
        )
    rma, rows = issue(
        DocumentKind.RMA,
        on=on,
        actor=actor,
        lines=drafts,
        company_id=buyer.company_id,
        user_id=buyer.id,
    )
    sources = db.session.scalars(
        sa.select(Document)
        .where(
            Document.id.in_(
                {known[c.delivered_line_id].order_id for c in lines}
                | {known[c.delivered_line_id].delivery_note_id for c in lines}
            )
        )
        .order_by(Document.id)
    )
    for source in sources:
        link(source, rma)  # ZK -> RMA and WZ -> RMA: related documents both ways
    info = RmaInfo(document_id=rma.id, kind=kind, status=RmaStatus.SUBMITTED, idempotency_key=key)
    db.session.add(info)
    for claim, row in zip(lines, rows, strict=True):
        delivered = known[claim.delivered_line_id]
        assert claim.reason_id is not None and claim.resolution is not None  # checked
        db.session.add(
            RmaLine(
                document_line_id=row.id,
                delivered_line_id=delivered.line_id,
                claimed=claim.quantity,
                order_id=delivered.order_id,
                reason_id=claim.reason_id,
                description=claim.description.strip(),
                resolution=claim.resolution,
            )
        )
        for photo in claim.photos:
            add_photo(row, photo, stage=PhotoStage.FILING, actor=actor)
    db.session.add(
        DocumentEvent(
            document_id=rma.id,
            kind=EventKind.STATUS,
            actor_id=actor.id,
            on_behalf_of_id=buyer.id if actor.id != buyer.id else None,
            rma_status=RmaStatus.SUBMITTED.value,
        )
    )
    db.session.flush()
    rule = rules.matching_rule(
        rules.active_rules(),
        kind=kind,
        net_value=rma.net_total,
        good_standing=rules.in_good_standing(buyer.company_id or 0, on),
    )
    if rule is not None:
        info.auto_approved = True
        info.instructions = rule.instructions
        move_rma(rma, info, RmaStatus.APPROVED, actor=None, note=rule.instructions)
    else:
        move_rma(rma, info, RmaStatus.AWAITING_REVIEW, actor=None)
    return rma


# --- after filing --------------------------------------------------------------------------


class ParcelNotExpected(DomainError):
    status = 409


def mark_sent(rma: Document, *, actor: User, tracking_number: str = "") -> None:
    """The buyer says the parcel is on its way (an approved RMA only)."""
    with atomic():
        info = db.session.scalar(
            sa.select(RmaInfo).where(RmaInfo.document_id == rma.id).with_for_update()
        )
        assert info is not None
        if info.status is not RmaStatus.APPROVED:
            raise ParcelNotExpected(
                _("The parcel can be marked as sent once the return is approved.")
            )
        info.tracking_number = tracking_number.strip()[:60]
        note = (
            _("Tracking number: %(number)s", number=info.tracking_number)
            if info.tracking_number
            else ""
        )
        move_rma(rma, info, RmaStatus.IN_TRANSIT, actor=actor, note=note)
