"""The return slip: a PDF the buyer puts in the parcel, with the RMA number as a QR code that
opens the staff receiving screen, the return address and the lines."""

from __future__ import annotations

from urllib.parse import urljoin

import segno
from flask import current_app, render_template

from portal.returns.queries import RmaPage
from portal.seller.services import seller


def receiving_url(rma_id: int) -> str:
    """The staff receiving screen, absolute: a phone scanning the slip opens it."""
    base = current_app.config["PUBLIC_URL"].rstrip("/") + "/"
    return urljoin(base, f"office/returns/{rma_id}/receive")


def render_slip(page: RmaPage) -> bytes:
    from weasyprint import HTML  # imported late: 0.6 s, only when a slip is made

    url = receiving_url(page.rma.id)
    qr = segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2)
    html = render_template(
        "returns/slip_pdf.html",
        page=page,
        rma=page.rma,
        info=page.info,
        seller=seller(),
        qr=qr,
        receiving_url=url,
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
