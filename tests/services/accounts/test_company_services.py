"""The partner admin's commands: invitations, (de)activation and shipping addresses."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role, User
from portal.accounts.services import (
    AddressData,
    FieldError,
    archive_address,
    invite_user,
    save_address,
    set_user_active,
)
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.notifications.models import OutboxMessage
from tests.builders import make_address, make_company, make_user


@pytest.fixture
def request_context(app):
    """Invitations carry a link built with url_for."""
    with app.test_request_context():
        yield


def mail() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage)))


def address_data(**changes) -> AddressData:
    values = {
        "label": " Magazyn ",
        "recipient": "Acme",
        "street": "ul. Długa 1",
        "postal_code": "60-001",
        "city": "Poznań",
        "country": "pl",
        "phone": None,
        "is_default": False,
    }
    values.update(changes)
    return AddressData(**values)


def test_an_invited_user_has_no_password_and_an_invitation_in_the_outbox(request_context):
    company = make_company(name="Acme")
    admin = make_user(role=Role.PARTNER_ADMIN, company=company, name="Ada", language="pl")

    invited = invite_user(
        company, email=" Zofia@Acme.example ", name=" Zofia ", role=Role.BUYER, actor=admin
    )

    assert (invited.email, invited.name, invited.company_id) == (
        "zofia@acme.example",
        "Zofia",
        company.id,
    )
    assert not invited.has_password
    assert invited.language == "pl"
    [message] = mail()
    assert (message.template, message.recipient) == ("accounts/invitation", "zofia@acme.example")
    assert "http://portal.test/password/reset/" in message.body_text


def test_an_invitation_for_an_existing_email_is_refused_without_mail(request_context):
    with atomic():  # committed, so the refusal's rollback cannot take it along
        company = make_company()
        admin = make_user(role=Role.PARTNER_ADMIN, company=company)
        taken = make_user(email="taken@acme.example", name="Already Here")

    with pytest.raises(FieldError) as refused:
        invite_user(company, email="TAKEN@acme.example", name="X", role=Role.BUYER, actor=admin)

    assert refused.value.field == "email"
    assert mail() == []
    assert db.session.scalars(sa.select(User.name).where(User.email == taken.email)).all() == [
        "Already Here"
    ]


def test_partner_admins_invite_only_partner_roles(request_context):
    company = make_company()
    admin = make_user(role=Role.PARTNER_ADMIN, company=company)

    with pytest.raises(FieldError) as refused:
        invite_user(company, email="x@acme.example", name="X", role=Role.STAFF, actor=admin)

    assert refused.value.field == "role"
    assert mail() == []


def test_deactivation_ends_the_users_sessions_and_reactivation_lets_them_back():
    company = make_company()
    admin = make_user(role=Role.PARTNER_ADMIN, company=company)
    buyer = make_user(company=company)
    session_id = buyer.get_id()

    set_user_active(buyer, active=False, actor=admin)
    assert not buyer.active
    assert buyer.get_id() != session_id

    set_user_active(buyer, active=True, actor=admin)
    assert buyer.active


def test_nobody_deactivates_themselves():
    admin = make_user(role=Role.PARTNER_ADMIN)

    with pytest.raises(DomainError):
        set_user_active(admin, active=False, actor=admin)

    assert admin.active


def test_a_saved_address_is_trimmed_and_its_country_upper_cased():
    address = save_address(make_company(), address_data())

    assert (address.label, address.country) == ("Magazyn", "PL")


def test_a_new_default_address_unsets_the_previous_default_of_the_same_company_only():
    company = make_company()
    old_default = make_address(company, is_default=True)
    elsewhere = make_address(make_company(), is_default=True)

    new_default = save_address(company, address_data(is_default=True))

    assert new_default.is_default
    assert not old_default.is_default
    assert elsewhere.is_default


def test_an_archived_address_is_kept_but_no_longer_the_default():
    company = make_company()
    address = make_address(company, is_default=True)

    archive_address(address)

    assert address.archived
    assert not address.is_default
