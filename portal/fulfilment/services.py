"""Fulfilment commands: confirm, pick, pack (WZ + stock out + shipment + label), ship,
deliver, hold and release. Each owns one transaction and joins a caller's.

Packing is all or nothing: the WZ, its stock moves, the released reservations, the shipment
with its label and the final sales document commit together or not at all.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalog.models import Product, Unit
from portal.core.clock import local_today
from portal.core.db import atomic, db, on_commit, utcnow
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import ZERO, round_money
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    EventKind,
)
from portal.documents.pdf import store_pdfs_after_commit
from portal.documents.services import LineDraft, add_event, issue, lines_of
from portal.fulfilment import carriers as carrier_registry
from portal.fulfilment.labels import store_label_after_commit
from portal.fulfilment.models import Shipment
from portal.invoicing.services import issue_final_documents
from portal.orders.models import OrderStatus, StatusType, Step
from portal.orders.statuses import move_to_step, refresh_status
from portal.stock import ledger
from portal.stock.models import Batch, StockLevel
from portal.stock.queries import main_warehouse_id
from portal.stock.reservations import change_reserved, lock_stock

log = logging.getLogger(__name__)

MAX_PARCELS = 99


class FulfilmentError(DomainError):
    """A fulfilment step is not possible for this order now."""


class PickError(FulfilmentError):
    """A count the warehouse entered is not possible; `line_id` says which line."""

    def __init__(self, message: str, line_id: int | None = None) -> None:
        super().__init__(message)
        self.line_id = line_id


class Coverage(enum.StrEnum):
    """Whether stock can cover an order line."""

    FULLY = "fully"
    PARTLY = "partly"
    NOT = "not"


@dataclass(frozen=True)
class LineCoverage:
    line: DocumentLine
    covered: Decimal
    """How much of the line stock covers: its reservation plus what is free now."""

    @property
    def coverage(self) -> Coverage:
        if self.covered >= self.line.quantity:
            return Coverage.FULLY
        return Coverage.PARTLY if self.covered > 0 else Coverage.NOT


# --- reading the order's state -----------------------------------------------------------


def current_status(order: Document, *, lock: bool = False) -> OrderStatus:
    """The order's status as stored now; `lock` also locks the order row (PostgreSQL), so two
    people cannot pack or confirm the same order at once."""
    refresh_status(order, lock=lock)
    return db.session.get_one(OrderStatus, order.status_id)


def product_lines(order: Document) -> list[DocumentLine]:
    return [line for line in lines_of(order) if line.product_id is not None]


def coverage_of(order: Document, lines: Sequence[DocumentLine]) -> list[LineCoverage]:
    """Per product line: fully, partly or not coverable from its reservation and free stock."""
    wanted = [line for line in lines if line.product_id is not None]
    warehouse_id = order.warehouse_id or main_warehouse_id()
    levels = {
        level.product_id: level
        for level in db.session.scalars(
            sa.select(StockLevel).where(
                StockLevel.warehouse_id == warehouse_id,
                StockLevel.product_id.in_([line.product_id for line in wanted]),
            )
        )
    }
    result = []
    for line in wanted:
        level = levels.get(line.product_id or 0)
        free = max(level.on_hand - level.reserved, ZERO) if level else ZERO
        result.append(LineCoverage(line, min(line.quantity, line.reserved + free)))
    return result


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- confirm -------------------------------------------------------------------------------


def confirm(order: Document, *, actor: User) -> list[LineCoverage]:
    """Staff accept a new order: what has arrived since it was placed is reserved for its
    backorders, and each line says whether stock covers it fully, partly or not."""
    with atomic():
        status = current_status(order, lock=True)
        if status.step is Step.HOLD_FOR_APPROVAL:
            raise FulfilmentError(
                _("This order waits for the partner's approval and cannot be confirmed yet.")
            )
        if status.type is not StatusType.WAITING:
            raise FulfilmentError(
                _(
                    "Only a new order can be confirmed; this one is %(status)s.",
                    status=_(status.name),
                )
            )
        lines = product_lines(order)
        warehouse_id = order.warehouse_id or main_warehouse_id()
        levels = lock_stock(warehouse_id, (line.product_id or 0 for line in lines))
        free = {product_id: level.available for product_id, level in levels.items()}
        added: dict[int, Decimal] = {}
        for line in sorted(lines, key=lambda candidate: (candidate.product_id, candidate.id)):
            assert line.product_id is not None
            extra = min(line.quantity - line.reserved, free.get(line.product_id, ZERO))
            if extra > 0:
                line.reserved += extra
                free[line.product_id] -= extra
                added[line.product_id] = added.get(line.product_id, ZERO) + extra
        change_reserved(warehouse_id, added)
        covered = [LineCoverage(line, line.reserved) for line in lines]
        counts = {kind: 0 for kind in Coverage}
        for item in covered:
            counts[item.coverage] += 1
        move_to_step(
            order,
            Step.CONFIRM,
            actor=actor,
            note=_(
                "Lines covered by stock: fully %(fully)d, partly %(partly)d, not %(none)d.",
                fully=counts[Coverage.FULLY],
                partly=counts[Coverage.PARTLY],
                none=counts[Coverage.NOT],
            ),
        )
    log.info("order confirmed id=%s by=%s", order.id, actor.id)
    return covered


# --- picking -------------------------------------------------------------------------------


def start_picking(order: Document, *, actor: User) -> None:
    with atomic():
        status = current_status(order, lock=True)
        if status.step is not Step.CONFIRM:
            raise FulfilmentError(_("Picking starts once an order is confirmed."))
        move_to_step(order, Step.PICK, actor=actor)


def _pickable(order: Document, actor: User) -> None:
    """Picking is open while an order is confirmed or being picked; the first count starts it."""
    status = current_status(order, lock=True)
    if status.step is Step.CONFIRM:
        move_to_step(order, Step.PICK, actor=actor)
    elif status.step is not Step.PICK:
        raise FulfilmentError(
            _("This order is not being picked (it is %(status)s).", status=_(status.name))
        )


def _check_count(line: DocumentLine, count: Decimal, unit: Unit | None) -> None:
    if count < 0:
        raise PickError(_("A count cannot be negative."), line.id)
    if count > line.quantity:
        raise PickError(
            _(
                "%(sku)s: the order asks for %(ordered)s; %(count)s is more.",
                sku=line.sku,
                ordered=_plain(line.quantity),
                count=_plain(count),
            ),
            line.id,
        )
    whole = unit is None or not unit.allows_fraction
    if (whole and count != count.to_integral_value()) or count != count.quantize(Decimal("0.001")):
        raise PickError(
            _("%(sku)s: count whole units.", sku=line.sku)
            if whole
            else _("%(sku)s: at most 3 decimals.", sku=line.sku),
            line.id,
        )


def _units(lines: Sequence[DocumentLine]) -> dict[int, Unit]:
    ids = [line.product_id for line in lines if line.product_id is not None]
    rows = db.session.execute(sa.select(Product.id, Product.unit).where(Product.id.in_(ids)))
    return {product_id: unit for product_id, unit in rows}


def _apply_counts(lines: Sequence[DocumentLine], counts: Mapping[int, Decimal]) -> None:
    by_id = {line.id: line for line in lines}
    units = _units(lines)
    for line_id, count in counts.items():
        line = by_id.get(line_id)
        if line is None:
            raise PickError(_("That line is not on this order."))
        _check_count(line, count, units.get(line.product_id or 0))
        line.picked = count


def record_picks(order: Document, counts: Mapping[int, Decimal], *, actor: User) -> None:
    """The warehouse corrects the counts per line (typed on the pick screen)."""
    with atomic():
        _pickable(order, actor)
        _apply_counts(product_lines(order), counts)


def scan(order: Document, code: str, *, actor: User) -> DocumentLine:
    """A scanned (or typed) SKU or EAN adds one to its line's count."""
    code = code.strip()
    if not code:
        raise PickError(_("Scan or type a SKU or EAN."))
    with atomic():
        _pickable(order, actor)
        lines = product_lines(order)
        eans = dict(
            db.session.execute(
                sa.select(Product.id, Product.ean).where(
                    Product.id.in_([line.product_id for line in lines])
                )
            ).all()
        )
        matches = [
            line
            for line in lines
            if line.sku.upper() == code.upper() or eans.get(line.product_id or 0) == code
        ]
        if not matches:
            raise PickError(_("No line of this order has the SKU or EAN %(code)s.", code=code[:40]))
        open_lines = [line for line in matches if line.picked + 1 <= line.quantity]
        if not open_lines:
            line = matches[0]
            raise PickError(
                _(
                    "%(sku)s is already picked in full (%(picked)s of %(ordered)s).",
                    sku=line.sku,
                    picked=_plain(line.picked),
                    ordered=_plain(line.quantity),
                ),
                line.id,
            )
        line = open_lines[0]
        line.picked += 1
    return line


# --- packing -------------------------------------------------------------------------------


BatchChoice = Sequence[tuple[int, Decimal]]
"""Staff's choice for one line: (batch id, quantity) pairs that add up to what is picked."""


def _plan(
    line: DocumentLine, warehouse_id: int, chosen: BatchChoice | None
) -> list[tuple[Batch, Decimal]]:
    assert line.product_id is not None
    if not chosen:
        plan = ledger.suggest_batches(line.product_id, warehouse_id, line.picked)
        found = sum((part for _batch, part in plan), ZERO)
        if found < line.picked:
            raise ledger.NotEnoughStock(
                _(
                    "%(sku)s: %(found)s in stock, %(picked)s picked. Count again or change "
                    "the count.",
                    sku=line.sku,
                    found=_plain(found),
                    picked=_plain(line.picked),
                )
            )
        return plan
    plan = []
    for batch_id, part in chosen:
        batch = db.session.get(Batch, batch_id)
        if batch is None or batch.product_id != line.product_id:
            raise PickError(
                _("%(sku)s: choose one of the product's batches.", sku=line.sku), line.id
            )
        if part <= 0:
            raise PickError(_("A quantity from a batch must be positive."), line.id)
        plan.append((batch, part))
    if sum((part for _batch, part in plan), ZERO) != line.picked:
        raise PickError(
            _("%(sku)s: the batches must add up to the picked count.", sku=line.sku), line.id
        )
    return plan


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    return round_money(amount * part / whole) if whole else ZERO


def pack(
    order: Document,
    *,
    actor: User,
    carrier: str,
    parcels: int = 1,
    tracking_number: str = "",
    picks: Mapping[int, Decimal] | None = None,
    batches: Mapping[int, BatchChoice] | None = None,
    on: date | None = None,
) -> Shipment:
    """Issues the WZ for what was picked (a line per batch drawn, FEFO unless staff chose),
    takes the stock out and releases the order's reservations (short picks too), creates the
    shipment with its tracking number and label, and issues the final sales document."""
    with atomic():
        status = current_status(order, lock=True)
        if status.step not in (Step.CONFIRM, Step.PICK):
            raise FulfilmentError(
                _(
                    "Only a confirmed order can be packed (this one is %(status)s).",
                    status=_(status.name),
                )
            )
        chosen_carrier = carrier_registry.carrier_named(carrier)
        if not 1 <= parcels <= MAX_PARCELS:
            raise FulfilmentError(_("Parcels: a number from 1 to %(max)d.", max=MAX_PARCELS))
        on = on or local_today()
        lines = product_lines(order)
        if picks:
            _apply_counts(lines, picks)
        shipping = [line for line in lines if line.picked > 0]
        if not shipping:
            raise FulfilmentError(_("Nothing is picked yet: count the goods first."))
        warehouse_id = order.warehouse_id or main_warehouse_id()
        lock_stock(warehouse_id, (line.product_id or 0 for line in lines))

        plans = [
            (line, _plan(line, warehouse_id, (batches or {}).get(line.id))) for line in shipping
        ]
        drafts = [
            LineDraft(
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                quantity=part,
                unit_price=line.unit_price,
                list_price=line.list_price,
                vat_percent=line.vat_percent,
                discount=_share(line.discount, part, line.quantity),
                product_id=line.product_id,
                source_line_id=line.id,
                batch_id=batch.id,
                unit_cost=batch.unit_cost,
            )
            for line, plan in plans
            for batch, part in plan
        ]
        delivery_note, rows = issue(
            DocumentKind.WZ,
            on=on,
            actor=actor,
            lines=drafts,
            sources=[order],
            company_id=order.company_id,
            user_id=order.user_id,
            warehouse_id=warehouse_id,
            reference=order.number or "",
        )
        wz_rows = iter(rows)
        for line, plan in plans:
            to_release = min(line.reserved, line.picked)
            for batch, part in plan:
                release = min(to_release, part)
                ledger.take(
                    next(wz_rows),
                    warehouse_id=warehouse_id,
                    batch=batch,
                    quantity=part,
                    on=on,
                    release_reserved=release,
                )
                to_release -= release
            line.reserved -= min(line.reserved, line.picked)

        unshipped: dict[int, Decimal] = {}
        for line in lines:
            if line.picked < line.quantity:
                add_event(
                    order,
                    EventKind.CHANGED,
                    actor=actor,
                    note=_(
                        "Short pick: %(sku)s %(picked)s of %(ordered)s %(unit)s",
                        sku=line.sku,
                        picked=_plain(line.picked),
                        ordered=_plain(line.quantity),
                        unit=line.unit,
                    ),
                )
            if line.reserved > 0:  # what was not shipped is no longer held for this order
                assert line.product_id is not None
                unshipped[line.product_id] = unshipped.get(line.product_id, ZERO) - line.reserved
                line.reserved = ZERO
        change_reserved(warehouse_id, unshipped)

        shipment = Shipment(
            order_id=order.id,
            delivery_note_id=delivery_note.id,
            carrier=chosen_carrier.name,
            tracking_number=tracking_number,
            parcels=parcels,
            created_by_id=actor.id,
        )
        db.session.add(shipment)
        db.session.flush()
        shipment.tracking_number = chosen_carrier.book(shipment)
        # Label and delivery-note PDFs are rendered once this commits, not under the lock.
        on_commit(partial(store_label_after_commit, shipment.id))
        on_commit(partial(store_pdfs_after_commit, [delivery_note.id]))
        move_to_step(
            order,
            Step.PACK,
            actor=actor,
            note=_(
                "Delivery note %(number)s, %(carrier)s %(tracking)s",
                number=delivery_note.number,
                carrier=str(chosen_carrier.label),
                tracking=shipment.tracking_number,
            ).strip(),
        )
        issue_final_documents(order, delivery_note, actor=actor, on=on)
    log.info("order packed id=%s wz=%s shipment=%s", order.id, delivery_note.number, shipment.id)
    return shipment


# --- shipping and delivery -----------------------------------------------------------------


def shipments_of(order: Document) -> list[Shipment]:
    return list(
        db.session.scalars(
            sa.select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id)
        )
    )


def mark_shipped(order: Document, *, actor: User | None) -> Shipment:
    """The carrier took the parcels."""
    with atomic():
        current_status(order, lock=True)
        waiting = [shipment for shipment in shipments_of(order) if shipment.shipped_at is None]
        if not waiting:
            raise FulfilmentError(_("Pack the order first: there is no shipment to send."))
        shipment = waiting[-1]
        shipment.shipped_at = utcnow()
        move_to_step(order, Step.SHIP, actor=actor)
    return shipment


def mark_delivered(order: Document, *, actor: User | None, at: datetime | None = None) -> Shipment:
    """The shipment reached the customer; the return window counts from `at`."""
    with atomic():
        current_status(order, lock=True)
        sent = [
            shipment
            for shipment in shipments_of(order)
            if shipment.shipped_at is not None and shipment.delivered_at is None
        ]
        if not sent:
            raise FulfilmentError(_("Only a shipped order can be delivered."))
        shipment = sent[-1]
        shipment.delivered_at = at or utcnow()
        move_to_step(order, Step.DELIVER, actor=actor)
    return shipment


def deliver_due(now: datetime | None = None) -> int:
    """Carriers that report delivery by themselves (the demo one: two days after shipping):
    their shipments that are due become delivered, each in its own transaction."""
    now = now or utcnow()
    delivered = 0
    for name, carrier in carrier_registry.CARRIERS.items():
        days = carrier.delivers_by_itself_after_days
        if days is None:
            continue
        due = list(
            db.session.execute(
                sa.select(Shipment.id, Shipment.order_id, Shipment.shipped_at).where(
                    Shipment.carrier == name,
                    Shipment.delivered_at.is_(None),
                    Shipment.shipped_at.is_not(None),
                    Shipment.shipped_at <= now - timedelta(days=days),
                )
            )
        )
        for _shipment_id, order_id, shipped_at in due:
            order = db.session.get_one(Document, order_id)
            assert shipped_at is not None
            try:
                mark_delivered(order, actor=None, at=shipped_at + timedelta(days=days))
            except DomainError as error:  # on hold, say: staff decide
                log.warning("not delivered order=%s: %s", order_id, error.message)
                continue
            delivered += 1
    return delivered


# --- hold and release ----------------------------------------------------------------------


def hold(order: Document, *, actor: User, reason: str = "") -> None:
    with atomic():
        status = current_status(order, lock=True)
        if status.step is Step.HOLD:
            raise FulfilmentError(_("This order is already on hold."))
        move_to_step(order, Step.HOLD, actor=actor, note=reason.strip()[:500])


def release(order: Document, *, actor: User) -> None:
    """Back to the status the order had before it was put on hold."""
    with atomic():
        status = current_status(order, lock=True)
        if status.step is not Step.HOLD:
            raise FulfilmentError(_("This order is not on hold."))
        before_id = db.session.scalar(
            sa.select(DocumentEvent.from_status_id)
            .where(
                DocumentEvent.document_id == order.id,
                DocumentEvent.kind == EventKind.STATUS,
                DocumentEvent.to_status_id == status.id,
            )
            .order_by(DocumentEvent.id.desc())
            .limit(1)
        )
        before = db.session.get(OrderStatus, before_id) if before_id else None
        step = before.step if before is not None and before.step is not None else Step.PLACE
        move_to_step(order, step, actor=actor, note=_("Released from hold"))
