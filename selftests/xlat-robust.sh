#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed packets toward the translation path, from both sides: packets
# conntrack relates to live translated flows, so that they reach nlb's
# translation (not only conntrack's invalid path).
#
#                                  +-------------------------------+
#   c4  192.0.2.2       ---------+ | lb: nlb.ko                    | +-- b1 198.18.1.2       IPv4 backend
#       UDP, ping, TCP           +-+ VIP 203.0.113.10              +-+   UDP 7000, 7002, TCP 7001
#   c6  2001:db8:1::2   ---------+ |     2001:db8:ff::10           | +-- b2 2001:db8:102::2  IPv6 backend
#       UDP, ping, TCP             | r46: IPv6 clients -> b1,      |     UDP 7000, TCP 7001
#                                  |   from pool 100.64.0.1        |
#                                  | r64: IPv4 clients -> b2, from |
#                                  |   64:ff9b::192.0.2.2 (embed)  |
#                                  | local clients (hop limit 1)   |
#                                  +-------------------------------+
#
# selftests/xrobust.py drives every namespace from one process:
#  1. each case, from c6, c4, b1 (to the pool address) and b2 (to the
#     embedded address): truncated and inconsistent headers and lengths,
#     hop limit 1, source routes, IPv4 options, extension headers nlb
#     cannot skip, fragments out of order, duplicated, overlapping and of
#     a length defrag lets by, ICMP errors quoting the flows with bad
#     quotes (wrong version, lengths, extension headers, RFC 4884 lengths,
#     codes and pointers RFC 7915 drops), errors in errors; checked: the
#     drop reasons counted in xlat_drops (exactly), the ICMP errors that
#     come back and their source (the VIP toward clients, the pool or
#     embedded address toward backends), and what is delivered;
#  2. local clients on the gateway with hop limit 1, both ways;
#  3. a group deleted under a translated flow: the census ends both legs;
#  4. the flows (UDP, ping and TCP, both ways) still answer;
#  5. NLB_XROBUST_FUZZ packets (default 0; `make soak`: a million) of
#     randomized mutations, seed NLB_XROBUST_SEED;
#  6. when the flows end, no leg is left in conntrack, no pool slot held.
# Any kernel splat (KASAN, lockdep, kmemleak) fails the run.

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbr
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip python3 conntrack
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

cleanup() {
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

tap_begin
nlb_load || tap_bail "insmod failed"
topo_setup 2
# The errors nlb sends count against the ICMP rate limit: lift it.
nsexec "$P-lb" sysctl -qw net.ipv4.icmp_msgs_per_sec=100000 \
	net.ipv4.icmp_msgs_burst=100000

# the flows' configuration (again after each reload)
configure() {
	nlb -b - <<EOF
group add r46 affinity off pool 100.64.0.1 pool-port-min 20000 pool-port-max 20099
backend add r46 $(backend4 1)
listener add u6 vip $VIP6 proto udp port 7000 group r46
listener add t6 vip $VIP6 proto tcp port 7001 group r46
listener add e6 vip $VIP6 proto icmp group r46
group add r64 ipversion dualstack affinity off
backend add r64 $(backend6 2)
listener add u4 vip $VIP4 proto udp port 7000 group r64
listener add t4 vip $VIP4 proto tcp port 7001 group r64
listener add e4 vip $VIP4 proto icmp group r64
EOF
}

# driver COMMAND...: xrobust.py's lines as TAP
driver() {
	local kind rest
	while read -r kind rest; do
		case $kind in
		check) tap_result "${rest%% *}" "${rest#* }" ;;
		diag) diag "$rest" ;;
		*) diag "xrobust: $kind $rest" ;;
		esac
	done < <(NLBADM=$NLBADM python3 "$here/xrobust.py" "$P" "$@" 2>&1)
}

check "config: translated UDP, ping and TCP both ways" -- configure
check "config: a group to delete under a flow" -- nlb -b - <<EOF
group add gdel affinity off pool 100.64.0.1 pool-port-min 20100 pool-port-max 20199
backend add gdel $(backend4 1)
listener add gdel vip $VIP6 proto udp port 7002 group gdel
EOF

fuzz=${NLB_XROBUST_FUZZ:-0}
churn=${NLB_XROBUST_CHURN:-0}
reload=${NLB_XROBUST_RELOAD:-0}
cmds=(cases)
[ "$fuzz" -gt 0 ] && cmds+=(fuzz "${NLB_XROBUST_SEED:-1}" "$fuzz")
if [ "$churn" -gt 0 ]; then
	check "config: a pool of 4 slots for the churn" -- nlb -b - <<EOF
group add rtiny affinity off pool 100.64.0.2 pool-port-min 30000 pool-port-max 30003
backend add rtiny $(backend4 1)
listener add ct6 vip $VIP6 proto udp port 7003 group rtiny
EOF
	cmds+=(churn "$churn")
fi
cmds+=(settle $((fuzz + churn > 0 ? 120 : 30)))
start=$SECONDS
driver "${cmds[@]}"
diag "xrobust.py: $((SECONDS - start)) s; drops by reason: $(nlb -j -s info | tr -d ' \n')"
# insmod, config (2), the cases, 6 checks around them, 3 of the fuzz,
# 1 + 3 of the churn, 2 of settle
want=$((3 + $(grep -c '^        Case(' "$here/xrobust.py") + 6 +
	(fuzz > 0 ? 3 : 0) + (churn > 0 ? 4 : 0) + 2))

# rmmod and insmod under translated load, both directions
if [ "$reload" -gt 0 ]; then
	tmp=$(mktemp)
	stop=$tmp.stop
	NLBADM=$NLBADM python3 "$here/xrobust.py" "$P" load \
		$((reload * 10 + 30)) "$stop" >"$tmp" 2>&1 &
	load_pid=$!
	sleep 2
	bad=0
	for ((i = 0; i < reload; i++)); do
		rmmod nlb || { bad=$((bad + 1)); break; }
		sleep 0.5
		insmod "$NLB_KO" || { bad=$((bad + 1)); break; }
		configure || bad=$((bad + 1))
		sleep 2.5
	done
	check_eq "reload: $reload times rmmod, insmod, configure under load" \
		"$bad" 0
	touch "$stop"
	wait "$load_pid"
	while read -r kind rest; do
		case $kind in
		check) tap_result "${rest%% *}" "${rest#* }" ;;
		*) diag "$kind $rest" ;;
		esac
	done <"$tmp"
	rm -f "$tmp" "$stop"
	driver settle 60
	want=$((want + 1 + 1 + 2))
fi
check_eq "the driver ran every part" "$tap_n" "$want"

tap_end
