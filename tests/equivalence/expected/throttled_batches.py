"""Average the iris sepal lengths in batches, then pause before merging, as a rate limit would.

The workflow waits a short moment (a Flyte 1 sleep gate node, given as a module-level constant
and as a keyword, and one bound to a node ordered before the last step) before it computes the
spread of the batch means.
"""
# equivalence: entry=throttled inputs={"batches": 3}

from datetime import timedelta

import flyte
import time

env = flyte.TaskEnvironment(name="throttled_batches")

PAUSE = timedelta(milliseconds=50)


@env.task
def batch_means(batches: int) -> list[float]:
    from sklearn.datasets import load_iris

    rows = load_iris().data.tolist()
    size = len(rows) // batches
    return [round(sum(r[0] for r in rows[i * size : (i + 1) * size]) / size, 6) for i in range(batches)]


@env.task
def spread(means: list[float]) -> float:
    return round(max(means) - min(means), 6)


@env.task
def throttled(batches: int) -> float:
    means = batch_means(batches=batches)
    time.sleep(PAUSE.total_seconds())
    time.sleep(timedelta(milliseconds=10).total_seconds())
    time.sleep(timedelta(milliseconds=5).total_seconds())
    result = spread(means=means)
    return result
