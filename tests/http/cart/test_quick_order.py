"""A buyer pastes SKU and quantity lines, or uploads a CSV, and fills the cart at once."""

from __future__ import annotations

import codecs
import io
from decimal import Decimal

import pytest

from portal.accounts.models import Role
from portal.catalog.models import Unit
from tests.builders import make_company, make_product, make_user
from tests.http.cart.test_cart import lines_of

D = Decimal


@pytest.fixture
def buyer():
    return make_user(role=Role.BUYER, company=make_company(name="Acme"))


@pytest.fixture
def products():
    return {
        "hinge": make_product(sku="ZAW-0001", name="Hinge", ean="5901234123457"),
        "screw": make_product(sku="WKR-0002", name="Screw", pack_size=D("10")),
        "cable": make_product(sku="KAB-0003", name="Cable", unit=Unit.METRE, pack_size=D("0.5")),
        "retired": make_product(sku="OLD-0004", name="Retired", active=False),
    }


def upload(client, data, name="order.csv", text=""):
    return client.post(
        "/quick-order",
        data={"lines": text, "upload": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_quick_order_page_explains_what_to_paste(login, buyer):
    html = login(buyer).get("/quick-order").get_data(as_text=True)
    assert "SKU or EAN and quantity, one per line" in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html


def test_buyer_pastes_lines_and_sees_what_went_in_and_what_did_not(login, buyer, products):
    text = (
        "ZAW-0001 2\n"
        "5901234123457\t3\n"  # the same hinge by EAN, tab from a spreadsheet
        "wkr-0002;15\n"  # lower case; rounded up to packs of 10
        "KAB-0003, 2\n"
        "NOPE-1 4\n"
        "\n"
        "ZAW-0001 many\n"
        "OLD-0004 1\n"
        "KAB-0003 0\n"
        "ZAW-0001 2.5\n"
    )
    response = login(buyer).post("/quick-order", data={"lines": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Cart, 3 items" in html  # the header counts what went in
    assert "4 lines added" in html
    assert "Sold in packs of 10: rounded up to 20." in html
    assert "5 lines were not added" in html
    for number, reason in (
        (5, "Unknown SKU or EAN “NOPE-1”."),
        (7, "“many” is not a quantity."),
        (8, "Retired is no longer sold."),
        (9, "Enter a quantity above zero."),
        (10, "pcs are sold whole: enter a whole number."),
    ):
        assert f"<tr><td>{number}</td>" in html and reason in html
    assert "ZAW-0001 many\nOLD-0004 1\n" in html  # the pasted text stays in the box
    assert lines_of(buyer) == [
        (products["hinge"].id, D("5")),
        (products["screw"].id, D("20")),
        (products["cable"].id, D("2")),
    ]


def test_decimal_comma_quantities_for_metres(login, buyer, products):
    login(buyer).post("/quick-order", data={"lines": "KAB-0003;2,5\nKAB-0003 1,5"})
    assert lines_of(buyer) == [(products["cable"].id, D("4"))]


def test_a_utf8_csv_with_bom_and_header_is_read(login, buyer, products):
    data = codecs.BOM_UTF8 + b"sku;quantity\r\nZAW-0001;2\r\nKAB-0003;1,5\r\n"
    response = upload(login(buyer), data)
    assert response.status_code == 200 and "2 lines added" in response.get_data(as_text=True)
    assert lines_of(buyer) == [(products["hinge"].id, D("2")), (products["cable"].id, D("1.5"))]


def test_a_windows_1250_csv_with_polish_headers_is_read(login, buyer, products):
    data = "Ilość\tKod towaru\tNazwa\n3\tZAW-0001\tZawias łączący\n".encode("cp1250")
    response = upload(login(buyer), data)
    assert "1 line added" in response.get_data(as_text=True)
    assert lines_of(buyer) == [(products["hinge"].id, D("3"))]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("sku;quantity\nZAW-0001;2\n".encode("utf-16"), "cannot be read as text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "cannot be read as text"),
        (b"sku;name\nZAW-0001;Hinge\n", "No usable columns"),
        (b"ZAW-0001\nWKR-0002\n", "No usable columns"),
    ],
)
def test_an_unreadable_file_is_refused_whole_and_nothing_is_added(
    login, buyer, products, data, message
):
    client = login(buyer)
    client.post("/quick-order", data={"lines": "ZAW-0001 1"})
    response = upload(client, data, text="kept text")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and "kept text</textarea>" in html
    assert lines_of(buyer) == [(products["hinge"].id, D("1"))]


def test_nothing_to_read_is_explained(login, buyer):
    response = login(buyer).post("/quick-order", data={"lines": "  \n "})
    assert response.status_code == 422
    assert "Paste some lines, or choose a CSV file." in response.get_data(as_text=True)


def test_too_many_lines_are_refused_and_nothing_is_added(login, buyer, products):
    response = login(buyer).post("/quick-order", data={"lines": "ZAW-0001 1\n" * 501})
    assert response.status_code == 422
    assert "Send at most 500 lines at a time" in response.get_data(as_text=True)
    assert lines_of(buyer) == []


def test_staff_without_a_partner_have_no_quick_order(login):
    assert login(make_user(role=Role.STAFF)).get("/quick-order").status_code == 404


def test_a_long_quick_order_reads_no_more_than_a_short_one(login, buyer, count_queries):
    """Codes are looked up at once and the cart read once; only the new lines' inserts grow
    (SQLite's ORM inserts are one statement per row)."""
    products = [make_product(sku=f"BULK-{n:03d}") for n in range(60)]
    client = login(buyer)
    client.get("/cart")
    counts = []
    for chosen in (products[:5], products[5:]):
        text = "\n".join(f"{product.sku} 2" for product in chosen) + "\nNOPE 1"
        count_queries.statements.clear()
        assert client.post("/quick-order", data={"lines": text}).status_code == 200
        reads = [sql for sql in count_queries.statements if not sql.startswith("INSERT")]
        counts.append(len(reads))
    assert counts[0] == counts[1], count_queries.statements
    assert len(lines_of(buyer)) == 60
