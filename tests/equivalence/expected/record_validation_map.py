"""Validate a batch of sensor records with a mapped task; one bad record must fail the run.

Every record is validated in its own mapped task instance. The batch contains a record with
a negative humidity, which the validator rejects: the map task, and so the workflow, fails
instead of publishing a partial batch. Each validation appends to a local log.
"""
# equivalence: entry=validate_batch inputs={"records": ["t=21.5,h=40", "t=19.0,h=-3", "t=23.1,h=55"]} side_effects=["validation.log"] expect_error="humidity out of range in record 1"

from typing import List

import flyte

env = flyte.TaskEnvironment(name="record_validation_map")


@env.task
def validate(index_and_record: str) -> float:
    index, record = index_and_record.split("|", 1)
    fields = dict(part.split("=") for part in record.split(","))
    humidity = float(fields["h"])
    with open("validation.log", "a") as log:
        log.write(f"checked record {index}\n")
    if not 0.0 <= humidity <= 100.0:
        raise ValueError(f"humidity out of range in record {index}: {humidity}")
    return float(fields["t"])


@env.task
def number_records(records: List[str]) -> List[str]:
    return [f"{i}|{r}" for i, r in enumerate(records)]


@env.task
def publish(temperatures: List[float]) -> str:
    return f"published {len(temperatures)} records, mean temperature {sum(temperatures) / len(temperatures):.2f}"


@env.task
def validate_batch(records: List[str]) -> str:
    numbered = number_records(records=records)
    temperatures = list(flyte.map(validate, numbered, return_exceptions=False))
    return publish(temperatures=temperatures)
