"""Tax IDs: Polish NIP and EU VAT numbers, validated by checksum with python-stdnum."""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.pl import nip


@dataclass(frozen=True)
class TaxId:
    number: str
    """Normalised: bare ten digits for a Polish NIP, the country prefix plus digits otherwise."""
    country: str


class InvalidTaxId(ValueError):
    pass


def parse_tax_id(text: str) -> TaxId:
    """'PL 526-000-12-46', '5260001246' and 'DE136695976' are accepted; checksums are checked."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if not raw:
        raise InvalidTaxId("empty")
    if raw.isdigit() or raw.startswith("PL"):
        digits = raw.removeprefix("PL")
        try:
            return TaxId(nip.validate(digits), "PL")
        except stdnum_errors.ValidationError as error:
            raise InvalidTaxId(str(error)) from error
    try:
        number = eu_vat.validate(raw)
    except stdnum_errors.ValidationError as error:
        raise InvalidTaxId(str(error)) from error
    country = eu_vat.guess_country(number)[0] if not number[:2].isalpha() else number[:2]
    return TaxId(number, country.upper())


def display_tax_id(number: str | None, country: str | None) -> str:
    if not number:
        return ""
    if country == "PL" and number.isdigit():
        return nip.format(number)
    return number
