"""Sum each row of the digits images in a map task that carries per-item settings.

The map task's `metadata=TaskMetadata(retries=..., timeout=...)` applies to every mapped run, and
so do the resources a second map's `.with_overrides(...)` sets; the workflow collects the sums and
reports the largest ones.
"""
# equivalence: entry=row_sums inputs={"rows": 12}

import typing
from datetime import timedelta

import flyte

env = flyte.TaskEnvironment(name="digit_row_sums_map")


@env.task
def load_rows(rows: int) -> typing.List[int]:
    from sklearn.datasets import load_digits

    return list(range(min(rows, len(load_digits().data))))


@env.task
def row_sum(index: int) -> float:
    from sklearn.datasets import load_digits

    return float(load_digits().data[index].sum())


@env.task
def larger(a: typing.List[float], b: typing.List[float]) -> typing.List[float]:
    return [max(x, y) for x, y in zip(a, b)]


@env.task
def top_three(sums: typing.List[float]) -> typing.List[float]:
    return sorted(sums, reverse=True)[:3]


@env.task
def row_sums(rows: int = 8) -> typing.List[float]:
    indices = load_rows(rows=rows)
    sums = list(
        flyte.map(
            row_sum.override(retries=2, timeout=timedelta(minutes=5)),
            indices,
            return_exceptions=False,
        )
    )
    again = list(
        flyte.map(
            row_sum.override(resources=flyte.Resources(cpu="1", memory=("200Mi", "400Mi"))),
            indices,
            return_exceptions=False,
        )
    )
    return top_three(sums=larger(a=sums, b=again))
