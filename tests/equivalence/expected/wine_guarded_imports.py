"""Fit a ridge model on the wine data in an image that has scikit-learn.

The scikit-learn imports sit under the image's `is_container()` guard, the usual way to keep a
module importable where the image's packages are not installed: the summary task runs in a
plain image and only needs the standard library.
"""
# equivalence: entry=wine_ridge inputs={"alpha": 0.5}

from typing import Dict, List

import flyte

sklearn_image = (
    flyte.Image.from_debian_base(
        name="wine-ridge",
        registry="ghcr.io/flyte-migrate-examples",
        python_version=(3, 11),
    )
    .with_pip_packages("scikit-learn==1.9.1", "numpy==2.4.6")
)

try:
    from sklearn.datasets import load_wine
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import train_test_split
except ImportError:
    pass

env_sklearn = flyte.TaskEnvironment(name="wine_guarded_imports_sklearn", image=sklearn_image)
env = flyte.TaskEnvironment(name="wine_guarded_imports", depends_on=[env_sklearn])


@env_sklearn.task
def fit_ridge(alpha: float) -> Dict[str, float]:
    data = load_wine()
    x_train, x_test, y_train, y_test = train_test_split(data.data, data.target, test_size=0.3, random_state=3)
    model = Ridge(alpha=alpha).fit(x_train, y_train)
    return {
        "r2": round(float(model.score(x_test, y_test)), 6),
        "intercept": round(float(model.intercept_), 6),
    }


@env.task
def describe(scores: Dict[str, float]) -> List[str]:
    return [f"{name}={value:.4f}" for name, value in sorted(scores.items())]


@env.task
def wine_ridge(alpha: float = 0.5) -> List[str]:
    return describe(scores=fit_ridge(alpha=alpha))
