#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flowtable offload (group offload on): established TCP connections and
# answered UDP flows of both families move into nlb's flowtable (shown
# [OFFLOAD] by conntrack), keep working and keep being counted; a device
# created afterwards gets the flowtable's hook; offload off hands the
# connections back to conntrack without breaking them, and on takes them
# again; refused combinations change nothing; a device, a group, the
# flowtable, a namespace and the module going away with offloaded
# connections in it.
#
#                               +-----------------------------+
#   c4  192.0.2.2   ---------+  | lb: nlb.ko                  |  +--- b1 198.18.1.2  2001:db8:101::2
#                            +--+ VIP 203.0.113.10            +--+
#   c6  2001:db8:1::2 -------+  |     2001:db8:ff::10         |  +--- b2 (linked later)
#                               +-----------------------------+
#   TCP echo on port 9000 and UDP echo on port 9001 of bN answer "bN=<line>".

# Functions called through check or trap; single-quoted strings for eval.
# shellcheck disable=SC2016,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbo
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip socat conntrack python3 nft
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

cleanup() {
	hold_stop h4
	hold_stop h6
	hold_stop h2
	hold_stop h5
	hold_stop h7
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

# udp_echo NS NAME PORT: a UDP server (both families) answering "NAME=data".
udp_echo() {
	nsexec "$1" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", int(sys.argv[2])))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(sys.argv[1].encode() + b"=" + d, a)' "$2" "$3" &
}

# udp_ask NS DST PORT SPORT N: N datagrams from source port SPORT, one at a
# time; prints how many were answered and by which backend ("10 b1").
udp_ask() {
	nsexec "$1" python3 -c 'import socket, sys
dst, port, sport, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
s.settimeout(5)
s.connect((dst, port))
ok, who = 0, "-"
for i in range(n):
    try:
        s.send(b"u%d" % i)
        name, _, echoed = s.recv(2048).decode().partition("=")
    except OSError:
        continue
    if echoed == "u%d" % i:
        ok += 1
        who = name
print(ok, who)' "$2" "$3" "$4" "$5"
}

# offloaded PROTO PORT: conntrack entries of the load balancer to PORT,
# as "offloaded/all".
offloaded() {
	nsexec "$P-lb" conntrack -L -p "$1" --dport "$2" 2>/dev/null |
		awk '/OFFLOAD/ {o++} {n++} END {printf "%d/%d\n", o, n}'
}

# wait_offloaded SECONDS PROTO PORT WANT: poll offloaded until it is WANT.
wait_offloaded() {
	local v rc
	v=$(wait_for "$1" "$4" offloaded "$2" "$3")
	rc=$?
	diag "offloaded $2 $3: $v"
	return $rc
}

# says ID WORD N: send WORD1..WORDN on every connection of holder ID;
# prints the number of answers that came back.
says() {
	local k n=0
	for ((k = 1; k <= $3; k++)); do
		n=$((n + $(hold "$1" "say $2$k" | grep -vc FAIL)))
	done
	echo "$n"
}

tap_begin
nlb_load || tap_bail "insmod failed"
topo_setup 1
start_echo "$P-b1" b1 9000
udp_echo "$P-b1" b1 9001
b14=$(backend4 1)
b16=$(backend6 1)

# ---- Refused combinations change nothing.
expect_err() {
	local want=$1 out
	shift
	out=$(nlb "$@" 2>&1) && { diag "accepted: $*"; return 1; }
	diag "$out"
	grep -qF -- "$want" <<<"$out"
}
check "offload on with track on is refused" -- \
	expect_err "offload needs track off" group add web offload on track on
check "offload on with the wlc scheduler is refused" -- \
	expect_err "offload needs track off" group add web offload on sched wlc
check "offload 2 is refused" -- \
	expect_err "offload" group add web offload 2
check_eq "nothing was created" "$(nlb group show)" ""

configure() {
	nlb group add web ipversion dualstack sched rr offload on &&
	nlb backend add web "$b14" &&
	nlb backend add web "$b16" &&
	nlb listener add tcp vip "$VIP4" vip "$VIP6" proto tcp port 9000 \
		group web &&
	nlb listener add udp vip "$VIP4" vip "$VIP6" proto udp port 9001 \
		group web
}
check "configure: group web (rr, offload on), b1 both families, tcp 9000, udp 9001" -- \
	configure
check "group show says offload on" -- \
	eval 'nlb group show web | grep -q " offload on "'
check "track on on an offloaded group is refused" -- \
	expect_err "offload needs track off" group change web track on
check "the refused changes changed nothing" -- \
	eval 'nlb group show web | grep -q "track off acct on offload on proxy off drain-timeout 0 "'

# ---- TCP, both families: established connections go into the flowtable.
hold_start h4 "$P-c4" "$VIP4" 9000
hold_start h6 "$P-c6" "$VIP6" 9000
check_eq "IPv4: 2 connections answered by b1" \
	"$(hold h4 "open 2" | grep -c ' b1$')" 2
check_eq "IPv6: 2 connections answered by b1" \
	"$(hold h6 "open 2" | grep -c ' b1$')" 2
check "TCP: the 4 established connections are offloaded" -- \
	wait_offloaded 10 tcp 9000 4/4
before=$(nlb_eval 'S(G("web"), "in_packets")')
check_eq "TCP: 20 more exchanges per connection, all answered through the flowtable" \
	"$(says h4 a 10)/$(says h6 a 10)" "20/20"
check "TCP: still offloaded" -- wait_offloaded 2 tcp 9000 4/4
after=$(nlb_eval 'S(G("web"), "in_packets")')
diag "group in_packets before $before after $after"
check "TCP: offloaded packets are counted (in_packets +40 at least)" -- \
	test "$((after - before))" -ge 40

# ---- UDP, both families.
check_eq "UDP IPv4: 10 of 10 answered by b1" \
	"$(udp_ask "$P-c4" "$VIP4" 9001 40001 10)" "10 b1"
check_eq "UDP IPv6: 10 of 10 answered by b1" \
	"$(udp_ask "$P-c6" "$VIP6" 9001 40001 10)" "10 b1"
check "UDP: both flows offloaded" -- wait_offloaded 10 udp 9001 2/2
check_eq "UDP: the same flows again, 10 of 10 answered" \
	"$(udp_ask "$P-c4" "$VIP4" 9001 40001 10) $(udp_ask "$P-c6" "$VIP6" 9001 40001 10)" \
	"10 b1 10 b1"
pk=$(nsexec "$P-lb" conntrack -L -p udp --dport 9001 -s 192.0.2.2 2>/dev/null |
	sed -n 's/.*dport=9001 packets=\([0-9]*\).*/\1/p')
diag "UDP IPv4 flow, client's packets per conntrack: $pk"
check "UDP: conntrack counted the offloaded packets too (19 or 20 of 20)" -- \
	test "${pk:-0}" -ge 19

# Datagrams nobody answers stay in conntrack.
check "listener udp2: UDP port 9002, where b1 has no server" -- \
	nlb listener add udp2 vip "$VIP4" vip "$VIP6" proto udp port 9002 group web
check_eq "UDP unanswered: 0 of 3 answered" \
	"$(udp_ask "$P-c4" "$VIP4" 9002 40003 3)" "0 -"
check_eq "UDP unanswered: not offloaded" "$(offloaded udp 9002)" "0/1"

# ---- A device created after offload was turned on gets the hook.
new_ns "$P-b2"
link_ns "$P-lb" "$P-b2"
ip -n "$P-lb" addr add 198.18.2.1/24 dev "to-$P-b2"
ip -n "$P-b2" addr add 198.18.2.2/24 dev "to-$P-lb"
ip -n "$P-b2" route add default via 198.18.2.1
start_echo "$P-b2" b2 9000
configure2() {
	nlb group add web2 offload on &&
	nlb backend add web2 198.18.2.2 port 9000 &&
	nlb listener add tcp2 vip "$VIP4" proto tcp port 9100 group web2
}
check "configure: group web2 (offload on), b2 linked afterwards, tcp 9100 to b2:9000" -- \
	configure2
hold_start h2 "$P-c4" "$VIP4" 9100
check_eq "new device: 1 connection answered by b2" \
	"$(hold h2 "open 1" | grep -c ' b2$')" 1
check "new device: its connection is offloaded" -- \
	wait_offloaded 10 tcp 9100 1/1
check_eq "new device: 10 exchanges answered" "$(says h2 n 10)" 10

# ---- offload off hands web's connections back; web2's stay.
check "group change web offload off" -- nlb group change web offload off
check "offload off: web's connections are back in conntrack within 5 s" -- \
	wait_offloaded 5 tcp 9000 0/4
check "offload off: web2's connection is still offloaded" -- \
	wait_offloaded 1 tcp 9100 1/1
check_eq "offload off: web's connections still answer" \
	"$(says h4 b 3)/$(says h6 b 3)" "6/6"
check_eq "offload off: they are not offloaded again" "$(offloaded tcp 9000)" 0/4
check "group change web offload on" -- nlb group change web offload on
check_eq "offload on again: they answer" "$(says h4 c 1)/$(says h6 c 1)" "2/2"
check "offload on again: they are offloaded again" -- \
	wait_offloaded 10 tcp 9000 4/4

# ---- A device going down hands its flows back to conntrack
# (NETDEV_DOWN): the IPv4 flows enter through the client's link, the IPv6
# ones do not and stay in the flowtable.
# offloaded_fam FAMILY PROTO PORT: offloaded/all of one family
offloaded_fam() {
	nsexec "$P-lb" conntrack -L -f "$1" -p "$2" --dport "$3" 2>/dev/null |
		awk '/OFFLOAD/ {o++} {n++} END {printf "%d/%d\n", o, n}'
}
check "device down: the load balancer's link to c4 goes down" -- \
	ip -n "$P-lb" link set "to-$P-c4" down
check "device down: the 2 IPv4 flows through it are handed back within 5 s" -- \
	wait_for 5 0/2 offloaded_fam ipv4 tcp 9000
check_eq "device down: the 2 IPv6 flows stay offloaded" \
	"$(offloaded_fam ipv6 tcp 9000)" 2/2
check "device down: the link comes up again (and the gateway's default route with it)" -- \
	eval 'ip -n "$P-lb" link set "to-$P-c4" up &&
	ip -n "$P-lb" route replace default via 192.0.2.2'

check_eq "device up: the IPv4 connections answer again" "$(says h4 u 1)" 2
check "device up: ... and go back into the flowtable (the device is hooked again)" -- \
	wait_for 10 2/2 offloaded_fam ipv4 tcp 9000
check_eq "device up: 5 more exchanges answered through the flowtable" \
	"$(says h4 v 5)/$(says h6 v 5)" "10/10"

# ---- Drain timeout: offloaded connections of a deleted backend are reset
# at both ends when it expires (the flowtable hands them back, ACKs drawn
# from both ends give conntrack the sequence numbers); the others stay.
configure_dr() {
	nlb group add dr ipversion dualstack offload on drain-timeout 3 &&
	nlb backend add dr "$b14" port 9000 &&
	nlb backend add dr "$b16" port 9000 &&
	nlb listener add trd vip "$VIP4" vip "$VIP6" proto tcp port 9200 \
		group dr
}
check "configure: group dr (offload on, drain-timeout 3), b1 both families, tcp 9200" -- \
	configure_dr
hold_start h5 "$P-c4" "$VIP4" 9200
hold_start h7 "$P-c6" "$VIP6" 9200
check_eq "drain: 2 IPv4 and 2 IPv6 connections answered by b1" \
	"$(hold h5 "open 2" | grep -c ' b1$')/$(hold h7 "open 2" | grep -c ' b1$')" \
	"2/2"
check "drain: the 4 connections are offloaded" -- \
	wait_offloaded 10 tcp 9200 4/4
b1est() {
	nsexec "$P-b1" ss -Htn state established '( sport = :9000 )' |
		grep -c "$1"
}
est4=$(b1est 192.0.2.2)
d0=$(nlb_eval 'S(G("dr"), "drained")')
check "drain: delete the IPv4 backend of dr" -- \
	nlb backend del dr "$b14" port 9000
start=$SECONDS
check_eq "drain: before the timeout the IPv4 connections answer" \
	"$(says h5 p 1)" 2
for ((i = 0; i < 20; i++)); do
	st=$(hold h5 state)
	[ "$(grep -c ' reset$' <<<"$st")" -ge 2 ] && break
	sleep 1
done
diag "drain: $((SECONDS - start)) s after the delete: $(flat "$st")"
check_eq "drain: at the timeout both IPv4 connections see a reset" \
	"$(grep -c ' reset$' <<<"$st")" 2
check "drain: not before the timeout (>= 2 s after the delete)" -- \
	test $((SECONDS - start)) -ge 2
est=$(b1est 192.0.2.2)
diag "b1 established from 192.0.2.2: $est4 before, $est after"
check_eq "drain: b1 got the resets too (2 connections fewer)" \
	"$((est4 - est))" 2
check_eq "drain: drained +2" "$(($(nlb_eval 'S(G("dr"), "drained")') - d0))" 2
check "drain: the IPv6 connections stay offloaded" -- \
	wait_offloaded 5 tcp 9200 2/2
check_eq "drain: the IPv6 connections answer" "$(says h7 q 1)" 2
check "drain: the backend re-added, a new IPv4 connection is offloaded" -- \
	eval 'nlb backend add dr "$b14" port 9000 &&
	[ "$(hold h5 "open 1" | grep -c " b1$")" = 1 ] &&
	wait_offloaded 10 tcp 9200 3/3'
hold_stop h5
hold_stop h7
check "drain: delete listener trd and group dr" -- \
	eval 'nlb listener del trd && nlb group del dr'

# ---- Things going away with offloaded connections in them.
ip -n "$P-lb" link del "to-$P-b2"
check_eq "device deleted: web2's connection no longer answers" \
	"$(hold h2 "say gone" | grep -c FAIL)" 1
hold_stop h2
del_ns "$P-b2"
check "delete listener tcp2 and group web2" -- \
	eval 'nlb listener del tcp2 && nlb group del web2'
check "group change web offload off: the last group, the flowtable goes" -- \
	nlb group change web offload off
check "flowtable gone: nothing offloaded" -- wait_offloaded 2 tcp 9000 0/4
check_eq "flowtable gone: web's connections still answer" \
	"$(says h4 d 2)/$(says h6 d 2)" "4/4"
check "offload on once more, and the connections go back in" -- \
	eval 'nlb group change web offload on && says h4 e 1 >/dev/null && says h6 e 1 >/dev/null && wait_offloaded 10 tcp 9000 4/4'

# A namespace with a flowtable and offloaded connections goes away.
gone() {
	new_ns "$P-x" "$P-xc" "$P-xb" &&
	nsexec "$P-x" sysctl -qw net.ipv4.ip_forward=1 &&
	link_ns "$P-x" "$P-xc" && link_ns "$P-x" "$P-xb" &&
	ip -n "$P-x" addr add 10.1.0.1/24 dev "to-$P-xc" &&
	ip -n "$P-xc" addr add 10.1.0.2/24 dev "to-$P-x" &&
	ip -n "$P-xc" route add default via 10.1.0.1 &&
	ip -n "$P-x" addr add 10.2.0.1/24 dev "to-$P-xb" &&
	ip -n "$P-xb" addr add 10.2.0.2/24 dev "to-$P-x" &&
	ip -n "$P-xb" route add default via 10.2.0.1 &&
	nsexec "$P-x" "$NLBADM" group add g offload on &&
	nsexec "$P-x" "$NLBADM" backend add g 10.2.0.2 &&
	nsexec "$P-x" "$NLBADM" listener add l vip 10.9.9.9 proto udp \
		port 9001 group g &&
	udp_echo "$P-xb" xb 9001 && sleep 1 &&
	[ "$(udp_ask "$P-xc" 10.9.9.9 9001 40002 5)" = "5 xb" ] &&
	[ "$(nsexec "$P-x" conntrack -L -p udp 2>/dev/null | grep -c OFFLOAD)" = 1 ] &&
	del_ns "$P-xc" "$P-xb" "$P-x"
}
check "a namespace with offloaded connections is deleted" -- gone

# rmmod frees the flowtable: conntrack carries the connections on, as
# long as something else in the namespace uses NAT (design.md, unload).
gw_nat() {
	nsexec "$P-lb" nft add table inet gw &&
	nsexec "$P-lb" nft add chain inet gw postnat \
		'{ type nat hook postrouting priority srcnat; }' &&
	nsexec "$P-lb" nft add rule inet gw postnat oifname "uplink0" masquerade
}
check "an nft NAT rule (the gateway's own) keeps NAT in the namespace" -- gw_nat
check "rmmod with connections in the flowtable" -- rmmod nlb
nlb_loaded_here=0
check "after rmmod: nothing offloaded" -- wait_offloaded 2 tcp 9000 0/4
check_eq "after rmmod: the connections still answer" \
	"$(says h4 f 1)/$(says h6 f 1)" "2/2"

tap_end
