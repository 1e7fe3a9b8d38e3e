#!/usr/bin/env python3
"""Load check: does migrated real Flyte 1 code still load, now under Flyte 2?

For a directory of Flyte 1 code:
  1. copy it twice to a temporary directory: `original/` and `migrated/`;
  2. run `flyte-migrate fix --unsafe-fixes` on `migrated/` (or take the migrated files from
     --migrated-dir, to test the harness);
  3. import every Python module of `original/` under flytekit 1.16.31 (venv load-v1) and every
     module of `migrated/` that no longer imports flytekit under flyte 2.12.1 (venv load-v2),
     each in a fresh process, with third-party modules that are not installed replaced by
     permissive stubs (loader.py);
  4. put each file in one class:
       both      loads under flytekit, and after the fix under flyte 2
       DEFECT    loads under flytekit, no longer imports flytekit after the fix, and fails to
                 import under flyte 2: the migration broke it
       flytekit  loads under flytekit, but still imports flytekit after the fix (directly, or
                 through a project module that does), so it was not tried under flyte 2
       no-load   could not be loaded under flytekit at all (the reason is shown)
     with the exception type, message and where it was raised (file:line, the innermost frame
     inside the file itself when there is one);
  5. print the per-file report and a summary (counts per class); exit 1 on any defect.

Each SDK has one server process (loader.py serve) that imports the SDK once and forks a child
per file, so that every import is a fresh process with the SDK already imported; the two
servers run side by side. The venvs come from tests/equivalence/venvs.sh (load-v1, load-v2),
which run.py calls first unless --no-setup is given.

Stdlib only; run it with the system python3.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
LOADER = HERE / "loader.py"
VENVS_SH = REPO / "tests" / "equivalence" / "venvs.sh"
VENVS = Path(os.environ.get("FLYTE_MIGRATE_VENVS") or Path.home() / ".cache" / "flyte-migrate" / "venvs")
SDKS = {"v1": ("load-v1", "flytekit"), "v2": ("load-v2", "flyte")}
FLYTE1_ROOTS = ("flytekit", "flytekitplugins")
SKIP_DIRS = {".git", "__pycache__", ".venv", "venv", "node_modules", ".tox", ".mypy_cache"}

CLASSES = [
    ("DEFECT", "fails only after migration (DEFECT)"),
    ("flytekit", "still uses flytekit after the fix (not tried under flyte 2)"),
    ("no-load", "could not be loaded under flytekit"),
    ("both", "loads on both"),
]


# --------------------------------------------------------------------------------------------
# the files


def python_files(root: Path) -> list[str]:
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("."))
        for f in sorted(files):
            if f.endswith(".py"):
                out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def flytekit_import(source: str) -> str | None:
    """The first import of flytekit or a flytekitplugins package in `source`, as 'name (line N)'."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for n in names:
            if n.split(".")[0] in FLYTE1_ROOTS:
                return f"{n} (line {node.lineno})"
    return None


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# --------------------------------------------------------------------------------------------
# the servers


def clean_env(home: Path, tmp: Path) -> dict:
    env = dict(os.environ)
    for k in list(env):
        if (
            k.startswith(("FLYTE", "_FSEC_", "UNION"))
            or k in ("UCTL_CONFIG", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
        ):
            del env[k]
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp),
        DO_NOT_TRACK="1",
        WHYLOGS_NO_ANALYTICS="True",
        WANDB_MODE="disabled",
        WANDB_SILENT="true",
        MLFLOW_TRACKING_URI=str(tmp / "mlruns"),
        RAY_USAGE_STATS_ENABLED="0",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        PYTHONWARNINGS="ignore",
        NO_COLOR="1",
    )
    return env


class Server:
    """One `loader.py serve` process in a venv: send a request, read its answer."""

    def __init__(self, side: str, work: Path, log: Path):
        venv, sdk = SDKS[side]
        home, tmp = work / "home", work / "tmp"
        home.mkdir(parents=True, exist_ok=True)
        tmp.mkdir(parents=True, exist_ok=True)
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [str(VENVS / venv / "bin" / "python"), str(LOADER), "serve", "--sdk", sdk],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, cwd=work,
            env=clean_env(home, tmp), text=True, bufsize=1,
        )
        ready = self._read()
        if ready is None or "ready" not in ready:
            raise RuntimeError(f"the {sdk} server did not start; see {log}")
        self.import_seconds = float(ready.get("seconds", 0))

    def _read(self):
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def ask(self, req: dict) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        if answer is None:
            raise RuntimeError("the server exited")
        return answer

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def run_side(side: str, jobs: list[dict], work: Path, n: int, timings: dict) -> dict[str, dict]:
    """Answer every request of `jobs` with `n` servers of `side`; {rel path: answer}."""
    q: queue.Queue = queue.Queue()
    for j in jobs:
        q.put(j)
    answers: dict[str, dict] = {}
    lock = threading.Lock()
    errors: list[str] = []

    def worker(i: int) -> None:
        w = work / f"{side}-server-{i}"
        w.mkdir(parents=True, exist_ok=True)
        server = None
        try:
            while True:
                try:
                    req = q.get_nowait()
                except queue.Empty:
                    return
                if server is None:
                    server = Server(side, w, work / f"{side}-server-{i}.log")
                    with lock:
                        timings.setdefault(f"{side} import", server.import_seconds)
                try:
                    a = server.ask(req)
                except (RuntimeError, OSError, ValueError) as e:
                    a = {"ok": False, "error": {"type": "harness error", "message": str(e), "where": ""}}
                    server.close()
                    server = None
                with lock:
                    answers[req["id"]] = a
        except Exception as e:  # noqa: BLE001 - report, do not hang
            with lock:
                errors.append(f"{side}: {type(e).__name__}: {e}")
        finally:
            if server is not None:
                server.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(max(1, n))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in errors:
        print(f"load check: {e}", file=sys.stderr)
    for j in jobs:
        answers.setdefault(j["id"], {"ok": False, "error": {"type": "harness error",
                                                             "message": "no answer", "where": ""}})
    return answers


# --------------------------------------------------------------------------------------------
# classes


@dataclass
class FileResult:
    path: str
    cls: str = ""
    detail: str = ""
    v1: dict | None = None
    v2: dict | None = None
    flytekit_after_fix: str | None = None
    notes: list[str] = field(default_factory=list)


def error_text(a: dict | None) -> str:
    if not a:
        return "not run"
    e = a.get("error") or {}
    msg = " ".join(str(e.get("message", "")).split())
    if len(msg) > 300:  # the end of a long message often says what was wrong
        msg = msg[:180] + " ... " + msg[-120:]
    where = e.get("where") or ""
    raised = e.get("raised_at") or ""
    text = f"{e.get('type', '?')}: {msg}"
    if where:
        text += f" (at {where}"
        if raised and raised != where:
            text += f"; raised in {short_path(raised)}"
        text += ")"
    return text


def short_path(p: str) -> str:
    i = p.find("site-packages/")
    return p[i + len("site-packages/"):] if i >= 0 else p


def via_flytekit(a: dict, path: str) -> str | None:
    """The project module that still imports flytekit, when that is why flyte 2 failed."""
    e = a.get("error") or {}
    missing = e.get("missing_module") or ""
    if e.get("type") == "ModuleNotFoundError" and missing.split(".")[0] in FLYTE1_ROOTS:
        raised = ((e.get("project_frames") or [""])[-1]).rsplit(":", 1)[0]
        if raised and raised != path:
            return raised
    return None


def classify(r: FileResult) -> None:
    v1, v2 = r.v1 or {}, r.v2 or {}
    if not v1.get("ok"):
        r.cls, r.detail = "no-load", error_text(v1)
        if r.v2 is not None:
            r.notes.append("under flyte 2 after the fix: " + ("loads" if v2.get("ok") else error_text(v2)))
        return
    if r.flytekit_after_fix:
        r.cls, r.detail = "flytekit", f"imports {r.flytekit_after_fix}"
        return
    if v2.get("ok"):
        r.cls = "both"
        return
    via = via_flytekit(v2, r.path)
    if via:
        r.cls, r.detail = "flytekit", f"imports {via}, which still uses flytekit: {error_text(v2)}"
        return
    r.cls, r.detail = "DEFECT", error_text(v2)
    if v2.get("stubbed"):
        r.notes.append("stubbed under flyte 2: " + ", ".join(v2["stubbed"]))


# --------------------------------------------------------------------------------------------
# the report


def reason_key(r: FileResult) -> str:
    e = (r.v1 or {}).get("error") or {}
    t = e.get("type", "?")
    missing = e.get("missing_module")
    if t == "ModuleNotFoundError" and missing:
        top = missing.split(".")
        name = ".".join(top[:2]) if top[0] in ("flytekitplugins", "flytekit") else top[0]
        return f"ModuleNotFoundError: {name}"
    return t


def report_text(src: str, results: list[FileResult], wall: float, timings: dict, binary: str) -> str:
    out = [f"flyte-migrate load check of {src}", f"migration: {binary}", ""]
    by = {c: [r for r in results if r.cls == c] for c, _ in CLASSES}
    for c, title in CLASSES:
        rows = by[c]
        out.append(f"== {title}: {len(rows)}")
        for r in rows:
            line = f"{c:8s} {r.path}"
            if r.detail:
                line += f": {r.detail}"
            out.append(line)
            for n in r.notes:
                out.append(f"         {n}")
        out.append("")
    out += summary_lines(results, wall, timings)
    return "\n".join(out) + "\n"


def summary_lines(results: list[FileResult], wall: float, timings: dict) -> list[str]:
    n = len(results)
    count = {c: sum(r.cls == c for r in results) for c, _ in CLASSES}
    loaded = n - count["no-load"]
    lines = ["summary:", f"  Python files                                  {n:4d}"]
    lines.append(f"  could not be loaded under flytekit            {count['no-load']:4d}")
    reasons: dict[str, int] = {}
    for r in results:
        if r.cls == "no-load":
            k = reason_key(r)
            reasons[k] = reasons.get(k, 0) + 1
    for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"    {v:4d}  {k}")
    lines.append(f"  loaded under flytekit                         {loaded:4d}")
    lines.append(f"    loads on both                               {count['both']:4d}")
    lines.append(f"    still uses flytekit after the fix           {count['flytekit']:4d}")
    lines.append(f"    fails only after migration (DEFECT)         {count['DEFECT']:4d}")
    t = "  ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    lines.append(f"wall time {wall:.1f}s ({t})")
    return lines


def markdown_block(src: str, results: list[FileResult], wall: float, timings: dict) -> str:
    """The `## Load check` section of BENCHMARKS.md (benches/bench.py keeps it as it is)."""
    n = len(results)
    count = {c: sum(r.cls == c for r in results) for c, _ in CLASSES}
    loaded = n - count["no-load"]
    rows = [
        ("Python files", n),
        ("could not be loaded under flytekit 1.16.31", count["no-load"]),
        ("loaded under flytekit 1.16.31", loaded),
        ("… load under flyte 2.12.1 after `fix --unsafe-fixes`", count["both"]),
        ("… still use flytekit after the fix (not tried)", count["flytekit"]),
        ("… fail to load only after the migration (defects)", count["DEFECT"]),
    ]
    side = {k: v for k, v in timings.items() if k in ("fix", "v1", "v2")}
    parts = ", ".join(f"{k} {v:.0f} s" for k, v in side.items())
    return "\n".join([
        "## Load check",
        "",
        "Written by `python3 tests/loadcheck/run.py --update-benchmarks <corpus>` (see",
        "`tests/loadcheck/README.md`) on the real-world Flyte 1 corpus, with a release build:",
        "every module imported under flytekit, and after the migration under flyte, each in a",
        "fresh process.",
        "",
        "| files | count |",
        "|---|---:|",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
        f"Wall time {wall:.0f} s on {os.cpu_count()} cores, venvs already built ({parts}; one forking",
        "server per SDK, the two side by side).",
        "",
    ])


def update_benchmarks(block: str) -> Path:
    path = REPO / "BENCHMARKS.md"
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    start = old.find("\n## Load check")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + block
    else:
        end = old.find("\n## ", start + 1)
        new = old[: start + 1] + block + (old[end:] if end >= 0 else "")
    path.write_text(new)
    return path


# --------------------------------------------------------------------------------------------
# main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", help="directory of Flyte 1 code (it is copied; never changed)")
    ap.add_argument("--binary", help="the flyte-migrate binary (default: target/release or target/debug)")
    ap.add_argument("--migrated-dir", metavar="DIR",
                    help="take the migrated files from DIR (same relative paths) instead of running fix")
    ap.add_argument("--report", metavar="FILE", help="also write the plain-text report to FILE")
    ap.add_argument("--json", metavar="FILE", help="write every file's results as JSON to FILE")
    ap.add_argument("--markdown", action="store_true", help="print the summary as BENCHMARKS.md's section too")
    ap.add_argument("--update-benchmarks", action="store_true",
                    help="write that section into BENCHMARKS.md (replacing the old one)")
    ap.add_argument("--keep", metavar="DIR", help="keep the copies, logs and answers in DIR")
    ap.add_argument("--only", action="append", default=[], metavar="TEXT",
                    help="load only files whose path contains TEXT (repeatable)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per import (default 60)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="servers per SDK (default 1; both SDKs run at once)")
    ap.add_argument("--v2-hook", metavar="PATH:FUNC",
                    help="after a migrated module imports under flyte 2, call FUNC(module, request) "
                    "from PATH in the same process; its result goes to --json, a failure to the report")
    ap.add_argument("--no-setup", action="store_true", help="do not call venvs.sh first")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the traceback of each defect")
    args = ap.parse_args()

    start = time.monotonic()
    src = Path(args.path).resolve()
    if not src.is_dir():
        print(f"load check: {args.path} is not a directory", file=sys.stderr)
        return 2
    binary = args.binary
    if not binary and not args.migrated_dir:
        for cand in (REPO / "target" / "release" / "flyte-migrate", REPO / "target" / "debug" / "flyte-migrate"):
            if cand.exists():
                binary = str(cand)
                break
        else:
            print("load check: no flyte-migrate binary; build it or pass --binary", file=sys.stderr)
            return 2

    timings: dict[str, float] = {}
    if not args.no_setup:
        t = time.monotonic()
        r = subprocess.run(["bash", str(VENVS_SH), "load-v1", "load-v2"])
        if r.returncode != 0:
            print("load check: venvs.sh failed", file=sys.stderr)
            return 2
        timings["venvs"] = time.monotonic() - t
    for side, (venv, _) in SDKS.items():
        if not (VENVS / venv / "bin" / "python").exists():
            print(f"load check: missing venv {VENVS / venv}: run {VENVS_SH} load-v1 load-v2", file=sys.stderr)
            return 2

    if args.keep:
        work = Path(args.keep).resolve()
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        cleanup = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="flyte-migrate-load-")
        work = Path(cleanup.name)
    try:
        return check(args, src, binary, work, timings, start)
    finally:
        if cleanup is not None:
            cleanup.cleanup()


def copy_tree(src: Path, dst: Path) -> None:
    """Copy without the permission bits: the input may be read-only, its copies must not be
    (fix writes the migrated files, and imports may write beside themselves)."""
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.pyc"),
                    copy_function=shutil.copyfile)
    for d, dirs, files in os.walk(dst):
        for name in [*dirs, *files]:
            p = os.path.join(d, name)
            if not os.path.islink(p):
                os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
    os.chmod(dst, 0o755)


def check(args, src: Path, binary: str | None, work: Path, timings: dict, start: float) -> int:
    original, migrated = work / "original", work / "migrated"
    copy_tree(src, original)
    if args.migrated_dir:
        copy_tree(src, migrated)
        mdir = Path(args.migrated_dir).resolve()
        for rel in python_files(mdir):
            (migrated / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(mdir / rel, migrated / rel)
        how = f"files from {args.migrated_dir}"
    else:
        copy_tree(src, migrated)
        t = time.monotonic()
        p = subprocess.run([binary, "fix", "--unsafe-fixes", "--quiet", str(migrated)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        timings["fix"] = time.monotonic() - t
        if p.returncode not in (0, 1):
            # 2: some file could not be read or written; the others were fixed
            print(f"load check: fix exited {p.returncode}: {p.stderr.strip()[-2000:]}", file=sys.stderr)
        how = f"{binary} fix --unsafe-fixes"

    rels = [r for r in python_files(original) if not args.only or any(o in r for o in args.only)]
    results = {r: FileResult(r) for r in rels}
    logs = work / "logs"
    logs.mkdir()
    v1_jobs, v2_jobs = [], []
    for i, rel in enumerate(rels):
        res = results[rel]
        res.flytekit_after_fix = flytekit_import(read(migrated / rel))
        base = {"id": rel, "timeout": args.timeout}
        for side, root, jobs in (("v1", original, v1_jobs), ("v2", migrated, v2_jobs)):
            if side == "v2" and res.flytekit_after_fix:
                continue
            f = root / rel
            req = dict(base, file=str(f), project=str(root), log=str(logs / f"{side}-{i:04d}.log"))
            if side == "v2" and args.v2_hook:
                req["hook"] = args.v2_hook
            jobs.append(req)

    answers: dict[str, dict[str, dict]] = {}

    def side_thread(side: str, jobs: list[dict]) -> None:
        t = time.monotonic()
        answers[side] = run_side(side, jobs, work, args.jobs, timings)
        timings[side] = time.monotonic() - t

    threads = [threading.Thread(target=side_thread, args=(s, j)) for s, j in (("v1", v1_jobs), ("v2", v2_jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    for rel, res in results.items():
        res.v1 = answers.get("v1", {}).get(rel)
        res.v2 = answers.get("v2", {}).get(rel)
        classify(res)
        hook = (res.v2 or {}).get("hook")
        if hook and not hook.get("ok"):
            res.notes.append(f"hook failed: {error_text(hook)}")
    for res in results.values():
        frames = ((res.v2 or {}).get("error") or {}).get("project_frames") or [""]
        raised = frames[-1].rsplit(":", 1)[0]
        if res.cls == "DEFECT" and raised != res.path and results.get(raised, FileResult("")).cls == "DEFECT":
            res.notes.append(f"follows from the defect in {raised}, which it imports")
    ordered = [results[r] for r in rels]
    wall = time.monotonic() - start
    text = report_text(str(args.path), ordered, wall, timings, how)
    print(text, end="")
    if args.verbose:
        for r in ordered:
            if r.cls == "DEFECT":
                print(f"--- {r.path} under flyte 2:\n{((r.v2 or {}).get('error') or {}).get('traceback', '')}")
    if args.markdown or args.update_benchmarks:
        block = markdown_block(str(args.path), ordered, wall, timings)
        if args.markdown:
            print()
            print(block, end="")
        if args.update_benchmarks:
            print(f"wrote {update_benchmarks(block)}")
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps(
            [{"path": r.path, "class": r.cls, "detail": r.detail, "flytekit_after_fix": r.flytekit_after_fix,
              "v1": r.v1, "v2": r.v2, "notes": r.notes} for r in ordered], indent=1))
    defects = sum(r.cls == "DEFECT" for r in ordered)
    return 1 if defects else 0


if __name__ == "__main__":
    sys.exit(main())
