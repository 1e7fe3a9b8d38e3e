"""Count the lines of generated reports with shell commands run through `subproc_execute`.

A task writes a few text files, another counts each file's lines with `wc -l` through flytekit's
`subproc_execute` (the output captured as text), and one reports what a failing command raises:
`RuntimeError` naming the command, also with `check=False`, which flytekit ignores. In Flyte 2
the module defines the same helper, so the counts and the errors are the same.
"""
# equivalence: entry=line_counts inputs={"sizes": [3, 1, 4]}

import os
import tempfile
from typing import Dict, List

import asyncio
import dataclasses
import flyte
import subprocess


@dataclasses.dataclass
class ProcessResult:
    returncode: int
    output: str
    error: str


def subproc_execute(command, **kwargs):
    """Run a command as flytekit's `subproc_execute` did: output captured as text, a
    `RuntimeError` when it fails (whatever `check=` says) or cannot be found."""
    kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "check": True, **kwargs}
    try:
        result = subprocess.run(command, **kwargs)
        result.check_returncode()
    except subprocess.CalledProcessError as e:
        raise RuntimeError(f"Command: {e.cmd}\nFailed with return code {e.returncode}:\n{e.stderr}")
    except FileNotFoundError as e:
        raise RuntimeError(
            f"""Process failed because the executable could not be found.
            Did you specify a container image in the task definition if using
            custom dependencies?\n{e}"""
        )
    return ProcessResult(returncode=result.returncode, output=result.stdout, error=result.stderr)


env = flyte.TaskEnvironment(name="main")


@env.task
def count_lines(sizes: List[int]) -> List[int]:
    folder = tempfile.mkdtemp()
    counts = []
    for i, size in enumerate(sizes):
        path = os.path.join(folder, f"report_{i}.txt")
        with open(path, "w") as f:
            f.write("".join(f"line {n}\n" for n in range(size)))
        result = subproc_execute(["wc", "-l", path])
        counts.append(int(result.output.split()[0]))
    return counts


@env.task
def failures() -> Dict[str, str]:
    messages = {}
    for label, command, options in [
        ("exit", ["sh", "-c", "echo broken >&2; exit 3"], {}),
        ("unchecked", ["sh", "-c", "exit 4"], {"check": False}),
    ]:
        try:
            subproc_execute(command, **options)
            messages[label] = "no error"
        except RuntimeError as e:
            messages[label] = str(e)
    try:
        subproc_execute(["no-such-command-for-this-test"])
    except RuntimeError as e:
        messages["missing"] = str(e).splitlines()[0]
    return messages


@env.task
def combined(counts: List[int], messages: Dict[str, str]) -> Dict[str, str]:
    return dict(messages, counts=",".join(str(c) for c in counts))


@env.task
async def line_counts(sizes: List[int]) -> Dict[str, str]:
    counts, messages = await asyncio.gather(
        count_lines.aio(sizes=sizes),
        failures.aio(),
    )
    return await combined.aio(counts=counts, messages=messages)
