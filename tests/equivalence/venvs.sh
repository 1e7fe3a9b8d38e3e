#!/usr/bin/env bash
# Create (or reuse) the two Python venvs the equivalence suite runs programs in:
#   v1: flytekit 1.16.31 (Flyte 1)      v2: flyte 2.12.1 (Flyte 2)
# each with the same pandas / scikit-learn / pyarrow / numpy, so that a difference in results
# comes from the SDK and the migration, never from the data libraries.
#
# Location: ${FLYTE_MIGRATE_VENVS:-$HOME/.cache/flyte-migrate/venvs}/{v1,v2}
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
V1_REQS=("flytekit==1.16.31" "${COMMON[@]}")
V2_REQS=("flyte==2.12.1" "${COMMON[@]}")

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "venvs.sh: $PYTHON not found (set PYTHON=...)" >&2
  exit 2
fi
PYVER="$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"

mkdir -p "$VENVS"

# One builder at a time per cache directory (two suites started together would otherwise
# both delete and rebuild the same venv).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$VENVS/.lock"
  flock 9
fi

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
  local log="$VENVS/$name.install.log"
  if ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
      "$dir/bin/python" -m pip install --quiet "$@" >"$log" 2>&1; then
    echo "venv $name: pip install failed after $(elapsed "$start")s; log $log:" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
  "$dir/bin/python" -c "import $module" \
    || { echo "venv $name: installed but 'import $module' fails" >&2; return 1; }
  printf '%s\n' "$want" >"$marker"
  echo "venv $name: created in $(elapsed "$start")s ($dir)"
}

total="$(now)"
# The two builds are independent; run them side by side (download-bound more than CPU-bound).
ensure v1 flytekit "${V1_REQS[@]}" &
p1=$!
ensure v2 flyte "${V2_REQS[@]}" &
p2=$!
rc=0
wait "$p1" || rc=1
wait "$p2" || rc=1
echo "venvs ready in $(elapsed "$total")s: $VENVS/v1 (flytekit 1.16.31), $VENVS/v2 (flyte 2.12.1)"
exit "$rc"
