"""Who may see which rows: the one place that decides it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.accounts.models import Company, Role, User


def visible_companies(user: User) -> sa.ColumnElement[bool]:
    """A condition on Company: the companies whose data this user may see."""
    if user.role.is_staff:
        return sa.true()
    if user.role is Role.SALES_REP:
        return Company.sales_rep_id == user.id
    return Company.id == user.company_id


def visible_to(user: User, model: Any) -> sa.ColumnElement[bool]:
    """A condition on a company-owned model (anything with a company_id column)."""
    column = model.company_id
    if user.role.is_staff:
        return sa.true()
    if user.role is Role.SALES_REP:
        return column.in_(sa.select(Company.id).where(Company.sales_rep_id == user.id))
    return column == user.company_id


def documents_visible_to(user: User) -> sa.ColumnElement[bool]:
    """A condition on Document for the partner-facing document area: issued documents of the
    kinds partners see (PARTNER_KINDS), of the companies this user may see. Staff see every
    kind and state in the office instead."""
    from portal.documents.models import PARTNER_KINDS, Document, DocumentState

    return sa.and_(
        visible_to(user, Document),
        Document.kind.in_(PARTNER_KINDS),
        Document.state != DocumentState.DRAFT,
    )
