"""Nightly sales ETL: generate a day's orders, convert currencies and aggregate per region.

Extraction writes a CSV file of synthetic but seeded orders; the transform step retries on
transient errors, has a timeout and runs on interruptible capacity; its reporting currency is
configured through an environment variable. Run the module directly to print the report.
"""
# equivalence: entry=nightly_sales inputs={"day": "2024-03-01", "orders": 400}

import csv
import os
from datetime import timedelta
from typing import Dict

import flyte
from flyte.io import File

RATES = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17}

env_reporting = flyte.TaskEnvironment(
    name="sales_etl_main_reporting",
    env_vars={"REPORTING_CURRENCY": "EUR"},
)
env = flyte.TaskEnvironment(name="sales_etl_main", depends_on=[env_reporting])


@env.task(retries=3, timeout=timedelta(minutes=10))
def extract_orders(day: str, orders: int) -> File:
    import numpy as np

    rng = np.random.default_rng(int(day.replace("-", "")))
    path = os.path.join(os.getcwd(), f"orders-{day}.csv")
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["order_id", "region", "currency", "amount"])
        for i in range(orders):
            writer.writerow(
                [
                    f"{day}-{i:05d}",
                    str(rng.choice(["north", "south", "east", "west"])),
                    str(rng.choice(list(RATES))),
                    f"{rng.gamma(2.0, 40.0):.2f}",
                ]
            )
    return File.from_local_sync(path)


@env_reporting.task(retries=2, timeout=600, interruptible=True)
def aggregate(orders: File) -> Dict[str, float]:
    currency = os.environ.get("REPORTING_CURRENCY", "EUR")
    totals: Dict[str, float] = {}
    with open(orders.download_sync()) as fh:
        for row in csv.DictReader(fh):
            amount = float(row["amount"]) * RATES[row["currency"]] / RATES[currency]
            totals[row["region"]] = totals.get(row["region"], 0.0) + amount
    return {region: round(total, 2) for region, total in sorted(totals.items())}


@env.task
def nightly_sales(day: str, orders: int = 250) -> Dict[str, float]:
    return aggregate(orders=extract_orders(day=day, orders=orders))


if __name__ == "__main__":
    flyte.init()
    report = flyte.run(nightly_sales, day="2024-03-01", orders=400).outputs()[0]
    for region, total in report.items():
        print(f"{region:>6}: {total:10.2f}")
