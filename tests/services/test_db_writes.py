"""Writes as rows of tables (core.db.inserted, insert_rows): what the ORM would have written,
on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.accounts.models import Company, Role, User
from portal.core.db import atomic, db, insert_rows, inserted
from portal.documents.models import Document, DocumentEvent, DocumentKind, EventKind
from portal.notifications.models import MailStatus, OutboxMessage
from tests.builders import make_company, make_user


def test_an_inserted_row_is_the_sessions_object_with_its_defaults(app):
    with app.app_context(), atomic():
        message = inserted(
            OutboxMessage,
            template="accounts/invitation",
            recipient="anna@acme.example",
            rendered_subject="Hello",  # an attribute whose column is called "subject"
        )
        assert message.id is not None
        assert db.session.get(OutboxMessage, message.id) is message
        assert message.status is MailStatus.PENDING  # a default, read when first used
        stored = db.session.execute(
            sa.select(sa.text("subject"))
            .select_from(OutboxMessage.__table__)
            .where(OutboxMessage.id == message.id)
        ).scalar_one()
        assert stored == "Hello"


def test_rows_go_in_together_and_rows_of_other_columns_are_refused(app):
    with app.app_context(), atomic():
        actor = make_user(role=Role.STAFF)
        company = make_company()
        order = _order(company, actor)
        insert_rows(
            DocumentEvent,
            [
                {"document_id": order, "kind": EventKind.CREATED, "actor_id": actor.id, "note": n}
                for n in ("one", "two", "żółw")
            ],
        )
        notes = db.session.scalars(
            sa.select(DocumentEvent.note)
            .where(DocumentEvent.document_id == order)
            .order_by(DocumentEvent.id)
        ).all()
        assert notes == ["one", "two", "żółw"]
        with pytest.raises(ValueError, match="differ in their columns"):
            insert_rows(
                DocumentEvent,
                [
                    {"document_id": order, "kind": EventKind.CREATED, "note": "three"},
                    {"document_id": order, "kind": EventKind.CREATED},
                ],
            )
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(DocumentEvent.document_id == order))
            == 3
        )


def _order(company: Company, actor: User) -> int:
    document = inserted(
        Document,
        kind=DocumentKind.ZK,
        number=f"ZK/TEST/{company.id}",
        issued_on=date(2026, 11, 26),
        company_id=company.id,
        created_by_id=actor.id,
    )
    return document.id
