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
    from portal.documents.views import bp as documents
    from portal.documents.views import office as office_documents
    from portal.fulfilment.cli import fulfilment_cli
    from portal.fulfilment.views import bp as fulfilment
    from portal.invoicing.cli import invoicing_cli
    from portal.invoicing.views import bp as invoicing
    from portal.notifications.cli import outbox_cli
    from portal.orders.views import bp as orders
    from portal.payments.views import bp as payments
    from portal.payments.views import office as office_payments
    from portal.reps.views import bp as reps
    from portal.returns.admin_views import bp as returns_admin
    from portal.returns.office_views import bp as returns_office
    from portal.returns.office_views import reports_bp as returns_reports
    from portal.returns.views import bp as returns
    from portal.stock.cli import stock_cli
    from portal.stock.views import bp as stock

    for blueprint in (health, accounts, catalog, cart, backoffice, admin, orders, payments, reps):
        app.register_blueprint(blueprint)
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(fulfilment_cli)
    app.register_blueprint(fulfilment)
    app.cli.add_command(stock_cli)
    app.register_blueprint(stock)
    for blueprint in (documents, office_documents, office_payments):
        app.register_blueprint(blueprint)
    app.cli.add_command(invoicing_cli)
    app.register_blueprint(invoicing)
    app.register_blueprint(returns)
    for blueprint in (returns_office, returns_reports, returns_admin):
        app.register_blueprint(blueprint)
    register_templating(app)
