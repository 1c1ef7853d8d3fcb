"""Sales reps: their partners, and acting as one of a partner's users."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.accounts.models import Company, Role
from portal.accounts.services import FieldError
from portal.core.acting import acting_as, acting_target, start_acting, stop_acting
from portal.core.i18n import gettext as _
from portal.core.web import redirect_after_post, role_required, user
from portal.orders.models import StatusType
from portal.reps import queries, services

bp = Blueprint("reps", __name__)


@bp.get("/rep")
@role_required(Role.SALES_REP, Role.STAFF, Role.ADMIN)
def index() -> str:
    return render_template("reps/index.html", board=queries.dashboard(user()), types=StatusType)


def _partner_page(
    company: Company, status: int = 200, body: str = "", error: str = ""
) -> tuple[str, int]:
    return render_template(
        "reps/partner.html",
        company=company,
        contacts=queries.contacts(company),
        orders=queries.recent_orders(company),
        notes=queries.notes(company),
        body=body,
        error=error,
    ), status


@bp.get("/rep/partners/<int:company_id>")
@role_required(Role.SALES_REP, Role.STAFF, Role.ADMIN)
def partner(company_id: int) -> tuple[str, int]:
    return _partner_page(queries.partner_for(user(), company_id))


@bp.post("/rep/partners/<int:company_id>/notes")
@role_required(Role.SALES_REP, Role.STAFF, Role.ADMIN)
def add_note(company_id: int) -> Response | tuple[str, int]:
    company = queries.partner_for(user(), company_id)
    body = request.form.get("body", "")
    try:
        services.add_note(company, body, author=user())
    except FieldError as error:
        return _partner_page(company, 422, body=body, error=error.message)
    flash(_("Note saved. Partners never see notes."), "success")
    return redirect_after_post(url_for("reps.partner", company_id=company.id) + "#notes")


@bp.post("/acting/<int:user_id>")
@login_required
def start(user_id: int) -> Response:
    target = acting_target(user(), user_id)
    if target is None:
        abort(404)
    start_acting(target)
    flash(
        _(
            "You are acting as %(name)s of %(company)s.",
            name=target.name,
            company=target.company.name,
        )
        if target.company
        else "",
        "info",
    )
    return redirect(url_for("catalog.index"), code=303)


@bp.post("/acting/stop")
@login_required
def stop() -> Response:
    was = acting_as()
    stop_acting()
    if was is not None:
        flash(_("You are no longer acting as %(name)s.", name=was.name), "info")
    return redirect(
        url_for("reps.index") if not user().is_partner else url_for("catalog.index"), code=303
    )
