"""The portal as gunicorn serves it, with session protection off so that the benchmark's
signed cookies work from any client address."""

import contextlib
import os
from pathlib import Path

from portal import create_app
from portal.core.memory import settle_for_serving

app = create_app({"SESSION_PROTECTION": None})
settle_for_serving()  # as wsgi.py does

# The benchmark starts its clock once every worker has loaded the app: gunicorn listens
# before its workers have booted, and a worker's boot is not order placement. (A worker
# respawned later finds the folder gone, which is fine.)
if os.environ.get("BENCH_READY_DIR"):
    with contextlib.suppress(OSError):
        (Path(os.environ["BENCH_READY_DIR"]) / str(os.getpid())).touch()
