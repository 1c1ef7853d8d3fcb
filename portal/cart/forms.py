"""Cart, quick order and order list forms (validation only; no writes).

Quantities are read as text and kept as typed, so a refused number is shown back next to
its field; the cart services decide what a quantity may be (cart/quantities.py).
"""

from __future__ import annotations

from decimal import Decimal

from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.cart.queries import MAX_ID
from portal.cart.quickorder import MAX_FILE_BYTES, Parsed, parse_text, parse_upload
from portal.core.errors import DomainError
from portal.core.forms import Form
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import parse_decimal

MAX_QUANTITY_TEXT = 32


class QuantityField(StringField):
    """The text as typed, and `number`: its value, or None when it is not a number."""

    @property
    def number(self) -> Decimal | None:
        text = (self.data or "").strip()
        if not text or len(text) > MAX_QUANTITY_TEXT:
            return None
        return parse_decimal(text)


def _product_id() -> IntegerField:
    return IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])


class AddToCartForm(Form):
    product_id = _product_id()
    quantity = QuantityField(_l("Quantity"))
    next = HiddenField()


class LineQuantityForm(Form):
    quantity = QuantityField(_l("Quantity"))
    change = StringField()
    """Which button sent it: "up" or "down" (the stepper), else the typed number counts."""


class ListNameForm(Form):
    name = StringField(
        _l("List name"),
        validators=[DataRequired(message=_l("Give the list a name.")), Length(max=100)],
        render_kw={"autocomplete": "off", "maxlength": 100},
    )


class QuickOrderForm(Form):
    lines = TextAreaField(
        _l("SKU or EAN and quantity, one per line"),
        validators=[Optional(), Length(max=100_000)],
        render_kw={"rows": 8, "spellcheck": "false", "autocapitalize": "off"},
    )
    upload = FileField(_l("Or upload a CSV file"), render_kw={"accept": ".csv,.txt,text/csv"})

    def parsed(self) -> Parsed:
        """The file's lines when a file came, else the pasted ones (DomainError if neither)."""
        upload = self.upload.data
        if isinstance(upload, FileStorage) and upload.filename:
            return parse_upload(upload.read(MAX_FILE_BYTES + 1))
        text = self.lines.data or ""
        if not text.strip():
            raise DomainError(_("Paste some lines, or choose a CSV file."))
        return parse_text(text)


class ListLineForm(Form):
    """Adds a product to a list by its SKU or EAN."""

    code = StringField(
        _l("SKU or EAN"), validators=[Optional(), Length(max=64)], render_kw={"autocomplete": "off"}
    )
    quantity = QuantityField(_l("Quantity"))


class PickListForm(Form):
    """Adds a product to one of the company's lists, or to a new one named here."""

    product_id = _product_id()
    quantity = QuantityField(_l("Quantity"))
    list_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    name = StringField(
        _l("Or a new list named"),
        validators=[Optional(), Length(max=100)],
        render_kw={"autocomplete": "off", "maxlength": 100},
    )
