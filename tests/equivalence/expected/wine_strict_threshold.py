"""Score wine samples with a mapped task that needs most samples to succeed.

Too many samples have an out-of-range acidity, so the map fails with the error of the sample
whose failure crossed the threshold.
"""
# equivalence: entry=strict_scores inputs={"rows": [0, 19, 21, 39, 170]} expect_error="out of range"

import math
import typing

import flyte

env = flyte.TaskEnvironment(name="wine_strict_threshold")


@env.task
def score(row: int) -> float:
    from sklearn.datasets import load_wine

    features, _ = load_wine(return_X_y=True)
    acidity = float(features[row, 1])
    if acidity > 3.0:
        raise ValueError(f"sample {row}: malic acid {acidity} is out of range")
    return round(float(features[row, 0] * 10 - acidity), 6)


@env.task
async def strict_scores(rows: typing.List[int]) -> typing.List[typing.Optional[float]]:
    results = [r async for r in flyte.map.aio(score, rows, return_exceptions=True)]
    failures = [r for r in results if isinstance(r, Exception)]
    if failures and len(results) - len(failures) < math.ceil(len(rows) * 0.8):
        raise failures[0]
    return [None if isinstance(r, Exception) else r for r in results]
