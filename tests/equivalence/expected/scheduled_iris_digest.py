"""A daily iris digest that runs on a schedule, with a fixed-rate refresh beside it.

The workflow summarises one iris species; two launch plans schedule it: a nightly cron run with
default inputs and a fixed-rate refresh with a fixed input. Locally the workflow runs with the
inputs given; the schedules only matter once deployed, but they must still define cleanly.
"""
# equivalence: entry=iris_digest inputs={"species": "versicolor", "decimals": 2}

from typing import Dict

import flyte

env = flyte.TaskEnvironment(name="main")


@env.task
def species_means(species: str) -> Dict[str, float]:
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    frame = bunch.frame
    index = list(bunch.target_names).index(species)
    rows = frame[frame["target"] == index].drop(columns=["target"])
    return {str(k): float(v) for k, v in rows.mean().items()}


@env.task
def rounded(means: Dict[str, float], decimals: int) -> Dict[str, float]:
    return {k: round(v, decimals) for k, v in sorted(means.items())}


@env.task(
    triggers=(
        flyte.Trigger(
            name="iris_digest_nightly",
            automation=flyte.Cron("0 3 * * *"),
            inputs={"species": "virginica"},
            auto_activate=False,
        ),
        flyte.Trigger(
            name="iris_digest_refresh",
            automation=flyte.FixedRate(interval_minutes=360),
            inputs={"decimals": 1},
            auto_activate=False,
        ),
    )
)
def iris_digest(species: str = "setosa", decimals: int = 3) -> Dict[str, float]:
    return rounded(means=species_means(species=species), decimals=decimals)
