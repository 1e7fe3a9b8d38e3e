"""Prepare digit features in a slim pandas image and train a classifier in a scikit-learn image.

Feature preparation only needs pandas, so it runs in a small image; training needs
scikit-learn and more memory, so it runs in its own image. The workflow stitches the two
together and reports accuracy per digit.
"""
# equivalence: entry=digits_pipeline inputs={"holdout": 0.25}

from typing import Dict, List

import flyte
import pandas as pd

etl_image = (
    flyte.Image.from_debian_base(
        name="digits-etl",
        registry="ghcr.io/flyte-migrate-examples",
        python_version=(3, 11),
    )
    .with_pip_packages("pandas==3.1.1", "pyarrow==26.0.1")
    .with_env_vars({"PYTHONHASHSEED": "0"})
)

training_image = (
    flyte.Image.from_debian_base(
        name="digits-train",
        registry="ghcr.io/flyte-migrate-examples",
        python_version=(3, 11),
    )
    .with_apt_packages("libgomp1")
    .with_pip_packages("scikit-learn==1.9.1", "pandas==3.1.1", "pyarrow==26.0.1")
)

env_etl = flyte.TaskEnvironment(name="digits_two_images_etl", image=etl_image)
env_train = flyte.TaskEnvironment(name="digits_two_images_train", image=training_image)
env_train_1gi = flyte.TaskEnvironment(
    name="digits_two_images_train_1gi",
    image=training_image,
    resources=flyte.Resources(memory="1Gi"),
)
env = flyte.TaskEnvironment(name="digits_two_images", depends_on=[env_etl, env_train])


@env_train.task
def load_digits_frame() -> pd.DataFrame:
    from sklearn.datasets import load_digits

    return load_digits(as_frame=True).frame


@env_etl.task
def coarse_features(frame: pd.DataFrame) -> pd.DataFrame:
    pixels = [c for c in frame.columns if c.startswith("pixel_")]
    out = pd.DataFrame(index=frame.index)
    for row in range(8):
        cols = [f"pixel_{row}_{col}" for col in range(8)]
        out[f"row_{row}"] = frame[cols].sum(axis=1) / 16.0
    out["ink"] = frame[pixels].sum(axis=1) / 16.0
    out["target"] = frame["target"]
    return out


@env_train_1gi.task
def train_and_score(features: pd.DataFrame, holdout: float) -> Dict[str, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    x = features.drop(columns=["target"]).to_numpy()
    y = features["target"].to_numpy()
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=holdout, random_state=5, stratify=y)
    model = LogisticRegression(max_iter=3000).fit(x_train, y_train)
    predicted = model.predict(x_test)
    scores = {}
    for digit in range(10):
        mask = y_test == digit
        scores[str(digit)] = round(float((predicted[mask] == digit).mean()), 6)
    return scores


@env_etl.task
def weakest(scores: Dict[str, float]) -> List[str]:
    worst = sorted(scores.items(), key=lambda kv: (kv[1], kv[0]))[:3]
    return [f"{digit}:{score:.3f}" for digit, score in worst]


@env.task
def digits_pipeline(holdout: float = 0.25) -> List[str]:
    frame = load_digits_frame()
    features = coarse_features(frame=frame)
    scores = train_and_score(features=features, holdout=holdout)
    return weakest(scores=scores)
