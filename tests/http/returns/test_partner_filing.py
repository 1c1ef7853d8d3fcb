"""A partner files a return from a delivered order on the phone, follows it, and prints the
slip; every bad input is refused with a message and nothing half-made."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.accounts.models import Role
from portal.core.db import db, utcnow
from portal.documents.models import Document, DocumentKind, ReasonKind
from portal.fulfilment.models import Shipment
from portal.returns.models import RmaInfo, RmaPhoto, RmaStatus
from tests.builders import delivered_order, make_company, make_product, make_user
from tests.services.returns.helpers import no_longer_needed, reason, wz_lines

D = Decimal


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def rma_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Document).where(Document.kind == DocumentKind.RMA)
    )


@pytest.fixture
def buyer():
    return make_user(role=Role.BUYER, company=make_company(name="Acme"))


def delivered(buyer, *items, **kw):
    order, note = delivered_order(buyer, *items, **kw)
    db.session.commit()
    return order, note


def form_key(html: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)


def filing_data(html, order, line, **fields):
    data = {
        "key": form_key(html),
        "kind": "return",
        "order": str(order.id),
        "line": str(line.id),
        f"line-{line.id}-pick": "1",
        f"line-{line.id}-quantity": "1",
        f"line-{line.id}-reason": str(no_longer_needed().id),
        f"line-{line.id}-description": "",
        f"line-{line.id}-resolution": "refund",
    }
    data.update({f"line-{line.id}-{name}": value for name, value in fields.items()})
    return data


def test_buyer_files_a_return_with_a_photo_and_prints_the_slip(login, buyer, tmp_path):
    product = make_product(name="Brass hinge", sku="HNG-BR")
    order, note = delivered(buyer, (product, "4"))
    (line,) = wz_lines(note)
    client = login(buyer)

    start = client.get("/returns/new").get_data(as_text=True)
    assert f"/returns/new?order={order.id}" in start and order.number in start

    page = client.get(f"/returns/new?order={order.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Brass hinge" in html and ">Submit<" in html
    assert 'accept="image/jpeg,image/png,image/webp" capture="environment" multiple' in html
    assert "Returnable until" in html and 'max="4"' in html

    data = filing_data(html, order, line, quantity="2", description="Too many")
    data[f"line-{line.id}-photos"] = (io.BytesIO(jpeg()), "IMG_0001.HEIC.jpg")
    response = client.post("/returns/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    rma_id = int(response.headers["Location"].rsplit("/", 1)[1])

    detail = client.get(f"/returns/{rma_id}").get_data(as_text=True)
    number = re.search(r"<h1>(RMA/\d{4}/\d{6})</h1>", detail).group(1)
    assert "Next steps" in detail and "Approved" in detail and "Submitted" in detail
    assert "Download return slip" in detail and f"/returns/{rma_id}/slip.pdf" in detail
    photo = db.session.scalar(sa.select(RmaPhoto).order_by(RmaPhoto.id.desc()))
    thumb = f"/returns/{rma_id}/photos/{photo.id}?size=thumb"
    assert thumb in detail
    shown = client.get(thumb)
    assert shown.mimetype == "image/jpeg" and shown.data[:2] == b"\xff\xd8"
    shown.close()

    listing = client.get("/returns").get_data(as_text=True)
    assert number in listing
    assert number in client.get(f"/returns?q={order.number}").get_data(as_text=True)
    assert number not in client.get("/returns?status=closed").get_data(as_text=True)

    slip = client.get(f"/returns/{rma_id}/slip.pdf")
    assert slip.mimetype == "application/pdf"
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(slip.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert number in text and "HNG-BR" in text and "Brass hinge" in text
    assert f"/office/returns/{rma_id}/receive" in text

    sent = client.post(f"/returns/{rma_id}/sent", data={"tracking_number": "PX-77"})
    assert sent.status_code == 303
    db.session.expire_all()
    info = db.session.get(RmaInfo, rma_id)
    assert (info.status, info.tracking_number) == (RmaStatus.IN_TRANSIT, "PX-77")


def test_a_line_of_another_companys_order_is_refused(login, buyer):
    order, _note = delivered(buyer)
    theirs, their_note = delivered(make_user(role=Role.BUYER, company=make_company()))
    client = login(buyer)
    assert client.get(f"/returns/new?order={theirs.id}").status_code == 404
    html = client.get(f"/returns/new?order={order.id}").get_data(as_text=True)
    (their_line,) = wz_lines(their_note)
    before = rma_count()
    response = client.post("/returns/new", data=filing_data(html, order, their_line))
    assert response.status_code == 422
    assert "not one of your deliveries" in response.get_data(as_text=True)
    assert rma_count() == before


def test_a_quantity_above_what_is_claimable_keeps_the_form_and_creates_nothing(login, buyer):
    order, note = delivered(buyer, (make_product(), "2"))
    (line,) = wz_lines(note)
    client = login(buyer)
    html = client.get(f"/returns/new?order={order.id}").get_data(as_text=True)
    before = rma_count()
    data = filing_data(html, order, line, quantity="3", description="Kept text")
    data[f"line-{line.id}-photos"] = (io.BytesIO(jpeg()), "a.jpg")
    response = client.post("/returns/new", data=data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "At most 2 pcs can be claimed" in body and "Kept text" in body
    assert 'value="3"' in body and "choose them again" in body
    assert rma_count() == before


def test_an_order_not_yet_delivered_is_refused(login, buyer):
    order, note = delivered(buyer)
    db.session.execute(
        sa.update(Shipment).where(Shipment.delivery_note_id == note.id).values(delivered_at=None)
    )
    db.session.commit()
    client = login(buyer)
    assert client.get(f"/returns/new?order={order.id}").status_code == 404
    assert order.number not in client.get("/returns/new").get_data(as_text=True)


def test_a_passed_window_shows_its_date_and_a_complaint_is_still_possible(login, buyer):
    at = utcnow().replace(hour=12) - timedelta(days=45)
    order, note = delivered(buyer, delivered_at=at)
    (line,) = wz_lines(note)
    client = login(buyer)
    html = client.get(f"/returns/new?order={order.id}").get_data(as_text=True)
    last = at.date() + timedelta(days=30)
    ended = f"{last:%B} {last.day}, {last:%Y}"  # the English long date, e.g. "December 27, 2026"
    assert f"The return window ended on {ended}" in html
    assert f'name="line-{line.id}-pick"' not in html
    data = filing_data(html, order, line)
    # A forged submission is refused with the same explanation.
    response = client.post("/returns/new", data=data)
    assert response.status_code == 422 and ended in response.get_data(as_text=True)
    complaint = client.get(f"/returns/new?order={order.id}&kind=complaint").get_data(as_text=True)
    assert "Under warranty until" in complaint and f'name="line-{line.id}-pick"' in complaint


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", "photo.jpg is not a JPEG, PNG or WebP image"),
        ("bomb", "photo.jpg has too many pixels"),
    ],
)
def test_a_file_that_is_not_an_image_or_a_bomb_is_refused(login, buyer, payload, words):
    from tests.services.returns.test_photos import png_header_only

    if payload == "bomb":
        payload = png_header_only(100_000, 100_000)
    order, note = delivered(buyer)
    (line,) = wz_lines(note)
    client = login(buyer)
    html = client.get(f"/returns/new?order={order.id}").get_data(as_text=True)
    data = filing_data(html, order, line)
    data[f"line-{line.id}-photos"] = (io.BytesIO(payload), "photo.jpg")
    before = rma_count()
    response = client.post("/returns/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert rma_count() == before


def test_a_reason_that_needs_photos_says_so(login, buyer):
    order, note = delivered(buyer)
    (line,) = wz_lines(note)
    client = login(buyer)
    html = client.get(f"/returns/new?order={order.id}&kind=complaint").get_data(as_text=True)
    data = filing_data(html, order, line, reason=str(reason(ReasonKind.COMPLAINT, "defective").id))
    data["kind"] = "complaint"
    response = client.post("/returns/new", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "needs at least one photo" in body and "needs a description" in body


def test_a_double_submission_gives_one_rma(login, buyer):
    order, note = delivered(buyer, (make_product(), "5"))
    (line,) = wz_lines(note)
    client = login(buyer)
    html = client.get(f"/returns/new?order={order.id}").get_data(as_text=True)
    data = filing_data(html, order, line)
    before = rma_count()
    first = client.post("/returns/new", data=data)
    second = client.post("/returns/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert rma_count() == before + 1


def test_lines_of_another_delivered_order_join_the_form(login, buyer):
    first, first_note = delivered(buyer, (make_product(name="Left hinge"), "1"))
    second, second_note = delivered(buyer, (make_product(name="Right hinge"), "1"))
    client = login(buyer)
    html = client.get(f"/returns/new?order={first.id}").get_data(as_text=True)
    assert "Add lines from another order" in html and f'value="{second.id}"' in html
    fragment = client.get(
        f"/returns/new?order={first.id}&also={second.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "Right hinge" in fragment and "Left hinge" not in fragment and "<html" not in fragment
    page = client.get(f"/returns/new?order={first.id}&also={second.id}").get_data(as_text=True)
    assert "Left hinge" in page and "Right hinge" in page
    (a,), (b,) = wz_lines(first_note), wz_lines(second_note)
    data = filing_data(page, first, a)
    data.update(
        {k.replace(str(a.id), str(b.id)): v for k, v in filing_data(page, first, b).items()}
    )
    data["line"] = [str(a.id), str(b.id)]
    data["order"] = [str(first.id), str(second.id)]
    data[f"line-{a.id}-pick"] = "1"
    response = client.post("/returns/new", data=data)
    assert response.status_code == 303
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert first.number in detail and second.number in detail


def test_reps_see_their_partners_rmas_read_only_and_others_get_404(login, buyer):
    order, note = delivered(buyer)
    client = login(buyer)
    html = client.get(f"/returns/new?order={order.id}").get_data(as_text=True)
    location = client.post("/returns/new", data=filing_data(html, order, wz_lines(note)[0]))
    rma_path = location.headers["Location"]
    rep = make_user(role=Role.SALES_REP)
    buyer.company.sales_rep_id = rep.id
    other_rep = make_user(role=Role.SALES_REP)
    db.session.commit()
    rep_client = login(rep)
    page = rep_client.get(rma_path).get_data(as_text=True)
    assert "Download return slip" in page and "Parcel sent" not in page
    assert rep_client.post(rma_path + "/sent").status_code == 403
    assert login(other_rep).get(rma_path).status_code == 404
    assert login(make_user(role=Role.STAFF)).get(rma_path).status_code == 200
    colleague = make_user(role=Role.BUYER, company=buyer.company)
    admin = make_user(role=Role.PARTNER_ADMIN, company=buyer.company)
    db.session.commit()
    assert login(colleague).get(rma_path).status_code == 404
    assert login(admin).get(rma_path).status_code == 200
    assert (
        login(make_user(role=Role.BUYER, company=make_company())).get(rma_path).status_code == 404
    )


def test_my_returns_list_pages_with_a_fixed_number_of_queries(login, buyer, count_queries):
    from tests.services.returns.helpers import claim, file_return

    _order, note = delivered(buyer, (make_product(), "40"))
    (line,) = wz_lines(note)
    client = login(buyer)
    for _ in range(3):
        file_return(buyer, claim(line))
    db.session.commit()
    client.get("/returns")
    count_queries.statements.clear()
    client.get("/returns")
    few = count_queries.count
    for _ in range(22):
        file_return(buyer, claim(line))
    db.session.commit()
    count_queries.statements.clear()
    html = client.get("/returns").get_data(as_text=True)
    assert count_queries.count == few
    assert "Load more" in html
    more = re.search(r'href="(/returns\?before=\d+)"', html).group(1)
    fragment = client.get(more, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "RMA/" in fragment


def test_a_rep_acting_for_the_buyer_files_for_them(login, buyer):
    order, note = delivered(buyer)
    rep = make_user(role=Role.SALES_REP, name="Rita Rep")
    buyer.company.sales_rep_id = rep.id
    db.session.commit()
    client = login(rep)
    assert client.get(f"/returns/new?order={order.id}").status_code == 404  # not acting
    assert client.post(f"/acting/{buyer.id}").status_code == 303
    html = client.get(f"/returns/new?order={order.id}").get_data(as_text=True)
    response = client.post("/returns/new", data=filing_data(html, order, wz_lines(note)[0]))
    assert response.status_code == 303
    rma_id = int(response.headers["Location"].rsplit("/", 1)[1])
    rma = db.session.get(Document, rma_id)
    assert (rma.user_id, rma.created_by_id) == (buyer.id, rep.id)
    assert "Parcel sent" in client.get(f"/returns/{rma_id}").get_data(as_text=True)


def test_the_filing_pages_take_a_fixed_number_of_queries(login, buyer, count_queries):
    order, _note = delivered(buyer)
    client = login(buyer)
    client.get("/returns/new")
    client.get(f"/returns/new?order={order.id}")
    count_queries.statements.clear()
    client.get("/returns/new")
    start_page = count_queries.count
    count_queries.statements.clear()
    client.get(f"/returns/new?order={order.id}")
    form_page = count_queries.count
    for _ in range(4):
        delivered(buyer, (make_product(), "2"), (make_product(), "1"))
    count_queries.statements.clear()
    html = client.get("/returns/new").get_data(as_text=True)
    assert count_queries.count == start_page and html.count("/returns/new?order=") == 5
    count_queries.statements.clear()
    client.get(f"/returns/new?order={order.id}")
    assert count_queries.count == form_page
