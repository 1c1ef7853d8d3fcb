"""Render time of a 20-line invoice PDF (target: p95 <= 300 ms with libharfbuzz-subset0).

    .venv/bin/python -m bench.invoice_pdf [--renders 20]

Builds one FS in a throwaway SQLite database and renders its PDF N times after one warm-up
(the first render loads WeasyPrint and the fonts).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench.common import Timing


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--lines", type=int, default=20)
    args = parser.parse_args()

    import flask_migrate

    from portal import create_app
    from portal.accounts.models import Company
    from portal.core.db import db
    from portal.documents.models import DocumentKind
    from portal.documents.pdf import render_pdf
    from portal.documents.services import LineDraft, issue
    from portal.seller.services import update_seller

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "ENV_NAME": "test",
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "MEDIA_ROOT": str(Path(tmp) / "media"),
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            update_seller(
                {
                    "name": "Zażółć Gęślą Jaźń Sp. z o.o.",
                    "tax_id": "5260001246",
                    "street": "ul. Źródlana 7",
                    "postal_code": "61-001",
                    "city": "Poznań",
                    "bank_account": "PL61109010140000071219812874",
                }
            )
            company = Company(name="Łódzka Hurtownia Śrub", tax_id="7740001454", tax_country="PL")
            db.session.add(company)
            db.session.flush()
            lines = [
                LineDraft(
                    sku=f"SKU-{n:05d}",
                    name=f"Zawias meblowy nr {n} – stal ocynkowana",
                    unit="pcs",
                    quantity=Decimal(n),
                    unit_price=Decimal("12.34") + n,
                    vat_percent=Decimal("23.00") if n % 3 else Decimal("8.00"),
                )
                for n in range(1, args.lines + 1)
            ]
            invoice, _rows = issue(
                DocumentKind.FS, on=date.today(), actor=None, lines=lines, company_id=company.id
            )
            render_pdf(invoice)  # warm-up: imports, fonts
            samples, cpu_samples = [], []
            for _ in range(args.renders):
                started, cpu_started = time.perf_counter(), time.process_time()
                data = render_pdf(invoice)
                samples.append((time.perf_counter() - started) * 1000)
                cpu_samples.append((time.process_time() - cpu_started) * 1000)
            timing = Timing(f"invoice PDF, {args.lines} lines", samples)
            # On a shared machine wall time mostly measures the others; CPU time does not.
            print(Timing("CPU time of the same renders", cpu_samples).row())
            subset = subprocess.run(
                ["dpkg-query", "-W", "-f=${Status}", "libharfbuzz-subset0"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            print(timing.row(), f"{len(data)} bytes", "harfbuzz-subset:", "installed" in subset)
            db.session.rollback()


if __name__ == "__main__":
    main()
