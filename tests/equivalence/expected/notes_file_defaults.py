"""Index a notes file named by string defaults.

A configuration dataclass names its notes file (a module constant) and its archive (a URI
that is never read) with plain strings, which flytekit turns into files. One task writes the
notes, one returns the default configuration, and the readers count words and lines through the
dataclass's file field.
"""
# equivalence: entry=index_notes inputs={"words": ["alpha", "beta", "gamma", "beta"]}

import os
import typing
from dataclasses import dataclass, field

import flyte
from flyte.io import File

env = flyte.TaskEnvironment(name="notes_file_defaults")

NOTES = "notes.txt"
ARCHIVE = "s3://notes-bucket/archive/notes.zip"


@dataclass
class IndexConfig:
    title: str = "notes"
    notes: File = field(default_factory=lambda: File(path=NOTES))
    archive: File = field(default_factory=lambda: File.from_existing_remote(ARCHIVE))
    lowercase: bool = True


@env.task
def write_notes(words: typing.List[str]) -> int:
    with open(NOTES, "w") as handle:
        for i, word in enumerate(words):
            handle.write(f"{i} {word.upper()}\n")
    return len(words)


@env.task
def default_config(written: int) -> IndexConfig:
    return IndexConfig(title=f"notes-{written}")


@env.task
def count_words(config: IndexConfig) -> typing.Dict[str, int]:
    counts: typing.Dict[str, int] = {}
    with open(config.notes.download_sync()) as handle:
        for line in handle:
            word = line.split()[1]
            word = word.lower() if config.lowercase else word
            counts[word] = counts.get(word, 0) + 1
    return counts


@env.task
def archive_name(config: IndexConfig) -> str:
    return f"{config.title}:{os.path.basename(config.archive.path)}"


@env.task
def count_lines(written: int, config: IndexConfig) -> int:
    with open(config.notes.download_sync()) as handle:
        return sum(1 for _ in handle) - written


@env.task
def index_notes(words: typing.List[str]) -> typing.Tuple[typing.Dict[str, int], str, int]:
    written = write_notes(words=words)
    config = default_config(written=written)
    return (
        count_words(config=config),
        archive_name(config=config),
        count_lines(written=written, config=config),
    )
