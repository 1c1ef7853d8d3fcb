"""The fulfilment pipeline as the warehouse lives it: confirm, pick, pack, ship, deliver."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from pypdf import PdfReader

from portal.core.db import db
from portal.core.errors import DomainError
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentSeries,
)
from portal.fulfilment import services
from portal.fulfilment.labels import label_path
from portal.fulfilment.models import Shipment
from portal.fulfilment.services import Coverage, FulfilmentError, PickError
from portal.orders.models import OrderStatus, Step
from portal.orders.statuses import move_to_step
from portal.stock import ledger
from portal.stock.models import StockLevel, StockMove
from tests.builders import main_warehouse, make_product
from tests.services.fulfilment.helpers import (
    buyer,
    placed_order,
    polish_seller,
    receive,
    staff,
)

D = Decimal


def level(product) -> StockLevel:
    db.session.expire_all()
    found = db.session.get(StockLevel, (product.id, main_warehouse().id))
    assert found is not None
    return found


def step_of(order) -> Step | None:
    db.session.expire_all()
    status_id = db.session.scalar(sa.select(Document.status_id).where(Document.id == order.id))
    return db.session.get_one(OrderStatus, status_id).step


def lines(order) -> dict[str, DocumentLine]:
    db.session.expire_all()
    return {
        line.sku: line
        for line in db.session.scalars(
            sa.select(DocumentLine).where(DocumentLine.document_id == order.id)
        )
    }


def delivery_notes() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Document).where(Document.kind == DocumentKind.WZ)
    )


def pdf_text(key: str) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(label_path(key)).pages)


@pytest.fixture
def goods():
    hinge = make_product(sku="HNG-1", ean="5901234123457", name="Zawias meblowy")
    screw = make_product(sku="SCR-2", ean="5901234123464", name="Wkręt")
    glue = make_product(sku="GLU-3", name="Klej")
    receive(hinge, 5, lot="H-LATE", expires_on=date(2031, 1, 1))
    receive(hinge, 2, lot="H-EARLY", expires_on=date(2030, 1, 1))
    receive(glue, 2, lot="G1")
    return hinge, screw, glue


def test_confirming_reports_coverage_per_line_and_reserves_what_arrived_since(goods):
    hinge, screw, glue = goods
    order = placed_order(buyer(), (hinge, "3"), (screw, "2"), (glue, "4"))
    assert {sku: line.reserved for sku, line in lines(order).items()} == {
        "HNG-1": D(3),
        "SCR-2": D(0),
        "GLU-3": D(2),
    }
    receive(screw, 1, lot="S1")  # arrives after the order was placed

    coverage = services.confirm(order, actor=staff())

    assert {item.line.sku: item.coverage for item in coverage} == {
        "HNG-1": Coverage.FULLY,
        "SCR-2": Coverage.PARTLY,
        "GLU-3": Coverage.PARTLY,
    }
    assert lines(order)["SCR-2"].reserved == D(1)
    assert level(screw).reserved == D(1) == level(screw).on_hand
    assert step_of(order) is Step.CONFIRM
    with pytest.raises(FulfilmentError):
        services.confirm(order, actor=staff())


def test_nothing_in_stock_is_not_covered_and_reserves_nothing(goods):
    _hinge, screw, _glue = goods
    order = placed_order(buyer(), (screw, "2"))
    coverage = services.confirm(order, actor=staff())
    assert [item.coverage for item in coverage] == [Coverage.NOT]
    found = db.session.get(StockLevel, (screw.id, main_warehouse().id))
    assert found is None or found.reserved == 0


def test_an_order_awaiting_approval_cannot_be_confirmed(goods):
    hinge, _screw, _glue = goods
    order = placed_order(buyer(), (hinge, "1"))
    move_to_step(order, Step.HOLD_FOR_APPROVAL, actor=None, check=False)
    db.session.commit()
    with pytest.raises(FulfilmentError, match="approval"):
        services.confirm(order, actor=staff())
    assert step_of(order) is Step.HOLD_FOR_APPROVAL


def test_scanning_sku_or_ean_counts_one_up_and_refuses_strangers_and_extras(goods):
    hinge, _screw, glue = goods
    order = placed_order(buyer(), (hinge, "2"), (glue, "1"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)

    services.scan(order, "5901234123457", actor=warehouse)  # EAN, and picking starts
    assert step_of(order) is Step.PICK
    services.scan(order, " hng-1 ", actor=warehouse)  # SKU, any case
    assert lines(order)["HNG-1"].picked == D(2)
    with pytest.raises(PickError, match="already picked in full"):
        services.scan(order, "HNG-1", actor=warehouse)
    with pytest.raises(PickError, match="No line"):
        services.scan(order, "5900000000000", actor=warehouse)
    with pytest.raises(PickError, match="more"):
        services.record_picks(order, {lines(order)["GLU-3"].id: D(2)}, actor=warehouse)
    with pytest.raises(PickError, match="whole"):
        services.record_picks(order, {lines(order)["GLU-3"].id: D("0.5")}, actor=warehouse)
    assert lines(order)["HNG-1"].picked == D(2)


def test_packing_issues_the_wz_takes_stock_releases_reservations_and_makes_the_label(goods):
    hinge, _screw, glue = goods
    polish_seller()
    order = placed_order(buyer(), (hinge, "3"), (glue, "4"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    by_sku = lines(order)

    shipment = services.pack(
        order,
        actor=warehouse,
        carrier="demo",
        parcels=2,
        picks={by_sku["HNG-1"].id: D(3), by_sku["GLU-3"].id: D(1)},  # glue: short pick
    )

    wz = db.session.get_one(Document, shipment.delivery_note_id)
    assert wz.kind is DocumentKind.WZ
    assert re.fullmatch(r"WZ/\d{4}/\d{2}/\d{4}", wz.number)
    assert db.session.get(DocumentLink, (order.id, wz.id)) is not None
    wz_lines = db.session.scalars(
        sa.select(DocumentLine).where(DocumentLine.document_id == wz.id)
    ).all()
    # FEFO: the hinge comes from the batch that expires first, then from the next one
    assert [(line.sku, line.quantity, line.source_line_id) for line in wz_lines] == [
        ("HNG-1", D(2), by_sku["HNG-1"].id),
        ("HNG-1", D(1), by_sku["HNG-1"].id),
        ("GLU-3", D(1), by_sku["GLU-3"].id),
    ]
    assert all(line.batch_id and line.unit_cost == D("4.00") for line in wz_lines)
    moved = dict(
        db.session.execute(
            sa.select(StockMove.product_id, sa.func.sum(StockMove.quantity))
            .join(DocumentLine, DocumentLine.id == StockMove.document_line_id)
            .where(DocumentLine.document_id == wz.id)
            .group_by(StockMove.product_id)
        ).all()
    )
    assert moved == {hinge.id: D(-3), glue.id: D(-1)}
    assert (level(hinge).on_hand, level(hinge).reserved) == (D(4), D(0))
    assert (level(glue).on_hand, level(glue).reserved) == (D(1), D(0))  # short pick released
    assert all(line.reserved == 0 for line in lines(order).values())
    assert ledger.check() == []

    assert re.fullmatch(r"DEMO\d{10}", shipment.tracking_number)
    assert shipment.parcels == 2
    assert step_of(order) is Step.PACK
    notes = db.session.scalars(
        sa.select(DocumentEvent.note).where(DocumentEvent.document_id == order.id)
    ).all()
    assert any("Short pick: GLU-3 1 of 4" in note for note in notes)

    assert shipment.label_key and label_path(shipment.label_key).exists()
    assert Path(current_app.config["MEDIA_ROOT"]) in label_path(shipment.label_key).parents
    text = pdf_text(shipment.label_key)
    for expected in (
        shipment.tracking_number,
        "Zakład Żółć Sp. z o.o.",
        "ul. Świętokrzyska 12",
        "90-001 Łódź",
        "Hurtownia Łąkowa Sp. z o.o.",
        order.number,
        wz.number,
    ):
        assert expected in text, expected


def test_a_failure_half_way_through_packing_leaves_nothing_behind(goods):
    hinge, _screw, glue = goods
    small = receive(glue, 1, lot="G-SMALL")
    order = placed_order(buyer(), (hinge, "2"), (glue, "2"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    by_sku = lines(order)
    before_moves = db.session.scalar(sa.select(sa.func.count()).select_from(StockMove))
    before_series = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(DocumentSeries.last_number), 0)).where(
            DocumentSeries.kind == DocumentKind.WZ
        )
    )

    # the hinge line is taken first; the glue batch staff chose holds only one
    with pytest.raises(ledger.NotEnoughStock):
        services.pack(
            order,
            actor=warehouse,
            carrier="demo",
            picks={by_sku["HNG-1"].id: D(2), by_sku["GLU-3"].id: D(2)},
            batches={by_sku["GLU-3"].id: [(small.id, D(2))]},
        )

    assert delivery_notes() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)) == before_moves
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shipment)) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(DocumentSeries.last_number), 0)).where(
                DocumentSeries.kind == DocumentKind.WZ
            )
        )
        == before_series
    )
    assert {sku: line.reserved for sku, line in lines(order).items()} == {
        "HNG-1": D(2),
        "GLU-3": D(2),
    }
    assert (level(hinge).on_hand, level(hinge).reserved) == (D(7), D(2))
    assert step_of(order) is Step.CONFIRM
    assert ledger.check() == []


def test_a_wz_cannot_be_dated_before_the_receipt_of_its_goods(goods):
    hinge, _screw, _glue = goods
    order = placed_order(buyer(), (hinge, "1"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    line = next(iter(lines(order).values()))
    with pytest.raises(ledger.DatedBeforeReceipt):
        services.pack(
            order,
            actor=warehouse,
            carrier="demo",
            picks={line.id: D(1)},
            on=date.today() - timedelta(days=30),
        )
    assert delivery_notes() == 0
    assert level(hinge).reserved == D(1)


def test_packing_needs_a_picked_count_and_a_known_carrier(goods):
    hinge, _screw, _glue = goods
    order = placed_order(buyer(), (hinge, "1"))
    warehouse = staff()
    db.session.commit()  # what the test made must survive the refused commands
    with pytest.raises(FulfilmentError, match="confirmed"):
        services.pack(order, actor=warehouse, carrier="demo")
    services.confirm(order, actor=warehouse)
    with pytest.raises(FulfilmentError, match="Nothing is picked"):
        services.pack(order, actor=warehouse, carrier="demo")
    line = next(iter(lines(order).values()))
    with pytest.raises(DomainError, match="carrier"):
        services.pack(order, actor=warehouse, carrier="pigeon", picks={line.id: D(1)})
    assert delivery_notes() == 0


def test_manual_carrier_keeps_the_typed_tracking_number(goods):
    hinge, _screw, _glue = goods
    order = placed_order(buyer(), (hinge, "1"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    line = next(iter(lines(order).values()))
    shipment = services.pack(
        order,
        actor=warehouse,
        carrier="manual",
        tracking_number=" 00340434 1612 ",
        picks={line.id: D(1)},
    )
    assert shipment.tracking_number == "00340434 1612"
    assert "00340434 1612" in pdf_text(shipment.label_key)


def test_shipped_then_delivered_by_staff_or_by_the_demo_carrier_two_days_later(app, goods):
    hinge, _screw, _glue = goods
    warehouse = staff()
    orders = []
    for carrier in ("demo", "manual", "demo"):
        order = placed_order(buyer(), (hinge, "1"))
        services.confirm(order, actor=warehouse)
        line = next(iter(lines(order).values()))
        services.pack(order, actor=warehouse, carrier=carrier, picks={line.id: D(1)})
        services.mark_shipped(order, actor=warehouse)
        orders.append(order)
    demo, manual, fresh = orders
    assert step_of(demo) is Step.SHIP
    with pytest.raises(FulfilmentError):
        services.mark_shipped(demo, actor=warehouse)
    three_days_ago = services.utcnow() - timedelta(days=3)
    db.session.execute(
        sa.update(Shipment)
        .where(Shipment.order_id.in_([demo.id, manual.id]))
        .values(shipped_at=three_days_ago)
    )

    result = app.test_cli_runner().invoke(args=["fulfilment", "deliver-due"])
    assert result.exit_code == 0, result.output
    assert "1 shipments delivered" in result.output

    assert step_of(demo) is Step.DELIVER
    assert step_of(manual) is Step.SHIP  # staff mark it
    assert step_of(fresh) is Step.SHIP  # not due yet
    delivered = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == demo.id))
    assert delivered.delivered_at == three_days_ago + timedelta(days=2)

    services.mark_delivered(manual, actor=warehouse)
    assert step_of(manual) is Step.DELIVER
    with pytest.raises(FulfilmentError):
        services.mark_delivered(manual, actor=warehouse)


def test_hold_and_release_return_the_order_where_it_was(goods):
    hinge, _screw, _glue = goods
    order = placed_order(buyer(), (hinge, "1"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    services.hold(order, actor=warehouse, reason="Klient prosi o wstrzymanie")
    assert step_of(order) is Step.HOLD
    with pytest.raises(FulfilmentError):
        services.pack(order, actor=warehouse, carrier="demo")
    services.release(order, actor=warehouse)
    assert step_of(order) is Step.CONFIRM
    with pytest.raises(FulfilmentError):
        services.release(order, actor=warehouse)
