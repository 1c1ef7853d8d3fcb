"""Forms: a rule as the admin edits it, and the corrected lines of a KOR."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.core.forms import Form
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import parse_decimal
from portal.invoicing.models import FinalDocument
from portal.invoicing.queries import LineState
from portal.invoicing.services import LineChange

RESULT_LABELS = {
    FinalDocument.INVOICE: _l("Invoice (FS)"),
    FinalDocument.RECEIPT: _l("Receipt (PA)"),
    FinalDocument.DELIVERY_NOTE_ONLY: _l("Delivery note only (WZ)"),
}


class RuleForm(Form):
    keyword = StringField(
        _l("Keyword in the order's note"),
        validators=[DataRequired(), Length(max=40)],
        description=_l('Matches at the start of a word, in any case: "faktur" finds "Fakturę".'),
    )
    whole_word = BooleanField(_l("Whole word only"))
    result = SelectField(
        _l("Then issue"),
        choices=[(result.value, label) for result, label in RESULT_LABELS.items()],
    )
    active = BooleanField(_l("Active"), default=True)


@dataclass
class CorrectionInput:
    changes: list[LineChange] = field(default_factory=list)
    reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    """Field name -> message, shown next to the field."""


def parse_correction(form: Mapping[str, str], states: Sequence[LineState]) -> CorrectionInput:
    """quantity-<line id> and price-<line id> per line (blank: unchanged), and the reason."""
    result = CorrectionInput(reason=form.get("reason", "").strip())
    if not result.reason:
        result.errors["reason"] = _("Give the reason for the correction.")
    for state in states:
        line_id = state.line.id
        values: dict[str, Decimal | None] = {}
        for name in ("quantity", "price"):
            key = f"{name}-{line_id}"
            raw = form.get(key, "").strip()
            values[name] = None
            if raw:
                number = parse_decimal(raw)
                if number is None or number < 0:
                    result.errors[key] = _("Enter a number of 0 or more.")
                    continue
                values[name] = number
        quantity, price = values["quantity"], values["price"]
        if quantity == state.quantity:
            quantity = None
        if price == state.unit_price:
            price = None
        if quantity is not None or price is not None:
            result.changes.append(LineChange(line_id, quantity=quantity, unit_price=price))
    return result
