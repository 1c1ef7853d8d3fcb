"""The "Record payment" form (validation only; allocations are read per open document)."""

from __future__ import annotations

from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.core.forms import Form
from portal.core.i18n import lazy_gettext as _l
from portal.documents.models import DocumentKind
from portal.payments.models import PaymentChannel


class PaymentForm(Form):
    company = SelectField(
        _l("Partner"), coerce=int, validators=[DataRequired(message=_l("Choose a partner."))]
    )
    kind = RadioField(
        _l("Kind"),
        choices=[
            (DocumentKind.KP.value, _l("KP: money received")),
            (DocumentKind.KW.value, _l("KW: money paid out")),
        ],
        default=DocumentKind.KP.value,
        validators=[DataRequired()],
    )
    amount = StringField(
        _l("Amount (PLN)"),
        validators=[DataRequired(message=_l("Enter the amount.")), Length(max=30)],
    )
    on = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date."))])
    channel = SelectField(
        _l("Method"),
        choices=[
            (PaymentChannel.BANK_TRANSFER.value, _l("Bank transfer")),
            (PaymentChannel.CARD.value, _l("Card")),
            (PaymentChannel.CASH.value, _l("Cash")),
        ],
        default=PaymentChannel.BANK_TRANSFER.value,
    )
    reference = StringField(
        _l("Reference (transfer title, statement line)"),
        validators=[Optional(), Length(max=100)],
    )
