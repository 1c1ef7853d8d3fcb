"""Account forms (validation only; no writes)."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from portal.accounts.models import Role
from portal.core.forms import Form
from portal.core.i18n import lazy_gettext as _l

LANGUAGE_CHOICES = [("en", "English"), ("pl", "Polski"), ("de", "Deutsch")]
COUNTRY_CHOICES = [
    ("PL", "Polska"),
    ("DE", "Deutschland"),
    ("CZ", "Česko"),
    ("SK", "Slovensko"),
    ("LT", "Lietuva"),
    ("AT", "Österreich"),
    ("NL", "Nederland"),
    ("FR", "France"),
    ("IT", "Italia"),
    ("ES", "España"),
    ("UA", "Україна"),
    ("GB", "United Kingdom"),
]
MIN_PASSWORD = 10


def _email_field(label: str = "E-mail") -> EmailField:
    return EmailField(
        _l(label),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "off"},
    )


def _new_password_field() -> PasswordField:
    return PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=_l("Use at least 10 characters.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(Form):
    email = _email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Remember me"))


class ResetRequestForm(Form):
    email = _email_field()


class NewPasswordForm(Form):
    password = _new_password_field()
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9 +()\-]*$", message=_l("Digits only.")),
        ],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class InviteForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = _email_field()
    role = SelectField(
        _l("Role"),
        choices=[(Role.BUYER.value, _l("Buyer")), (Role.PARTNER_ADMIN.value, _l("Partner admin"))],
    )


class AddressForm(Form):
    label = StringField(
        _l("Label"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("e.g. Warehouse Poznań"),
    )
    recipient = StringField(_l("Recipient"), validators=[DataRequired(), Length(max=200)])
    street = StringField(
        _l("Street and number"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    postal_code = StringField(
        _l("Postal code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "postal-code"},
    )
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    country = SelectField(_l("Country"), choices=COUNTRY_CHOICES, default="PL")
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9 +()\-]*$", message=_l("Digits only.")),
        ],
        render_kw={"inputmode": "tel"},
    )
    is_default = BooleanField(_l("Default shipping address"))

    def validate_postal_code(self, field: StringField) -> None:
        import re

        from wtforms.validators import ValidationError

        if self.country.data == "PL" and not re.fullmatch(
            r"\d{2}-\d{3}", (field.data or "").strip()
        ):
            raise ValidationError(_l("Polish postal codes look like 60-001."))
