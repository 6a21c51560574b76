#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Golden-file checks that need no kernel module:
#   - import: each file of tests/import/ipvs (*.save, ipvsadm -S output)
#     and tests/import/keepalived (*.conf) imported with --dry-run; its
#     output, messages and exit status are compared with NAME.expected,
#     and the configuration it prints is one apply takes (tests/unit check);
#   - apply: the changes from running.conf to each other *.conf of
#     tests/apply and of its subdirectories (tests/unit plan), against
#     NAME.expected; running.conf against itself changes nothing;
#   - metrics: tests/apply/running.conf as Prometheus text, parsed strictly
#     (tests/promparse.py, and promtool when installed).
# UPDATE=1 rewrites the .expected files (review the diff!).
#
# Usage: tests/golden.sh PATH/TO/nlbadm PATH/TO/tests/unit

NLBADM=${1:-./nlbadm}
UNIT=${2:-./tests/unit}
cd "$(dirname "$0")/.." || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
n=0

# golden NAME.expected COMMAND...: stdout, stderr and status of COMMAND
golden() {
	want=$1
	shift
	n=$((n + 1))
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	{
		cat "$TMP/out"
		echo "--- stderr"
		cat "$TMP/err"
		echo "--- exit $rc"
	} >"$TMP/got"
	if [ -n "$UPDATE" ]; then
		cp "$TMP/got" "$want"
	elif ! diff -u "$want" "$TMP/got" >"$TMP/diff" 2>&1; then
		echo "FAIL: $* (differs from $want)"
		sed 's/^/    /' "$TMP/diff"
		fail=1
	fi
	# what an import prints is a configuration apply takes
	if [ "$rc" -eq 0 ] && [ -n "$CHECK_OUT" ]; then
		n=$((n + 1))
		if ! "$UNIT" check "$TMP/out" >"$TMP/chk" 2>&1; then
			echo "FAIL: the output of $* is not a valid configuration:"
			sed 's/^/    /' "$TMP/chk"
			fail=1
		fi
	fi
}

CHECK_OUT=1
for f in tests/import/ipvs/*.save; do
	golden "${f%.save}.expected" "$NLBADM" import ipvs --dry-run \
		--hosts tests/import/hosts "$f"
done
for f in tests/import/keepalived/*.conf; do
	golden "${f%.conf}.expected" "$NLBADM" import keepalived --dry-run "$f"
done
# The same refusal from stdin names <stdin>.
golden tests/import/ipvs/stdin.expected "$NLBADM" import ipvs -n \
	<tests/import/ipvs/refused.save
CHECK_OUT=
for d in tests/apply tests/apply/*/; do
	d=${d%/}
	for f in "$d"/*.conf; do
		[ "$f" = "$d/running.conf" ] && continue
		golden "${f%.conf}.expected" "$UNIT" plan "$d/running.conf" "$f"
	done
	# save's output is what it read: running.conf through the model again
	n=$((n + 1))
	"$UNIT" plan "$d/running.conf" "$d/running.conf" >"$TMP/plan" 2>&1
	if [ -s "$TMP/plan" ]; then
		echo "FAIL: $d/running.conf against itself changes something:"
		cat "$TMP/plan"
		fail=1
	fi
done

# metrics: strict parse, and promtool's lint when installed
for src in tests/apply/running.conf tests/apply/xlat/running.conf -; do
	n=$((n + 1))
	"$UNIT" metrics "$src" >"$TMP/metrics"
	if ! python3 tests/promparse.py <"$TMP/metrics" >"$TMP/parse" 2>&1; then
		echo "FAIL: the metrics of $src do not parse:"
		sed 's/^/    /' "$TMP/parse"
		fail=1
	fi
	if command -v promtool >/dev/null 2>&1; then
		n=$((n + 1))
		if ! promtool check metrics <"$TMP/metrics" >"$TMP/lint" 2>&1; then
			echo "FAIL: promtool check metrics ($src):"
			sed 's/^/    /' "$TMP/lint"
			fail=1
		fi
	fi
done
command -v promtool >/dev/null 2>&1 ||
	echo "golden: promtool is not installed: its checks skipped"
# the strict parser refuses what it should
for bad in 'x{a="b} 1' 'x 1 2 3' '# TYPE x counter
x -1' 'x 1
y 1
x 2' 'x{a="1"} 1
x{a="1"} 2' 'x{a="\q"} 1' '1x 1' 'x abc'; do
	n=$((n + 1))
	if printf '%s\n' "$bad" | python3 tests/promparse.py 2>/dev/null; then
		echo "FAIL: promparse took: $bad"
		fail=1
	fi
done

if [ "$fail" -eq 0 ]; then
	echo "golden: $n tests passed"
fi
exit $fail
