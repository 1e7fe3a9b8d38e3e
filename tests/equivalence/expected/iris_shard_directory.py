"""Shard the iris measurements into one CSV file per species and summarise the shards.

The first task writes a directory of CSV shards plus a manifest; the second task receives the
directory, reads every shard back and computes per-species statistics. The workflow returns
both the directory and the statistics.
"""
# equivalence: entry=shard_and_summarise inputs={"decimals": 2}

import csv
import json
import os
import tempfile
import typing

import flyte
from flyte.io import Dir

env = flyte.TaskEnvironment(name="iris_shard_directory")


@env.task
def write_shards(decimals: int) -> Dir:
    from sklearn.datasets import load_iris

    iris = load_iris()
    out_dir = os.path.join(tempfile.mkdtemp(), "iris_shards")
    os.makedirs(out_dir, exist_ok=True)
    manifest = {}
    for label, species in enumerate(iris.target_names):
        rows = [[round(float(v), decimals) for v in row] for row, t in zip(iris.data, iris.target) if t == label]
        path = os.path.join(out_dir, f"{species}.csv")
        with open(path, "w", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width"])
            writer.writerows(rows)
        manifest[str(species)] = len(rows)
    with open(os.path.join(out_dir, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, sort_keys=True)
    return Dir.from_local_sync(out_dir)


@env.task
def summarise_shards(shards: Dir) -> typing.Dict[str, float]:
    local = shards.download_sync()
    stats = {}
    for name in sorted(os.listdir(local)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(local, name)) as fh:
            rows = list(csv.DictReader(fh))
        petal = [float(r["petal_length"]) for r in rows]
        stats[name[:-4]] = round(sum(petal) / len(petal), 4)
    return stats


@env.task
def shard_and_summarise(decimals: int = 1) -> typing.Tuple[Dir, typing.Dict[str, float]]:
    shards = write_shards(decimals=decimals)
    return shards, summarise_shards(shards=shards)
