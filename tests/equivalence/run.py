#!/usr/bin/env python3
"""Equivalence suite: does the migrated program compute what the flytekit original computed?

For every program fixtures/equivalence/NAME.py (or only --only NAME):
  1. run the original under flytekit 1.16.31 (venv v1): import it, call the workflow `entry(**inputs)`;
  2. get a migrated version: pipe the original to --migrate-cmd and take its stdout, or read
     --migrated-dir/NAME.py;
  3. run the migrated version under flyte 2.12.1 (venv v2): `flyte.init()`, then
     `flyte.with_runcontext(mode="local").run(entry, **inputs).outputs()`;
  4. compare the two normalized results (driver.py normalizes; floats with relative tolerance 1e-6).

Each run is a subprocess with a fresh temporary HOME, TMPDIR and cwd, DO_NOT_TRACK=1,
PYTHONHASHSEED=0, and no Flyte configuration (FLYTECTL_CONFIG, UCTL_CONFIG, FLYTE_CONFIG and
every FLYTE_* variable removed). Secrets named in the header are given to each side under its
own variable only: v1 `_FSEC_<GROUP>_<KEY>` (upper case), v2 `<GROUP>_<KEY>` (upper case, '-'->'_').

Program header (one comment line anywhere in the file, usually right after the docstring):
    # equivalence: entry=<workflow function> inputs=<JSON object> [secrets=<JSON object>]
    #              [side_effects=<JSON list>] [expect_error=<JSON string>]
  secrets       "group/key" -> value, e.g. secrets={"weather-api/token": "abc"}
  side_effects  files (relative to the run's cwd) whose content after the run is compared too,
                also when the run fails
  expect_error  the program must FAIL on both sides, and each side's error message must
                contain this text (then only the side effects are compared)
A program with an `if __name__ == "__main__":` block is also run as a script on both sides
(original under v1, migration under v2); both must exit 0.

Modes that show the suite can fail:
  --expect-fail-unmigrated  run each ORIGINAL under v2 instead; every one must fail there.
  --traps DIR               DIR/<trap>/<program>.py are plausible but wrong migrations (one
                            per known trap); each must be caught (fail or differ).

Output: one line per program, `PASS NAME` or `FAIL NAME: reason`, a timing table, and last a
line `N passed, M failed`. Exit status 1 when anything failed, 2 on a usage error.

Stdlib only; run it with the system python3. The venvs come from venvs.sh, which run.py calls
first (it is quick when they exist) unless --no-setup is given.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import json
import math
import os
import re
import shlex
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
PROGRAMS = REPO / "fixtures" / "equivalence"
DRIVER = HERE / "driver.py"
VENVS = Path(os.environ.get("FLYTE_MIGRATE_VENVS") or Path.home() / ".cache" / "flyte-migrate" / "venvs")
REL_TOL = 1e-6
ABS_TOL = 1e-12

HEADER_RE = re.compile(r"^#\s*equivalence:\s*(?P<rest>.*)$", re.MULTILINE)


HEADER_JSON_FIELDS = {"inputs": dict, "secrets": dict, "side_effects": list, "expect_error": str}


class HeaderError(Exception):
    pass


def has_main_block(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = [node.test.left, *node.test.comparators]
            if any(isinstance(n, ast.Name) and n.id == "__name__" for n in names) and any(
                isinstance(n, ast.Constant) and n.value == "__main__" for n in names
            ):
                return True
    return False


@dataclass
class Program:
    name: str
    path: Path
    source: str
    entry: str
    inputs: dict
    secrets: dict  # (group, key) -> value
    side_effects: list
    expect_error: str | None
    has_main: bool


def parse_header(path: Path) -> Program:
    source = path.read_text(encoding="utf-8")
    m = HEADER_RE.search(source)
    if not m:
        raise HeaderError("no '# equivalence: entry=... inputs=...' header")
    rest = m.group("rest").strip()
    fields: dict[str, object] = {}
    dec = json.JSONDecoder()
    i = 0
    while i < len(rest):
        km = re.compile(r"\s*(\w+)=").match(rest, i)
        if not km:
            raise HeaderError(f"cannot parse header near {rest[i:i + 30]!r}")
        key, i = km.group(1), km.end()
        if key == "entry":
            vm = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(rest, i)
            if not vm:
                raise HeaderError("entry= needs a function name")
            fields[key], i = vm.group(0), vm.end()
        elif key in HEADER_JSON_FIELDS:
            try:
                fields[key], i = dec.raw_decode(rest, i)
            except json.JSONDecodeError as e:
                raise HeaderError(f"{key}= is not JSON: {e}") from None
            if not isinstance(fields[key], HEADER_JSON_FIELDS[key]):
                raise HeaderError(f"{key}= must be a JSON {HEADER_JSON_FIELDS[key].__name__}")
        else:
            raise HeaderError(f"unknown header field {key!r}")
    if "entry" not in fields:
        raise HeaderError("header has no entry=")
    secrets = {}
    for gk, value in (fields.get("secrets") or {}).items():
        if "/" not in gk or not isinstance(value, str):
            raise HeaderError(f"secret {gk!r}: keys are 'group/key', values strings")
        group, key = gk.split("/", 1)
        secrets[(group, key)] = value
    return Program(
        name=path.stem,
        path=path,
        source=source,
        entry=str(fields["entry"]),
        inputs=dict(fields.get("inputs") or {}),
        secrets=secrets,
        side_effects=[str(f) for f in fields.get("side_effects") or []],
        expect_error=fields.get("expect_error"),  # type: ignore[arg-type]
        has_main=has_main_block(source),
    )


def v1_secret_var(group: str, key: str) -> str:
    # flytekit 1.16: SecretsManager env var = _FSEC_ + GROUP + _ + KEY, upper-cased, no '-' replacement
    return f"_FSEC_{group.upper()}_{key.upper()}"


def v2_secret_var(group: str, key: str) -> str:
    # flyte 2.12.1: auto env var = f"{group}_{key}", '-' -> '_', upper-cased
    return f"{group}_{key}".replace("-", "_").upper()


def clean_env(side: str, prog: Program, home: Path, tmp: Path) -> dict:
    env = dict(os.environ)
    for k in list(env):
        if (
            k.startswith("FLYTE")  # FLYTE_*, FLYTECTL_CONFIG, FLYTE_CONFIG
            or k.startswith("_FSEC_")
            or k.startswith("UNION")
            or k in ("UCTL_CONFIG", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
        ):
            del env[k]
    for group, key in prog.secrets:
        env.pop(v1_secret_var(group, key), None)
        env.pop(v2_secret_var(group, key), None)
        env.pop(f"{group}_{key}".upper(), None)  # flytekit's unprefixed local fallback
    for (group, key), value in prog.secrets.items():
        env[v1_secret_var(group, key) if side == "v1" else v2_secret_var(group, key)] = value
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp),
        DO_NOT_TRACK="1",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        NO_COLOR="1",
    )
    return env


@dataclass
class RunResult:
    ok: bool
    seconds: float
    result: object = None
    error: str = ""
    message: str = ""
    log: str = ""
    side_effects: dict = field(default_factory=dict)


def tail(text: str, n: int = 25) -> str:
    lines = text.rstrip().splitlines()
    return "\n".join(lines[-n:])


def run_side(side: str, prog: Program, source: str, workdir: Path, timeout: float) -> RunResult:
    """Run `source` as module prog.name in venv `side`; everything lives under workdir."""
    py = VENVS / side / "bin" / "python"
    root = workdir / side
    src, home, tmp, cwd = root / "src", root / "home", root / "tmp", root / "cwd"
    for d in (src, home, tmp, cwd):
        d.mkdir(parents=True, exist_ok=True)
    (src / f"{prog.name}.py").write_text(source, encoding="utf-8")
    out = root / "result.json"
    cmd = [
        str(py), str(DRIVER), "--side", side, "--src", str(src), "--module", prog.name,
        "--entry", prog.entry, "--inputs", json.dumps(prog.inputs), "--out", str(out),
    ]
    for f in prog.side_effects:
        cmd += ["--side-effect", f]
    start = time.monotonic()
    try:
        p = subprocess.run(
            cmd, cwd=cwd, env=clean_env(side, prog, home, tmp), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
        )
        log = p.stdout.decode("utf-8", "replace")
        rc = p.returncode
    except subprocess.TimeoutExpired as e:
        log = (e.stdout or b"").decode("utf-8", "replace")
        (root / "output.log").write_text(log)
        return RunResult(False, time.monotonic() - start, error=f"timed out after {timeout:.0f}s", log=log)
    secs = time.monotonic() - start
    (root / "output.log").write_text(log)
    try:
        payload = json.loads(out.read_text())
    except (OSError, ValueError):
        return RunResult(False, secs, error=f"driver exited {rc} without a result", log=log)
    effects = payload.get("side_effects") or {}
    if not payload.get("ok"):
        return RunResult(False, secs, error=f"{payload.get('stage')}: {payload.get('error')}",
                         message=payload.get("message") or "", log=log, side_effects=effects)
    if rc != 0:
        return RunResult(False, secs, error=f"exited {rc}", log=log, side_effects=effects)
    return RunResult(True, secs, result=payload["result"], log=log, side_effects=effects)


def run_script(side: str, prog: Program, source: str, workdir: Path, timeout: float) -> RunResult:
    """Run the file as `python NAME.py` (its __main__ block) in venv `side`; it must exit 0."""
    py = VENVS / side / "bin" / "python"
    root = workdir / f"{side}-script"
    home, tmp, cwd = root / "home", root / "tmp", root / "cwd"
    for d in (home, tmp, cwd):
        d.mkdir(parents=True, exist_ok=True)
    script = cwd / f"{prog.name}.py"
    script.write_text(source, encoding="utf-8")
    start = time.monotonic()
    try:
        p = subprocess.run(
            [str(py), script.name], cwd=cwd, env=clean_env(side, prog, home, tmp), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return RunResult(False, time.monotonic() - start, error=f"timed out after {timeout:.0f}s")
    log = p.stdout.decode("utf-8", "replace")
    (root / "output.log").write_text(log)
    secs = time.monotonic() - start
    if p.returncode != 0:
        last = tail(log, 1) or "(no output)"
        return RunResult(False, secs, error=f"exited {p.returncode}: {last.strip()[:300]}", log=log)
    return RunResult(True, secs, log=log)


def is_float_marker(v) -> bool:
    return isinstance(v, dict) and set(v) == {"__float__"}


def compare(a, b, path: str = "$") -> str | None:
    """None when equal; otherwise where and how the v1 value (a) and v2 value (b) differ."""
    if isinstance(a, bool) or isinstance(b, bool):
        return None if (type(a) is type(b) and a == b) else f"{path}: v1={a!r} v2={b!r}"
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if type(a) is not type(b):
            return f"{path}: v1={a!r} ({type(a).__name__}) v2={b!r} ({type(b).__name__})"
        if isinstance(a, int):
            return None if a == b else f"{path}: v1={a} v2={b}"
        return None if math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL) else f"{path}: v1={a!r} v2={b!r}"
    if type(a) is not type(b):
        return f"{path}: v1 is {type(a).__name__} {short(a)}, v2 is {type(b).__name__} {short(b)}"
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: v1 has {len(a)} items, v2 has {len(b)}: v1={short(a)} v2={short(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = compare(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, dict):
        if set(a) != set(b):
            only1, only2 = sorted(set(a) - set(b)), sorted(set(b) - set(a))
            return f"{path}: keys differ (only v1: {only1}, only v2: {only2})"
        for k in sorted(a):
            d = compare(a[k], b[k], f"{path}.{k}" if re.fullmatch(r"\w+", k) else f"{path}[{k!r}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: v1={short(a)} v2={short(b)}"


def short(v, n: int = 120) -> str:
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= n else s[: n - 3] + "..."


def migrated_imports_flytekit(source: str) -> str | None:
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        return f"migrated source does not parse: line {e.lineno}: {e.msg}"
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for n in names:
            if n.split(".")[0] in ("flytekit", "flytekitplugins"):
                return f"migrated source still imports {n} (line {node.lineno})"
    return None


def migrate(prog: Program, args, migrated_dir: str | None = None,
            migrate_cmd: str | None = None) -> tuple[str | None, str]:
    """Return (migrated source, "") or (None, reason)."""
    migrated_dir = migrated_dir or args.migrated_dir
    if migrated_dir:
        p = Path(migrated_dir) / f"{prog.name}.py"
        if not p.is_file():
            return None, f"no migrated file {p}"
        return p.read_text(encoding="utf-8"), ""
    # {name} and {path} in the command stand for the program's stem and original path,
    # e.g. --migrate-cmd "flyte-migrate fix --unsafe-fixes --stdin-filename {path} -"
    cmd = [a.replace("{name}", prog.name).replace("{path}", str(prog.path)) for a in shlex.split(migrate_cmd or "")]
    try:
        p = subprocess.run(
            cmd, input=prog.source.encode("utf-8"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=args.timeout, cwd=REPO,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"migrate command failed: {e}"
    out = p.stdout.decode("utf-8", "replace")
    # like ruff, `fix` may exit 1 when diagnostics remain; 2+ is a usage or I/O error
    if p.returncode not in (0, 1) or not out.strip():
        err = tail(p.stderr.decode("utf-8", "replace"), 5).replace("\n", " | ")
        return None, f"migrate command exited {p.returncode} with {len(out)} bytes of output: {err}"
    return out, ""


@dataclass
class Outcome:
    name: str
    ok: bool
    reason: str = ""
    timings: dict = field(default_factory=dict)
    details: str = ""


def check_program(prog: Program, args, workroot: Path, migrated_dir: str | None = None) -> Outcome:
    """Run one program both ways. ok=True means equivalent (or, unmigrated, failing under v2)."""
    work = workroot / prog.name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / "original.py").write_text(prog.source, encoding="utf-8")

    if args.expect_fail_unmigrated:
        r2 = run_side("v2", prog, prog.source, work, args.timeout)
        if r2.ok:
            return Outcome(prog.name, False, "the unmigrated program ran under flyte 2 without error",
                           {"v2": r2.seconds})
        return Outcome(prog.name, True, f"fails under flyte 2 as expected ({r2.error})", {"v2": r2.seconds})

    # Each --migrate-cmd is one migration of the program, compared with the same original run.
    commands = ([None] if (migrated_dir or args.migrated_dir) else args.migrate_cmd) or [None]
    migrations = []
    for i, command in enumerate(commands):
        label = f"migration {i + 1}: " if len(commands) > 1 else ""
        migrated, why = migrate(prog, args, migrated_dir, command)
        if migrated is None:
            return Outcome(prog.name, False, label + why)
        place = work if i == 0 else work / f"migration-{i + 1}"
        place.mkdir(parents=True, exist_ok=True)
        (place / "migrated.py").write_text(migrated, encoding="utf-8")
        bad = migrated_imports_flytekit(migrated)
        if bad:
            return Outcome(prog.name, False, label + bad)
        migrations.append((label, "" if i == 0 else f" #{i + 1}", migrated, place))

    r1 = run_side("v1", prog, prog.source, work, args.timeout)
    t = {"v1": r1.seconds}
    if prog.expect_error is not None:
        if r1.ok:
            return Outcome(prog.name, False, "original ran without error under flytekit, expected a failure", t)
        if prog.expect_error not in r1.message:
            return Outcome(prog.name, False, f"original failed with an unexpected error: {r1.error}", t,
                           details=tail(r1.log))
    elif not r1.ok:
        return Outcome(prog.name, False, f"original failed under flytekit: {r1.error}", t, details=tail(r1.log))

    for label, suffix, migrated, place in migrations:
        r2 = run_side("v2", prog, migrated, place, args.timeout)
        t[f"v2{suffix}"] = r2.seconds
        if prog.expect_error is not None:
            if r2.ok:
                return Outcome(prog.name, False,
                               label + f"migrated program succeeded under flyte 2 (returned {short(r2.result)}) "
                               f"where the original failed", t)
            if prog.expect_error not in r2.message:
                return Outcome(prog.name, False, label + f"migrated program failed with a different error: {r2.error}", t,
                               details=tail(r2.log))
        else:
            if not r2.ok:
                return Outcome(prog.name, False, label + f"migrated program failed under flyte 2: {r2.error}", t,
                               details=tail(r2.log))
            diff = compare(r1.result, r2.result)
            if diff:
                return Outcome(prog.name, False, label + f"results differ at {diff}", t)
        diff = compare(r1.side_effects, r2.side_effects, "side_effects")
        if diff:
            return Outcome(prog.name, False, label + f"side effects differ at {diff}", t)

        if prog.has_main and not args.skip_main:
            s1 = run_script("v1", prog, prog.source, work, args.timeout) if not suffix else None
            if s1 is not None:
                t["v1 main"] = s1.seconds
            if s1 is not None and not s1.ok:
                return Outcome(prog.name, False, label + f"original's __main__ block failed under flytekit: {s1.error}", t,
                               details=tail(s1.log))
            s2 = run_script("v2", prog, migrated, place, args.timeout)
            t[f"v2{suffix} main"] = s2.seconds
            if not s2.ok:
                return Outcome(prog.name, False, label + f"migrated __main__ block failed under flyte 2: {s2.error}", t,
                               details=tail(s2.log))
    return Outcome(prog.name, True, "", t)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--migrate-cmd", action="append", help="(repeatable: each is one migration) "
                     "command that reads flytekit source on stdin and prints the migration "
                     "({name} and {path} in it stand for the program's stem and path)")
    src.add_argument("--migrated-dir", help="take pre-migrated programs from DIR/<name>.py")
    src.add_argument("--expect-fail-unmigrated", action="store_true",
                     help="run each original under flyte 2; every one must fail")
    src.add_argument("--traps", metavar="DIR",
                     help="run the wrong migrations DIR/<trap>/<name>.py; each must be caught")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this program (repeatable, or comma-separated)")
    ap.add_argument("--keep", metavar="DIR", help="keep sources, logs and results in DIR/<name>/")
    ap.add_argument("--programs", default=str(PROGRAMS), help=f"program directory (default {PROGRAMS})")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="programs run in parallel (default 2)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    ap.add_argument("--skip-main", action="store_true", help="do not run __main__ blocks as scripts")
    ap.add_argument("--no-setup", action="store_true", help="do not call venvs.sh first")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the tail of the log of failed runs")
    args = ap.parse_args()

    if not (args.migrate_cmd or args.migrated_dir or args.expect_fail_unmigrated or args.traps):
        ap.error("give --migrate-cmd CMD, --migrated-dir DIR, --expect-fail-unmigrated or --traps DIR")

    suite_start = time.monotonic()
    if not args.no_setup:
        r = subprocess.run(["bash", str(HERE / "venvs.sh")])
        if r.returncode != 0:
            print("venvs.sh failed", file=sys.stderr)
            return 2
    for side in ("v1", "v2"):
        if not (VENVS / side / "bin" / "python").exists():
            print(f"missing venv {VENVS / side}: run {HERE / 'venvs.sh'}", file=sys.stderr)
            return 2

    only = {n for o in args.only for n in o.split(",") if n}
    paths = sorted(Path(args.programs).glob("*.py"))
    known = {p.stem for p in paths}
    # a job: (label, program file, migrated dir or None, whether it must be caught)
    jobs: list[tuple[str, Path, str | None, bool]] = []
    if args.traps:
        for trap_file in sorted(Path(args.traps).glob("*/*.py")):
            label = f"{trap_file.parent.name}/{trap_file.stem}"
            if only and trap_file.stem not in only and label not in only:
                continue
            if trap_file.stem not in known:
                print(f"trap {label}: no program {trap_file.stem}.py in {args.programs}", file=sys.stderr)
                return 2
            jobs.append((label, Path(args.programs) / f"{trap_file.stem}.py", str(trap_file.parent), True))
    else:
        unknown = only - known
        if unknown:
            print(f"unknown program(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        jobs = [(p.stem, p, None, False) for p in paths if not only or p.stem in only]
    if not jobs:
        print(f"nothing to run in {args.traps or args.programs}", file=sys.stderr)
        return 2

    if args.keep:
        workroot = Path(args.keep).resolve()
        workroot.mkdir(parents=True, exist_ok=True)
        cleanup = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="flyte-migrate-equiv-")
        workroot = Path(cleanup.name)

    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def one(job: tuple[str, Path, str | None, bool]) -> Outcome:
        label, path, migrated_dir, must_be_caught = job
        try:
            prog = parse_header(path)
        except (HeaderError, OSError, UnicodeDecodeError) as e:
            return Outcome(label, False, f"bad program: {e}")
        root = workroot / label.split("/")[0] if must_be_caught else workroot
        try:
            o = check_program(prog, args, root, migrated_dir)
        except Exception as e:  # noqa: BLE001 - a harness bug on one program must not hide the others
            return Outcome(label, False, f"harness error: {type(e).__name__}: {e}")
        o.name = label
        if must_be_caught:
            # a trap is a wrong migration: the suite passes when it notices
            o = Outcome(label, not o.ok, "the wrong migration was not caught" if o.ok else "", o.timings,
                        details=o.reason)
        return o

    def report(o: Outcome) -> None:
        with lock:
            outcomes.append(o)
            if o.ok:
                print(f"PASS {o.name}", flush=True)
                if args.verbose and args.traps and o.details:
                    print(f"    caught: {o.details}", flush=True)
            else:
                print(f"FAIL {o.name}: {o.reason}", flush=True)
                if args.verbose and o.details:
                    print("    " + o.details.replace("\n", "\n    "), flush=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for fut in concurrent.futures.as_completed([pool.submit(one, j) for j in jobs]):
            report(fut.result())

    if cleanup is not None:
        cleanup.cleanup()

    total = time.monotonic() - suite_start
    print("timings (seconds):")
    for o in sorted(outcomes, key=lambda o: o.name):
        parts = "  ".join(f"{k}={v:.1f}" for k, v in o.timings.items())
        print(f"  {o.name:48s} {parts}")
    print(f"  suite {total:.1f}s with {args.jobs} workers")
    if args.keep:
        print(f"kept sources, logs and results in {workroot}")
    passed = sum(o.ok for o in outcomes)
    failed = len(outcomes) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
