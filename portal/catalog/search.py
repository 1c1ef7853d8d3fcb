"""Full-text search over products: SQLite FTS5, or PostgreSQL's tsvector with a GIN index.

The search structures exist only in migrations (an FTS5 table with a prefix index, kept in
step by triggers; a generated tsvector column), so this module speaks to them in SQL of its
own. SKU and EAN are indexed too, and an exact SKU or EAN match ranks first.

Ranking (bm25 / ts_rank) costs time per match, so it is used while the matches are few
enough to rank within the page budget; a broader query lists its matches in catalog order.
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
RANK_AT_MOST = 1000
MIN_PREFIX = 2


def terms(text: str) -> list[str]:
    return [word.lower()[:40] for word in _WORD.findall(text)][:MAX_TERMS]


@dataclass(frozen=True)
class Match:
    """The matching products as a subquery of (id, rank) to join; lower rank is better."""

    subquery: Any
    exact: str
    hits: int
    counted: Any = None
    """The subquery to count with, when it differs from the one to list with."""

    @property
    def for_count(self) -> Any:
        return self.counted if self.counted is not None else self.subquery

    @property
    def ranked(self) -> bool:
        return self.hits <= RANK_AT_MOST

    def order_by(self) -> list[Any]:
        if not self.ranked:
            return [self.subquery.c.id]
        exact_hit = sa.or_(Product.sku == self.exact, Product.ean == self.exact)
        return [sa.case((exact_hit, 0), else_=1), self.subquery.c.rank, Product.id]


def matching(text: str) -> Match | None:
    """The products matching every word (the last also as a prefix), or None for no words."""
    words = terms(text)
    if not words:
        return None
    exact = text.strip().upper()[:64]
    if db.engine.dialect.name == "postgresql":
        return _postgres(words, exact)
    return _sqlite(words, exact)


def _sqlite(words: list[str], exact: str) -> Match:
    quoted = [f'"{word}"' for word in words]
    if len(words[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    expression = " AND ".join(quoted)
    hits = db.session.scalar(
        sa.text("SELECT count(*) FROM products_fts WHERE products_fts MATCH :match").bindparams(
            match=expression
        )
    )
    ranked = (hits or 0) <= RANK_AT_MOST
    rank = "bm25(products_fts, 10.0, 1.0, 20.0, 20.0)" if ranked else "0"

    def matches(materialized: bool) -> Any:
        cte = (
            sa.text(
                f"SELECT rowid AS id, {rank} AS rank FROM products_fts "  # noqa: S608 - constant
                "WHERE products_fts MATCH :match"
            )
            .bindparams(match=expression)
            .columns(id=sa.Integer, rank=sa.Float)
            .cte("search")
        )
        return cte.prefix_with("MATERIALIZED") if materialized else cte

    # Materialised, SQLite reads the matches first and then looks products up by id; left
    # to itself it may scan the products and ask the full-text index once per row. A broad,
    # unranked listing is the exception: in full-text (id) order SQLite streams the matches
    # and stops after one page.
    listing = matches(materialized=ranked)
    return Match(listing, exact, hits or 0, counted=None if ranked else matches(materialized=True))


def _postgres(words: list[str], exact: str) -> Match:
    parts = [
        f"{word}:*" if i == len(words) - 1 and len(word) >= MIN_PREFIX else word
        for i, word in enumerate(words)
    ]
    # The words are letters and digits only, so the query needs no escaping; it goes through
    # the same folding as the indexed text.
    tsquery = " & ".join(parts)
    hits = db.session.scalar(
        sa.text(
            "SELECT count(*) FROM products "
            "WHERE search_vector @@ to_tsquery('simple', portal_search_text(:q))"
        ).bindparams(q=tsquery)
    )
    rank = "-ts_rank(search_vector, query)" if (hits or 0) <= RANK_AT_MOST else "0"
    subquery = (
        sa.text(
            f"SELECT id, {rank} AS rank FROM products, "  # noqa: S608 - constant
            "to_tsquery('simple', portal_search_text(:q)) AS query "
            "WHERE search_vector @@ query"
        )
        .bindparams(q=tsquery)
        .columns(id=sa.Integer, rank=sa.Float)
        .cte("search")
    )
    return Match(subquery, exact, hits or 0)
