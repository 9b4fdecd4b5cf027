#!/usr/bin/env bash
# Prints "N passed, M failed" from a TRX file (what .ci/run's last line reports).
set -euo pipefail
trx="${1:-}"
if [ -z "$trx" ] || [ ! -f "$trx" ]; then echo "0 passed, 0 failed"; exit 1; fi
counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
passed=$(get passed); failed=$(get failed); notexec=$(get notExecuted)
if [ "${notexec:-0}" != "0" ]; then
  echo "${passed} passed, ${failed} failed, ${notexec} skipped"
else
  echo "${passed} passed, ${failed} failed"
fi
