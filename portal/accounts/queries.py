"""Account reads, scoped to the user asking."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, with_expression

from portal.accounts.models import Address, Company, User
from portal.core.db import db
from portal.core.scope import visible_to


# Statements every request (or every checkout) runs are built once: building one costs about
# as much Python as running it.
@cache  # on first use: a loader option needs every model mapped
def _session_user() -> sa.Select[User]:
    from portal.stock.queries import MAIN_WAREHOUSE_ID

    return (
        sa.select(User)
        .where(
            User.id == sa.bindparam("id"),
            User.session_version == sa.bindparam("version"),
            User.active,
        )
        .options(
            joinedload(User.company),
            with_expression(User.main_warehouse_id, MAIN_WAREHOUSE_ID.scalar_subquery()),
        )
    )


def user_for_session(session_id: str) -> User | None:
    """Flask-Login's loader: 'id:version', so a bumped version ends old sessions."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    return db.session.scalar(_session_user(), {"id": int(user_id), "version": int(version)})


def company_users(company: Company) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.company_id == company.id)
            .order_by(User.active.desc(), User.name)
        )
    )


def company_user_for(actor: User, user_id: int) -> User:
    """A user of the actor's own company, or 404."""
    return db.one_or_404(
        sa.select(User).where(
            User.id == user_id, User.company_id.is_not(None), visible_to(actor, User)
        )
    )


_ADDRESSES = (
    sa.select(Address)
    .where(Address.company_id == sa.bindparam("company"), Address.archived.is_(False))
    .order_by(Address.is_default.desc(), Address.label)
)


def addresses_of(company: Company) -> list[Address]:
    return list(db.session.scalars(_ADDRESSES, {"company": company.id}))


def address_for(actor: User, address_id: int) -> Address:
    return db.one_or_404(
        sa.select(Address).where(
            Address.id == address_id, Address.archived.is_(False), visible_to(actor, Address)
        )
    )
