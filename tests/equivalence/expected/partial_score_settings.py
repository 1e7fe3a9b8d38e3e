"""Normalize and score readings with tasks decorated through `functools.partial`.

The team bundles its task settings in partials: a cached one for the cheap step and one with
requests and limits held in module-level names for the heavy step, whose decorator call adds a
setting of its own. The migration writes each decorator out with the partial's settings, then
moves the tasks to environments with those resources.
"""
# equivalence: entry=score_pipeline inputs={"readings": [1.5, 2.0, 4.25, 0.5]}

import typing

import flyte

normalize_env = flyte.TaskEnvironment(name="partial_score_settings-normalize")
score_env = flyte.TaskEnvironment(
    name="partial_score_settings-score",
    resources=flyte.Resources(cpu=("1", "2"), memory=("1Gi", "2Gi")),
)
env = flyte.TaskEnvironment(name="partial_score_settings", depends_on=[normalize_env, score_env])


@normalize_env.task(cache=flyte.Cache(behavior="auto", version_override="1"))
def normalize(readings: typing.List[float]) -> typing.List[float]:
    top = max(readings)
    return [round(r / top, 6) for r in readings]


@score_env.task(retries=2)
def score(normalized: typing.List[float]) -> float:
    return round(sum(v * v for v in normalized), 6)


@env.task
def score_pipeline(readings: typing.List[float]) -> typing.Tuple[typing.List[float], float]:
    normalized = normalize(readings=readings)
    return normalized, score(normalized=normalized)
