"""Account commands: log in, reset passwords, invite and deactivate users, edit addresses."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.accounts.models import Address, Company, LoginFailure, Role, User
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.core.db import atomic, db, utcnow
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.notifications import outbox

log = logging.getLogger(__name__)

PARTNER_INVITABLE_ROLES = (Role.BUYER, Role.PARTNER_ADMIN)


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Wrong e-mail or password."))


class LoginThrottled(DomainError):
    status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(
            _(
                "Too many failed logins. For your security, logging in is paused for "
                "%(minutes)s minutes. You can reset your password meanwhile.",
                minutes=minutes,
            )
        )


class AccountInactive(DomainError):
    def __init__(self) -> None:
        super().__init__(_("This account is inactive. Please contact your administrator."))


class FieldError(DomainError):
    """A rule about one form field; the view shows it next to that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- logging in -----------------------------------------------------------------------------


def _recent_failures(column: Any, value: str, since: Any) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginFailure)
            .where(column == value, LoginFailure.created_at >= since)
        )
        or 0
    )


def authenticate(email: str, password: str, *, address: str) -> User:
    """The user behind these credentials, or a DomainError; failures are counted per
    account and per client address, and only failures count."""
    email = normalise_email(email)
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    since = utcnow() - window
    with atomic():
        throttled = (
            _recent_failures(LoginFailure.email, email, since) >= config["LOGIN_MAX_FAILURES"]
            or _recent_failures(LoginFailure.address, address, since)
            >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
        )
        if throttled:
            log.warning("login throttled for email=%s address=%s", email, address)
            raise LoginThrottled(config["LOGIN_FAILURE_WINDOW_MINUTES"])
        user = db.session.scalar(
            sa.select(User).where(User.email == email).options(sa.orm.joinedload(User.company))
        )
        if user is None or not verify_password(user.password_hash if user else None, password):
            db.session.add(LoginFailure(email=email[:254], address=address[:64]))
            failure: DomainError = InvalidCredentials()
        elif not user.active or (user.company is not None and not user.company.active):
            failure = AccountInactive()
        else:
            user.last_login_at = utcnow()
            if user.password_hash and needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            return user
    raise failure


# --- tokens for password reset and invitations -------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal-{purpose}")


def _password_fingerprint(user: User) -> str:
    # The token dies once the password changes, which makes it single-use.
    return (user.password_hash or "unset")[-16:]


def make_password_token(user: User) -> str:
    return _serializer("password").dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_password_token(token: str, *, max_age: int) -> User | None:
    try:
        data = _serializer("password").loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("p") != _password_fingerprint(user):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Mails a reset link if the account exists; answers the same either way."""
    with atomic():
        user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
        if user is None or not user.active:
            log.info("password reset asked for an unknown or inactive account")
            return
        token = make_password_token(user)
        outbox.enqueue(
            "accounts/password_reset",
            to=user.email,
            language=user.language,
            context={
                "name": user.name,
                "link": outbox.absolute_url("accounts.reset_with_token", token=token),
                "hours": max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600),
            },
        )


def set_password(user: User, password: str) -> None:
    """Sets a new password and ends every other session of the user."""
    with atomic():
        user.password_hash = hash_password(password)
        user.session_version += 1


def change_password(user: User, *, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise FieldError("current_password", _("This is not your current password."))
    set_password(user, new)


def update_profile(user: User, *, name: str, phone: str | None, language: str) -> None:
    with atomic():
        user.name = name.strip()
        user.phone = (phone or "").strip() or None
        user.language = language


# --- the partner admin's company ---------------------------------------------------------------


def invite_user(company: Company, *, email: str, name: str, role: Role, actor: User) -> User:
    """Creates a user without a password and mails them a link to set one."""
    if role not in PARTNER_INVITABLE_ROLES:
        raise FieldError("role", _("Choose buyer or partner admin."))
    email = normalise_email(email)
    with atomic():
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            raise FieldError("email", _("A user with this e-mail already exists."))
        user = User(
            email=email,
            name=name.strip(),
            role=role,
            company_id=company.id,
            language=actor.language,
        )
        db.session.add(user)
        db.session.flush()
        outbox.enqueue(
            "accounts/invitation",
            to=user.email,
            language=user.language,
            context={
                "name": user.name,
                "company": company.name,
                "inviter": actor.name,
                "link": outbox.absolute_url(
                    "accounts.reset_with_token", token=make_password_token(user)
                ),
            },
        )
    return user


def set_user_active(target: User, *, active: bool, actor: User) -> None:
    if target.id == actor.id:
        raise DomainError(_("You cannot deactivate yourself."))
    with atomic():
        target.active = active
        if not active:
            target.session_version += 1  # logs them out everywhere


@dataclass
class AddressData:
    label: str
    recipient: str
    street: str
    postal_code: str
    city: str
    country: str
    phone: str | None
    is_default: bool


def save_address(company: Company, data: AddressData, *, address: Address | None = None) -> Address:
    with atomic():
        if address is None:
            address = Address(company_id=company.id)
            db.session.add(address)
        for field, value in vars(data).items():
            setattr(address, field, value.strip() if isinstance(value, str) else value)
        address.country = address.country.upper()
        db.session.flush()
        if address.is_default:
            db.session.execute(
                sa.update(Address)
                .where(Address.company_id == company.id, Address.id != address.id)
                .values(is_default=False)
            )
    return address


def archive_address(address: Address) -> None:
    """Addresses are archived, not deleted: past orders still point at them."""
    with atomic():
        address.archived = True
        address.is_default = False


def set_limits(
    target: User, *, order_limit: Decimal | None, monthly_limit: Decimal | None, actor: User
) -> None:
    """A partner admin sets a buyer's spending limits (gross); None means no limit."""
    for field, value in (("order_limit", order_limit), ("monthly_limit", monthly_limit)):
        if value is not None and (value < 0 or value != value.quantize(Decimal("0.01"))):
            raise FieldError(
                field, _("Enter an amount such as 5000 or 5000.50, or leave it empty.")
            )
    with atomic():
        target.order_limit = order_limit
        target.monthly_limit = monthly_limit
    log.info("limits of user %s set by %s", target.id, actor.id)
