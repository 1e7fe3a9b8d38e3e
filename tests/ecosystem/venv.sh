#!/usr/bin/env bash
# Create (or reuse) one Python venv of tools the ecosystem tests run, and print its path last.
#
#   venv.sh NAME MODULE REQ...     MODULE must import once REQ... are installed
#
# Location: ${FLYTE_MIGRATE_VENVS:-$HOME/.cache/flyte-migrate/venvs}/NAME, beside the
# equivalence suite's venvs. Interpreter: ${PYTHON:-python3}.
#
# Idempotent, like tests/equivalence/venvs.sh: a venv is reused when its marker file equals the
# requirement list plus the interpreter version, and rebuilt otherwise; the marker is written
# last, so an interrupted install is redone. A lock per venv keeps parallel tests from building
# the same one twice.
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: venv.sh NAME MODULE REQ..." >&2
  exit 2
fi
NAME="$1" MODULE="$2"; shift 2
VENVS="${FLYTE_MIGRATE_VENVS:-$HOME/.cache/flyte-migrate/venvs}"
PYTHON="${PYTHON:-python3}"
DIR="$VENVS/$NAME"
MARKER="$DIR/.flyte-migrate-requirements"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "venv.sh: $PYTHON not found (set PYTHON=...)" >&2
  exit 2
fi
mkdir -p "$VENVS"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$VENVS/.lock-$NAME"
  flock 9
fi

WANT="$(printf 'venv: %s\npython: %s\n' "$NAME" "$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"; printf '%s\n' "$@")"
if [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$WANT" ]] \
    && "$DIR/bin/python" -c "import $MODULE" >/dev/null 2>&1; then
  echo "venv $NAME: reused" >&2
  echo "$DIR"
  exit 0
fi
rm -rf "$DIR"
"$PYTHON" -m venv "$DIR"
LOG="$VENVS/$NAME.install.log"
if ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
    "$DIR/bin/python" -m pip install --quiet "$@" >"$LOG" 2>&1; then
  echo "venv $NAME: pip install failed; log $LOG:" >&2
  tail -n 40 "$LOG" >&2
  exit 1
fi
"$DIR/bin/python" -c "import $MODULE" \
  || { echo "venv $NAME: installed but 'import $MODULE' fails" >&2; exit 1; }
printf '%s\n' "$WANT" >"$MARKER"
echo "venv $NAME: created" >&2
echo "$DIR"
