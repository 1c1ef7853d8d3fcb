"""The WSGI entry point: gunicorn wsgi:app, flask --app wsgi."""

from portal import create_app
from portal.core.memory import settle_for_serving

app = create_app()
settle_for_serving()
