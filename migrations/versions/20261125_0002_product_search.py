"""product search: SQLite FTS5 table with triggers, or a PostgreSQL tsvector column

Revision ID: 0002_product_search
Revises: 0001_foundation
Create Date: 2026-11-25

These structures live only in migrations; env.py keeps autogenerate away from them.
"""
from alembic import op

revision = "0002_product_search"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

SQLITE_UP = [
    # External-content FTS5: the text stays in products, the index in products_fts.
    """CREATE VIRTUAL TABLE products_fts USING fts5(
        name, description, sku, ean,
        content='products', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2",
        prefix='2 3'
    )""",
    """CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
        INSERT INTO products_fts(rowid, name, description, sku, ean)
        VALUES (new.id, new.name, new.description, new.sku, coalesce(new.ean, ''));
    END""",
    """CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
        INSERT INTO products_fts(products_fts, rowid, name, description, sku, ean)
        VALUES ('delete', old.id, old.name, old.description, old.sku, coalesce(old.ean, ''));
    END""",
    """CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description, sku, ean ON products
    BEGIN
        INSERT INTO products_fts(products_fts, rowid, name, description, sku, ean)
        VALUES ('delete', old.id, old.name, old.description, old.sku, coalesce(old.ean, ''));
        INSERT INTO products_fts(rowid, name, description, sku, ean)
        VALUES (new.id, new.name, new.description, new.sku, coalesce(new.ean, ''));
    END""",
    "INSERT INTO products_fts(products_fts) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS products_fts_update",
    "DROP TRIGGER IF EXISTS products_fts_delete",
    "DROP TRIGGER IF EXISTS products_fts_insert",
    "DROP TABLE IF EXISTS products_fts",
]

POSTGRES_UP = [
    # unaccent folds diacritics ("zlacze" finds "złącze"); the extension lives in public so
    # that every schema of the database shares it.
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    # Immutable, so a generated column may use it; hyphens and slashes separate words, so
    # "HNG-00123" is indexed as "hng" and "00123" (the parser would read "-00123").
    """CREATE FUNCTION portal_search_text(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary,
                translate(coalesce(value, ''), '-_/.', '    '))) $$""",
    """ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', portal_search_text(name)), 'A') ||
        setweight(to_tsvector('simple', portal_search_text(sku || ' ' || coalesce(ean, ''))), 'A') ||
        setweight(to_tsvector('simple', portal_search_text(description)), 'C')
    ) STORED""",
    "CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)",
]

POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_products_search_vector",
    "ALTER TABLE products DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS portal_search_text(text)",
]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
