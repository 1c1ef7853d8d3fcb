import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

# Search structures that only migrations know: autogenerate must not try to drop them.
MIGRATION_ONLY_TABLES = {"products_fts"}
MIGRATION_ONLY_TABLE_PREFIXES = ("products_fts_",)
MIGRATION_ONLY_COLUMNS = {("products", "search_vector")}
MIGRATION_ONLY_INDEXES = {"ix_products_search_vector", "ix_products_name_trgm"}


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and (
        name in MIGRATION_ONLY_TABLES or name.startswith(MIGRATION_ONLY_TABLE_PREFIXES)
    ):
        return False
    if type_ == "column" and (obj.table.name, name) in MIGRATION_ONLY_COLUMNS:
        return False
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def render_item(type_, obj, autogen_context):
    """Our exact-decimal column types are plain BIGINTs in the database."""
    if type_ == "type" and hasattr(obj, "impl") and obj.__class__.__module__ == "portal.core.money":
        return "sa.BigInteger()"
    return False


def get_engine():
    return current_app.extensions["migrate"].db.engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)
target_db = current_app.extensions["migrate"].db


def get_metadata():
    return target_db.metadata


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args["include_object"] = include_object
    conf_args["render_item"] = render_item

    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
