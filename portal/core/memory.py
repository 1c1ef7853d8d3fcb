"""The garbage collector, set for serving: after the app has loaded, and once per worker."""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 20, 100)
"""A collection of the youngest objects once 50,000 more have been made than freed (Python's
default is 700). A request makes tens of thousands of objects and frees nearly all of them
by reference counting, yet with the default a cart page of 50 lines ran four collections,
and every few pages a full one of 5-10 ms. Garbage in cycles waits a little longer."""


def settle_for_serving() -> None:
    """Everything loaded so far lives as long as the worker: keep it out of the collector's
    scans (gc.freeze), and collect young objects rarely (GC_THRESHOLDS)."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
