"""Bind every Flyte 2 call of migrated FlyteRemote scripts to the installed flyte signatures.

    python bind.py FILE...   (with the flyte 2.12.1 venv's python)

The scripts talk to a cluster, so they cannot run here: instead every `flyte.*(...)` call, every
`flyte.with_runcontext(...).run(...)`, every run method (`wait`, `done`, `abort`, `outputs`) and
run property (`name`, `url`) is bound with `inspect.signature(...).bind` to what flyte has, every
`flyte` import is imported, and no `flytekit` import may be left. Exit 1 on any failure.
"""
import ast, inspect, sys
import flyte, flyte.remote
from flyte._run import _Runner
from flyte.remote._action import ActionOutputs

RUN_METHODS = {"wait", "done", "abort", "outputs", "sync"}
RUN_ATTRS = {"name", "url", "phase"}

def chain(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr); node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id); return list(reversed(parts))
    return None

def bind(fn, call, label, drop_self=False):
    sig = inspect.signature(fn)
    args = [object() for a in call.args if not isinstance(a, ast.Starred)]
    kwargs = {k.arg: object() for k in call.keywords if k.arg}
    if any(k.arg is None for k in call.keywords):
        params = sig.parameters.values()
        assert any(p.kind == p.VAR_KEYWORD for p in params), label
    first = next(iter(sig.parameters), None)
    if drop_self or first == "cls":  # syncified classmethods show `cls` when read off the class
        args = [object()] + args
    sig.bind(*args, **kwargs)
    return f"{label}{sig}"

failures = 0
for path in sys.argv[1:]:
    tree = ast.parse(open(path).read())
    for node in ast.walk(tree):
        try:
            if isinstance(node, ast.Call):
                c = chain(node.func)
                if c and c[0] == "flyte":
                    obj = flyte
                    for part in c[1:]:
                        obj = getattr(obj, part)
                    print("ok", path, node.lineno, bind(obj, node, ".".join(c)))
                elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call) and node.func.attr == "run" and chain(node.func.value.func) == ["flyte", "with_runcontext"]:
                    print("ok", path, node.lineno, bind(_Runner.run, node, "_Runner.run", drop_self=True))
                elif isinstance(node.func, ast.Attribute) and node.func.attr in RUN_METHODS and isinstance(node.func.value, ast.Name):
                    print("ok", path, node.lineno, bind(getattr(flyte.remote.Run, node.func.attr), node, "Run." + node.func.attr, drop_self=True))
            elif isinstance(node, ast.Attribute) and node.attr in RUN_ATTRS and isinstance(node.value, ast.Name) and node.value.id not in ("flyte",):
                assert isinstance(getattr(flyte.remote.Run, node.attr), property), node.attr
                print("ok", path, node.lineno, "Run." + node.attr, "property")
            elif isinstance(node, ast.Attribute) and node.attr == "named_outputs":
                assert hasattr(ActionOutputs, "named_outputs")
                print("ok", path, node.lineno, "ActionOutputs.named_outputs")
        except Exception as e:
            failures += 1
            print("FAIL", path, getattr(node, "lineno", "?"), type(e).__name__, e)
    # the module's imports resolve under flyte 2
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mod = node.module if isinstance(node, ast.ImportFrom) else None
            for a in node.names:
                name = mod or a.name
                if name.split(".")[0] == "flyte":
                    __import__(name)
                    print("ok import", name)
                if name.split(".")[0] in ("flytekit", "flytekitplugins"):
                    failures += 1; print("FAIL still imports", name)
print("failures:", failures)
sys.exit(1 if failures else 0)
