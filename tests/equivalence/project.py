#!/usr/bin/env python3
"""Equivalence and deployment of a multi-module project: does the migrated project compute what
the flytekit original computed, and does deploying each entrypoint ship every task it calls?

    python3 tests/equivalence/project.py --original DIR --migrated DIR [--no-setup] [-v]

DIR/entrypoints.json lists the entrypoints: [{"module": "pkg.mod", "entry": "wf",
"inputs": {...}}, ...]. For each one, the original runs under flytekit 1.16.31 (venv v1,
`entry(**inputs)`) and the migration under flyte 2.12.1 (venv v2, `flyte.init()` then
`flyte.with_runcontext(mode="local").run(entry, **inputs)`), each with the project directory on
`sys.path`, and the normalized results must be equal (driver.py, as in run.py). Under flyte 2,
every module of the project is imported first, so environment names must be unique across the
project, and Flyte 2's deploy planning of the entry's environment must include the environment
of every task that ran.

Output: `PASS module:entry` or `FAIL module:entry: reason` per entrypoint, then
`N passed, M failed`; exit 1 on any failure. Stdlib only; run with the system python3.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as suite  # noqa: E402  (the equivalence harness: venvs, clean env, comparison)


def modules_of(root: Path) -> list[str]:
    """Every module of the project below root, dotted, packages first."""
    out = []
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            out.append(".".join(parts))
    return out


def run_entry(side: str, src: Path, spec: dict, imports: list[str], work: Path, timeout: float):
    py = suite.VENVS / side / "bin" / "python"
    home, tmp, cwd = work / "home", work / "tmp", work / "cwd"
    for d in (home, tmp, cwd):
        d.mkdir(parents=True, exist_ok=True)
    out = work / "result.json"
    cmd = [
        str(py), str(suite.DRIVER), "--side", side, "--src", str(src), "--module", spec["module"],
        "--entry", spec["entry"], "--inputs", json.dumps(spec["inputs"]), "--out", str(out),
    ]
    for module in imports:
        cmd += ["--import", module]
    prog = suite.Program(
        name=spec["module"], path=src, source="", entry=spec["entry"], inputs=spec["inputs"],
        secrets={}, side_effects=[], expect_error=None, has_main=False,
    )
    p = subprocess.run(
        cmd, cwd=cwd, env=suite.clean_env(side, prog, home, tmp), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
    )
    log = p.stdout.decode("utf-8", "replace")
    try:
        payload = json.loads(out.read_text())
    except (OSError, ValueError):
        return None, f"driver exited {p.returncode} without a result", log
    if not payload.get("ok"):
        return None, f"{payload.get('stage')}: {payload.get('error')}", log
    return payload["result"], None, log


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--original", required=True, type=Path)
    ap.add_argument("--migrated", required=True, type=Path)
    ap.add_argument("--no-setup", action="store_true")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    if not a.no_setup:
        subprocess.run(["bash", str(suite.HERE / "venvs.sh")], check=True)
    specs = json.loads((a.original / "entrypoints.json").read_text())
    imports = modules_of(a.migrated)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, spec in enumerate(specs):
            name = f"{spec['module']}:{spec['entry']}"
            work = Path(tmp) / str(i)
            v1, err1, log1 = run_entry("v1", a.original.resolve(), spec, [], work / "v1", a.timeout)
            v2, err2, log2 = run_entry("v2", a.migrated.resolve(), spec, imports, work / "v2", a.timeout)
            reason = None
            if err1:
                reason = f"original failed under flytekit: {err1}"
            elif err2:
                reason = f"migration failed under flyte 2: {err2}"
            else:
                diff = suite.compare(v1, v2)
                if diff:
                    reason = f"results differ: {diff}"
            if reason:
                failed += 1
                print(f"FAIL {name}: {reason}")
                if a.v:
                    print(suite.tail(log1 if err1 else log2))
            else:
                passed += 1
                print(f"PASS {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
