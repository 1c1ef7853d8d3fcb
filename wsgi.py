"""The WSGI entry point: gunicorn wsgi:app, flask --app wsgi."""

import gc

from portal import create_app

app = create_app()
# Everything loaded so far lives as long as the worker: keep it out of the garbage
# collector's scans, which otherwise show up as pauses in page times.
gc.freeze()
