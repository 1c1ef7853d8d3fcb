"""The database: declarative base, session, transactions and the SQLite recipe."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    QueryableAttribute,
    Session,
    make_transient_to_detached,
    mapped_column,
)

log = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound="Base")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# App commits become savepoints when a test wraps the session in an outer transaction.
# Objects stay loaded after a commit: a request that commits still renders its user and
# company (relationships are raise_on_sql, so an expired one would fail the page).
db = SQLAlchemy(
    model_class=Base,
    session_options={"join_transaction_mode": "create_savepoint", "expire_on_commit": False},
)


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no time zone, so every stored time is UTC without one."""
    return datetime.now(UTC).replace(tzinfo=None)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@contextmanager
def atomic() -> Iterator[None]:
    """One unit of work: the outermost block commits or rolls back; nested blocks join it.
    Work registered with `on_commit` runs once the outermost block has committed."""
    info = db.session.info
    depth = info.get("atomic_depth", 0)
    if depth == 0:
        _end_read_transaction()
    info["atomic_depth"] = depth + 1
    try:
        yield
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
            info.pop("on_commit", None)
        raise
    finally:
        info["atomic_depth"] = depth
    if depth == 0:
        _run_on_commit()


def on_commit(callback: Callable[[], None]) -> None:
    """Runs `callback` after the enclosing atomic() block commits, and never if it rolls back:
    side effects that must not hold the transaction open (rendering a PDF while SQLite's
    write lock is held would stall every other writer). A failing callback is logged; the
    committed work stands, and what the callback makes must be possible to make later."""
    assert db.session.info.get("atomic_depth", 0) > 0, "on_commit outside atomic()"
    db.session.info.setdefault("on_commit", []).append(callback)


def _run_on_commit() -> None:
    callbacks = db.session.info.pop("on_commit", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit work failed: %r", callback)
            db.session.rollback()


# SQLite has one writer at a time. A request reads in a plain (deferred) transaction; the
# service's atomic() block ends it and starts one that takes the write lock at its first
# statement (BEGIN IMMEDIATE), so the lock is held for the unit of work only, not for the
# request's loading, validating and rendering around it, and a write never has to upgrade
# a read snapshot (which fails with "database is locked" when another writer got there
# first). Outside requests (commands, the mail worker, tests) every transaction writes.
WRITING = "sqlite_writing"


def _wants_write_lock() -> bool:
    return db.session.info.get("atomic_depth", 0) > 0 or not has_request_context()


def _end_read_transaction() -> None:
    """Ends a request's read transaction before atomic() starts writing (SQLite). Loaded
    objects stay loaded (no expiry on commit); the unit of work reads what it relies on
    again under the lock."""
    session = db.session()
    if not session.in_transaction() or not is_sqlite():
        return
    if session.connection().info.get(WRITING):
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("changes made outside atomic(): write them inside the block")
    session.commit()


def watch_request_writes(app: Flask) -> None:
    """Marks requests being served, whose writes must be inside atomic() (below), and ends
    what a request read in with a COMMIT rather than the ROLLBACK that closing the session
    sends. psycopg forgets every prepared statement of the connection on a rollback, so
    PostgreSQL planned each statement of each request afresh (a quarter of its time at
    checkout). A request that wrote outside atomic() (an error) is still rolled back."""

    @app.before_request
    def _serving() -> None:
        g.serving_request = True

    @app.teardown_request
    def _end_reading(error: BaseException | None) -> None:
        session = db.session()
        if error is not None or session.info.pop(WROTE_OUTSIDE_ATOMIC, False):
            return
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            session.commit()


def _serving_request(session: Session) -> bool:
    return (
        session.info.get("atomic_depth", 0) == 0
        and has_request_context()
        and "serving_request" in g
    )


@sa.event.listens_for(Session, "before_flush")
def _flush_inside_atomic(session: Session, _context: Any, _instances: Any) -> None:
    if _serving_request(session):
        _written_outside_atomic(session)


@sa.event.listens_for(Session, "do_orm_execute")
def _dml_inside_atomic(state: ORMExecuteState) -> None:
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and _serving_request(state.session):
        _written_outside_atomic(state.session)


WROTE_OUTSIDE_ATOMIC = "wrote_outside_atomic"


def _written_outside_atomic(session: Session) -> None:
    """A request writes only inside atomic(): on SQLite its read transaction could not take
    the write lock once another writer has committed. Tests fail on it; production logs it
    (and rolls the request's transaction back)."""
    session.info[WROTE_OUTSIDE_ATOMIC] = True
    if current_app.config.get("TESTING"):
        raise RuntimeError("a request wrote outside atomic()")
    log.error("a request wrote outside atomic()", stack_info=True)


def configure_sqlite(engine: sa.Engine) -> None:
    """SQLAlchemy's pysqlite recipe: we send BEGIN ourselves; plus FKs, WAL, busy timeout."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA mmap_size = 268435456")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        writing = _wants_write_lock()
        if writing:
            _begin_immediate(connection.connection.dbapi_connection)
        else:
            connection.exec_driver_sql("BEGIN")
        connection.info[WRITING] = writing


BUSY_SECONDS = 15.0
BUSY_PAUSE_SECONDS = 0.0002


def _begin_immediate(dbapi_connection: Any) -> None:
    """Takes SQLite's one write lock, waiting in short steps. SQLite's own busy handler sleeps
    1, 2, 5, 10, 15 ... ms between tries, so after a commit the lock can sit unused for
    milliseconds while the next writer sleeps; writers queueing behind a checkout each lost
    that time. Here the wait is a loop of 0.2 ms pauses for at most BUSY_SECONDS; every other
    statement keeps the busy timeout."""
    cursor = dbapi_connection.cursor()
    deadline = time.monotonic() + BUSY_SECONDS
    cursor.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(BUSY_PAUSE_SECONDS)
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        cursor.close()


ColumnLike = sa.ColumnElement[Any] | QueryableAttribute[Any]


def one_of(column: ColumnLike, name: str, *, sifts_many: bool = False) -> sa.ColumnElement[bool]:
    """`column IN ids`, the ids given on execution as the parameter `name` (a list), for a
    statement built once (per dialect: the SQL differs). On PostgreSQL they go as one array
    parameter: a rep's hundred partners made statements of a hundred parameters that psycopg
    parsed again on every execution (too long for its cache).

    `sifts_many`: the query reads many rows that the ids only then narrow down (a month of
    every partner's invoices). Then it is a semi-join, `IN (SELECT unnest(array))`: once
    the statement is prepared, PostgreSQL's generic plan for `= ANY(array)` compares each
    row with every id in turn (a constant array it would hash), 2 → 12 ms for the rep's
    sales. Otherwise `= ANY(array)`, which an index on the column answers id by id."""
    if db.engine.dialect.name != "postgresql":
        return column.in_(sa.bindparam(name, expanding=True))
    array = sa.bindparam(name, type_=postgresql.ARRAY(sa.Integer()))
    if sifts_many:
        return column.in_(sa.select(sa.func.unnest(array)).scalar_subquery())
    return column == sa.any_(array)


def table_of(model: type[Base]) -> sa.Table:
    """A model's table, for writes that need no ORM objects back. An insert, update or delete
    of the table costs a third to a half of the Python that the same statement of the mapped
    class does (10 order lines: 285 against 550 µs here), and placing an order is a row of
    such statements."""
    return cast(sa.Table, model.__table__)


def insert_rows(model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Inserts the rows (each with the same keys) in one statement.

    On PostgreSQL the rows go as one array per column, `INSERT ... SELECT * FROM unnest(...)`:
    a statement of constant text, prepared once. Ten order lines as VALUES were a statement of
    200 parameters that psycopg parsed again on every order (too long for its cache). Elsewhere
    they are one statement of many VALUES: asked to return the keys, SQLAlchemy batches the
    rows that way ("insertmanyvalues"), where the driver would send a statement per row."""
    table = table_of(model)
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"rows for {table.name} differ in their columns")
    if db.engine.dialect.name == "postgresql":
        names = tuple(rows[0])
        columns = {name: [row[name] for row in rows] for name in names}
        db.session.execute(_insert_unnested(table, names), columns)
        return
    db.session.execute(sa.insert(table).returning(*table.primary_key.columns), rows)


def inserted(model: type[ModelT], **values: Any) -> ModelT:
    """Inserts one row as a statement of the table and returns it as the session's object,
    without the unit of work: its flush of one new object cost more than twice the Python
    (an order's document: 620 against 270 µs). The object has the values given (by attribute
    name) and its id; columns left to their defaults load when first read."""
    columns = _columns_of(model)
    table = table_of(model)
    (key,) = table.primary_key.columns
    row = {columns[name]: value for name, value in values.items()}
    values[key.key] = db.session.execute(sa.insert(table).returning(key), row).scalar_one()
    instance = model(**values)
    make_transient_to_detached(instance)
    db.session.add(instance)
    return instance


@cache
def _columns_of(model: type[Base]) -> dict[str, str]:
    """A model's attribute names and the names of their columns ("rendered_subject": "subject")."""
    return {prop.key: prop.columns[0].key for prop in sa.inspect(model).column_attrs}


@cache
def _insert_unnested(table: sa.Table, names: tuple[str, ...]) -> sa.Insert:
    # Typed arrays: psycopg's dialect writes each as `%(name)s::NUMERIC(14, 2)[]`.
    arrays = [sa.bindparam(name, type_=postgresql.ARRAY(table.c[name].type)) for name in names]
    rows = sa.func.unnest(*arrays).table_valued(*names).render_derived()
    return sa.insert(table).from_select(names, sa.select(*rows.c))


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"
