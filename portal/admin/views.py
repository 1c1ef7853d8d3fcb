"""The admin area: configuration."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Company, Role, User
from portal.accounts.services import FieldError, set_user_active
from portal.admin import queries, services
from portal.admin.forms import (
    ROLE_LABELS,
    EmailTemplateForm,
    NewUserForm,
    ReasonForm,
    StatusForm,
)
from portal.core.db import db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy_gettext as _l
from portal.core.web import redirect_after_post, role_required, user
from portal.documents.models import ReasonCode, ReasonKind
from portal.notifications.templates_db import RenderedEmail, render_sandboxed
from portal.orders.models import OrderStatus, StatusType
from portal.seller.forms import SellerForm
from portal.seller.services import seller, update_seller

bp = Blueprint("admin", __name__, url_prefix="/admin")

LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "de": "Deutsch"}


@bp.get("")
@role_required(Role.ADMIN)
def index() -> str:
    return render_template("admin/index.html", settings=seller())


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings() -> Response | tuple[str, int]:
    current = seller()
    form = SellerForm(obj=current)
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        update_seller(values)
        flash(_("Seller settings saved."), "success")
        return redirect_after_post(url_for("admin.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/settings.html", form=form), status


# --- order statuses ---------------------------------------------------------------------------


def _status_form(all_statuses: list[OrderStatus], status: OrderStatus | None) -> StatusForm:
    form = StatusForm(obj=status if request.method == "GET" else None)
    form.targets.choices = [(s.id, s.name) for s in all_statuses if status is None or s != status]
    if request.method == "GET" and status is not None:
        form.type.data = status.type.value
        form.targets.data = sorted(queries.transitions().get(status.id, set()))
    return form


def _status_data(form: StatusForm) -> services.StatusData:
    return services.StatusData(
        name=form.name.data or "",
        type=StatusType(form.type.data),
        position=form.position.data or 0,
        notify_partner=bool(form.notify_partner.data),
        targets=set(form.targets.data or []),
    )


def _statuses_page(form: StatusForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/statuses.html",
        statuses=queries.statuses(),
        transitions=queries.transitions(),
        form=form,
    ), status


@bp.get("/statuses")
@role_required(Role.ADMIN)
def statuses() -> tuple[str, int]:
    return _statuses_page(_status_form(queries.statuses(), None))


@bp.post("/statuses")
@role_required(Role.ADMIN)
def create_status() -> Response | tuple[str, int]:
    form = _status_form(queries.statuses(), None)
    if form.validate_on_submit():
        try:
            created = services.create_status(_status_data(form))
        except FieldError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(_("Status %(name)s added.", name=created.name), "success")
            return redirect_after_post(url_for("admin.statuses"))
    return _statuses_page(form, 422)


@bp.route("/statuses/<int:status_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_status(status_id: int) -> Response | tuple[str, int]:
    status = db.get_or_404(OrderStatus, status_id)
    form = _status_form(queries.statuses(), status)
    if form.validate_on_submit():
        services.update_status(status, _status_data(form))
        flash(_("Status %(name)s saved.", name=status.name), "success")
        return redirect_after_post(url_for("admin.statuses"))
    code = 422 if request.method == "POST" else 200
    return render_template(
        "admin/status_form.html", status=status, form=form, in_use=services.status_in_use(status)
    ), code


@bp.post("/statuses/<int:status_id>/delete")
@role_required(Role.ADMIN)
def delete_status(status_id: int) -> Response:
    status = db.get_or_404(OrderStatus, status_id)
    name = status.name
    try:
        services.delete_status(status)
    except DomainError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("admin.edit_status", status_id=status_id))
    flash(_("Status %(name)s deleted.", name=name), "success")
    return redirect_after_post(url_for("admin.statuses"))


# --- mail templates ---------------------------------------------------------------------------


@bp.get("/email-templates")
@role_required(Role.ADMIN)
def email_templates() -> str:
    return render_template(
        "admin/email_templates.html",
        kinds=queries.mail_kinds(),
        saved=queries.email_templates(),
        languages=LANGUAGE_NAMES,
    )


@bp.route("/email-templates/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_email_template() -> Response | tuple[str, int]:
    kind = queries.mail_kind(request.args.get("code", ""))
    language = request.args.get("language", "")
    if kind is None or language not in LANGUAGE_NAMES:
        abort(404)
    row = queries.email_templates().get((kind.code, language))
    form = EmailTemplateForm(obj=row if request.method == "GET" else None)
    sample = queries.sample_for(kind)
    preview: RenderedEmail | None = None
    status = 200
    action = request.form.get("action", "save")
    here = url_for("admin.edit_email_template", code=kind.code, language=language)
    if request.method == "POST" and action == "reset":
        services.reset_email_template(kind.code, language)
        flash(_("The built-in text is used again."), "success")
        return redirect_after_post(here)
    if form.validate_on_submit():
        try:
            if action == "preview":
                services.check_email_template(
                    form.subject.data or "",
                    form.body_html.data or "",
                    sample=sample,
                    language=language,
                )
                preview = render_sandboxed(
                    form.subject.data or "", form.body_html.data or "", sample, language=language
                )
            else:
                services.save_email_template(
                    kind.code,
                    language,
                    subject=form.subject.data or "",
                    body_html=form.body_html.data or "",
                    sample=sample,
                )
                flash(_("Template saved."), "success")
                return redirect_after_post(here)
        except FieldError as error:
            getattr(form, error.field).errors.append(error.message)
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "admin/email_template.html",
        kind=kind,
        language=language,
        language_name=LANGUAGE_NAMES[language],
        row=row,
        form=form,
        preview=preview,
        has_file=queries.has_file_template(kind.fallback),
    ), status


# --- reason codes -----------------------------------------------------------------------------


def _reasons_page(add_form: ReasonForm, add_kind: str = "", status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/reasons.html",
        reasons=queries.reasons(),
        add_form=add_form,
        add_kind=add_kind,
        kind_labels=REASON_KIND_LABELS,
    ), status


REASON_KIND_LABELS = {
    ReasonKind.RETURN: _l("Returns"),
    ReasonKind.COMPLAINT: _l("Complaints"),
    ReasonKind.WRITE_OFF: _l("Write-offs"),
}


def _reason_data(form: ReasonForm) -> services.ReasonData:
    return services.ReasonData(
        name=form.name.data or "",
        requires_photos=bool(form.requires_photos.data),
        requires_description=bool(form.requires_description.data),
    )


@bp.get("/reasons")
@role_required(Role.ADMIN)
def reasons() -> tuple[str, int]:
    return _reasons_page(ReasonForm(formdata=None))


@bp.post("/reasons")
@role_required(Role.ADMIN)
def add_reason() -> Response | tuple[str, int]:
    form = ReasonForm()
    kind_value = request.form.get("kind", "")
    if kind_value not in {kind.value for kind in ReasonKind}:
        abort(400)
    if form.validate_on_submit():
        try:
            services.add_reason(ReasonKind(kind_value), _reason_data(form))
        except FieldError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(_("Reason added."), "success")
            return redirect_after_post(url_for("admin.reasons"))
    return _reasons_page(form, kind_value, 422)


@bp.post("/reasons/<int:reason_id>")
@role_required(Role.ADMIN)
def update_reason(reason_id: int) -> Response | tuple[str, int]:
    reason = db.get_or_404(ReasonCode, reason_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason a name."), "error")
        return redirect_after_post(url_for("admin.reasons"))
    services.update_reason(reason, _reason_data(form), active=request.form.get("active") == "1")
    flash(_("Reason saved."), "success")
    return redirect_after_post(url_for("admin.reasons"))


@bp.post("/reasons/<int:reason_id>/move")
@role_required(Role.ADMIN)
def move_reason(reason_id: int) -> Response:
    reason = db.get_or_404(ReasonCode, reason_id)
    services.move_reason(reason, up=request.form.get("direction") == "up")
    return redirect_after_post(url_for("admin.reasons"))


# --- users and partners' reps -----------------------------------------------------------------


def _users_page(form: NewUserForm, status: int = 200) -> tuple[str, int]:
    q = request.args.get("q", "")
    role = request.args.get("role", "")
    return render_template(
        "admin/users.html",
        users=queries.users(q, role),
        q=q,
        role=role,
        form=form,
        role_labels=ROLE_LABELS,
        me=user(),
    ), status


@bp.get("/users")
@role_required(Role.ADMIN)
def users() -> tuple[str, int]:
    return _users_page(NewUserForm(formdata=None))


@bp.post("/users")
@role_required(Role.ADMIN)
def create_user() -> Response | tuple[str, int]:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            created = services.create_internal_user(
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                language=form.language.data or "en",
                actor=user(),
            )
        except FieldError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(_("Invitation sent to %(email)s.", email=created.email), "success")
            return redirect_after_post(url_for("admin.users"))
    return _users_page(form, 422)


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int) -> Response:
    target = db.get_or_404(User, user_id)
    try:
        services.change_role(target, Role(request.form.get("role", "")), actor=user())
    except ValueError:
        abort(400)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(
            _("%(name)s is now: %(role)s.", name=target.name, role=ROLE_LABELS[target.role]),
            "success",
        )
    return redirect_after_post(url_for("admin.users", q=target.email))


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def set_active(user_id: int) -> Response:
    target = db.get_or_404(User, user_id)
    try:
        set_user_active(target, active=request.form.get("active") == "1", actor=user())
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(
            _("%(name)s is active.", name=target.name)
            if target.active
            else _("%(name)s is deactivated.", name=target.name),
            "success",
        )
    return redirect_after_post(url_for("admin.users", q=target.email))


@bp.get("/partners")
@role_required(Role.ADMIN)
def partners() -> str:
    q = request.args.get("q", "")
    return render_template(
        "admin/partners.html", companies=queries.companies(q), reps=queries.reps(), q=q
    )


@bp.post("/partners/<int:company_id>/rep")
@role_required(Role.ADMIN)
def assign_rep(company_id: int) -> Response:
    company = db.get_or_404(Company, company_id)
    raw = request.form.get("sales_rep_id", "")
    rep = db.session.get(User, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if raw and rep is None:
        abort(400)
    try:
        services.assign_rep(company, rep)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Sales rep of %(company)s saved.", company=company.name), "success")
    return redirect_after_post(url_for("admin.partners", q=request.form.get("q", "")))
