"""Admin: the return policy (a new dated row from today: old deliveries keep theirs) and the
auto-approval rules (ordered; the first active match approves an RMA at once)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, flash, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.core.clock import local_today
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import parse_decimal, round_money
from portal.core.web import redirect_after_post, role_required
from portal.returns.models import ReturnPolicy, RmaKind, RmaRule

bp = Blueprint("returns_admin", __name__, url_prefix="/admin/returns")


class SettingRefused(DomainError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


# --- services ------------------------------------------------------------------------------------


def _whole(raw: str, field: str, low: int, high: int) -> int:
    raw = raw.strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingRefused(
            _("A whole number from %(low)d to %(high)d.", low=low, high=high), field=field
        )
    return int(raw)


def set_policy(window: str, warranty: str, fee: str) -> ReturnPolicy:
    """The policy from today on; deliveries before today keep the one in force then."""
    days = _whole(window, "window", 0, 3650)
    months = _whole(warranty, "warranty", 0, 240)
    percent = parse_decimal(fee or "0")
    if percent is None or not 0 <= percent <= 100 or round_money(percent) != percent:
        raise SettingRefused(_("A percentage from 0 to 100."), field="fee")
    today = local_today()
    with atomic():
        policy = db.session.scalar(sa.select(ReturnPolicy).where(ReturnPolicy.valid_from == today))
        if policy is None:
            policy = ReturnPolicy(valid_from=today)
            db.session.add(policy)
        policy.return_window_days = days
        policy.warranty_months = months
        policy.restocking_fee_percent = percent
    return policy


@dataclass(frozen=True)
class RuleValues:
    kind: RmaKind | None
    max_value: Decimal | None
    require_good_standing: bool
    instructions: str
    active: bool


def rule_values(form: dict[str, str]) -> RuleValues:
    kind_raw = form.get("kind", "")
    kind = RmaKind(kind_raw) if kind_raw in RmaKind._value2member_map_ else None
    raw_value = (form.get("max_value") or "").strip()
    max_value = None
    if raw_value:
        max_value = parse_decimal(raw_value)
        if max_value is None or max_value < 0 or round_money(max_value) != max_value:
            raise SettingRefused(_("An amount in złoty, such as 500.00."), field="max_value")
    instructions = (form.get("instructions") or "").strip()
    if len(instructions) > 2000:
        raise SettingRefused(
            _("At most %(count)d characters, please.", count=2000), field="instructions"
        )
    return RuleValues(
        kind=kind,
        max_value=max_value,
        require_good_standing=form.get("require_good_standing") == "1",
        instructions=instructions,
        active=form.get("active") == "1",
    )


def rules_in_order() -> list[RmaRule]:
    return list(db.session.scalars(sa.select(RmaRule).order_by(RmaRule.position, RmaRule.id)))


def _renumber(rules: list[RmaRule]) -> None:
    for position, rule in enumerate(rules, start=1):
        rule.position = position * 10


def add_rule(values: RuleValues) -> RmaRule:
    with atomic():
        rules = rules_in_order()
        rule = RmaRule(position=(len(rules) + 1) * 10)
        _apply(rule, values)
        db.session.add(rule)
    return rule


def _apply(rule: RmaRule, values: RuleValues) -> None:
    rule.kind = values.kind
    rule.max_value = values.max_value
    rule.require_good_standing = values.require_good_standing
    rule.instructions = values.instructions
    rule.active = values.active


def update_rule(rule: RmaRule, values: RuleValues) -> None:
    with atomic():
        _apply(rule, values)


def move_rule(rule: RmaRule, *, up: bool) -> None:
    with atomic():
        rules = rules_in_order()
        index = next(i for i, other in enumerate(rules) if other.id == rule.id)
        other = index - 1 if up else index + 1
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
        _renumber(rules)


def delete_rule(rule: RmaRule) -> None:
    with atomic():
        db.session.delete(rule)
        db.session.flush()
        _renumber(rules_in_order())


# --- views -------------------------------------------------------------------------------------


def _page(status: int = 200, **errors: str) -> tuple[str, int]:
    policies = list(
        db.session.scalars(
            sa.select(ReturnPolicy).order_by(ReturnPolicy.valid_from.desc()).limit(20)
        )
    )
    return render_template(
        "returns_office/admin.html",
        policies=policies,
        current=next((p for p in policies if p.valid_from <= local_today()), None),
        rules=rules_in_order(),
        kinds=list(RmaKind),
        errors=errors,
        form=request.form,
        nav_area="admin",
    ), status


def _rule(rule_id: int) -> RmaRule:
    return db.get_or_404(RmaRule, rule_id)


@bp.get("")
@role_required(Role.ADMIN)
def index() -> tuple[str, int]:
    return _page()


@bp.post("/policy")
@role_required(Role.ADMIN)
def policy() -> Response | tuple[str, int]:
    try:
        set_policy(
            request.form.get("window", ""),
            request.form.get("warranty", ""),
            request.form.get("fee", ""),
        )
    except SettingRefused as error:
        return _page(422, **{error.field: error.message})
    flash(_("The return policy applies to deliveries from today on."), "success")
    return redirect_after_post(url_for("returns_admin.index"))


@bp.post("/rules")
@role_required(Role.ADMIN)
def create_rule() -> Response | tuple[str, int]:
    try:
        add_rule(rule_values(request.form.to_dict()))
    except SettingRefused as error:
        return _page(422, **{f"new-{error.field}": error.message})
    flash(_("The rule is added."), "success")
    return redirect_after_post(url_for("returns_admin.index") + "#rules")


@bp.post("/rules/<int:rule_id>")
@role_required(Role.ADMIN)
def edit_rule(rule_id: int) -> Response | tuple[str, int]:
    rule = _rule(rule_id)
    try:
        update_rule(rule, rule_values(request.form.to_dict()))
    except SettingRefused as error:
        return _page(422, **{f"{rule.id}-{error.field}": error.message})
    flash(_("The rule is saved."), "success")
    return redirect_after_post(url_for("returns_admin.index") + "#rules")


@bp.post("/rules/<int:rule_id>/move")
@role_required(Role.ADMIN)
def move(rule_id: int) -> Response:
    move_rule(_rule(rule_id), up=request.form.get("direction") == "up")
    return redirect_after_post(url_for("returns_admin.index") + "#rules")


@bp.post("/rules/<int:rule_id>/delete")
@role_required(Role.ADMIN)
def delete(rule_id: int) -> Response:
    delete_rule(_rule(rule_id))
    flash(_("The rule is deleted."), "success")
    return redirect_after_post(url_for("returns_admin.index") + "#rules")
