"""Stripe's webhook, the page Stripe Checkout returns to, and "Pay by card" for an order."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.core.acting import customer
from portal.core.errors import DomainError
from portal.core.web import is_htmx, redirect_after_post, user
from portal.extensions import csrf
from portal.orders.queries import order_for
from portal.orders.services import card_payments_enabled
from portal.payments import services, stripe_gateway

log = logging.getLogger(__name__)

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.post("/stripe/webhook")
@csrf.exempt  # Stripe signs the body instead; there is no session to forge a request for
def stripe_webhook() -> Response:
    if not current_app.config.get("STRIPE_WEBHOOK_SECRET"):
        abort(404)
    try:
        event = stripe_gateway.construct_event(
            request.get_data(), request.headers.get("Stripe-Signature")
        )
    except stripe_gateway.InvalidWebhook as error:
        log.warning("stripe webhook refused: %s", error)
        abort(400, description=_("Invalid Stripe webhook: %(reason)s", reason=str(error)))
    services.handle_event(event)
    return jsonify(received=True)


@bp.get("/stripe/return/<int:order_id>")
@login_required
def card_return(order_id: int) -> Response:
    """Where Stripe Checkout sends the buyer back: only the webhook marks the order paid."""
    if not card_payments_enabled():
        abort(404)
    order = order_for(user(), order_id)
    flash(_("Thank you: we will confirm the payment as soon as Stripe tells us."), "success")
    return redirect(url_for("orders.detail", order_id=order.id), code=303)


@bp.post("/orders/<int:order_id>/card")
@login_required
def pay_by_card_redirect(order_id: int) -> Response:
    """Sends the buyer to Stripe Checkout for an order whose card payment is still awaited
    (right after placing it, or to try again)."""
    if not card_payments_enabled():
        abort(404)
    order = order_for(customer(), order_id)
    try:
        url = services.start_card_payment(order)
    except DomainError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("orders.detail", order_id=order_id))
    if is_htmx():  # Stripe's page is another site: htmx must leave the page, not swap it in
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
