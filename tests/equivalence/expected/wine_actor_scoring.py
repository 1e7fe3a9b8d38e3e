"""Score wine samples on warm workers: union actors, the reusable containers of Flyte 1.

A model is fitted once, then each batch of samples is scored by a task of an actor, whose
containers stay up between tasks; a light actor with no image of its own shifts the scores.
The workflow fans the batches out and sums what comes back.
"""
# equivalence: entry=score_batches inputs={"batches": 3, "size": 20}

import asyncio

import flyte

image = flyte.Image.from_debian_base(name="wine-scoring", registry="ghcr.io/example").with_pip_packages("scikit-learn")

scorer = flyte.TaskEnvironment(
    name="wine-scorer",
    image=image.with_pip_packages("unionai-reuse"),
    resources=flyte.Resources(cpu=("1", "2"), memory="1Gi"),
    env_vars={"SCORING_MODE": "probability"},
    reusable=flyte.ReusePolicy(replicas=2, idle_ttl=120),
)

light = flyte.TaskEnvironment(name="light-worker", image=flyte.Image.from_debian_base().with_pip_packages("unionai-reuse"), reusable=flyte.ReusePolicy(replicas=1))

env = flyte.TaskEnvironment(name="wine_actor_scoring", depends_on=[light, scorer])


@env.task
def fit(size: int) -> list[float]:
    from sklearn.datasets import load_wine
    from sklearn.linear_model import LogisticRegression

    data = load_wine()
    model = LogisticRegression(max_iter=5000).fit(data.data, data.target)
    return [round(float(c), 6) for c in model.coef_[0][:size]]


@scorer.task(retries=1)
def score(weights: list[float], batch: int, size: int) -> float:
    from sklearn.datasets import load_wine

    rows = load_wine().data[batch * size : (batch + 1) * size]
    total = sum(sum(w * v for w, v in zip(weights, row)) for row in rows)
    return round(float(total), 4)


@light.task
def shift(value: float, by: float) -> float:
    return round(value + by, 4)


@env.task
async def score_all(weights: list[float], batches: int, size: int) -> list[float]:
    async def one(b: int) -> float:
        return await shift.aio(value=await score.aio(weights=weights, batch=b, size=size), by=float(b))

    return list(await asyncio.gather(*(one(b) for b in range(batches))))


@env.task
def total(scores: list[float]) -> float:
    return round(sum(scores), 4)


@env.task
async def score_batches(batches: int, size: int) -> float:
    weights = await fit.aio(size=13)
    return await total.aio(scores=await score_all.aio(weights=weights, batches=batches, size=size))
