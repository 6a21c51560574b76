#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-family load balancing by translation (RFC 7915): IPv6 clients on
# IPv4 backends and IPv4 clients on IPv6 backends, with conntrack on both
# legs.
#
#                                +------------------------------+
#   c4  192.0.2.2    ---------+  | lb: nlb.ko                   |  +-- b1 198.18.1.2      nginx "b1", peer echo
#                             +--+ VIP 203.0.113.10             +--+-- b2 198.18.2.2      nginx "b2"
#   c6  2001:db8:1::2 -------+   |     2001:db8:ff::10          |  +-- b3 2001:db8:103::2 nginx "b3", peer echo
#                                | pool4 100.64.0.1             |  |
#                                | prefix6 64:ff9b::/96         |  +-- r 198.18.4.2 --(MTU 1280)-- b4 198.18.5.2
#                                +------------------------------+        router           socat sink, echo
#
#  1. IPv6 clients on IPv4 backends (affinity off, ipv4 group): wrr 2:1
#     exactly, weight 0, persistence; conntrack shows both legs; nft rules
#     see both; counters; UDP;
#  2. the NLB FAQ: affinity on refuses IPv6 clients of an IPv4-only group,
#     counted, and off serves them again;
#  3. IPv4 clients on IPv6 backends, the client's address embedded in
#     64:ff9b::/96 (the backend sees it);
#  4. a dual-stack group with affinity off: each family's clients over
#     both families' backends in proportion; prefer: the own family until
#     its backends are down, then the other, then back; failover counted;
#  5. ping through a VIP: an icmp listener balances echo requests, same
#     family (NAT), IPv6 to IPv4 (pool identifiers) and IPv4 to IPv6
#     (embedded); conntrack shows both legs as icmp and icmpv6 flows;
#  6. bulk transfers both ways through both directions, checksummed, with
#     GRO and TSO on (NLB_XLAT_MB, default 100 MiB each: about a minute);
#  7. ICMP errors from the backend's side reach the client translated: port
#     unreachable, time exceeded (from the router r, at its address in
#     64:ff9b::/96); Fragmentation Needed from r (MTU 1280) becomes Packet
#     Too Big (1300) and an upload through it completes;
#  8. pool exhaustion: refused and counted, recovers;
#  9. the legs live and die together; the drain timeout resets both ends; malformed packets toward the
#     translation path; unload with translated connections.

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbx
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nginx curl socat python3 conntrack nft sha256sum ethtool ping
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

XPROBE=$top/selftests/xprobe.py
POOL=100.64.0.1
cleanup() {
	hold_stop h6
	hold_stop hp
	hold_stop hd
	topo_cleanup
	rm -f /tmp/nlbx-*
}
trap 'cleanup; nlb_unload_quiet' EXIT

tap_begin
nlb_load || tap_bail "insmod failed"
topo_setup 3
# b4 behind a router r, on a link of MTU 1280.
new_ns "$P-r" "$P-b4"
link_ns "$P-lb" "$P-r"
link_ns "$P-r" "$P-b4"
ip -n "$P-lb" addr add 198.18.4.1/24 dev "to-$P-r"
ip -n "$P-r" addr add 198.18.4.2/24 dev "to-$P-lb"
ip -n "$P-r" addr add 198.18.5.1/24 dev "to-$P-b4"
ip -n "$P-b4" addr add 198.18.5.2/24 dev "to-$P-r"
# Only r's side is small: r refuses to forward bigger packets (and sends
# Fragmentation Needed), while b4 announces the MSS of a 1500 link.
ip -n "$P-r" link set "to-$P-b4" mtu 1280
ip -n "$P-r" route add default via 198.18.4.1
ip -n "$P-b4" route add default via 198.18.5.1
ip -n "$P-lb" route add 198.18.5.0/24 via 198.18.4.2
nsexec "$P-r" sysctl -qw net.ipv4.ip_forward=1
# GRO on the gateway's links (TSO is on by default on veth).
for dev in $(ip -n "$P-lb" -o link show | awk -F': ' '/to-/{print $2}' | cut -d@ -f1); do
	nsexec "$P-lb" ethtool -K "$dev" gro on >/dev/null 2>&1
done
for i in 1 2 3; do
	start_nginx "$P-b$i" "b$i"
done
start_echo "$P-b1" b1 9000
# Servers that answer each connection with the address it came from.
for ns in "$P-b1" "$P-b3"; do
	nsexec "$ns" socat TCP6-LISTEN:8080,ipv6only=0,reuseaddr,fork \
		SYSTEM:'echo $SOCAT_PEERADDR' &
done
nsexec "$P-b4" socat UDP4-RECVFROM:7,fork SYSTEM:'echo b4' &
sleep 1

b1=$(backend4 1)
b2=$(backend4 2)
b3=$(backend6 3)
url6="http://[$VIP6]/"

# ---- 1. IPv6 clients on IPv4 backends
# One group per service (a backend of a group serves all its listeners),
# each with ports of its own on the pool address.
check "6to4: groups of IPv4 backends with affinity off and a pool" -- \
	nlb -b - <<EOF
group add g46 sched wrr affinity off pool $POOL pool-port-min 20000 pool-port-max 20999
backend add g46 $b1 port 80 weight 2
backend add g46 $b2 port 80 weight 1
listener add web6 vip $VIP6 proto tcp port 80 group g46
group add u46 affinity off pool $POOL pool-port-min 21000 pool-port-max 21999
backend add u46 $b1
listener add dns6 vip $VIP6 proto udp port 5353 group u46
EOF
nsexec "$P-lb" nft -f - <<'EOF'
table inet nlbx {
	counter leg6 {
	}
	counter leg4 {
	}
	chain pre {
		type filter hook prerouting priority -150;
		ip6 daddr 2001:db8:ff::10 tcp dport 80 ct state new counter name leg6
	}
	chain out {
		type filter hook output priority 0;
		ct original ip daddr 198.18.1.2 tcp dport 80 ct state new counter name leg4
	}
}
EOF
t=$(curl_tally "$P-c6" "$url6" 30)
check_eq "6to4: 30 IPv6 requests, IPv4 backends 2:1 exactly" \
	"$(nof b1 <<<"$t") $(nof b2 <<<"$t") $(nof FAIL <<<"$t")" "20 10 0"
check_eq "6to4: counted translated on listener, group and backends" \
	"$(nlb_eval 'S(L("web6"), "translated")' 'S(G("g46"), "translated")' \
		'S(B("g46", "'"$b1"'", 80), "translated")' \
		'S(B("g46", "'"$b2"'", 80), "translated")')" $'30\n30\n20\n10'
ct6=$(nsexec "$P-lb" conntrack -L -f ipv6 -p tcp --dport 80 2>/dev/null |
	grep -c "dst=$VIP6")
ct4=$(nsexec "$P-lb" conntrack -L -f ipv4 -p tcp --dport 80 2>/dev/null |
	grep -c "src=$POOL dst=198.18.[12].2")
check_eq "6to4: conntrack lists both legs of the 30 connections" \
	"$ct6 $ct4" "30 30"
nft_count() {
	nsexec "$P-lb" nft list counter inet nlbx "$1" |
		awk '/packets/ {print $2}'
}
check_eq "6to4: nft ct state rules see the new connections on both legs" \
	"$(nft_count leg6) $(nft_count leg4)" "30 20"
nlb backend change g46 "$b2" port 80 weight 0
t=$(curl_tally "$P-c6" "$url6" 6)
check_eq "6to4: weight 0 takes no new connection" "$(nof b1 <<<"$t")" 6
nlb backend change g46 "$b2" port 80 weight 1
nlb listener change web6 persist 60
t=$(curl_tally "$P-c6" "$url6" 9)
check "6to4: persistence holds (9 requests, one backend)" -- \
	test "$(nof b1 <<<"$t")" = 9 -o "$(nof b2 <<<"$t")" = 9
check_eq "6to4: UDP request and response" \
	"$(nsexec "$P-c6" python3 "$XPROBE" udp-ask "$VIP6" 5353 hi)" b1
# The route to a backend is cached (per backend, per CPU): a change of
# the routing tables must reach the next packet, in both directions.
route_follows() {
	local what=$1 dst=$2 ask=$3 want=$4 nr0 got1 got2 nr
	nr0=$(nlb_eval 'j["info"]["xlat_drops"]["no_route"]')
	ip -n "$P-lb" route add blackhole "$dst"
	got1=$(eval "$ask")
	nr=$(nlb_eval 'j["info"]["xlat_drops"]["no_route"]')
	ip -n "$P-lb" route del blackhole "$dst"
	got2=$(eval "$ask")
	diag "$what: with a blackhole route to $dst: '$got1' (no-route drops +$((nr - nr0))), without: '$got2'"
	check "$what: a blackhole route to the backend stops its packets at once (counted no-route), its removal lets them through" -- \
		test "$got1" != "$want" -a "$((nr - nr0))" -ge 1 -a "$got2" = "$want"
}
route_follows "6to4: cached route" "$b1/32" \
	'nsexec "$P-c6" python3 "$XPROBE" udp-ask "$VIP6" 5353 hi' b1

# ---- 2. the NLB FAQ: affinity on refuses
nlb group change g46 affinity on
before=$(nlb_eval 'S(L("web6"), "drop_no_backend")')
t=$(curl_tally "$P-c6" "$url6" 3)
check_eq "faq: affinity on refuses IPv6 clients of an IPv4 group" \
	"$(nof FAIL <<<"$t") $(($(nlb_eval 'S(L("web6"), "drop_no_backend")') - before))" "3 3"
nlb group change g46 affinity off
t=$(curl_tally "$P-c6" "$url6" 3)
check_eq "faq: affinity off serves them again" "$(nof FAIL <<<"$t")" 0

# ---- 3. IPv4 clients on IPv6 backends, the client's address embedded
# No IPv4 pool needed while the group holds no IPv4 backend.
nlb group add np ipversion dualstack affinity off
nlb backend add np "$b3" port 8080
msg=$(nlb backend add np "$b1" port 8080 2>&1)
check_eq "config: no IPv4 backend in an affinity off group without pool4" \
	"$? $(nlb_eval 'G("np")["backends4"]')" "2 0"
diag "$msg"
check "config: the kernel's reason is printed" -- \
	grep -q "need an IPv4 source pool" <<<"$msg"
check "config: with the pool it is accepted" -- \
	eval 'nlb group change np pool 100.64.0.9 && nlb backend add np "$b1" port 8080'
msg=$(nlb group change np pool 0.0.0.0 2>&1)
check_eq "config: nor can the pool go while it has one" "$? $(nlb_eval 'G("np")["pool4"]')" \
	"2 100.64.0.9"
nlb group del np
nlb -b - <<EOF
group add g64 ipversion dualstack affinity off pool $POOL pool-port-min 30000 pool-port-max 30999
backend add g64 $b3 port 8080
listener add peer4 vip $VIP4 proto tcp port 8080 group g64
EOF
peer=$(nsexec "$P-c4" socat -T 5 -t 5 - "TCP:$VIP4:8080" </dev/null 2>&1)
check_eq "4to6: the IPv6 backend sees the IPv4 client in 64:ff9b::/96" \
	"$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1].strip("[]")))' "$peer" 2>&1)" \
	"64:ff9b::c000:202"
route_follows "4to6: cached route" "$b3/128" \
	'nsexec "$P-c4" socat -T 3 -t 3 - "TCP:$VIP4:8080,connect-timeout=3" </dev/null 2>/dev/null | python3 -c "import ipaddress, sys; l = sys.stdin.read().strip(\"[]\n\"); print(ipaddress.ip_address(l) if l else \"none\")"' \
	"64:ff9b::c000:202"

# ---- 4. a dual-stack group: affinity off, then prefer
nlb -b - <<EOF
group add mix ipversion dualstack sched rr affinity off pool $POOL pool-port-min 31000 pool-port-max 31999
backend add mix $b1 port 80
backend add mix $b3 port 80
listener add mix vip 203.0.113.20 vip 2001:db8:ff::20 proto tcp port 80 group mix
EOF
t4=$(curl_tally "$P-c4" "http://203.0.113.20/" 20)
t6=$(curl_tally "$P-c6" "http://[2001:db8:ff::20]/" 20)
check_eq "mix off: each family's clients over both families, 1:1 (rr)" \
	"$(nof b1 <<<"$t4") $(nof b3 <<<"$t4") $(nof b1 <<<"$t6") $(nof b3 <<<"$t6")" \
	"10 10 10 10"
nlb group change mix affinity prefer
t4=$(curl_tally "$P-c4" "http://203.0.113.20/" 5)
t6=$(curl_tally "$P-c6" "http://[2001:db8:ff::20]/" 5)
check_eq "mix prefer: each family stays on its own" \
	"$(nof b1 <<<"$t4") $(nof b3 <<<"$t6")" "5 5"
nlb backend change mix "$b3" port 80 health down
before=$(nlb_eval 'S(G("mix"), "failover_family")')
t6=$(curl_tally "$P-c6" "http://[2001:db8:ff::20]/" 5)
check_eq "mix prefer: IPv6 backend down: IPv6 clients translated to IPv4" \
	"$(nof b1 <<<"$t6") $(($(nlb_eval 'S(G("mix"), "failover_family")') - before))" "5 5"
nlb backend change mix "$b3" port 80 health up
t6=$(curl_tally "$P-c6" "http://[2001:db8:ff::20]/" 5)
check_eq "mix prefer: back on the IPv6 backend once healthy" "$(nof b3 <<<"$t6")" 5

# ---- 5. ping through a VIP
# pings N ADDRESS NS: N pings from NS, each its own process (its own
# identifier: its own connection), 2 echoes each; prints how many had
# both answered.
pings() {
	local i n=0
	for ((i = 0; i < $1; i++)); do
		nsexec "$3" ping -q -n -c 2 -i 0.2 -W 2 "$2" >/dev/null 2>&1 &&
			n=$((n + 1))
	done
	echo "$n"
}
nlb -b - <<EOF
group add gp4 sched rr
backend add gp4 $b1
backend add gp4 $b2
listener add ping4 vip $VIP4 proto icmp group gp4
listener add ping6 vip $VIP6 proto icmp group g46
listener add ping46 vip 203.0.113.30 proto icmp group g64
EOF
check_eq "ping: the listener has no port" \
	"$(nlb listener show ping4 | cut -d' ' -f1-8)" "listener ping4 vip 203.0.113.10 proto icmp group gp4"
check_eq "ping same family: 4 clients answered, 2 by each backend (rr)" \
	"$(pings 4 "$VIP4" "$P-c4") $(nlb_eval 'S(B("gp4", "'"$b1"'", 0), "conns")' \
		'S(B("gp4", "'"$b2"'", 0), "conns")' | tr '\n' ' ')" "4 2 2 "
check_eq "ping same family: conntrack's icmp flows are DNATed to the backends" \
	"$(nsexec "$P-lb" conntrack -L -p icmp --orig-dst "$VIP4" 2>/dev/null |
		grep -cE "src=198.18.[12].2 dst=192.0.2.2")" 4
before=$(nlb_eval 'S(L("ping6"), "translated")')
check_eq "ping 6to4: 3 IPv6 clients answered by IPv4 backends" \
	"$(pings 3 "$VIP6" "$P-c6") $(($(nlb_eval 'S(L("ping6"), "translated")') - before))" "3 3"
check_eq "ping 6to4: the backend's legs are icmp flows from the pool's identifiers" \
	"$(nsexec "$P-lb" conntrack -L -p icmp --orig-src "$POOL" 2>/dev/null |
		grep -E "type=8 code=0 id=20[0-9]{3} " | grep -cE "dst=198.18.[12].2")" 3
check_eq "ping 6to4: the client's legs are icmpv6 flows to the VIP" \
	"$(nsexec "$P-lb" conntrack -L -f ipv6 -p icmpv6 --orig-dst "$VIP6" 2>/dev/null | wc -l)" 3
check_eq "ping 4to6: 2 IPv4 clients answered by the IPv6 backend" \
	"$(pings 2 203.0.113.30 "$P-c4")" 2
check_eq "ping 4to6: the backend sees the client at 64:ff9b::192.0.2.2" \
	"$(nsexec "$P-lb" conntrack -L -f ipv6 -p icmpv6 --orig-src 64:ff9b::c000:202 2>/dev/null |
		grep -c "dst=$b3")" 2
nlb listener del ping4
check_eq "ping: without the listener the echo is not balanced (no answer)" \
	"$(pings 1 "$VIP4" "$P-c4")" 0

# ---- 6. bulk transfers, checksummed
size=${NLB_XLAT_MB:-100}
head -c $((size * 1024 * 1024)) /dev/urandom >/tmp/nlbx-data
want=$(sha256sum </tmp/nlbx-data | cut -d' ' -f1)
nlb -b - <<EOF
group add x46 affinity off pool $POOL pool-port-min 22000 pool-port-max 22999
backend add x46 $b1
listener add sink6 vip $VIP6 proto tcp port 9100 group x46
listener add src6 vip $VIP6 proto tcp port 9101 group x46
group add x64 ipversion dualstack affinity off pool $POOL pool-port-min 23000 pool-port-max 23999
backend add x64 $b3
listener add sink4 vip $VIP4 proto tcp port 9100 group x64
listener add src4 vip $VIP4 proto tcp port 9101 group x64
EOF
# A sink that checksums what it gets, a source that sends the data.
transfer() {
	local bns=$1 cns=$2 vip=$3 got
	nsexec "$bns" socat -u TCP6-LISTEN:9100,ipv6only=0,reuseaddr \
		SYSTEM:"sha256sum >/tmp/nlbx-up-$bns" &
	nsexec "$bns" socat -u OPEN:/tmp/nlbx-data \
		TCP6-LISTEN:9101,ipv6only=0,reuseaddr &
	sleep 1
	nsexec "$cns" socat -u OPEN:/tmp/nlbx-data "TCP:$vip:9100"
	got=$(nsexec "$cns" socat -u "TCP:$vip:9101" - | sha256sum |
		cut -d' ' -f1)
	wait_for 10 yes sh -c "[ -s /tmp/nlbx-up-$bns ] && echo yes || echo no" >/dev/null
	echo "$(cut -d' ' -f1 /tmp/nlbx-up-$bns) $got"
}
start=$SECONDS
check_eq "bulk 6to4: ${size} MiB up and down arrive intact" \
	"$(transfer "$P-b1" "$P-c6" "[$VIP6]")" "$want $want"
check_eq "bulk 4to6: ${size} MiB up and down arrive intact" \
	"$(transfer "$P-b3" "$P-c4" "$VIP4")" "$want $want"
diag "bulk transfers: $((SECONDS - start)) s for $((4 * size)) MiB"

# ---- 7. ICMP errors translated
nlb listener add closed6 vip "$VIP6" proto udp port 5354 group u46
out=$(nsexec "$P-c6" python3 "$XPROBE" udp-error "$VIP6" 5354)
check_eq "icmp: a closed UDP port on the IPv4 backend: ICMPv6 port unreachable" \
	"$(cut -d' ' -f3,4 <<<"$out")" "1 4"
nlb -b - <<EOF
group add far affinity off pool $POOL pool-port-min 24000 pool-port-max 24999
backend add far 198.18.5.2
listener add far6 vip $VIP6 proto udp port 7 group far
EOF
check_eq "icmp: the router's answer through the translation" \
	"$(nsexec "$P-c6" python3 "$XPROBE" udp-ask "$VIP6" 7 hi)" b4
# Hop limit 2: 1 left after the gateway, 0 at the router.
out=$(nsexec "$P-c6" python3 "$XPROBE" udp-error "$VIP6" 7 2)
check_eq "icmp: time exceeded at the router, from 64:ff9b::198.18.4.2" \
	"$out" "error 64:ff9b::c612:402 3 0 0"
# Hop limit 1: it expires at the gateway, which answers for the VIP.
before=$(nlb_eval 'j["info"]["xlat_drops"]["hop_limit"]')
out=$(nsexec "$P-c6" python3 "$XPROBE" udp-error "$VIP6" 7 1)
check_eq "icmp: time exceeded at the gateway, from the VIP, counted (hop-limit)" \
	"$out $(($(nlb_eval 'j["info"]["xlat_drops"]["hop_limit"]') - before))" \
	"error $VIP6 3 0 0 1"
nlb listener del sink6
nlb listener add mtu6 vip "$VIP6" proto tcp port 9100 group far
nsexec "$P-b4" socat -u TCP-LISTEN:9100,reuseaddr \
	SYSTEM:"sha256sum >/tmp/nlbx-up-mtu" &
sleep 1
nsexec "$P-c6" socat -u OPEN:/tmp/nlbx-data "TCP:[$VIP6]:9100"
wait_for 10 yes sh -c "[ -s /tmp/nlbx-up-mtu ] && echo yes || echo no" >/dev/null
check_eq "pmtu: an upload through the MTU 1280 link arrives intact" \
	"$(cut -d' ' -f1 /tmp/nlbx-up-mtu)" "$want"
check_eq "pmtu: the client learnt MTU 1300 (1280 + 20) from Packet Too Big" \
	"$(nsexec "$P-c6" ip -6 route get "$VIP6" | grep -o 'mtu [0-9]*')" "mtu 1300"

# ---- 8. pool exhaustion
nlb -b - <<EOF
group add tiny affinity off pool 100.64.0.2 pool-port-min 40000 pool-port-max 40002
backend add tiny $b1 port 9000
listener add tiny vip $VIP6 proto tcp port 8081 group tiny
EOF
hold_start hp "$P-c6" "$VIP6" 8081
opened=$(hold hp "open 3" | grep -vc FAIL)
refused_before=$(nlb_eval 'S(L("tiny"), "drop_pool")')
fourth=$(hold hp "open 1")
check_eq "pool: 3 slots, 3 connections; the 4th refused and counted" \
	"$opened $(grep -c FAIL <<<"$fourth") $(($(nlb_eval 'S(L("tiny"), "drop_pool")') - refused_before))" \
	"3 1 1"
check_eq "pool: shown in use" "$(nlb_eval 'G("tiny")["pool4_used"]' 'G("tiny")["pool4_size"]')" $'3\n3'
nlb group change tiny affinity on
check_eq "affinity on at runtime: the translated connections go on" \
	"$(hold hp "say on" | grep -vc FAIL)" 3
nlb group change tiny affinity off
# A connection that closes gives its slot back at once, but while its
# backend's leg waits in TIME_WAIT, the slot serves only connections to
# other backends: here the wait is one second.
nsexec "$P-lb" sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=1
hold hp "close 1" >/dev/null
v=$(nlb_wait 10 'G("tiny")["pool4_used"]' 2)
check_eq "pool: a closed connection gives its slot back" "$v" 2
sleep 3
again=$(hold hp "open 1")
check "pool: the slot then serves a new connection" -- \
	test "$(grep -c FAIL <<<"$again")" = 0
diag "$again"
hold_stop hp

# ---- 9. lifetime and robustness
nsexec "$P-lb" conntrack -F >/dev/null 2>&1
hold_start h6 "$P-c6" "$VIP6" 8081
hold h6 "open 1" >/dev/null
n6=$(nsexec "$P-lb" conntrack -L -f ipv6 -p tcp --dport 8081 2>/dev/null | wc -l)
n4=$(nsexec "$P-lb" conntrack -L -f ipv4 -p tcp --dport 9000 2>/dev/null | grep -c "src=100.64.0.2")
nsexec "$P-lb" conntrack -D -f ipv6 -p tcp --dport 8081 >/dev/null 2>&1
n4b=$(nsexec "$P-lb" conntrack -L -f ipv4 -p tcp --dport 9000 2>/dev/null | grep -c "src=100.64.0.2")
check_eq "lifetime: deleting the client's leg takes the backend's with it" \
	"$n6 $n4 $n4b" "1 1 0"
hold_stop h6
# The drain timeout ends translated connections too: a RST to the client
# on the client's leg, one to the backend on the backend's leg.
nlb -b - <<EOF
group add dr46 affinity off pool 100.64.0.3 pool-port-min 41000 pool-port-max 41999 drain-timeout 2
backend add dr46 $b1 port 9000
listener add dr46 vip $VIP6 proto tcp port 8082 group dr46
EOF
b1est() {
	nsexec "$P-b1" ss -Htn state established '( sport = :9000 )' |
		grep -c 100.64.0.3
}
hold_start hd "$P-c6" "$VIP6" 8082
check_eq "drain: 2 translated connections" \
	"$(hold hd "open 2" | grep -vc FAIL) $(b1est)" "2 2"
d0=$(nlb_eval 'S(G("dr46"), "drained")')
nlb backend del dr46 "$b1" port 9000
for ((i = 0; i < 20; i++)); do
	st=$(hold hd state)
	[ "$(grep -c ' reset$' <<<"$st")" -ge 2 ] && break
	sleep 1
done
check_eq "drain: at the timeout both clients see a reset, the backend's ends too, counted" \
	"$(grep -c ' reset$' <<<"$st") $(b1est) $(($(nlb_eval 'S(G("dr46"), "drained")') - d0))" \
	"2 0 2"
check_eq "drain: no leg left in conntrack" \
	"$(nsexec "$P-lb" conntrack -L 2>/dev/null | grep -cE 'dport=8082|src=100.64.0.3 ')" 0
hold_stop hd
# Malformed: ICMPv6 errors quoting translated flows, truncated; and
# overlapping fragments toward the VIP.
nsexec "$P-c6" python3 - "$VIP6" <<'EOF'
import socket, struct, sys
vip = sys.argv[1]
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
src = socket.inet_pton(socket.AF_INET6, "2001:db8:1::2")
dst = socket.inet_pton(socket.AF_INET6, vip)
def ip6(nh, payload):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + src + dst + payload
for cut in (8, 20, 44, 47, 60):
    inner = ip6(17, struct.pack("!HHHH", 5353, 40000, 8, 0))[:cut]
    icmp = struct.pack("!BBHI", 1, 4, 0, 0) + inner
    s.sendto(ip6(58, icmp), (vip, 0))
for off in (0, 8, 8, 16):
    frag = struct.pack("!BBHI", 17, 0, (off << 3) | 1, 0x1234) + b"x" * 24
    s.sendto(ip6(44, frag), (vip, 0))
print("sent")
EOF
drops() {
	nlb_eval 'sum(j["info"]["xlat_drops"].values())'
}
d0=$(drops)
out=$(nsexec "$P-c6" python3 "$XPROBE" icmp-bogus 2001:db8:1::2 "$VIP6" 5353)
diag "$out; drops by reason: $(nlb -j -s info | tr -d '\n')"
# Those whose quoted packet is not UDP (a fragment header) cannot be
# translated; the others are, or conntrack does not relate them.
check "robustness: bogus ICMPv6 errors about a translated flow: dropped, counted" -- \
	test "$(($(drops) - d0))" -ge 4
check_eq "robustness: the flow still answers" \
	"$(nsexec "$P-c6" python3 "$XPROBE" udp-ask "$VIP6" 5353 hi)" b1
check_eq "robustness: malformed packets do not disturb a new request" \
	"$(curl_page "$P-c6" "$url6" | tr -d '\n' | grep -cE '^b[12]$')" 1

hold_start h6 "$P-c6" "$VIP6" 8081
hold h6 "open 2" >/dev/null
check "unload: rmmod with translated connections in flight" -- nlb_unload
hold_stop h6
nlb_load

tap_end
