#!/usr/bin/env bash
# Create (or reuse) the Python venvs the suites run code in:
#   v1: flytekit 1.16.31 and union 0.1.204 (Flyte 1)      v2: flyte 2.12.1 (Flyte 2)
# each with the same pandas / scikit-learn / pyarrow / numpy, so that a difference in results
# comes from the SDK and the migration, never from the data libraries (the equivalence suite);
#   load-v1: flytekit 1.16.31 and the flytekitplugins-* packages real Flyte 1 code imports
#   load-v2: flyte 2.12.1 and the flyteplugins-* packages that replace them (the load check,
#            tests/loadcheck/).
#
# Usage: venvs.sh [NAME...]   (default: v1 v2)
# Location: ${FLYTE_MIGRATE_VENVS:-$HOME/.cache/flyte-migrate/venvs}/NAME
# Interpreter: ${PYTHON:-python3} (3.11 on the project's machines).
#
# Idempotent: a venv is reused when its marker file (.flyte-migrate-requirements) equals the
# requirement list below plus the interpreter version, and is recreated from scratch otherwise.
# The marker is written last, so an interrupted install is redone on the next call.
#
# The data-library pins are the newest releases that install on Python 3.11 and work with both
# SDKs: flytekit's and flyte's pandas/pyarrow type transformers both round-trip dataframes with
# them (checked by the equivalence programs that pass dataframes between tasks).
set -euo pipefail

VENVS="${FLYTE_MIGRATE_VENVS:-$HOME/.cache/flyte-migrate/venvs}"
PYTHON="${PYTHON:-python3}"

COMMON=(
  "numpy==2.4.6"
  "pandas==3.1.1"
  "pyarrow==26.0.1"
  "scikit-learn==1.9.1"
)
# union (Union's Flyte 1 SDK, built on flytekit) for the programs that use its actors.
V1_REQS=("flytekit==1.16.31" "union==0.1.204" "${COMMON[@]}")
V2_REQS=("flyte==2.12.1" "${COMMON[@]}")

# The load check's venvs: the SDK plus the plugins the Flyte 1 code it loads imports, each at
# the SDK's own version (the plugins are released with the SDK). Left out, measured on Python
# 3.11: flytekitplugins-onnxpytorch and flyteplugins-pytorch's dependency torch (with the CUDA
# libraries it brings from PyPI, over 3 GB), flytekitplugins-onnxtensorflow (tensorflow),
# flytekitplugins-great-expectations (conflicts with flytekitplugins-spark), flytekitplugins-
# perian-job (breaks `import flytekit` with the current perian), flytekitplugins-chatgpt (no
# 1.16 release) and flyteplugins-dbt (its dbt-core build downloads from outside PyPI).
# flyteplugins-pytorch itself is installed without its dependencies (a "nodeps:" entry), so
# that `flyteplugins.pytorch` imports with torch stubbed, as torch is under flytekit.
LOAD_V1_PLUGINS=(
  athena awsbatch awssagemaker bigquery comet-ml dask dbt deck-standard dolt duckdb
  flyteinteractive hive inference kfmpi kfpytorch kftensorflow memray mlflow mmcloud modin
  neptune onnxscikitlearn openai pandera papermill pod ray slurm snowflake spark sqlalchemy
  wandb whylogs
)
LOAD_V2_PLUGINS=(bigquery dask databricks mlflow pandera papermill ray slurm snowflake spark wandb)
# Both get the same data libraries, so that module-level code using them behaves alike on
# both sides (numpy < 2 is what flytekitplugins-bigquery and -whylogs allow; pandas < 3 what
# flyteplugins-snowflake's snowflake-connector-python[pandas] allows).
LOAD_COMMON=(
  "numpy==1.26.4"
  "pandas==2.3.3"
  "pyarrow==25.0.1"
  "scikit-learn==1.9.1"
)
LOAD_V1_REQS=("flytekit==1.16.31" "${LOAD_COMMON[@]}")
for p in "${LOAD_V1_PLUGINS[@]}"; do LOAD_V1_REQS+=("flytekitplugins-$p==1.16.31"); done
LOAD_V2_REQS=("flyte==2.12.1" "${LOAD_COMMON[@]}")
for p in "${LOAD_V2_PLUGINS[@]}"; do LOAD_V2_REQS+=("flyteplugins-$p==2.12.1"); done
LOAD_V2_REQS+=("nodeps:flyteplugins-pytorch==2.12.1")

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "venvs.sh: $PYTHON not found (set PYTHON=...)" >&2
  exit 2
fi
PYVER="$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"

mkdir -p "$VENVS"

# marker_text NAME REQ... : what the marker of a complete venv contains.
marker_text() {
  local name="$1"; shift
  printf 'venv: %s\npython: %s\n' "$name" "$PYVER"
  printf '%s\n' "$@"
}

# ensure NAME IMPORT REQ... : reuse or (re)build $VENVS/NAME; IMPORT is a module that must import.
ensure() {
  local name="$1" module="$2"; shift 2
  local dir="$VENVS/$name" marker="$VENVS/$name/.flyte-migrate-requirements"
  local want start
  want="$(marker_text "$name" "$@")"
  start="$(now)"
  # One builder at a time per venv (two suites started together would otherwise both delete
  # and rebuild it); different venvs build side by side. This runs in its own subshell, so
  # the lock is released when the subshell ends.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$VENVS/.$name.lock"
    flock 9
  fi
  if [[ -f "$marker" ]] && [[ "$(cat "$marker")" == "$want" ]] \
      && "$dir/bin/python" -c "import $module" >/dev/null 2>&1; then
    echo "venv $name: reused ($dir, checked in $(elapsed "$start")s)"
    return 0
  fi
  if [[ -e "$dir" ]]; then
    echo "venv $name: requirements changed or venv incomplete, recreating"
    rm -rf "$dir"
  fi
  "$PYTHON" -m venv "$dir"
  local log="$VENVS/$name.install.log" reqs=() nodeps=() r
  for r in "$@"; do
    if [[ "$r" == nodeps:* ]]; then nodeps+=("${r#nodeps:}"); else reqs+=("$r"); fi
  done
  if ! { PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
      "$dir/bin/python" -m pip install --quiet "${reqs[@]}" >"$log" 2>&1 \
    && { [[ ${#nodeps[@]} -eq 0 ]] || PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
      "$dir/bin/python" -m pip install --quiet --no-deps "${nodeps[@]}" >>"$log" 2>&1; }; }; then
    echo "venv $name: pip install failed after $(elapsed "$start")s; log $log:" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
  "$dir/bin/python" -c "import $module" >>"$log" 2>&1 \
    || { echo "venv $name: installed but 'import $module' fails; log $log:" >&2; tail -n 20 "$log" >&2; return 1; }
  printf '%s\n' "$want" >"$marker"
  echo "venv $name: created in $(elapsed "$start")s ($dir)"
}

total="$(now)"
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(v1 v2)
# The builds are independent; run them side by side (download-bound more than CPU-bound).
pids=()
for name in "${names[@]}"; do
  case "$name" in
    v1) ensure v1 flytekit "${V1_REQS[@]}" & ;;
    v2) ensure v2 flyte "${V2_REQS[@]}" & ;;
    load-v1) ensure load-v1 flytekit "${LOAD_V1_REQS[@]}" & ;;
    load-v2) ensure load-v2 flyte "${LOAD_V2_REQS[@]}" & ;;
    *) echo "venvs.sh: unknown venv $name (v1, v2, load-v1, load-v2)" >&2; exit 2 ;;
  esac
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
echo "venvs ready in $(elapsed "$total")s: ${names[*]} in $VENVS"
exit "$rc"
