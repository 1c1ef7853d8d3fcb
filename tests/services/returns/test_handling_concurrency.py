"""Two staff receive the same parcel at the same moment: the RMA is received once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.core.db import db
from portal.documents.models import Document, DocumentEvent
from portal.returns import handling
from portal.returns.models import Resolution, RmaStatus
from portal.returns.states import InvalidRmaTransition
from tests.conftest import app_config, migrate_to_head
from tests.services.returns.test_handling import (
    delivered_order,
    make_rma,
    staff_member,
)

pytestmark = [pytest.mark.concurrency, pytest.mark.no_rollback]


def test_two_staff_receiving_at_once_book_the_parcel_once(isolated_database_url, tmp_path):
    app = create_app(app_config(tmp_path, isolated_database_url))
    migrate_to_head(app)
    with app.app_context():
        rma = make_rma(delivered_order(("10.00", "4")), (0, "3", Resolution.REFUND))
        first, second = staff_member(), staff_member()
        handling.approve(rma, actor=first, instructions="")
        ids = (rma.id, first.id, second.id)
        db.session.commit()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def receive(user_id: int) -> None:
        with app.app_context():
            from portal.accounts.models import User

            document = db.session.get_one(Document, ids[0])
            actor = db.session.get_one(User, user_id)
            [claim] = handling.claim_lines(document)
            db.session.commit()
            start.wait()
            try:
                handling.receive(document, actor=actor, quantities={claim.line.id: Decimal(3)})
                outcomes.append("received")
            except InvalidRmaTransition:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=receive, args=(user_id,)) for user_id in ids[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["received", "refused"]
    with app.app_context():
        events = db.session.scalars(
            sa.select(DocumentEvent).where(
                DocumentEvent.document_id == ids[0], DocumentEvent.rma_status == "received"
            )
        ).all()
        assert len(events) == 1
        assert handling.info_of(db.session.get_one(Document, ids[0])).status is RmaStatus.RECEIVED
        db.session.remove()
        db.engine.dispose()
