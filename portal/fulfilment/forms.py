"""Fulfilment forms (validation only); the per-line counts are read by the view."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.core.forms import Form
from portal.core.i18n import lazy_gettext as _l
from portal.fulfilment import carriers
from portal.fulfilment.services import MAX_PARCELS


class ScanForm(Form):
    code = StringField(_l("Scan or type SKU / EAN"), validators=[DataRequired(), Length(max=64)])


class PackForm(Form):
    carrier = SelectField(_l("Carrier"), choices=[], validators=[DataRequired()])
    parcels = IntegerField(
        _l("Parcels"), default=1, validators=[DataRequired(), NumberRange(1, MAX_PARCELS)]
    )
    tracking_number = StringField(
        _l("Tracking number"),
        validators=[Optional(), Length(max=60)],
        description=_l("Only for the manual carrier; the demo courier assigns one."),
    )

    def __init__(self, *args: object, default_carrier: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.carrier.choices = carriers.choices()
        if not self.carrier.data or self.carrier.data == "None":
            self.carrier.data = default_carrier or next(iter(carriers.CARRIERS))


class HoldForm(Form):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
