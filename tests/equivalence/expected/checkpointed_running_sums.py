"""Running sums that record their progress in the task's checkpoint.

A task sums a range step by step and writes the next step to its checkpoint after each one, so
a retry would resume where the last attempt stopped; it reads the checkpoint first, which is
empty on a first attempt, and reports where it started. In Flyte 2 the checkpoint is
`flyte.ctx().checkpoint`: the bytes written are one blob, read back from its loaded path.
"""
# equivalence: entry=running_sums inputs={"n": 6}

from typing import Dict

import flyte

env = flyte.TaskEnvironment(name="main")


@env.task(retries=2)
def running_sum(n: int) -> Dict[str, int]:
    cp = flyte.ctx().checkpoint
    prev = cp.load_sync() and cp.load_sync().read_bytes()
    start = int(prev.decode()) if prev else 0
    total = 0
    for step in range(start, n):
        total += step
        cp.save_sync(str(step + 1).encode())
    return {"start": start, "total": total, "resumed": int((cp.load_sync() is not None))}


@env.task
async def running_sums(n: int) -> Dict[str, int]:
    return await running_sum.aio(n=n)
