"""Shipping labels: an A6 PDF (WeasyPrint) with both addresses and the tracking number as a
QR code, rendered once when the order is packed and stored under MEDIA_ROOT/labels.

Files are content-addressed like product photos: the key is a hash of the PDF.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import segno
import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from portal.core.db import atomic, db
from portal.documents.models import Document
from portal.fulfilment.models import Shipment
from portal.orders.models import OrderInfo
from portal.seller.models import SellerSettings


@dataclass(frozen=True)
class LabelData:
    shipment: Shipment
    order: Document
    info: OrderInfo
    delivery_note: Document
    seller: SellerSettings
    carrier_label: str


def label_dir() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "labels"


def label_path(key: str) -> Path:
    return label_dir() / f"{key}.pdf"


def qr_data_uri(text: str) -> str:
    """The tracking number as an SVG QR code, inline (WeasyPrint fetches nothing)."""
    return str(segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2))


def label_html(data: LabelData, *, language: str = "pl") -> str:
    """The label speaks the seller's language (couriers' depots read Polish labels)."""
    with force_locale(language):
        return render_template(
            "fulfilment/label.html",
            data=data,
            qr=qr_data_uri(data.shipment.tracking_number)
            if data.shipment.tracking_number
            else None,
        )


def html_to_label(html: str) -> bytes:
    from weasyprint import HTML  # imported late: 0.6 s, only when a label is made

    pdf: bytes = HTML(string=html, base_url=str(label_dir())).write_pdf()
    return pdf


def render_label(data: LabelData, *, language: str = "pl") -> bytes:
    return html_to_label(label_html(data, language=language))


def label_data(shipment: Shipment) -> LabelData:
    from portal.fulfilment.carriers import carrier_named
    from portal.seller.services import seller

    order = db.session.get_one(Document, shipment.order_id)
    return LabelData(
        shipment=shipment,
        order=order,
        info=db.session.get_one(OrderInfo, order.id),
        delivery_note=db.session.get_one(Document, shipment.delivery_note_id),
        seller=seller(),
        carrier_label=str(carrier_named(shipment.carrier).label),
    )


def store_label_after_commit(shipment_id: int) -> None:
    """For `on_commit` after packing: builds the label's HTML, ends the read transaction,
    renders with no transaction open, then records the key in one short transaction."""
    shipment = db.session.get_one(Shipment, shipment_id)
    if shipment.label_key:
        return
    html = label_html(label_data(shipment))
    db.session.commit()
    key = store_label(html_to_label(html))
    with atomic():
        db.session.execute(
            sa.update(Shipment)
            .where(Shipment.id == shipment_id, Shipment.label_key.is_(None))
            .values(label_key=key)
        )
    db.session.refresh(shipment, ["label_key"])


def ensure_label(shipment: Shipment) -> str:
    """The stored label's key, rendering it now if packing's after-commit step did not."""
    if not shipment.label_key:
        with atomic():
            shipment.label_key = store_label(render_label(label_data(shipment)))
    return shipment.label_key


def store_label(pdf: bytes) -> str:
    key = hashlib.sha256(pdf).hexdigest()[:40]
    path = label_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pdf)
        tmp.replace(path)
    return key
