"""Full-text search over products: SQLite FTS5, or PostgreSQL's tsvector with a GIN index.

The search structures exist only in migrations (an FTS5 table kept in step by triggers; a
generated tsvector column), so this module speaks to them in SQL of its own. SKU and EAN are
indexed too, and an exact SKU or EAN match ranks first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.catalog.models import Product
from portal.core.db import db

# Words of letters and digits in any script; everything else separates them, so quotes,
# operators and SQL typed into a search box are only separators.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 8


def terms(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)][:MAX_TERMS]


@dataclass(frozen=True)
class Match:
    """A subquery of (id, rank) to join products on; lower rank is better."""

    subquery: sa.Subquery
    exact: str

    def order_by(self) -> list[Any]:
        exact_hit = sa.or_(Product.sku == self.exact, Product.ean == self.exact)
        return [sa.case((exact_hit, 0), else_=1), self.subquery.c.rank, Product.id]


def matching(text: str) -> Match | None:
    """The products matching every word (the last as a prefix), or None for no words."""
    words = terms(text)
    if not words:
        return None
    exact = text.strip().upper()[:64]
    if db.engine.dialect.name == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        subquery = (
            sa.text(
                "SELECT id, -ts_rank(search_vector, q) AS rank "
                "FROM products, to_tsquery('simple', :tsquery) AS q "
                "WHERE search_vector @@ q"
            )
            .bindparams(tsquery=tsquery)
            .columns(id=sa.Integer, rank=sa.Float)
            .subquery("search")
        )
        return Match(subquery, exact)
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    subquery = (
        sa.text(
            "SELECT rowid AS id, bm25(products_fts, 10.0, 1.0, 20.0, 20.0) AS rank "
            "FROM products_fts WHERE products_fts MATCH :match"
        )
        .bindparams(match=" AND ".join(quoted))
        .columns(id=sa.Integer, rank=sa.Float)
        .subquery("search")
    )
    return Match(subquery, exact)
