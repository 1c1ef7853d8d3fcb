"""Handling an RMA in the office: approve or reject it, receive the parcel, inspect the goods.

Each command is one transaction. The status moves first (`move_rma`'s guarded UPDATE): of two
staff receiving or inspecting the same RMA at once, the second is refused before anything is
booked. Inspection books the stock: everything that physically came back goes in on a customer
return receipt (ZW) into the batch its delivery note (WZ) line shipped; damaged goods then leave
on a write-off (RW) at cost, goods for the supplier on an RW at zero value.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalog.models import Unit
from portal.core.clock import local_today
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import ZERO
from portal.documents.models import Document, DocumentKind, DocumentLine
from portal.documents.services import LineDraft, issue, link
from portal.returns.models import (
    Condition,
    PhotoStage,
    Resolution,
    RmaInfo,
    RmaLine,
    RmaPhoto,
    RmaStatus,
)
from portal.returns.photos import MAX_PHOTOS_PER_LINE, PhotoRefused, StoredPhoto
from portal.returns.photos import store as store_photo
from portal.returns.states import move_rma
from portal.stock import ledger
from portal.stock.models import Batch, Warehouse
from portal.stock.services import RETURNED_TO_SUPPLIER, OutLine, write_off

log = logging.getLogger(__name__)

DAMAGE = "damage"
BACK_IN_STOCK = frozenset({Condition.RESELLABLE, Condition.DAMAGED, Condition.RETURN_TO_SUPPLIER})
"""Conditions of goods that physically came back (they come in on the ZW)."""
MAX_TEXT = 2000
FRACTIONAL_UNITS = frozenset(unit.value for unit in Unit if unit.allows_fraction)


class HandlingError(DomainError):
    """A handling step refused; `field` names the input it is about ("" for the whole form)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ClaimLine:
    """One RMA line with what it returns: the RMA's document line, its RMA details, and the
    delivery note line the goods left on."""

    line: DocumentLine
    rma: RmaLine
    delivered: DocumentLine


@dataclass(frozen=True)
class Inspection:
    """Staff's finding for one RMA line (keyed by the RMA's document line id)."""

    line_id: int
    accepted: Decimal
    condition: Condition
    notes: str = ""
    photos: Sequence[bytes] = field(default_factory=tuple)


def info_of(rma: Document, *, fresh: bool = False) -> RmaInfo:
    query = sa.select(RmaInfo).where(RmaInfo.document_id == rma.id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    info = db.session.scalars(query).one_or_none()
    if info is None or rma.kind is not DocumentKind.RMA:
        raise HandlingError(_("This document is not a return or complaint."))
    return info


def claim_lines(rma: Document) -> list[ClaimLine]:
    """The RMA's lines in order, with their RMA details and delivered lines (one query)."""
    delivered = sa.orm.aliased(DocumentLine)
    rows = db.session.execute(
        sa.select(DocumentLine, RmaLine, delivered)
        .join(RmaLine, RmaLine.document_line_id == DocumentLine.id)
        .join(delivered, delivered.id == RmaLine.delivered_line_id)
        .where(DocumentLine.document_id == rma.id)
        .order_by(DocumentLine.position)
    ).all()
    return [ClaimLine(line, details, shipped) for line, details, shipped in rows]


def _text(value: str, what: str, *, required: bool, field_name: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise HandlingError(_("Write the %(what)s.", what=what), field=field_name)
    if len(value) > MAX_TEXT:
        raise HandlingError(
            _("At most %(count)d characters, please.", count=MAX_TEXT), field=field_name
        )
    return value


# --- the decision ----------------------------------------------------------------------------


def approve(
    rma: Document,
    *,
    actor: User,
    instructions: str,
    ship_replacement_now: bool = False,
) -> Document | None:
    """Approves an RMA awaiting review, with the instructions the customer gets (how to pack,
    where to send). With `ship_replacement_now`, the replacement order for its replacement
    lines is placed at once ("ship in advance"); it is returned."""
    instructions = _text(
        instructions, _("instructions for the customer"), required=False, field_name="instructions"
    )
    with atomic():
        info = info_of(rma, fresh=True)
        info.instructions = instructions
        move_rma(rma, info, RmaStatus.APPROVED, actor=actor, note=instructions)
        replacement = None
        if ship_replacement_now:
            from portal.returns.resolution import place_replacement

            replacement = place_replacement(rma, actor=actor, in_advance=True)
            if replacement is None:
                raise HandlingError(
                    _("No line of this RMA asks for a replacement."), field="ship_replacement_now"
                )
    log.info("rma approved id=%s by=%s", rma.id, actor.id)
    return replacement


def reject(rma: Document, *, actor: User, reason: str) -> None:
    """Rejects an RMA awaiting review; the customer sees the reason."""
    reason = _text(reason, _("reason the customer will see"), required=True, field_name="reason")
    with atomic():
        info = info_of(rma, fresh=True)
        info.rejection_reason = reason
        move_rma(rma, info, RmaStatus.REJECTED, actor=actor, note=reason)
    log.info("rma rejected id=%s by=%s", rma.id, actor.id)


# --- receiving and inspection -------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _check_quantity(claim: ClaimLine, quantity: Decimal, field_name: str) -> None:
    if quantity < 0 or quantity > claim.line.quantity:
        raise HandlingError(
            _(
                "%(sku)s: enter 0 to %(claimed)s.",
                sku=claim.line.sku,
                claimed=_plain(claim.line.quantity),
            ),
            field=field_name,
        )
    whole = claim.line.unit not in FRACTIONAL_UNITS
    if whole and quantity != quantity.to_integral_value():
        raise HandlingError(_("%(sku)s: whole pieces only.", sku=claim.line.sku), field=field_name)
    if quantity != quantity.quantize(Decimal("0.001")):
        raise HandlingError(
            _("%(sku)s: at most three decimal places.", sku=claim.line.sku), field=field_name
        )


def receive(
    rma: Document, *, actor: User, quantities: Mapping[int, Decimal], note: str = ""
) -> None:
    """The parcel arrived (approved or in transit): what came per line (RMA document line id ->
    quantity) is noted for the inspection. Of two staff receiving at once, one wins; the other
    is told someone else changed the RMA."""
    note = _text(note, _("note"), required=False, field_name="note")
    with atomic():
        info = info_of(rma, fresh=True)
        claims = claim_lines(rma)
        counted: list[tuple[ClaimLine, Decimal]] = []
        for claim in claims:
            quantity = quantities.get(claim.line.id, claim.line.quantity)
            _check_quantity(claim, quantity, f"quantity-{claim.line.id}")
            counted.append((claim, quantity))
        summary = ", ".join(f"{claim.line.sku} × {_plain(qty)}" for claim, qty in counted)
        move_rma(
            rma,
            info,
            RmaStatus.RECEIVED,
            actor=actor,
            note="; ".join(part for part in (summary, note) if part),
        )
        for claim, quantity in counted:
            claim.rma.accepted_quantity = quantity
        db.session.flush()
    log.info("rma received id=%s by=%s", rma.id, actor.id)


@dataclass(frozen=True)
class Booked:
    receipt: Document | None
    write_offs: list[Document]


def _warehouse_id(delivery_note: Document) -> int:
    if delivery_note.warehouse_id is not None:
        return delivery_note.warehouse_id
    main = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.is_main.is_(True)))
    if main is None:
        raise HandlingError(_("There is no main warehouse to receive the goods into."))
    return main


def inspect(
    rma: Document, *, actor: User, findings: Sequence[Inspection], on: date | None = None
) -> Booked:
    """Per line: the accepted quantity (at most what was claimed) and its condition, notes and
    photos; then the stock is booked (ZW, and RW for damaged goods or goods for the supplier),
    everything linked: RMA -> ZW, WZ -> ZW, ZW -> RW. All or nothing."""
    on = on or local_today()
    photos = _stored_photos(findings)
    with atomic():
        info = info_of(rma, fresh=True)
        claims = {claim.line.id: claim for claim in claim_lines(rma)}
        by_line = {finding.line_id: finding for finding in findings}
        unknown = set(by_line) - set(claims)
        if unknown:
            raise HandlingError(_("This line is not on %(number)s.", number=rma.number))
        missing = [claim for line_id, claim in claims.items() if line_id not in by_line]
        if missing:
            raise HandlingError(
                _("%(sku)s: enter what came back.", sku=missing[0].line.sku),
                field=f"accepted-{missing[0].line.id}",
            )
        for line_id, finding in by_line.items():
            claim = claims[line_id]
            _check_quantity(claim, finding.accepted, f"accepted-{line_id}")
            if finding.condition is Condition.MISSING and finding.accepted != 0:
                raise HandlingError(
                    _("%(sku)s: missing goods are accepted as 0.", sku=claim.line.sku),
                    field=f"accepted-{line_id}",
                )
            if finding.condition in BACK_IN_STOCK and claim.delivered.product_id is None:
                raise HandlingError(
                    _("%(sku)s: not a stock product.", sku=claim.line.sku),
                    field=f"condition-{line_id}",
                )
            _text(finding.notes, _("notes"), required=False, field_name=f"notes-{line_id}")
        move_rma(rma, info, RmaStatus.INSPECTED, actor=actor, notify=True)
        for line_id, finding in by_line.items():
            claim = claims[line_id]
            claim.rma.accepted_quantity = finding.accepted
            claim.rma.condition = finding.condition
            claim.rma.inspection_notes = finding.notes.strip()
            claim.rma.batch_id = claim.delivered.batch_id
            for photo in photos.get(line_id, []):
                db.session.add(
                    RmaPhoto(
                        document_line_id=line_id,
                        stage=PhotoStage.INSPECTION,
                        image_key=photo.key,
                        width=photo.width,
                        height=photo.height,
                        uploaded_by_id=actor.id,
                    )
                )
        booked = _book_stock(rma, [claims[i] for i in by_line], by_line, actor=actor, on=on)
        db.session.flush()
    log.info(
        "rma inspected id=%s zw=%s rw=%s",
        rma.id,
        booked.receipt.number if booked.receipt else "-",
        ",".join(str(doc.number) for doc in booked.write_offs),
    )
    return booked


def _stored_photos(findings: Sequence[Inspection]) -> dict[int, list[StoredPhoto]]:
    """Processes the photos before the transaction (a file of a refused inspection is harmless:
    content-addressed, nothing points at it)."""
    stored: dict[int, list[StoredPhoto]] = {}
    for finding in findings:
        if len(finding.photos) > MAX_PHOTOS_PER_LINE:
            raise HandlingError(
                _("At most %(count)d photos per line.", count=MAX_PHOTOS_PER_LINE),
                field=f"photos-{finding.line_id}",
            )
        try:
            stored[finding.line_id] = [store_photo(data) for data in finding.photos]
        except PhotoRefused as error:
            raise HandlingError(error.message, field=f"photos-{finding.line_id}") from error
    return stored


def _book_stock(
    rma: Document,
    claims: Sequence[ClaimLine],
    findings: Mapping[int, Inspection],
    *,
    actor: User,
    on: date,
) -> Booked:
    back = [
        claim
        for claim in claims
        if findings[claim.line.id].condition in BACK_IN_STOCK and findings[claim.line.id].accepted
    ]
    if not back:
        return Booked(None, [])
    notes = {
        note.id: note
        for note in db.session.scalars(
            sa.select(Document).where(
                Document.id.in_({claim.delivered.document_id for claim in back})
            )
        )
    }
    batches = {
        batch.id: batch
        for batch in db.session.scalars(
            sa.select(Batch).where(
                Batch.id.in_({c.delivered.batch_id for c in back if c.delivered.batch_id})
            )
        )
    }
    warehouse_id = _warehouse_id(notes[back[0].delivered.document_id])
    drafts = []
    plan: list[tuple[ClaimLine, Batch, Decimal]] = []
    for claim in back:
        shipped = claim.delivered
        batch = batches.get(shipped.batch_id) if shipped.batch_id else None
        if batch is None:
            assert shipped.product_id is not None
            batch = ledger.batch_for(
                shipped.product_id,
                ledger.DEFAULT_LOT,
                expires_on=None,
                received_on=on,
                unit_cost=shipped.unit_cost or ZERO,
            )
            claim.rma.batch_id = batch.id
        cost = shipped.unit_cost if shipped.unit_cost is not None else batch.unit_cost
        quantity = findings[claim.line.id].accepted
        drafts.append(
            LineDraft(
                sku=shipped.sku,
                name=shipped.name,
                unit=shipped.unit,
                quantity=quantity,
                product_id=shipped.product_id,
                source_line_id=claim.line.id,
                batch_id=batch.id,
                unit_cost=cost,
            )
        )
        plan.append((claim, batch, cost))
    receipt, rows = issue(
        DocumentKind.ZW,
        on=on,
        actor=actor,
        lines=drafts,
        sources=[rma, *sorted(notes.values(), key=lambda note: note.id)],
        company_id=rma.company_id,
        warehouse_id=warehouse_id,
        reference=rma.number or "",
    )
    for row, (_claim, batch, cost) in sorted(
        zip(rows, plan, strict=True), key=lambda pair: pair[0].product_id or 0
    ):
        ledger.receive(
            row,
            warehouse_id=warehouse_id,
            batch=batch,
            quantity=row.quantity,
            unit_cost=cost,
            on=on,
        )
    db.session.flush()
    write_offs = []
    for condition, reason in (
        (Condition.DAMAGED, DAMAGE),
        (Condition.RETURN_TO_SUPPLIER, RETURNED_TO_SUPPLIER),
    ):
        lines = [
            OutLine(
                product_id=row.product_id,
                quantity=row.quantity,
                batch_id=row.batch_id,
            )
            for row, (claim, _batch, _cost) in zip(rows, plan, strict=True)
            if findings[claim.line.id].condition is condition and row.product_id is not None
        ]
        if not lines:
            continue
        document = write_off(
            warehouse_id=warehouse_id,
            lines=lines,
            reason=reason,
            on=on,
            actor=actor,
            reference=rma.number or "",
            note=_("Return %(number)s", number=rma.number),
        )
        link(receipt, document)
        link(rma, document)
        write_offs.append(document)
    return Booked(receipt, write_offs)


def resolutions_of(rma: Document) -> set[Resolution]:
    return set(
        db.session.scalars(
            sa.select(RmaLine.resolution)
            .join(DocumentLine, DocumentLine.id == RmaLine.document_line_id)
            .where(DocumentLine.document_id == rma.id)
        )
    )
