"""`flask demo load`: plausible demo data; `flask demo logins` prints the demo accounts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")

DEMO_PASSWORD = "demo-pass-2026"
DEMO_LOGINS = [
    ("admin@demo.example", "admin"),
    ("staff@demo.example", "staff (sales office and warehouse)"),
    ("rep@demo.example", "sales rep of Acme, Globex and Kowalski"),
    ("owner@acme.example", "partner admin at Acme Sp. z o.o."),
    ("buyer@acme.example", "buyer at Acme Sp. z o.o. (monthly limit 50,000 PLN)"),
    ("buyer@globex.example", "buyer at Globex GmbH"),
    ("buyer@kowalski.example", "buyer at Kowalski Hurt-Detal (no tax ID)"),
]


@demo_cli.command("logins")
def logins() -> None:
    """Print the demo logins."""
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for email, role in DEMO_LOGINS:
        click.echo(f"  {email:<26} {role}")
    click.echo("")


@demo_cli.command("load")
@click.option("--products", default=2000, show_default=True, help="How many products.")
@click.option("--reset", is_flag=True, help="Empty the database first (all data is lost).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has data.")
@click.option("--seed", default=2026, show_default=True, help="Random seed.")
@click.option(
    "--partners", default=0, show_default=True, help="Extra partners with a document history."
)
@click.option(
    "--document-lines",
    default=0,
    show_default=True,
    help="About how many document lines the extra partners' history has.",
)
@click.option(
    "--rma-lines", default=0, show_default=True, help="RMA lines to add (bulk, for benchmarks)."
)
def load(
    products: int,
    reset: bool,
    if_empty: bool,
    seed: int,
    partners: int,
    document_lines: int,
    rma_lines: int,
) -> None:
    """Fill the database named by DATABASE_URL with demo data."""
    from portal.demo import builder

    if reset:
        builder.reset_database()
    elif not builder.database_is_empty():
        if if_empty:
            click.echo("demo: the database already has data; nothing loaded.")
            return
        raise click.ClickException(
            "The database is not empty. Use --reset to replace its data with the demo."
        )
    orders = builder.load_demo(products=products, seed=seed)
    click.echo(f"demo: loaded {products} products, the demo partners and {orders} orders.")
    if partners:
        from portal.demo.volume import load_volume

        documents, lines = load_volume(partners=partners, document_lines=document_lines, seed=seed)
        click.echo(f"demo: added {partners} partners, {documents} documents, {lines} lines.")
    if rma_lines:
        from portal.demo.returns import echo_loaded, load_rma_volume

        echo_loaded(*load_rma_volume(rma_lines=rma_lines, seed=seed))
