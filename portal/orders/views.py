"""Checkout, my orders, one order, and what a buyer or partner admin does with it."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.accounts import queries as account_queries
from portal.accounts.models import Address, User
from portal.cart import services as cart_services
from portal.cart.queries import CartView, cart_view
from portal.cart.views import remember_count
from portal.catalog.viewer import current_viewer
from portal.core.acting import acting_as, customer
from portal.core.clock import local_today
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import parse_decimal
from portal.core.web import page_or_fragment, redirect_after_post, user
from portal.documents.models import PARTNER_KINDS
from portal.documents.services import related
from portal.fulfilment.queries import shipments_for
from portal.orders import credit, queries, services
from portal.orders.delivery import delivery_options
from portal.orders.forms import NEW_ADDRESS, CancelForm, CheckoutForm, MessageForm, RejectForm
from portal.orders.models import DeliveryMethod, PaymentMethod, StatusType
from portal.orders.queries import OrderFilters

bp = Blueprint("orders", __name__)


def reader() -> User:
    """Whose orders a page lists: the partner acted for, or the logged-in user."""
    return acting_as() or user()


def _seen_json(view: CartView) -> str:
    return json.dumps(
        {
            str(pid): [str(s.unit_net), str(s.reservable)]
            for pid, s in services.seen_lines(view).items()
        }
    )


def _parse_seen(raw: str) -> dict[int, services.SeenLine]:
    try:
        data = json.loads(raw or "{}")
        return {
            int(pid): services.SeenLine(Decimal(price), Decimal(reservable))
            for pid, (price, reservable) in data.items()
        }
    except (ValueError, TypeError, ArithmeticError):
        return {}


def _address_choices(form: CheckoutForm, addresses: list[Address]) -> None:
    form.address.choices = [(str(a.id), a.label) for a in addresses] + [
        (NEW_ADDRESS, _("Another address"))
    ]


def _checkout_page(
    form: CheckoutForm,
    view: CartView,
    addresses: list[Address],
    *,
    changes: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    buyer = customer()
    company = buyer.company
    assert company is not None
    if not form.address.data:
        form.address.data = str(addresses[0].id) if addresses else NEW_ADDRESS
    # Open orders are summed only for a partner that may pay on account at all.
    exposure = credit.exposure(company) if company.payment_terms_days > 0 else Decimal("0.00")
    on_account_ok = credit.on_account_allowed(company, view.totals.gross, known_exposure=exposure)
    if not form.payment_method.data:
        form.payment_method.data = (
            PaymentMethod.ON_ACCOUNT.value if on_account_ok else PaymentMethod.BANK_TRANSFER.value
        )
    form.content_key.data = view.content_key
    form.seen.data = _seen_json(view)
    remember_count(view)
    return render_template(
        "orders/checkout.html",
        form=form,
        view=view,
        addresses=addresses,
        company=company,
        buyer=buyer,
        delivery=delivery_options(view.totals.net),
        on_account_ok=on_account_ok,
        exposure=exposure,
        card_enabled=services.card_payments_enabled(),
        may_discount=acting_as() is not None,
        limit_note=credit.limit_exceeded(buyer, view.totals.gross, local_today()),
        changes=changes or [],
    ), status


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():  # type: ignore[no-untyped-def]
    buyer = customer()
    viewer = current_viewer()
    form = CheckoutForm()
    assert buyer.company is not None
    addresses = account_queries.addresses_of(buyer.company)
    _address_choices(form, addresses)
    if request.method == "GET":
        view = cart_view(buyer, viewer, photos=False)
        if not view.items:
            flash(_("Your cart is empty."), "info")
            return redirect(url_for("cart.index"))
        return _checkout_page(form, view, addresses)
    if not form.validate_on_submit():
        return _checkout_page(form, cart_view(buyer, viewer, photos=False), addresses, status=422)
    data = _checkout_data(form, addresses)
    try:
        order = services.place_order(
            buyer,
            actor=user(),
            viewer=viewer,
            checkout=data,
            seen_key=form.content_key.data or "",
            seen=_parse_seen(form.seen.data or ""),
        )
    except services.CheckoutChanged as changed:
        fresh = cart_view(buyer, viewer, photos=False)
        if not fresh.items:
            flash(_("Your cart is empty."), "info")
            return redirect(url_for("cart.index"), code=303)
        return _checkout_page(form, fresh, addresses, changes=changed.changes, status=409)
    except services.EmptyCart as error:
        flash(error.message, "info")
        return redirect(url_for("cart.index"), code=303)
    except DomainError as error:
        form.form_errors.append(error.message)
        return _checkout_page(form, cart_view(buyer, viewer, photos=False), addresses, status=422)
    if data.payment_method is PaymentMethod.CARD:
        return _pay_by_card(order)
    flash(_("Thank you! Order %(number)s is placed.", number=order.number), "success")
    return redirect(url_for("orders.detail", order_id=order.id), code=303)


def _pay_by_card(order) -> Response:  # type: ignore[no-untyped-def]
    """Stripe is called after the order is committed; if it fails the order waits for a
    card payment the buyer can retry from the order page."""
    from portal.payments.services import start_card_payment

    try:
        url = start_card_payment(order)
    except DomainError as error:
        flash(_("Order %(number)s is placed.", number=order.number), "success")
        flash(error.message, "error")
        return redirect(url_for("orders.detail", order_id=order.id), code=303)
    return redirect(url, code=303)


def _checkout_data(form: CheckoutForm, addresses: list[Address]) -> services.Checkout:
    if form.address.data == NEW_ADDRESS:
        ship_to = services.ShipTo(
            label=(form.label.data or _("One-off address")).strip(),
            recipient=form.recipient.data.strip(),
            street=form.street.data.strip(),
            postal_code=form.postal_code.data.strip(),
            city=form.city.data.strip(),
            country=form.country.data or "PL",
            phone=(form.phone.data or "").strip(),
        )
    else:
        # The form accepted only one of these addresses (the company's own) as a choice.
        address = next(a for a in addresses if str(a.id) == form.address.data)
        ship_to = services.ShipTo.from_address(address)
    acting = acting_as() is not None
    return services.Checkout(
        ship_to=ship_to,
        delivery_method=DeliveryMethod(form.delivery_method.data),
        payment_method=PaymentMethod(form.payment_method.data),
        requested_delivery_on=form.requested_delivery_on.data,
        customer_reference=form.customer_reference.data or "",
        message=form.message.data or "",
        extra_discount_percent=form.discount_percent.data if acting else None,
        extra_discount_amount=form.discount_amount.data if acting else None,
    )


def _filters() -> OrderFilters:
    def as_date(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    before = request.args.get("before", "")
    return OrderFilters(
        q=" ".join(request.args.get("q", "").split())[:100],
        status=request.args.get("status", "")[:40],
        date_from=as_date("from"),
        date_to=as_date("to"),
        before_id=int(before) if before.isdigit() and len(before) < 12 else None,
    )


@bp.get("/orders")
@login_required
def index() -> Response:
    filters = _filters()
    found = queries.orders_for(reader(), filters)
    has_more = len(found) > queries.PAGE_SIZE
    orders = found[: queries.PAGE_SIZE]
    fragment = "orders/_rows.html" if request.args.get("before") else "orders/_list.html"
    return page_or_fragment(
        "orders/index.html",
        fragment,
        orders=orders,
        has_more=has_more,
        filters=filters,
        statuses=queries.status_choices(),
        approvals=queries.awaiting_approval(user()),
        status_types=StatusType,
    )


@bp.get("/orders/<int:order_id>")
@login_required
def detail(order_id: int) -> str:
    order = queries.order_for(reader(), order_id)
    me = user()
    page = queries.order_page(order, internal=not me.is_partner)
    return render_template(
        "orders/detail.html",
        page=page,
        order=order,
        info=order.order,
        can_change=_may_change(order)
        and order.status is not None
        and order.status.type is StatusType.WAITING,
        can_act=_may_change(order),
        may_decide=bool(me.is_partner_admin and order.company_id == me.company_id),
        message_form=MessageForm(),
        reject_form=RejectForm(),
        cancel_form=CancelForm(),
        card_enabled=services.card_payments_enabled(),
        shipments=shipments_for(order),
        documents=[doc for doc in related(order)[1] if doc.kind in PARTNER_KINDS],
    )


def _may_change(order) -> bool:  # type: ignore[no-untyped-def]
    """Partners change their own orders; a rep or staff member only while acting for them."""
    me = user()
    if acting_as() is not None:
        return True
    return me.is_partner


def _changing(order_id: int):  # type: ignore[no-untyped-def]
    """The order to change and who changes it; read-only viewers get 403."""
    order = queries.order_for(reader(), order_id)
    if not _may_change(order):
        abort(403)
    return order


@bp.post("/orders/<int:order_id>/cancel")
@login_required
def cancel(order_id: int) -> Response:
    order = _changing(order_id)
    try:
        services.cancel_order(order, actor=user(), reason=request.form.get("reason", "")[:300])
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Order %(number)s is cancelled.", number=order.number), "success")
    return redirect_after_post(url_for("orders.detail", order_id=order.id))


@bp.post("/orders/<int:order_id>/lines/<int:line_id>")
@login_required
def change_line(order_id: int, line_id: int) -> Response:
    order = _changing(order_id)
    line = queries.line_for(order, line_id)
    quantity = parse_decimal(request.form.get("quantity", ""))
    try:
        services.change_line(order, line, quantity, actor=user())
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The order is updated."), "success")
    return redirect_after_post(url_for("orders.detail", order_id=order.id))


@bp.post("/orders/<int:order_id>/reorder")
@login_required
def reorder(order_id: int) -> Response:
    order = _changing(order_id)
    result = services.reorder(order, buyer=customer())
    if result.added:
        flash(_("%(n)d lines are in your cart at today's prices.", n=result.added), "success")
    for label in result.not_sold:
        flash(_("%(item)s is no longer sold.", item=label), "error")
    for label, reason in result.refused:
        flash(f"{label}: {reason}", "error")
    return redirect_after_post(url_for("cart.index"))


@bp.post("/orders/<int:order_id>/list")
@login_required
def save_as_list(order_id: int) -> Response:
    order = _changing(order_id)
    page = queries.order_page(order, internal=False)
    name = request.form.get("name", "").strip() or _("From order %(number)s", number=order.number)
    try:
        order_list = cart_services.create_list(
            customer(),
            name,
            [
                (line.product_id, line.quantity)
                for line in page.lines
                if line.product_id is not None
            ],
        )
    except DomainError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("orders.detail", order_id=order.id))
    flash(_("Order list “%(name)s” saved.", name=order_list.name), "success")
    return redirect_after_post(url_for("cart.order_list", list_id=order_list.id))


@bp.post("/orders/<int:order_id>/messages")
@login_required
def message(order_id: int) -> Response | tuple[str, int]:
    order = queries.order_for(reader(), order_id)
    form = MessageForm()
    me = user()
    if not form.validate_on_submit():
        flash(_("Write a message first."), "error")
        return redirect_after_post(url_for("orders.detail", order_id=order.id))
    services.post_message(
        order,
        author=me,
        body=form.body.data or "",
        internal=not me.is_partner and acting_as() is None,
    )
    flash(_("Message sent."), "success")
    return redirect_after_post(url_for("orders.detail", order_id=order.id) + "#messages")


@bp.post("/orders/<int:order_id>/approve")
@login_required
def approve(order_id: int) -> Response:
    order = queries.order_for(user(), order_id)
    trims: dict[int, Decimal] = {}
    for key, value in request.form.items():
        if key.startswith("qty_") and key[4:].isdigit():
            quantity = parse_decimal(value)
            if quantity is None:
                flash(_("Quantities must be numbers."), "error")
                return redirect_after_post(url_for("orders.detail", order_id=order.id))
            trims[int(key[4:])] = quantity
    try:
        services.approve_order(order, actor=user(), trims=trims)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Order %(number)s is approved.", number=order.number), "success")
    return redirect_after_post(url_for("orders.detail", order_id=order.id))


@bp.post("/orders/<int:order_id>/reject")
@login_required
def reject(order_id: int) -> Response:
    order = queries.order_for(user(), order_id)
    form = RejectForm()
    try:
        services.reject_order(order, actor=user(), reason=form.reason.data or "")
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Order %(number)s is rejected.", number=order.number), "success")
    return redirect_after_post(url_for("orders.detail", order_id=order.id))
