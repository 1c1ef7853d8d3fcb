"""Every blueprint, CLI group and template helper, registered in one place."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from portal.accounts.views import bp as accounts
    from portal.admin.views import bp as admin
    from portal.backoffice.views import bp as backoffice
    from portal.cart.views import bp as cart
    from portal.catalog.views import bp as catalog
    from portal.core.health import bp as health
    from portal.core.templating import register_templating
    from portal.demo.cli import demo_cli
    from portal.notifications.cli import outbox_cli
    from portal.orders.views import bp as orders
    from portal.payments.views import bp as payments
    from portal.reps.views import bp as reps

    for blueprint in (health, accounts, catalog, cart, backoffice, admin, orders, payments, reps):
        app.register_blueprint(blueprint)
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
    register_templating(app)
