"""Carriers: who takes a shipment and gives it a tracking number.

A carrier has a name (stored on the shipment), a label to show and `book(shipment)`, which
returns the tracking number. The manual carrier keeps what staff typed; the demo carrier
makes up numbers that look real and delivers two days after shipping (`deliver-due`).
"""

from __future__ import annotations

from typing import Protocol

from flask_babel.speaklater import LazyString

from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy_gettext as _l
from portal.fulfilment.models import Shipment

DEMO_DELIVERY_DAYS = 2


class UnknownCarrier(DomainError):
    pass


class Carrier(Protocol):
    name: str
    label: LazyString
    staff_type_tracking: bool
    """Staff type the tracking number when packing (the carrier gives none)."""
    delivers_by_itself_after_days: int | None
    """The carrier reports delivery this many days after shipping (None: staff mark it)."""

    def book(self, shipment: Shipment) -> str: ...


class ManualCarrier:
    """Any carrier booked outside the portal (or a pickup): staff type the number, if any."""

    name: str = "manual"
    label: LazyString = _l("Manual (type the tracking number)")
    staff_type_tracking: bool = True
    delivers_by_itself_after_days: int | None = None

    def book(self, shipment: Shipment) -> str:
        number = " ".join((shipment.tracking_number or "").split()).upper()
        if len(number) > 60:
            raise DomainError(_("A tracking number has at most 60 characters."))
        return number


class DemoCarrier:
    """A pretend courier: DEMO, nine digits from the shipment id and a check digit."""

    name: str = "demo"
    label: LazyString = _l("Demo courier")
    staff_type_tracking: bool = False
    delivers_by_itself_after_days: int | None = DEMO_DELIVERY_DAYS

    def book(self, shipment: Shipment) -> str:
        assert shipment.id is not None, "flush the shipment before booking it"
        digits = f"{(shipment.id * 7919 + 104729) % 10**9:09d}"
        return f"DEMO{digits}{_check_digit(digits)}"


def _check_digit(digits: str) -> int:
    """Luhn, as parcel numbers often carry one."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


_ALL: tuple[Carrier, ...] = (DemoCarrier(), ManualCarrier())
CARRIERS: dict[str, Carrier] = {carrier.name: carrier for carrier in _ALL}


def carrier_named(name: str) -> Carrier:
    carrier = CARRIERS.get(name)
    if carrier is None:
        raise UnknownCarrier(_("Choose a carrier from the list."))
    return carrier


def choices() -> list[tuple[str, str]]:
    return [(carrier.name, str(carrier.label)) for carrier in CARRIERS.values()]
