"""Summarize wine feature columns in a dynamic workflow that fans out in loops.

The dynamic workflow collects one task call per column in a list, scaled or plain depending on
the column's range, then per pair of a nested loop, and hands both lists to a reducing task. A
second dynamic workflow restarts its list in each round of an outer loop and totals each round
in a task. Every collected call is independent of the others: Flyte 1 ran them together.
"""
# equivalence: entry=column_fanout inputs={"columns": [0, 3, 5, 9, 12], "rounds": 3}

import asyncio
import typing

import flyte

env = flyte.TaskEnvironment(name="wine_column_fanout")


@env.task
def column_mean(column: int) -> float:
    from sklearn.datasets import load_wine

    features, _ = load_wine(return_X_y=True)
    return round(float(features[:, column].mean()), 6)


@env.task
def scaled_mean(column: int, factor: float) -> float:
    from sklearn.datasets import load_wine

    features, _ = load_wine(return_X_y=True)
    return round(float(features[:, column].mean() * factor), 6)


@env.task
def pair_gap(a: int, b: int) -> float:
    from sklearn.datasets import load_wine

    features, _ = load_wine(return_X_y=True)
    return round(float(abs(features[:, a].mean() - features[:, b].mean())), 6)


@env.task
def reduce(means: typing.List[float], gaps: typing.List[float]) -> typing.Dict[str, float]:
    return {"means": round(sum(means), 6), "gaps": round(max(gaps), 6), "count": float(len(means) + len(gaps))}


@env.task
def total(values: typing.List[float]) -> float:
    return round(sum(values), 6)


@env.task
async def summarize(columns: typing.List[int]) -> typing.Dict[str, float]:
    means, gaps = await asyncio.gather(
        asyncio.gather(
            *(
                scaled_mean.aio(column=c, factor=0.5) if c % 2 == 0 else column_mean.aio(column=c)
                for c in columns
            )
        ),
        asyncio.gather(*(pair_gap.aio(a=a, b=b) for a in columns for b in columns if a < b)),
    )
    return await reduce.aio(means=list(means), gaps=list(gaps))


@env.task
async def round_totals(columns: typing.List[int], rounds: int) -> typing.List[float]:
    totals = []
    for r in range(rounds):
        picked = await asyncio.gather(*(column_mean.aio(column=c) for c in columns[r:]))
        totals.append(await total.aio(values=list(picked)))
    return totals


@env.task
async def column_fanout(
    columns: typing.List[int], rounds: int
) -> typing.Tuple[typing.Dict[str, float], typing.List[float]]:
    summary, totals = await asyncio.gather(summarize(columns=columns), round_totals(columns=columns, rounds=rounds))
    return summary, totals
