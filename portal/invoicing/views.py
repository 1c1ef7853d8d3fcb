"""Invoicing screens: the admin's final-document rules, staff invoicing chosen delivery
notes of a partner, and a correction (KOR) of an invoice or receipt."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Company, Role
from portal.core.db import db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.web import STAFF_ROLES, redirect_after_post, role_required, user
from portal.documents.models import Document, DocumentKind
from portal.invoicing import queries, services
from portal.invoicing.forms import RESULT_LABELS, RuleForm, parse_correction
from portal.invoicing.models import DocumentRule, FinalDocument

bp = Blueprint("invoicing", __name__)

NOTES_SHOWN = 200


# --- the rules (admin) ---------------------------------------------------------------------------


def _values(form: RuleForm) -> services.RuleValues:
    return services.RuleValues(
        keyword=form.keyword.data or "",
        whole_word=bool(form.whole_word.data),
        result=FinalDocument(form.result.data),
        active=bool(form.active.data),
    )


def _rules_page(form: RuleForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "invoicing/rules.html", rules=queries.rules_in_order(), form=form, labels=RESULT_LABELS
    ), status


@bp.get("/admin/rules")
@role_required(Role.ADMIN)
def rules() -> tuple[str, int]:
    return _rules_page(RuleForm())


@bp.post("/admin/rules")
@role_required(Role.ADMIN)
def add_rule() -> Response | tuple[str, int]:
    form = RuleForm()
    if form.validate_on_submit():
        try:
            services.add_rule(_values(form))
        except DomainError as error:
            form.keyword.errors = [*form.keyword.errors, error.message]
        else:
            flash(_("Rule added."), "success")
            return redirect_after_post(url_for("invoicing.rules"))
    return _rules_page(form, 422)


def _rule_or_404(rule_id: int) -> DocumentRule:
    return db.get_or_404(DocumentRule, rule_id)


@bp.route("/admin/rules/<int:rule_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_rule(rule_id: int) -> Response | tuple[str, int]:
    rule = _rule_or_404(rule_id)
    form = RuleForm(obj=rule if request.method == "GET" else None)
    if request.method == "GET" and rule.result is not None:
        form.result.data = rule.result.value
    if form.validate_on_submit():
        try:
            services.update_rule(rule, _values(form))
        except DomainError as error:
            form.keyword.errors = [*form.keyword.errors, error.message]
        else:
            flash(_("Rule saved."), "success")
            return redirect_after_post(url_for("invoicing.rules"))
    status = 422 if request.method == "POST" else 200
    return render_template("invoicing/rule_form.html", rule=rule, form=form), status


@bp.post("/admin/rules/<int:rule_id>/move")
@role_required(Role.ADMIN)
def move_rule(rule_id: int) -> Response:
    rule = _rule_or_404(rule_id)
    try:
        services.move_rule(rule, up=request.form.get("direction") == "up")
    except DomainError as error:
        flash(error.message, "error")
    return redirect_after_post(url_for("invoicing.rules"))


@bp.post("/admin/rules/<int:rule_id>/delete")
@role_required(Role.ADMIN)
def delete_rule(rule_id: int) -> Response:
    rule = _rule_or_404(rule_id)
    try:
        services.delete_rule(rule)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Rule deleted."), "success")
    return redirect_after_post(url_for("invoicing.rules"))


# --- staff: invoice chosen delivery notes ---------------------------------------------------------


def _company_from(raw: str | None) -> Company | None:
    if not raw or not raw.isdigit():
        return None
    return db.session.get(Company, int(raw))


def _office_page(company: Company | None, *, status: int = 200, error: str = "") -> tuple[str, int]:
    notes = queries.uninvoiced_delivery_notes(company.id, limit=NOTES_SHOWN + 1) if company else []
    return render_template(
        "invoicing/office.html",
        partners=queries.partners_for_invoicing(),
        company=company,
        notes=notes[:NOTES_SHOWN],
        more=len(notes) > NOTES_SHOWN,
        orders=queries.orders_of(notes[:NOTES_SHOWN]),
        chosen={int(raw) for raw in request.form.getlist("note_id") if raw.isdigit()},
        error=error,
    ), status


@bp.get("/office/invoicing")
@role_required(*STAFF_ROLES)
def office() -> tuple[str, int]:
    return _office_page(_company_from(request.args.get("company_id")))


@bp.post("/office/invoicing")
@role_required(*STAFF_ROLES)
def issue_invoice() -> Response | tuple[str, int]:
    company = _company_from(request.form.get("company_id"))
    if company is None:
        return _office_page(None, status=422, error=_("Choose a partner."))
    ids = sorted({int(raw) for raw in request.form.getlist("note_id") if raw.isdigit()})
    notes = list(
        db.session.scalars(sa.select(Document).where(Document.id.in_(ids)).order_by(Document.id))
    )
    try:
        if len(notes) != len(ids):
            raise DomainError(_("A chosen delivery note does not exist."))
        invoice = services.invoice_delivery_notes(company, notes, actor=user())
    except DomainError as error:
        return _office_page(company, status=422, error=error.message)
    flash(_("%(number)s issued.", number=invoice.number), "success")
    return redirect_after_post(url_for("invoicing.office", company_id=company.id))


# --- staff: a correction (KOR) ------------------------------------------------------------------


def _correctable_or_404(document_id: int) -> Document:
    document = db.get_or_404(Document, document_id)
    if document.kind not in (DocumentKind.FS, DocumentKind.PA):
        abort(404)
    return document


@bp.route("/office/documents/<int:document_id>/correct", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def correct(document_id: int) -> Response | tuple[str, int]:
    original = _correctable_or_404(document_id)
    states = queries.line_states(original)
    errors: dict[str, str] = {}
    if request.method == "POST":
        parsed = parse_correction(request.form, states)
        errors = parsed.errors
        if not errors:
            try:
                correction = services.issue_correction(
                    original, parsed.changes, actor=user(), reason=parsed.reason
                )
            except DomainError as error:
                errors = {"form": error.message}
            else:
                flash(_("%(number)s issued.", number=correction.number), "success")
                return redirect_after_post(url_for("invoicing.correct", document_id=original.id))
    company = db.session.get(Company, original.company_id) if original.company_id else None
    return render_template(
        "invoicing/correct.html",
        original=original,
        company=company,
        states=states,
        errors=errors,
        form=request.form,
    ), (422 if errors else 200)
