"""A large document history for benchmarks: `flask demo load --partners N --document-lines N`.

On top of the ordinary demo it adds N partner companies (each with a buyer; every tenth one
assigned to the demo rep) and a year of their orders as the pipeline leaves them: ZK, then
for shipped ones a WZ and the final FS (partners with a tax ID) or PA, and payments (KP)
allocated to most invoices, some part-paid, some overdue. Rows go in with Core bulk inserts
and ids given here; series counters are moved past the numbers used, so the portal goes on
numbering without a gap or a clash. The history documents carry no stock moves (the stock
ledger is the ordinary demo's): they exist to be listed, filtered and summed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.accounts.models import Company, Invoicing, Role, User
from portal.catalog.models import Product, VatRate
from portal.core.clock import local_today
from portal.core.db import db
from portal.core.money import ZERO, round_money
from portal.demo.bulk import insert, next_id, table
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentSeries,
    DocumentState,
    EventKind,
)
from portal.documents.numbering import format_number, period_of
from portal.documents.totals import totals_from_gross, totals_from_net
from portal.orders.models import DeliveryMethod, OrderInfo, OrderStatus, PaymentMethod, PaymentState
from portal.payments.models import PaymentAllocation
from portal.stock.models import Warehouse

Row = dict[str, Any]

LINES_PER_ORDER = (4, 16)
LINES_PER_ORDER_DOCUMENTS = 27
"""About how many document lines an order brings (ZK, mostly a WZ and an FS/PA: 10 lines each)."""
PRODUCT_SAMPLE = 20_000
COMMIT_EVERY = 60_000
"""Document lines per committed chunk."""


@dataclass
class _Numbers:
    """The next sequence per (kind, period), continuing the series already in the database."""

    last: dict[tuple[DocumentKind, str], int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Numbers:
        rows = db.session.execute(
            sa.select(DocumentSeries.kind, DocumentSeries.period, DocumentSeries.last_number)
        )
        return cls({(DocumentKind(kind), period): last for kind, period, last in rows})

    def take(self, kind: DocumentKind, on: date) -> str:
        key = (kind, period_of(kind, on))
        self.last[key] = self.last.get(key, 0) + 1
        return format_number(kind, key[1], self.last[key])

    def save(self) -> None:
        series = table(DocumentSeries)
        for (kind, period), last in self.last.items():
            updated = db.session.execute(
                sa.update(series)
                .where(series.c.kind == kind.value, series.c.period == period)
                .values(last_number=last)
            )
            if updated.rowcount == 0:  # type: ignore[attr-defined]
                db.session.execute(
                    sa.insert(series).values(kind=kind.value, period=period, last_number=last)
                )


@dataclass
class _Batch:
    documents: list[Row] = field(default_factory=list)
    lines: list[Row] = field(default_factory=list)
    infos: list[Row] = field(default_factory=list)
    links: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    allocations: list[Row] = field(default_factory=list)

    def flush(self) -> None:
        insert(Document, self.documents)
        insert(DocumentLine, self.lines)
        insert(OrderInfo, self.infos)
        insert(DocumentLink, self.links)
        insert(DocumentEvent, self.events)
        insert(PaymentAllocation, self.allocations)
        db.session.commit()
        for rows in self.__dict__.values():
            rows.clear()


class _Ids:
    def __init__(self) -> None:
        self.document = next_id(Document)
        self.line = next_id(DocumentLine)
        self.event = next_id(DocumentEvent)
        self.allocation = next_id(PaymentAllocation)

    def take(self, name: str) -> int:
        value: int = getattr(self, name)
        setattr(self, name, value + 1)
        return value


def load_volume(*, partners: int, document_lines: int, seed: int) -> tuple[int, int]:
    """Adds the partners and about `document_lines` lines; returns (documents, lines) added."""
    rng = random.Random(seed)
    today = local_today()
    companies = _add_partners(rng, partners)
    products = _product_sample(rng)
    statuses = {s.code: s for s in db.session.scalars(sa.select(OrderStatus))}
    warehouse_id = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.is_main))
    staff_id = db.session.scalar(sa.select(User.id).where(User.role == Role.STAFF).limit(1))
    numbers = _Numbers.load()
    ids = _Ids()
    batch = _Batch()
    documents = lines = 0

    # Orders in date order, so numbers grow with dates as the series would give them.
    order_count = max(1, document_lines // LINES_PER_ORDER_DOCUMENTS)
    days = sorted(rng.randrange(0, 365) for _ in range(order_count))
    for age in reversed(days):
        placed = today - timedelta(days=age)
        company = rng.choice(companies)
        made = _order(
            rng,
            batch,
            ids,
            numbers,
            company,
            products,
            statuses,
            placed,
            today,
            warehouse_id=warehouse_id,
            staff_id=staff_id,
        )
        documents += made[0]
        lines += made[1]
        if len(batch.lines) >= COMMIT_EVERY:
            batch.flush()
    batch.flush()
    numbers.save()
    _sync_sequences()
    db.session.commit()
    return documents, lines


@dataclass(frozen=True)
class _Partner:
    id: int
    buyer_id: int
    has_tax_id: bool
    eu: bool
    terms: int
    monthly: bool


def _nip(rng: random.Random) -> str:
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


CITIES = ["Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Szczecin", "Lublin"]
NAMES = ["Hurtownia", "Budmat", "Elektro", "Instal", "Drewbud", "Techmet", "Agro", "Farby"]


def _add_partners(rng: random.Random, count: int) -> list[_Partner]:
    rep_id = db.session.scalar(sa.select(User.id).where(User.role == Role.SALES_REP).limit(1))
    password_hash = db.session.scalar(
        sa.select(User.password_hash).where(User.password_hash.is_not(None)).limit(1)
    )
    first_company, first_user = next_id(Company), next_id(User)
    now = datetime.now().replace(microsecond=0)
    company_rows, user_rows, partners = [], [], []
    for n in range(count):
        company_id, user_id = first_company + n, first_user + n
        has_tax_id = rng.random() < 0.85
        eu = has_tax_id and rng.random() < 0.05
        terms = rng.choice((0, 14, 14, 30, 30, 60))
        monthly = has_tax_id and rng.random() < 0.1
        company_rows.append(
            {
                "id": company_id,
                "name": f"{rng.choice(NAMES)} {company_id:05d} Sp. z o.o.",
                "tax_id": (f"DE{rng.randrange(10**8, 10**9)}" if eu else _nip(rng))
                if has_tax_id
                else None,
                "tax_country": ("DE" if eu else "PL") if has_tax_id else None,
                "email": f"office@partner{company_id}.example",
                "street": f"ul. Handlowa {n % 200 + 1}",
                "postal_code": f"{rng.randint(10, 99)}-{rng.randint(100, 999)}",
                "city": rng.choice(CITIES),
                "country": "DE" if eu else "PL",
                "payment_terms_days": terms,
                "credit_limit": Decimal(rng.choice((0, 20_000, 50_000, 100_000))),
                "default_discount": Decimal(rng.choice((0, 0, 3, 5, 8))),
                "invoicing": Invoicing.MONTHLY if monthly else Invoicing.PER_DELIVERY,
                "sales_rep_id": rep_id if n % 10 == 0 else None,
                "active": True,
                "created_at": now,
            }
        )
        user_rows.append(
            {
                "id": user_id,
                "email": f"buyer@partner{company_id}.example",
                "name": f"Buyer {company_id}",
                "password_hash": password_hash,
                "role": Role.BUYER,
                "company_id": company_id,
                "language": "pl",
                "active": True,
                "session_version": 1,
                "created_at": now,
            }
        )
        partners.append(_Partner(company_id, user_id, has_tax_id, eu, terms, monthly))
    insert(Company, company_rows)
    insert(User, user_rows)
    db.session.commit()
    return partners


@dataclass(frozen=True)
class _Product:
    id: int
    sku: str
    name: str
    unit: str
    price: Decimal
    vat: Decimal


def _product_sample(rng: random.Random) -> list[_Product]:
    rows = db.session.execute(
        sa.select(
            Product.id, Product.sku, Product.name, Product.unit, Product.list_price, VatRate.percent
        )
        .join(VatRate, VatRate.id == Product.vat_rate_id)
        .where(Product.active)
        .order_by(Product.id)
    ).all()
    picked = rng.sample(rows, min(PRODUCT_SAMPLE, len(rows)))
    return [_Product(r.id, r.sku, r.name, str(r.unit), r.list_price, r.percent) for r in picked]


def _order(
    rng: random.Random,
    batch: _Batch,
    ids: _Ids,
    numbers: _Numbers,
    partner: _Partner,
    products: list[_Product],
    statuses: dict[str, OrderStatus],
    placed: date,
    today: date,
    *,
    warehouse_id: int | None,
    staff_id: int | None,
) -> tuple[int, int]:
    age = (today - placed).days
    if age > 10:
        status = rng.choices(("delivered", "cancelled", "rejected"), (94, 5, 1))[0]
    else:
        status = rng.choice(("new", "confirmed", "picking", "packed", "shipped", "delivered"))
    shipped = status in {"packed", "shipped", "delivered"}
    created = datetime.combine(placed, datetime.min.time()) + timedelta(
        hours=rng.randint(7, 18), minutes=rng.randint(0, 59)
    )
    picks = rng.sample(products, rng.randint(*LINES_PER_ORDER))
    quantities = [Decimal(rng.choice((1, 2, 3, 5, 10, 12, 20, 24, 50))) for _ in picks]
    discount = Decimal(100) - Decimal(rng.choice((0, 0, 3, 5, 8)))
    prices = [round_money(p.price * discount / 100) for p in picks]
    nets = [round_money(price * qty) for price, qty in zip(prices, quantities, strict=True)]
    order_totals = totals_from_net((n, p.vat) for n, p in zip(nets, picks, strict=True))

    order_id = ids.take("document")
    batch.documents.append(
        _document(
            order_id,
            DocumentKind.ZK,
            numbers.take(DocumentKind.ZK, placed),
            placed,
            partner,
            created,
            order_totals,
            warehouse_id=warehouse_id,
            status_id=statuses[status].id,
            user_id=partner.buyer_id,
        )
    )
    method = rng.choice((PaymentMethod.ON_ACCOUNT,) * 4 + (PaymentMethod.BANK_TRANSFER,))
    batch.infos.append(
        {
            "document_id": order_id,
            "idempotency_key": f"volume-{order_id}",
            "customer_reference": f"PO-{order_id}" if rng.random() < 0.4 else "",
            "message": "",
            "ship_label": "",
            "ship_recipient": f"Partner {partner.id}",
            "ship_street": "ul. Handlowa 1",
            "ship_postal_code": "00-001",
            "ship_city": "Warszawa",
            "ship_country": "PL",
            "ship_phone": "",
            "delivery_method": DeliveryMethod.COURIER,
            "delivery_net": ZERO,
            "payment_method": method,
            "payment_state": PaymentState.NOT_DUE
            if method is PaymentMethod.ON_ACCOUNT
            else PaymentState.PAID,
            "approval_reason": "",
            "rejection_reason": "",
        }
    )
    # Open history orders reserve nothing: the ordinary demo owns the stock and its ledger.
    zk_lines = _lines(batch, ids, order_id, picks, quantities, prices, nets)
    batch.events.append(_event(ids, order_id, EventKind.CREATED, created, partner.buyer_id))
    documents, lines = 1, len(zk_lines)
    if not shipped:
        return documents, lines

    shipped_on = min(today, placed + timedelta(days=rng.randint(1, 3)))
    wz_id = ids.take("document")
    batch.documents.append(
        _document(
            wz_id,
            DocumentKind.WZ,
            numbers.take(DocumentKind.WZ, shipped_on),
            shipped_on,
            partner,
            created,
            order_totals,
            warehouse_id=warehouse_id,
            created_by_id=staff_id,
        )
    )
    _lines(batch, ids, wz_id, picks, quantities, prices, nets, sources=zk_lines)
    batch.links.append({"source_id": order_id, "target_id": wz_id})
    documents, lines = documents + 1, lines + len(zk_lines)
    if partner.monthly:
        return documents, lines

    kind = DocumentKind.FS if partner.has_tax_id else DocumentKind.PA
    vats = [Decimal(0) if partner.eu else p.vat for p in picks]
    invoice_totals = (
        totals_from_net(zip(nets, vats, strict=True))
        if kind is DocumentKind.FS
        else totals_from_gross(
            (n + round_money(n * v / 100), v) for n, v in zip(nets, vats, strict=True)
        )
    )
    invoice_id = ids.take("document")
    due = shipped_on + timedelta(days=partner.terms)
    invoice = _document(
        invoice_id,
        kind,
        numbers.take(kind, shipped_on),
        shipped_on,
        partner,
        created,
        invoice_totals,
        created_by_id=staff_id,
        due_on=due,
    )
    batch.documents.append(invoice)
    _lines(batch, ids, invoice_id, picks, quantities, prices, nets, vats=vats)
    batch.links += [
        {"source_id": order_id, "target_id": invoice_id},
        {"source_id": wz_id, "target_id": invoice_id},
    ]
    documents, lines = documents + 1, lines + len(zk_lines)

    # Payments: most invoices paid (some within days, some late), a few part-paid or open.
    fate = rng.random()
    if due > today and fate < 0.5:
        return documents, lines
    paid = invoice_totals.gross if fate < 0.9 else round_money(invoice_totals.gross / 2)
    if fate > 0.97:
        return documents, lines  # overdue, unpaid
    paid_on = min(today, due + timedelta(days=rng.randint(-10, 5)))
    paid_on = max(paid_on, shipped_on)
    payment_id = ids.take("document")
    payment = _document(
        payment_id,
        DocumentKind.KP,
        numbers.take(DocumentKind.KP, paid_on),
        paid_on,
        partner,
        created,
        None,
        created_by_id=staff_id,
    )
    payment.update(gross_total=paid, paid_total=paid, reference=f"Przelew {invoice['number']}")
    batch.documents.append(payment)
    invoice["paid_total"] = paid
    batch.allocations.append(
        {
            "id": ids.take("allocation"),
            "payment_id": payment_id,
            "document_id": invoice_id,
            "amount": paid,
            "created_at": created,
        }
    )
    batch.links.append({"source_id": payment_id, "target_id": invoice_id})
    return documents + 1, lines


def _document(
    document_id: int,
    kind: DocumentKind,
    number: str,
    on: date,
    partner: _Partner,
    created: datetime,
    totals: Any,
    *,
    warehouse_id: int | None = None,
    status_id: int | None = None,
    user_id: int | None = None,
    created_by_id: int | None = None,
    due_on: date | None = None,
) -> Row:
    return {
        "id": document_id,
        "kind": kind,
        "number": number,
        "issued_on": on,
        "state": DocumentState.ISSUED,
        "company_id": partner.id,
        "warehouse_id": warehouse_id,
        "status_id": status_id,
        "user_id": user_id,
        "created_by_id": created_by_id or user_id,
        "net_total": totals.net if totals else ZERO,
        "vat_total": totals.vat if totals else ZERO,
        "gross_total": totals.gross if totals else ZERO,
        "paid_total": ZERO,
        "due_on": due_on,
        "reason": "",
        "reference": "",
        "note": "",
        "created_at": max(created, datetime.combine(on, datetime.min.time())),
        "updated_at": created,
    }


def _lines(
    batch: _Batch,
    ids: _Ids,
    document_id: int,
    picks: list[_Product],
    quantities: list[Decimal],
    prices: list[Decimal],
    nets: list[Decimal],
    *,
    sources: list[int] | None = None,
    vats: list[Decimal] | None = None,
) -> list[int]:
    made = []
    for position, (product, qty, price, net) in enumerate(
        zip(picks, quantities, prices, nets, strict=True), start=1
    ):
        line_id = ids.take("line")
        made.append(line_id)
        batch.lines.append(
            {
                "id": line_id,
                "document_id": document_id,
                "position": position,
                "product_id": product.id,
                "sku": product.sku,
                "name": product.name,
                "unit": product.unit,
                "quantity": qty,
                "list_price": product.price,
                "unit_price": price,
                "vat_percent": vats[position - 1] if vats else product.vat,
                "discount": ZERO,
                "net": net,
                "reserved": ZERO,
                "picked": ZERO,
                "source_line_id": sources[position - 1] if sources else None,
            }
        )
    return made


def _event(ids: _Ids, document_id: int, kind: EventKind, at: datetime, actor_id: int) -> Row:
    return {
        "id": ids.take("event"),
        "document_id": document_id,
        "kind": kind,
        "at": at,
        "actor_id": actor_id,
        "note": "",
    }


def _sync_sequences() -> None:
    """PostgreSQL: move each serial sequence past the ids given here."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (Company, User, Document, DocumentLine, DocumentEvent, PaymentAllocation):
        serial_table = table(model)
        db.session.execute(
            sa.select(
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(serial_table.name, "id"),
                    sa.select(sa.func.max(serial_table.c.id)).scalar_subquery(),
                )
            )
        )
