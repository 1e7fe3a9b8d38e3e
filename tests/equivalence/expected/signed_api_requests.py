"""Sign outgoing API payloads and fingerprint a warehouse connection with Flyte secrets.

The API token lives in the `weather-api` secret group and the warehouse password in the
`warehouse` group; each task requests only the secret it reads. Secret values are read through
the task context and never returned in clear.
"""
# equivalence: entry=prepare_requests inputs={"cities": ["Lisbon", "Oslo", "Quito"]} secrets={"weather-api/token": "tok-3f9a2c\n", "warehouse/password": "hunter2"}

import hashlib
import hmac
import json
import os
from typing import List

import flyte

env_weather_api = flyte.TaskEnvironment(
    name="signed_api_requests_weather_api",
    secrets=[flyte.Secret(key="token", group="weather-api")],
)
env_warehouse = flyte.TaskEnvironment(
    name="signed_api_requests_warehouse",
    secrets=[flyte.Secret(key="password", group="warehouse")],
)
env = flyte.TaskEnvironment(name="signed_api_requests", depends_on=[env_weather_api, env_warehouse])


@env_weather_api.task
def sign_payloads(cities: List[str]) -> List[str]:
    token = os.environ["WEATHER_API_TOKEN"].strip()
    signatures = []
    for city in cities:
        body = json.dumps({"city": city, "units": "metric"}, sort_keys=True)
        signatures.append(hmac.new(token.encode(), body.encode(), hashlib.sha256).hexdigest()[:20])
    return signatures


@env_warehouse.task
def connection_fingerprint(user: str) -> str:
    password = os.environ["WAREHOUSE_PASSWORD"].strip()
    dsn = f"postgresql://{user}:{password}@warehouse.internal:5432/analytics"
    return hashlib.sha256(dsn.encode()).hexdigest()[:16]


@env.task
def bundle(signatures: List[str], fingerprint: str) -> str:
    return json.dumps({"fingerprint": fingerprint, "signatures": signatures}, sort_keys=True)


@env.task
def prepare_requests(cities: List[str]) -> str:
    signatures = sign_payloads(cities=cities)
    fingerprint = connection_fingerprint(user="analyst")
    return bundle(signatures=signatures, fingerprint=fingerprint)
