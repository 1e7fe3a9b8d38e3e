#!/usr/bin/env python3
"""Benchmark flyte-migrate against ruff on the same trees, and write BENCHMARKS.md.

    python3 benches/bench.py [--runs N] [--corpus DIR]

Trees:
  (a) the CPython standard library of the machine's python3 (no flytekit: measures the skip);
  (b) a flytekit-dense tree: the rule fixtures and equivalence programs replicated to at least
      300k lines, at 1x, 2x and 4x, to show how time grows with size;
  (c) real Flyte 1 code: the corpus (`--corpus`, else `$FLYTE_MIGRATE_CORPUS`, else
      `../shared/corpus` beside the repository, when there is one) replicated to at least
      300k lines, projects, packages and imports between modules as they are;
  (d) one generated module of 12,500, 25,000 and 50,000 tasks, to show that the work within a
      module grows linearly too.

Commands, run alternately, each `--runs` times (median wall time, and the peak memory of the
largest run, from /usr/bin/time):
  flyte-migrate check, flyte-migrate fix --diff, flyte-migrate check --statistics,
  ruff check --no-cache --isolated --select AIR3 (ruff from PyPI, in a cached venv).

Everything is built and installed by the script: `cargo build --release`, and ruff into
${FLYTE_MIGRATE_VENVS:-~/.cache/flyte-migrate/venvs}/bench.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BINARY = REPO / "target" / "release" / "flyte-migrate"
WORK = REPO / "target" / "bench"
VENVS = Path(os.environ.get("FLYTE_MIGRATE_VENVS") or Path.home() / ".cache" / "flyte-migrate" / "venvs")
RUFF_VERSION = "0.17.6"


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def ruff() -> Path:
    venv = VENVS / "bench"
    exe = venv / "bin" / "ruff"
    marker = venv / ".ruff-version"
    if exe.exists() and marker.exists() and marker.read_text() == RUFF_VERSION:
        return exe
    shutil.rmtree(venv, ignore_errors=True)
    sh([sys.executable, "-m", "venv", str(venv)])
    sh([str(venv / "bin" / "pip"), "install", "-q", f"ruff=={RUFF_VERSION}"])
    marker.write_text(RUFF_VERSION)
    return exe


def lines_of(tree: Path) -> int:
    total = 0
    for path in tree.rglob("*.py"):
        if "site-packages" in path.parts:
            continue
        with open(path, "rb") as fh:
            total += fh.read().count(b"\n")
    return total


def dense_tree(copies: int) -> Path:
    """The fixtures and equivalence programs, `copies` times, under target/bench/dense-<copies>."""
    root = WORK / f"dense-{copies}"
    if root.exists():
        return root
    sources = sorted((REPO / "fixtures").glob("FM*.py")) + sorted((REPO / "fixtures" / "equivalence").glob("*.py"))
    for i in range(copies):
        target = root / f"pkg{i:04}"
        target.mkdir(parents=True)
        for src in sources:
            shutil.copy(src, target / src.name)
    return root


def corpus_tree(corpus: Path, copies: int) -> Path:
    """The corpus, `copies` times, under target/bench/corpus-<copies>."""
    root = WORK / f"corpus-{copies}"
    if root.exists():
        return root
    for i in range(copies):
        shutil.copytree(corpus, root / f"copy{i:04}", symlinks=True)
    return root


def find_corpus(given: str | None) -> Path | None:
    for candidate in (given, os.environ.get("FLYTE_MIGRATE_CORPUS"), REPO.parent / "shared" / "corpus"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def huge_module(tasks: int) -> Path:
    """One generated module of `tasks` tasks, each with resources of its own (so each gets an
    environment of its own): 4 lines a task, under target/bench/huge-<tasks>.py."""
    path = WORK / f"huge-{tasks}.py"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    parts = ["from flytekit import Resources, task\n"]
    for i in range(tasks):
        parts.append(
            f'@task(requests=Resources(cpu="1", mem="{i + 1}Mi"))\n'
            f"def t{i}(x: int) -> int:\n    return x + 1\n\n"
        )
    path.write_text("".join(parts))
    return path


def measure(cmd: list[str], runs: int) -> tuple[list[float], int]:
    """Wall times of `runs` runs, and the largest peak RSS in KiB."""
    times, peak = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        times.append(time.perf_counter() - start)
        last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "0"
        try:
            peak = max(peak, int(last))
        except ValueError:
            pass
    return times, peak


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", help="a tree of real Flyte 1 code to replicate (see above)")
    args = ap.parse_args()

    sh(["cargo", "build", "--release", "--quiet"], cwd=REPO)
    ruff_exe = ruff()
    ruff_version = subprocess.run([str(ruff_exe), "--version"], capture_output=True, text=True).stdout.strip()

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    base = lines_of(dense_tree(1))
    copies = max(1, -(-300_000 // base))
    trees = [("stdlib", stdlib)] + [
        (f"dense {n}x", dense_tree(copies * n)) for n in (1, 2, 4)
    ]
    corpus = find_corpus(args.corpus)
    if corpus is not None:
        copies_of_corpus = max(1, -(-300_000 // max(1, lines_of(corpus))))
        trees.append((f"corpus x{copies_of_corpus}", corpus_tree(corpus, copies_of_corpus)))

    commands = {
        "flyte-migrate check": lambda t: [str(BINARY), "check", "--exit-zero", "--quiet", str(t)],
        "flyte-migrate fix --diff": lambda t: [str(BINARY), "fix", "--diff", "--exit-zero", "--quiet", str(t)],
        # The same analysis, printing counts per rule instead of a rendered snippet per problem.
        "flyte-migrate check --statistics": lambda t: [
            str(BINARY), "check", "--statistics", "--exit-zero", "--quiet", str(t)
        ],
        "ruff check --select AIR3": lambda t: [
            str(ruff_exe), "check", "--no-cache", "--isolated", "--select", "AIR3", "--exit-zero", "--quiet", str(t)
        ],
    }
    load_before = os.getloadavg()[0]
    results = {}
    for name, tree in trees:
        lines = lines_of(tree)
        # Alternate the commands run by run, so machine noise hits all of them alike.
        samples = {c: ([], 0) for c in commands}
        for _ in range(args.runs):
            for cname, build in commands.items():
                times, peak = measure(build(tree), 1)
                old_times, old_peak = samples[cname]
                samples[cname] = (old_times + times, max(old_peak, peak))
        results[name] = (lines, {c: (statistics.median(t), p) for c, (t, p) in samples.items()})
        print(name, lines, {c: round(v[0], 3) for c, v in results[name][1].items()}, flush=True)

    load_after = os.getloadavg()[0]
    found = subprocess.run(
        commands["flyte-migrate check --statistics"](trees[1][1]), capture_output=True, text=True
    ).stdout
    problems = sum(
        int(line.split()[0]) for line in found.splitlines() if line.split() and line.split()[0].isdigit()
    )

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    out = [
        "# Benchmarks",
        "",
        "Written by `python3 benches/bench.py`; rerun it to refresh this page.",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {cpu}",
        f"- flyte-migrate: release build of this commit; ruff: {ruff_version} from PyPI",
        f"- median wall time of {args.runs} runs per command, commands alternated run by run;",
        f"  load average (1 minute) {load_before:.1f} before the runs and {load_after:.1f} after;",
        "  peak memory is the largest maximum resident set size of those runs",
        "- ruff runs `check --no-cache --isolated --select AIR3` (its Airflow 3 migration rules)",
        "- `check --statistics` does the same analysis as `check` but prints counts per rule, not a",
        "  rendered snippet per problem: the difference is the cost of the report "
        f"({problems:,} problems on the dense 1x tree; ruff reports none there)",
        *(
            [
                f"- `corpus x{copies_of_corpus}`: the real-world Flyte 1 corpus of the sections below, "
                f"copied {copies_of_corpus} times (its projects, packages and imports between modules as they are)"
            ]
            if corpus is not None
            else []
        ),
        "",
        "| tree | lines | command | median | ratio to ruff | peak memory |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for name, (lines, cmds) in results.items():
        ruff_time = cmds["ruff check --select AIR3"][0]
        for cname, (median, peak) in cmds.items():
            ratio = f"{median / ruff_time:.2f}x" if ruff_time > 0 else "-"
            out.append(
                f"| {name} | {lines:,} | `{cname}` | {median * 1000:.0f} ms | {ratio} | {peak / 1024:.0f} MB |"
            )
    out.append("")
    dense = [(n, r) for n, r in results.items() if n.startswith("dense")]
    if len(dense) >= 2:
        first_lines, first = dense[0][1]
        out.append("Growth with tree size (`flyte-migrate check`):")
        out.append("")
        for name, (lines, cmds) in dense:
            t = cmds["flyte-migrate check"][0]
            out.append(
                f"- {name}: {lines:,} lines, {t * 1000:.0f} ms, "
                f"{t / first['flyte-migrate check'][0]:.2f}x the time for {lines / first_lines:.1f}x the lines"
            )
        out.append("")
    # One huge module at 1x, 2x and 4x: the per-module work (environments, names, fixes) must
    # stay linear too.
    out += [
        "Growth with module size (one generated module, each task with resources of its own, so",
        "each gets an environment of its own; `flyte-migrate check --statistics`):",
        "",
        "| tasks | lines | median | ratio to 1x | peak memory |",
        "|---:|---:|---:|---:|---:|",
    ]
    base_time = None
    for tasks in (12_500, 25_000, 50_000):
        module = huge_module(tasks)
        times, peak = measure(
            [str(BINARY), "check", "--statistics", "--exit-zero", "--quiet", "--isolated", str(module)],
            args.runs,
        )
        median = statistics.median(times)
        base_time = base_time or median
        lines = module.read_bytes().count(b"\n")
        out.append(
            f"| {tasks:,} | {lines:,} | {median * 1000:.0f} ms | {median / base_time:.2f}x | {peak / 1024:.0f} MB |"
        )
        print("huge module", tasks, round(median, 3), flush=True)
    out.append("")
    # Sections written by other scripts (benches/corpus.py) follow the table; keep them.
    page = REPO / "BENCHMARKS.md"
    kept = page.read_text().split("\n## ", 1)[1:] if page.exists() else []
    text = "\n".join(out)
    if kept:
        text = text.rstrip("\n") + "\n\n## " + kept[0]
    page.write_text(text)
    print("wrote BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
