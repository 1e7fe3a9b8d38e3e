"""Stage a report through the task's storage with flytekit's file access, and read it back.

A task writes a report into a fresh local directory, uploads it to a fresh path under the run's
raw output prefix, downloads it again into another fresh directory and returns what it reads,
with the run's name length from the context's user-space parameters. In Flyte 2 the file
access is `flyte.storage` and `flyte.io`, and the parameters are `flyte.ctx()`.
"""
# equivalence: entry=roundtrip inputs={"rows": 3}

import os
from typing import Dict

import flyte
import flyte.io
import flyte.storage

env = flyte.TaskEnvironment(name="main")


@env.task
def stage_and_read(rows: int) -> Dict[str, str]:
    folder = str(flyte.storage.get_random_local_directory())
    report = os.path.join(folder, "report.txt")
    with open(report, "w") as f:
        f.write("".join(f"row {i}\n" for i in range(rows)))
    remote = flyte.ctx().raw_data_path.get_random_remote_path("report.txt")
    flyte.io.File.from_local_sync(report, remote_destination=remote)
    back = os.path.join(str(flyte.storage.get_random_local_directory()), "copy.txt")
    flyte.io.File.from_existing_remote(remote).download_sync(back)
    with open(back) as f:
        text = f.read()
    name = flyte.ctx().action.run_name
    return {"text": text, "named": str(bool(name))}


@env.task
async def roundtrip(rows: int) -> Dict[str, str]:
    return await stage_and_read.aio(rows=rows)
