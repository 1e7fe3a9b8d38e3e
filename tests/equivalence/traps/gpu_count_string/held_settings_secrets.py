"""Sign sensor readings with a secret and settings held in module-level constants.

The secret group and key, the GPU count and the memory of the scoring task are module-level
names (the GPU count and memory chosen by an `if` on the environment, as sandbox setups do),
so the migration must follow them: the GPU count becomes an `int` and the secret's variable
name is computed from the constants' values. The image of the summing task starts from a base
image and has no name.
"""
# equivalence: entry=signed_readings inputs={"readings": [3.5, 7.25, 1.0]} secrets={"sensor-vault/hmac-key": "k3y-9b1e\n"}

import hashlib
import hmac
import os
import typing

import flyte

SECRET_GROUP = "sensor-vault"
SECRET_KEY = "hmac-key"
MEMORY_BYTES = 1073741824
SENSOR_IMAGE = (
    flyte.Image.from_base("ghcr.io/acme/sensors:1.4")
    .clone(name="flytekit", extendable=True)
    .with_pip_packages("numpy")
)
if os.getenv("SANDBOX"):
    gpu = "0"
    mem = "500Mi"
else:
    gpu = "1"
    mem = "2Gi"

sign_env = flyte.TaskEnvironment(
    name="held_settings_secrets-sign",
    resources=flyte.Resources(memory=mem, gpu=gpu),
    secrets=[flyte.Secret(key=SECRET_KEY, group=SECRET_GROUP)],
)

total_env = flyte.TaskEnvironment(
    name="held_settings_secrets-total",
    image=SENSOR_IMAGE,
    resources=flyte.Resources(memory=str(MEMORY_BYTES)),
)

key_fingerprint_env = flyte.TaskEnvironment(
    name="held_settings_secrets-key_fingerprint",
    secrets=[flyte.Secret(key=SECRET_KEY, group=SECRET_GROUP)],
)

env = flyte.TaskEnvironment(
    name="held_settings_secrets",
    depends_on=[sign_env, total_env, key_fingerprint_env],
)


@sign_env.task
def sign(readings: typing.List[float]) -> typing.List[str]:
    key = os.environ["SENSOR_VAULT_HMAC_KEY"].strip()
    return [
        hmac.new(key.encode(), f"{r:.3f}".encode(), hashlib.sha256).hexdigest()[:16]
        for r in readings
    ]


@total_env.task
def total(readings: typing.List[float]) -> float:
    return round(sum(readings), 3)


@key_fingerprint_env.task
def key_fingerprint() -> str:
    key = os.environ["SENSOR_VAULT_HMAC_KEY"].strip()
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@env.task
def signed_readings(readings: typing.List[float]) -> typing.Tuple[typing.List[str], float, str]:
    return sign(readings=readings), total(readings=readings), key_fingerprint()
