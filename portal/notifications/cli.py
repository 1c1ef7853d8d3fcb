"""`flask outbox run`: the mail worker."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from portal.core.db import db
from portal.notifications.delivery import deliver_due

outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("run")
@click.option("--loop", is_flag=True, help="Keep running, polling for due mail.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
def run(loop: bool, interval: float) -> None:
    """Send the mail that is due (once, or continuously with --loop)."""
    while True:
        sent, failed = deliver_due()
        db.session.remove()
        if sent or failed or not loop:
            click.echo(f"outbox: {sent} sent, {failed} failed attempts")
        if not loop:
            return
        time.sleep(interval)
