#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Draining and refusals: a deleted backend keeps its established
# connections (shown as draining, with exact active counts) until they
# end, then goes away with a "drained" notification; re-adding it takes it
# back; a group's drain timeout ends the remaining connections with a TCP
# reset both ways, counted exactly. Notifications of `nlbadm monitor`.
# Reject modes of a listener without an eligible backend: reset, icmp,
# drop, each counted as drop-no-backend.
#
#                               +-----------------------------+
#   c4  192.0.2.2   ---------+  | lb: nlb.ko                  |  +--- b1 198.18.1.2  2001:db8:101::2
#                            +--+ VIP 203.0.113.10            +--+--- b2 198.18.2.2  2001:db8:102::2
#   c6  2001:db8:1::2 -------+  |     2001:db8:ff::10         |  +--- b3 198.18.3.2  2001:db8:103::2
#                               +-----------------------------+
#   socat echo on port 9000 of bN answers "bN=<line>".

# Arrays read through namerefs; single-quoted strings for eval and check;
# functions called through check or trap.
# shellcheck disable=SC2034,SC2016,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbr
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip curl socat ss nft conntrack python3
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

mon=/tmp/drain-monitor.out
cleanup() {
	local h
	for h in h4 h6 t4 t6 g4 g6; do
		hold_stop $h
	done
	monitor_stop
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

# udp_echo NS NAME PORT: a UDP server (both families) answering "NAME".
udp_echo() {
	nsexec "$1" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", int(sys.argv[2])))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(sys.argv[1].encode() + b"\n", a)' "$2" "$3" &
}

tap_begin
nlb_load || tap_bail "insmod failed"
topo_setup 3
for i in 1 2 3; do
	start_echo "$P-b$i" "b$i" 9000
	udp_echo "$P-b$i" "b$i" 9001
done
check "monitor: nlbadm monitor prints notifications" -- monitor_start "$mon"

b14=$(backend4 1)
b24=$(backend4 2)
b16=$(backend6 1)
b26=$(backend6 2)

configure() {
	nlb group add echo ipversion dualstack sched rr track on &&
	nlb backend add echo "$b14" port 9000 &&
	nlb backend add echo "$b24" port 9000 &&
	nlb backend add echo "$b16" port 9000 &&
	nlb backend add echo "$b26" port 9000 &&
	nlb listener add echo vip "$VIP4" vip "$VIP6" proto tcp port 9000 \
		group echo
}
check "configure: group echo (rr, track on), b1 b2 of both families, listener tcp 9000" -- \
	configure

# ---- Monitor: a health change is notified.
nlb backend change echo "$b14" port 9000 health down
nlb backend change echo "$b14" port 9000 health up
check "monitor: health down notified: change backend echo $b14 port 9000 ... health down" -- \
	wait_grep 20 "^change backend echo $b14 port 9000 .*health down" "$mon"
check "monitor: health up notified" -- \
	wait_grep 20 "^change backend echo $b14 port 9000 .*health up" "$mon"
check "monitor: additions were notified (group, backend, listener)" -- \
	eval 'grep -q "^add group echo" "$mon" && grep -q "^add backend echo $b26 " "$mon" && grep -q "^add listener echo" "$mon"'
# monitor count N: exits by itself after N notifications.
nsexec "$P-lb" "$NLBADM" monitor count 2 >/tmp/drain-monitor2.out 2>&1 &
mpid=$!
sleep 3
nlb backend change echo "$b24" port 9000 weight 2
nlb backend change echo "$b24" port 9000 weight 1
for ((i = 0; i < 40; i++)); do
	[ -d "/proc/$mpid" ] || break
	sleep 0.5
done
if [ -d "/proc/$mpid" ]; then
	kill "$mpid"
	tap_result 1 "monitor count 2: exits after 2 notifications"
else
	wait "$mpid"
	check_eq "monitor count 2: exits after 2 notifications (status, lines)" \
		"$?/$(grep -c '^change backend' /tmp/drain-monitor2.out)" "0/2"
fi
sed 's/^/# monitor count 2: /' /tmp/drain-monitor2.out

# ---- Long-lived connections, exact counters.
hold_start h4 "$P-c4" "$VIP4" 9000
hold_start h6 "$P-c6" "$VIP6" 9000
c4=$(hold h4 "open 6")
c6=$(hold h6 "open 4")
diag "IPv4: $(flat "$c4")"
diag "IPv6: $(flat "$c6")"
check_eq "6 IPv4 connections, 3 per backend (rr)" \
	"$(grep -c ' b1$' <<<"$c4") $(grep -c ' b2$' <<<"$c4")" "3 3"
check_eq "4 IPv6 connections, 2 per backend (rr)" \
	"$(grep -c ' b1$' <<<"$c6") $(grep -c ' b2$' <<<"$c6")" "2 2"
bsum() { echo "sum(S(b, \"$1\") for b in G(\"echo\")[\"backends\"])"; }
mapfile -t v < <(nlb_eval \
	"[S(B('echo', a), 'active') for a in ('$b14', '$b24', '$b16', '$b26')]" \
	'[S(L("echo"), k) for k in ("conns", "active")]' \
	'[S(G("echo"), k) for k in ("conns", "active")]' \
	'[S(L("echo"), k) for k in ("in_packets", "in_bytes", "out_packets", "out_bytes")]' \
	'[S(G("echo"), k) for k in ("in_packets", "in_bytes", "out_packets", "out_bytes")]' \
	"[$(bsum in_packets), $(bsum in_bytes), $(bsum out_packets), $(bsum out_bytes)]")
diag "active per backend ${v[0]}; listener conns/active ${v[1]}; group ${v[2]}"
diag "packets/bytes in/out: listener ${v[3]} group ${v[4]} backends ${v[5]}"
check_eq "counters: active per backend 3 3 2 2" "${v[0]}" "[3, 3, 2, 2]"
check_eq "counters: listener and group: 10 conns, 10 active" \
	"${v[1]} ${v[2]}" "[10, 10] [10, 10]"
check "counters: packets and bytes both ways counted" -- \
	python3 -c 'import sys; v = eval(sys.argv[1]); sys.exit(not all(x > 0 for x in v))' "${v[3]}"
check_eq "counters: packets and bytes: group == listener == sum of backends" \
	"${v[4]} ${v[5]}" "${v[3]} ${v[3]}"
out=$(ct_vs_nlb tcp 9000 echo echo)
diag "packets and bytes against conntrack: $out"
check "counters: packets and bytes of listener, group and each backend are conntrack's" -- \
	test "${out%% *}" = ok

# ---- Delete b1 (IPv4): draining.
want4=${c4//conn/say}
check "drain: delete backend b1 (IPv4) with 3 connections" -- \
	nlb backend del echo "$b14" port 9000
mapfile -t v < <(nlb_eval "B('echo', '$b14')['draining']" \
	"S(B('echo', '$b14'), 'active')")
check_eq "drain: b1 shown as draining, active 3" "${v[0]} ${v[1]}" "True 3"
out=$(nlb backend change echo "$b14" port 9000 weight 2 2>&1)
rc=$?
diag "backend change of the draining b1: exit $rc: $out"
check_eq "drain: a draining backend cannot be changed (exit 2, the kernel's refusal)" \
	"$rc $(grep -c '^nlbadm: no backend with this address and port' <<<"$out")" "2 1"
mapfile -t v < <(nlb_eval "[B('echo', '$b14')[k] for k in ('draining', 'weight', 'enabled', 'healthy')]" \
	"S(B('echo', '$b14'), 'active')")
check_eq "drain: ... and it is unchanged: draining, weight 1, enabled, healthy, active 3" \
	"${v[0]} ${v[1]}" "[True, 1, True, True] 3"
line=$(nlb backend show echo | grep "$b14")
diag "show: $line"
check "drain: backend show prints 'draining'" -- grep -q draining <<<"$line"
check "monitor: del backend notified" -- \
	wait_grep 20 "^del backend echo $b14 " "$mon"
check_eq "drain: the 6 established IPv4 connections continue, same backends" \
	"$(hold h4 "say one")" "$want4"
new=$(hold h4 "open 4")
diag "new IPv4 connections: $(flat "$new")"
check_eq "drain: 4 new IPv4 connections all go to b2" \
	"$(grep -c ' b2$' <<<"$new")" 4
hold h4 "closeon b1 1" >/dev/null
got=$(nlb_wait 30 "S(B('echo', '$b14'), 'active')" 2) ||
	diag "conntrack of port 9000: $(ct_states 9000)"
check_eq "drain: one connection of b1 closed: active 2" "$got" 2
check "drain: re-add b1: taken back" -- nlb backend add echo "$b14" port 9000
mapfile -t v < <(nlb_eval "B('echo', '$b14')['draining']" \
	"S(B('echo', '$b14'), 'active')")
check_eq "drain: b1 back, not draining, its 2 connections counted" \
	"${v[0]} ${v[1]}" "False 2"
new=$(hold h4 "open 2")
check_eq "drain: b1 gets new connections again (rr: one of two)" \
	"$(grep -c ' b1$' <<<"$new")" 1
check "drain: delete b1 again" -- nlb backend del echo "$b14" port 9000
hold h4 "closeon b1 3" >/dev/null
got=$(nlb_wait 30 "B('echo', '$b14') is None" True) ||
	diag "conntrack of port 9000: $(ct_states 9000)"
check_eq "drain: b1's last connection closed: b1 is gone" "$got" True
check "monitor: drained backend notified" -- \
	wait_grep 20 "^drained backend echo $b14 " "$mon"
check_eq "drain: no connection was reset by draining without a timeout" \
	"$(nlb_eval 'S(G("echo"), "drained")')" 0

# ---- Drain timeout: remaining connections reset when it expires.
check "drain timeout: re-add b1 (IPv4), group drain-timeout 6" -- \
	eval 'nlb backend add echo "$b14" port 9000 &&
	nlb group change echo drain-timeout 6'
hold h4 "open 2" >/dev/null
t4=$(hold h4 count)
t6=$(hold h6 count)
k4=$(nof b2 <<<"$t4")
k6=$(nof b2 <<<"$t6")
keep=$(($(nof b1 <<<"$t4") + $(nof b1 <<<"$t6")))
diag "drain timeout: IPv4 connections $(flat "$t4"), IPv6 $(flat "$t6")"
d0=$(nlb_eval 'S(G("echo"), "drained")')
check "drain timeout: delete b2 (both families) with $k4 + $k6 connections" -- \
	eval 'nlb backend del echo "$b24" port 9000 &&
	nlb backend del echo "$b26" port 9000'
start=$SECONDS
line=$(nlb backend show echo | grep "$b24")
diag "show: $line"
left=$(sed -nE 's/.*drain-left ([0-9]+).*/\1/p' <<<"$line")
check "drain timeout: show prints draining and drain-left (${left:-none}) <= 6" -- \
	test -n "$left" -a "${left:-99}" -le 6 -a "${left:-0}" -ge 1
s4=$(hold h4 "say before")
s6=$(hold h6 "say before")
n4all=$(($(nof b1 <<<"$t4") + $(nof b2 <<<"$t4")))
n6all=$(($(nof b1 <<<"$t6") + $(nof b2 <<<"$t6")))
check_eq "drain timeout: before it expires each of the $n4all IPv4 connections still answers, on its backend" \
	"$(grep -c . <<<"$s4") $s4" "$n4all $(hold h4 list | sed 's/^conn /say /')"
check_eq "drain timeout: ... and each of the $n6all IPv6 connections" \
	"$(grep -c . <<<"$s6") $s6" "$n6all $(hold h6 list | sed 's/^conn /say /')"
# Wait for the timeout, then read without sending: a reset shows as
# ECONNRESET on the read.
for ((i = 0; i < 30; i++)); do
	st=$(hold h4 state; hold h6 state)
	[ "$(grep -c ' reset$' <<<"$st")" -ge $((k4 + k6)) ] && break
	sleep 1
done
diag "drain timeout: $((SECONDS - start)) s after the delete: $(grep -c ' reset$' <<<"$st") reset, $(grep -c ' open$' <<<"$st") open"
check_eq "drain timeout: the $((k4 + k6)) connections of b2 see a reset (read fails with ECONNRESET)" \
	"$(grep -c ' reset$' <<<"$st")" $((k4 + k6))
check "drain timeout: not before the timeout (>= 5 s after the delete)" -- \
	test $((SECONDS - start)) -ge 5
s=$(hold h4 "say after"; hold h6 "say after")
check_eq "drain timeout: the $keep connections of b1 go on" \
	"$(grep -c ' b1$' <<<"$s")" "$keep"
est=$(nsexec "$P-b2" ss -Htn state established '( sport = :9000 )')
diag "b2 established on :9000 after the timeout: $(flat "$est")"
check_eq "drain timeout: b2 got the reset too (no established connection left)" \
	"$(grep -c . <<<"$est")" 0
mapfile -t v < <(nlb_eval 'S(G("echo"), "drained")' 'S(L("echo"), "drained")' \
	"B('echo', '$b24') is None and B('echo', '$b26') is None" \
	'S(G("echo"), "active")')
diag "drained: group +$((v[0] - d0)) listener ${v[1]}; b2 gone ${v[2]}; active ${v[3]}"
check_eq "drain timeout: exact counters: drained +$((k4 + k6)) on group and listener" \
	"$((v[0] - d0)) ${v[1]}" "$((k4 + k6)) $((k4 + k6))"
check_eq "drain timeout: b2 gone from show, group active = the $keep left" \
	"${v[2]} ${v[3]}" "True $keep"
check "monitor: drained notified for both b2 backends" -- \
	eval 'wait_grep 20 "^drained backend echo $b24 " "$mon" &&
	wait_grep 20 "^drained backend echo $b26 " "$mon"'
hold_stop h4
hold_stop h6
got=$(nlb_wait 30 'S(G("echo"), "active")' 0) ||
	diag "conntrack of port 9000: $(ct_states 9000)"
mapfile -t v2 < <(nlb_eval 'S(L("echo"), "active")' 'S(L("echo"), "conns")' \
	'S(G("echo"), "conns")')
diag "after all closed: group active $got, listener active ${v2[0]}; conns listener ${v2[1]} group ${v2[2]}"
check_eq "counters: every connection closed: active 0 (group, listener)" \
	"$got ${v2[0]}" "0 0"
check_eq "counters: exact conns: 6 + 4 + 4 + 2 + 2 = 18 (listener, group)" \
	"${v2[1]} ${v2[2]}" "18 18"

# ---- UDP and a drain timeout: the flow of a deleted backend loses its
# conntrack entry when the timeout expires; the client's next datagram,
# from the same address and port, is a new connection, scheduled to a
# backend that is there.
check "drain timeout, UDP: group udr (rr, drain-timeout 10) b1 b2 port 9001, listener udp 9001" -- \
	eval 'nlb group add udr sched rr drain-timeout 10 &&
	nlb backend add udr "$b14" port 9001 &&
	nlb backend add udr "$b24" port 9001 &&
	nlb listener add udr vip "$VIP4" proto udp port 9001 group udr'
uask() { flows "$P-c4" udp "$VIP4" 9001 --src 192.0.2.2 --sport 41000 --timeout 3 | awk '{print $3}'; }
u1=$(uask)
check "drain timeout, UDP: the flow from 192.0.2.2:41000 answered by b1 or b2 ($u1)" -- \
	eval '[[ $u1 =~ ^b[12]$ ]]'
ub=$(backend4 "${u1#b}")
[ "$u1" = b1 ] && uo=b2 || uo=b1
check "drain timeout, UDP: delete its backend $u1" -- nlb backend del udr "$ub" port 9001
check_eq "drain timeout, UDP: before the timeout the flow still goes to $u1" "$(uask)" "$u1"
got=$(nlb_wait 20 "[S(G('udr'), 'drained'), B('udr', '$ub') is None]" "[1, True]")
check_eq "drain timeout, UDP: at the timeout the flow is ended (drained 1), the backend gone" \
	"$got" "[1, True]"
check_eq "drain timeout, UDP: the next datagram of the flow is scheduled anew, to $uo" \
	"$(uask)" "$uo"
mapfile -t v < <(nlb_eval "S(G('udr'), 'conns')" "S(B('udr', '$(backend4 "${uo#b}")'), 'conns')")
check_eq "drain timeout, UDP: counted as a new connection (group conns 2, $uo 1)" \
	"${v[*]}" "2 1"

# ---- Totals of ended tracked connections: when a connection of a group
# with track on ends, its packets and bytes are added to the counters for
# good. They must be conntrack's own at the end, and stay when conntrack
# forgets the connection.
check "ended totals: group tot (rr, track on) with b3 port 9000, listener tcp 9100" -- \
	eval 'nlb group add tot ipversion dualstack sched rr track on &&
	nlb backend add tot "$(backend4 3)" port 9000 &&
	nlb backend add tot "$(backend6 3)" port 9000 &&
	nlb listener add tot vip "$VIP4" vip "$VIP6" proto tcp port 9100 group tot'
hold_start t4 "$P-c4" "$VIP4" 9100
hold_start t6 "$P-c6" "$VIP6" 9100
o=$(hold t4 "open 3"; hold t6 "open 2")
check_eq "ended totals: 3 IPv4 and 2 IPv6 connections answered by b3" \
	"$(grep -c ' b3$' <<<"$o")" 5
s=$(hold t4 "say x"; hold t4 "say yy"; hold t6 "say zzz")
check_eq "ended totals: 8 exchanges answered" "$(grep -c ' b3$' <<<"$s")" 8
# Packets after the close: b3 drops each connection's last ACK (the first
# pure ACK from now on), so it sends its FIN again and the client, in
# TIME_WAIT, its ACK again. They cross the load balancer after conntrack
# moved the connection to TIME_WAIT, and are in conntrack's counts.
sleep 0.5
check "ended totals: b3 drops the first last ACK of each connection" -- \
	nsexec "$P-b3" nft -f - <<-'EOF'
	table inet late {
		set s4 { type ipv4_addr . inet_service; }
		set s6 { type ipv6_addr . inet_service; }
		chain in {
			type filter hook input priority 0;
			tcp dport 9000 tcp flags == ack ip saddr . tcp sport != @s4 add @s4 { ip saddr . tcp sport } counter drop
			tcp dport 9000 tcp flags == ack ip6 saddr . tcp sport != @s6 add @s6 { ip6 saddr . tcp sport } counter drop
		}
	}
	EOF
hold_stop t4
hold_stop t6
got=$(nlb_wait 30 "S(G('tot'), 'active')" 0) ||
	diag "conntrack of port 9100: $(ct_states 9100)"
check_eq "ended totals: all 5 closed, active 0" "$got" 0
late() { nsexec "$P-b3" nft list table inet late | grep -o 'packets [0-9]*' | awk '{n += $2} END {print n + 0}'; }
for ((i = 0; i < 30; i++)); do
	[ "$(late)" -ge 5 ] && break
	sleep 0.2
done
sleep 1.5	# b3's FIN again (its RTO, 200 ms or more), the client's ACK
check_eq "ended totals: 5 last ACKs dropped by b3 (then sent again)" "$(late)" 5
nsexec "$P-b3" nft delete table inet late
out=$(ct_vs_nlb tcp 9100 tot tot)
diag "ended totals against conntrack (TIME_WAIT entries): $out"
check "ended totals: packets and bytes of listener, group and backends are conntrack's at the end" -- \
	test "${out%% *}" = ok
tot0=$(nlb_eval "[S(L('tot'), k) for k in ('in_packets', 'in_bytes', 'out_packets', 'out_bytes')]")
nsexec "$P-lb" conntrack -D -p tcp --orig-port-dst 9100 >/dev/null 2>&1
nsexec "$P-lb" conntrack -D -f ipv6 -p tcp --orig-port-dst 9100 >/dev/null 2>&1
check_eq "ended totals: conntrack's entries deleted" \
	"$(nsexec "$P-lb" conntrack -L -p tcp --orig-port-dst 9100 2>/dev/null | grep -c .)/$(nsexec "$P-lb" conntrack -L -f ipv6 -p tcp --orig-port-dst 9100 2>/dev/null | grep -c .)" "0/0"
# (the next census, a second at most: until then the snapshot has them too)
check_eq "ended totals: the listener's totals stay ($tot0)" \
	"$(nlb_wait 10 "[S(L('tot'), k) for k in ('in_packets', 'in_bytes', 'out_packets', 'out_bytes')]" "$tot0")" "$tot0"
check "ended totals: ... and are not zero" -- \
	python3 -c 'import sys; sys.exit(not all(eval(sys.argv[1])))' "$tot0"

# ---- Reject modes: a group whose backends are all disabled.
conf_reject() {
	nlb group add none ipversion dualstack &&
	nlb backend add none "$(backend4 3)" port 9000 state disabled &&
	nlb backend add none "$(backend6 3)" port 9000 state disabled &&
	nlb listener add rreset vip "$VIP4" vip "$VIP6" proto tcp port 8001 \
		group none reject reset &&
	nlb listener add ureset vip "$VIP4" vip "$VIP6" proto udp port 8001 \
		group none reject reset &&
	nlb listener add ricmp vip "$VIP4" vip "$VIP6" proto tcp port 8002 \
		group none reject icmp &&
	nlb listener add rdrop vip "$VIP4" vip "$VIP6" proto tcp port 8003 \
		group none reject drop &&
	nlb listener add udrop vip "$VIP4" vip "$VIP6" proto udp port 8003 \
		group none reject drop
}
check "reject: listeners reset, icmp, drop on a group without eligible backend" -- \
	conf_reject
# What the clients receive: RSTs and ICMP unreachables, counted by nft.
for ns in "$P-c4" "$P-c6"; do
	nsexec "$ns" nft -f - <<-'NFT'
	table inet cap {
		counter rst { }
		counter unreach { }
		chain in {
			type filter hook input priority 0; policy accept;
			tcp flags & rst == rst counter name rst
			icmp type destination-unreachable counter name unreach
			icmpv6 type destination-unreachable counter name unreach
		}
	}
	NFT
done
# caps NS: "RST UNREACH" packet counts.
caps() {
	nsexec "$1" nft list counters table inet cap |
		awk '/counter rst/ {n = "r"} /counter unreach/ {n = "u"}
		     /packets/ {for (i = 1; i < NF; i++) if ($i == "packets") c[n] = $(i + 1)}
		     END {print c["r"] + 0, c["u"] + 0}'
}
refusals() {
	nlb_eval "[S(L(n), 'drop_no_backend') for n in ('rreset', 'ureset', 'ricmp', 'rdrop', 'udrop')]"
}
# try NS URL CONNECT-TIMEOUT: "EXIT MILLISECONDS REASON" of one curl;
# REASON is why the connect failed, as curl -v says it.
try() {
	local t0=${EPOCHREALTIME/./} out rc line reason=
	out=$(nsexec "$1" curl -sS -v -o /dev/null --connect-timeout "$3" \
		-m 10 "$2" 2>&1)
	rc=$?
	while read -r line; do
		if [[ $line =~ connect\ to\ .*\ failed:\ (.*)$ ]]; then
			reason=${BASH_REMATCH[1]}
			break
		elif [[ $line =~ ^curl:\ \([0-9]+\)\ (.*)$ ]]; then
			reason=${BASH_REMATCH[1]}
		fi
	done <<<"$out"
	echo "$rc $(((${EPOCHREALTIME/./} - t0) / 1000)) $reason"
}
r0=$(refusals)
cap40=$(caps "$P-c4")
cap60=$(caps "$P-c6")
n_icmp=0
for mode in reset icmp drop; do
	case $mode in
	reset) port=8001 ;;
	icmp) port=8002 ;;
	drop) port=8003 ;;
	esac
	a4=$(try "$P-c4" "http://$VIP4:$port/" 3)
	a6=$(try "$P-c6" "http://[$VIP6]:$port/" 3)
	c4=$(caps "$P-c4")
	c6=$(caps "$P-c6")
	diag "reject $mode: IPv4 curl exit, ms, reason: $a4; received rst/unreach $cap40 -> $c4"
	diag "reject $mode: IPv6 curl exit, ms, reason: $a6; received rst/unreach $cap60 -> $c6"
	read -r r4 u4 <<<"$c4"
	read -r r40 u40 <<<"$cap40"
	read -r r6 u6 <<<"$c6"
	read -r r60 u60 <<<"$cap60"
	d="$((r4 - r40)) $((u4 - u40)) $((r6 - r60)) $((u6 - u60))"
	case $mode in
	reset)
		check "reject reset: curl -4 and -6 fail at once with Connection refused (exit 7)" -- \
			eval '[[ $a4 == "7 "*" Connection refused" && $a6 == "7 "*" Connection refused" ]]'
		check_eq "reject reset: each client got one TCP RST, no ICMP" "$d" "1 0 1 0"
		;;
	icmp)
		# An ICMP error that arrives while connect() still holds the
		# socket is only a soft error: the client retransmits its SYN
		# and the next ICMP error ends the connect. Each is counted.
		n_icmp=$((u4 - u40 + u6 - u60))
		check "reject icmp: curl -4 and -6 fail, unreachable, not a timeout (exit 7)" -- \
			eval '[[ $a4 == "7 "* && $a6 == "7 "* ]]'
		check "reject icmp: each client got ICMP/ICMPv6 unreachables, no RST" -- \
			eval '[[ $((r4 - r40)) = 0 && $((r6 - r60)) = 0 && $((u4 - u40)) -ge 1 && $((u6 - u60)) -ge 1 ]]'
		;;
	drop)
		check "reject drop: curl -4 and -6 time out (exit 28 after the 3 s connect timeout)" -- \
			eval '[[ $a4 == "28 "* && $a6 == "28 "* ]] &&
			test "$(cut -d" " -f2 <<<"$a4")" -ge 2900'
		check_eq "reject drop: nothing came back" "$d" "0 0 0 0"
		;;
	esac
	cap40=$c4
	cap60=$c6
done
u=$(flows "$P-c4" udp "$VIP4" 8001 --timeout 3; flows "$P-c6" udp "$VIP6" 8001 --timeout 3)
diag "reject reset, UDP: $(flat "$u")"
check_eq "reject reset: UDP clients of both families get port unreachable (ECONNREFUSED)" \
	"$(grep -c 'FAIL-refused$' <<<"$u")" 2
u=$(flows "$P-c4" udp "$VIP4" 8003 --timeout 2)
check_eq "reject drop: a UDP client gets no answer" "${u##* }" FAIL-timeout
r1=$(refusals)
diag "drop-no-backend rreset ureset ricmp rdrop udrop: $r0 -> $r1"
read -r x_rs x_us x_ic x_dr x_ud < <(python3 -c 'import sys
a, b = eval(sys.argv[1]), eval(sys.argv[2])
print(*[y - x for x, y in zip(a, b)])' "$r0" "$r1")
check_eq "reject: refusals counted exactly as drop-no-backend (TCP reset 2, UDP reset 2, icmp = the $n_icmp ICMP errors sent)" \
	"$x_rs $x_us $x_ic" "2 2 $n_icmp"
# Every SYN (re)transmission is a new connection attempt while dropped.
check "reject: drops counted as drop-no-backend (TCP $x_dr >= 2, UDP $x_ud >= 1)" -- \
	test "$x_dr" -ge 2 -a "$x_ud" -ge 1
mapfile -t v < <(nlb_eval 'S(G("none"), "drop_no_backend")' \
	'[S(B("none", a), "conns") for a in ("198.18.3.2", "2001:db8:103::2")]')
check_eq "reject: group drop-no-backend is the listeners' sum; disabled backends got nothing" \
	"${v[0]} ${v[1]}" "$((x_rs + x_us + x_ic + x_dr + x_ud)) [0, 0]"

# ---- acct off: new connections get no accounting extension.
ctl() {
	nsexec "$P-lb" conntrack -L -p tcp --orig-port-dst 8080 2>/dev/null
}
check "acct: group ac with acct off, listener tcp 8080 to b1's echo server" -- \
	eval 'nlb group add ac acct off &&
	nlb backend add ac "$b14" port 9000 &&
	nlb listener add ac vip "$VIP4" proto tcp port 8080 group ac'
check_eq "acct: shown off" "$(nlb_eval 'G("ac")["acct"]')" False
u=$(flows "$P-c4" tcp "$VIP4" 8080 --timeout 3)
diag "acct off: $(flat "$u"); conntrack: $(flat "$(ctl)")"
check_eq "acct off: one connection, without counters in conntrack" \
	"$(ctl | grep -c .) $(ctl | grep -c packets=)" "1 0"
check "acct: group change ac acct on" -- nlb group change ac acct on
u=$(flows "$P-c4" tcp "$VIP4" 8080 --timeout 3)
diag "acct on: $(flat "$u"); conntrack: $(flat "$(ctl)")"
check_eq "acct on: the next connection has counters, the first still none" \
	"$(ctl | grep -c .) $(ctl | grep -c packets=)" "2 1"

# ---- A group deleted with live connections (its listener deleted
# first): the connections go on (conntrack carries them); tracked ones
# end later without the objects, which KASAN and kmemleak watch.
conf_gd() {
	nlb group add gd ipversion dualstack sched rr track on &&
	nlb backend add gd "$b14" port 9000 &&
	nlb backend add gd "$b16" port 9000 &&
	nlb listener add gd vip "$VIP4" vip "$VIP6" proto tcp port 9300 group gd &&
	nlb group add gu ipversion dualstack sched rr &&
	nlb backend add gu "$b24" port 9000 &&
	nlb backend add gu "$b26" port 9000 &&
	nlb listener add gu vip "$VIP4" vip "$VIP6" proto tcp port 9301 group gu
}
check "group deletion: groups gd (track on, tcp 9300) and gu (track off, tcp 9301)" -- conf_gd
hold_start g4 "$P-c4" "$VIP4" 9300
hold_start g6 "$P-c6" "$VIP6" 9301
o=$(hold g4 "open 2"; hold g6 "open 2")
check_eq "group deletion: 2 IPv4 connections to gd (b1), 2 IPv6 to gu (b2)" \
	"$(grep -c ' b1$' <<<"$o") $(grep -c ' b2$' <<<"$o")" "2 2"
check "group deletion: listeners and groups gd and gu deleted, their connections open" -- \
	eval 'nlb listener del gd && nlb group del gd &&
	nlb listener del gu && nlb group del gu'
check_eq "group deletion: gone from show" \
	"$(nlb_eval 'G("gd") is None and G("gu") is None and L("gd") is None')" True
check_eq "group deletion: the connections go on, on their backends" \
	"$(hold g4 "say on"; hold g6 "say on")" "$(sed 's/^conn /say /' <<<"$o")"
hold_stop g4
hold_stop g6
sleep 1

monitor_stop
diag "monitor: $(wc -l <"$mon") notifications"
tap_end
