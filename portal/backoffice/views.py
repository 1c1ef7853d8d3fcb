"""Staff screens: the office dashboard and the mail queue."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.core.db import db
from portal.core.web import STAFF_ROLES, redirect_after_post, role_required
from portal.notifications.delivery import retry
from portal.notifications.models import MailStatus, OutboxMessage

bp = Blueprint("backoffice", __name__, url_prefix="/office")


def _mail_counts() -> dict[MailStatus, int]:
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    )
    return {MailStatus(status): count for status, count in rows}


@bp.get("")
@role_required(*STAFF_ROLES)
def dashboard() -> str:
    return render_template("backoffice/dashboard.html", mail_counts=_mail_counts())


@bp.get("/mail")
@role_required(*STAFF_ROLES)
def mail() -> str:
    problems = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(
                sa.or_(
                    OutboxMessage.status == MailStatus.FAILED,
                    sa.and_(OutboxMessage.status == MailStatus.PENDING, OutboxMessage.attempts > 0),
                )
            )
            .order_by(OutboxMessage.created_at.desc())
            .limit(200)
        )
    )
    recent = list(
        db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(30))
    )
    return render_template(
        "backoffice/mail.html", problems=problems, recent=recent, counts=_mail_counts()
    )


@bp.post("/mail/<int:message_id>/retry")
@role_required(*STAFF_ROLES)
def retry_mail(message_id: int) -> Response:
    message = db.get_or_404(OutboxMessage, message_id)
    retry(message)
    flash(_("The message will be sent again."), "success")
    return redirect_after_post(url_for("backoffice.mail"))
