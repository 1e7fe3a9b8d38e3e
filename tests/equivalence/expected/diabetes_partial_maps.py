"""Score slices of the diabetes data set with mapped tasks of several shapes.

One task scales the absolute total of a feature column by a factor bound with functools.partial (the bound
parameter comes first), one scores a window given a bound model setting before and after the
mapped one, one combines two mapped lists (by name, then by position), and one maps two lists
with a bound value. The workflow returns every mapped result.
"""
# equivalence: entry=partial_maps inputs={"columns": [0, 2, 3, 8], "starts": [0, 100, 200], "picked": [1, 4, 9], "alpha": 0.5}

import functools
import typing

import itertools

import flyte

env = flyte.TaskEnvironment(name="diabetes_partial_maps")


@env.task
def scaled_total(factor: float, column: int) -> float:
    from sklearn.datasets import load_diabetes

    features, _ = load_diabetes(return_X_y=True)
    return round(float(abs(features[:, column]).sum() * factor), 6)


@env.task
def window_score(alpha: float, start: int, size: int) -> float:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    features, target = load_diabetes(return_X_y=True)
    window = slice(start, start + size)
    model = Ridge(alpha=alpha).fit(features[window], target[window])
    return round(float(model.score(features[window], target[window])), 6)


@env.task
def label(column: int, start: int) -> str:
    return f"c{column}@{start}"


@env.task
def shifted(offset: int, column: int, start: int) -> int:
    return offset + column * 1000 + start


@env.task
def partial_maps(
    columns: typing.List[int], starts: typing.List[int], picked: typing.List[int], alpha: float
) -> typing.Tuple[
    typing.List[float], typing.List[float], typing.List[str], typing.List[int], typing.List[str]
]:
    totals = list(flyte.map(functools.partial(scaled_total, 2.0), columns, return_exceptions=False))
    scores = list(
        flyte.map(
            functools.partial(window_score, alpha, size=120),
            starts,
            concurrency=2,
            return_exceptions=False,
        )
    )
    labels = list(flyte.map(label, picked, starts, return_exceptions=False))
    shifts = list(
        flyte.map(shifted, itertools.repeat(7), picked, starts, return_exceptions=False)
    )
    by_position = list(flyte.map(label, picked, starts, return_exceptions=False))
    return totals, scores, labels, shifts, by_position
