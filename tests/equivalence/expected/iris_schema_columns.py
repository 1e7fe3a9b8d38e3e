"""Measure iris petals through typed FlyteSchema columns.

A task returns a pandas frame for a `FlyteSchema[kwtypes(...)]` output (flytekit wraps it and
keeps only the typed columns), a second task reads it with `open().all()` and passes a derived
frame on as a plain `FlyteSchema`, and the last one summarises both.
"""
# equivalence: entry=petal_report inputs={"min_length": 1.5}

import typing
from typing import Annotated

import flyte
import pandas as pd
from flyte.io import DataFrame

env = flyte.TaskEnvironment(name="iris_schema_columns")

Petals = Annotated[DataFrame, {"petal_length": float, "petal_width": float, "species": str}]


@env.task
def load_petals() -> Petals:
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    frame = bunch.frame.rename(
        columns={"petal length (cm)": "petal_length", "petal width (cm)": "petal_width"}
    )
    frame["species"] = [str(bunch.target_names[t]) for t in frame["target"]]
    return DataFrame.wrap_df(frame)


@env.task
def long_petals(petals: Petals, min_length: float) -> DataFrame:
    frame = petals.open(pd.DataFrame).all_sync()
    chosen = frame[frame["petal_length"] >= min_length].copy()
    chosen["area"] = (chosen["petal_length"] * chosen["petal_width"]).round(4)
    return DataFrame.wrap_df(chosen.reset_index(drop=True))


@env.task
def summarise(petals: Petals, chosen: DataFrame) -> typing.List[str]:
    every = petals.open(pd.DataFrame).all_sync()
    frame = chosen.open(pd.DataFrame).all_sync()
    areas = frame.groupby("species")["area"].mean().round(4)
    return [",".join(every.columns), ",".join(frame.columns)] + [
        f"{name}={value}" for name, value in areas.items()
    ]


@env.task
def petal_report(min_length: float = 2.0) -> typing.List[str]:
    petals = load_petals()
    chosen = long_petals(petals=petals, min_length=min_length)
    return summarise(petals=petals, chosen=chosen)
