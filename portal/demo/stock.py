"""The demo's stock, through the ledger: suppliers and their prices, opening balances as
stock-ins (PW) with batches, then a few goods receipts (PZ) and write-offs (RW).

The opening balances of a big catalog go in as bulk Core inserts (batches, batch stock,
balances, one PW per OPENING_LINES lines and a move per line), with ids given here and the
PW series moved past the numbers used, so `flask stock check` finds every balance equal to
its moves. What comes after the order history is made by the real stock services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.accounts.models import Role, User
from portal.catalog.models import Product
from portal.core.clock import local_today
from portal.core.db import db, is_sqlite
from portal.core.money import ZERO, Thousandths, round_money
from portal.demo.bulk import Row, insert, next_id, table
from portal.documents.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentSeries,
    DocumentState,
)
from portal.documents.numbering import format_number, period_of
from portal.stock.ledger import DEFAULT_LOT
from portal.stock.models import (
    Batch,
    BatchStock,
    StockLevel,
    StockMove,
    Supplier,
    SupplierProduct,
)
from portal.stock.services import InLine, OutLine, receive_goods, write_off

OPENING_LINES = 1000
"""Lines per opening-balance PW."""
OPENING_DAYS_AGO = 400
"""The opening balance is dated before the order history begins."""
COST_SHARE = (55, 75)
"""Purchase cost as a percentage of the list price."""
PERISHABLE_SHARE = 0.15
"""Products whose batches carry an expiry date."""

SUPPLIERS = (
    {
        "name": "Metalpol Hurt Sp. z o.o.",
        "tax_id": "5252448481",
        "email": "zamowienia@metalpol.example",
        "street": "ul. Przemysłowa 4",
        "postal_code": "60-111",
        "city": "Poznań",
        "lead_days": 3,
    },
    {
        "name": "Narzędzia Nowak S.A.",
        "tax_id": "7792433421",
        "email": "biuro@nowak-narzedzia.example",
        "street": "ul. Fabryczna 18",
        "postal_code": "90-344",
        "city": "Łódź",
        "lead_days": 5,
    },
    {
        "name": "Baustoff Handel GmbH",
        "tax_id": "DE811569869",
        "email": "orders@baustoff.example",
        "street": "Industriestraße 7",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
        "lead_days": 10,
    },
)


def add_suppliers() -> list[int]:
    first = next_id(Supplier)
    ids = [first + index for index in range(len(SUPPLIERS))]
    insert(Supplier, [{"id": i, **values} for i, values in zip(ids, SUPPLIERS, strict=True)])
    return ids


@dataclass
class OpeningStock:
    """Turns the catalog's stock rows into ledger rows, chunk by chunk, ids in order: one
    batch per product (with an expiry for the perishable ones), a PW line and a move per
    warehouse that holds it, PWs of up to OPENING_LINES lines per warehouse."""

    rng: random.Random
    supplier_ids: list[int]
    on: date
    next_batch: int
    next_document: int
    next_line: int
    next_move: int
    numbers: int = 0
    open_documents: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Per warehouse: the PW being filled and how many lines it has."""
    totals: dict[int, Decimal] = field(default_factory=dict)

    @classmethod
    def start(cls, seed: int, supplier_ids: list[int]) -> OpeningStock:
        return cls(
            rng=random.Random(f"{seed}/stock"),
            supplier_ids=supplier_ids,
            on=local_today() - timedelta(days=OPENING_DAYS_AGO),
            next_batch=next_id(Batch),
            next_document=next_id(Document),
            next_line=next_id(DocumentLine),
            next_move=next_id(StockMove),
        )

    def add(self, products: list[Row], stock: list[Row]) -> None:
        """Inserts these products' offers, and their stock rows as balances, batches, PW
        lines and moves."""
        costs: dict[int, Decimal] = {}
        offers: list[Row] = []
        for product in products:
            cost = round_money(product["list_price"] * self.rng.randint(*COST_SHARE) / 100)
            costs[product["id"]] = cost
            preferred = product["category_id"] % len(self.supplier_ids)
            offers.append(_offer(self.supplier_ids[preferred], product["id"], cost, 0))
            if self.rng.random() < 0.2:
                other = self.supplier_ids[(preferred + 1) % len(self.supplier_ids)]
                offers.append(_offer(other, product["id"], round_money(cost * Decimal("1.04")), 1))
        by_id = {product["id"]: product for product in products}
        documents: list[Row] = []
        batches: dict[int, Row] = {}
        batch_stock: list[Row] = []
        lines: list[Row] = []
        moves: list[Row] = []
        for row in stock:
            quantity: Decimal = row["on_hand"]
            if quantity <= 0:
                continue
            product = by_id[row["product_id"]]
            warehouse_id = row["warehouse_id"]
            batch = batches.get(product["id"])
            if batch is None:
                batch = batches[product["id"]] = self._batch(product["id"], costs[product["id"]])
            document_id, position = self._document_for(warehouse_id, documents)
            cost = costs[product["id"]]
            net = round_money(cost * quantity)
            self.totals[document_id] = self.totals.get(document_id, ZERO) + net
            batch_stock.append(
                {
                    "batch_id": batch["id"],
                    "warehouse_id": warehouse_id,
                    "product_id": product["id"],
                    "on_hand": quantity,
                }
            )
            lines.append(
                {
                    "id": self.next_line,
                    "document_id": document_id,
                    "position": position,
                    "product_id": product["id"],
                    "sku": product["sku"],
                    "name": product["name"],
                    "unit": product["unit"].value,
                    "quantity": quantity,
                    "list_price": product["list_price"],
                    "unit_price": cost,
                    "vat_percent": ZERO,
                    "net": net,
                    "batch_id": batch["id"],
                    "unit_cost": cost,
                }
            )
            moves.append(
                {
                    "id": self.next_move,
                    "document_line_id": self.next_line,
                    "product_id": product["id"],
                    "warehouse_id": warehouse_id,
                    "batch_id": batch["id"],
                    "quantity": quantity,
                    "unit_cost": cost,
                    "moved_on": self.on,
                }
            )
            self.next_line += 1
            self.next_move += 1
        insert(Document, documents)
        insert(Batch, list(batches.values()))
        insert(BatchStock, batch_stock)
        insert(StockLevel, stock)
        insert(DocumentLine, lines)
        insert(StockMove, moves)
        insert(SupplierProduct, offers)

    def _batch(self, product_id: int, cost: Decimal) -> Row:
        perishable = self.rng.random() < PERISHABLE_SHARE
        row = {
            "id": self.next_batch,
            "product_id": product_id,
            "lot": f"L{self.on:%y%m%d}-{product_id % 1000:03d}" if perishable else DEFAULT_LOT,
            "expires_on": (
                self.on + timedelta(days=self.rng.randint(430, 900)) if perishable else None
            ),
            "received_on": self.on,
            "unit_cost": cost,
        }
        self.next_batch += 1
        return row

    def _document_for(self, warehouse_id: int, documents: list[Row]) -> tuple[int, int]:
        """The warehouse's PW with room for a line (a new one when full), and the line's
        position on it."""
        document_id, count = self.open_documents.get(warehouse_id, (0, OPENING_LINES))
        if count >= OPENING_LINES:
            document_id, count = self.next_document, 0
            self.next_document += 1
            self.numbers += 1
            period = period_of(DocumentKind.PW, self.on)
            documents.append(
                {
                    "id": document_id,
                    "kind": DocumentKind.PW,
                    "number": format_number(DocumentKind.PW, period, self.numbers),
                    "issued_on": self.on,
                    "state": DocumentState.ISSUED,
                    "warehouse_id": warehouse_id,
                    "reference": "BO",
                    "note": "Bilans otwarcia",
                }
            )
        self.open_documents[warehouse_id] = (document_id, count + 1)
        return document_id, count + 1

    def finish(self) -> None:
        """The PWs' totals, and their series past the numbers used."""
        documents = table(Document)
        for document_id, total in self.totals.items():
            db.session.execute(
                sa.update(documents)
                .where(documents.c.id == document_id)
                .values(net_total=total, gross_total=total)
            )
        if not self.numbers:
            return
        period = period_of(DocumentKind.PW, self.on)
        upsert = sqlite_insert if is_sqlite() else pg_insert
        db.session.execute(
            upsert(table(DocumentSeries))
            .values(kind=DocumentKind.PW, period=period, last_number=self.numbers)
            .on_conflict_do_update(
                index_elements=["kind", "period"], set_={"last_number": self.numbers}
            )
        )


def _offer(supplier_id: int, product_id: int, price: Decimal, position: int) -> Row:
    return {
        "supplier_id": supplier_id,
        "product_id": product_id,
        "supplier_sku": f"S{supplier_id}-{product_id:07d}",
        "purchase_price": price,
        "position": position,
    }


RECEIPTS = 6
WRITE_OFFS = (("damage", 2), ("expired", 1), ("returned_to_supplier", 3))
"""(reason, quantity) of the demo's write-offs."""
LOW_PRODUCTS = 6
"""Products whose minimum is raised above what is available, for the low-stock list."""


def add_stock_activity(*, seed: int, product_ids: range) -> None:
    """Recent goods receipts from the demo suppliers, a few write-offs, and products below
    their minimum: made by the stock services, after the order history."""
    rng = random.Random(f"{seed}/stock-activity")
    staff = db.session.scalars(
        sa.select(User).where(User.role == Role.STAFF).order_by(User.id).limit(1)
    ).first()
    main = 1
    stocked = list(
        db.session.execute(
            sa.select(
                Product.id,
                Product.unit,
                # as Thousandths: the difference of two columns would come back in units
                sa.type_coerce(StockLevel.on_hand - StockLevel.reserved, Thousandths()),
            )
            .join(StockLevel, StockLevel.product_id == Product.id)
            .where(
                Product.id.in_(rng.sample(product_ids, min(400, len(product_ids)))),
                Product.active.is_(True),
                StockLevel.warehouse_id == main,
            )
            .order_by(Product.id)
        ).all()
    )
    if not stocked:
        return
    offers = dict(
        db.session.execute(
            sa.select(SupplierProduct.product_id, SupplierProduct.supplier_id).where(
                SupplierProduct.position == 0,
                SupplierProduct.product_id.in_([row[0] for row in stocked]),
            )
        ).all()
    )
    prices = dict(
        db.session.execute(
            sa.select(SupplierProduct.product_id, SupplierProduct.purchase_price).where(
                SupplierProduct.position == 0,
                SupplierProduct.product_id.in_([row[0] for row in stocked]),
            )
        ).all()
    )
    today = local_today()
    for index in range(RECEIPTS):
        picked = rng.sample(stocked, min(rng.randint(3, 5), len(stocked)))
        by_supplier: dict[int, list[InLine]] = {}
        on = today - timedelta(days=3 * (RECEIPTS - index))
        for product_id, _unit, _available in picked:
            perishable = rng.random() < 0.4
            lines = by_supplier.setdefault(offers.get(product_id, 0), [])
            quantity = Decimal(rng.choice((20, 50, 100, 200)))
            lines.append(
                InLine(
                    product_id,
                    quantity,
                    prices.get(product_id, Decimal("1.00")),
                    f"D{on:%y%m%d}-{index}" if perishable else DEFAULT_LOT,
                    on + timedelta(days=rng.randint(180, 720)) if perishable else None,
                )
            )
        for supplier_id, lines in sorted(by_supplier.items()):
            if supplier_id:
                receive_goods(
                    supplier_id=supplier_id,
                    warehouse_id=main,
                    lines=lines,
                    on=on,
                    actor=staff,
                    reference=f"FV/{on:%Y}/{rng.randint(1000, 9999)}",
                )
    sellable = [row for row in stocked if row[2] >= 10]
    for (reason, taken), (product_id, _unit, _available) in zip(
        WRITE_OFFS, rng.sample(sellable, min(len(WRITE_OFFS), len(sellable))), strict=False
    ):
        write_off(
            warehouse_id=main,
            lines=[OutLine(product_id, Decimal(taken))],
            reason=reason,
            on=today - timedelta(days=rng.randint(0, 5)),
            actor=staff,
        )
    for product_id, _unit, available in rng.sample(stocked, min(LOW_PRODUCTS, len(stocked))):
        minimum = max(available, Decimal(0)).to_integral_value() + Decimal(rng.choice((10, 20, 50)))
        db.session.execute(
            sa.update(table(Product))
            .where(table(Product).c.id == product_id)
            .values(min_stock=minimum)
        )
    db.session.commit()
