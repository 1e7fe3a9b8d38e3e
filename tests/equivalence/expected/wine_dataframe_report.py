"""Clean, enrich and aggregate the wine data set with pandas dataframes.

Dataframes flow between tasks both as plain pandas annotations and as StructuredDataset
(parquet) values; the final task opens the structured dataset again as pandas and returns a
per-cultivar summary table.
"""
# equivalence: entry=wine_report inputs={"min_alcohol": 12.0}

import flyte
import pandas as pd
from flyte.io import DataFrame

env = flyte.TaskEnvironment(name="wine_dataframe_report")


@env.task
def load_wine_frame() -> pd.DataFrame:
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    frame = bunch.frame.rename(columns={"od280/od315_of_diluted_wines": "od280_od315"})
    frame["cultivar"] = [str(bunch.target_names[t]) for t in frame["target"]]
    return frame.drop(columns=["target"])


@env.task
def filter_and_enrich(frame: pd.DataFrame, min_alcohol: float) -> DataFrame:
    strong = frame[frame["alcohol"] >= min_alcohol].copy()
    strong["phenol_ratio"] = (strong["flavanoids"] / strong["total_phenols"]).round(6)
    return DataFrame.wrap_df(strong.reset_index(drop=True))


@env.task
def summarise(dataset: DataFrame) -> pd.DataFrame:
    frame = dataset.open(pd.DataFrame).all_sync()
    summary = (
        frame.groupby("cultivar")
        .agg(
            wines=("alcohol", "size"),
            mean_alcohol=("alcohol", "mean"),
            max_proline=("proline", "max"),
            mean_phenol_ratio=("phenol_ratio", "mean"),
        )
        .reset_index()
    )
    summary["mean_alcohol"] = summary["mean_alcohol"].round(4)
    summary["mean_phenol_ratio"] = summary["mean_phenol_ratio"].round(4)
    return summary


@env.task
def wine_report(min_alcohol: float = 12.5) -> pd.DataFrame:
    frame = load_wine_frame()
    enriched = filter_and_enrich(frame=frame, min_alcohol=min_alcohol)
    return summarise(dataset=enriched)


if __name__ == "__main__":
    flyte.init()
    print(flyte.run(wine_report).outputs()[0].to_string(index=False))
