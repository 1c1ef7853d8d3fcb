"""Two submissions racing for the same delivered line, each in its own session and
transaction (on SQLite and on PostgreSQL): together they never claim more than was delivered."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.accounts.models import User
from portal.core.db import db
from portal.documents.models import Document, DocumentKind, DocumentLine
from portal.returns.filing import FilingRefused
from tests.builders import delivered_order, make_product
from tests.conftest import app_config, migrate_to_head
from tests.services.returns.helpers import claim, file_return, partner_buyer, wz_lines

pytestmark = [pytest.mark.concurrency, pytest.mark.no_rollback]
RIVALS = 2


def test_two_concurrent_rmas_never_over_claim_a_line(isolated_database_url, tmp_path):
    app = create_app(app_config(tmp_path, isolated_database_url))
    migrate_to_head(app)
    with app.app_context():
        buyer = partner_buyer()
        _order, note = delivered_order(buyer, (make_product(), "3"))
        (line,) = wz_lines(note)
        db.session.commit()
        buyer_id, line_id = buyer.id, line.id

    barrier = threading.Barrier(RIVALS)
    outcomes: list[str] = [""] * RIVALS

    def submit(i: int) -> None:
        with app.app_context():
            try:
                buyer = db.session.get_one(User, buyer_id)
                line = db.session.get_one(DocumentLine, line_id)
                db.session.commit()  # start the race from a clean session
                barrier.wait()
                rma = file_return(buyer, claim(line, "2"), idempotency_key=f"rival-{i}")
                outcomes[i] = rma.number or "?"
            except FilingRefused as refused:
                outcomes[i] = "refused: " + " ".join(refused.errors.values())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(RIVALS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    filed = [o for o in outcomes if o.startswith("RMA/")]
    refused = [o for o in outcomes if o.startswith("refused")]
    assert (len(filed), len(refused)) == (1, 1), outcomes
    assert "At most 1" in refused[0]
    with app.app_context():
        claimed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Document)
            .where(Document.kind == DocumentKind.RMA)
        )
        assert claimed == 1
        quantity = db.session.scalar(
            sa.select(DocumentLine.quantity)
            .join(Document, Document.id == DocumentLine.document_id)
            .where(Document.kind == DocumentKind.RMA)
        )
        assert quantity == Decimal(2)
        db.session.remove()
        db.engine.dispose()


def test_two_people_submitting_at_once_against_a_real_server_never_over_claim(
    isolated_database_url, tmp_path
):
    """The buyer and the partner admin, on two phones, file against the same line at once."""
    import re

    from werkzeug.serving import make_server

    from portal.accounts.models import Role
    from portal.returns.models import RmaInfo
    from tests.builders import DEFAULT_PASSWORD, make_user
    from tests.concurrency.test_last_units_race import Browser
    from tests.services.returns.helpers import no_longer_needed

    app = create_app(app_config(tmp_path, isolated_database_url))
    migrate_to_head(app)
    with app.app_context():
        buyer = partner_buyer(email="race-buyer@example.com")
        make_user(role=Role.PARTNER_ADMIN, company=buyer.company, email="race-admin@example.com")
        order, note = delivered_order(buyer, (make_product(), "3"))
        (line,) = wz_lines(note)
        reason_id = no_longer_needed().id
        db.session.commit()
        order_id, line_id = order.id, line.id

    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = False
    server.block_on_close = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        browsers, forms = [], []
        for email in ("race-buyer@example.com", "race-admin@example.com"):
            browser = Browser(base)
            status, _, _ = browser.request("/login", {"email": email, "password": DEFAULT_PASSWORD})
            assert status == 303
            status, html, _ = browser.request(f"/returns/new?order={order_id}")
            assert status == 200 and ">Submit<" in html
            key = re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)
            browsers.append(browser)
            forms.append(
                {
                    "key": key,
                    "kind": "return",
                    "order": str(order_id),
                    "line": str(line_id),
                    f"line-{line_id}-pick": "1",
                    f"line-{line_id}-quantity": "2",
                    f"line-{line_id}-reason": str(reason_id),
                    f"line-{line_id}-resolution": "refund",
                }
            )
        barrier = threading.Barrier(RIVALS)
        results: list[tuple[int, str, str]] = [(0, "", "")] * RIVALS

        def submit(i: int) -> None:
            barrier.wait()
            results[i] = browsers[i].request("/returns/new", forms[i])

        workers = [threading.Thread(target=submit, args=(i,)) for i in range(RIVALS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        codes = sorted(code for code, _, _ in results)
        assert codes == [303, 422], codes
        refused = next(html for code, html, _ in results if code == 422)
        assert "At most 1 pcs can be claimed" in refused
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RmaInfo)) == 1
        db.session.remove()
        db.engine.dispose()
