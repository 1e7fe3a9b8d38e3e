"""Profile the diabetes data set and fit ridge regressions under explicit resource bounds.

The light summary task asks for half a CPU and is capped at one; the model-fitting task asks
for one CPU and 1 GiB and may burst to two CPUs and 2 GiB. The workflow itself needs nothing
special.
"""
# equivalence: entry=diabetes_profile inputs={"alphas": [0.1, 1.0, 10.0]}

from typing import Dict, List

import flyte

env_small = flyte.TaskEnvironment(
    name="diabetes_resource_profile_small",
    resources=flyte.Resources(cpu=("500m", "1"), memory=("256Mi", "512Mi")),
)
env_large = flyte.TaskEnvironment(
    name="diabetes_resource_profile_large",
    resources=flyte.Resources(cpu=("1", "2"), memory=("1Gi", "2Gi")),
)
env = flyte.TaskEnvironment(name="diabetes_resource_profile", depends_on=[env_small, env_large])


@env_small.task
def column_means() -> Dict[str, float]:
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame
    return {column: float(frame[column].mean()) for column in ["age", "bmi", "bp", "target"]}


@env_large.task
def fit_ridge(alphas: List[float]) -> List[float]:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import train_test_split

    features, target = load_diabetes(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(features, target, test_size=0.25, random_state=11)
    return [float(Ridge(alpha=alpha).fit(x_train, y_train).score(x_test, y_test)) for alpha in alphas]


@env_small.task
def best_alpha(alphas: List[float], scores: List[float]) -> float:
    return alphas[scores.index(max(scores))]


@env.task
def max_score(scores: List[float]) -> float:
    return max(scores)


@env.task
def summarize(means: Dict[str, float], alpha: float, best_r2: float) -> Dict[str, float]:
    report = dict(means)
    report["best_alpha"] = alpha
    report["best_r2"] = best_r2
    return report


@env.task
def diabetes_profile(alphas: List[float]) -> Dict[str, float]:
    means = column_means()
    scores = fit_ridge(alphas=alphas)
    alpha = best_alpha(alphas=alphas, scores=scores)
    return summarize(means=means, alpha=alpha, best_r2=max_score(scores=scores))
