"""Import Python modules of a project under one Flyte SDK, with missing third-party modules stubbed.

Runs inside a venv (load-v1: flytekit 1.16.31, load-v2: flyte 2.12.1). Two ways to use it:

* as a server (what run.py does): `python loader.py serve --sdk flyte`
  pre-imports the SDK, then reads one JSON request per line on stdin and answers one JSON line
  per request on stdout. Each request is run in a child made with os.fork(), so every module is
  imported in a fresh process that already has the SDK imported. A request:
      {"id": ..., "file": ABS, "project": ABS, "log": ABS, "timeout": S,
       "cwd": ABS (optional: default the folder the module is imported from),
       "hook": "PATH:FUNC" (optional)}
  and its answer:
      {"id": ..., "ok": bool, "seconds": F, "module": DOTTED, "error": {...} | null,
       "stubbed": [top-level names], "hook": {...} | null}
  The optional hook is called in the child as FUNC(module, request) after a successful import;
  what it returns (JSON-able) is the answer's "hook" value, an exception it raises is described
  like an import error. A check built on top of the load check (for example, planning a deploy
  of the migrated module) plugs in there.

* as a library, from another script running in the same venv:
      import loader
      loader.install_stub_finder(project_root)
      module = loader.import_file(path, project_root)

Stubs: a sys.meta_path finder, placed last, that answers for a top-level module that is not in
the standard library, not installed and not found in the project, with a permissive stub module.
Its attributes, at any depth, and its submodules are stub classes that work as base classes,
decorators (with or without arguments), annotations (`X[int]`), callables, context managers,
iterables and numbers. The SDKs and their plugins (flytekit, flytekitplugins, flyte,
flyteplugins, flyteidl) are never stubbed: a missing plugin is an import error.

Stdlib only.
"""

from __future__ import annotations

import abc
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import os
import signal
import sys
import time
import traceback
import types

NEVER_STUB = frozenset(
    {"flytekit", "flytekitplugins", "flyte", "flyteplugins", "flyteidl", "flyteidl2"}
)
# Left out of the venvs for their size, though a plugin needs them when it is imported
# (flyteplugins.pytorch imports torch): stubbed for a library's imports too.
ALWAYS_STUB = frozenset({"torch"})
STUB_MARK = "__flyte_migrate_stub__"
HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------------------------
# stubs


def _refused(name: str) -> bool:
    """Names a stub does not have: dunders, and private names asked for by a library.

    Libraries (the SDKs' type engines, dataclasses, typing, pydantic, inspect) probe private
    and special attributes with hasattr/getattr to classify a type (`_fields` for a NamedTuple,
    `__dataclass_fields__`, `__wrapped__`); a stub must look like a plain class to them. Public
    names are there for everyone: an SDK's own optional support for a stubbed library (flytekit
    imports its torch transformers once `torch` is in sys.modules) reads them too."""
    if _is_dunder(name):
        return True
    return name.startswith("_") and not _user_frame(3)


def _user_frame(depth: int) -> bool:
    """Whether the code asking for an attribute is the project's (or a stub's), not a library's."""
    try:
        f = sys._getframe(depth)
    except ValueError:
        return True
    fn = f.f_code.co_filename
    if fn == __file__ or fn.startswith("<"):
        return True
    return _FINDER is not None and _FINDER.in_project(fn)


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _passthrough(args, kwargs):
    """`@stub` and `@stub(...)` hand back the decorated function or class unchanged."""
    if len(args) == 1 and not kwargs:
        a = args[0]
        if not _is_stub(a) and (callable(a) or isinstance(a, (staticmethod, classmethod, property))):
            return True
    return False


def _is_stub(obj) -> bool:
    return isinstance(obj, StubMeta) or isinstance(type(obj), StubMeta)


class StubMeta(abc.ABCMeta):
    """Metaclass of stub classes. Deriving from ABCMeta lets `class X(stub.Base, abc.ABC)` work."""

    def __getattr__(cls, name):
        if _refused(name):
            if name == "__version__":
                return "0.0.0"
            raise AttributeError(name)
        return _child(cls, name)

    def __call__(cls, *args, **kwargs):
        if not cls.__dict__.get(STUB_MARK):
            return super().__call__(*args, **kwargs)  # a project class deriving from a stub
        if _passthrough(args, kwargs):
            return args[0]
        return object.__new__(cls)

    def __getitem__(cls, item):
        return cls

    def __iter__(cls):
        return iter([object.__new__(cls) if cls.__dict__.get(STUB_MARK) else new_stub("item", "stub")()
                     for _ in range(_unpack_count())])

    def __len__(cls):
        return 0

    def __bool__(cls):
        return True

    def __int__(cls):
        return 0

    def __index__(cls):
        return 0

    def __float__(cls):
        return 0.0

    def __enter__(cls):
        return cls

    def __exit__(cls, *exc):
        return False

    def __repr__(cls):
        return f"<stub {cls.__qualname__}>" if cls.__dict__.get(STUB_MARK) else type.__repr__(cls)


def _child(parent, name: str):
    cache = parent.__dict__.get("_stub_children")
    if cache is None:
        cache = {}
        try:
            type.__setattr__(parent, "_stub_children", cache)
        except (TypeError, AttributeError):
            pass
    if name not in cache:
        cache[name] = new_stub(f"{parent.__qualname__}.{name}", parent.__module__)
    return cache[name]


def _unpack_count(depth: int = 2) -> int:
    """How many items the code iterating a stub wants: n for `a, b = stub` (UNPACK_SEQUENCE n),
    the names before the star for `a, *b = stub`, none for a loop. A stub cannot know the
    length of what it stands for, so it reads it from the instruction that asked."""
    import dis

    try:
        f = sys._getframe(depth)
        code, i = f.f_code.co_code, f.f_lasti
        op, arg = code[i], code[i + 1]
    except (ValueError, IndexError):
        return 0
    if op == dis.opmap.get("UNPACK_SEQUENCE"):
        return arg
    if op == dis.opmap.get("UNPACK_EX"):
        return arg & 0xFF
    return 0


def _stub_result(self, *args, **kwargs):
    return object.__new__(type(self))


class StubBase(metaclass=StubMeta):
    """Base of every stub class: its instances accept any use."""

    def __init__(self, *args, **kwargs):
        pass

    def __init_subclass__(cls, **kwargs):
        pass

    def __getattr__(self, name):
        if _refused(name):
            raise AttributeError(name)
        return _child(type(self), name) if type(self).__dict__.get(STUB_MARK) else new_stub(name, "stub")

    def __call__(self, *args, **kwargs):
        if _passthrough(args, kwargs):
            return args[0]
        return self

    def __getitem__(self, item):
        return self

    def __setitem__(self, key, value):
        pass

    def __iter__(self):
        return iter([_stub_result(self) for _ in range(_unpack_count())])

    def __len__(self):
        return 0

    def __contains__(self, item):
        return False

    def __bool__(self):
        return True

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __float__(self):
        return 0.0

    def __str__(self):
        return type(self).__qualname__

    def __fspath__(self):
        return type(self).__qualname__

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False

    def __await__(self):
        return iter(())

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _stub_result
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _stub_result
    __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __neg__ = __pos__ = __abs__ = _stub_result
    __and__ = __rand__ = __xor__ = __rxor__ = __lshift__ = __rshift__ = __invert__ = _stub_result

    def __lt__(self, other):
        return False

    __le__ = __gt__ = __ge__ = __lt__


def new_stub(qualname: str, module: str):
    ns = {STUB_MARK: True, "__module__": module, "__qualname__": qualname}
    return StubMeta(qualname.rsplit(".", 1)[-1], (StubBase,), ns)


class StubModule(types.ModuleType):
    def __getattr__(self, name):
        if _is_dunder(name):
            raise AttributeError(name)
        stub = new_stub(f"{self.__name__}.{name}", self.__name__)
        setattr(self, name, stub)
        return stub


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        m = StubModule(spec.name)
        setattr(m, STUB_MARK, True)
        # a package, so that `import a.b.c` finds stubs too; at a folder that does not exist
        # (`Path(mod.__path__[0]) / "data"` and `os.path.dirname(mod.__file__)` still work)
        where = os.path.join(os.sep, "nonexistent-stub", *spec.name.split("."))
        m.__path__ = [where]
        m.__file__ = os.path.join(where, "__init__.py")
        m.__all__ = []
        m.__version__ = "0.0.0"
        return m

    def exec_module(self, module):
        pass


class StubFinder(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: whatever the real finders did not find and may be stubbed."""

    def __init__(self, project_roots=()):
        self.project_roots = [os.path.join(os.path.realpath(r), "") for r in project_roots]
        self.stubbed: list[str] = []

    def in_project(self, filename: str) -> bool:
        return any(filename.startswith(r) for r in self.project_roots)

    def project_has(self, top: str) -> bool:
        """A module or package `top` in a project folder on sys.path: never stubbed, so that
        the project's own import errors show."""
        for entry in sys.path:
            real = os.path.join(os.path.realpath(entry or "."), "")
            if not self.in_project(real):
                continue
            if os.path.exists(os.path.join(real, top + ".py")) or os.path.isdir(os.path.join(real, top)):
                return True
        return False

    def importer_in_project(self) -> bool:
        """Whether the import being resolved is written in the project. A library's own
        optional imports (`try: import Cython`) must fail as they would without the stubs."""
        f = sys._getframe(2)
        while f is not None:
            fn = f.f_code.co_filename
            if fn.startswith("<frozen") or fn == __file__ or fn == importlib.__file__:
                f = f.f_back
                continue
            return fn.startswith("<") or self.in_project(os.path.realpath(fn))
        return True

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in NEVER_STUB or top in sys.stdlib_module_names:
            return None
        if "." in fullname:
            parent = sys.modules.get(fullname.rpartition(".")[0])
            if parent is None:
                return None
            if not getattr(parent, STUB_MARK, False):
                # a module missing from a project package (a copy that left it out) is a stub
                # too, but only for the project's imports; never a package of the SDKs
                search = list(getattr(parent, "__path__", None) or [])
                if not search or not all(self.in_project(os.path.join(os.path.realpath(p), "")) for p in search):
                    return None
                if not self.importer_in_project():
                    return None
                if fullname not in self.stubbed:
                    self.stubbed.append(fullname)
        elif self.project_has(top) or (top not in ALWAYS_STUB and not self.importer_in_project()):
            return None
        elif top not in self.stubbed:
            self.stubbed.append(top)
        return importlib.machinery.ModuleSpec(fullname, _StubLoader(), is_package=True)


_FINDER: StubFinder | None = None


def install_stub_finder(*project_roots: str) -> StubFinder:
    """Put the stub finder last on sys.meta_path (once); project_roots are the project's folders."""
    global _FINDER
    if _FINDER is None:
        _FINDER = StubFinder()
        sys.meta_path.append(_FINDER)
    for r in project_roots:
        r = os.path.join(os.path.realpath(r), "")
        if r not in _FINDER.project_roots:
            _FINDER.project_roots.append(r)
    return _FINDER


# --------------------------------------------------------------------------------------------
# where a file is imported from


def _is_package_dir(d: str) -> bool:
    return os.path.isfile(os.path.join(d, "__init__.py"))


def import_root(path: str, project: str) -> tuple[str, str]:
    """(folder to put on sys.path, dotted module name) for the file `path` inside `project`.

    Walks up through the folders that have an `__init__.py` (regular packages), never above
    the project folder, so that the module's relative imports resolve."""
    path = os.path.realpath(path)
    project = os.path.realpath(project)
    d = os.path.dirname(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    parts = [] if stem == "__init__" else [stem]
    while _is_package_dir(d) and d != project and os.path.dirname(d) != d:
        parts.insert(0, os.path.basename(d))
        d = os.path.dirname(d)
    if not parts:  # __init__.py of the project folder itself
        parts = [os.path.basename(d)]
        d = os.path.dirname(d)
    # `from ..x import y` needs two package levels: folders without an `__init__.py` (often one
    # that was left out of a copy) are imported as namespace packages
    depth = len(parts) - (0 if stem == "__init__" else 1)
    while depth < relative_level(path) and d != project and os.path.dirname(d) != d:
        parts.insert(0, os.path.basename(d))
        d = os.path.dirname(d)
        depth += 1
    return d, ".".join(parts)


def relative_level(path: str) -> int:
    """The deepest relative import of the file (0 when it has none or does not parse)."""
    import ast

    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return 0
    return max((n.level for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)), default=0)


def search_path(root: str, project: str) -> list[str]:
    """Folders for sys.path: the import root first; after the installed packages, the folders
    above it up to the project folder and their `src/` layouts (a module importing a sibling
    package by its absolute name, or a repository that keeps its code in src/)."""
    root = os.path.realpath(root)
    project = os.path.realpath(project)
    extra = []
    d = root
    while True:
        for cand in (d, os.path.join(d, "src")):
            if cand != root and os.path.isdir(cand) and cand not in extra:
                extra.append(cand)
        if d == project or os.path.dirname(d) == d or not d.startswith(project):
            break
        d = os.path.dirname(d)
    return extra


def import_file(path: str, project: str):
    """Import the file `path` of `project` by its dotted name (with stubs when installed)."""
    root, dotted = import_root(path, project)
    sys.path.insert(0, root)
    for p in search_path(root, project):
        if p not in sys.path:
            sys.path.append(p)
    if all(part.isidentifier() for part in dotted.split(".")):
        try:
            return importlib.import_module(dotted)
        except ModuleNotFoundError as e:
            if e.name != dotted.partition(".")[0]:
                raise
    # a name that is no identifier (`01-intro.py`): load it from its path under a safe name
    name = "_loadcheck_" + "".join(c if c.isalnum() else "_" for c in dotted)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------------
# describing a failure


def describe(exc: BaseException, file: str, project: str) -> dict:
    """Type, message and where it was raised: the innermost frame in `file`, else in the
    project, else the innermost frame of all."""
    file = os.path.realpath(file)
    project = os.path.join(os.path.realpath(project), "")
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.filename:
        frames.append(traceback.FrameSummary(exc.filename, exc.lineno or 0, "<module>"))

    def rel(fn: str) -> str:
        real = os.path.realpath(fn) if not fn.startswith("<") else fn
        return real[len(project):] if real.startswith(project) else fn

    def where(fs) -> str:
        return f"{rel(fs.filename)}:{fs.lineno}"

    in_file = [f for f in frames if not f.filename.startswith("<") and os.path.realpath(f.filename) == file]
    in_project = [
        f for f in frames if not f.filename.startswith("<") and os.path.realpath(f.filename).startswith(project)
    ]
    best = (in_file or in_project or frames or [None])[-1]
    t = type(exc)
    qual = t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    msg = str(exc)
    if len(msg) > 600:
        msg = msg[:600] + "..."
    return {
        "type": qual,
        "message": msg,
        "where": where(best) if best else "",
        "raised_at": where(frames[-1]) if frames else "",
        "project_frames": [where(f) for f in in_project],
        "missing_module": getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None,
        "traceback": "".join(traceback.format_exception(t, exc, exc.__traceback__))[-4000:],
    }


# --------------------------------------------------------------------------------------------
# the server


def _restart_background_loops() -> None:
    """flyte runs a background asyncio loop in a thread (syncify); a forked child has no
    thread, so give every such loop a new thread, or a sync call into flyte would hang."""
    try:
        from flyte.syncify import _api
    except Exception:  # noqa: BLE001 - flytekit side, or another flyte layout
        return
    import gc

    import asyncio
    import threading

    for obj in gc.get_objects():
        if isinstance(obj, _api._BackgroundLoop):
            obj.loop = asyncio.new_event_loop()
            obj.thread = threading.Thread(name=obj.thread.name, target=obj._run, daemon=True)
            obj.thread.start()


def _load_hook(spec: str):
    path, _, func = spec.rpartition(":")
    s = importlib.util.spec_from_file_location("_loadcheck_hook", path)
    if s is None or s.loader is None:
        raise ImportError(f"cannot load hook {path}")
    m = importlib.util.module_from_spec(s)
    s.loader.exec_module(m)
    return getattr(m, func)


def run_child(req: dict, out_fd: int) -> None:
    """In the forked child: import the file, write one JSON answer to out_fd, exit."""
    answer = {"id": req.get("id"), "ok": False, "module": None, "error": None, "stubbed": [], "hook": None}
    try:
        os.setpgid(0, 0)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        log = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        root, answer["module"] = import_root(req["file"], req["project"])
        os.chdir(req.get("cwd") or root)
        sys.argv = [req["file"]]
        _restart_background_loops()
        finder = install_stub_finder(req["project"])
        try:
            module = import_file(req["file"], req["project"])
            answer["ok"] = True
        except BaseException as e:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            answer["error"] = describe(e, req["file"], req["project"])
            module = None
        answer["stubbed"] = list(finder.stubbed)
        if module is not None and req.get("hook"):
            try:
                answer["hook"] = {"ok": True, "result": _load_hook(req["hook"])(module, req)}
            except BaseException as e:  # noqa: BLE001
                answer["hook"] = {"ok": False, "error": describe(e, req["file"], req["project"])}
    except BaseException as e:  # noqa: BLE001 - a harness failure is still an answer
        answer["error"] = {"type": "harness error", "message": f"{type(e).__name__}: {e}", "where": "",
                           "raised_at": "", "missing_module": None, "traceback": traceback.format_exc()}
    try:
        data = json.dumps(answer, default=str).encode()
    except Exception as e:  # noqa: BLE001
        data = json.dumps({"id": req.get("id"), "ok": False, "error": {"type": "harness error",
                           "message": f"answer not JSON: {e}"}}).encode()
    while data:
        n = os.write(out_fd, data)
        data = data[n:]
    os._exit(0)


def serve(sdk: str) -> int:
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever the SDK prints goes to stderr, never into the answers
    start = time.monotonic()
    importlib.import_module(sdk)
    # the SDK is imported before the finder is installed, so its own optional imports see
    # only what is really installed
    install_stub_finder()
    proto.write(json.dumps({"ready": sdk, "seconds": time.monotonic() - start,
                            "python": sys.version.split()[0]}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        r, w = os.pipe()
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            run_child(req, w)
        os.close(w)
        os.set_blocking(r, False)
        chunks, timed_out = [], False
        deadline = t0 + float(req.get("timeout", 60))
        status = None
        while True:
            try:
                while True:
                    b = os.read(r, 65536)
                    if not b:
                        break
                    chunks.append(b)
            except BlockingIOError:
                pass
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                timed_out = True
                _kill_group(pid)
                _, status = os.waitpid(pid, 0)
                break
            time.sleep(0.005)
        try:
            while True:
                b = os.read(r, 65536)
                if not b:
                    break
                chunks.append(b)
        except BlockingIOError:
            pass
        os.close(r)
        _kill_group(pid)  # whatever the import started (a JVM, a cluster) goes with it
        secs = time.monotonic() - t0
        answer = None
        if chunks and not timed_out:
            try:
                answer = json.loads(b"".join(chunks))
            except ValueError:
                answer = None
        if answer is None:
            why = (f"timed out after {req.get('timeout')}s" if timed_out
                   else f"the child died ({_status_text(status)}) without an answer")
            answer = {"id": req.get("id"), "ok": False, "module": None, "stubbed": [], "hook": None,
                      "error": {"type": "timeout" if timed_out else "crash", "message": why, "where": "",
                                "raised_at": "", "missing_module": None, "traceback": ""}}
        answer["seconds"] = secs
        proto.write(json.dumps(answer) + "\n")
    return 0


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _status_text(status) -> str:
    if status is None:
        return "unknown status"
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "serve" and argv[1] == "--sdk":
        return serve(argv[2])
    print("usage: loader.py serve --sdk flytekit|flyte", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
