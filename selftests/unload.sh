#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module unload and reload with connections in flight, new connections
# arriving all the time. The harness fails the run on any splat or leak
# (KASAN, lockdep, kmemleak).
#
# Established flows are conntrack's and nf_nat's, not nlb's. nf_nat
# translates them as long as some NAT user is registered in the namespace:
# - with another user of conntrack and NAT (here an nft masquerade rule on
#   the uplink, as gateways have), they keep working after rmmod;
# - with nlb as the only NAT user, nf_nat's hooks go away with nlb's, and
#   the flows are suspended until nlb is loaded and configured again, when
#   they resume (TCP retransmits what was sent in between).
#
#   c4 192.0.2.2 ------+   +----------------------+
#                      +---+ lb: nlb.ko (loaded,  +------ b1 198.18.1.2
#   c6 2001:db8:1::2 --+   | unloaded, reloaded)  |          2001:db8:101::2
#                          +----------------------+  socat echo on 9000,
#                                                    nginx on 80

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbu
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip socat curl nginx
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }
[ -f "$NLB_KO" ] || { echo "1..0 # SKIP no module at $NLB_KO"; exit $KSFT_SKIP; }
[ -d /sys/module/nlb ] && rmmod nlb

churn_pid=
cleanup() {
	[ -n "$churn_pid" ] && kill "$churn_pid" 2>/dev/null
	churn_pid=
	topo_cleanup
}
trap 'cleanup; [ -d /sys/module/nlb ] && rmmod nlb' EXIT

tap_begin
topo_setup 1
start_echo "$P-b1" b1 9000
start_nginx "$P-b1" b1
sleep 1

configure() {
	nlb group add g ipversion dualstack &&
	nlb backend add g "$(backend4 1)" &&
	nlb backend add g "$(backend6 1)" &&
	nlb listener add echo vip "$VIP4" vip "$VIP6" proto tcp port 9000 \
		group g &&
	nlb listener add http vip "$VIP4" vip "$VIP6" proto tcp port 80 \
		group g
}

# New connections all the time, from both families, while the module
# comes and goes.
churn() {
	while :; do
		curl_page "$P-c4" "http://$VIP4/" >/dev/null
		curl_page "$P-c6" "http://[$VIP6]/" >/dev/null
	done
}
churn &
churn_pid=$!

for round in 1 2 3; do
	check "round $round: insmod and configure" -- \
		eval 'insmod "$NLB_KO" && configure'
	conn_open "v4-$round" "$P-c4" "$VIP4" 9000
	conn_open "v6-$round" "$P-c6" "[$VIP6]" 9000
	check "round $round: IPv4 connection through the VIP" -- \
		test "$(conn_say "v4-$round" one)" = "b1=one"
	check "round $round: IPv6 connection through the VIP" -- \
		test "$(conn_say "v6-$round" one)" = "b1=one"
	check "round $round: rmmod with connections in flight" -- rmmod nlb
	if [ "$round" = 3 ]; then
		# Another NAT user keeps nf_nat's hooks: the flows go on.
		check "round $round: IPv4 connection survives the unload" -- \
			test "$(conn_say "v4-$round" two)" = "b1=two"
		check "round $round: IPv6 connection survives the unload" -- \
			test "$(conn_say "v6-$round" two)" = "b1=two"
	else
		# nlb was the only NAT user: the flows resume on reload.
		echo two >>"/tmp/conn-v4-$round/in"
		echo two >>"/tmp/conn-v6-$round/in"
		check "round $round: insmod and configure again" -- \
			eval 'insmod "$NLB_KO" && configure'
		check "round $round: IPv4 connection resumes after the reload" -- \
			test "$(conn_say "v4-$round" three 60)" = "b1=three"
		check "round $round: IPv6 connection resumes after the reload" -- \
			test "$(conn_say "v6-$round" three 60)" = "b1=three"
		check "round $round: rmmod again" -- rmmod nlb
	fi
	conn_close "v4-$round"
	conn_close "v6-$round"
	if [ "$round" = 2 ]; then
		nsexec "$P-lb" nft add table inet gw
		nsexec "$P-lb" nft add chain inet gw postnat \
			'{ type nat hook postrouting priority srcnat; }'
		# The rule, not the chain, holds conntrack.
		nsexec "$P-lb" nft add rule inet gw postnat \
			oifname "to-$P-c4" masquerade
	fi
done

kill "$churn_pid"
wait "$churn_pid" 2>/dev/null
churn_pid=

# Unloading with configuration in several namespaces at once.
xconf() {
	local ns
	new_ns "$P-x1" "$P-x2" && insmod "$NLB_KO" || return 1
	for ns in "$P-x1" "$P-x2"; do
		nsexec "$ns" "$NLBADM" -b - <<-EOF || return 1
		group add g ipversion dualstack
		backend add g 198.51.100.1
		backend add g 2001:db8::1
		listener add l vip 192.0.2.99 vip 2001:db8::99 proto udp port 53 group g
		EOF
	done
}
check "insmod, the same configuration in two namespaces x1 and x2" -- xconf
check "namespace x1 with its configuration deleted while loaded" -- \
	eval 'ip netns del "$P-x1" && ! ip netns list | grep -q "^$P-x1\b"'
check_eq "x2's configuration is untouched" \
	"$(nsexec "$P-x2" "$NLBADM" -j show | python3 -c 'import json, sys
j = json.load(sys.stdin)
print([x["name"] for x in j["listeners"]], [(g["name"], len(g["backends"])) for g in j["groups"]])')" \
	"['l'] [('g', 2)]"
check "rmmod with configuration in another namespace" -- rmmod nlb

# A module still loaded here (a failed rmmod above) is unloaded by tap_end,
# as a test point.
[ -d /sys/module/nlb ] && nlb_loaded_here=1
tap_end
