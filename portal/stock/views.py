"""The office's stock screens: levels, a product's batches and moves, stock documents (PZ,
PW, RW, MM), stocktakes, the low-stock list and purchase orders (ZD)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.catalog.models import Category, Product
from portal.catalog.queries import products_by_codes
from portal.core.clock import local_today
from portal.core.db import db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import parse_decimal, round_money
from portal.core.web import STAFF_ROLES, page_or_fragment, redirect_after_post, role_required, user
from portal.documents.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentState,
    ReasonCode,
    ReasonKind,
)
from portal.documents.services import lines_of, related
from portal.stock import queries, services
from portal.stock.ledger import DEFAULT_LOT, StockError
from portal.stock.models import Batch, Stocktake, StocktakeState, Warehouse

bp = Blueprint("stock", __name__, url_prefix="/office/stock")

BLANK_ROWS = 5
"""Blank line rows a stock document form shows (more come with "Add line", or by saving)."""
MAX_ROWS = 200


def _warehouse_id(name: str = "warehouse") -> int:
    raw = request.values.get(name, "")
    if raw.isdigit() and len(raw) < 10 and db.session.get(Warehouse, int(raw)) is not None:
        return int(raw)
    return queries.main_warehouse_id()


def _sku_arg(name: str) -> str | None:
    raw = request.args.get(name, "").strip()
    return raw[:64] or None


# ---------------------------------------------------------------------------------------
# Levels and one product


@bp.get("")
@role_required(*STAFF_ROLES)
def index() -> Response:
    warehouse_id = _warehouse_id()
    text = request.args.get("q", "").strip()[:100]
    low_only = request.args.get("low") == "1"
    after = _sku_arg("after")
    rows = queries.stock_levels(
        warehouse_id,
        text=text,
        low_only=low_only,
        after_sku=after,
        limit=queries.PAGE_SIZE + 1,
    )
    has_more = len(rows) > queries.PAGE_SIZE
    fragment = "stock/_level_rows.html" if after else "stock/_levels.html"
    return page_or_fragment(
        "stock/index.html",
        fragment,
        rows=rows[: queries.PAGE_SIZE],
        has_more=has_more,
        warehouses=queries.warehouses(),
        warehouse_id=warehouse_id,
        text=text,
        low_only=low_only,
    )


@bp.get("/products/<int:product_id>")
@role_required(*STAFF_ROLES)
def product(product_id: int) -> str:
    found = queries.product_stock(product_id)
    if found is None:
        abort(404)
    return render_template("stock/product.html", stock=found)


# ---------------------------------------------------------------------------------------
# Stock documents: one form, four kinds


@dataclass(frozen=True)
class FormKind:
    kind: DocumentKind
    endpoint: str
    title: str
    incoming: bool


FORM_KINDS = {
    DocumentKind.PZ: FormKind(DocumentKind.PZ, "stock.new_receipt", _l("Goods receipt (PZ)"), True),
    DocumentKind.PW: FormKind(DocumentKind.PW, "stock.new_stock_in", _l("Stock-in (PW)"), True),
    DocumentKind.RW: FormKind(DocumentKind.RW, "stock.new_write_off", _l("Write-off (RW)"), False),
    DocumentKind.MM: FormKind(DocumentKind.MM, "stock.new_transfer", _l("Transfer (MM)"), False),
}


@dataclass
class FormRow:
    code: str = ""
    quantity: str = ""
    cost: str = ""
    lot: str = ""
    expires: str = ""
    error: str = ""

    @property
    def blank(self) -> bool:
        return not any((self.code, self.quantity, self.cost, self.lot, self.expires))


@dataclass
class Header:
    warehouse_id: int
    target_id: int | None = None
    supplier_id: int | None = None
    reason: str = ""
    on: str = ""
    reference: str = ""
    note: str = ""


def _rows_from_form() -> list[FormRow]:
    values = {
        name: request.form.getlist(name)[:MAX_ROWS]
        for name in ("code", "quantity", "cost", "lot", "expires")
    }
    count = max((len(found) for found in values.values()), default=0)

    def at(name: str, index: int, size: int) -> str:
        found = values[name]
        return found[index].strip()[:size] if index < len(found) else ""

    return [
        FormRow(
            code=at("code", i, 64),
            quantity=at("quantity", i, 20),
            cost=at("cost", i, 20),
            lot=at("lot", i, 60),
            expires=at("expires", i, 10),
        )
        for i in range(count)
    ]


def _optional_int(name: str) -> int | None:
    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _form_context(
    kind: FormKind, header: Header, rows: list[FormRow], errors: dict[str, str]
) -> dict[str, Any]:
    rows = [row for row in rows if not row.blank or row.error]
    rows += [FormRow() for _ in range(max(BLANK_ROWS - len(rows), 1))]
    reasons = list(
        db.session.scalars(
            sa.select(ReasonCode)
            .where(ReasonCode.kind == ReasonKind.WRITE_OFF, ReasonCode.active.is_(True))
            .order_by(ReasonCode.position)
        )
    )
    return {
        "form_kind": kind,
        "header": header,
        "rows": rows,
        "errors": errors,
        "warehouses": queries.warehouses(),
        "suppliers": queries.suppliers() if kind.kind is DocumentKind.PZ else [],
        "reasons": reasons,
    }


def _document_form(kind_code: DocumentKind) -> Response | str | tuple[str, int]:
    kind = FORM_KINDS[kind_code]
    if request.method == "GET":
        header = Header(warehouse_id=_warehouse_id(), on=local_today().isoformat())
        return render_template("stock/document_form.html", **_form_context(kind, header, [], {}))
    header = Header(
        warehouse_id=_optional_int("warehouse") or 0,
        target_id=_optional_int("target"),
        supplier_id=_optional_int("supplier"),
        reason=request.form.get("reason", "").strip()[:40],
        on=request.form.get("on", "").strip()[:10],
        reference=request.form.get("reference", "").strip()[:100],
        note=request.form.get("note", "").strip()[:2000],
    )
    rows = _rows_from_form()
    errors: dict[str, str] = {}
    on = _parse_date(header.on)
    if on is None:
        errors["on"] = _("Enter a date.")
    elif on > local_today():
        errors["on"] = _("The date cannot be in the future.")
    if db.session.get(Warehouse, header.warehouse_id) is None:
        errors["warehouse"] = _("Choose a warehouse.")
    if kind.kind is DocumentKind.MM and (
        header.target_id is None or header.target_id == header.warehouse_id
    ):
        errors["target"] = _("Choose another warehouse to move the goods to.")
    if kind.kind is DocumentKind.PZ and header.supplier_id is None:
        errors["supplier"] = _("Choose a supplier.")
    if kind.kind is DocumentKind.RW and not header.reason:
        errors["reason"] = _("Choose a reason for the write-off.")
    in_lines, out_lines = _parse_rows(kind, rows)
    if not any(not row.blank for row in rows):
        errors["lines"] = _("Add at least one line.")
    if errors or any(row.error for row in rows):
        return _form_page(kind, header, rows, errors)
    assert on is not None
    actor = user()
    try:
        if kind.kind is DocumentKind.PZ:
            assert header.supplier_id is not None
            document = services.receive_goods(
                supplier_id=header.supplier_id,
                warehouse_id=header.warehouse_id,
                lines=in_lines,
                on=on,
                actor=actor,
                reference=header.reference,
                note=header.note,
            )
        elif kind.kind is DocumentKind.PW:
            document = services.stock_in(
                warehouse_id=header.warehouse_id,
                lines=in_lines,
                on=on,
                actor=actor,
                reference=header.reference,
                note=header.note,
            )
        elif kind.kind is DocumentKind.RW:
            document = services.write_off(
                warehouse_id=header.warehouse_id,
                lines=out_lines,
                reason=header.reason,
                on=on,
                actor=actor,
                note=header.note,
            )
        else:
            assert header.target_id is not None
            document = services.transfer(
                from_warehouse_id=header.warehouse_id,
                to_warehouse_id=header.target_id,
                lines=out_lines,
                on=on,
                actor=actor,
                note=header.note,
            )
    except DomainError as error:
        errors["document"] = error.message
        return _form_page(kind, header, rows, errors)
    flash(_("%(number)s issued.", number=document.number), "success")
    return redirect_after_post(url_for(kind.endpoint, warehouse=header.warehouse_id))


def _form_page(
    kind: FormKind, header: Header, rows: list[FormRow], errors: dict[str, str]
) -> tuple[str, int]:
    context = _form_context(kind, header, rows, errors)
    return render_template("stock/document_form.html", **context), 422


def _parse_rows(
    kind: FormKind, rows: list[FormRow]
) -> tuple[list[services.InLine], list[services.OutLine]]:
    """Every filled row becomes a line, or gets its error next to it."""
    products = products_by_codes([row.code for row in rows if row.code])
    in_lines: list[services.InLine] = []
    out_lines: list[services.OutLine] = []
    for row in rows:
        if row.blank:
            continue
        found = products.get(row.code.upper()) if row.code else None
        if found is None:
            row.error = (
                _("No product has the SKU or EAN %(code)s.", code=row.code)
                if row.code
                else _("Enter a SKU or EAN.")
            )
            continue
        quantity = parse_decimal(row.quantity)
        if quantity is None:
            row.error = _("Enter a quantity.")
            continue
        try:
            services.check_quantity(found, quantity)
        except StockError as error:
            row.error = error.message
            continue
        if kind.incoming:
            cost: Decimal | None = None
            if row.cost:
                cost = parse_decimal(row.cost)
                if cost is None or cost < 0 or cost != round_money(cost):
                    row.error = _("Enter the unit cost as an amount, e.g. 12.50.")
                    continue
            elif kind.kind is DocumentKind.PZ:
                row.error = _("Enter the purchase cost per unit.")
                continue
            expires = None
            if row.expires:
                expires = _parse_date(row.expires)
                if expires is None:
                    row.error = _("Enter the expiry date as YYYY-MM-DD.")
                    continue
            if len(row.lot) > services.MAX_LOT:
                row.error = _("A lot has at most 40 characters.")
                continue
            in_lines.append(
                services.InLine(found.id, quantity, cost, row.lot or DEFAULT_LOT, expires)
            )
        else:
            batch_id = None
            if row.lot:
                batch_id = db.session.scalar(
                    sa.select(Batch.id).where(Batch.product_id == found.id, Batch.lot == row.lot)
                )
                if batch_id is None:
                    row.error = _("%(sku)s has no lot %(lot)s.", sku=found.sku, lot=row.lot)
                    continue
            out_lines.append(services.OutLine(found.id, quantity, batch_id))
    return in_lines, out_lines


@bp.route("/receipts/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_receipt() -> Response | str | tuple[str, int]:
    return _document_form(DocumentKind.PZ)


@bp.route("/stock-ins/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_stock_in() -> Response | str | tuple[str, int]:
    return _document_form(DocumentKind.PW)


@bp.route("/write-offs/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_write_off() -> Response | str | tuple[str, int]:
    return _document_form(DocumentKind.RW)


@bp.route("/transfers/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_transfer() -> Response | str | tuple[str, int]:
    return _document_form(DocumentKind.MM)


@bp.get("/lines/new")
@role_required(*STAFF_ROLES)
def new_line() -> str:
    """One more blank line row (htmx "Add line")."""
    try:
        kind = FORM_KINDS[DocumentKind(request.args.get("kind", ""))]
    except ValueError:
        abort(404)
    return render_template("stock/_line_row.html", form_kind=kind, row=FormRow())


# ---------------------------------------------------------------------------------------
# Stocktakes


@bp.get("/stocktakes")
@role_required(*STAFF_ROLES)
def stocktakes() -> str:
    return render_template(
        "stock/stocktakes.html",
        stocktakes=queries.stocktakes(),
        warehouses=queries.warehouses(),
        categories=_categories(),
        errors={},
    )


def _categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.path).limit(500)))


@bp.post("/stocktakes")
@role_required(*STAFF_ROLES)
def open_stocktake() -> Response | tuple[str, int]:
    try:
        stocktake = services.open_stocktake(
            warehouse_id=_optional_int("warehouse") or 0,
            category_id=_optional_int("category"),
            actor=user(),
        )
    except DomainError as error:
        page = render_template(
            "stock/stocktakes.html",
            stocktakes=queries.stocktakes(),
            warehouses=queries.warehouses(),
            categories=_categories(),
            errors={"open": error.message},
        )
        return page, 422
    return redirect_after_post(url_for("stock.stocktake", stocktake_id=stocktake.id))


def _stocktake(stocktake_id: int) -> Stocktake:
    found = db.session.get(Stocktake, stocktake_id)
    if found is None:
        abort(404)
    return found


def _stocktake_page(
    stocktake: Stocktake, *, errors: dict[str, str] | None = None, code: str = "", status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "stock/stocktake.html",
        stocktake=stocktake,
        warehouse=db.session.get_one(Warehouse, stocktake.warehouse_id),
        category=db.session.get(Category, stocktake.category_id) if stocktake.category_id else None,
        rows=queries.count_rows(stocktake),
        documents={
            document.id: document
            for document in db.session.scalars(
                sa.select(Document).where(
                    Document.id.in_(
                        [i for i in (stocktake.stock_in_id, stocktake.write_off_id) if i]
                    )
                )
            )
        },
        errors=errors or {},
        code=code,
        is_open=stocktake.state is StocktakeState.OPEN,
    )
    return page, status


@bp.get("/stocktakes/<int:stocktake_id>")
@role_required(*STAFF_ROLES)
def stocktake(stocktake_id: int) -> tuple[str, int]:
    return _stocktake_page(_stocktake(stocktake_id))


@bp.post("/stocktakes/<int:stocktake_id>/counts")
@role_required(*STAFF_ROLES)
def count(stocktake_id: int) -> Response | tuple[str, int]:
    stocktake = _stocktake(stocktake_id)
    code = request.form.get("code", "").strip()[:64]
    counted = parse_decimal(request.form.get("counted", "")[:20])
    if not code:
        return _stocktake_page(stocktake, errors={"code": _("Enter a SKU or EAN.")}, status=422)
    if counted is None:
        return _stocktake_page(
            stocktake, errors={"counted": _("Enter the counted quantity.")}, code=code, status=422
        )
    try:
        line = services.count_product(stocktake, code=code, counted=counted, actor=user())
    except DomainError as error:
        return _stocktake_page(stocktake, errors={"code": error.message}, code=code, status=422)
    sku = db.session.get_one(Product, line.product_id).sku
    flash(_("Counted %(sku)s.", sku=sku), "success")
    return redirect_after_post(url_for("stock.stocktake", stocktake_id=stocktake.id))


@bp.post("/stocktakes/<int:stocktake_id>/post")
@role_required(*STAFF_ROLES)
def post_stocktake(stocktake_id: int) -> Response | tuple[str, int]:
    stocktake = _stocktake(stocktake_id)
    try:
        posted = services.post_stocktake(stocktake, actor=user(), on=local_today())
    except DomainError as error:
        db.session.refresh(stocktake)
        return _stocktake_page(stocktake, errors={"post": error.message}, status=422)
    numbers = [d.number for d in (posted.stock_in, posted.write_off) if d and d.number]
    if numbers:
        flash(_("Stocktake posted: %(numbers)s.", numbers=", ".join(numbers)), "success")
    else:
        flash(_("Stocktake posted: no differences."), "success")
    return redirect_after_post(url_for("stock.stocktake", stocktake_id=stocktake.id))


@bp.post("/stocktakes/<int:stocktake_id>/cancel")
@role_required(*STAFF_ROLES)
def cancel_stocktake(stocktake_id: int) -> Response:
    stocktake = _stocktake(stocktake_id)
    try:
        services.cancel_stocktake(stocktake, actor=user())
        flash(_("Stocktake cancelled."), "success")
    except DomainError as error:
        flash(error.message, "error")
    return redirect_after_post(url_for("stock.stocktake", stocktake_id=stocktake.id))


# ---------------------------------------------------------------------------------------
# Low stock and purchase orders


@bp.get("/low")
@role_required(*STAFF_ROLES)
def low() -> Response:
    warehouse_id = _warehouse_id()
    after = _sku_arg("after")
    rows = queries.low_stock(
        warehouse_id, today=local_today(), after_sku=after, limit=queries.PAGE_SIZE + 1
    )
    return page_or_fragment(
        "stock/low.html",
        "stock/_low_rows.html" if after else "stock/low.html",
        rows=rows[: queries.PAGE_SIZE],
        has_more=len(rows) > queries.PAGE_SIZE,
        warehouses=queries.warehouses(),
        warehouse_id=warehouse_id,
    )


@bp.post("/low")
@role_required(*STAFF_ROLES)
def draft_from_low() -> Response:
    warehouse_id = _warehouse_id()
    items: list[tuple[int, Decimal]] = []
    for raw in request.form.getlist("product")[:MAX_ROWS]:
        if not raw.isdigit() or len(raw) > 9:
            continue
        quantity = parse_decimal(request.form.get(f"qty_{raw}", "")[:20])
        if quantity is not None and quantity > 0:
            items.append((int(raw), quantity))
    if not items:
        flash(_("Select the products to order."), "error")
        return redirect_after_post(url_for("stock.low", warehouse=warehouse_id))
    return _drafted(
        lambda: services.draft_purchase_orders(items, warehouse_id=warehouse_id, actor=user())
    )


def _drafted(make: Callable[[], services.Drafted]) -> Response:
    try:
        result = make()
    except DomainError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("stock.purchase_orders"))
    if result.documents:
        flash(_("%(count)d draft purchase order(s) ready.", count=len(result.documents)), "success")
    else:
        flash(_("Nothing to order."), "success")
    if result.without_supplier:
        flash(
            _(
                "No supplier sells us %(skus)s: add them to an order by hand.",
                skus=", ".join(result.without_supplier[:20]),
            ),
            "error",
        )
    return redirect_after_post(url_for("stock.purchase_orders"))


@bp.post("/purchase-orders/from-orders")
@role_required(*STAFF_ROLES)
def draft_from_orders() -> Response:
    return _drafted(lambda: services.draft_from_orders(actor=user()))


def _before_arg() -> int | None:
    raw = request.args.get("before", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@bp.get("/purchase-orders")
@role_required(*STAFF_ROLES)
def purchase_orders() -> Response:
    before = _before_arg()
    issued = queries.purchase_orders(drafts=False, before_id=before, limit=queries.PAGE_SIZE + 1)
    return page_or_fragment(
        "stock/purchase_orders.html",
        "stock/_purchase_order_rows.html" if before else "stock/purchase_orders.html",
        drafts=[] if before else queries.purchase_orders(drafts=True),
        issued=issued[: queries.PAGE_SIZE],
        has_more=len(issued) > queries.PAGE_SIZE,
    )


def _purchase_order(document_id: int) -> Document:
    found = queries.purchase_order(document_id)
    if found is None:
        abort(404)
    return found


def _purchase_order_page(document: Document, *, status: int = 200) -> tuple[str, int]:
    came_from, _led_to = related(document)
    page = render_template(
        "stock/purchase_order.html",
        document=document,
        lines=lines_of(document),
        came_from=came_from,
        is_draft=document.state is DocumentState.DRAFT,
    )
    return page, status


@bp.get("/purchase-orders/<int:document_id>")
@role_required(*STAFF_ROLES)
def purchase_order(document_id: int) -> tuple[str, int]:
    return _purchase_order_page(_purchase_order(document_id))


@bp.post("/purchase-orders/<int:document_id>")
@role_required(*STAFF_ROLES)
def change_purchase_order(document_id: int) -> Response | tuple[str, int]:
    document = _purchase_order(document_id)
    quantities: dict[int, Decimal] = {}
    line_ids = db.session.scalars(
        sa.select(DocumentLine.id).where(DocumentLine.document_id == document.id)
    ).all()
    for line_id in line_ids:
        raw = request.form.get(f"qty_{line_id}")
        if raw is None:
            continue
        quantity = parse_decimal(raw[:20])
        if quantity is None or quantity < 0:
            flash(_("Enter quantities as numbers (0 removes a line)."), "error")
            return _purchase_order_page(document, status=422)
        quantities[line_id] = quantity
    try:
        services.change_draft(document, quantities, actor=user())
        if request.form.get("issue") == "1":
            services.issue_purchase_order(document, actor=user(), on=local_today())
            flash(_("%(number)s issued.", number=document.number), "success")
        else:
            flash(_("Purchase order saved."), "success")
    except DomainError as error:
        flash(error.message, "error")
        db.session.expire_all()
        return _purchase_order_page(_purchase_order(document_id), status=422)
    return redirect_after_post(url_for("stock.purchase_order", document_id=document.id))


@bp.post("/purchase-orders/<int:document_id>/discard")
@role_required(*STAFF_ROLES)
def discard_purchase_order(document_id: int) -> Response:
    document = _purchase_order(document_id)
    try:
        services.discard_draft(document, actor=user())
        flash(_("Draft discarded."), "success")
    except DomainError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("stock.purchase_order", document_id=document.id))
    return redirect_after_post(url_for("stock.purchase_orders"))
