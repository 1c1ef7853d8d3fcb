"""Issuing final sales documents: FS or PA for delivery notes, collective invoices, and
corrections (KOR). Each runs in the caller's transaction (or its own), renders the PDF once
and queues the e-mail when the seller wants documents e-mailed.

Amounts (DOMAIN.md): an FS is computed from net (line net rounded, VAT per rate rounded
once), a PA from gross (VAT extracted per rate) — `documents.services.issue` does both. A
partner outside Poland with an EU VAT number gets 0 % VAT on an FS (intra-community supply,
"WDT") with the reverse-charge note.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import sqlalchemy as sa
from stdnum.eu.vat import MEMBER_STATES

from portal.accounts.models import Company, Invoicing, User
from portal.core.clock import local_today
from portal.core.db import atomic, db, on_commit
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import ZERO, round_money, sum_of
from portal.documents.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentState,
)
from portal.documents.services import LineDraft, issue, totals_for
from portal.invoicing import queries
from portal.invoicing.models import DocumentRule, FinalDocument, RuleCondition
from portal.invoicing.rules import choose_final_document
from portal.orders.models import OrderInfo
from portal.payments.services import settle_with_correction

log = logging.getLogger(__name__)

DELIVERY_SKU = "DELIVERY"
REVERSE_CHARGE_NOTE = (
    "WDT – wewnątrzwspólnotowa dostawa towarów, VAT 0 %, odwrotne obciążenie / "
    "Intra-community supply of goods, VAT 0 %, reverse charge (art. 138 Directive 2006/112/EC)"
)
"""Printed on an intra-community invoice; legal text, in Polish and English on purpose."""


class InvoicingError(DomainError):
    pass


# --- who gets what ----------------------------------------------------------------------------


def is_intra_community(company: Company) -> bool:
    """A partner outside Poland with an EU VAT number (Globex, DE): 0 % WDT on invoices."""
    country = (company.tax_country or "").upper()
    return (
        bool(company.tax_id)
        and country not in ("", "PL")
        and country.lower() in MEMBER_STATES
        and (company.tax_id or "")[:2].isalpha()
    )


def order_note(order: Document) -> str:
    """The order's note the rules read: the buyer's message to the seller and any staff note."""
    info = db.session.get(OrderInfo, order.id)
    return "\n".join(text for text in ((info.message if info else ""), order.note) if text)


def invoice_kind_for(company: Company) -> DocumentKind:
    return DocumentKind.FS if company.tax_id else DocumentKind.PA


# --- issuing from delivery notes ---------------------------------------------------------------


def issue_final_documents(
    order: Document, delivery_note: Document, *, actor: User | None, on: date | None = None
) -> Document | None:
    """Right after packing issued `delivery_note` for `order`: the FS or PA the rules choose,
    or None (the rules say the delivery note is enough, or the partner invoices monthly)."""
    with atomic():
        if order.company_id is None:
            raise InvoicingError(_("This order has no partner to invoice."))
        company = db.session.get_one(Company, order.company_id)
        if company.invoicing is Invoicing.MONTHLY:
            return None
        choice = choose_final_document(
            queries.rules_in_order(), order_note(order), bool(company.tax_id)
        )
        if choice is FinalDocument.DELIVERY_NOTE_ONLY:
            return None
        kind = DocumentKind.FS if choice is FinalDocument.INVOICE else DocumentKind.PA
        return _invoice(
            company,
            [delivery_note],
            kind=kind,
            actor=actor,
            on=on or delivery_note.issued_on or local_today(),
        )


def invoice_delivery_notes(
    company: Company,
    delivery_notes: Sequence[Document],
    *,
    actor: User | None,
    on: date | None = None,
    kind: DocumentKind | None = None,
) -> Document:
    """One invoice for several delivery notes of one partner: monthly collective invoicing,
    or staff choosing the notes. FS for a partner with a tax ID, PA without, unless given."""
    with atomic():
        if not delivery_notes:
            raise InvoicingError(_("Choose at least one delivery note."))
        chosen = kind or invoice_kind_for(company)
        if chosen not in queries.INVOICE_KINDS:
            raise InvoicingError(_("Only an invoice or a receipt can be issued here."))
        return _invoice(company, delivery_notes, kind=chosen, actor=actor, on=on or local_today())


def _check_notes(company: Company, notes: Sequence[Document]) -> None:
    for note in notes:
        if note.kind is not DocumentKind.WZ or note.state is not DocumentState.ISSUED:
            raise InvoicingError(
                _("%(number)s is not an issued delivery note.", number=note.number or note.id)
            )
        if note.company_id != company.id:
            raise InvoicingError(
                _(
                    "%(number)s belongs to another partner than %(partner)s.",
                    number=note.number,
                    partner=company.name,
                )
            )
    done = queries.invoiced_note_ids(note.id for note in notes)
    if done:
        numbers = ", ".join(sorted(str(note.number) for note in notes if note.id in done))
        raise InvoicingError(_("Already invoiced: %(numbers)s.", numbers=numbers))


def _invoiced_quantities(order_line_ids: Sequence[int]) -> dict[int, Decimal]:
    """Per order line: how much of it FS and PA lines have invoiced (through their WZ lines)."""
    if not order_line_ids:
        return {}
    invoice_line = sa.orm.aliased(DocumentLine)
    rows = db.session.execute(
        sa.select(DocumentLine.source_line_id, sum_of(invoice_line.quantity))
        .join(invoice_line, invoice_line.source_line_id == DocumentLine.id)
        .join(Document, Document.id == invoice_line.document_id)
        .where(
            DocumentLine.source_line_id.in_(order_line_ids),
            Document.kind.in_(queries.INVOICE_KINDS),
        )
        .group_by(DocumentLine.source_line_id)
    )
    return {line_id: quantity for line_id, quantity in rows}


def _share(amount: Decimal, whole: Decimal, before: Decimal, now: Decimal) -> Decimal:
    """The part of `amount` (spread over `whole` units) that units before..before+now carry;
    cumulative rounding, so that the parts always add up to the amount."""
    if not amount or not whole:
        return ZERO
    return round_money(amount * (before + now) / whole) - round_money(amount * before / whole)


def _invoice(
    company: Company,
    notes: Sequence[Document],
    *,
    kind: DocumentKind,
    actor: User | None,
    on: date,
) -> Document:
    _check_notes(company, notes)
    note_lines = list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id.in_([note.id for note in notes]))
            .order_by(DocumentLine.document_id, DocumentLine.position)
        )
    )
    order_line_ids = {line.source_line_id for line in note_lines}
    if not note_lines or None in order_line_ids:
        raise InvoicingError(_("These delivery notes have no order lines to invoice."))
    order_lines = {
        line.id: line
        for line in db.session.scalars(
            sa.select(DocumentLine).where(DocumentLine.id.in_(order_line_ids))
        )
    }
    order_ids = sorted({line.document_id for line in order_lines.values()})
    orders = list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.id.in_(order_ids), Document.kind == DocumentKind.ZK)
            .order_by(Document.id)
        )
    )
    if any(order.company_id != company.id for order in orders) or len(orders) != len(order_ids):
        raise InvoicingError(_("These delivery notes have no order lines to invoice."))
    zero_vat = kind is DocumentKind.FS and is_intra_community(company)
    invoiced = defaultdict(lambda: ZERO, _invoiced_quantities(sorted(order_line_ids)))  # type: ignore[arg-type]
    drafts: list[LineDraft] = []
    for note_line in note_lines:
        source = order_lines[note_line.source_line_id]  # type: ignore[index]
        discount = _share(source.discount, source.quantity, invoiced[source.id], note_line.quantity)
        invoiced[source.id] += note_line.quantity
        drafts.append(_copy(source, note_line.quantity, discount, note_line.id, zero_vat))
    for line in _uninvoiced_delivery_lines(order_ids):
        drafts.append(_copy(line, line.quantity, line.discount, line.id, zero_vat))
    single = orders[0] if len(orders) == 1 else None
    info = db.session.get(OrderInfo, single.id) if single else None
    document, _rows = issue(
        kind,
        on=on,
        actor=actor,
        lines=drafts,
        sources=[*orders, *notes],
        company_id=company.id,
        user_id=single.user_id if single else None,
        warehouse_id=notes[0].warehouse_id,
        due_on=on + timedelta(days=company.payment_terms_days),
        reference=info.customer_reference if info else "",
        note=REVERSE_CHARGE_NOTE if zero_vat else "",
    )
    _allocate_prepayments(orders, document, actor=actor)
    _after_issue(document, recipients_of=orders)
    log.info(
        "invoice issued number=%s id=%s company=%s notes=%s",
        document.number,
        document.id,
        company.id,
        ",".join(str(note.id) for note in notes),
    )
    return document


def _copy(
    source: DocumentLine,
    quantity: Decimal,
    discount: Decimal,
    source_line_id: int,
    zero_vat: bool,
) -> LineDraft:
    return LineDraft(
        sku=source.sku,
        name=source.name,
        unit=source.unit,
        quantity=quantity,
        unit_price=source.unit_price,
        vat_percent=ZERO if zero_vat else source.vat_percent,
        product_id=source.product_id,
        list_price=source.list_price,
        discount=discount,
        source_line_id=source_line_id,
    )


def _uninvoiced_delivery_lines(order_ids: Sequence[int]) -> list[DocumentLine]:
    """The orders' delivery (shipping cost) lines that no FS or PA has invoiced yet: they go
    with the first invoice of their order."""
    invoice_line = sa.orm.aliased(DocumentLine)
    invoiced = (
        sa.select(invoice_line.id)
        .join(Document, Document.id == invoice_line.document_id)
        .where(
            invoice_line.source_line_id == DocumentLine.id,
            Document.kind.in_(queries.INVOICE_KINDS),
        )
        .exists()
    )
    return list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(
                DocumentLine.document_id.in_(order_ids),
                DocumentLine.product_id.is_(None),
                DocumentLine.sku == DELIVERY_SKU,
                ~invoiced,
            )
            .order_by(DocumentLine.document_id, DocumentLine.position)
        )
    )


def _allocate_prepayments(
    orders: Sequence[Document], invoice: Document, *, actor: User | None
) -> None:
    """Moves each order's prepayment onto the invoice: the payments area's hook, used when
    that area provides it."""
    from portal.payments import services as payments

    allocate = getattr(payments, "allocate_prepayments", None)
    if allocate is None:
        return
    for order in orders:
        allocate(order, invoice, actor=actor)


def _after_issue(document: Document, *, recipients_of: Sequence[Document]) -> None:
    """The PDF is rendered once the document has committed (not under the write lock); the
    mail is queued now, with the transaction, and attaches the PDF when it is sent."""
    from portal.documents.pdf import store_pdfs_after_commit
    from portal.invoicing.mail import mail_document

    on_commit(partial(store_pdfs_after_commit, [document.id]))
    mail_document(document, orders=recipients_of)


# --- monthly collective invoicing ---------------------------------------------------------------


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' -> (2026-11-01, 2026-11-30)."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def monthly_partners() -> list[Company]:
    return list(
        db.session.scalars(
            sa.select(Company)
            .where(Company.invoicing == Invoicing.MONTHLY, Company.active.is_(True))
            .order_by(Company.id)
        )
    )


@dataclass(frozen=True)
class MonthlyOutcome:
    issued: list[Document]
    failed: list[tuple[Company, str]]


def invoice_month(
    month: str, *, actor: User | None = None, on: date | None = None
) -> MonthlyOutcome:
    """One invoice per partner set to monthly invoicing, for its delivery notes of the month
    that nothing has invoiced yet. Each partner in its own transaction: one refusal does not
    stop the others."""
    first, last = month_bounds(month)
    issued: list[Document] = []
    failed: list[tuple[Company, str]] = []
    for company in monthly_partners():
        try:
            with atomic():
                notes = queries.uninvoiced_delivery_notes(
                    company.id, limit=10_000, issued_from=first, issued_to=last
                )
                if notes:
                    issued.append(
                        invoice_delivery_notes(company, notes, actor=actor, on=on or local_today())
                    )
        except DomainError as error:
            failed.append((company, error.message))
            log.warning("monthly invoice for company %s refused: %s", company.id, error.message)
    return MonthlyOutcome(issued, failed)


# --- corrections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineChange:
    """What one line of an FS or PA should be after the correction. Give the quantity after
    it, or how much came `returned`; and/or the net unit price after it. None: unchanged."""

    line_id: int
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    returned: Decimal | None = None


def issue_correction(
    original: Document,
    changes: Sequence[LineChange],
    *,
    actor: User | None,
    reason: str,
    on: date | None = None,
) -> Document:
    """A KOR against an FS or PA: per changed line, its signed difference (a return: quantity
    and net negative); a new price: the line as it was, negated, and as it is now. Never more
    than what is invoiced, less earlier corrections."""
    with atomic():
        original = _locked(original)
        if original.kind not in queries.INVOICE_KINDS or original.state is not DocumentState.ISSUED:
            raise InvoicingError(_("Only an issued invoice or receipt can be corrected."))
        reason = reason.strip()
        if not reason:
            raise InvoicingError(_("Give the reason for the correction."))
        states = {state.line.id: state for state in queries.line_states(original)}
        drafts: list[LineDraft] = []
        seen: set[int] = set()
        for change in changes:
            state = states.get(change.line_id)
            if state is None:
                raise InvoicingError(_("This line is not on %(number)s.", number=original.number))
            if change.line_id in seen:
                raise InvoicingError(_("Each line can be corrected once per correction."))
            seen.add(change.line_id)
            drafts.extend(_correction_rows(state, change))
        if not drafts:
            raise InvoicingError(_("Nothing changes: enter a new quantity or price."))
        when = on or local_today()
        document, _rows = issue(
            DocumentKind.KOR,
            on=when,
            actor=actor,
            lines=drafts,
            sources=[original],
            company_id=original.company_id,
            user_id=original.user_id,
            warehouse_id=original.warehouse_id,
            due_on=when,
            note=reason,
            reference=original.number or "",
            event_note=reason,
            totals=totals_for(original.kind, drafts),  # a receipt's correction: from gross too
        )
        settle_with_correction(document, original, actor=actor)
        _after_issue(document, recipients_of=[])
    log.info("correction issued number=%s of=%s", document.number, original.number)
    return document


def _locked(document: Document) -> Document:
    """The original row as stored now, locked (PostgreSQL) so that two corrections queue up;
    SQLite writers are serialised already."""
    locked = db.session.scalars(
        sa.select(Document)
        .where(Document.id == document.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def _correction_rows(state: queries.LineState, change: LineChange) -> list[LineDraft]:
    line = state.line
    before_quantity, before_price, before_net = state.quantity, state.unit_price, state.net
    if change.returned is not None and change.quantity is not None:
        raise InvoicingError(_("Give either the quantity returned or the new quantity."))
    after_quantity = before_quantity
    if change.returned is not None:
        after_quantity = before_quantity - change.returned
    elif change.quantity is not None:
        after_quantity = change.quantity
    after_price = change.unit_price if change.unit_price is not None else before_price
    if after_quantity < 0 or after_quantity > before_quantity:
        raise InvoicingError(
            _(
                "%(sku)s: the quantity can go from %(before)s down to 0, not to %(after)s.",
                sku=line.sku,
                before=_plain(before_quantity),
                after=_plain(after_quantity),
            )
        )
    if after_price < 0 or round_money(after_price) != after_price:
        raise InvoicingError(_("%(sku)s: a price is a positive amount in grosze.", sku=line.sku))
    if after_quantity == before_quantity and after_price == before_price:
        return []
    if before_quantity == 0:
        raise InvoicingError(_("%(sku)s: nothing of this line is left to correct.", sku=line.sku))

    def row(quantity: Decimal, price: Decimal, net: Decimal) -> LineDraft:
        return LineDraft(
            sku=line.sku,
            name=line.name,
            unit=line.unit,
            quantity=quantity,
            unit_price=price,
            vat_percent=line.vat_percent,
            product_id=line.product_id,
            list_price=line.list_price,
            net=net,
            source_line_id=line.id,
        )

    if after_price == before_price:
        # A return: the net goes down in proportion, so an order discount comes back too.
        after_net = round_money(before_net * after_quantity / before_quantity)
        return [row(after_quantity - before_quantity, before_price, after_net - before_net)]
    rows = [row(-before_quantity, before_price, -before_net)]
    if after_quantity:
        rows.append(row(after_quantity, after_price, round_money(after_price * after_quantity)))
    return rows


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- the rules, as the admin edits them ---------------------------------------------------------


@dataclass(frozen=True)
class RuleValues:
    keyword: str
    whole_word: bool
    result: FinalDocument
    active: bool


def _checked(values: RuleValues) -> RuleValues:
    keyword = " ".join(values.keyword.split())
    if not keyword:
        raise InvoicingError(_("Enter a keyword."))
    if len(keyword) > 40:
        raise InvoicingError(_("A keyword has at most 40 characters."))
    return RuleValues(keyword, values.whole_word, values.result, values.active)


def _renumber(rules: list[DocumentRule]) -> None:
    """Positions 10, 20, 30 ... in list order; the tax-ID rule always last."""
    keyword_rules = [rule for rule in rules if rule.condition is not RuleCondition.TAX_ID]
    tax_rules = [rule for rule in rules if rule.condition is RuleCondition.TAX_ID]
    for index, rule in enumerate([*keyword_rules, *tax_rules], start=1):
        rule.position = index * 10


def add_rule(values: RuleValues) -> DocumentRule:
    """A new keyword rule, just before the tax-ID default."""
    values = _checked(values)
    with atomic():
        rules = queries.rules_in_order()
        rule = DocumentRule(
            condition=RuleCondition.NOTE_KEYWORD,
            keyword=values.keyword,
            whole_word=values.whole_word,
            result=values.result,
            active=values.active,
            position=0,
        )
        db.session.add(rule)
        _renumber([*rules, rule])
        db.session.flush()
    return rule


def _editable(rule: DocumentRule) -> None:
    if rule.condition is RuleCondition.TAX_ID:
        raise InvoicingError(
            _("The tax-ID rule is the default: it stays last and cannot be changed.")
        )


def update_rule(rule: DocumentRule, values: RuleValues) -> DocumentRule:
    _editable(rule)
    values = _checked(values)
    with atomic():
        rule.keyword = values.keyword
        rule.whole_word = values.whole_word
        rule.result = values.result
        rule.active = values.active
    return rule


def move_rule(rule: DocumentRule, *, up: bool) -> None:
    """One place up or down among the keyword rules; the tax-ID rule never moves."""
    _editable(rule)
    with atomic():
        every = queries.rules_in_order()
        rules = [r for r in every if r.condition is not RuleCondition.TAX_ID]
        index = next(i for i, r in enumerate(rules) if r.id == rule.id)
        other = index - 1 if up else index + 1
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
        _renumber([*rules, *(r for r in every if r.condition is RuleCondition.TAX_ID)])


def delete_rule(rule: DocumentRule) -> None:
    _editable(rule)
    with atomic():
        db.session.delete(rule)
        db.session.flush()
        _renumber(queries.rules_in_order())
