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

check "config: translated UDP, ping and TCP both ways" -- nlb -b - <<EOF
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
group add gdel affinity off pool 100.64.0.1 pool-port-min 20100 pool-port-max 20199
backend add gdel $(backend4 1)
listener add gdel vip $VIP6 proto udp port 7002 group gdel
EOF

cmds=(cases)
if [ "${NLB_XROBUST_FUZZ:-0}" -gt 0 ]; then
	cmds+=(fuzz "${NLB_XROBUST_SEED:-1}" "$NLB_XROBUST_FUZZ" settle 120)
else
	cmds+=(settle 30)
fi
start=$SECONDS
while read -r kind rest; do
	case $kind in
	check) tap_result "${rest%% *}" "${rest#* }" ;;
	diag) diag "$rest" ;;
	*) diag "xrobust: $kind $rest" ;;
	esac
done < <(NLBADM=$NLBADM python3 "$here/xrobust.py" "$P" "${cmds[@]}" 2>&1)
diag "xrobust.py: $((SECONDS - start)) s; drops by reason: $(nlb -j -s info | tr -d ' \n')"
# insmod, config, the cases, 6 checks around them, 3 of the fuzz, 2 of
# settle
check_eq "the driver ran every part" "$tap_n" \
	"$((2 + $(grep -c '^        Case(' "$here/xrobust.py") + 6 +
	(${NLB_XROBUST_FUZZ:-0} > 0 ? 3 : 0) + 2))"

tap_end
