"""Score wine samples with mapped tasks that tolerate some failures.

A sample whose acidity is out of range fails its scoring task. One map needs 60% of the samples
to succeed (`min_success_ratio`), the other a number of successes as well (`min_successes`, which
wins); the failed samples are `None` in the results. The workflow returns both lists and the
count of samples scored.
"""
# equivalence: entry=lenient_scores inputs={"rows": [0, 5, 17, 19, 40, 63, 88, 120, 123, 151, 170]}

import asyncio
import math
import typing

import flyte

env = flyte.TaskEnvironment(name="wine_lenient_scoring")


def tolerate(results: list, min_successes: int) -> list:
    failures = [r for r in results if isinstance(r, Exception)]
    if failures and len(results) - len(failures) < min_successes:
        raise failures[max(len(results) - min_successes, 0)]
    return [None if isinstance(r, Exception) else r for r in results]


@env.task
def score(row: int) -> float:
    from sklearn.datasets import load_wine

    features, _ = load_wine(return_X_y=True)
    acidity = float(features[row, 1])
    if acidity > 3.0:
        raise ValueError(f"sample {row}: malic acid {acidity} is out of range")
    return round(float(features[row, 0] * 10 - acidity), 6)


@env.task
def scored(scores: typing.List[typing.Optional[float]]) -> int:
    return sum(1 for s in scores if s is not None)


async def mapped(rows: typing.List[int], concurrency: int = 0) -> list:
    return [r async for r in flyte.map.aio(score, rows, concurrency=concurrency, return_exceptions=True)]


@env.task
async def lenient_scores(
    rows: typing.List[int],
) -> typing.Tuple[typing.List[typing.Optional[float]], typing.List[typing.Optional[float]], int]:
    by_ratio, by_count = await asyncio.gather(mapped(rows, concurrency=3), mapped(rows))
    by_ratio = tolerate(by_ratio, math.ceil(len(rows) * 0.6))
    by_count = tolerate(by_count, 5)
    return by_ratio, by_count, await scored.aio(scores=by_ratio)
