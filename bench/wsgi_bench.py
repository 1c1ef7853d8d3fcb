"""The portal as gunicorn serves it, with session protection off so that the benchmark's
signed cookies work from any client address."""

import gc

from portal import create_app

app = create_app({"SESSION_PROTECTION": None})
gc.freeze()  # as wsgi.py does: the app's long-lived objects stay out of every collection
