"""Count the most frequent words in the descriptions of scikit-learn's bundled data sets.

Every data set ships a DESCR text; one task tokenises each description, another merges the
counts, and a last one keeps the top words. Written against an aliased flytekit import.
"""
# equivalence: entry=top_words inputs={"datasets": ["iris", "wine", "diabetes"], "k": 8}

import collections
import re
import typing as tp

import flyte

STOPWORDS = frozenset("a an and are as at be by for from in is it of on or the to with".split())

env_tokenize = flyte.TaskEnvironment(
    name="descr_word_counts_tokenize",
    resources=flyte.Resources(cpu="1", memory="256Mi"),
    env_vars={"TOKEN_PATTERN": r"[a-z][a-z\-]{2,}"},
)
env = flyte.TaskEnvironment(name="descr_word_counts", depends_on=[env_tokenize])


@env_tokenize.task
def tokenize(dataset: str) -> tp.Dict[str, int]:
    import os

    from sklearn import datasets

    loader = getattr(datasets, f"load_{dataset}")
    text = loader().DESCR.lower()
    # the variable is set in the task's container; local runs fall back to the same pattern
    words = re.findall(os.environ.get("TOKEN_PATTERN", r"[a-z][a-z\-]{2,}"), text)
    flyte.logger.info(f"{dataset}: {len(words)} tokens")
    return dict(collections.Counter(w for w in words if w not in STOPWORDS))


@env.task
def merge_counts(counts: tp.List[tp.Dict[str, int]]) -> tp.Dict[str, int]:
    total: collections.Counter = collections.Counter()
    for c in counts:
        total.update(c)
    return dict(total)


@env.task
def top_k(counts: tp.Dict[str, int], k: int) -> tp.List[str]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return [f"{word}={n}" for word, n in ranked]


@env.task
def top_words(datasets: tp.List[str], k: int = 10) -> tp.List[str]:
    counts = list(flyte.map(tokenize, datasets, return_exceptions=False))
    return top_k(counts=merge_counts(counts=counts), k=k)
