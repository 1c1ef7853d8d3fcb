"""Reports with charts and CSV: sales, purchases, stock value and turnover."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from portal.accounts.models import Role
from portal.core.db import atomic
from portal.documents.models import DocumentKind
from portal.documents.services import issue
from portal.stock import ledger
from portal.stock.services import InLine, receive_goods
from tests.builders import main_warehouse, make_company, make_product, make_supplier, make_user
from tests.http.backoffice.documents import line, sale

D = Decimal
RANGE = "from=2026-03-01&to=2026-04-30"


@pytest.fixture
def staff(login):  # type: ignore[no-untyped-def]
    return login(make_user(role=Role.STAFF))


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def sales():  # type: ignore[no-untyped-def]
    acme, globex = make_company(name="Acme"), make_company(name="Globex")
    hinge = make_product(sku="HNG-1", name="Hinge")
    screw = make_product(sku="SCR-9", name="Screw")
    sale(acme, hinge, on=date(2026, 3, 2), quantity="3", price="100.00")  # 300 + 69
    sale(acme, screw, on=date(2026, 3, 20), quantity="10", price="1.50")  # 15 + 3.45
    sale(globex, hinge, on=date(2026, 4, 7), quantity="1", price="100.00", kind=DocumentKind.PA)
    sale(acme, hinge, on=date(2026, 4, 8), quantity="-1", price="100.00", kind=DocumentKind.KOR)
    sale(globex, hinge, on=date(2026, 5, 1), quantity="50", price="100.00")  # out of range
    return acme, globex


def test_sales_by_month_in_csv(staff, sales):
    rows = csv_rows(staff.get(f"/office/reports/sales?{RANGE}&group=period&by=month&format=csv"))
    assert rows == [
        ["period", "net", "vat", "gross", "documents"],
        ["2026-03", "315.00", "72.45", "387.45", "2"],
        ["2026-04", "0.00", "0.00", "0.00", "2"],
    ]


def test_sales_by_partner_and_by_product_in_csv(staff, sales):
    by_partner = csv_rows(staff.get(f"/office/reports/sales?{RANGE}&group=partner&format=csv"))
    assert by_partner == [
        ["partner", "net", "vat", "gross", "documents"],
        ["Acme", "215.00", "49.45", "264.45", "3"],
        ["Globex", "100.00", "23.00", "123.00", "1"],
    ]
    by_product = csv_rows(staff.get(f"/office/reports/sales?{RANGE}&group=product&format=csv"))
    assert by_product == [
        ["sku", "product", "quantity", "net", "documents"],
        ["HNG-1", "HNG-1 Hinge", "3.000", "300.00", "3"],
        ["SCR-9", "SCR-9 Screw", "10.000", "15.00", "1"],
    ]


def test_the_sales_page_has_a_chart_and_a_table(staff, sales):
    response = staff.get(f"/office/reports/sales?{RANGE}&group=period&by=day")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-label="Net sales"' in html and "<rect" in html
    for day in ("2026-03-02", "2026-03-20", "2026-04-07", "2026-04-08"):
        assert day in html
    assert "2026-05-01" not in html
    assert "Download CSV" in html


def test_a_bad_date_or_a_too_long_range_is_explained_next_to_the_field(staff):
    bad = staff.get("/office/reports/sales?from=yesterday")
    assert bad.status_code == 422
    assert 'id="report-from-error"' in bad.get_data(as_text=True)
    too_long = staff.get("/office/reports/sales?from=2024-01-01&to=2026-01-01")
    assert too_long.status_code == 422
    assert "Choose at most 366 days." in too_long.get_data(as_text=True)
    backwards = staff.get("/office/reports/purchases?from=2026-03-10&to=2026-03-01&format=csv")
    assert backwards.status_code == 422
    assert staff.get("/office/reports/stock").status_code == 200


def receive(supplier, *lines, on=date(2026, 3, 5)):  # type: ignore[no-untyped-def]
    return receive_goods(
        supplier_id=supplier.id,
        warehouse_id=main_warehouse().id,
        lines=[InLine(product.id, D(quantity), D(cost)) for product, quantity, cost in lines],
        on=on,
        actor=None,
    )


def test_purchases_by_supplier_and_product_in_csv(staff):
    hinge = make_product(sku="HNG-1", name="Hinge")
    screw = make_product(sku="SCR-9", name="Screw")
    bolts, nuts = make_supplier(name="Bolts Ltd"), make_supplier(name="Nuts SA")
    receive(bolts, (hinge, "10", "4.50"), (screw, "3", "1.99"))  # 45.00 + 5.97
    receive(nuts, (hinge, "2", "4.75"), on=date(2026, 4, 1))  # 9.50
    receive(nuts, (hinge, "100", "4.75"), on=date(2026, 6, 1))  # out of range

    by_supplier = csv_rows(
        staff.get(f"/office/reports/purchases?{RANGE}&group=supplier&format=csv")
    )
    assert by_supplier == [
        ["supplier", "value", "documents"],
        ["Bolts Ltd", "50.97", "1"],
        ["Nuts SA", "9.50", "1"],
    ]
    by_product = csv_rows(staff.get(f"/office/reports/purchases?{RANGE}&group=product&format=csv"))
    assert by_product == [
        ["sku", "product", "quantity", "value", "documents"],
        ["HNG-1", "HNG-1 Hinge", "12.000", "54.50", "2"],
        ["SCR-9", "SCR-9 Screw", "3.000", "5.97", "1"],
    ]


def test_stock_value_and_turnover_in_csv(staff):
    hinge = make_product(sku="HNG-1", name="Hinge")
    supplier = make_supplier()
    receive(supplier, (hinge, "10", "4.00"), on=date(2026, 2, 20))
    # Ship 6 in the range: the stock goes from 10 to 4, an average of 7.
    with atomic():
        warehouse = main_warehouse()
        batch = ledger.batches_on_hand(hinge.id, warehouse.id)[0].batch
        _, [row] = issue(
            DocumentKind.WZ,
            on=date(2026, 3, 10),
            actor=None,
            warehouse_id=warehouse.id,
            lines=[line(hinge, "6", "0.00", batch_id=batch.id, unit_cost=D("4.00"))],
        )
        ledger.take(
            row, warehouse_id=warehouse.id, batch=batch, quantity=D(6), on=date(2026, 3, 10)
        )

    rows = csv_rows(staff.get(f"/office/reports/stock?{RANGE}&format=csv"))

    assert rows == [
        ["sku", "product", "on_hand", "value", "issued", "average_stock", "turnover"],
        ["HNG-1", "Hinge", "4.000", "16.00", "6.000", "7.000", "0.86"],
    ]
