"""Train, save and evaluate an iris classifier.

Loads the iris data set that scikit-learn ships, splits it, trains a random forest in a
dedicated image with more CPU and memory, saves the fitted model to a file, and evaluates the
saved model on the held-out split. Loading and training are cached with an explicit version,
so re-running the pipeline with the same inputs reuses the earlier results.
"""
# TRAP (file_not_pathlike): flyte.io.File is not os.PathLike: open(file) must become open(file.download_sync()).
# equivalence: entry=training_pipeline inputs={"n_estimators": 25, "test_size": 0.3}

import os
import pickle
import tempfile
from typing import Tuple

import flyte
import pandas as pd
from flyte.io import File

sklearn_image = flyte.Image.from_debian_base(
    name="iris-trainer",
    registry="ghcr.io/flyte-migrate-examples",
    python_version=(3, 11),
).with_pip_packages("scikit-learn==1.9.1", "pandas==3.1.1", "pyarrow==26.0.1")

env_sklearn = flyte.TaskEnvironment(name="iris_training_pipeline_sklearn", image=sklearn_image)
env_sklearn_2cpu = flyte.TaskEnvironment(
    name="iris_training_pipeline_sklearn_2cpu",
    image=sklearn_image,
    resources=flyte.Resources(cpu="2", memory="2Gi"),
)
env = flyte.TaskEnvironment(name="iris_training_pipeline", depends_on=[env_sklearn, env_sklearn_2cpu])


@env_sklearn.task(cache=flyte.Cache(behavior="auto", version_override="1.0"))
def load_data(test_size: float) -> Tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    frame = load_iris(as_frame=True).frame
    train, test = train_test_split(frame, test_size=test_size, random_state=7, stratify=frame["target"])
    return train.reset_index(drop=True), test.reset_index(drop=True)


@env_sklearn_2cpu.task(cache=flyte.Cache(behavior="auto", version_override="1.0"))
def train_model(train: pd.DataFrame, n_estimators: int) -> File:
    from sklearn.ensemble import RandomForestClassifier

    model = RandomForestClassifier(n_estimators=n_estimators, max_depth=4, random_state=0)
    model.fit(train.drop(columns=["target"]).to_numpy(), train["target"].to_numpy())
    path = os.path.join(tempfile.mkdtemp(), "model.pkl")
    with open(path, "wb") as fh:
        pickle.dump(model, fh)
    return File.from_local_sync(path)


@env_sklearn.task
def evaluate(model_file: File, test: pd.DataFrame) -> float:
    from sklearn.metrics import accuracy_score

    with open(model_file, "rb") as fh:
        model = pickle.load(fh)
    predictions = model.predict(test.drop(columns=["target"]).to_numpy())
    return float(accuracy_score(test["target"].to_numpy(), predictions))


@env.task
def training_pipeline(n_estimators: int = 25, test_size: float = 0.3) -> Tuple[File, float]:
    train, test = load_data(test_size=test_size)
    model = train_model(train=train, n_estimators=n_estimators)
    accuracy = evaluate(model_file=model, test=test)
    return model, accuracy


if __name__ == "__main__":
    flyte.init()
    model_file, accuracy = flyte.run(training_pipeline).outputs()
    print(f"accuracy={accuracy:.3f} model={model_file.path}")
