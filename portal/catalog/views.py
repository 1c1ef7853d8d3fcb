"""Catalog pages: browse and search, autocomplete, product detail, photos."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.catalog import queries
from portal.catalog.photos import photo_dir
from portal.catalog.queries import Filters, Sort
from portal.catalog.viewer import PRICE_VIEW_KEY, current_viewer
from portal.core.i18n import gettext as _
from portal.core.web import is_htmx, page_or_fragment, user
from portal.stock.queries import stock_by_warehouse

bp = Blueprint("catalog", __name__)

PAGE_SIZES = (24, 48, 96)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    try:
        value = int(raw)
    except ValueError:
        return default
    return min(max(value, low), high)


def parse_filters() -> Filters:
    q = " ".join(request.args.get("q", "").split())[:200]
    sort_raw = request.args.get("sort", "")
    default_sort = Sort.RELEVANCE if q else Sort.NAME
    sort = Sort(sort_raw) if sort_raw in Sort._value2member_map_ else default_sort
    per_page = _int_arg("per_page", PAGE_SIZES[0], 1, PAGE_SIZES[-1])
    if per_page not in PAGE_SIZES:
        per_page = min(PAGE_SIZES, key=lambda size: abs(size - per_page))
    return Filters(
        q=q,
        category=request.args.get("category", "")[:120],
        in_stock=request.args.get("in_stock") in {"1", "on", "true"},
        sort=sort,
        page=_int_arg("page", 1, 1, queries.MAX_PAGE),
        per_page=per_page,
    )


@bp.get("/catalog")
@login_required
def index() -> Response:
    filters = parse_filters()
    viewer = current_viewer()
    page = queries.catalog_page(viewer, filters)
    if filters.category and page.category is None:
        abort(404)
    return page_or_fragment(
        "catalog/index.html",
        "catalog/_results.html",
        page=page,
        viewer=viewer,
        tree=queries.category_tree(page.categories) if not is_htmx() else [],
        sorts=Sort,
        page_sizes=PAGE_SIZES,
    )


@bp.get("/catalog/autocomplete")
@login_required
def autocomplete() -> str:
    text = " ".join(request.args.get("q", "").split())[:100]
    cards = queries.autocomplete(current_viewer(), text) if len(text) >= 2 else []
    return render_template("catalog/_autocomplete.html", cards=cards, q=text)


@bp.get("/products/<path:sku>")
@login_required
def product(sku: str) -> str:
    viewer = current_viewer()
    detail = queries.product_detail(viewer, sku[:64])
    if detail is None:
        abort(404)
    warehouses = stock_by_warehouse(detail.card.product.id) if viewer.is_staff else []
    return render_template(
        "catalog/product.html", detail=detail, viewer=viewer, warehouses=warehouses
    )


@bp.route("/catalog/price-view", methods=["GET", "POST"])
@login_required
def price_view() -> Response | str:
    """Staff and reps choose whose prices the catalog shows."""
    me = user()
    if me.is_partner:
        abort(404)
    if request.method == "POST":
        raw = request.form.get("company_id", "")
        if raw.isdigit():
            company = queries.company_for_prices(me, int(raw))
            if company is None:
                abort(404)
            session[PRICE_VIEW_KEY] = company.id
            flash(_("The catalog shows prices for %(name)s.", name=company.name), "info")
        else:
            session.pop(PRICE_VIEW_KEY, None)
            flash(_("The catalog shows list prices."), "info")
        return redirect(url_for("catalog.index"), code=303)
    q = " ".join(request.args.get("q", "").split())[:100]
    companies = queries.companies_for_prices(me, q)
    return render_template("catalog/price_view.html", companies=companies, q=q)


@bp.get("/media/photos/<name>")
def photo(name: str) -> Response:
    if not name.endswith(".jpg") or "/" in name or name.startswith("."):
        abort(404)
    response = send_from_directory(photo_dir(), name, max_age=31_536_000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
