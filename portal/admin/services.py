"""Admin commands: order statuses, mail templates, reason codes, internal users, reps."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from portal.accounts.models import Company, Role, User
from portal.accounts.services import FieldError, make_password_token, normalise_email
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.documents.models import Document, DocumentEvent, ReasonCode, ReasonKind
from portal.notifications import outbox
from portal.notifications.models import EmailTemplate
from portal.notifications.templates_db import TemplateProblem, render_sandboxed
from portal.orders.models import OrderStatus, OrderStatusTransition, StatusType

log = logging.getLogger(__name__)

INTERNAL_ROLES = (Role.STAFF, Role.SALES_REP, Role.ADMIN)
LANGUAGES = ("en", "pl", "de")


def _forget_statuses() -> None:
    """The order pipeline keeps statuses for a while; tell it they changed."""
    from portal.orders import statuses

    forget = getattr(statuses, "forget_statuses", None)
    if forget is not None:
        forget()


def slug(text: str, *, max_length: int = 40) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:max_length]


# --- order statuses ---------------------------------------------------------------------------


@dataclass
class StatusData:
    name: str
    type: StatusType
    position: int
    notify_partner: bool
    targets: set[int]
    """Ids of the statuses an order in this one may move to."""


def _set_transitions(status: OrderStatus, targets: Iterable[int]) -> None:
    wanted = {target for target in targets if target != status.id}
    known = set(db.session.scalars(sa.select(OrderStatus.id).where(OrderStatus.id.in_(wanted))))
    db.session.execute(
        sa.delete(OrderStatusTransition).where(OrderStatusTransition.from_status_id == status.id)
    )
    db.session.add_all(
        OrderStatusTransition(from_status_id=status.id, to_status_id=target)
        for target in sorted(known)
    )


def create_status(data: StatusData) -> OrderStatus:
    code = slug(data.name)
    if not code:
        raise FieldError("name", _("Use letters or digits in the name."))
    with atomic():
        if db.session.scalar(sa.select(OrderStatus.id).where(OrderStatus.code == code)):
            raise FieldError("name", _("A status with this name already exists."))
        status = OrderStatus(
            code=code,
            name=data.name.strip(),
            type=data.type,
            position=data.position,
            notify_partner=data.notify_partner,
        )
        db.session.add(status)
        db.session.flush()
        _set_transitions(status, data.targets)
    _forget_statuses()
    log.info("order status %s created", status.id)
    return status


def update_status(status: OrderStatus, data: StatusData) -> None:
    """Name, type, order, transitions and mail; the code and the pipeline step stay."""
    with atomic():
        status.name = data.name.strip()
        status.type = data.type
        status.position = data.position
        status.notify_partner = data.notify_partner
        _set_transitions(status, data.targets)
    _forget_statuses()
    log.info("order status %s changed", status.id)


def status_in_use(status: OrderStatus) -> bool:
    used_by_orders = db.session.scalar(
        sa.select(Document.id).where(Document.status_id == status.id).limit(1)
    )
    on_a_timeline = db.session.scalar(
        sa.select(DocumentEvent.id)
        .where(
            sa.or_(
                DocumentEvent.to_status_id == status.id,
                DocumentEvent.from_status_id == status.id,
            )
        )
        .limit(1)
    )
    return used_by_orders is not None or on_a_timeline is not None


class StatusNotDeletable(DomainError):
    pass


def delete_status(status: OrderStatus) -> None:
    if status.step is not None:
        raise StatusNotDeletable(
            _("%(name)s is a step of the order pipeline and cannot be deleted.", name=status.name)
        )
    with atomic():
        if status_in_use(status):
            raise StatusNotDeletable(
                _("%(name)s is used by orders and cannot be deleted.", name=status.name)
            )
        db.session.execute(
            sa.delete(OrderStatusTransition).where(
                sa.or_(
                    OrderStatusTransition.from_status_id == status.id,
                    OrderStatusTransition.to_status_id == status.id,
                )
            )
        )
        db.session.execute(
            sa.delete(EmailTemplate).where(EmailTemplate.code == f"status/{status.code}")
        )
        db.session.delete(status)
    _forget_statuses()
    log.info("order status %s deleted", status.id)


# --- mail templates ---------------------------------------------------------------------------


def check_email_template(
    subject: str, body_html: str, *, sample: dict[str, object], language: str
) -> None:
    """Each part must render in the sandbox with sample data; the error names its field."""
    for field, source, limit in (("subject", subject, 300), ("body_html", body_html, 100_000)):
        if not source.strip():
            raise FieldError(field, _("This field is required."))
        if len(source) > limit:
            raise FieldError(field, _("This is too long."))
        parts = (source, "") if field == "subject" else ("", source)
        try:
            render_sandboxed(*parts, dict(sample), language=language)
        except TemplateProblem as problem:
            raise FieldError(field, problem.message) from problem


def save_email_template(
    code: str, language: str, *, subject: str, body_html: str, sample: dict[str, object]
) -> EmailTemplate:
    """Stores the admin's version after checking it renders in the sandbox."""
    if language not in LANGUAGES:
        raise FieldError("language", _("Choose English, Polish or German."))
    check_email_template(subject, body_html, sample=sample, language=language)
    with atomic():
        row = db.session.get(EmailTemplate, (code, language))
        if row is None:
            row = EmailTemplate(code=code, language=language)
            db.session.add(row)
        row.subject = subject.strip()
        row.body_html = body_html
    log.info("mail template %s/%s saved", code, language)
    return row


def reset_email_template(code: str, language: str) -> None:
    """Back to the built-in file template."""
    with atomic():
        db.session.execute(
            sa.delete(EmailTemplate).where(
                EmailTemplate.code == code, EmailTemplate.language == language
            )
        )


# --- reason codes -----------------------------------------------------------------------------


@dataclass
class ReasonData:
    name: str
    requires_photos: bool
    requires_description: bool


def add_reason(kind: ReasonKind, data: ReasonData) -> ReasonCode:
    code = slug(data.name)
    if not code:
        raise FieldError("name", _("Use letters or digits in the name."))
    with atomic():
        taken = db.session.scalar(
            sa.select(ReasonCode.id).where(ReasonCode.kind == kind, ReasonCode.code == code)
        )
        if taken is not None:
            raise FieldError("name", _("This reason already exists."))
        last = db.session.scalar(
            sa.select(sa.func.max(ReasonCode.position)).where(ReasonCode.kind == kind)
        )
        reason = ReasonCode(
            kind=kind,
            code=code,
            name=data.name.strip(),
            position=(last or 0) + 10,
            requires_photos=data.requires_photos,
            requires_description=data.requires_description,
            active=True,
        )
        db.session.add(reason)
    return reason


def update_reason(reason: ReasonCode, data: ReasonData, *, active: bool) -> None:
    """Renames and sets the rules; the code stays, so past returns keep their reason."""
    with atomic():
        reason.name = data.name.strip()
        reason.requires_photos = data.requires_photos
        reason.requires_description = data.requires_description
        reason.active = active


def move_reason(reason: ReasonCode, *, up: bool) -> None:
    """Swaps the reason with its neighbour in the list of its kind."""
    with atomic():
        siblings = list(
            db.session.scalars(
                sa.select(ReasonCode)
                .where(ReasonCode.kind == reason.kind)
                .order_by(ReasonCode.position, ReasonCode.id)
            )
        )
        for position, sibling in enumerate(siblings):
            sibling.position = (position + 1) * 10  # evens out ties first
        index = siblings.index(reason)
        other = index - 1 if up else index + 1
        if 0 <= other < len(siblings):
            neighbour = siblings[other]
            reason.position, neighbour.position = neighbour.position, reason.position


# --- users and reps ---------------------------------------------------------------------------


def create_internal_user(*, email: str, name: str, role: Role, language: str, actor: User) -> User:
    """A staff member, rep or admin without a password, mailed a link to set one."""
    if role not in INTERNAL_ROLES:
        raise FieldError("role", _("Choose staff, sales rep or admin."))
    email = normalise_email(email)
    with atomic():
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            raise FieldError("email", _("A user with this e-mail already exists."))
        created = User(email=email, name=name.strip(), role=role, language=language)
        db.session.add(created)
        db.session.flush()
        outbox.enqueue(
            "admin/invitation",
            to=created.email,
            language=created.language,
            context={
                "name": created.name,
                "inviter": actor.name,
                "link": outbox.absolute_url(
                    "accounts.reset_with_token", token=make_password_token(created)
                ),
            },
        )
    log.info("user %s (%s) created by %s", created.id, role, actor.id)
    return created


def change_role(target: User, role: Role, *, actor: User) -> None:
    """Internal users move between staff, rep and admin; partner users between buyer and
    partner admin (a company's users stay with it)."""
    if target.id == actor.id:
        raise FieldError("role", _("You cannot change your own role."))
    allowed = (Role.BUYER, Role.PARTNER_ADMIN) if target.role.is_partner else INTERNAL_ROLES
    if role not in allowed:
        raise FieldError("role", _("This role does not fit this user."))
    with atomic():
        if target.role is Role.SALES_REP and role is not Role.SALES_REP:
            db.session.execute(
                sa.update(Company)
                .where(Company.sales_rep_id == target.id)
                .values(sales_rep_id=None)
            )
        target.role = role
        target.session_version += 1  # what they may see changed: log in again
    log.info("role of user %s set to %s by %s", target.id, role, actor.id)


def assign_rep(company: Company, rep: User | None) -> None:
    if rep is not None and (rep.role is not Role.SALES_REP or not rep.active):
        raise FieldError("sales_rep_id", _("Choose an active sales rep."))
    with atomic():
        company.sales_rep_id = rep.id if rep else None
