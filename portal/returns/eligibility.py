"""What a partner may still claim on a delivered line, and why not when it may not.

The core (`eligibility`) is pure: a delivered line with what is already claimed on it, the
policy in force on its delivery date, the kind of claim and today's date give the claimable
quantity and the explanation. The loader (`delivered_lines`) gathers that for the lines of
one or several orders in a fixed number of queries, whatever the number of lines.

Rules (DOMAIN.md, issue 6): a return is possible within the return window (days from the
delivery date) for a returnable product; a complaint within the warranty (months from the
delivery date), for any product. Either may claim at most what was delivered minus what RMAs
that are not rejected already claim on the line.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.accounts.models import Role, User
from portal.catalog.models import Product
from portal.core.clock import local_date
from portal.core.db import db
from portal.core.i18n import gettext as _
from portal.core.money import ZERO, sum_of
from portal.core.templating import when
from portal.documents.models import Document, DocumentKind, DocumentLine
from portal.fulfilment.models import Shipment
from portal.returns.models import ReturnPolicy, RmaKind, RmaLine


@dataclass(frozen=True)
class Policy:
    """The return window and warranty in force from `valid_from`."""

    valid_from: date
    return_window_days: int
    warranty_months: int


DEFAULT_POLICY = Policy(date(2000, 1, 1), 30, 24)
"""Used only when no policy row exists at all (the migration creates one)."""


def policy_on(policies: Sequence[Policy], day: date) -> Policy:
    """The policy in force on `day`: the latest that started on or before it."""
    in_force = [policy for policy in policies if policy.valid_from <= day]
    if not in_force:
        return min(policies, key=lambda p: p.valid_from) if policies else DEFAULT_POLICY
    return max(in_force, key=lambda p: p.valid_from)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 =
    28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class DeliveredLine:
    """A WZ line of a delivered order, with what RMAs (not rejected) already claim on it."""

    line_id: int
    delivery_note_id: int
    delivery_note_number: str
    order_id: int
    order_number: str
    company_id: int
    product_id: int | None
    sku: str
    name: str
    unit: str
    quantity: Decimal
    """Delivered."""
    unit_price: Decimal
    list_price: Decimal
    vat_percent: Decimal
    discount: Decimal
    delivered_on: date
    returnable: bool
    claimed: Decimal
    policy: Policy

    @property
    def unclaimed(self) -> Decimal:
        return max(self.quantity - self.claimed, ZERO)


class Verdict(enum.StrEnum):
    OK = "ok"
    FULLY_CLAIMED = "fully_claimed"
    NOT_RETURNABLE = "not_returnable"
    WINDOW_PASSED = "window_passed"
    WARRANTY_PASSED = "warranty_passed"


@dataclass(frozen=True)
class Eligibility:
    kind: RmaKind
    verdict: Verdict
    claimable: Decimal
    """How much may be claimed now (0 unless the verdict is OK)."""
    until: date
    """The last day of the return window or warranty."""

    @property
    def eligible(self) -> bool:
        return self.verdict is Verdict.OK

    @property
    def claimable_plain(self) -> str:
        """For an input's max attribute: no locale, no exponent ("2", "1.5")."""
        return plain(self.claimable)

    @property
    def message(self) -> str:
        """The explanation shown next to the line, its date as the reader writes dates."""
        until = when(self.until, "long")
        if self.verdict is Verdict.OK:
            if self.kind is RmaKind.RETURN:
                return _("Returnable until %(date)s.", date=until)
            return _("Under warranty until %(date)s.", date=until)
        if self.verdict is Verdict.FULLY_CLAIMED:
            if self.kind is RmaKind.RETURN:
                return _("Already fully returned or claimed.")
            return _("Already fully claimed or returned.")
        if self.verdict is Verdict.NOT_RETURNABLE:
            return _("This product cannot be returned (a complaint is still possible).")
        if self.verdict is Verdict.WINDOW_PASSED:
            return _("The return window ended on %(date)s.", date=until)
        return _("The warranty ended on %(date)s.", date=until)


def plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def eligibility(line: DeliveredLine, kind: RmaKind, today: date) -> Eligibility:
    """What may be claimed on `line` as a return or a complaint on `today`, and why."""
    if kind is RmaKind.RETURN:
        until = line.delivered_on + timedelta(days=line.policy.return_window_days)
        late = Verdict.WINDOW_PASSED
    else:
        until = add_months(line.delivered_on, line.policy.warranty_months)
        late = Verdict.WARRANTY_PASSED
    if line.unclaimed <= 0:
        verdict = Verdict.FULLY_CLAIMED
    elif kind is RmaKind.RETURN and not line.returnable:
        verdict = Verdict.NOT_RETURNABLE
    elif today > until:
        verdict = late
    else:
        verdict = Verdict.OK
    claimable = line.unclaimed if verdict is Verdict.OK else ZERO
    return Eligibility(kind=kind, verdict=verdict, claimable=claimable, until=until)


# --- loading -------------------------------------------------------------------------------


def policies() -> list[Policy]:
    return [
        Policy(row.valid_from, row.return_window_days, row.warranty_months)
        for row in db.session.scalars(sa.select(ReturnPolicy).order_by(ReturnPolicy.valid_from))
    ]


def claimed_on(line_ids: Collection[int]) -> dict[int, Decimal]:
    """Per delivered line: the quantity claimed by RMAs that were not rejected (one index)."""
    if not line_ids:
        return {}
    rows = db.session.execute(
        sa.select(RmaLine.delivered_line_id, sum_of(RmaLine.claimed))
        .where(RmaLine.delivered_line_id.in_(line_ids))
        .group_by(RmaLine.delivered_line_id)
    )
    return {line_id: Decimal(total) for line_id, total in rows}


@cache
def _order_and_note() -> tuple[Any, Any]:
    """The two roles of `documents` in the query, made once: building an alias of a wide
    table costs more than running the query."""
    return aliased(Document, name="claimed_order"), aliased(Document, name="delivery_note")


def delivered_lines(
    customer: User,
    *,
    order_ids: Collection[int] = (),
    line_ids: Collection[int] = (),
    known_policies: Sequence[Policy] | None = None,
) -> list[DeliveredLine]:
    """The delivered WZ lines of the given orders (or the given lines) that `customer` (a
    partner user) may claim on: the company's orders, a buyer's own orders only. Three
    queries (two with `known_policies`), whatever the number of lines."""
    if not order_ids and not line_ids:
        return []
    order, note = _order_and_note()
    query = (
        sa.select(
            DocumentLine,
            note.id,
            note.number,
            order.id,
            order.number,
            order.company_id,
            Shipment.delivered_at,
            sa.func.coalesce(Product.returnable, sa.true()),
        )
        .join(note, note.id == DocumentLine.document_id)
        .join(Shipment, Shipment.delivery_note_id == note.id)
        .join(order, order.id == Shipment.order_id)
        .outerjoin(Product, Product.id == DocumentLine.product_id)
        .where(
            # The order's company decides (its delivery notes are the same company's): with a
            # second company filter on the notes PostgreSQL walked every delivery note of the
            # partner instead of the orders' shipments.
            note.kind == DocumentKind.WZ,
            Shipment.delivered_at.is_not(None),
            order.kind == DocumentKind.ZK,
            order.company_id == customer.company_id,
        )
        .order_by(order.id, DocumentLine.document_id, DocumentLine.position)
    )
    if customer.role is Role.BUYER:  # a buyer claims on the orders they placed
        query = query.where(order.user_id == customer.id)
    if order_ids:
        query = query.where(order.id.in_(order_ids))
    if line_ids:
        query = query.where(DocumentLine.id.in_(line_ids))
    rows = db.session.execute(query).all()
    claimed = claimed_on([row[0].id for row in rows])
    known = list(known_policies) if known_policies is not None else policies()
    found = []
    for line, note_id, note_number, the_order_id, order_number, company_id, at, ok in rows:
        assert at is not None and company_id is not None  # filtered above
        delivered_on = local_date(at)
        found.append(
            DeliveredLine(
                line_id=line.id,
                delivery_note_id=note_id,
                delivery_note_number=note_number or "",
                order_id=the_order_id,
                order_number=order_number or "",
                company_id=company_id,
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                list_price=line.list_price,
                vat_percent=line.vat_percent,
                discount=line.discount,
                delivered_on=delivered_on,
                returnable=bool(ok),
                claimed=claimed.get(line.id, ZERO),
                policy=policy_on(known, delivered_on),
            )
        )
    return found
