"""Runs one equivalence program inside a venv and writes its normalized result as JSON.

Started by run.py with the interpreter of the v1 (flytekit) or v2 (flyte) venv:

    python driver.py --side v1|v2 --src DIR --module NAME --entry FUNC --inputs JSON --out FILE
                     [--side-effect RELPATH]... [--import MODULE]...

It imports DIR/NAME.py as the module NAME (a dotted NAME is a module of a package in DIR) (so an `if __name__ == "__main__":` block does not
run), calls the entry point the way each SDK runs things locally, normalizes what comes back
into JSON-able data and writes {"ok": true, "result": ...} or {"ok": false, "error": ...} to
FILE, plus the content of each --side-effect file as "side_effects". The exit code is 0 only
when the program ran and its result could be normalized.

Under flyte 2 it also checks deployment: it records the environment of every task that runs,
and Flyte 2's own deploy planning (`flyte._deploy.plan_deploy`, what `flyte deploy` uses) of the
entry's environment must include them all; the names of all loaded environments (of NAME and
every --import module) must be unique.

Normalization (the same on both sides, so results compare as plain data):
  * None, bool, int, str stay; floats stay floats (run.py compares them with a tolerance);
    NaN and infinities become {"__float__": "nan" | "inf" | "-inf"}
  * tuples, NamedTuples, lists, v2 ActionOutputs -> lists; sets -> sorted lists
  * dicts -> dicts with string keys; dataclasses and pydantic models -> dicts of their fields
  * files (flytekit FlyteFile, flyte.io.File) -> {"__file__": <content>}
  * directories (FlyteDirectory, flyte.io.Dir) -> {"__dir__": {relative path: <content>}}
  * dataframes (pandas, StructuredDataset, flyte.io.DataFrame) -> {"__dataframe__": records}
    with each record's columns sorted, index dropped
  * numpy scalars and arrays -> Python numbers and lists; enums -> their value;
    datetimes -> ISO strings; timedeltas -> seconds
  * <content> is the text when the bytes are UTF-8, else {"sha256": ..., "size": ...}
Anything else is an error: a result that cannot be compared must not silently pass.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import enum
import hashlib
import importlib
import json
import math
import os
import sys
import traceback


def content_of(path: str):
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def dir_content(root: str) -> dict:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            out[os.path.relpath(full, root).replace(os.sep, "/")] = content_of(full)
    return dict(sorted(out.items()))


def type_name(obj) -> str:
    t = type(obj)
    return f"{t.__module__}.{t.__qualname__}"


class Normalizer:
    """Turns SDK values into plain data. `side` picks how files/dataframes are materialized."""

    def __init__(self, side: str):
        self.side = side

    def dataframe(self, df) -> dict:
        df = df.reset_index(drop=True)
        records = []
        for row in df.to_dict(orient="records"):
            records.append({str(k): self(row[k]) for k in sorted(row, key=str)})
        return {"__dataframe__": records}

    def __call__(self, v):  # noqa: C901 - one dispatch table, read top to bottom
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int) and not isinstance(v, enum.Enum):
            return int(v)
        if isinstance(v, float):
            if math.isnan(v):
                return {"__float__": "nan"}
            if math.isinf(v):
                return {"__float__": "inf" if v > 0 else "-inf"}
            return float(v)
        if isinstance(v, bytes):
            try:
                return {"__bytes__": v.decode("utf-8")}
            except UnicodeDecodeError:
                return {"__bytes__": {"sha256": hashlib.sha256(v).hexdigest(), "size": len(v)}}
        if isinstance(v, enum.Enum):
            return self(v.value)
        if isinstance(v, datetime.datetime) or isinstance(v, datetime.date):
            return v.isoformat()
        if isinstance(v, datetime.timedelta):
            return v.total_seconds()

        mod = type(v).__module__ or ""
        # numpy
        if mod.startswith("numpy"):
            if hasattr(v, "tolist"):
                return self(v.tolist())
        # pandas
        if mod.startswith("pandas"):
            import pandas as pd

            if isinstance(v, pd.DataFrame):
                return self.dataframe(v)
            if isinstance(v, pd.Series):
                return self(v.tolist())
            if isinstance(v, pd.Timestamp):
                return v.isoformat()
            if v is pd.NA or v is pd.NaT:
                return None

        # SDK data types
        if self.side == "v1":
            from flytekit.types.directory import FlyteDirectory
            from flytekit.types.file import FlyteFile
            from flytekit.types.structured import StructuredDataset

            if isinstance(v, FlyteFile):
                return {"__file__": content_of(v.download())}
            if isinstance(v, FlyteDirectory):
                return {"__dir__": dir_content(v.download())}
            if isinstance(v, StructuredDataset):
                import pandas as pd

                return self.dataframe(v.open(pd.DataFrame).all())
        else:
            from flyte.io import DataFrame, Dir, File

            if isinstance(v, File):
                return {"__file__": content_of(v.download_sync())}
            if isinstance(v, Dir):
                return {"__dir__": dir_content(v.download_sync())}
            if isinstance(v, DataFrame):
                import pandas as pd

                return self.dataframe(v.open(pd.DataFrame).all_sync())

        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {f.name: self(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if hasattr(v, "model_dump") and hasattr(type(v), "model_fields"):  # pydantic v2
            return {k: self(getattr(v, k)) for k in type(v).model_fields}
        if isinstance(v, dict):
            return {str(k): self(x) for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))}
        if isinstance(v, (set, frozenset)):
            return sorted((self(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
        if isinstance(v, (list, tuple)):
            return [self(x) for x in v]
        raise TypeError(f"cannot normalize a value of type {type_name(v)}: {v!r:.200}")


def load_module(src: str, name: str):
    """Import NAME (dotted for a module of a package) from DIR."""
    if os.path.abspath(src) not in sys.path:
        sys.path.insert(0, os.path.abspath(src))
    mod = importlib.import_module(name)
    got = os.path.abspath(getattr(mod, "__file__", "") or "")
    base = os.path.join(os.path.abspath(src), *name.split("."))
    if got not in (base + ".py", os.path.join(base, "__init__.py")):
        raise ImportError(
            f"program name {name!r} shadows an installed module ({getattr(mod, '__file__', None)}); rename it"
        )
    return mod


def warm_imports(path: str) -> None:
    """Import what the program's functions import in their bodies, before the run.

    A cluster runs each task in its own process. A local flyte 2 run starts the sync tasks an
    async orchestrator gathers in threads of one process, where two first imports of a package
    whose modules import each other (scikit-learn) can meet in Python's import locks and fail
    with `_DeadlockError`. Importing them first gives each task what its own process would have.
    """
    import ast

    try:
        with open(path) as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError):
        return
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - a name that is not a module, or fails later in the task
                    pass


def run_v1(mod, entry: str, inputs: dict):
    fn = getattr(mod, entry)
    return fn(**inputs)


def record_task_environments() -> set:
    """Record the name of the environment of every task body that runs (a local run calls
    `forward` or `execute` of the task template, whichever the call path takes)."""
    from flyte._task import AsyncFunctionTaskTemplate

    ran: set = set()
    for method in ("forward", "execute"):
        original = getattr(AsyncFunctionTaskTemplate, method)

        def recording(self, *args, __original=original, **kwargs):
            ran.add(self.parent_env_name)
            return __original(self, *args, **kwargs)

        setattr(AsyncFunctionTaskTemplate, method, recording)
    return ran


def check_deployment(fn, ran: set) -> None:
    """Flyte 2's own deploy planning for the entrypoint's environment must include the
    environment of every task that ran, and environment names must be unique."""
    from flyte._deploy import plan_deploy
    from flyte._environment import list_loaded_environments

    if not ran:
        raise AssertionError("no task was recorded running: the recording hook is broken")
    envs = list_loaded_environments()
    names = [e.name for e in envs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AssertionError(f"environment names are not unique: {duplicates}")
    entry_env = next((e for e in envs if e.name == fn.parent_env_name), None)
    if entry_env is None:
        raise AssertionError(f"no loaded environment is named {fn.parent_env_name!r}")
    planned = set()
    for plan in plan_deploy(entry_env):
        planned.update(plan.envs)
    missing = sorted(n for n in ran if n not in planned)
    if missing:
        raise AssertionError(
            f"deploying {entry_env.name!r} misses the environments {missing} of tasks it ran "
            f"(its plan: {sorted(planned)})"
        )


def run_v2(mod, entry: str, inputs: dict):
    import flyte

    fn = getattr(mod, entry)
    ran = record_task_environments()
    flyte.init()
    outputs = flyte.with_runcontext(mode="local").run(fn, **inputs).outputs()
    check_deployment(fn, ran)
    values = tuple(outputs)
    if len(values) == 0:
        return None
    if len(values) == 1:
        return values[0]
    return list(values)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", choices=("v1", "v2"), required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--module", required=True)
    ap.add_argument("--entry", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--side-effect", action="append", default=[], help="file (relative to cwd) to report")
    ap.add_argument("--import", dest="imports", action="append", default=[],
                    help="another module of the project to import first (v2 checks that every loaded "
                         "environment name is unique)")
    a = ap.parse_args()
    cwd = os.getcwd()

    def write(payload: dict) -> None:
        # files the program leaves behind, read after it finished or failed
        payload["side_effects"] = {
            name: content_of(os.path.join(cwd, name)) if os.path.isfile(os.path.join(cwd, name)) else None
            for name in a.side_effect
        }
        with open(a.out, "w") as fh:
            json.dump(payload, fh, indent=1, sort_keys=True, allow_nan=True)

    stage = "import"
    try:
        for other in a.imports:
            load_module(a.src, other)
        mod = load_module(a.src, a.module)
        warm_imports(getattr(mod, "__file__", "") or "")
        stage = "run"
        inputs = json.loads(a.inputs)
        raw = run_v1(mod, a.entry, inputs) if a.side == "v1" else run_v2(mod, a.entry, inputs)
        stage = "normalize"
        result = Normalizer(a.side)(raw)
    except BaseException as e:  # noqa: BLE001 - every failure is reported, none is fatal here
        tb = traceback.format_exc()
        sys.stderr.write(tb)
        msg = f"{type(e).__name__}: {e}".strip().splitlines()
        write(
            {
                "ok": False,
                "stage": stage,
                "error": msg[0][:500] if msg else type(e).__name__,
                "message": f"{type(e).__name__}: {e}"[:20000],
                "traceback": tb,
            }
        )
        return 1
    write({"ok": True, "result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
