"""Login, password reset, the user's own profile and the partner admin's company page."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from portal.accounts import queries, services
from portal.accounts.forms import (
    AddressForm,
    ChangePasswordForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    ResetRequestForm,
)
from portal.accounts.models import Role
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import parse_decimal
from portal.core.web import redirect_after_post, role_required, safe_next, user

bp = Blueprint("accounts", __name__)


def home_for_role() -> str:
    if current_user.is_authenticated and current_user.is_staff:
        return url_for("backoffice.dashboard")
    return url_for("catalog.index")


@bp.get("/")
def home() -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(home_for_role())


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(home_for_role())
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            account = services.authenticate(
                form.email.data or "", form.password.data or "", address=request.remote_addr or "-"
            )
        except DomainError as error:
            form.form_errors.append(error.message)
            status = error.status if error.status == 429 else 422
        else:
            login_user(account, remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next"), home_for_role()), code=303)
    elif request.method == "POST":
        status = 422
    form.password.data = ""
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_request() -> Response | str | tuple[str, int]:
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data or "")
        return render_template("accounts/reset_sent.html", email=form.email.data)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_with_token(token: str) -> Response | str | tuple[str, int]:
    max_age = current_app.config["INVITATION_MAX_AGE"]
    account = services.user_for_password_token(token, max_age=max_age)
    if account is None or (
        account.has_password
        and services.user_for_password_token(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
        is None
    ):
        return render_template("accounts/reset_invalid.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.set_password(account, form.password.data or "")
        logout_user()
        flash(_("Your password is set. Please log in."), "success")
        return redirect(url_for("accounts.login"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/reset_form.html", form=form, account=account), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str | tuple[str, int]:
    me = user()
    form = ProfileForm(obj=me)
    password_form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        services.update_profile(
            me,
            name=form.name.data or "",
            phone=form.phone.data,
            language=form.language.data or "en",
        )
        flash(_("Your profile is saved."), "success")
        return redirect_after_post(url_for("accounts.account"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/account.html", form=form, password_form=password_form), status


@bp.post("/account/password")
@login_required
def change_password() -> Response | str | tuple[str, int]:
    me = user()
    form = ProfileForm(obj=me, formdata=None)
    password_form = ChangePasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.change_password(
                me,
                current=password_form.current_password.data or "",
                new=password_form.password.data or "",
            )
        except services.FieldError as error:
            getattr(password_form, error.field).errors.append(error.message)
        else:
            login_user(me)  # the session identity changed with the new password
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect_after_post(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, password_form=password_form), 422


# --- the partner admin's company page --------------------------------------------------------


def _my_company():  # type: ignore[no-untyped-def]
    me = user()
    if me.company is None:
        abort(404)
    return me.company


@bp.get("/company")
@login_required
@role_required(Role.PARTNER_ADMIN)
def company() -> str:
    return _company_page(InviteForm())


def _company_page(invite_form: InviteForm, status: int = 200) -> str:
    org = _my_company()
    return render_template(
        "accounts/company.html",
        company=org,
        users=queries.company_users(org),
        addresses=queries.addresses_of(org),
        invite_form=invite_form,
    ), status  # type: ignore[return-value]


@bp.post("/company/users")
@login_required
@role_required(Role.PARTNER_ADMIN)
def invite() -> Response | str:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invited = services.invite_user(
                _my_company(),
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                actor=user(),
            )
        except services.FieldError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(_("Invitation sent to %(email)s.", email=invited.email), "success")
            return redirect_after_post(url_for("accounts.company"))
    return _company_page(form, 422)


@bp.post("/company/users/<int:user_id>/active")
@login_required
@role_required(Role.PARTNER_ADMIN)
def set_active(user_id: int) -> Response:
    target = queries.company_user_for(user(), user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_user_active(target, active=active, actor=user())
    except DomainError as error:
        flash(error.message, "error")
    else:
        message = _("%(name)s can log in again.") if active else _("%(name)s is deactivated.")
        flash(message % {"name": target.name}, "success")
    return redirect_after_post(url_for("accounts.company"))


def _address_data(form: AddressForm) -> services.AddressData:
    return services.AddressData(
        label=form.label.data or "",
        recipient=form.recipient.data or "",
        street=form.street.data or "",
        postal_code=form.postal_code.data or "",
        city=form.city.data or "",
        country=form.country.data or "PL",
        phone=form.phone.data or None,
        is_default=bool(form.is_default.data),
    )


@bp.route("/company/addresses/new", methods=["GET", "POST"])
@login_required
@role_required(Role.PARTNER_ADMIN)
def new_address() -> Response | str | tuple[str, int]:
    form = AddressForm()
    if form.validate_on_submit():
        services.save_address(_my_company(), _address_data(form))
        flash(_("Address added."), "success")
        return redirect_after_post(url_for("accounts.company"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/address_form.html", form=form, address=None), status


@bp.route("/company/addresses/<int:address_id>", methods=["GET", "POST"])
@login_required
@role_required(Role.PARTNER_ADMIN)
def edit_address(address_id: int) -> Response | str | tuple[str, int]:
    address = queries.address_for(user(), address_id)
    form = AddressForm(obj=address)
    if form.validate_on_submit():
        services.save_address(_my_company(), _address_data(form), address=address)
        flash(_("Address saved."), "success")
        return redirect_after_post(url_for("accounts.company"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/address_form.html", form=form, address=address), status


@bp.post("/company/addresses/<int:address_id>/archive")
@login_required
@role_required(Role.PARTNER_ADMIN)
def archive_address(address_id: int) -> Response:
    address = queries.address_for(user(), address_id)
    services.archive_address(address)
    flash(_("Address removed."), "success")
    return redirect_after_post(url_for("accounts.company"))


@bp.post("/company/users/<int:user_id>/limits")
@login_required
@role_required(Role.PARTNER_ADMIN)
def set_limits(user_id: int) -> Response:
    target = queries.company_user_for(user(), user_id)
    values: dict[str, Decimal | None] = {}
    for field in ("order_limit", "monthly_limit"):
        raw = request.form.get(field, "").strip()
        values[field] = parse_decimal(raw) if raw else None
        if raw and values[field] is None:
            flash(_("Limits must be amounts, such as 5000 or 5000.50."), "error")
            return redirect_after_post(url_for("accounts.company"))
    try:
        services.set_limits(
            target,
            order_limit=values["order_limit"],
            monthly_limit=values["monthly_limit"],
            actor=user(),
        )
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Limits of %(name)s saved.", name=target.name), "success")
    return redirect_after_post(url_for("accounts.company"))
