"""Fit three independent classifiers on the breast-cancer data set in parallel branches.

Each branch prepares its own view of the data and fits a different model family; the
branches share nothing, so Flyte can run them at the same time. A final task ranks the models
by held-out accuracy.
"""
# equivalence: entry=compare_models inputs={"seed": 13}

from typing import List

import flyte

env = flyte.TaskEnvironment(name="breast_cancer_parallel_models")


def _split(seed: int):
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    features, labels = load_breast_cancer(return_X_y=True)
    return train_test_split(features, labels, test_size=0.3, random_state=seed, stratify=labels)


@env.task
def knn_branch(seed: int, neighbours: int) -> float:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x_train, x_test, y_train, y_test = _split(seed)
    model = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=neighbours))
    return float(model.fit(x_train, y_train).score(x_test, y_test))


@env.task
def tree_branch(seed: int, depth: int) -> float:
    from sklearn.tree import DecisionTreeClassifier

    x_train, x_test, y_train, y_test = _split(seed)
    return float(DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(x_train, y_train).score(x_test, y_test))


@env.task
def bayes_branch(seed: int) -> float:
    from sklearn.naive_bayes import GaussianNB

    x_train, x_test, y_train, y_test = _split(seed)
    return float(GaussianNB().fit(x_train, y_train).score(x_test, y_test))


@env.task
def rank(knn: float, tree: float, bayes: float) -> List[str]:
    scores = {"knn": knn, "tree": tree, "bayes": bayes}
    return [f"{name}={score:.4f}" for name, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


@env.task
def compare_models(seed: int = 13) -> List[str]:
    knn = knn_branch(seed=seed, neighbours=7)
    tree = tree_branch(seed=seed, depth=4)
    bayes = bayes_branch(seed=seed)
    return rank(knn=knn, tree=tree, bayes=bayes)
