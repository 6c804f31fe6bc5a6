#!/bin/sh
# Fails, printing them, when the processes of the run wrote sanitizer reports into DIR (as
# scripts/test-sanitized.sh has them do).
#   no_sanitizer_logs.sh DIR
found=0
for report in "$1"/*; do
  [ -f "$report" ] || continue
  echo "== $report"
  cat "$report"
  found=1
done
exit $found
