#!/usr/bin/env python3
"""Report how far `fix --unsafe-fixes` takes a tree of real Flyte 1 code.

    python3 benches/corpus.py DIR [--binary PATH] [--top N] [--write]

DIR is copied to a temporary directory (it is never modified), then on the copy:
`check --isolated`, `fix --unsafe-fixes --isolated`, `check --isolated` again, and a second
`fix --unsafe-fixes --isolated` to see whether fixing is stable. Printed:

- Python files importing flytekit (a real `import flytekit...`, `from flytekit... import` or
  `flytekitplugins` import statement, not a mention) before and after, and the share now free;
- the problems left, per rule and per flytekit name (the name FM103 quotes in its message);
- fix rounds reported as bugs (`bug in flyte-migrate` on standard error);
- Python files that parsed before and no longer parse after the fix;
- whether the second fix changed any file.

With `--write`, the summary replaces the "Real-world corpus" section of BENCHMARKS.md (which
`benches/bench.py` keeps when it rewrites the timing table). Standard library only; the binary
defaults to target/release/flyte-migrate, built if missing.
"""

from __future__ import annotations

import argparse
import ast
import collections
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Real-world corpus"

IMPORT_LINE = re.compile(r"^\s*(?:from\s+(flytekit|flytekitplugins)[\w.]*\s+import\b|import\s+(?:[\w.]+\s*,\s*)*(flytekit|flytekitplugins)\b)", re.M)


def imports_flytekit(source: str) -> bool:
    """A real import statement of flytekit or a flytekitplugins package."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return bool(IMPORT_LINE.search(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0].startswith(("flytekit", "flytekitplugins")) for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in ("flytekit", "flytekitplugins") or node.module.startswith(
                "flytekitplugins"
            ):
                return True
    return False


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
        return True
    except (SyntaxError, ValueError):
        return False


def python_files(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        if path.is_file():
            out[str(path.relative_to(root))] = path.read_text(encoding="utf-8", errors="replace")
    return out


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(binary: Path, args: list[str], tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(binary), *args, "--isolated", "--exit-zero", str(tree)],
        capture_output=True,
        text=True,
    )


def check(binary: Path, tree: Path) -> list[dict]:
    proc = run(binary, ["check", "--output-format", "json"], tree)
    try:
        return json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        print(proc.stderr, file=sys.stderr)
        raise


FM103_NAME = re.compile(r"`([^`]+)`")


def name_of(diag: dict) -> str | None:
    if diag.get("code") != "FM103":
        return None
    found = FM103_NAME.search(diag.get("message", ""))
    return found.group(1) if found else None


def bug_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "bug in flyte-migrate" in line]


def report(corpus: Path, binary: Path, top: int) -> tuple[dict, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / corpus.name
        shutil.copytree(corpus, tree, symlinks=True)
        before_src = python_files(tree)
        before = check(binary, tree)
        fix1 = run(binary, ["fix", "--unsafe-fixes", "--quiet"], tree)
        after_src = python_files(tree)
        after = check(binary, tree)
        first = digest(tree)
        fix2 = run(binary, ["fix", "--unsafe-fixes", "--quiet"], tree)
        second = digest(tree)

    importing_before = {f for f, s in before_src.items() if imports_flytekit(s)}
    importing_after = {f for f, s in after_src.items() if f in importing_before and imports_flytekit(s)}
    broken = sorted(f for f in before_src if parses(before_src[f]) and not parses(after_src.get(f, "")))
    unstable = sorted(f for f in second if first.get(f) != second[f])
    py_after = [d for d in after if d.get("filename", "").endswith(".py")]
    per_rule = collections.Counter(d["code"] for d in after)
    per_rule_before = collections.Counter(d["code"] for d in before)
    per_name = collections.Counter(n for n in map(name_of, py_after) if n)
    bugs = bug_lines(fix1.stderr) + bug_lines(fix2.stderr)
    free = len(importing_before) - len(importing_after)
    share = free / len(importing_before) if importing_before else 0.0
    numbers = {
        "python_files": len(before_src),
        "importing_before": len(importing_before),
        "importing_after": len(importing_after),
        "free": free,
        "share_free": share,
        "problems_before": len(before),
        "problems_after": len(after),
        "bugs": len(bugs),
        "broken": broken,
        "unstable": unstable,
    }

    lines = [
        f"- Python files: {len(before_src)}; importing flytekit before the fix: {len(importing_before)}, "
        f"after: {len(importing_after)}; free of flytekit now: {free} ({share:.1%})",
        f"- problems: {len(before):,} before, {len(after):,} after `fix --unsafe-fixes`",
        f"- fix rounds reported as bugs: {len(bugs)}",
        f"- files that parsed before and no longer parse: {len(broken)}"
        + (f" ({', '.join(broken[:5])}{', ...' if len(broken) > 5 else ''})" if broken else ""),
        f"- a second fix changes: {len(unstable)} files"
        + (f" ({', '.join(unstable[:5])}{', ...' if len(unstable) > 5 else ''})" if unstable else ""),
        "",
        "Problems left, per rule (before -> after):",
        "",
        "| rule | before | after |",
        "|---|---:|---:|",
    ]
    for code, n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        lines.append(f"| {code} | {per_rule_before.get(code, 0)} | {n} |")
    lines += [
        "",
        f"FM103 (no automatic migration) left, per flytekit name (top {top}):",
        "",
        "| name | left |",
        "|---|---:|",
    ]
    for name, n in sorted(per_name.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        lines.append(f"| `{name}` | {n} |")
    if bugs:
        lines += ["", "Bug reports:", ""] + [f"    {b}" for b in sorted(set(bugs))[:top]]
    return numbers, lines


def write_section(body: list[str], corpus_arg: str) -> None:
    path = REPO / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    head = text.split(SECTION, 1)[0].rstrip("\n")
    section = [
        SECTION,
        "",
        "How far `fix --unsafe-fixes` takes real Flyte 1 repositories (written by",
        f"`python3 benches/corpus.py {corpus_arg} --write`; `benches/bench.py` keeps this section):",
        "",
        *body,
        "",
    ]
    path.write_text(head + "\n\n" + "\n".join(section))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--binary", type=Path, default=REPO / "target" / "release" / "flyte-migrate")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--write", action="store_true", help="replace the corpus section of BENCHMARKS.md")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON too")
    args = ap.parse_args()
    if not args.dir.is_dir():
        ap.error(f"{args.dir} is not a directory")
    binary = args.binary
    if not binary.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    numbers, lines = report(args.dir.resolve(), binary, args.top)
    print("\n".join(lines))
    if args.json:
        print(json.dumps(numbers, indent=1))
    if args.write:
        write_section(lines, "<dir>")
        print("wrote the corpus section of BENCHMARKS.md")
    return 1 if numbers["bugs"] or numbers["broken"] or numbers["unstable"] else 0


if __name__ == "__main__":
    sys.exit(main())
