"""Sales reps: their partners, and acting as one of a partner's users."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.accounts.models import Company, Role, User
from portal.core.acting import acting_as, acting_target, start_acting, stop_acting
from portal.core.db import db
from portal.core.scope import visible_companies
from portal.core.web import role_required, user

bp = Blueprint("reps", __name__)


@bp.get("/rep")
@role_required(Role.SALES_REP, Role.STAFF, Role.ADMIN)
def index() -> str:
    me = user()
    companies = list(
        db.session.scalars(
            sa.select(Company)
            .where(visible_companies(me), Company.active.is_(True))
            .order_by(Company.name)
            .limit(200)
        )
    )
    users = list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.company_id.in_([c.id for c in companies]),
                User.active.is_(True),
                User.role.in_((Role.BUYER, Role.PARTNER_ADMIN)),
            )
            .order_by(User.name)
        )
    )
    by_company: dict[int, list[User]] = {}
    for member in users:
        by_company.setdefault(member.company_id or 0, []).append(member)
    return render_template("reps/index.html", companies=companies, by_company=by_company)


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
