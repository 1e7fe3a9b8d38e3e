"""Sweep the regularisation strength of a wine classifier.

Each candidate value of C is scored by k-fold cross-validation in its own mapped task; the
fold count and data set are fixed with functools.partial, and at most two scoring tasks run at
a time. A final task picks the best C.
"""
# equivalence: entry=regularization_sweep inputs={"cs": [0.001, 0.01, 0.1, 1.0, 10.0], "folds": 4}

import functools
import typing

import flyte

env_1cpu = flyte.TaskEnvironment(
    name="wine_regularization_sweep_1cpu",
    resources=flyte.Resources(cpu="1", memory="512Mi"),
)
env = flyte.TaskEnvironment(name="wine_regularization_sweep", depends_on=[env_1cpu])


@env_1cpu.task(retries=1)
def cv_score(c: float, folds: int, dataset: str) -> float:
    from sklearn.datasets import load_breast_cancer, load_wine
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    loaders = {"wine": load_wine, "breast_cancer": load_breast_cancer}
    features, labels = loaders[dataset](return_X_y=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=3)
    return float(cross_val_score(model, features, labels, cv=splitter).mean())


@env.task
def pick_best(cs: typing.List[float], scores: typing.List[float]) -> typing.Tuple[float, float]:
    best = max(range(len(cs)), key=lambda i: (scores[i], -cs[i]))
    return cs[best], scores[best]


@env.task
def regularization_sweep(
    cs: typing.List[float], folds: int = 5
) -> typing.Tuple[typing.List[float], float, float]:
    scorer = functools.partial(cv_score, folds=folds, dataset="wine")
    scores = list(flyte.map(scorer, cs, concurrency=2, return_exceptions=False))
    best_c, best_score = pick_best(cs=cs, scores=scores)
    return scores, best_c, best_score
