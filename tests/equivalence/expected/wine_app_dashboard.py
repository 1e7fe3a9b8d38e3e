"""A dashboard app next to the workflow that computes what it shows.

The module declares a union app (a Streamlit dashboard with its own image, resources, replica
range and scaling metric) and a workflow that computes the per-class alcohol means the
dashboard displays. Loading the module builds the app on both sides: a union `App` under
flytekit, a `flyte.app.AppEnvironment` after the migration; the workflow's means are compared.
"""
# equivalence: entry=class_means inputs={"digits": 3}

from typing import Dict

import flyte
import flyte.app

dashboard = flyte.app.AppEnvironment(
    name="wine-dashboard",
    image="ghcr.io/acme/wine-dashboard:1.0",
    args=["streamlit", "run", "dashboard.py", "--server.port", "8080"],
    port=8080,
    env_vars={"WINE_DIGITS": "3"},
    requires_auth=False,
    resources=flyte.Resources(cpu=("1", "2"), memory=("1Gi", "2Gi"), disk="10Gi"),
    scaling=flyte.app.Scaling(replicas=(0, 3), metric=flyte.app.Scaling.RequestRate(20)),
)

env = flyte.TaskEnvironment(name="main")


@env.task
def alcohol_means(digits: int) -> Dict[str, float]:
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    means = frame.groupby("target")["alcohol"].mean()
    return {f"class_{int(k)}": round(float(v), digits) for k, v in means.items()}


@env.task
async def class_means(digits: int) -> Dict[str, float]:
    return await alcohol_means.aio(digits=digits)
