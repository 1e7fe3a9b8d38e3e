"""Summarise the iris data set through annotated file, directory and data frame inputs.

One task writes the measurements as a CSV file, one splits them into a directory of per-class
files, and one returns the table as a data frame. The readers take their inputs annotated
(`Annotated[...]`, `Optional[...]`, `... | None`) and read them with `.download()` and
`.open(pd.DataFrame).all()`.
"""
# equivalence: entry=annotated_summary inputs={"digits": 2}

import os
import tempfile
import typing
from typing import Annotated, Optional

import flyte
import pandas as pd
from flyte.io import DataFrame, Dir, File

env = flyte.TaskEnvironment(name="annotated_io_summary")


def _iris() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    return frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))


@env.task
def write_csv() -> File:
    path = os.path.join(tempfile.mkdtemp(), "iris.csv")
    _iris().to_csv(path, index=False)
    return File.from_local_sync(path)


@env.task
def split_classes() -> Dir:
    folder = os.path.join(tempfile.mkdtemp(), "classes")
    os.makedirs(folder, exist_ok=True)
    for target, rows in _iris().groupby("target"):
        rows.to_csv(os.path.join(folder, f"class_{target}.csv"), index=False)
    return Dir.from_local_sync(folder)


@env.task
def as_table() -> DataFrame:
    return DataFrame.wrap_df(_iris())


@env.task
def file_mean(data: Annotated[File, "csv measurements"], digits: int) -> float:
    local = data.download_sync()
    return round(float(pd.read_csv(local)["petal_length"].mean()), digits)


@env.task
def class_sizes(folder: Annotated[Dir, "one csv per class"]) -> typing.List[int]:
    local = folder.download_sync()
    return [len(pd.read_csv(os.path.join(local, name))) for name in sorted(os.listdir(local))]


@env.task
def widest_sepal(table: Annotated[DataFrame, {"sepal_width": float}]) -> float:
    frame = table.open(pd.DataFrame).all_sync()
    return float(frame["sepal_width"].max()) + len(frame.columns)


@env.task
def optional_rows(table: Optional[DataFrame] = None) -> int:
    if table is None:
        return 0
    return int(len(table.open(pd.DataFrame).all_sync()))


@env.task
def maybe_file_lines(data: File | None = None) -> int:
    if data is None:
        return 0
    with open(data.download_sync()) as handle:
        return sum(1 for _ in handle)


@env.task
def annotated_summary(digits: int) -> typing.Tuple[float, typing.List[int], float, int, int]:
    csv = write_csv()
    table = as_table()
    mean = file_mean(data=csv, digits=digits)
    sizes = class_sizes(folder=split_classes())
    widest = widest_sepal(table=table)
    rows = optional_rows(table=table)
    lines = maybe_file_lines(data=csv)
    return mean, sizes, widest, rows, lines
