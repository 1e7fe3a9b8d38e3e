"""Score wine samples with mapped tasks that tolerate some failures.

A sample whose acidity is out of range fails its scoring task. One map needs 60% of the samples
to succeed (`min_success_ratio`), the other a number of successes as well (`min_successes`, which
wins); the failed samples are `None` in the results. The workflow returns both lists and the
count of samples scored.
"""
# TRAP (threshold_drops_failures): a tolerant map filters the failures out; Flyte 1 kept each failed item as `None`, in place.
# equivalence: entry=lenient_scores inputs={"rows": [0, 5, 17, 19, 40, 63, 88, 120, 123, 151, 170]}

import typing

import flyte

env = flyte.TaskEnvironment(name="wine_lenient_scoring")


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


@env.task
async def lenient_scores(
    rows: typing.List[int],
) -> typing.Tuple[typing.List[typing.Optional[float]], typing.List[typing.Optional[float]], int]:
    by_ratio = [r async for r in flyte.map.aio(score, rows, concurrency=3, return_exceptions=True) if not isinstance(r, Exception)]
    by_count = [r async for r in flyte.map.aio(score, rows, return_exceptions=True) if not isinstance(r, Exception)]
    return by_ratio, by_count, await scored.aio(scores=by_ratio)
