"""A small training pipeline written for flytekit (Flyte 1)."""

import functools

from flytekit import Resources, Secret, current_context, map_task, task, workflow


@task(requests=Resources(cpu="1", mem="2Gi"), cache=True, cache_version="1.0")
def load(n: int) -> list[int]:
    return list(range(n))


@task(secret_requests=[Secret(group="scoring", key="api-key")])
def score(x: int, scale: int) -> int:
    token = current_context().secrets.get("scoring", "api-key")
    return x * scale + len(token)


@task
def report(scores: list[int]) -> int:
    print(current_context().execution_id.name)
    return sum(scores)


@workflow
def pipeline(n: int = 10) -> int:
    xs = load(n=n)
    scores = map_task(functools.partial(score, scale=3), concurrency=4)(x=xs)
    total = report(scores=scores)
    xs >> total
    return total


if __name__ == "__main__":
    print(pipeline(n=5))
