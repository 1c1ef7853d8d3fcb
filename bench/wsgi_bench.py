"""The portal as gunicorn serves it, with session protection off so that the benchmark's
signed cookies work from any client address."""

from portal import create_app

app = create_app({"SESSION_PROTECTION": None})
app.extensions["login_manager"].session_protection = None
