"""Order commands: place, cancel, edit before confirmation, approve, trim, reject, reorder,
write to the seller. Each owns one transaction; mail goes through the outbox in it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import Address, Company, Role, User
from portal.cart import services as cart_services
from portal.cart.quantities import normalise_quantity
from portal.cart.queries import CartView, cart_view, current_content_key
from portal.catalog.models import Product
from portal.catalog.queries import Viewer
from portal.core.clock import local_today
from portal.core.db import atomic, db, insert_rows, inserted, table_of
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import ZERO, net_line, round_money
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentMessage,
    EventKind,
)
from portal.documents.numbering import allocate_number
from portal.documents.totals import totals_from_net
from portal.notifications import outbox
from portal.orders import credit
from portal.orders.delivery import DELIVERY_VAT, delivery_cost
from portal.orders.models import (
    DeliveryMethod,
    OrderInfo,
    PaymentMethod,
    PaymentState,
    StatusType,
    Step,
)
from portal.orders.statuses import (
    StatusInfo,
    move_to_step,
    refresh_status,
    status_event,
    status_for,
    status_of,
)
from portal.stock.reservations import change_reserved, lock_stock

log = logging.getLogger(__name__)


class EmptyCart(DomainError):
    pass


@dataclass
class CheckoutChanged(DomainError):
    """Prices or availability changed since the buyer looked: show what and ask again."""

    changes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(
            _("Something changed since you opened the checkout. Please check and confirm.")
        )


@dataclass
class ShipTo:
    label: str
    recipient: str
    street: str
    postal_code: str
    city: str
    country: str
    phone: str = ""

    @classmethod
    def from_address(cls, address: Address) -> ShipTo:
        return cls(
            address.label,
            address.recipient,
            address.street,
            address.postal_code,
            address.city,
            address.country,
            address.phone or "",
        )


@dataclass
class Checkout:
    ship_to: ShipTo
    delivery_method: DeliveryMethod
    payment_method: PaymentMethod
    requested_delivery_on: date | None = None
    customer_reference: str = ""
    message: str = ""
    extra_discount_percent: Decimal | None = None
    extra_discount_amount: Decimal | None = None


@dataclass(frozen=True)
class SeenLine:
    """What the buyer saw for a line when they pressed Place order."""

    unit_net: Decimal
    reservable: Decimal


def reservable(quantity: Decimal, available: Decimal) -> Decimal:
    return max(min(quantity, available), Decimal(0))


def seen_lines(view: CartView) -> dict[int, SeenLine]:
    return {
        item.product.id: SeenLine(
            item.quote.unit_net, reservable(item.line.quantity, item.stock.available)
        )
        for item in view.items
    }


def card_payments_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _discounts(nets: list[Decimal], checkout: Checkout) -> list[Decimal]:
    """An extra discount per line: a percent of each line, or an amount spread over the
    lines in proportion to their net, the rounding remainder on the largest line."""
    if checkout.extra_discount_percent:
        percent = checkout.extra_discount_percent
        return [round_money(net * percent / 100) for net in nets]
    amount = checkout.extra_discount_amount or ZERO
    total = sum(nets, ZERO)
    if amount <= 0 or total <= 0:
        return [ZERO for _ in nets]
    amount = min(amount, total)
    shares = [round_money(amount * net / total) for net in nets]
    largest = max(range(len(nets)), key=lambda i: nets[i])
    shares[largest] += amount - sum(shares, ZERO)
    return shares


def _partner_admins(company_id: int, *, excluding: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(
                User.company_id == company_id,
                User.role == Role.PARTNER_ADMIN,
                User.active.is_(True),
                User.id != excluding,
            )
        )
    )


def mail_order(
    template: str, order: Document, buyer: User, *, cc: list[str] | None = None, **context: object
) -> None:
    """Queues mail about an order to its buyer: name, number, gross and link come with it."""
    outbox.enqueue(
        template,
        to=buyer.email,
        cc=cc,
        language=buyer.language,
        context={
            "name": buyer.name,
            "number": order.number,
            "gross": order.gross_total,
            "link": outbox.absolute_url("orders.detail", order_id=order.id),
            **context,
        },
    )


def find_by_key(key: str) -> Document | None:
    return db.session.scalar(
        sa.select(Document)
        .join(OrderInfo, OrderInfo.document_id == Document.id)
        .where(OrderInfo.idempotency_key == key)
    )


def place_order(
    buyer: User,
    *,
    actor: User,
    viewer: Viewer,
    checkout: Checkout,
    seen_key: str,
    seen: dict[int, SeenLine],
    today: date | None = None,
) -> Document:
    """Places the buyer's cart as a ZK: numbered, priced, stock reserved, cart emptied and
    the confirmation queued, all in one transaction. The same submission twice gives the
    same order."""
    try:
        return _place(
            buyer,
            actor=actor,
            viewer=viewer,
            checkout=checkout,
            seen_key=seen_key,
            seen=seen,
            today=today,
        )
    except sa.exc.IntegrityError:
        # Two requests with the same key raced (PostgreSQL): the other one placed it.
        db.session.rollback()
        existing = find_by_key(seen_key)
        if existing is None:
            raise
        return existing


def _place(
    buyer: User,
    *,
    actor: User,
    viewer: Viewer,
    checkout: Checkout,
    seen_key: str,
    seen: dict[int, SeenLine],
    today: date | None,
) -> Document:
    company = db.session.get_one(Company, buyer.company_id)
    changed = CheckoutChanged(
        [_("Your cart changed (in another window?) since this page was shown.")]
    )
    # The cart is read and priced before the transaction: on SQLite it takes the one write
    # lock, which every other order waits for. Under the lock one small query checks that
    # the cart still holds what was priced; stock, credit and limits are read there.
    view = cart_view(buyer, viewer, photos=False, stock=False)
    if not view.items or view.content_key != seen_key:
        existing = find_by_key(seen_key)  # the same submission again, after it was placed
        if existing is not None:
            return existing
        if not view.items:
            raise EmptyCart(_("Your cart is empty."))
        raise changed
    with atomic():
        if current_content_key(view.cart.id) != seen_key:
            existing = find_by_key(seen_key)  # placed by the same submission meanwhile
            if existing is not None:
                return existing
            raise changed
        levels = lock_stock(viewer.warehouse_id, (item.product.id for item in view.items))
        reserved = {
            item.product.id: reservable(item.line.quantity, levels[item.product.id].available)
            if item.product.id in levels
            else Decimal(0)
            for item in view.items
        }

        changes = []
        for item in view.items:
            now = SeenLine(item.quote.unit_net, reserved[item.product.id])
            before = seen.get(item.product.id)
            if before is None:
                changes.append(_("%(name)s was added.", name=item.product.name))
            elif now.unit_net != before.unit_net:
                changes.append(
                    _(
                        "The price of %(name)s is now %(price)s net.",
                        name=item.product.name,
                        price=str(now.unit_net),
                    )
                )
            elif now.reservable < before.reservable:
                changes.append(
                    _(
                        "Only %(n)s of %(name)s can be reserved now; the rest will be a backorder.",
                        n=str(now.reservable),
                        name=item.product.name,
                    )
                )
        if changes:
            raise CheckoutChanged(changes)

        nets = [item.net for item in view.items]
        discounts = _discounts(nets, checkout)
        goods_net = sum(nets, ZERO) - sum(discounts, ZERO)
        delivery_net = delivery_cost(checkout.delivery_method, goods_net)
        totals = totals_from_net(
            [
                (net - discount, item.quote.vat_percent)
                for net, discount, item in zip(nets, discounts, view.items, strict=True)
            ]
            + ([(delivery_net, DELIVERY_VAT)] if delivery_net else [])
        )

        today = today or local_today()
        if checkout.payment_method is PaymentMethod.ON_ACCOUNT and not credit.on_account_allowed(
            company, totals.gross
        ):
            raise DomainError(
                _(
                    "Payment on account is not available for this order: "
                    "it would exceed your credit limit."
                )
            )
        if checkout.payment_method is PaymentMethod.CARD and not card_payments_enabled():
            raise DomainError(_("Card payments are not available."))
        over_limit = credit.limit_exceeded(buyer, totals.gross, today)

        # Stock and cart first: on PostgreSQL the number's series row stays locked from its
        # allocation until commit, so only the writing of the order itself waits in line.
        change_reserved(viewer.warehouse_id, reserved)
        cart_services.empty_cart_after_order(view.cart)
        step = Step.HOLD_FOR_APPROVAL if over_limit else Step.PLACE
        first_status = status_for(step)
        order = inserted(
            Document,
            kind=DocumentKind.ZK,
            number=allocate_number(DocumentKind.ZK, today),
            issued_on=today,
            company_id=company.id,
            warehouse_id=viewer.warehouse_id,
            status_id=first_status.id,
            user_id=buyer.id,
            created_by_id=actor.id,
            net_total=totals.net,
            vat_total=totals.vat,
            gross_total=totals.gross,
        )
        ship = checkout.ship_to
        db.session.execute(
            sa.insert(table_of(OrderInfo)),
            {
                "document_id": order.id,
                "idempotency_key": seen_key,
                "customer_reference": checkout.customer_reference.strip()[:60],
                "message": checkout.message.strip()[:5000],
                "ship_label": ship.label,
                "ship_recipient": ship.recipient,
                "ship_street": ship.street,
                "ship_postal_code": ship.postal_code,
                "ship_city": ship.city,
                "ship_country": ship.country,
                "ship_phone": ship.phone,
                "delivery_method": checkout.delivery_method,
                "delivery_net": delivery_net,
                "requested_delivery_on": checkout.requested_delivery_on,
                "payment_method": checkout.payment_method,
                "payment_state": PaymentState.NOT_DUE
                if checkout.payment_method is PaymentMethod.ON_ACCOUNT
                else PaymentState.AWAITING,
                "extra_discount_percent": checkout.extra_discount_percent,
                "extra_discount_amount": checkout.extra_discount_amount,
                "approval_reason": over_limit or "",
            },
        )
        # Lines, reservations and the first timeline rows: one statement each.
        lines = [
            _line_row(
                order,
                position,
                product=item.product,
                quantity=item.line.quantity,
                unit_price=item.quote.unit_net,
                vat_percent=item.quote.vat_percent,
                discount=discount,
                net=net - discount,
                reserved=reserved[item.product.id],
            )
            for position, (item, net, discount) in enumerate(
                zip(view.items, nets, discounts, strict=True), start=1
            )
        ]
        if delivery_net:
            lines.append(
                _line_row(
                    order,
                    len(lines) + 1,
                    product=None,
                    quantity=Decimal(1),
                    unit_price=delivery_net,
                    vat_percent=DELIVERY_VAT,
                    discount=ZERO,
                    net=delivery_net,
                    reserved=Decimal(0),
                )
            )
        insert_rows(DocumentLine, lines)

        acting = actor.id != buyer.id
        note = (
            _("Placed by %(rep)s for %(partner)s", rep=actor.name, partner=company.name)
            if acting
            else ""
        )
        on_behalf_of = buyer if acting else None
        insert_rows(
            DocumentEvent,
            [
                {
                    "document_id": order.id,
                    "kind": EventKind.CREATED,
                    "actor_id": actor.id,
                    "on_behalf_of_id": on_behalf_of.id if on_behalf_of else None,
                    "from_status_id": None,
                    "to_status_id": None,
                    "note": note,
                },
                status_event(
                    order,
                    first_status,
                    current=None,
                    actor=actor,
                    on_behalf_of=on_behalf_of,
                    note=(
                        _("Waiting for approval: %(reason)s", reason=over_limit)
                        if over_limit
                        else note
                    ),
                ),
            ],
        )

        cc = [actor.email] if acting else None
        if over_limit:
            mail_order("orders/awaiting_approval", order, buyer, cc=cc, reason=over_limit)
            for admin in _partner_admins(company.id, excluding=buyer.id):
                mail_order(
                    "orders/approval_request",
                    order,
                    admin,
                    buyer_name=buyer.name,
                    reason=over_limit,
                )
        else:
            mail_order("orders/placed", order, buyer, cc=cc)
    log.info(
        "order placed number=%s id=%s company=%s lines=%d",
        order.number,
        order.id,
        company.id,
        len(view.items),
    )
    return order


def _line_row(
    order: Document,
    position: int,
    *,
    product: Product | None,
    quantity: Decimal,
    unit_price: Decimal,
    vat_percent: Decimal,
    discount: Decimal,
    net: Decimal,
    reserved: Decimal,
) -> dict[str, object]:
    """A DocumentLine of a new order as a row to insert: a product's snapshot, or delivery."""
    return {
        "document_id": order.id,
        "position": position,
        "product_id": product.id if product else None,
        "sku": product.sku if product else "DELIVERY",
        "name": product.name if product else _("Courier delivery"),
        "unit": product.unit.value if product else "pcs",
        "quantity": quantity,
        "list_price": product.list_price if product else unit_price,
        "unit_price": unit_price,
        "vat_percent": vat_percent,
        "discount": discount,
        "net": net,
        "reserved": reserved,
    }


# --- after placement -----------------------------------------------------------------------


def _release(order: Document, lines: list[DocumentLine]) -> None:
    product_lines = [line for line in lines if line.product_id is not None and line.reserved > 0]
    if not product_lines or order.warehouse_id is None:
        return
    levels = lock_stock(order.warehouse_id, (line.product_id or 0 for line in product_lines))
    changes: dict[int, Decimal] = {}
    for line in product_lines:
        product_id = line.product_id or 0
        level = levels.get(product_id)
        if level is not None:
            change = changes.get(product_id, Decimal(0))
            changes[product_id] = change - min(line.reserved, level.reserved + change)
        line.reserved = Decimal(0)
    change_reserved(order.warehouse_id, changes)


def order_lines(order: Document) -> list[DocumentLine]:
    """The order's lines as stored now (loaded ones are refreshed)."""
    return list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == order.id)
            .order_by(DocumentLine.position)
            .execution_options(populate_existing=True)
        )
    )


def _status(order: Document) -> StatusInfo:
    """The status as stored now, the order locked: what the buyer or an approver decides on
    may have changed since the page was loaded."""
    refresh_status(order, lock=True)
    status = status_of(order)
    if status is None:
        raise LookupError(f"order {order.id} has no status")
    return status


def _recompute_totals(order: Document, lines: list[DocumentLine]) -> None:
    totals = totals_from_net((line.net, line.vat_percent) for line in lines)
    order.net_total, order.vat_total, order.gross_total = totals.net, totals.vat, totals.gross


class OrderLocked(DomainError):
    pass


def cancel_order(order: Document, *, actor: User, reason: str = "") -> None:
    """The buyer withdraws an order nobody has started to fulfil; reservations are released."""
    with atomic():
        if _status(order).type is not StatusType.WAITING:
            raise OrderLocked(
                _("This order is already being fulfilled and cannot be cancelled here.")
            )
        _release(order, order_lines(order))
        move_to_step(order, Step.CANCEL, actor=actor, note=reason.strip())
        buyer = db.session.get_one(User, order.user_id)
        mail_order("orders/cancelled", order, buyer)


def change_line(
    order: Document, line: DocumentLine, requested: Decimal | None, *, actor: User
) -> None:
    """Before staff confirm it, the buyer changes a quantity (or removes the line with 0)."""
    with atomic():
        if _status(order).type is not StatusType.WAITING:
            raise OrderLocked(_("Staff have confirmed this order; ask us to change it."))
        if line.product_id is None:
            raise DomainError(_("This line cannot be changed."))
        lines = order_lines(order)
        product_lines = [candidate for candidate in lines if candidate.product_id is not None]
        product = db.session.get_one(Product, line.product_id)
        if requested is not None and requested == 0:
            if len(product_lines) == 1:
                raise DomainError(_("An order needs at least one line: cancel the order instead."))
            _release(order, [line])
            db.session.delete(line)
            lines.remove(line)
            note = _("%(sku)s removed", sku=line.sku)
        else:
            quantity = normalise_quantity(product, requested).quantity
            old = line.quantity
            level = lock_stock(order.warehouse_id or 0, [product.id]).get(product.id)
            if level is not None:
                # What this line holds is available to it again.
                available = level.on_hand - (level.reserved - line.reserved)
                now_reserved = reservable(quantity, available)
                change_reserved(order.warehouse_id or 0, {product.id: now_reserved - line.reserved})
                line.reserved = now_reserved
            line.quantity = quantity
            gross_line = net_line(line.unit_price, quantity)
            line.discount = min(line.discount, gross_line)
            line.net = gross_line - line.discount
            note = _(
                "%(sku)s: %(old)s → %(new)s", sku=line.sku, old=_plain(old), new=_plain(quantity)
            )
        _recompute_totals(order, lines)
        db.session.add(
            DocumentEvent(
                document_id=order.id, kind=EventKind.CHANGED, actor_id=actor.id, note=note
            )
        )


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def approve_order(order: Document, *, actor: User, trims: dict[int, Decimal] | None = None) -> None:
    """A partner admin approves an order above a buyer's limit, optionally trimming lines."""
    with atomic():
        _check_approver(order, actor)
        lines = order_lines(order)
        by_id = {line.id: line for line in lines}
        for line_id, quantity in (trims or {}).items():
            line = by_id.get(line_id)
            if line is None or line.product_id is None or quantity >= line.quantity:
                continue
            if quantity < 0:
                raise DomainError(_("A quantity cannot be negative."))
            if quantity > 0:
                product = db.session.get_one(Product, line.product_id)
                quantity = normalise_quantity(product, quantity).quantity
                if quantity >= line.quantity:
                    continue  # rounded back up to a whole pack: nothing to trim
            old = line.quantity
            if quantity == 0:
                _release(order, [line])
                db.session.delete(line)
                lines.remove(line)
                note = _("%(sku)s removed before approval", sku=line.sku)
            else:
                excess = max(line.reserved - quantity, Decimal(0))
                if excess:
                    lock_stock(order.warehouse_id or 0, [line.product_id])  # the lock only
                    change_reserved(order.warehouse_id or 0, {line.product_id: -excess})
                    line.reserved -= excess
                line.quantity = quantity
                gross_line = net_line(line.unit_price, quantity)
                line.discount = min(line.discount, gross_line)
                line.net = gross_line - line.discount
                note = _(
                    "%(sku)s trimmed: %(old)s → %(new)s",
                    sku=line.sku,
                    old=_plain(old),
                    new=_plain(quantity),
                )
            db.session.add(
                DocumentEvent(
                    document_id=order.id, kind=EventKind.CHANGED, actor_id=actor.id, note=note
                )
            )
        if not any(line.product_id is not None for line in lines):
            raise DomainError(
                _("Trimming every line away is a rejection: reject the order instead.")
            )
        _recompute_totals(order, lines)
        info = db.session.get_one(OrderInfo, order.id)
        info.decided_by_id = actor.id
        move_to_step(
            order, Step.APPROVE, actor=actor, note=_("Approved by %(name)s", name=actor.name)
        )
        mail_order(
            "orders/approved", order, db.session.get_one(User, order.user_id), approver=actor.name
        )


def reject_order(order: Document, *, actor: User, reason: str) -> None:
    if not reason.strip():
        raise DomainError(_("Tell the buyer why the order is rejected."))
    with atomic():
        _check_approver(order, actor)
        _release(order, order_lines(order))
        info = db.session.get_one(OrderInfo, order.id)
        info.decided_by_id = actor.id
        info.rejection_reason = reason.strip()
        move_to_step(order, Step.REJECT, actor=actor, note=reason.strip())
        mail_order(
            "orders/rejected",
            order,
            db.session.get_one(User, order.user_id),
            reason=reason.strip(),
            approver=actor.name,
        )


def _check_approver(order: Document, actor: User) -> None:
    status = _status(order)
    if status.step is not Step.HOLD_FOR_APPROVAL:
        raise DomainError(_("This order is not waiting for approval."))
    if actor.id in (order.user_id, order.created_by_id):
        raise DomainError(_("Nobody approves their own order: another partner admin must decide."))
    if not (actor.role is Role.PARTNER_ADMIN and actor.company_id == order.company_id):
        raise DomainError(_("Only a partner admin of the company can decide."))


@dataclass
class ReorderResult:
    added: int
    not_sold: list[str]
    refused: list[tuple[str, str]]


def reorder(order: Document, *, buyer: User) -> ReorderResult:
    """Puts the order's lines in the cart at today's prices; reports what is no longer sold."""
    lines = [line for line in order_lines(order) if line.sku != "DELIVERY"]
    ids = [line.product_id for line in lines if line.product_id is not None]
    products = {
        product.id: product
        for product in db.session.scalars(sa.select(Product).where(Product.id.in_(ids)))
    }
    items = []
    not_sold = []
    for line in lines:
        product = products.get(line.product_id or 0)
        if product is None or not product.active:
            not_sold.append(f"{line.sku} {line.name}")
        else:
            items.append((product, line.quantity, f"{line.sku} {line.name}"))
    result = cart_services.add_many(buyer, items)
    return ReorderResult(len(result.added), not_sold, result.refused)


def post_message(
    order: Document, *, author: User, body: str, internal: bool = False
) -> DocumentMessage:
    body = body.strip()
    if not body:
        raise DomainError(_("Write a message first."))
    with atomic():
        message = DocumentMessage(
            document_id=order.id, author_id=author.id, body=body[:5000], internal=internal
        )
        db.session.add(message)
    return message
