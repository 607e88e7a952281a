#!/bin/sh
# Runs each GoogleTest binary given, shows its output, and sums the results
# into the one closing line CI reads: "N passed, N failed, N skipped".
# A binary that dies before its summary counts as one failure.
passed=0 failed=0 skipped=0
for bin in "$@"; do
  log=$(mktemp)
  echo "=== $bin"
  "$bin" --gtest_color=no >"$log" 2>&1
  rc=$?
  cat "$log"
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  rm -f "$log"
  p=${p:-0} f=${f:-0} s=${s:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "*** $bin exited with status $rc without reporting a failed test"
    f=1
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
