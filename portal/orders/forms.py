"""Checkout and order forms (validation only)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.accounts.forms import COUNTRY_CHOICES
from portal.core.clock import local_today
from portal.core.forms import Form
from portal.core.i18n import lazy_gettext as _l
from portal.orders.models import DeliveryMethod, PaymentMethod

NEW_ADDRESS = "new"


class CheckoutForm(Form):
    content_key = HiddenField()
    seen = HiddenField()
    address = RadioField(_l("Ship to"), validators=[DataRequired()], choices=[])
    label = StringField(_l("Label"), validators=[Optional(), Length(max=100)])
    recipient = StringField(_l("Recipient"), validators=[Optional(), Length(max=200)])
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    country = SelectField(_l("Country"), choices=COUNTRY_CHOICES, default="PL")
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    delivery_method = RadioField(
        _l("Delivery"),
        choices=[(m.value, m.value) for m in DeliveryMethod],
        default=DeliveryMethod.COURIER.value,
        validators=[DataRequired()],
    )
    requested_delivery_on = DateField(_l("Requested delivery date"), validators=[Optional()])
    customer_reference = StringField(
        _l("Your order reference (PO)"), validators=[Optional(), Length(max=60)]
    )
    message = TextAreaField(_l("Message to us"), validators=[Optional(), Length(max=5000)])
    payment_method = RadioField(
        _l("Payment"),
        choices=[(m.value, m.value) for m in PaymentMethod],
        validators=[DataRequired()],
    )
    discount_percent = DecimalField(
        _l("Extra discount (%)"), places=2, validators=[Optional(), NumberRange(min=0, max=100)]
    )
    discount_amount = DecimalField(
        _l("Extra discount (PLN, net)"), places=2, validators=[Optional(), NumberRange(min=0)]
    )

    def validate_requested_delivery_on(self, field: DateField) -> None:
        if field.data and field.data < local_today() + timedelta(days=1):
            raise ValidationError(_l("Choose a date from tomorrow on."))
        if field.data and field.data > local_today() + timedelta(days=365):
            raise ValidationError(_l("Choose a date within a year."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.address.data != NEW_ADDRESS:
            return valid
        for name in ("recipient", "street", "postal_code", "city"):
            sub = getattr(self, name)
            if not (sub.data or "").strip():
                sub.errors = [*sub.errors, _l("This field is required.")]
                valid = False
        postal = (self.postal_code.data or "").strip()
        if postal and self.country.data == "PL" and not re.fullmatch(r"\d{2}-\d{3}", postal):
            self.postal_code.errors = [
                *self.postal_code.errors,
                _l("Polish postal codes look like 60-001."),
            ]
            valid = False
        if not valid and not self.address.errors:
            self.form_errors.append(str(_l("Check the new address below.")))
        return valid

    def validate_discount_amount(self, field: DecimalField) -> None:
        if field.data and self.discount_percent.data:
            raise ValidationError(_l("Give a percent or an amount, not both."))


class MessageForm(Form):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])


class RejectForm(Form):
    reason = TextAreaField(
        _l("Reason the buyer will see"), validators=[DataRequired(), Length(max=2000)]
    )


class CancelForm(Form):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=300)])
