"""Standardise a probe measurement against per-feature statistics.

A task returns the mean, standard deviation and count of a wine feature as a NamedTuple; a
sub-workflow wraps it and also returns a NamedTuple, and the parent workflow reads the fields
by name to compute a z-score and a verdict.
"""
# equivalence: entry=probe_report inputs={"feature": "alcohol", "probe": 14.9}

import typing
from typing import NamedTuple

import flyte

env = flyte.TaskEnvironment(name="namedtuple_feature_stats")


class FeatureStats(NamedTuple):
    mean: float
    std: float
    count: int


ZScore = typing.NamedTuple("ZScore", [("z", float), ("outlier", bool)])


@env.task
def feature_stats(feature: str) -> FeatureStats:
    from sklearn.datasets import load_wine

    column = load_wine(as_frame=True).frame[feature]
    return FeatureStats(mean=float(column.mean()), std=float(column.std()), count=int(column.count()))


@env.task
def standardise(value: float, mean: float, std: float) -> ZScore:
    z = (value - mean) / std
    return ZScore(z=round(z, 6), outlier=abs(z) > 2.0)


@env.task
def verdict(feature: str, z: float, outlier: bool, count: int) -> str:
    label = "outlier" if outlier else "typical"
    return f"{feature}: z={z:+.3f} over {count} samples -> {label}"


@env.task
def describe(feature: str, value: float) -> ZScore:
    stats = feature_stats(feature=feature)
    return standardise(value=value, mean=stats[0], std=stats[1])


@env.task
def probe_report(feature: str, probe: float) -> typing.Tuple[str, float, bool]:
    stats = feature_stats(feature=feature)
    scored = describe(feature=feature, value=probe)
    text = verdict(feature=feature, z=scored[0], outlier=scored[1], count=stats[2])
    return text, scored[0], scored[1]
