"""Auto-approval: an RMA matching an active rule is approved at once, with the rule's
instructions; the first active match (by position) wins.

`matching_rule` is pure; `in_good_standing` asks the database whether the partner has an
overdue, unpaid invoice or receipt.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.core.db import db
from portal.documents.models import Document, DocumentKind, DocumentState
from portal.returns.models import RmaKind, RmaRule


def matches(rule: RmaRule, *, kind: RmaKind, net_value: Decimal, good_standing: bool) -> bool:
    if not rule.active:
        return False
    if rule.kind is not None and rule.kind != kind:
        return False
    if rule.max_value is not None and net_value > rule.max_value:
        return False
    return good_standing or not rule.require_good_standing


def matching_rule(
    rules: Iterable[RmaRule], *, kind: RmaKind, net_value: Decimal, good_standing: bool
) -> RmaRule | None:
    """The first active rule (by position, then id) the RMA matches, or None."""
    for rule in sorted(rules, key=lambda r: (r.position, r.id or 0)):
        if matches(rule, kind=kind, net_value=net_value, good_standing=good_standing):
            return rule
    return None


def active_rules() -> list[RmaRule]:
    return list(
        db.session.scalars(
            sa.select(RmaRule)
            .where(RmaRule.active.is_(True))
            .order_by(RmaRule.position, RmaRule.id)
        )
    )


def in_good_standing(company_id: int, today: date) -> bool:
    """No invoice or receipt (FS, PA) of the partner is past its due date and unpaid."""
    overdue = db.session.scalar(
        sa.select(Document.id)
        .where(
            Document.company_id == company_id,
            Document.kind.in_((DocumentKind.FS, DocumentKind.PA)),
            Document.state == DocumentState.ISSUED,
            Document.due_on < today,
            Document.paid_total < Document.gross_total,
        )
        .limit(1)
    )
    return overdue is None
