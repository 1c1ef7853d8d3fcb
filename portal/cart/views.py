"""The cart and the saved list, quick order and order lists.

Whose cart: `customer()`, the partner user or the partner a rep acts for (404 otherwise).
Every change answers htmx with the re-rendered fragment (and a `cart-changed` event for
the header count), and browsers without JavaScript with a 303 back to a page.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    has_request_context,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from portal.accounts.models import User
from portal.cart import queries, services
from portal.cart.forms import (
    AddToCartForm,
    LineQuantityForm,
    ListLineForm,
    ListNameForm,
    PickListForm,
    QuickOrderForm,
)
from portal.cart.models import OrderList
from portal.cart.quantities import InvalidQuantity, plain, stepped
from portal.cart.queries import CartView
from portal.catalog.models import Product
from portal.catalog.viewer import current_viewer
from portal.core.acting import acting_as, customer
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.i18n import ngettext
from portal.core.templating import unit
from portal.core.web import is_htmx, page_or_fragment, redirect_after_post, safe_next, user

bp = Blueprint("cart", __name__)

CART_CHANGED = "cart-changed"


# --- header and templates ------------------------------------------------------------------


def ordering_customer() -> User | None:
    """Whose cart the header shows: like customer(), but None instead of a 404."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    target = acting_as()
    if target is not None:
        return target
    me = user()
    return me if me.is_partner else None


def header_cart_count() -> int | None:
    """Lines in the header's cart, or None when this person has no cart to show."""
    owner = ordering_customer()
    if owner is None:
        return None
    known: int | None = request.environ.get(CART_COUNT_KEY)
    return known if known is not None else queries.cart_count(owner)


# Kept per request (in its environ: tests run many requests in one app context, so not g).
CART_COUNT_KEY = "portal.cart_count"


def remember_count(view: CartView) -> None:
    """A page that has read the whole cart tells the header its count: no second query."""
    request.environ[CART_COUNT_KEY] = view.count


def checkout_url() -> str:
    try:
        return url_for("orders.checkout")
    except BuildError:  # the checkout is another blueprint; the cart works without it
        return "/checkout"


@bp.app_context_processor
def cart_helpers() -> dict[str, Any]:
    # Functions, not values: only pages that show the header pay for the count's query.
    return {
        "can_order": lambda: ordering_customer() is not None,
        "cart_count": header_cart_count,
        "checkout_url": checkout_url,
    }


bp.add_app_template_filter(plain, "plain_qty")


def _changed(response: Response) -> Response:
    response.headers["HX-Trigger"] = CART_CHANGED
    return response


# --- the cart ------------------------------------------------------------------------------


def _cart_page(
    *,
    status: int = 200,
    message: str | None = None,
    message_is_error: bool = False,
    errors: dict[int, str] | None = None,
    typed: dict[int, str] | None = None,
    list_form: ListNameForm | None = None,
) -> Response:
    view = queries.cart_view(customer(), current_viewer())
    remember_count(view)
    return page_or_fragment(
        "cart/index.html",
        "cart/_cart.html",
        status=status,
        view=view,
        message=message,
        message_is_error=message_is_error,
        errors=errors or {},
        typed=typed or {},
        list_form=list_form or ListNameForm(formdata=None),
    )


def _after_change(message: str) -> Response:
    """htmx gets the cart fragment with the message; a browser a 303 to the cart page."""
    if is_htmx():
        return _changed(_cart_page(message=message))
    flash(message, "success")
    return redirect_after_post(url_for("cart.index"))


def _refused(message: str) -> Response:
    if is_htmx():
        return _cart_page(status=422, message=message, message_is_error=True)
    flash(message, "error")
    return redirect_after_post(url_for("cart.index"))


@bp.get("/cart")
@login_required
def index() -> Response:
    return _cart_page()


@bp.get("/cart/count")
@login_required
def count() -> str:
    """The header's cart link, which reloads itself on every `cart-changed` event."""
    customer()
    return render_template("cart/_cart_link.html")


@bp.post("/cart/add")
@login_required
def add() -> Response:
    me = customer()
    form = AddToCartForm()
    if not form.validate() or form.product_id.data is None:
        abort(400)
    product = queries.product_to_add(form.product_id.data)
    try:
        adjusted = services.add_to_cart(me, product, form.quantity.number)
    except DomainError as error:
        return page_or_fragment(
            "cart/add.html",
            "cart/_added.html",
            status=422,
            product=product,
            form=form,
            error=error.message,
        )
    if is_htmx():
        html = render_template(
            "cart/_added.html", product=product, adjusted=adjusted, count=queries.cart_count(me)
        )
        return _changed(make_response(html))
    flash(
        _(
            "Added %(quantity)s %(unit)s of %(name)s to your cart.",
            quantity=plain(adjusted.quantity),
            unit=unit(product.unit),
            name=product.name,
        ),
        "success",
    )
    if adjusted.note:
        flash(adjusted.note, "info")
    return redirect_after_post(safe_next(form.next.data, url_for("cart.index")))


@bp.post("/cart/lines/<int:line_id>")
@login_required
def change(line_id: int) -> Response:
    line = queries.cart_line_for(customer(), line_id)
    name = line.product.name
    form = LineQuantityForm()
    requested = stepped(line.product, line.quantity, form.quantity.number, form.change.data)
    try:
        adjusted = services.set_quantity(line, line.product, requested)
    except DomainError as error:
        return _cart_page(
            status=422, errors={line_id: error.message}, typed={line_id: form.quantity.data or ""}
        )
    return _after_change(adjusted.note or _("The quantity of %(name)s is updated.", name=name))


@bp.post("/cart/lines/<int:line_id>/remove")
@login_required
def remove(line_id: int) -> Response:
    line = queries.cart_line_for(customer(), line_id)
    name = line.product.name
    services.remove_line(line)
    return _after_change(_("%(name)s is removed.", name=name))


@bp.post("/cart/lines/<int:line_id>/save")
@login_required
def save(line_id: int) -> Response:
    line = queries.cart_line_for(customer(), line_id)
    name = line.product.name  # the line may merge into a saved one and be gone
    try:
        services.save_for_later(line)
    except DomainError as error:
        return _refused(error.message)
    return _after_change(_("%(name)s is saved for later.", name=name))


@bp.post("/cart/lines/<int:line_id>/move")
@login_required
def move(line_id: int) -> Response:
    line = queries.cart_line_for(customer(), line_id)
    name = line.product.name
    try:
        services.move_to_cart(line)
    except DomainError as error:
        return _refused(error.message)
    return _after_change(_("%(name)s is back in your cart.", name=name))


@bp.post("/cart/list")
@login_required
def save_as_list() -> Response:
    """The cart's lines become a new named order list ("Save as order list")."""
    me = customer()
    form = ListNameForm()
    if form.validate():
        try:
            order_list = services.save_cart_as_list(me, form.name.data or "")
        except DomainError as error:
            form.name.errors = [error.message]
        else:
            flash(_("Order list “%(name)s” saved.", name=order_list.name), "success")
            return redirect_after_post(url_for("cart.order_list", list_id=order_list.id))
    return _cart_page(status=422, list_form=form)


# --- quick order ---------------------------------------------------------------------------


@bp.route("/quick-order", methods=["GET", "POST"])
@login_required
def quick_order() -> Response:
    me = customer()
    form = QuickOrderForm()
    result = None
    status = 200
    if form.validate_on_submit():
        try:
            result = services.add_quick_order(me, form.parsed())
        except DomainError as error:
            form.form_errors.append(error.message)
            status = error.status
    elif request.method == "POST":
        status = 422
    return make_response(render_template("cart/quick_order.html", form=form, result=result), status)


# --- order lists ---------------------------------------------------------------------------


@bp.route("/lists", methods=["GET", "POST"])
@login_required
def order_lists() -> Response:
    me = customer()
    form = ListNameForm()
    status = 200
    if form.validate_on_submit():
        try:
            order_list = services.create_list(me, form.name.data or "", [], allow_empty=True)
        except DomainError as error:
            form.name.errors = [error.message]
        else:
            flash(_("Order list “%(name)s” created.", name=order_list.name), "success")
            return redirect_after_post(url_for("cart.order_list", list_id=order_list.id))
    if request.method == "POST":
        status = 422
    lists = queries.order_lists_of(me)
    return make_response(render_template("cart/lists.html", lists=lists, form=form), status)


def _list_page(order_list_id: int, *, status: int = 200, **forms: Any) -> Response:
    me = customer()
    order_list = queries.order_list_for(me, order_list_id)
    context: dict[str, Any] = {
        "rename_form": ListNameForm(formdata=None, obj=order_list),
        "add_form": ListLineForm(formdata=None),
        "errors": {},
        "typed": {},
    }
    context.update(forms)
    response = render_template(
        "cart/list.html",
        order_list=order_list,
        lines=queries.order_list_lines(order_list),
        **context,
    )
    return make_response(response, status)


@bp.route("/lists/<int:list_id>", methods=["GET", "POST"])
@login_required
def order_list(list_id: int) -> Response:
    """The list, and (POST) its new name."""
    order_list = queries.order_list_for(customer(), list_id)
    if request.method == "GET":
        return _list_page(list_id)
    form = ListNameForm()
    if form.validate():
        try:
            services.rename_list(order_list, form.name.data or "")
        except DomainError as error:
            form.name.errors = [error.message]
        else:
            flash(_("The list is renamed."), "success")
            return redirect_after_post(url_for("cart.order_list", list_id=list_id))
    return _list_page(list_id, status=422, rename_form=form)


@bp.post("/lists/<int:list_id>/delete")
@login_required
def delete_list(list_id: int) -> Response:
    order_list = queries.order_list_for(customer(), list_id)
    name = order_list.name
    services.delete_list(order_list)
    flash(_("Order list “%(name)s” deleted.", name=name), "success")
    return redirect_after_post(url_for("cart.order_lists"))


@bp.post("/lists/<int:list_id>/cart")
@login_required
def list_to_cart(list_id: int) -> Response:
    """Every line of the list into the cart in one tap; what cannot go in is listed."""
    me = customer()
    result = services.add_list_to_cart(me, queries.order_list_for(me, list_id))
    if result.added:
        flash(
            ngettext(
                "%(num)d line added to the cart.",
                "%(num)d lines added to the cart.",
                len(result.added),
            ),
            "success",
        )
    for label, note in result.notes:
        flash(f"{label}: {note}", "info")
    for label, reason in result.refused:
        flash(f"{label}: {reason}", "error")
    return redirect_after_post(url_for("cart.index"))


@bp.post("/lists/<int:list_id>/lines")
@login_required
def add_list_line(list_id: int) -> Response:
    """Puts a product, named by SKU or EAN, on the list."""
    order_list = queries.order_list_for(customer(), list_id)
    form = ListLineForm()
    if form.validate():
        try:
            product, adjusted = services.add_code_to_list(
                order_list, form.code.data or "", form.quantity.number
            )
        except InvalidQuantity as error:
            form.quantity.errors = [error.message]
        except DomainError as error:
            form.code.errors = [error.message]
        else:
            flash(_("%(name)s is on the list.", name=product.name), "success")
            if adjusted.note:
                flash(adjusted.note, "info")
            return redirect_after_post(url_for("cart.order_list", list_id=list_id))
    return _list_page(list_id, status=422, add_form=form)


@bp.post("/lists/<int:list_id>/lines/<int:list_line_id>")
@login_required
def change_list_line(list_id: int, list_line_id: int) -> Response:
    line = queries.order_list_line_for(customer(), list_line_id, list_id=list_id)
    name = line.product.name
    form = LineQuantityForm()
    try:
        adjusted = services.set_list_quantity(line, line.product, form.quantity.number)
    except DomainError as error:
        return _list_page(
            list_id,
            status=422,
            errors={list_line_id: error.message},
            typed={list_line_id: form.quantity.data or ""},
        )
    flash(
        adjusted.note or _("The quantity of %(name)s is updated.", name=name),
        "success",
    )
    return redirect_after_post(url_for("cart.order_list", list_id=list_id))


@bp.post("/lists/<int:list_id>/lines/<int:list_line_id>/remove")
@login_required
def remove_list_line(list_id: int, list_line_id: int) -> Response:
    line = queries.order_list_line_for(customer(), list_line_id, list_id=list_id)
    name = line.product.name
    services.remove_list_line(line)
    flash(_("%(name)s is off the list.", name=name), "success")
    return redirect_after_post(url_for("cart.order_list", list_id=list_id))


@bp.route("/lists/add", methods=["GET", "POST"])
@login_required
def pick_list() -> Response:
    """A product page's "Add to list": one of the company's lists, or a new one."""
    me = customer()
    posted = request.method == "POST"
    form = PickListForm(formdata=request.form if posted else request.args)
    if not form.product_id.validate(form) or form.product_id.data is None:
        abort(400)
    product = queries.product_to_add(form.product_id.data)
    if posted and form.validate():
        try:
            order_list = _add_to_picked_list(me, form, product)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash(
                _(
                    "%(product)s is on the list “%(name)s”.",
                    product=product.name,
                    name=order_list.name,
                ),
                "success",
            )
            return redirect_after_post(url_for("cart.order_list", list_id=order_list.id))
    if not form.quantity.data:
        form.quantity.data = plain(product.min_order_quantity)
    html = render_template(
        "cart/pick_list.html", form=form, product=product, lists=queries.order_lists_of(me)
    )
    return make_response(html, 422 if posted else 200)


def _add_to_picked_list(me: User, form: PickListForm, product: Product) -> OrderList:
    name = (form.name.data or "").strip()
    if form.list_id.data:
        order_list = queries.order_list_for(me, form.list_id.data)
        services.add_to_list(order_list, product, form.quantity.number)
        return order_list
    if name:
        return services.add_to_new_list(me, name, product, form.quantity.number)
    raise DomainError(_("Choose a list, or name a new one."))
