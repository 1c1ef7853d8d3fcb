"""defaults of a fresh database: VAT rates, the main warehouse, the seller's settings row

Revision ID: 0003_defaults
Revises: 0002_product_search
Create Date: 2026-11-25

A frozen copy of the defaults (DOMAIN.md): migrations never import application code.
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_defaults"
down_revision = "0002_product_search"
branch_labels = None
depends_on = None

vat_rates = sa.table(
    "vat_rates",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("percent", sa.BigInteger),  # hundredths of a percent
    sa.column("name", sa.String),
)
warehouses = sa.table(
    "warehouses",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("is_main", sa.Boolean),
)
seller_settings = sa.table(
    "seller_settings",
    *(sa.column(name, sa.String) for name in (
        "name", "tax_id", "street", "postal_code", "city", "country", "email", "phone",
        "return_recipient", "return_street", "return_postal_code", "return_city",
        "return_country", "bank_name", "bank_account",
    )),
    sa.column("id", sa.Integer),
)


def upgrade():
    op.bulk_insert(
        vat_rates,
        [
            {"id": 1, "code": "23", "percent": 2300, "name": "VAT 23%"},
            {"id": 2, "code": "8", "percent": 800, "name": "VAT 8%"},
            {"id": 3, "code": "5", "percent": 500, "name": "VAT 5%"},
            {"id": 4, "code": "0", "percent": 0, "name": "VAT 0%"},
        ],
    )
    op.bulk_insert(warehouses, [{"id": 1, "code": "MAIN", "name": "Main warehouse", "is_main": True}])
    op.bulk_insert(
        seller_settings,
        [{
            "id": 1, "name": "", "tax_id": "", "street": "", "postal_code": "", "city": "",
            "country": "PL", "email": "", "phone": "", "return_recipient": "",
            "return_street": "", "return_postal_code": "", "return_city": "",
            "return_country": "PL", "bank_name": "", "bank_account": "",
        }],
    )
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids above: move the sequences past them.
        for table in ("vat_rates", "warehouses", "seller_settings"):
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


def downgrade():
    # Defaults still in use stay; the tables themselves go in the foundation's downgrade.
    op.execute("DELETE FROM seller_settings")
    op.execute(
        "DELETE FROM warehouses WHERE NOT EXISTS "
        "(SELECT 1 FROM stock_levels WHERE stock_levels.warehouse_id = warehouses.id) "
        "AND NOT EXISTS (SELECT 1 FROM companies WHERE companies.warehouse_id = warehouses.id)"
    )
    op.execute(
        "DELETE FROM vat_rates WHERE NOT EXISTS "
        "(SELECT 1 FROM products WHERE products.vat_rate_id = vat_rates.id)"
    )
