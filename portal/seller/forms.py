"""The admin's form for the seller's details."""

from __future__ import annotations

from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from portal.accounts.forms import COUNTRY_CHOICES
from portal.accounts.taxids import InvalidTaxId, parse_tax_id
from portal.core.forms import Form
from portal.core.i18n import lazy_gettext as _l


class SellerForm(Form):
    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    tax_id = StringField(
        _l("Tax ID (NIP / VAT number)"), validators=[DataRequired(), Length(max=20)]
    )
    street = StringField(_l("Street and number"), validators=[DataRequired(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[DataRequired(), Length(max=20)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    country = SelectField(_l("Country"), choices=COUNTRY_CHOICES)
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(check_deliverability=False)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    return_recipient = StringField(
        _l("Returns: recipient"), validators=[DataRequired(), Length(max=200)]
    )
    return_street = StringField(_l("Returns: street"), validators=[DataRequired(), Length(max=200)])
    return_postal_code = StringField(
        _l("Returns: postal code"), validators=[DataRequired(), Length(max=20)]
    )
    return_city = StringField(_l("Returns: city"), validators=[DataRequired(), Length(max=100)])
    return_country = SelectField(_l("Returns: country"), choices=COUNTRY_CHOICES)
    bank_name = StringField(_l("Bank"), validators=[Optional(), Length(max=100)])
    bank_account = StringField(
        _l("Bank account (IBAN)"), validators=[DataRequired(), Length(max=42)]
    )

    def validate_tax_id(self, field: StringField) -> None:
        try:
            field.data = parse_tax_id(field.data or "").number
        except InvalidTaxId as error:
            raise ValidationError(_l("This tax ID is not valid (check digit).")) from error

    def validate_bank_account(self, field: StringField) -> None:
        try:
            field.data = iban.validate(field.data or "")
        except StdnumError as error:
            raise ValidationError(_l("This IBAN is not valid.")) from error
