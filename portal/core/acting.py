"""Acting for a partner: a sales rep (or staff) works as one of an assigned partner's users.

While acting, that user's cart, limits and prices apply, and everything done is recorded as
done by the real person for the partner. `customer()` is whose data a page works on,
`user()` (core.web) is who is logged in.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g, session
from flask_login import current_user
from sqlalchemy.orm import joinedload

from portal.accounts.models import Company, Role, User
from portal.core.db import db
from portal.core.scope import visible_companies

ACTING_KEY = "acting_as_user_id"


def acting_target(actor: User, user_id: int) -> User | None:
    """A partner user the actor may act as: an active user of a company the actor sees."""
    if actor.role not in (Role.SALES_REP, Role.STAFF, Role.ADMIN):
        return None
    return db.session.scalar(
        sa.select(User)
        .join(Company, Company.id == User.company_id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            User.role.in_((Role.BUYER, Role.PARTNER_ADMIN)),
            visible_companies(actor),
        )
        .options(joinedload(User.company))
    )


def acting_as() -> User | None:
    """The partner user being acted as in this session, or None."""
    if "acting_as" in g:
        found: User | None = g.acting_as
        return found
    target = None
    raw = session.get(ACTING_KEY)
    if raw and current_user.is_authenticated:
        target = acting_target(current_user._get_current_object(), int(raw))
        if target is None:
            session.pop(ACTING_KEY, None)
    g.acting_as = target
    return target


def customer() -> User:
    """The partner user whose cart and orders this request works on; 404 for users who
    are neither partners nor acting as one."""
    target = acting_as()
    if target is not None:
        return target
    me: User = current_user._get_current_object()
    if not me.is_partner:
        abort(404)
    return me


def start_acting(target: User) -> None:
    session[ACTING_KEY] = target.id
    g.pop("acting_as", None)


def stop_acting() -> None:
    session.pop(ACTING_KEY, None)
    g.pop("acting_as", None)
