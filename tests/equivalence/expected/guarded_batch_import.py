"""Import a batch of readings, and clean up after a failed import with a failure handler.

The workflow stages a batch, then imports it; the import rejects a batch with a negative
reading. The workflow declares a failure handler: when the import fails, flytekit calls it with
the workflow's inputs and a `FlyteError` describing the failure, and the handler records what
it cleaned up in a file; the workflow then fails with the import's error. In Flyte 2 the body
runs in `try:` and the handler is called in `except`, then the error is raised again.
"""
# equivalence: entry=guarded_import inputs={"readings": [3, -1, 4], "batch": "b7"} side_effects=["cleanup.log"] expect_error="negative reading"

import typing
from typing import List

import dataclasses
import flyte


@dataclasses.dataclass
class FlyteError:
    """What flytekit passed a failure handler: the error's message and the failed node."""

    message: str
    failed_node_id: str

env = flyte.TaskEnvironment(name="main")


@env.task
def stage(readings: List[int]) -> List[int]:
    return sorted(readings)


@env.task
def import_batch(staged: List[int]) -> int:
    if any(r < 0 for r in staged):
        raise ValueError(f"negative reading in {staged}")
    return sum(staged)


@env.task
def clean_up(batch: str, readings: List[int], err: typing.Optional[FlyteError] = None) -> None:
    with open("cleanup.log", "a") as log:
        log.write(f"removed staged batch {batch} of {len(readings)} readings; error given: {err is not None}\n")


@env.task
async def guarded_import(readings: List[int], batch: str) -> int:
    try:
        staged = await stage.aio(readings=readings)
        return await import_batch.aio(staged=staged)
    except Exception as exc:
        await clean_up.aio(batch=batch, readings=readings, err=FlyteError(message=str(exc), failed_node_id=""))
        raise
