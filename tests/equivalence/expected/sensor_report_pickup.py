"""Wait for a report file with flytekit's `FileSensor`, then read it.

One task writes a small report under the run's working directory and returns its path; a file
sensor waits until the path exists (flytekit checks once a second), and only then, ordered by
`>>`, a task reads the report and counts its lines. In Flyte 2 the sensor is a task that polls
the same way, in an environment of its own.
"""
# equivalence: entry=pickup inputs={"lines": 4}

import asyncio
import os

import flyte
import flyte.storage

sensor_env = flyte.TaskEnvironment(name="sensors")
env = flyte.TaskEnvironment(name="main", depends_on=[sensor_env])


@sensor_env.task
async def report_ready(path: str) -> None:
    while not await flyte.storage.exists(path):
        await asyncio.sleep(1)


@env.task
def write_report(lines: int) -> str:
    path = os.path.abspath("report.txt")
    with open(path, "w") as f:
        f.write("".join(f"row {i}\n" for i in range(lines)))
    return path


@env.task
def count_rows(path: str) -> int:
    with open(path) as f:
        return sum(1 for _ in f)


@env.task
async def pickup(lines: int) -> int:
    path = await write_report.aio(lines=lines)
    await report_ready(path=path)
    return await count_rows.aio(path=path)
