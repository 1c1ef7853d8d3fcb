"""An admin keeps the reason codes of returns, complaints and write-offs."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import ReasonCode, ReasonKind
from tests.builders import make_user


def reasons_of(kind: ReasonKind) -> list[ReasonCode]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(ReasonCode)
            .where(ReasonCode.kind == kind)
            .order_by(ReasonCode.position, ReasonCode.id)
        )
    )


def test_admin_adds_renames_reorders_and_deactivates_reasons(login):
    admin = login(make_user(role=Role.ADMIN))
    assert "Defective" in admin.get("/admin/reasons").get_data(as_text=True)

    response = admin.post(
        "/admin/reasons",
        data={"kind": "complaint", "name": "Wrong colour", "requires_photos": "y"},
    )
    assert response.status_code == 303
    added = reasons_of(ReasonKind.COMPLAINT)[-1]
    assert (added.code, added.name, added.requires_photos, added.requires_description) == (
        "wrong_colour",
        "Wrong colour",
        True,
        False,
    )

    duplicate = admin.post("/admin/reasons", data={"kind": "complaint", "name": "Wrong colour"})
    assert duplicate.status_code == 422
    assert "This reason already exists." in duplicate.get_data(as_text=True)

    admin.post(f"/admin/reasons/{added.id}/move", data={"direction": "up"})
    order = [reason.code for reason in reasons_of(ReasonKind.COMPLAINT)]
    assert order.index("wrong_colour") == len(order) - 2

    admin.post(
        f"/admin/reasons/{added.id}",
        data={"name": "Wrong colour or finish", "requires_description": "y"},
    )
    [changed] = [r for r in reasons_of(ReasonKind.COMPLAINT) if r.id == added.id]
    assert (
        changed.name,
        changed.code,
        changed.requires_photos,
        changed.requires_description,
        changed.active,
    ) == ("Wrong colour or finish", "wrong_colour", False, True, False)


def test_a_reason_needs_a_name(login):
    admin = login(make_user(role=Role.ADMIN))
    response = admin.post("/admin/reasons", data={"kind": "return", "name": ""})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert admin.post("/admin/reasons", data={"kind": "nonsense", "name": "x"}).status_code == 400


def test_wtforms_own_messages_speak_the_admins_language(login):
    """WTForms' built-in messages come translated (its catalog is read once per language)."""
    polish = login(make_user(role=Role.ADMIN, language="pl"))
    german = login(make_user(role=Role.ADMIN, language="de"))
    for client, words in (
        (polish, "To pole jest wymagane."),
        (german, "Dieses Feld wird benötigt."),
    ):
        html = client.post("/admin/reasons", data={"kind": "return", "name": ""}).get_data(
            as_text=True
        )
        assert words in html
