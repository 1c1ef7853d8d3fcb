"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal import create_app
from portal.core.db import db
from tests.conftest import app_config

ENV_PY = Path(__file__).resolve().parents[2] / "migrations" / "env.py"


def _include_object():
    # env.py reads Flask's current_app at import time; take only its filter by parsing it.
    source = ENV_PY.read_text()
    start = source.index("MIGRATION_ONLY_TABLES")
    end = source.index("def render_item")
    namespace: dict = {}
    exec(source[start:end], namespace)
    return namespace["include_object"]


@pytest.fixture
def fresh_app(tmp_path):
    """A database of its own, so upgrade and downgrade start from nothing."""
    import os

    url = os.environ.get("DATABASE_URL")
    if url:
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS migration_check CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA migration_check")
        engine.dispose()
        url = url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dmigration_check"
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(app_config(tmp_path, url))
    yield app
    with app.app_context():
        db.engine.dispose()
    if os.environ.get("DATABASE_URL"):
        engine = sa.create_engine(os.environ["DATABASE_URL"])
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS migration_check CASCADE")
        engine.dispose()


@pytest.mark.no_rollback
def test_upgrade_from_empty_builds_exactly_the_models_schema(fresh_app):
    with fresh_app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"include_object": _include_object(), "compare_type": True},
            )
            differences = compare_metadata(context, db.metadata)
    assert differences == []


@pytest.mark.no_rollback
def test_search_works_right_after_upgrade_and_downgrade_removes_everything(fresh_app):
    from tests.builders import make_product

    with fresh_app.app_context():
        flask_migrate.upgrade()
        make_product(sku="HNG-001", name="Zawias puszkowy 35 mm", ean="5901234123457")
        db.session.commit()
        from portal.catalog import search

        match = search.matching("zawias")
        assert match is not None
        found = db.session.execute(sa.select(match.subquery.c.id)).scalars().all()
        assert len(found) == 1
        db.session.remove()
        flask_migrate.downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names())
    assert tables <= {"alembic_version"}


def test_fresh_database_has_the_default_vat_rates_and_a_main_warehouse(app):
    from portal.catalog.models import VatRate
    from portal.stock.models import Warehouse

    rates = {rate.code: rate.percent for rate in db.session.scalars(sa.select(VatRate))}
    assert {code: str(value) for code, value in rates.items()} == {
        "23": "23.00",
        "8": "8.00",
        "5": "5.00",
        "0": "0.00",
    }
    assert db.session.scalar(sa.select(Warehouse).where(Warehouse.is_main.is_(True))) is not None


def test_migration_files_import_no_application_code():
    for path in (ENV_PY.parent / "versions").glob("*.py"):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None
        assert "from portal" not in path.read_text(), path.name
