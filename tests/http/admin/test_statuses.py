"""An admin configures order statuses: names, types, order, transitions and partner mail."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.orders.models import OrderStatus, OrderStatusTransition, StatusType, Step
from tests.builders import make_product, make_user
from tests.services.orders.helpers import fill_cart, place


@pytest.fixture
def admin(login):  # type: ignore[no-untyped-def]
    return login(make_user(role=Role.ADMIN))


def status(code: str) -> OrderStatus:
    found = db.session.scalar(sa.select(OrderStatus).where(OrderStatus.code == code))
    assert found is not None
    return found


def targets_of(status_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(OrderStatusTransition.to_status_id).where(
                OrderStatusTransition.from_status_id == status_id
            )
        )
    )


def test_the_admin_index_links_every_admin_screen(admin):
    html = admin.get("/admin").get_data(as_text=True)
    for href in (
        "/admin/settings",
        "/admin/statuses",
        "/admin/rules",
        "/admin/email-templates",
        "/admin/reasons",
        "/admin/users",
        "/admin/partners",
    ):
        assert f'href="{href}"' in html


def test_admin_edits_a_status_and_its_transitions(admin):
    picking, packed, on_hold = status("picking"), status("packed"), status("on_hold")
    page = admin.get(f"/admin/statuses/{picking.id}").get_data(as_text=True)
    assert 'value="Picking"' in page
    assert f'name="targets" value="{packed.id}" checked' in page

    response = admin.post(
        f"/admin/statuses/{picking.id}",
        data={
            "name": "In the warehouse",
            "type": "problem",
            "position": "7",
            "notify_partner": "y",
            "targets": [str(on_hold.id)],
        },
    )

    assert response.status_code == 303
    db.session.expire_all()
    picking = status("picking")
    assert (picking.name, picking.type, picking.position, picking.notify_partner) == (
        "In the warehouse",
        StatusType.PROBLEM,
        7,
        True,
    )
    assert picking.step is Step.PICK, "a pipeline status keeps its step"
    assert targets_of(picking.id) == {on_hold.id}
    listing = admin.get("/admin/statuses").get_data(as_text=True)
    assert "In the warehouse" in listing


def test_a_status_without_a_name_is_refused_next_to_the_field(admin):
    new = status("new")
    response = admin.post(f"/admin/statuses/{new.id}", data={"name": "", "type": "waiting"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert status("new").name == "New"


def test_admin_adds_a_status_and_deletes_it_while_unused(admin):
    on_hold = status("on_hold")
    response = admin.post(
        "/admin/statuses",
        data={
            "name": "Waiting for the customer",
            "type": "problem",
            "position": "85",
            "targets": [str(on_hold.id)],
        },
    )
    assert response.status_code == 303
    added = status("waiting_for_the_customer")
    assert added.step is None and targets_of(added.id) == {on_hold.id}

    again = admin.post(
        "/admin/statuses",
        data={"name": "Waiting for the customer", "type": "problem", "position": "1"},
    )
    assert again.status_code == 422
    assert "A status with this name already exists." in again.get_data(as_text=True)

    assert admin.post(f"/admin/statuses/{added.id}/delete").status_code == 303
    assert db.session.scalar(sa.select(OrderStatus).where(OrderStatus.id == added.id)) is None
    assert targets_of(added.id) == set()


def test_a_pipeline_status_or_a_used_one_cannot_be_deleted(admin):
    new = status("new")
    admin.post(f"/admin/statuses/{new.id}/delete")
    assert db.session.get(OrderStatus, new.id) is not None

    response = admin.post(
        "/admin/statuses", data={"name": "Parked", "type": "neutral", "position": "90"}
    )
    assert response.status_code == 303
    parked = status("parked")
    buyer = make_user()
    fill_cart(buyer, (make_product(stock=3), "1"))
    order = place(buyer)
    order.status_id = parked.id
    db.session.flush()
    html = admin.post(f"/admin/statuses/{parked.id}/delete", follow_redirects=True).get_data(
        as_text=True
    )
    assert "is used by orders and cannot be deleted" in html
    assert db.session.get(OrderStatus, parked.id) is not None


@pytest.mark.parametrize("role", [Role.STAFF, Role.SALES_REP, Role.BUYER, Role.PARTNER_ADMIN])
def test_only_admins_reach_the_admin_screens(login, role):
    client = login(make_user(role=role))
    new = status("new")
    for url in (
        "/admin",
        "/admin/statuses",
        f"/admin/statuses/{new.id}",
        "/admin/email-templates",
        "/admin/email-templates/edit?code=status/new&language=en",
        "/admin/reasons",
        "/admin/users",
        "/admin/partners",
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            f"/admin/statuses/{new.id}", data={"name": "Hacked", "type": "waiting"}
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert status("new").name == "New"


def test_the_pipeline_follows_the_admins_transitions_at_once(admin):
    from portal.core.db import atomic
    from portal.orders.statuses import InvalidTransition, move_to_step

    buyer = make_user()
    fill_cart(buyer, (make_product(stock=3), "1"))
    order = place(buyer)
    new, on_hold = status("new"), status("on_hold")
    admin.post(
        f"/admin/statuses/{new.id}",
        data={"name": "New", "type": "waiting", "position": "2", "targets": [str(on_hold.id)]},
    )
    with pytest.raises(InvalidTransition), atomic():
        move_to_step(order, Step.CONFIRM, actor=None)
    with atomic():
        move_to_step(order, Step.HOLD, actor=None)
    assert order.status_id == on_hold.id
