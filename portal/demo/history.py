"""A year of orders for the demo partners, made through the real cart, order, fulfilment,
invoicing and payment services.

Everything happens on one timeline, in the order it happened: an order is placed from its
buyer's cart on its historical date (so its number falls in that month's series), staff
confirm, pick and pack it (packing issues the WZ through the stock ledger, the shipment with
the demo carrier's tracking number, and the FS or PA the rules choose, all dated that day),
the carrier ships and delivers it; Globex, invoiced monthly, gets its collective FS at the end
of each month; the partners pay by bank transfer (KP), in advance when the order asks for it.
Every series therefore grows with time without a gap. After each step, what the services
stamped with the present (timelines, documents, shipments, allocations, stock moves) is dated
back to when it happened.

The history is one transaction. The services queue a mail for every order and document they
touch; those rows are deleted before it commits, so no worker ever sees them and nobody is
mailed.
"""

from __future__ import annotations

import enum
import heapq
import itertools
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import click
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import Address, Company, Invoicing, Role, User
from portal.cart import services as cart_services
from portal.cart.models import Cart, CartLine
from portal.cart.quantities import MAX_QUANTITY, normalise_quantity
from portal.cart.queries import CartView, cart_view
from portal.catalog.models import Product
from portal.catalog.queries import Viewer
from portal.core.db import atomic, db, utcnow
from portal.core.money import ZERO, round_money
from portal.demo.vocabulary import (
    CANCEL_REASONS,
    CHECKOUT_NOTES,
    HOLD_FOR_ADDRESS,
    HOLD_FOR_PREPAYMENT,
    LIST_NAMES,
    PHONE_ORDER_NOTE,
    REJECTION_REASON,
    THREADS,
    Thread,
)
from portal.documents.models import Document, DocumentEvent, DocumentKind, DocumentLink
from portal.documents.totals import totals_from_net
from portal.fulfilment import services as fulfilment
from portal.fulfilment.models import Shipment
from portal.invoicing import queries as invoicing_queries
from portal.invoicing import services as invoicing
from portal.notifications.models import OutboxMessage
from portal.orders import credit
from portal.orders import services as orders
from portal.orders.delivery import DELIVERY_VAT, delivery_cost
from portal.orders.models import (
    DeliveryMethod,
    OrderInfo,
    OrderStatus,
    PaymentMethod,
    PaymentState,
    Step,
)
from portal.payments import services as payments
from portal.payments.models import PaymentAllocation, PaymentChannel
from portal.stock.models import StockLevel, StockMove
from portal.stock.queries import main_warehouse_id

Fate = tuple[Step, ...]
"""The steps an order goes through after it is placed."""

NEW: Fate = ()
CONFIRMED: Fate = (Step.CONFIRM,)
PICKING: Fate = (*CONFIRMED, Step.PICK)
PACKED: Fate = (*PICKING, Step.PACK)
SHIPPED: Fate = (*PACKED, Step.SHIP)
DELIVERED: Fate = (*SHIPPED, Step.DELIVER)
CANCELLED: Fate = (Step.CANCEL,)
ON_HOLD: Fate = (Step.CONFIRM, Step.HOLD)
HELD_THEN_DELIVERED: Fate = (Step.CONFIRM, Step.HOLD, Step.PICK, Step.PACK, Step.SHIP, Step.DELIVER)
APPROVED_THEN_DELIVERED: Fate = (Step.APPROVE, *DELIVERED)
REJECTED: Fate = (Step.REJECT,)

DELAY_HOURS: dict[Step, tuple[float, float]] = {
    Step.CONFIRM: (1, 20),
    Step.PICK: (2, 18),
    Step.PACK: (0.5, 4),
    Step.SHIP: (2, 20),
    Step.DELIVER: (46, 50),  # the demo carrier delivers two days after shipping
    Step.HOLD: (3, 24),
    Step.CANCEL: (1, 24),
    Step.APPROVE: (2, 26),
    Step.REJECT: (2, 26),
}
"""How long after the previous event each step happens."""

LINE_TARGETS = (40, 80, 150, 250, 400, 600, 900, 1200)
"""Net złoty an ordinary order line is worth, roughly."""
EVERYDAY_LIMIT = Decimal(800)
"""Products whose smallest line costs more are kept for the big orders."""
BIG_LINE = Decimal(25_000)
"""A big order's lines: three of them take it past the Acme buyer's monthly limit."""
WORKDAY_UTC = (6, 16)
"""Office hours in Poznań, in UTC, as every stored time is: orders and steps happen in them."""
POOL = 600
"""Products the history draws from, whatever the size of the catalog."""
REP_DISCOUNT = Decimal("3.00")
"""The extra discount, in percent, the sales rep gives the phone order."""
STOCK_SHARE = Decimal("0.8")
"""The history's orders ask for at most this share of a product's opening stock, so that
packing finds the goods (the goods receipts of the demo come after the history)."""
CARRIER = "demo"
"""The demo courier: made-up tracking numbers, delivered two days after shipping."""
MONTH_END_UTC = 16
"""Monthly invoices are issued at the end of the month's last day, after the last packing."""
PART_SHARE = Decimal("0.4")
"""What a part-paid invoice has received."""
HOLD_FOR_PICKUP_DAY = "Klient prosi o wysyłkę dopiero po inwentaryzacji w swoim magazynie."
RECEIPT_PLEASE = "Proszę o paragon – zakup do sklepu firmowego."
"""A buyer's message that the final-document rules answer with a receipt (PA) although the
partner has a tax ID."""


class Pay(enum.Enum):
    """How an order's invoice (or its advance payment) gets paid."""

    AS_USUAL = "as usual"
    """Prepaid orders before they are confirmed; invoices around their due date, by bank
    transfer, when that date has come."""
    NOT_YET = "not yet"
    """Nothing arrives (a prepaid order on hold waits for its transfer)."""
    PART = "part"
    """The invoice receives PART_SHARE soon after it is issued; the rest is not due yet."""
    OVERDUE = "overdue"
    """The invoice stays unpaid past its due date."""
    CARD = "card"
    """Paid by card at checkout; the KP moves onto the invoice when it is issued."""


@dataclass(frozen=True)
class Scripted:
    """An order the story needs, dated back from its latest event."""

    fate: Fate
    hours_ago: tuple[float, float]
    by_admin: bool = False
    by_rep: bool = False
    big: bool = False
    """Above the buyer's monthly limit: it waits for the partner admin."""
    note: str = ""
    thread: Thread = ()
    message: str = ""
    """The buyer's message to the seller (the final-document rules read it)."""
    pay: Pay = Pay.AS_USUAL


@dataclass(frozen=True)
class Script:
    past_orders: int
    """Ordinary orders over the year, placed at random dates and long since delivered..."""
    cancelled: int
    """...except these, which the buyer cancelled,"""
    held: int = 0
    """...and these, which staff held for a while before delivering them."""
    admin_share: float = 0.0
    """The share of orders the partner admin places."""
    references: str = ""
    """The customer's own PO numbers: "acme" or "sap" style, or none."""
    scripted: tuple[Scripted, ...] = ()


DAY = 24
SCRIPTS: dict[str, Script] = {
    "acme": Script(
        past_orders=27,
        cancelled=3,
        admin_share=0.25,
        references="acme",
        scripted=(
            Scripted(APPROVED_THEN_DELIVERED, (38 * DAY, 52 * DAY), big=True),
            Scripted(REJECTED, (16 * DAY, 24 * DAY), big=True, note=REJECTION_REASON),
            # Invoiced about four weeks ago on 14 days' terms, never paid: overdue.
            Scripted(DELIVERED, (22 * DAY, 25 * DAY), pay=Pay.OVERDUE),
            Scripted(DELIVERED, (12 * DAY, 16 * DAY), message=RECEIPT_PLEASE),
            # Invoiced about a week ago: part paid, the rest due next week.
            Scripted(DELIVERED, (4 * DAY, 7 * DAY), pay=Pay.PART),
            Scripted(SHIPPED, (6, 30), thread=THREADS["acme_shipped"]),
            Scripted(PACKED, (3, 20)),
            Scripted(CONFIRMED, (2, 30)),
            Scripted(ON_HOLD, (8, 40), note=HOLD_FOR_PICKUP_DAY),
            Scripted(NEW, (20, 44), by_rep=True),
            Scripted(NEW, (1, 6), by_admin=True),
            Scripted(NEW, (2, 26), big=True),  # still waiting for the partner admin
        ),
    ),
    "globex": Script(
        past_orders=25,
        cancelled=2,
        held=1,
        references="sap",
        scripted=(
            Scripted(DELIVERED, (18 * DAY, 24 * DAY)),
            Scripted(DELIVERED, (3 * DAY, 8 * DAY)),
            Scripted(SHIPPED, (4, 40), thread=THREADS["globex_shipped"]),
            Scripted(PACKED, (5, 30)),
            Scripted(PICKING, (2, 10)),
            Scripted(ON_HOLD, (20, 60), note=HOLD_FOR_ADDRESS),
            Scripted(NEW, (1, 20)),
        ),
    ),
    "kowalski": Script(
        past_orders=22,
        cancelled=2,
        scripted=(
            Scripted(DELIVERED, (15 * DAY, 20 * DAY)),
            Scripted(DELIVERED, (3 * DAY, 6 * DAY), pay=Pay.CARD),
            Scripted(
                ON_HOLD,
                (10, 50),
                note=HOLD_FOR_PREPAYMENT,
                thread=THREADS["kowalski_hold"],
                pay=Pay.NOT_YET,
            ),
            Scripted(CONFIRMED, (4, 30)),
            Scripted(NEW, (30, 60)),
            Scripted(NEW, (1, 30)),
        ),
    ),
}


@dataclass
class Partner:
    key: str
    company: Company
    buyers: list[User]
    admin: User | None
    address: Address
    viewer: Viewer
    favourites: list[Product]
    """What this partner orders again and again."""

    @property
    def people(self) -> list[User]:
        return [*self.buyers, *([self.admin] if self.admin else [])]

    @property
    def language(self) -> str:
        return "de" if self.buyers[0].language == "de" else "pl"


@dataclass
class Planned:
    """One order of the history, decided before any is placed."""

    partner: Partner
    placer: User
    """Whose cart it is placed from, and whose limits apply."""
    by_rep: bool
    fate: Fate
    times: list[datetime]
    """When it was placed, then when each step of its fate happened."""
    lines: list[tuple[Product, Decimal]]
    delivery: DeliveryMethod
    reference: str = ""
    message: str = ""
    requested_in_days: int | None = None
    big: bool = False
    note: str = ""
    thread: Thread = ()
    pay: Pay = Pay.AS_USUAL
    order: Document | None = None
    """The placed order, once the timeline has come to it."""


@dataclass
class Cast:
    staff: User
    rep: User
    started: datetime
    """Everything the services stamp during the build is at or after this; the history is
    dated before it."""
    main_warehouse: int
    last_move_id: int
    """Stock moves after this one are the history's (the opening balance's come before)."""
    everyday: list[Product] = field(default_factory=list)
    expensive: list[Product] = field(default_factory=list)
    stock: dict[int, Decimal] = field(default_factory=dict)
    """Opening stock in the main warehouse per product of the pool."""


def add_history(*, seed: int, product_ids: Sequence[int], company_ids: dict[str, int]) -> int:
    """Orders with their delivery notes, shipments, invoices and payments, saved items,
    carts and order lists for the demo partners; returns the order count. Its own random
    stream keeps the catalog of a seed as it was."""
    rng = random.Random(f"{seed}/history")
    cast = Cast(
        staff=_one(sa.select(User).where(User.role == Role.STAFF).order_by(User.id)),
        rep=_one(sa.select(User).where(User.role == Role.SALES_REP).order_by(User.id)),
        started=utcnow(),
        main_warehouse=main_warehouse_id(),
        last_move_id=db.session.scalar(sa.select(sa.func.max(StockMove.id))) or 0,
    )
    _load_pool(rng, cast, product_ids)
    if not cast.everyday:
        return 0  # a catalog without sellable stock has no history
    partners = [_partner(rng, cast, key, company_ids[key]) for key in SCRIPTS]
    planned = sorted(
        (order for partner in partners for order in _plan(rng, cast, partner)),
        key=lambda order: order.times[0],
    )
    _within_stock(cast, planned)
    last_mail = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
    timeline = Timeline(cast, random.Random(f"{seed}/history/payments"))
    for order in planned:
        timeline.add(order.times[0], _placing(timeline, order))
    for partner in partners:
        if partner.company.invoicing is Invoicing.MONTHLY:
            first = min(order.times[0] for order in planned if order.partner is partner)
            for month_end in _month_ends(first, cast.started):
                timeline.add(month_end, _monthly_invoice(timeline, partner, month_end))
    with atomic(), _quiet(orders.log), _quiet(fulfilment.log), _quiet(invoicing.log):
        with click.progressbar(length=len(planned), label="Orders") as bar:
            timeline.progress = bar.update
            timeline.run()
        for order in planned:
            if order.order is not None:
                _write_thread(cast, order, order.order, order.placer)
        for partner in partners:
            _fill_carts(rng, cast, partner)
            _add_lists(rng, cast, partner)
        # The services mailed every buyer about every demo order: those mails must not go.
        db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id > last_mail))
        # Nor are the labels and PDFs rendered after this commits: about 0.5 s each, three
        # per packed order, they would take minutes. A label or PDF is rendered and kept
        # when it is first opened (fulfilment.labels.ensure_label, /documents/<id>/pdf).
        db.session.info.pop("on_commit", None)
    return len(planned)


@contextmanager
def _quiet(log: logging.Logger) -> Iterator[None]:
    """Without a line per placed order in the middle of the progress bar."""
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


def _one(query: sa.Select[User]) -> User:
    found = db.session.scalars(query.limit(1)).first()
    if found is None:
        raise LookupError(f"the demo history needs a user: {query}")
    return found


def _load_pool(rng: random.Random, cast: Cast, product_ids: Sequence[int]) -> None:
    """A sample of the catalog's sellable products that the main warehouse has in stock."""
    picked = sorted(rng.sample(product_ids, min(POOL, len(product_ids))))
    rows = db.session.execute(
        sa.select(Product, StockLevel.on_hand)
        .join(StockLevel, StockLevel.product_id == Product.id)
        .where(
            Product.id.in_(picked),
            Product.active.is_(True),
            StockLevel.warehouse_id == cast.main_warehouse,
            StockLevel.on_hand > 0,
        )
        .options(joinedload(Product.vat_rate))
        .order_by(Product.id)
    ).all()
    products = [product for product, _on_hand in rows]
    cast.stock = {product.id: on_hand for product, on_hand in rows}
    cast.everyday = [p for p in products if _smallest_line(p) <= EVERYDAY_LIMIT]
    # Big orders take three lines of BIG_LINE from these: enough stock for all of them.
    deep = [p for p in products if p.list_price * cast.stock[p.id] * STOCK_SHARE >= 4 * BIG_LINE]
    cast.expensive = sorted(deep or products, key=lambda p: (-p.list_price, p.id))[:8]


def _smallest_line(product: Product) -> Decimal:
    return product.list_price * max(product.pack_size, product.min_order_quantity)


def _partner(rng: random.Random, cast: Cast, key: str, company_id: int) -> Partner:
    company = db.session.get_one(Company, company_id)
    people = list(
        db.session.scalars(sa.select(User).where(User.company_id == company_id).order_by(User.id))
    )
    address = db.session.scalars(
        sa.select(Address)
        .where(Address.company_id == company_id, Address.archived.is_(False))
        .order_by(Address.is_default.desc(), Address.id)
    ).first()
    if address is None:
        raise LookupError(f"the demo partner {key} has no address")
    return Partner(
        key=key,
        company=company,
        buyers=[person for person in people if person.role is Role.BUYER],
        admin=next((person for person in people if person.role is Role.PARTNER_ADMIN), None),
        address=address,
        viewer=Viewer(company=company, warehouse_id=company.warehouse_id or cast.main_warehouse),
        favourites=rng.sample(cast.everyday, min(24, len(cast.everyday))),
    )


# ---------------------------------------------------------------------------------------
# The plan: who orders what, when, and how far each order has come


def _plan(rng: random.Random, cast: Cast, partner: Partner) -> list[Planned]:
    script = SCRIPTS[partner.key]
    planned: list[Planned] = []
    fates = [DELIVERED] * script.past_orders
    odd = rng.sample(range(script.past_orders), script.cancelled + script.held)
    for index in odd[: script.cancelled]:
        fates[index] = CANCELLED
    for index in odd[script.cancelled :]:
        fates[index] = HELD_THEN_DELIVERED
    # At least twelve days old: the longest fate, nights skipped, is over before today.
    ages = sorted((rng.uniform(12, 365) for _ in fates), reverse=True)
    for age, fate in zip(ages, fates, strict=True):
        day = cast.started - timedelta(days=age)
        hour = rng.randrange(*WORKDAY_UTC)
        placed = datetime(day.year, day.month, day.day, hour, rng.randrange(60))
        by_admin = partner.admin is not None and rng.random() < script.admin_share
        note = ""
        if fate == CANCELLED:
            note = rng.choice(CANCEL_REASONS[partner.language])
        elif fate == HELD_THEN_DELIVERED:
            note = HOLD_FOR_ADDRESS
        times = _forward(rng, placed, fate)
        planned.append(_order(rng, cast, partner, fate, times, by_admin=by_admin, note=note))
    for scripted in script.scripted:
        latest = cast.started - timedelta(hours=rng.uniform(*scripted.hours_ago))
        times = _backward(rng, latest, scripted.fate)
        order = _order(
            rng,
            cast,
            partner,
            scripted.fate,
            times,
            by_admin=scripted.by_admin,
            by_rep=scripted.by_rep,
            big=scripted.big,
            note=scripted.note,
            thread=scripted.thread,
        )
        if scripted.message:
            order.message = scripted.message
        order.pay = scripted.pay
        planned.append(order)
    in_time = sorted(planned, key=lambda order: order.times[0])
    for order, reference in zip(
        in_time, _references(rng, script.references, len(in_time)), strict=True
    ):
        order.reference = reference
    return planned


def _order(
    rng: random.Random,
    cast: Cast,
    partner: Partner,
    fate: Fate,
    times: list[datetime],
    *,
    by_admin: bool,
    by_rep: bool = False,
    big: bool = False,
    note: str = "",
    thread: Thread = (),
) -> Planned:
    placer = partner.admin if by_admin and partner.admin else rng.choice(partner.buyers)
    if big:
        picked = rng.sample(cast.expensive, min(3, len(cast.expensive)))
        lines = [(product, _big_quantity(product)) for product in picked]
    else:
        count = rng.choices(range(1, 9), weights=(2, 3, 4, 4, 3, 2, 1, 1))[0]
        picked = _pick(rng, cast, partner, count)
        lines = [(product, _line_quantity(rng, product)) for product in picked]
    abroad = partner.company.country != "PL"  # no pickup from Berlin
    courier = abroad or rng.random() < 0.85
    return Planned(
        partner=partner,
        placer=placer,
        by_rep=by_rep,
        fate=fate,
        times=times,
        lines=lines,
        delivery=DeliveryMethod.COURIER if courier else DeliveryMethod.PICKUP,
        message=rng.choice(CHECKOUT_NOTES[partner.language]) if rng.random() < 0.2 else "",
        requested_in_days=rng.randint(2, 6) if rng.random() < 0.25 else None,
        big=big,
        note=note,
        thread=thread,
    )


def _pick(rng: random.Random, cast: Cast, partner: Partner, count: int) -> list[Product]:
    """Distinct products, most of them the partner's regulars."""
    chosen: dict[int, Product] = {}
    while len(chosen) < min(count, len(cast.everyday)):
        source = partner.favourites if rng.random() < 0.7 else cast.everyday
        product = rng.choice(source)
        chosen.setdefault(product.id, product)
    return list(chosen.values())


def _line_quantity(rng: random.Random, product: Product) -> Decimal:
    """About a target value, in whole packs and at least the minimum order."""
    target = Decimal(rng.choice(LINE_TARGETS))
    pack_value = max(product.list_price * product.pack_size, Decimal("0.01"))
    packs = max(int(target / pack_value), 1)
    return max(packs * product.pack_size, product.min_order_quantity)


def _big_quantity(product: Product) -> Decimal:
    """Whole packs worth BIG_LINE, within what one order line may hold."""
    pack_value = max(product.list_price * product.pack_size, Decimal("0.01"))
    packs = (BIG_LINE / pack_value).to_integral_value(ROUND_CEILING)
    most = (MAX_QUANTITY / product.pack_size).to_integral_value(ROUND_FLOOR)
    return max(min(packs, most) * product.pack_size, product.min_order_quantity)


def _forward(rng: random.Random, placed: datetime, fate: Fate) -> list[datetime]:
    times = [placed]
    for step in fate:
        times.append(_not_before(times[-1] + timedelta(hours=rng.uniform(*DELAY_HOURS[step]))))
    return times


def _backward(rng: random.Random, latest: datetime, fate: Fate) -> list[datetime]:
    times = [_not_after(latest)]
    for step in reversed(fate):
        times.insert(0, _not_after(times[0] - timedelta(hours=rng.uniform(*DELAY_HOURS[step]))))
    return times


def _not_before(moment: datetime) -> datetime:
    """The moment, or the start of the next working day when it falls outside the day."""
    if moment.hour < WORKDAY_UTC[0]:
        return moment.replace(hour=WORKDAY_UTC[0])
    if moment.hour >= WORKDAY_UTC[1]:
        return (moment + timedelta(days=1)).replace(hour=WORKDAY_UTC[0])
    return moment


def _not_after(moment: datetime) -> datetime:
    """The moment, or the end of the last working day when it falls outside the day."""
    if moment.hour >= WORKDAY_UTC[1]:
        return moment.replace(hour=WORKDAY_UTC[1] - 1)
    if moment.hour < WORKDAY_UTC[0]:
        return (moment - timedelta(days=1)).replace(hour=WORKDAY_UTC[1] - 1)
    return moment


def _references(rng: random.Random, style: str, count: int) -> list[str]:
    """The customer's PO numbers, growing with time."""
    if style == "acme":
        first = rng.randint(1100, 1400)
        return [f"ZAM-{first + index}" for index in range(count)]
    if style == "sap":
        number = 4_500_120_000 + rng.randint(0, 9_999)
        numbers = []
        for _ in range(count):
            number += rng.randint(3, 60)
            numbers.append(str(number))
        return numbers
    return [""] * count


# ---------------------------------------------------------------------------------------
# Keeping within the stock


def _within_stock(cast: Cast, planned: Sequence[Planned]) -> None:
    """Trims the ordinary orders' lines, oldest first, so that all of them together ask for
    at most STOCK_SHARE of a product's opening stock: every order can be packed in full."""
    left = {product_id: on_hand * STOCK_SHARE for product_id, on_hand in cast.stock.items()}
    for order in planned:
        if order.big:  # the big orders' products were chosen with room for them
            for product, quantity in order.lines:
                left[product.id] = left.get(product.id, ZERO) - quantity
            continue
        kept: list[tuple[Product, Decimal]] = []
        for product, quantity in order.lines:
            quantity = min(quantity, _whole_packs(product, left.get(product.id, ZERO)))
            if quantity > 0:
                kept.append((product, quantity))
                left[product.id] -= quantity
        if not kept:  # the order's products ran out: it takes the best-stocked one instead
            product = max(cast.everyday, key=lambda p: (left.get(p.id, ZERO) / _smallest(p), -p.id))
            quantity = _whole_packs(product, left.get(product.id, ZERO))
            if quantity <= 0:
                raise RuntimeError("the demo catalog has too little stock for the history")
            kept = [(product, min(quantity, _smallest(product)))]
            left[product.id] -= kept[0][1]
        order.lines = kept


def _smallest(product: Product) -> Decimal:
    return max(product.pack_size, product.min_order_quantity)


def _whole_packs(product: Product, room: Decimal) -> Decimal:
    """The most of `room` in whole packs, or 0 when that is below the minimum order."""
    if room <= 0 or product.pack_size <= 0:
        return ZERO
    quantity = (room / product.pack_size).to_integral_value(ROUND_FLOOR) * product.pack_size
    return quantity if quantity >= product.min_order_quantity else ZERO


# ---------------------------------------------------------------------------------------
# Making it happen, in the order it happened

Action = Callable[[datetime], None]


class Timeline:
    """What happens when: placing an order, each step of its fate, payments and monthly
    invoices; run in time order, each action dated back to its moment once it is done."""

    def __init__(self, cast: Cast, rng: random.Random) -> None:
        self.cast = cast
        self.rng = rng
        self.progress: Callable[[int], None] = lambda _count: None
        """Told of each order placed."""
        self._queue: list[tuple[datetime, int, Action]] = []
        self._sequence = itertools.count()

    def add(self, at: datetime, action: Action) -> None:
        heapq.heappush(self._queue, (at, next(self._sequence), action))

    def run(self) -> None:
        while self._queue:
            at, _sequence, action = heapq.heappop(self._queue)
            action(at)
            _stamp(self.cast, at)


def _stamp(cast: Cast, at: datetime) -> None:
    """Dates what the services just wrote (stamped now) back to `at`."""
    db.session.flush()
    for column in (
        Document.created_at,
        Document.updated_at,
        DocumentEvent.at,
        Shipment.created_at,
        PaymentAllocation.created_at,
    ):
        db.session.execute(
            sa.update(column.class_)
            .where(column >= cast.started)
            .values({column.key: at})
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        sa.update(StockMove)
        .where(StockMove.id > cast.last_move_id, StockMove.created_at >= cast.started)
        .values(created_at=at)
        .execution_options(synchronize_session=False)
    )


def _placing(timeline: Timeline, planned: Planned) -> Action:
    def place(at: datetime) -> None:
        order = planned.order = _place(timeline.cast, planned)
        timeline.progress(1)
        info = db.session.get_one(OrderInfo, order.id)
        if planned.pay is Pay.CARD:
            _pay_by_card(timeline.cast, order, info, at)
        elif (
            info.payment_state is PaymentState.AWAITING
            and planned.pay is not Pay.NOT_YET
            and Step.CONFIRM in planned.fate
        ):
            # A prepaid order is confirmed once its transfer has come in.
            confirmed = planned.times[1 + planned.fate.index(Step.CONFIRM)]
            paid = max(at + timedelta(minutes=5), confirmed - timedelta(minutes=30))
            timeline.add(paid, lambda moment: _prepay(timeline.cast, order, moment))
        _schedule_step(timeline, planned, 0)

    return place


def _schedule_step(timeline: Timeline, planned: Planned, index: int) -> None:
    if index >= len(planned.fate):
        return

    def step(at: datetime) -> None:
        assert planned.order is not None
        if _take(timeline, planned, planned.order, planned.fate[index], at):
            _schedule_step(timeline, planned, index + 1)

    timeline.add(planned.times[index + 1], step)


def _place(cast: Cast, planned: Planned) -> Document:
    """Places the order as planned on its date, from its buyer's cart."""
    partner = planned.partner
    today = planned.times[0].date()
    placer = planned.placer
    view = _fill_cart(placer, partner, planned.lines)
    over_limit = credit.limit_exceeded(placer, _gross(view, planned.delivery), today)
    if over_limit and not planned.big and partner.admin is not None:
        # This buyer's month is spent: the partner admin, who has no limit, orders instead.
        for item in view.items:
            cart_services.remove_line(item.line)
        placer = planned.placer = partner.admin
        view = _fill_cart(placer, partner, planned.lines)
    on_account = credit.on_account_allowed(partner.company, _gross(view, planned.delivery))
    checkout = orders.Checkout(
        ship_to=orders.ShipTo.from_address(partner.address),
        delivery_method=planned.delivery,
        payment_method=PaymentMethod.ON_ACCOUNT if on_account else PaymentMethod.BANK_TRANSFER,
        requested_delivery_on=(
            today + timedelta(days=planned.requested_in_days) if planned.requested_in_days else None
        ),
        customer_reference=planned.reference,
        message=PHONE_ORDER_NOTE if planned.by_rep else planned.message,
        extra_discount_percent=REP_DISCOUNT if planned.by_rep else None,
    )
    order = orders.place_order(
        placer,
        actor=cast.rep if planned.by_rep else placer,
        viewer=partner.viewer,
        checkout=checkout,
        seen_key=view.content_key,
        seen=orders.seen_lines(view),
        today=today,
    )
    expected = Step.HOLD_FOR_APPROVAL if planned.big else Step.PLACE
    status = db.session.get_one(OrderStatus, order.status_id)
    if status.step is not expected:
        raise RuntimeError(f"demo order {order.number} is {status.code}, not {expected}")
    return order


def _fill_cart(user: User, partner: Partner, lines: list[tuple[Product, Decimal]]) -> CartView:
    for product, quantity in lines:
        cart_services.add_to_cart(user, product, quantity)
    return cart_view(user, partner.viewer)


def _gross(view: CartView, delivery: DeliveryMethod) -> Decimal:
    """What placing this cart will charge, as place_order counts it (no extra discount)."""
    lines = [(item.net, item.quote.vat_percent) for item in view.items]
    delivery_net = delivery_cost(delivery, view.totals.net)
    if delivery_net:
        lines.append((delivery_net, DELIVERY_VAT))
    return totals_from_net(lines).gross


def _take(timeline: Timeline, planned: Planned, order: Document, step: Step, at: datetime) -> bool:
    """Takes the order one step; False when its story ends here."""
    cast = timeline.cast
    if step is Step.CANCEL:
        orders.cancel_order(order, actor=planned.placer, reason=planned.note)
    elif step is Step.APPROVE:
        orders.approve_order(order, actor=_admin(planned), trims=_halved_first_line(order))
    elif step is Step.REJECT:
        orders.reject_order(order, actor=_admin(planned), reason=planned.note)
    elif step is Step.CONFIRM:
        fulfilment.confirm(order, actor=cast.staff)
    elif step is Step.HOLD:
        fulfilment.hold(order, actor=cast.staff, reason=planned.note)
    elif step is Step.PICK:
        if fulfilment.current_status(order).step is Step.HOLD:
            fulfilment.release(order, actor=cast.staff)
        fulfilment.start_picking(order, actor=cast.staff)
        if planned.fate[-1] is Step.PICK:  # still being picked: the first line is counted
            first = fulfilment.product_lines(order)[0]
            fulfilment.record_picks(order, {first.id: first.reserved}, actor=cast.staff)
    elif step is Step.PACK:
        return _pack(timeline, planned, order, at)
    elif step is Step.SHIP:
        shipment = fulfilment.mark_shipped(order, actor=cast.staff)
        shipment.shipped_at = at
    elif step is Step.DELIVER:
        fulfilment.mark_delivered(order, actor=None, at=at)  # the demo carrier reports it
    else:
        raise ValueError(f"the demo history has no {step} step")
    return True


def _pack(timeline: Timeline, planned: Planned, order: Document, at: datetime) -> bool:
    """Packs what is reserved, with the demo carrier, on the day: WZ, shipment, and the FS
    or PA the rules choose (none for a partner invoiced monthly)."""
    cast = timeline.cast
    picks = {line.id: line.reserved for line in fulfilment.product_lines(order)}
    if not any(picks.values()):  # not expected (_within_stock), but never a broken history
        fulfilment.hold(order, actor=cast.staff, reason="Czekamy na dostawę towaru.")
        return False
    shipment = fulfilment.pack(order, actor=cast.staff, carrier=CARRIER, picks=picks, on=at.date())
    invoice = db.session.scalar(
        sa.select(Document)
        .join(DocumentLink, DocumentLink.target_id == Document.id)
        .where(
            DocumentLink.source_id == shipment.delivery_note_id,
            Document.kind.in_((DocumentKind.FS, DocumentKind.PA)),
        )
    )
    if invoice is not None:
        _schedule_payment(timeline, planned.partner.company, invoice, at, planned.pay)
    return True


def _admin(planned: Planned) -> User:
    if planned.partner.admin is None:
        raise LookupError(f"the demo partner {planned.partner.key} has no partner admin")
    return planned.partner.admin


def _halved_first_line(order: Document) -> dict[int, Decimal]:
    """The approver trims the first line to half, in whole packs."""
    line = next(line for line in orders.order_lines(order) if line.product_id is not None)
    product = db.session.get_one(Product, line.product_id)
    half = (line.quantity / 2).quantize(Decimal("0.001"), rounding=ROUND_CEILING)
    if not product.unit.allows_fraction:
        half = half.to_integral_value(rounding=ROUND_CEILING)
    trimmed = normalise_quantity(product, half).quantity
    return {line.id: trimmed} if trimmed < line.quantity else {}


# --- invoices and payments


def _month_ends(first: datetime, now: datetime) -> Iterator[datetime]:
    """The end of the last day of each month from `first`'s to the last one that is over."""
    month = date(first.year, first.month, 1)
    while True:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        last_day = following - timedelta(days=1)
        end = datetime(last_day.year, last_day.month, last_day.day, MONTH_END_UTC, 30)
        if end >= now:
            return
        yield end
        month = following


def _monthly_invoice(timeline: Timeline, partner: Partner, month_end: datetime) -> Action:
    """The collective FS of a partner invoiced monthly, for the month's delivery notes."""

    def invoice(at: datetime) -> None:
        day = at.date()
        notes = invoicing_queries.uninvoiced_delivery_notes(
            partner.company.id, limit=10_000, issued_from=day.replace(day=1), issued_to=day
        )
        if not notes:
            return
        document = invoicing.invoice_delivery_notes(
            partner.company, notes, actor=timeline.cast.staff, on=day
        )
        today = timeline.cast.started.date()
        due = document.due_on or day
        # The last invoice that fell due is still open: the partner's overdue one.
        pay = Pay.OVERDUE if today - timedelta(days=31) <= due < today else Pay.AS_USUAL
        _schedule_payment(timeline, partner.company, document, at, pay)

    return invoice


def _schedule_payment(
    timeline: Timeline, company: Company, invoice: Document, issued_at: datetime, pay: Pay
) -> None:
    """The bank transfer that pays (part of) the invoice, when it has come by now."""
    owed = invoice.gross_total - invoice.paid_total
    if owed <= 0 or pay in (Pay.NOT_YET, Pay.OVERDUE):
        return
    rng = timeline.rng
    if pay is Pay.PART:
        at = issued_at + timedelta(days=rng.uniform(1, 3))
        amount = round_money(owed * PART_SHARE)
    else:  # most pay shortly before the due date, a few a little late
        days = company.payment_terms_days * rng.uniform(0.5, 1.05)
        at = issued_at + timedelta(days=max(days, 1))
        amount = owed
    at = _not_before(at)
    if at >= timeline.cast.started - timedelta(hours=1) or amount <= 0:
        return  # not paid yet
    cast = timeline.cast
    timeline.add(at, lambda moment: _transfer(cast, company, invoice, amount, moment))


def _transfer(
    cast: Cast, company: Company, invoice: Document, amount: Decimal, at: datetime
) -> None:
    payments.record_payment(
        DocumentKind.KP,
        company,
        amount,
        on=at.date(),
        channel=PaymentChannel.BANK_TRANSFER,
        reference=invoice.number or "",
        actor=cast.staff,
        allocations=[(invoice, amount)],
    )


def _prepay(cast: Cast, order: Document, at: datetime) -> None:
    """The transfer a prepaid order waits for, allocated to the order until its invoice."""
    amount = order.gross_total - order.paid_total
    if amount <= 0 or order.company_id is None:
        return
    payments.record_payment(
        DocumentKind.KP,
        db.session.get_one(Company, order.company_id),
        amount,
        on=at.date(),
        channel=PaymentChannel.BANK_TRANSFER,
        reference=order.number or "",
        actor=cast.staff,
        allocations=[(order, amount)],
        order=order,
    )


def _pay_by_card(cast: Cast, order: Document, info: OrderInfo, at: datetime) -> None:
    """The buyer paid by card at checkout. The demo has no Stripe, so the order is placed as
    a prepaid one and given the card payment Stripe's webhook would have recorded."""
    info.payment_method = PaymentMethod.CARD
    assert order.company_id is not None
    payments.record_payment(
        DocumentKind.KP,
        db.session.get_one(Company, order.company_id),
        order.gross_total,
        on=at.date(),
        channel=PaymentChannel.CARD,
        reference=f"pi_demo{order.id:08d}",
        actor=None,
        allocations=[(order, order.gross_total)],
        order=order,
    )


def _write_thread(cast: Cast, planned: Planned, order: Document, buyer: User) -> None:
    """The order's messages, spread from its placing to just after its latest event."""
    if not planned.thread:
        return
    start = planned.times[0]
    end = min(planned.times[-1] + timedelta(minutes=40), cast.started - timedelta(minutes=5))
    gap = (end - start) / len(planned.thread)
    authors = {"buyer": buyer, "staff": cast.staff, "rep": cast.rep}
    for index, (who, body, internal) in enumerate(planned.thread, start=1):
        message = orders.post_message(order, author=authors[who], body=body, internal=internal)
        message.created_at = start + gap * index


# ---------------------------------------------------------------------------------------
# What the partners keep: saved items, the current cart, order lists


def _fill_carts(rng: random.Random, cast: Cast, partner: Partner) -> None:
    """Each partner user parks a few items for later and has a cart in progress."""
    for person in partner.people:
        saved_count, cart_count = rng.randint(2, 4), rng.randint(3, 6)
        products = _pick(rng, cast, partner, saved_count + cart_count)
        for index, product in enumerate(products):
            cart_services.add_to_cart(person, product, _line_quantity(rng, product))
            line = _cart_line(person, product)
            if index < saved_count:
                cart_services.save_for_later(line)
                line.added_at = _not_after(cast.started - timedelta(days=rng.uniform(3, 40)))
            else:
                line.added_at = _not_after(cast.started - timedelta(hours=rng.uniform(1, 72)))


def _cart_line(user: User, product: Product) -> CartLine:
    return db.session.scalars(
        sa.select(CartLine)
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(
            Cart.user_id == user.id,
            CartLine.product_id == product.id,
            CartLine.saved.is_(False),
        )
    ).one()


def _add_lists(rng: random.Random, cast: Cast, partner: Partner) -> None:
    """Two order lists: the partner's regulars, and cheap everyday consumables."""
    owner = partner.admin or partner.buyers[0]
    regulars = partner.favourites[: rng.randint(5, 8)]
    cheapest = sorted(cast.everyday, key=lambda product: (product.list_price, product.id))
    basics = rng.sample(cheapest[:30], min(rng.randint(4, 6), len(cheapest)))
    for name, products in zip(LIST_NAMES[partner.key], (regulars, basics), strict=True):
        lines = [
            (product.id, normalise_quantity(product, _line_quantity(rng, product)).quantity)
            for product in products
        ]
        order_list = cart_services.create_list(owner, name, lines)
        order_list.created_at = _not_after(cast.started - timedelta(days=rng.uniform(40, 200)))
