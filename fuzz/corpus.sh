#!/usr/bin/env bash
# Fill fuzz/corpus/check_fix with the fixtures (generated, not committed): every rule fixture,
# equivalence program, command-line fixture and example.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus/check_fix
mkdir -p "$out"
for f in fixtures/*.py fixtures/FM7* fixtures/commands/* fixtures/equivalence/*.py examples/*.py; do
  cp "$f" "$out/$(echo "$f" | tr '/' '_')"
done
