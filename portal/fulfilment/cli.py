"""`flask fulfilment deliver-due`: carriers that report delivery by themselves."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.fulfilment.services import deliver_due

fulfilment_cli = AppGroup("fulfilment", help="Shipments and deliveries.")


@fulfilment_cli.command("deliver-due")
def deliver_due_command() -> None:
    """Mark demo-carrier shipments sent two or more days ago as delivered."""
    delivered = deliver_due()
    click.echo(f"fulfilment: {delivered} shipments delivered")
