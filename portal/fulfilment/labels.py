"""Shipping labels: an A6 PDF (WeasyPrint) with both addresses and the tracking number as a
QR code, rendered once when the order is packed and stored under MEDIA_ROOT/labels.

Files are content-addressed like product photos: the key is a hash of the PDF.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app, render_template
from flask_babel import force_locale

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


def render_label(data: LabelData, *, language: str = "pl") -> bytes:
    """The label speaks the seller's language (couriers' depots read Polish labels)."""
    from weasyprint import HTML  # imported late: 0.6 s, only when a label is made

    with force_locale(language):
        html = render_template(
            "fulfilment/label.html",
            data=data,
            qr=qr_data_uri(data.shipment.tracking_number)
            if data.shipment.tracking_number
            else None,
        )
    pdf: bytes = HTML(string=html, base_url=str(label_dir())).write_pdf()
    return pdf


def store_label(pdf: bytes) -> str:
    key = hashlib.sha256(pdf).hexdigest()[:40]
    path = label_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pdf)
        tmp.replace(path)
    return key
