"""Build a small SQLite warehouse from the iris measurements and report on it.

The three steps share a database file instead of passing data to each other: create the
schema, load the rows, then aggregate. Nothing flows between them, so the workflow orders them
explicitly with `>>`.
"""
# equivalence: entry=build_warehouse inputs={"db_path": "warehouse.sqlite"}

import sqlite3
from typing import List

import flyte

env = flyte.TaskEnvironment(name="sqlite_warehouse_build")


@env.task
def create_schema(db_path: str) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE IF EXISTS measurements")
        conn.execute(
            "CREATE TABLE measurements (species TEXT NOT NULL, sepal_length REAL, petal_length REAL)"
        )


@env.task
def load_measurements(db_path: str) -> None:
    from sklearn.datasets import load_iris

    iris = load_iris()
    rows = [
        (str(iris.target_names[label]), float(features[0]), float(features[2]))
        for features, label in zip(iris.data, iris.target)
    ]
    with sqlite3.connect(db_path) as conn:
        conn.executemany("INSERT INTO measurements VALUES (?, ?, ?)", rows)


@env.task
def species_report(db_path: str) -> List[str]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT species, COUNT(*), ROUND(AVG(sepal_length), 3), ROUND(MAX(petal_length), 2) "
            "FROM measurements GROUP BY species ORDER BY species"
        ).fetchall()
    return [f"{species}: n={n} mean_sepal={mean} max_petal={peak}" for species, n, mean, peak in rows]


@env.task
def build_warehouse(db_path: str = "warehouse.sqlite") -> List[str]:
    # `schema >> loaded >> report` is gone: a sync task runs its calls in source order
    create_schema(db_path=db_path)
    load_measurements(db_path=db_path)
    report = species_report(db_path=db_path)
    return report


if __name__ == "__main__":
    flyte.init()
    for line in flyte.run(build_warehouse).outputs()[0]:
        print(line)
