"""Filing test data: a partner's delivered order, reasons and a default claim."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.accounts.models import Role, User
from portal.core.db import db
from portal.documents.models import DocumentLine, ReasonCode, ReasonKind
from portal.returns.filing import ClaimLine, submit_rma
from portal.returns.models import Resolution, RmaKind
from tests.builders import make_company, make_user

_keys = itertools.count(1)


def reason(kind: ReasonKind, code: str) -> ReasonCode:
    found = db.session.scalar(
        sa.select(ReasonCode).where(ReasonCode.kind == kind, ReasonCode.code == code)
    )
    assert found is not None, f"the defaults migration should create {kind}/{code}"
    return found


def no_longer_needed() -> ReasonCode:
    return reason(ReasonKind.RETURN, "no_longer_needed")


def partner_buyer(**overrides: Any) -> User:
    return make_user(role=Role.BUYER, company=make_company(), **overrides)


def wz_lines(note) -> list[DocumentLine]:
    return list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == note.id)
            .order_by(DocumentLine.position)
        )
    )


def claim(line: DocumentLine, quantity: str = "1", **overrides: Any) -> ClaimLine:
    values: dict[str, Any] = {
        "delivered_line_id": line.id,
        "quantity": Decimal(quantity),
        "reason_id": no_longer_needed().id,
        "description": "",
        "resolution": Resolution.REFUND,
        "photos": (),
    }
    values.update(overrides)
    return ClaimLine(**values)


def file_return(buyer: User, *claims: ClaimLine, kind: RmaKind = RmaKind.RETURN, **kw: Any):
    kw.setdefault("idempotency_key", f"test-key-{next(_keys)}")
    db.session.commit()  # a refusal rolls back to here, not the data the test built
    return submit_rma(buyer, actor=kw.pop("actor", buyer), kind=kind, lines=claims, **kw)
