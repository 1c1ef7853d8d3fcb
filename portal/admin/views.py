"""The admin area: configuration."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.core.web import redirect_after_post, role_required
from portal.seller.forms import SellerForm
from portal.seller.services import seller, update_seller

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@role_required(Role.ADMIN)
def index() -> str:
    return render_template("admin/index.html", settings=seller())


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings() -> Response | tuple[str, int]:
    current = seller()
    form = SellerForm(obj=current)
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        update_seller(values)
        flash(_("Seller settings saved."), "success")
        return redirect_after_post(url_for("admin.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/settings.html", form=form), status
