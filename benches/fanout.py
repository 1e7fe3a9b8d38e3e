#!/usr/bin/env python3
"""Time a Flyte 1 fan-out workflow migrated in both styles, run locally under flyte 2.

    python3 benches/fanout.py [--binary PATH] [--runs N] [--seconds S] [--write]

The program has six tasks of S seconds each (default 1): two independent chains of two tasks
and two independent tasks, so its critical path is 2 S (what a Flyte 1 cluster takes, where
independent nodes run at once). It is migrated with `fix --unsafe-fixes` in the async style
(the default) and with `--style sync`, and each migration is run N times (default 3) with
`flyte.run` in a local run under the flyte 2 venv (`$FLYTE_MIGRATE_VENVS/v2`, default
`~/.cache/flyte-migrate/venvs/v2`, made by `tests/equivalence/venvs.sh`); the original runs
under the flytekit venv (`v1`) for reference. Printed: the median wall time of the run itself
(imports and `flyte.init()` excluded) against the critical path, and whether every run returned
what the original returned. With `--write` the table replaces the "Workflow parallelism"
section of BENCHMARKS.md (added before the corpus section when missing). Standard library only; the binary defaults to
target/debug/flyte-migrate, built if missing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Workflow parallelism"
VENVS = Path(os.environ.get("FLYTE_MIGRATE_VENVS", Path.home() / ".cache" / "flyte-migrate" / "venvs"))

PROGRAM = '''"""A fan-out: two chains of two tasks and two independent tasks."""

import time
from typing import Tuple

from flytekit import task, workflow

SECONDS = {seconds}


@task
def extract_orders(day: int) -> int:
    time.sleep(SECONDS)
    return day * 10


@task
def total_orders(orders: int) -> int:
    time.sleep(SECONDS)
    return orders + 1


@task
def extract_visits(day: int) -> int:
    time.sleep(SECONDS)
    return day * 100


@task
def total_visits(visits: int) -> int:
    time.sleep(SECONDS)
    return visits + 2


@task
def check_inventory(day: int) -> int:
    time.sleep(SECONDS)
    return day + 3


@task
def refresh_prices(day: int) -> int:
    time.sleep(SECONDS)
    return day + 4


@workflow
def daily_report(day: int = 1) -> Tuple[int, int, int, int]:
    orders = extract_orders(day=day)
    order_total = total_orders(orders=orders)
    visits = extract_visits(day=day)
    visit_total = total_visits(visits=visits)
    stock = check_inventory(day=day)
    prices = refresh_prices(day=day)
    return order_total, visit_total, stock, prices
'''

RUNNER = '''
import json, sys, time
sys.path.insert(0, sys.argv[1])
import fanout
side, runs = sys.argv[2], int(sys.argv[3])
times, results = [], []
if side == "v2":
    import flyte
    flyte.init()
for _ in range(runs):
    start = time.perf_counter()
    if side == "v2":
        out = list(flyte.with_runcontext(mode="local").run(fanout.daily_report, day=1).outputs())
    else:
        out = list(fanout.daily_report(day=1))
    times.append(time.perf_counter() - start)
    results.append(out)
print(json.dumps({"times": times, "results": results}))
'''


def run(side: str, directory: Path, runs: int) -> dict:
    python = VENVS / side / "bin" / "python"
    if not python.exists():
        sys.exit(f"missing venv {VENVS / side}: run tests/equivalence/venvs.sh")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_FSEC_"))}
    env.update(HOME=str(directory / "home"), DO_NOT_TRACK="1")
    (directory / "home").mkdir(exist_ok=True)
    p = subprocess.run(
        [str(python), "-c", RUNNER, str(directory), side, str(runs)],
        cwd=directory, env=env, capture_output=True, text=True,
    )
    if p.returncode != 0:
        sys.exit(f"{side} run in {directory} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(REPO / "target" / "debug" / "flyte-migrate"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    args = ap.parse_args()
    binary = Path(args.binary)
    if not binary.exists():
        subprocess.run(["cargo", "build"], cwd=REPO, check=True)
    critical = 2 * args.seconds
    rows = []
    with tempfile.TemporaryDirectory(prefix="flyte-migrate-fanout-") as tmp:
        root = Path(tmp)
        source = PROGRAM.format(seconds=args.seconds)
        original = root / "original"
        original.mkdir()
        (original / "fanout.py").write_text(source)
        v1 = run("v1", original, args.runs)
        expected = v1["results"][0]
        rows.append(("flytekit 1.16.31, original (local: one node after another)", v1))
        for style in ("async", "sync"):
            place = root / style
            place.mkdir()
            path = place / "fanout.py"
            path.write_text(source)
            fixed = subprocess.run(
                [str(binary), "fix", "--unsafe-fixes", "--isolated", "--style", style, str(path)],
                capture_output=True, text=True,
            )
            if fixed.returncode not in (0, 1) or "flytekit" in path.read_text():
                sys.exit(f"fix --style {style} failed:\n{fixed.stdout}{fixed.stderr}")
            migrated = path.read_text()
            print(f"--- --style {style}:\n{migrated[migrated.rfind('@env.task'):]}")
            rows.append((f"flyte 2.12.1, `--style {style}`", run("v2", place, args.runs)))
    table = [
        f"Six tasks of {args.seconds:g} s: two chains of two and two independent tasks (critical path "
        f"{critical:g} s); median of {args.runs} local runs of the run itself (`flyte.run`, or calling the "
        "workflow under flytekit), imports and `flyte.init()` excluded. Written by "
        "`python3 benches/fanout.py --write`.",
        "",
        "| program | wall time | x critical path | same result |",
        "|---|---:|---:|---|",
    ]
    for label, data in rows:
        median = statistics.median(data["times"])
        same = all(r == expected for r in data["results"])
        table.append(f"| {label} | {median:.2f} s | {median / critical:.2f}x | {'yes' if same else 'NO'} |")
    table += [
        "",
        "A Flyte 1 cluster runs the independent nodes at once (about the critical path); a flytekit",
        "local run, like the sync style, runs one task after another. In the async style the sync",
        "tasks a `gather` starts run in threads of the local process (on a cluster, each in its own",
        "container).",
    ]
    text = "\n".join(table)
    print(text)
    if args.write:
        page = REPO / "BENCHMARKS.md"
        content = page.read_text() if page.exists() else ""
        block = f"{SECTION}\n\n{text}\n"
        if SECTION in content:
            before, rest = content.split(SECTION, 1)
            after = rest.split("\n## ", 1)
            content = before + block + ("\n## " + after[1] if len(after) > 1 else "")
        elif "\n## Real-world corpus" in content:
            # benches/corpus.py rewrites its section to the end of the page: stay before it.
            before, after = content.split("\n## Real-world corpus", 1)
            content = before.rstrip("\n") + "\n\n" + block + "\n## Real-world corpus" + after
        else:
            content = content.rstrip("\n") + "\n\n" + block
        page.write_text(content)
        print("wrote BENCHMARKS.md")
    failed = any(not all(r == expected for r in data["results"]) for _, data in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
