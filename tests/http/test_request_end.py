"""How a request ends its transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.core.db import db


@pytest.mark.no_rollback  # the outer test transaction would turn the commit into a savepoint
def test_a_request_ends_what_it_read_with_a_commit_not_a_rollback(app, client):
    """psycopg drops every prepared statement of the connection on a rollback, so a request
    that only read must not end with one (PostgreSQL would plan each statement again)."""
    ended: list[str] = []

    def committed(_connection: sa.Connection) -> None:
        ended.append("commit")

    def rolled_back(_connection: sa.Connection) -> None:
        ended.append("rollback")

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "commit", committed)
    sa.event.listen(engine, "rollback", rolled_back)
    try:
        assert client.get("/healthz").status_code == 200  # reads the database
    finally:
        sa.event.remove(engine, "commit", committed)
        sa.event.remove(engine, "rollback", rolled_back)
    assert ended == ["commit"]
