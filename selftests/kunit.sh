#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run nlb's KUnit suites (nlb_kunit.ko, built next to nlb.ko) and turn their
# KTAP results into test points. No network topology.

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

ko=${NLB_KUNIT_KO:-$(dirname "$NLB_KO")/nlb_kunit.ko}
suites="nlb_sched nlb_xlat nlb_proxy"

if [ ! -f "$ko" ]; then
	echo "1..0 # SKIP no KUnit module at $ko"
	exit $KSFT_SKIP
fi
if [ ! -d /sys/kernel/debug/kunit ]; then
	echo "1..0 # SKIP the kernel has no KUnit debugfs"
	exit $KSFT_SKIP
fi

tap_begin
check "insmod nlb_kunit.ko (runs the suites)" -- insmod "$ko"
for suite in $suites; do
	results=/sys/kernel/debug/kunit/$suite/results
	if [ ! -r "$results" ]; then
		tap_result 1 "$suite: results in debugfs"
		continue
	fi
	sed 's/^/# /' "$results"
	cases=0
	# Test cases are the indented result lines; the suite's own is not.
	sed -nE 's/^[[:space:]]+(not ok|ok) [0-9]+ ([^ #]+).*/\1 \2/p' \
		"$results" | sed 's/^not ok/not_ok/' >"/tmp/kunit-$suite.cases"
	while read -r verdict name; do
		cases=$((cases + 1))
		tap_result "$([ "$verdict" = ok ] && echo 0 || echo 1)" \
			"$suite: $name"
	done <"/tmp/kunit-$suite.cases"
	tap_result $((cases == 0)) "$suite: ran at least one case"
	check "$suite: suite passed" -- \
		grep -qE "^ok [0-9]+ $suite\$" "$results"
done
rmmod nlb_kunit
tap_end
