"""`flask stock check`: every balance against the sum of its moves."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.catalog.models import Product
from portal.core.db import db
from portal.stock.ledger import check
from portal.stock.models import Batch, Warehouse

stock_cli = AppGroup("stock", help="The stock ledger.")


def _plain(value: object) -> str:
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


@stock_cli.command("check")
def check_command() -> None:
    """Exit 1 and list the drifts when a balance differs from the sum of its moves."""
    drifts = check()
    if not drifts:
        click.echo("stock: every balance equals the sum of its moves.")
        return
    skus = dict(
        db.session.execute(
            sa.select(Product.id, Product.sku).where(
                Product.id.in_({drift.product_id for drift in drifts})
            )
        ).all()
    )
    codes = dict(db.session.execute(sa.select(Warehouse.id, Warehouse.code)).all())
    lots = dict(
        db.session.execute(
            sa.select(Batch.id, Batch.lot).where(
                Batch.id.in_({drift.batch_id for drift in drifts if drift.batch_id})
            )
        ).all()
    )
    click.echo(f"stock: {len(drifts)} balance(s) differ from the sum of their moves:", err=True)
    for drift in drifts:
        where = f"{skus.get(drift.product_id, drift.product_id)} in {codes.get(drift.warehouse_id)}"
        if drift.batch_id is not None:
            where += f", lot {lots.get(drift.batch_id, drift.batch_id)}"
        click.echo(
            f"  {drift.what:<7} {where}: balance {_plain(drift.balance)}, "
            f"moves {_plain(drift.moves)}",
            err=True,
        )
    sys.exit(1)
