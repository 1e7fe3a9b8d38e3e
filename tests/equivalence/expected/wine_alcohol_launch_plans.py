"""Shares of strong wines, computed through launch plans that a parent workflow calls.

One workflow computes the share of wines above an alcohol cutoff in the first rows of the wine
data. Three launch plans run it: a sample (default inputs the call may override), a pinned one
(a default cutoff and fixed inputs) and the default launch plan. The parent workflow calls each
of them as a child execution; in Flyte 2 each call is a direct call of the task with the same
inputs: the launch plan's defaults, then the call's arguments, then its fixed inputs.
"""
# equivalence: entry=threshold_report inputs={"cutoff": 13.5}

import asyncio
from typing import Dict, List

import flyte

env = flyte.TaskEnvironment(name="wine_alcohol_launch_plans")


@env.task
def alcohol_column(limit: int) -> List[float]:
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    return [float(v) for v in frame["alcohol"].head(limit)]


@env.task
def share_above(values: List[float], cutoff: float) -> float:
    return round(sum(1 for v in values if v > cutoff) / len(values), 6)


@env.task
def labelled(label: str, limit: int, share: float) -> Dict[str, float]:
    return {f"{label}:{limit}": share}


@env.task(
    triggers=(
        flyte.Trigger(
            name="alcohol_share_sample", inputs={"limit": 50, "label": "sample"}, auto_activate=False
        ),
        flyte.Trigger(
            name="alcohol_share_pinned",
            inputs={"cutoff": 13.0, "label": "pinned", "limit": 100},
            auto_activate=False,
        ),
    )
)
async def alcohol_share(cutoff: float, limit: int = 178, label: str = "all") -> Dict[str, float]:
    values = await alcohol_column.aio(limit=limit)
    share = await share_above.aio(values=values, cutoff=cutoff)
    return await labelled.aio(label=label, limit=limit, share=share)


@env.task
def collected(parts: List[Dict[str, float]]) -> List[Dict[str, float]]:
    return parts


@env.task
async def threshold_report(cutoff: float) -> List[Dict[str, float]]:
    parts = await asyncio.gather(
        alcohol_share(cutoff=cutoff, limit=50, label="sample"),
        alcohol_share(cutoff=cutoff, limit=20, label="sample"),
        alcohol_share(cutoff=13.0, label="pinned", limit=100),
        alcohol_share(cutoff=cutoff, label="pinned", limit=100),
        alcohol_share(cutoff=cutoff),
        alcohol_share(cutoff=cutoff, limit=30, label="in-place"),
    )
    return await collected.aio(parts=list(parts))
