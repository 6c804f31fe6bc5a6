#!/bin/sh
# Fails when any secret of the test suite (one per line of SECRETS) appears in any log llm-d
# wrote during the run (kept in DIR by the harness), or when there are too few logs to mean
# anything.
# usage: scan_logs.sh DIR SECRETS MIN_LOGS
set -eu
dir=$1 secrets=$2 min=$3
count=$(find "$dir" -name '*.log' 2>/dev/null | wc -l)
if [ "$count" -lt "$min" ]; then
  echo "only $count llm-d logs in $dir (expected at least $min): the scan would prove nothing"
  exit 1
fi
if grep -rlF -f "$secrets" "$dir"; then
  echo "a secret reached a log line (files above):"
  grep -rnF -f "$secrets" "$dir" | head -20
  exit 1
fi
echo "$count llm-d logs, $(cat "$dir"/*.log | wc -l) lines: no secret in any"
