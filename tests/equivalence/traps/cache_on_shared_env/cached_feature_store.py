"""Extract and normalise iris feature means behind explicitly versioned caches.

Extraction is cached with a `flytekit.Cache` object whose request id input is ignored, so two
requests for the same data set share one execution; normalisation has its own serialized
cache. The audit task is deliberately not cached: every call writes an audit record. Each
real execution appends a line to a ledger file, and the workflow returns the ledger, which
shows exactly which calls ran and which were served from the cache.
"""
# TRAP (cache_on_shared_env): cache on the shared TaskEnvironment also caches `audit`, which v1 never cached.
# equivalence: entry=cached_features inputs={"dataset": "iris", "ledger": "executions.log"}

from typing import List

import flyte

EXTRACT_CACHE = flyte.Cache(behavior="auto", version_override="2024-06", ignored_inputs=("request_id",))

env = flyte.TaskEnvironment(name="cached_feature_store", cache="auto")


def _record(ledger: str, entry: str) -> None:
    with open(ledger, "a") as fh:
        fh.write(entry + "\n")


@env.task(cache=EXTRACT_CACHE)
def extract(dataset: str, request_id: str, ledger: str) -> List[float]:
    from sklearn import datasets

    _record(ledger, f"extract {dataset} {request_id}")
    data = getattr(datasets, f"load_{dataset}")().data
    return [round(float(v), 6) for v in data.mean(axis=0)]


@env.task(cache=flyte.Cache(behavior="auto", version_override="1", serialize=True))
def normalise(means: List[float], ledger: str) -> List[float]:
    _record(ledger, "normalise")
    total = sum(means)
    return [round(m / total, 6) for m in means]


@env.task
def audit(note: str, ledger: str) -> int:
    _record(ledger, f"audit {note}")
    return len(note)


@env.task
def read_ledger(ledger: str, first: List[float], second: List[float], audits: List[int]) -> List[str]:
    with open(ledger) as fh:
        # Independent nodes run in any order (at once on a cluster): the ledger is compared sorted.
        lines = sorted(line.strip() for line in fh)
    return lines + [f"same={first == second}", f"audits={sum(audits)}"]


@env.task
def cached_features(dataset: str, ledger: str = "executions.log") -> List[str]:
    first = extract(dataset=dataset, request_id="req-1", ledger=ledger)
    second = extract(dataset=dataset, request_id="req-2", ledger=ledger)
    n1 = normalise(means=first, ledger=ledger)
    n2 = normalise(means=second, ledger=ledger)
    a1 = audit(note="features served", ledger=ledger)
    a2 = audit(note="features served", ledger=ledger)
    return read_ledger(ledger=ledger, first=n1, second=n2, audits=[a1, a2])
