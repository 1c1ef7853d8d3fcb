"""An admin keeps the seller's own details, which documents print."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.core.db import db
from portal.seller.models import SellerSettings
from tests.builders import make_user

VALID = {
    "name": "Hurtownia Testowa Sp. z o.o.",
    "tax_id": "526-000-12-46",
    "street": "ul. Składowa 12",
    "postal_code": "61-888",
    "city": "Poznań",
    "country": "PL",
    "email": "biuro@hurtownia.example",
    "phone": "+48 61 000 00 00",
    "return_recipient": "Dział reklamacji",
    "return_street": "ul. Zwrotna 3",
    "return_postal_code": "61-889",
    "return_city": "Poznań",
    "return_country": "PL",
    "bank_name": "mBank",
    "bank_account": "PL61 1090 1014 0000 0712 1981 2874",
}


def test_admin_saves_the_sellers_details_normalised(login):
    client = login(make_user(role=Role.ADMIN))
    assert "Seller settings" in client.get("/admin").get_data(as_text=True)
    response = client.post("/admin/settings", data=VALID)
    assert response.status_code == 303
    db.session.expire_all()
    settings = db.session.get(SellerSettings, 1)
    assert (settings.name, settings.tax_id, settings.bank_account) == (
        "Hurtownia Testowa Sp. z o.o.",
        "5260001246",
        "PL61109010140000071219812874",
    )


def test_a_bad_tax_id_or_iban_is_shown_next_to_the_field_and_input_is_kept(login):
    client = login(make_user(role=Role.ADMIN))
    response = client.post(
        "/admin/settings", data={**VALID, "tax_id": "5260001247", "bank_account": "PL00 1234"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This tax ID is not valid (check digit)." in html
    assert "This IBAN is not valid." in html
    assert 'value="ul. Składowa 12"' in html and 'value="5260001247"' in html
    db.session.expire_all()
    assert db.session.get(SellerSettings, 1).tax_id != "5260001247"


def test_only_admins_edit_the_settings(login):
    for role in (Role.STAFF, Role.SALES_REP, Role.BUYER):
        client = login(make_user(role=role))
        assert client.get("/admin/settings").status_code == 403
        assert client.post("/admin/settings", data=VALID).status_code == 403
