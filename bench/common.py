"""Shared benchmark plumbing: data sets, an app without test shortcuts, timing and reports."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"


@dataclass
class Timing:
    name: str
    samples_ms: list[float]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.samples_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
        return ordered[index]

    def row(self) -> dict[str, float | str | int]:
        return {
            "name": self.name,
            "requests": len(self.samples_ms),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "max_ms": round(max(self.samples_ms), 2),
            "mean_ms": round(statistics.fmean(self.samples_ms), 2),
        }


def database_url(label: str) -> str:
    """DATABASE_URL when given (PostgreSQL), else a SQLite file kept under bench/data."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    DATA.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA / label}.db"


def flask_cli(url: str, *args: str) -> None:
    env = dict(
        os.environ, DATABASE_URL=url, PORTAL_ENV="development", MEDIA_ROOT=str(DATA / "media")
    )
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args],
        check=True,
        env=env,
        cwd=ROOT,
    )


def ensure_demo(url: str, *extra: str, marker: str) -> None:
    """Builds the data set once: a marker file per data set and database URL skips it later
    (a new PostgreSQL cluster has a new port, so its URL differs). A kept data set is
    migrated to the current schema first (a no-op when it is current)."""
    where = hashlib.sha256(url.encode()).hexdigest()[:12]
    flag = DATA / (f"{marker}.ready" if url.startswith("sqlite") else f"{marker}-{where}.ready")
    flask_cli(url, "db", "upgrade")
    if flag.exists():
        return
    started = time.perf_counter()
    flask_cli(url, "demo", "load", "--reset", *extra)
    print(f"data set built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    flag.write_text(url)


def bench_app(url: str) -> Flask:
    from portal import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "MEDIA_ROOT": str(DATA / "media"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    logging.getLogger("portal").setLevel(logging.WARNING)  # one line per request off the clock
    from portal.core.memory import settle_for_serving

    settle_for_serving()  # as wsgi.py does for gunicorn workers
    return app


def measure(
    name: str, urls: Iterable[str], fetch: Callable[[str], Any], warmup: int = 20
) -> Timing:
    """Server time per request: the app's own Server-Timing figure (from its first
    before_request to its last after_request), which leaves out the test client."""
    urls = list(urls)
    for url in urls[:warmup]:
        fetch(url)
    samples = []
    for url in urls:
        response = fetch(url)
        if response.status_code >= 400:
            raise SystemExit(f"{url} answered {response.status_code}")
        timing = response.headers["Server-Timing"]  # app;dur=12.3
        samples.append(float(timing.split("dur=")[1]))
    return Timing(name, samples)


def report(title: str, timings: list[Timing], meta: dict[str, object]) -> None:
    rows = [t.row() for t in timings]
    print(f"\n{title}")
    for key, value in meta.items():
        print(f"  {key}: {value}")
    print(f"  {'what':<28} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for row in rows:
        name, count = row["name"], row["requests"]
        print(f"  {name:<28} {count:>5} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{title.split()[0].lower()}-{stamp}.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2)
    )
