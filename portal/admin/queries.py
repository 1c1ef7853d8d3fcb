"""Admin reads: statuses with their transitions, mail templates, reasons, users, partners."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from jinja2 import TemplateNotFound
from sqlalchemy.orm import joinedload

from portal.accounts.models import Company, Role, User
from portal.core.db import db
from portal.core.i18n import lazy_gettext as _l
from portal.documents.models import ReasonCode, ReasonKind
from portal.notifications.models import EmailTemplate
from portal.notifications.status_mail import sample_context
from portal.orders.models import OrderStatus, OrderStatusTransition

PAGE_SIZE = 50


def statuses() -> list[OrderStatus]:
    return list(
        db.session.scalars(sa.select(OrderStatus).order_by(OrderStatus.position, OrderStatus.id))
    )


def transitions() -> dict[int, set[int]]:
    """Status id -> the ids it may move to."""
    allowed: dict[int, set[int]] = {}
    for source, target in db.session.execute(
        sa.select(OrderStatusTransition.from_status_id, OrderStatusTransition.to_status_id)
    ):
        allowed.setdefault(source, set()).add(target)
    return allowed


# --- mail templates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MailKind:
    code: str
    label: str
    fallback: str
    """The file template (templates/mail/<fallback>.*) used while the admin has none."""
    variables: tuple[str, ...]


STATUS_VARIABLES = ("name", "company", "number", "status", "gross", "link")
DOCUMENT_VARIABLES = ("name", "company", "number", "kind", "gross", "link")


def mail_kinds() -> list[MailKind]:
    """The codes an admin may override: one per order status, and the final document's mail.
    (The other order mails have their own wording and senders that read only their files.)"""
    kinds = [
        MailKind(f"status/{status.code}", status.name, "orders/status_changed", STATUS_VARIABLES)
        for status in statuses()
    ]
    kinds.append(
        MailKind(
            "documents/issued", str(_l("Document issued")), "documents/issued", DOCUMENT_VARIABLES
        )
    )
    return kinds


def has_file_template(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(f"mail/{name}.html")
    except TemplateNotFound:
        return False
    return True


def mail_kind(code: str) -> MailKind | None:
    return next((kind for kind in mail_kinds() if kind.code == code), None)


def sample_for(kind: MailKind) -> dict[str, object]:
    sample = sample_context(kind.label)
    sample["kind"] = "FS"
    return sample


def email_templates() -> dict[tuple[str, str], EmailTemplate]:
    return {(row.code, row.language): row for row in db.session.scalars(sa.select(EmailTemplate))}


# --- reasons ----------------------------------------------------------------------------------


def reasons() -> dict[ReasonKind, list[ReasonCode]]:
    by_kind: dict[ReasonKind, list[ReasonCode]] = {kind: [] for kind in ReasonKind}
    for reason in db.session.scalars(
        sa.select(ReasonCode).order_by(ReasonCode.kind, ReasonCode.position, ReasonCode.id)
    ):
        by_kind[reason.kind].append(reason)
    return by_kind


# --- users and partners -----------------------------------------------------------------------


def users(q: str = "", role: str = "", limit: int = PAGE_SIZE) -> list[User]:
    query = sa.select(User).options(joinedload(User.company)).order_by(User.name, User.id)
    text = q.strip().lower()
    if text:
        pattern = f"%{text}%"
        query = query.where(
            sa.or_(User.email.like(pattern), sa.func.lower(User.name).like(pattern))
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    return list(db.session.scalars(query.limit(limit)))


def reps() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.SALES_REP, User.active.is_(True))
            .order_by(User.name)
        )
    )


def companies(q: str = "", limit: int = PAGE_SIZE) -> list[Company]:
    query = sa.select(Company).order_by(Company.name, Company.id)
    text = q.strip()
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            sa.or_(sa.func.lower(Company.name).like(pattern), Company.tax_id.like(f"%{text}%"))
        )
    return list(db.session.scalars(query.limit(limit)))
