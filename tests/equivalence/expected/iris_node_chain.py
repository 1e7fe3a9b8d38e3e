"""Average one column of the iris measurements through explicit workflow nodes.

The workflow creates its nodes with `create_node`: a step that logs the start, ordered before
the one that loads the column with `>>`, and the loaded column read from the node's output
(`.o0`) for the mean.
"""
# equivalence: entry=node_chain inputs={"column": 2}

import flyte

env = flyte.TaskEnvironment(name="iris_node_chain")


@env.task
def announce() -> None:
    print("loading the iris column")


@env.task
def load_column(column: int) -> list[float]:
    from sklearn.datasets import load_iris

    return [round(row[column], 4) for row in load_iris().data.tolist()]


@env.task
def mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 6)


@env.task
async def node_chain(column: int) -> float:
    await announce.aio()
    loaded = await load_column.aio(column=column)
    return await mean.aio(values=loaded)
