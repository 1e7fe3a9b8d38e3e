"""Triage sensor readings against a learned baseline with conditional branches.

A sub-workflow scores one reading, then routes it: high anomaly scores are escalated,
medium ones queued for review and valid low-score readings archived; anything else is
rejected.
The top-level workflow triages three readings and collects the decisions.
"""
# equivalence: entry=triage_readings inputs={"first": 4.1, "second": 7.0, "third": 5.9}

from typing import List

import flyte

env = flyte.TaskEnvironment(name="sensor_triage_conditional")


@env.task
def baseline() -> float:
    from sklearn.datasets import load_iris

    return float(load_iris(as_frame=True).frame["sepal length (cm)"].median())


@env.task
def anomaly_score(reading: float, center: float) -> float:
    return round(min(abs(reading - center) / 3.0, 1.0), 4)


@env.task
def is_valid(reading: float) -> bool:
    return reading >= 0.0


@env.task
def escalate(score: float) -> str:
    return f"escalate ({score:.2f})"


@env.task
def review(score: float) -> str:
    return f"review ({score:.2f})"


@env.task
def archive(score: float) -> str:
    return f"archive ({score:.2f})"


@env.task
def collect(decisions: List[str]) -> List[str]:
    return [f"{i + 1}: {d}" for i, d in enumerate(decisions)]


@env.task
def triage_one(reading: float, center: float) -> str:
    valid = is_valid(reading=reading)
    score = anomaly_score(reading=reading, center=center)
    if score >= 0.5:
        return escalate(score=score)
    elif (score >= 0.2) and (score < 0.5):
        return review(score=score)
    elif valid is True:
        return archive(score=score)
    else:
        raise ValueError("negative sensor reading")


@env.task
def triage_readings(first: float, second: float, third: float) -> List[str]:
    center = baseline()
    a = triage_one(reading=first, center=center)
    b = triage_one(reading=second, center=center)
    c = triage_one(reading=third, center=center)
    return collect(decisions=[a, b, c])
