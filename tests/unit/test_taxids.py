from __future__ import annotations

import pytest

from portal.accounts.taxids import InvalidTaxId, TaxId, display_tax_id, parse_tax_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("526-000-12-46", TaxId("5260001246", "PL")),
        ("PL 5260001246", TaxId("5260001246", "PL")),
        ("DE136695976", TaxId("DE136695976", "DE")),
        ("ATU13585627", TaxId("ATU13585627", "AT")),
    ],
)
def test_valid_tax_ids_are_normalised(text, expected):
    assert parse_tax_id(text) == expected


@pytest.mark.parametrize(
    "text", ["5260001247", "DE136695977", "XX123", "", "'; DROP TABLE users; --"]
)
def test_invalid_tax_ids_are_refused(text):
    with pytest.raises(InvalidTaxId):
        parse_tax_id(text)


def test_nip_is_displayed_with_dashes():
    assert display_tax_id("5260001246", "PL") == "526-000-12-46"
    assert display_tax_id(None, None) == ""
