"""Bootstrap confidence intervals for iris feature means with a dynamic fan-out.

The number of resamples is only known at run time, so a dynamic workflow launches one
resampling task per seed and per requested feature, then a final task turns the resampled
means into a percentile interval for each feature.
"""
# equivalence: entry=bootstrap_intervals inputs={"features": ["sepal length (cm)", "petal width (cm)"], "resamples": 6}

from typing import Dict, List

import flyte

env = flyte.TaskEnvironment(name="bootstrap_dynamic")


@env.task
def resampled_mean(feature: str, seed: int) -> float:
    import numpy as np
    from sklearn.datasets import load_iris

    values = load_iris(as_frame=True).frame[feature].to_numpy()
    rng = np.random.default_rng(seed)
    return float(rng.choice(values, size=values.size, replace=True).mean())


@env.task
def percentile_interval(means: List[float]) -> List[float]:
    import numpy as np

    low, high = np.percentile(np.array(means), [5.0, 95.0])
    return [round(float(low), 6), round(float(high), 6)]


@env.task
def assemble(features: List[str], intervals: List[List[float]]) -> Dict[str, List[float]]:
    return dict(zip(features, intervals))


@env.task
def fan_out(features: List[str], resamples: int) -> Dict[str, List[float]]:
    intervals = []
    for feature in features:
        means = [resampled_mean(feature=feature, seed=1000 + i) for i in range(resamples)]
        intervals.append(percentile_interval(means=means))
    return assemble(features=features, intervals=intervals)


@env.task
def bootstrap_intervals(features: List[str], resamples: int = 20) -> Dict[str, List[float]]:
    return fan_out(features=features, resamples=resamples)
