"""Sum iris measurements with a cached scorer that runs on the module's light resource profile.

The scorer asks for the module-level `LIGHT` resources and caches under an explicit version, in
one decorator: its environment and its cache settings are rewritten together. Each real
execution appends a line to a ledger file, and the workflow returns the ledger, so the second
identical call must show up as served from the cache.
"""
# equivalence: entry=light_scores inputs={"rows": 10, "ledger": "executions.log"}

from typing import List

import flyte

LIGHT = flyte.Resources(cpu="1", memory="1Gi")

score_env = flyte.TaskEnvironment(name="cached_light_profile-score", resources=LIGHT)

env = flyte.TaskEnvironment(name="cached_light_profile", depends_on=[score_env])


def _record(ledger: str, entry: str) -> None:
    with open(ledger, "a") as fh:
        fh.write(entry + "\n")


@score_env.task(cache=flyte.Cache(behavior="auto", version_override="1.0"))
def score(rows: int, ledger: str) -> float:
    from sklearn import datasets

    _record(ledger, f"score {rows}")
    return round(float(datasets.load_iris().data[:rows].sum()), 4)


@env.task
def read_ledger(ledger: str, first: float, second: float) -> List[str]:
    with open(ledger) as fh:
        lines = [line.strip() for line in fh]
    return lines + [f"first={first}", f"same={first == second}"]


@env.task
def light_scores(rows: int, ledger: str = "executions.log") -> List[str]:
    first = score(rows=rows, ledger=ledger)
    second = score(rows=rows, ledger=ledger)
    return read_ledger(ledger=ledger, first=first, second=second)
