"""`flask invoicing monthly`: the collective invoices of partners invoiced monthly."""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup

from portal.core.clock import local_today
from portal.invoicing.services import invoice_month

invoicing_cli = AppGroup("invoicing", help="Sales invoices.")


def previous_month() -> str:
    today = local_today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@invoicing_cli.command("monthly")
@click.option("--month", help="YYYY-MM; the previous month unless given.")
def monthly(month: str | None) -> None:
    """One invoice per monthly-invoiced partner for its delivery notes of the month."""
    month = month or previous_month()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter("use YYYY-MM, e.g. 2026-11", param_hint="--month")
    outcome = invoice_month(month)
    for document in outcome.issued:
        click.echo(f"{document.number}: {document.gross_total} PLN (company {document.company_id})")
    for company, message in outcome.failed:
        click.echo(f"company {company.id} ({company.name}): {message}", err=True)
    click.echo(f"invoicing {month}: {len(outcome.issued)} issued, {len(outcome.failed)} refused")
