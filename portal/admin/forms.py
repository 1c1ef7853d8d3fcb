"""Admin forms (validation only; no writes)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.forms import LANGUAGE_CHOICES
from portal.accounts.models import Role
from portal.core.forms import Form
from portal.core.i18n import lazy_gettext as _l
from portal.orders.models import StatusType

STATUS_TYPE_CHOICES = [
    (StatusType.WAITING.value, _l("Waiting")),
    (StatusType.SUCCESS.value, _l("Success")),
    (StatusType.FAILURE.value, _l("Failure")),
    (StatusType.PROBLEM.value, _l("Problem")),
    (StatusType.NEUTRAL.value, _l("Neutral")),
]
ROLE_LABELS = {
    Role.BUYER: _l("Buyer"),
    Role.PARTNER_ADMIN: _l("Partner admin"),
    Role.SALES_REP: _l("Sales rep"),
    Role.STAFF: _l("Staff"),
    Role.ADMIN: _l("Admin"),
}
INTERNAL_ROLE_CHOICES = [
    (role.value, ROLE_LABELS[role]) for role in (Role.STAFF, Role.SALES_REP, Role.ADMIN)
]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StatusForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    type = SelectField(
        _l("Type"),
        choices=STATUS_TYPE_CHOICES,
        description=_l("The type, not the name, decides what orders in this status may do."),
    )
    position = IntegerField(
        _l("Order in lists"), default=100, validators=[NumberRange(min=0, max=100_000)]
    )
    notify_partner = BooleanField(_l("E-mail the partner when an order enters it"))
    targets = CheckboxesField(_l("Allowed next statuses"), coerce=int, validate_choice=False)


class EmailTemplateForm(Form):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body_html = TextAreaField(
        _l("Body (HTML)"),
        validators=[DataRequired()],
        render_kw={"rows": 14, "spellcheck": "false"},
    )


class ReasonForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    requires_photos = BooleanField(_l("Photos required"))
    requires_description = BooleanField(_l("Description required"))


class NewUserForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    role = SelectField(_l("Role"), choices=INTERNAL_ROLE_CHOICES)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
