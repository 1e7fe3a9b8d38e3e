"""Profile the wine data set and publish HTML decks along the way.

Each task renders what it computed as HTML into a deck (a named `Deck`, the task's default deck,
and the `decks` list of the context) and returns the numbers; the workflow returns a per-feature
quality summary. The decks are output for people, the returned summary is what is compared.
"""
# equivalence: entry=wine_quality inputs={"first": "alcohol", "second": "proline"}

from typing import Dict, List

import flyte
import flyte.report

env = flyte.TaskEnvironment(name="main")


@env.task(report=True)
def feature_profile(feature: str) -> Dict[str, float]:
    from sklearn.datasets import load_wine

    values = load_wine(as_frame=True).frame[feature]
    profile = {
        "mean": round(float(values.mean()), 4),
        "std": round(float(values.std()), 4),
        "min": float(values.min()),
        "max": float(values.max()),
    }
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in profile.items())
    flyte.report.get_tab(f"profile {feature}").log(f"<table>{rows}</table>")
    return profile


@env.task(report=True)
def outlier_share(feature: str, profile: Dict[str, float]) -> float:
    from sklearn.datasets import load_wine

    values = load_wine(as_frame=True).frame[feature]
    low = profile["mean"] - 2 * profile["std"]
    high = profile["mean"] + 2 * profile["std"]
    share = round(float(((values < low) | (values > high)).mean()), 4)
    flyte.report.log(f"<p>{feature}: {share:.2%} outside two sigmas</p>")
    return share


@env.task(report=True)
def summarise(
    features: List[str], profiles: List[Dict[str, float]], shares: List[float]
) -> Dict[str, Dict[str, float]]:
    summary = {}
    for feature, profile, share in zip(features, profiles, shares):
        summary[feature] = dict(profile, outlier_share=share)
    flyte.report.get_tab("summary").log("<ul>" + "".join(f"<li>{f}</li>" for f in summary) + "</ul>")
    return summary


@env.task
def wine_quality(first: str, second: str) -> Dict[str, Dict[str, float]]:
    first_profile = feature_profile(feature=first)
    second_profile = feature_profile(feature=second)
    return summarise(
        features=[first, second],
        profiles=[first_profile, second_profile],
        shares=[
            outlier_share(feature=first, profile=first_profile),
            outlier_share(feature=second, profile=second_profile),
        ],
    )
