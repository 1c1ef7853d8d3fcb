"""The office's fulfilment screens: the queue, an order, pick & pack on a phone, labels."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import Document, DocumentLine
from portal.fulfilment import services
from portal.fulfilment.models import Shipment
from portal.orders.models import OrderStatus, Step
from tests.builders import make_company, make_product, make_user
from tests.services.fulfilment.helpers import buyer, placed_order, receive, staff

D = Decimal


@pytest.fixture
def hinge():
    product = make_product(sku="HNG-7", ean="5901234123457", name="Zawias")
    receive(product, 10, lot="H1")
    return product


def step_of(order) -> Step | None:
    db.session.expire_all()
    status_id = db.session.scalar(sa.select(Document.status_id).where(Document.id == order.id))
    return db.session.get_one(OrderStatus, status_id).step


def picked(order, sku: str = "HNG-7") -> Decimal:
    """What is picked of the order's line of the SKU (the hinge's, unless told)."""
    db.session.expire_all()
    return db.session.scalar(
        sa.select(DocumentLine.picked).where(
            DocumentLine.document_id == order.id, DocumentLine.sku == sku
        )
    )


def test_staff_confirm_pick_by_scanning_pack_and_deliver_an_order(login, hinge):
    glue = make_product(sku="GLU-8", name="Klej")
    order = placed_order(buyer(), (hinge, "2"), (glue, "3"), message="Proszę o fakturę")
    client = login(staff())

    queue = client.get("/office/orders").get_data(as_text=True)
    assert order.number in queue and "Żółć i Syn" in queue

    page = client.get(f"/office/orders/{order.id}").get_data(as_text=True)
    assert "Stock covers it fully" in page and "Stock does not cover it" in page
    assert "Proszę o fakturę" in page and "Łódź" in page
    assert client.post(f"/office/orders/{order.id}/confirm").status_code == 303
    assert step_of(order) is Step.CONFIRM

    assert client.post(f"/office/orders/{order.id}/start-picking").status_code == 303
    pick = client.get(f"/office/orders/{order.id}/pick").get_data(as_text=True)
    assert "Scan or type SKU / EAN" in pick and "Pack and issue delivery note" in pick

    fragment = client.post(
        f"/office/orders/{order.id}/pick/scan",
        data={"code": "5901234123457"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "HNG-7: 1 of 2" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    plain = client.post(f"/office/orders/{order.id}/pick/scan", data={"code": "hng-7"})
    assert plain.status_code == 303
    assert picked(order) == D(2)

    unknown = client.post(
        f"/office/orders/{order.id}/pick/scan",
        data={"code": "NOPE"},
        headers={"HX-Request": "true"},
    )
    assert unknown.status_code == 422
    assert "No line of this order has the SKU or EAN NOPE" in unknown.get_data(as_text=True)

    lines = {
        line.sku: line.id
        for line in db.session.scalars(
            sa.select(DocumentLine).where(DocumentLine.document_id == order.id)
        )
    }
    packed = client.post(
        f"/office/orders/{order.id}/pack",
        data={
            f"picked_{lines['HNG-7']}": "2",
            f"picked_{lines['GLU-8']}": "0",  # none in stock: a short pick
            "carrier": "demo",
            "parcels": "1",
        },
    )
    assert packed.status_code == 303, packed.get_data(as_text=True)[:2000]
    assert step_of(order) is Step.PACK
    shipment = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == order.id))
    page = client.get(f"/office/orders/{order.id}").get_data(as_text=True)
    assert shipment.tracking_number in page and "Short pick: GLU-8 0 of 3" in page
    wz = db.session.get_one(Document, shipment.delivery_note_id)
    assert wz.number in page

    label = client.get(f"/office/shipments/{shipment.id}/label.pdf")
    assert label.status_code == 200 and label.mimetype == "application/pdf"
    assert label.data.startswith(b"%PDF")
    label.close()

    assert client.post(f"/office/orders/{order.id}/ship").status_code == 303
    assert step_of(order) is Step.SHIP
    assert client.post(f"/office/orders/{order.id}/deliver").status_code == 303
    assert step_of(order) is Step.DELIVER


def test_a_bad_count_is_shown_next_to_its_line_and_nothing_is_packed(login, hinge):
    order = placed_order(buyer(), (hinge, "2"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    line_id = db.session.scalar(
        sa.select(DocumentLine.id).where(DocumentLine.document_id == order.id)
    )
    client = login(warehouse)

    typo = client.post(
        f"/office/orders/{order.id}/pack",
        data={f"picked_{line_id}": "two", "carrier": "demo", "parcels": "1"},
    )
    assert typo.status_code == 422
    html = typo.get_data(as_text=True)
    assert re.search(rf'id="picked_{line_id}-error">Type a number', html)

    too_many = client.post(
        f"/office/orders/{order.id}/pick/counts", data={f"picked_{line_id}": "5"}
    )
    assert too_many.status_code == 422
    assert "the order asks for 2; 5 is more" in too_many.get_data(as_text=True)

    nothing = client.post(
        f"/office/orders/{order.id}/pack",
        data={f"picked_{line_id}": "0", "carrier": "demo", "parcels": "1"},
    )
    assert nothing.status_code == 422
    assert "Nothing is picked yet" in nothing.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shipment)) == 0
    assert step_of(order) is Step.CONFIRM

    saved = client.post(f"/office/orders/{order.id}/pick/counts", data={f"picked_{line_id}": "1"})
    assert saved.status_code == 303 and picked(order) == D(1)
    assert step_of(order) is Step.PICK


def test_hold_and_release_from_the_order_page(login, hinge):
    order = placed_order(buyer(), (hinge, "1"))
    client = login(staff())
    assert (
        client.post(
            f"/office/orders/{order.id}/hold", data={"reason": "Brak płatności"}
        ).status_code
        == 303
    )
    assert step_of(order) is Step.HOLD
    page = client.get(f"/office/orders/{order.id}").get_data(as_text=True)
    assert "Brak płatności" in page and ">Release<" in page
    refused = client.post(f"/office/orders/{order.id}/confirm", follow_redirects=True)
    assert "Only a new order can be confirmed" in refused.get_data(as_text=True)
    client.post(f"/office/orders/{order.id}/release")
    assert step_of(order) is Step.PLACE


def test_the_queue_filters_searches_and_pages_oldest_first(login, hinge):
    company = make_company(name="Bolesław Hurt")
    someone = make_user(role=Role.BUYER, company=company)
    orders = [placed_order(someone, (hinge, "1")) for _ in range(3)]
    other = placed_order(buyer(), (hinge, "1"))
    client = login(staff())
    services.confirm(orders[0], actor=staff())

    html = client.get("/office/orders").get_data(as_text=True)
    assert html.index(orders[0].number) < html.index(orders[1].number)  # oldest first
    searched = client.get("/office/orders?q=bolesław").get_data(as_text=True)
    assert orders[1].number in searched and other.number not in searched
    by_number = client.get(f"/office/orders?q={other.number}").get_data(as_text=True)
    assert other.number in by_number and orders[1].number not in by_number
    confirmed = client.get("/office/orders?status=confirmed").get_data(as_text=True)
    assert orders[0].number in confirmed and orders[1].number not in confirmed
    waiting = client.get("/office/orders?status=type:waiting").get_data(as_text=True)
    assert orders[0].number not in waiting and orders[1].number in waiting
    later = client.get(
        f"/office/orders?after={orders[1].id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert orders[2].number in later and orders[1].number not in later and "<html" not in later
    for odd in ("after=abc", "status=%27", "q=%25%25", "after=99999999999999999"):
        assert client.get(f"/office/orders?{odd}").status_code == 200


def test_the_queue_needs_the_same_queries_for_few_and_many_orders(login, hinge, count_queries):
    someone = buyer()
    placed_order(someone, (hinge, "1"))
    client = login(staff())
    client.get("/office/orders")
    count_queries.statements.clear()
    client.get("/office/orders")
    few = count_queries.count
    for _ in range(6):
        placed_order(someone, (hinge, "1"))
    count_queries.statements.clear()
    client.get("/office/orders")
    assert count_queries.count == few


@pytest.mark.parametrize("role", [Role.BUYER, Role.PARTNER_ADMIN, Role.SALES_REP])
def test_partners_and_reps_cannot_reach_the_office(login, hinge, role):
    owner = buyer()
    order = placed_order(owner, (hinge, "1"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    line_id = db.session.scalar(
        sa.select(DocumentLine.id).where(DocumentLine.document_id == order.id)
    )
    shipment = services.pack(order, actor=warehouse, carrier="demo", picks={line_id: D(1)})
    who = make_user(role=role, company=owner.company if role.is_partner else None)
    client = login(who)
    for url in (
        "/office/orders",
        f"/office/orders/{order.id}",
        f"/office/orders/{order.id}/pick",
        f"/office/shipments/{shipment.id}/label.pdf",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/office/orders/{order.id}/ship").status_code == 403
    assert step_of(order) is Step.PACK


def test_the_buyer_sees_the_delivery_note_invoice_and_tracking_on_the_order_page(login, hinge):
    who = buyer()
    order = placed_order(who, (hinge, "1"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    line_id = db.session.scalar(
        sa.select(DocumentLine.id).where(DocumentLine.document_id == order.id)
    )
    shipment = services.pack(order, actor=warehouse, carrier="demo", picks={line_id: D(1)})
    wz = db.session.get_one(Document, shipment.delivery_note_id)
    invoice = db.session.scalars(
        sa.select(Document).where(
            Document.kind.in_(["FS", "PA"]), Document.company_id == order.company_id
        )
    ).one()
    html = login(who).get(f"/orders/{order.id}").get_data(as_text=True)
    assert shipment.tracking_number in html and wz.number in html and invoice.number in html
    assert f"/documents/{invoice.id}" in html
    assert "Demo courier" in html and "label.pdf" not in html
    assert f"/returns/new?order={order.id}" not in html  # not delivered yet
    services.mark_shipped(order, actor=warehouse)
    services.mark_delivered(order, actor=warehouse)
    html = login(who).get(f"/orders/{order.id}").get_data(as_text=True)
    assert f"/returns/new?order={order.id}" in html
