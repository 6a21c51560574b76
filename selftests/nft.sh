#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nlb flows among nft rules: an nft dnat rule at the dstnat priority runs
# before nlb and overrides a listener; nft ct state, ct status and ct
# original expressions see nlb's flows as any NATed flow (filtering
# included); a conntrack helper assigned by nft before nlb makes a tracked
# group's connection fail with drop-error, counted exactly; an nft-owned
# flowtable carries nlb flows, and a drain timeout resets its connections
# at once at both ends.
#
#                               +-----------------------------+
#   c4  192.0.2.2   ---------+  | lb: nlb.ko + nft tables     |  +--- b1 198.18.1.2  2001:db8:101::2
#                            +--+ VIP 203.0.113.10            +--+
#   c6  2001:db8:1::2 -------+  |     2001:db8:ff::10         |  +--- b2 198.18.2.2  2001:db8:102::2
#                               +-----------------------------+
#   nginx on bN answers "bN" on TCP 80; socat echo on 9000 answers
#   "bN=<line>". Listeners: web tcp 80 -> group g (rr: b1), echo tcp 9000
#   -> group ge (rr, track on: b1), fo tcp 9200 -> group fo (rr, drain
#   timeout 3: b2, IPv4).

# Single-quoted strings for eval and check; functions called through check
# or trap.
# shellcheck disable=SC2016,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbn
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nginx curl socat nft conntrack python3 ss
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

cleanup() {
	hold_stop e4
	hold_stop e6
	hold_stop f4
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

tap_begin
nlb_load || tap_bail "insmod failed"
topo_setup 2
for i in 1 2; do
	start_nginx "$P-b$i" "b$i"
	start_echo "$P-b$i" "b$i" 9000
done
sleep 1
b14=$(backend4 1)
b16=$(backend6 1)
b24=$(backend4 2)
b26=$(backend6 2)
url4="http://$VIP4/"
url6="http://[$VIP6]/"

configure() {
	nlb group add g ipversion dualstack sched rr &&
	nlb backend add g "$b14" port 80 &&
	nlb backend add g "$b16" port 80 &&
	nlb listener add web vip "$VIP4" vip "$VIP6" proto tcp port 80 group g &&
	nlb group add ge ipversion dualstack sched rr track on &&
	nlb backend add ge "$b14" port 9000 &&
	nlb backend add ge "$b16" port 9000 &&
	nlb listener add echo vip "$VIP4" vip "$VIP6" proto tcp port 9000 \
		group ge &&
	nlb group add fo sched rr drain-timeout 3 &&
	nlb backend add fo "$b24" port 9000 &&
	nlb listener add fo vip "$VIP4" proto tcp port 9200 group fo
}
check "configure: listeners web (tcp 80), echo (tcp 9000, track on), fo (tcp 9200, drain timeout 3)" -- \
	configure
lbnft() { nsexec "$P-lb" nft "$@"; }
# pages PAGE <<< "$(curl_tally ...; curl_tally ...)": how often PAGE came,
# over every tally
pages() { awk -v p="$1" '$1 == p {s += $2} END {print s + 0}'; }
# nft_count TABLE COUNTER: the packets of a named counter
nft_count() {
	lbnft list counter inet "$1" "$2" |
		sed -nE 's/.*packets ([0-9]+) .*/\1/p'
}

# ---- An nft dnat rule at the dstnat priority runs before nlb: it
# overrides the listener, and nlb does not schedule (or count) the
# connections it takes.
out=$(curl_tally "$P-c4" "$url4" 2; curl_tally "$P-c6" "$url6" 2)
check_eq "override: without the rule, web answers from b1 (both families)" \
	"$(pages b1 <<<"$out")" 4
c0=$(nlb_eval 'S(L("web"), "conns")')
check "override: nft dnat of the VIPs' port 80 to b2, at priority dstnat" -- \
	lbnft -f - <<-EOF
	table inet ovr {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			ip daddr $VIP4 tcp dport 80 dnat ip to $b24
			ip6 daddr $VIP6 tcp dport 80 dnat ip6 to $b26
		}
	}
	EOF
out=$(curl_tally "$P-c4" "$url4" 3; curl_tally "$P-c6" "$url6" 3)
diag "override: $(flat "$out")"
check_eq "override: every connection is nft's: answered by b2" "$(pages b2 <<<"$out")" 6
check_eq "override: nlb scheduled none of them (listener conns unchanged)" \
	"$(nlb_eval 'S(L("web"), "conns")')" "$c0"
check "override: the rule deleted" -- lbnft delete table inet ovr
out=$(curl_tally "$P-c4" "$url4" 2; curl_tally "$P-c6" "$url6" 2)
check_eq "override: without it nlb answers again from b1, counted" \
	"$(pages b1 <<<"$out") $(($(nlb_eval 'S(L("web"), "conns")') - c0))" "4 4"

# ---- nft conntrack expressions on nlb's flows: ct state, ct status dnat
# and ct original daddr (the VIP, while ip daddr is the backend), and a
# ct state rule that drops new IPv6 connections to the VIP while the
# established ones go on.
hold_start e6 "$P-c6" "$VIP6" 9000
check_eq "ct: an IPv6 connection to echo established before the rules (b1)" \
	"$(hold e6 "open 1")" "conn 1 b1"
check "ct: nft forward rules on ct state, ct status, ct original daddr" -- \
	lbnft -f - <<-EOF
	table inet flt {
		counter new4 { }
		counter est4 { }
		counter orig4 { }
		counter drop6 { }
		chain forward {
			type filter hook forward priority filter; policy accept;
			ct original ip daddr $VIP4 ct status dnat ct state new counter name new4
			ct original ip daddr $VIP4 ct status dnat ct state established counter name est4
			ct original ip daddr $VIP4 ip daddr $b14 ct direction original counter name orig4
			ct original ip6 daddr $VIP6 ct state new counter name drop6 drop
		}
	}
	EOF
# (the flows of the checks before are forgotten, so that conntrack's
# packets are those of this check's flows)
nsexec "$P-lb" conntrack -D -p tcp --orig-port-dst 80 >/dev/null 2>&1
out=$(curl_tally "$P-c4" "$url4" 5)
check_eq "ct: 5 IPv4 connections answered by b1" "$(nof b1 <<<"$out")" 5
check_eq "ct: ct state new matched each connection's first packet once (5)" \
	"$(nft_count flt new4)" 5
est=$(nft_count flt est4)
check "ct: ct state established matched their later packets ($est)" -- \
	test "${est:-0}" -ge 20
orig=$(nft_count flt orig4)
ctorig=$(nsexec "$P-lb" conntrack -L -p tcp --orig-dst "$VIP4" --orig-port-dst 80 -r "$b14" 2>/dev/null |
	awk '{for (i = 1; i <= NF; i++) if ($i ~ /^packets=/) {sub(/packets=/, "", $i); s += $i; break}}
	     END {print s + 0}')
check_eq "ct: ct original daddr (the VIP) with ip daddr (the backend): every client-to-backend packet, as conntrack counted them ($ctorig)" \
	"$orig" "$ctorig"
out=$(curl_tally "$P-c6" "$url6" 2 --connect-timeout 2)
check_eq "ct: new IPv6 connections to the VIP are dropped by the ct state rule" \
	"$(nof FAIL <<<"$out")" 2
check "ct: ... counted by the rule (at least 2 SYNs)" -- \
	test "$(nft_count flt drop6)" -ge 2
check_eq "ct: the established IPv6 connection goes on" \
	"$(hold e6 "say still")" "say 1 b1"
hold_stop e6
check "ct: rules deleted" -- lbnft delete table inet flt

# ---- A conntrack helper assigned by nft before nlb (priority mangle,
# between conntrack and NAT): a tracked group cannot attach its own, so
# the connection is dropped and counted drop-error, once per attempt.
mapfile -t d0 < <(nlb_eval 'S(L("echo"), "drop_error")' 'S(G("ge"), "drop_error")' \
	"S(B('ge', '$b14'), 'drop_error')" 'S(L("echo"), "conns")')
check "drop-error: nft ct helper \"nlb\" set on IPv4 connections to the echo port" -- \
	lbnft -f - <<-EOF
	table inet hlp {
		ct helper nlbh {
			type "nlb" protocol tcp
		}
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			ip daddr $VIP4 tcp dport 9000 ct state new counter ct helper set "nlbh"
		}
	}
	EOF
out=$(flows "$P-c4" tcp "$VIP4" 9000 --timeout 2)
diag "drop-error: $(flat "$out")"
check_eq "drop-error: the IPv4 connection fails (its SYNs dropped)" "${out##* }" FAIL-timeout
syns=$(lbnft list table inet hlp | sed -nE 's/.*counter packets ([0-9]+) .*/\1/p')
mapfile -t d1 < <(nlb_eval 'S(L("echo"), "drop_error")' 'S(G("ge"), "drop_error")' \
	"S(B('ge', '$b14'), 'drop_error')" 'S(L("echo"), "conns")')
diag "drop-error: $syns SYNs; listener, group, backend drop-error ${d0[*]:0:3} -> ${d1[*]:0:3}"
check "drop-error: at least one SYN ($syns)" -- test "${syns:-0}" -ge 1
check_eq "drop-error: each SYN counted drop-error on listener, group and backend, no conns" \
	"$((d1[0] - d0[0])) $((d1[1] - d0[1])) $((d1[2] - d0[2])) $((d1[3] - d0[3]))" \
	"$syns $syns $syns 0"
hold_start e6 "$P-c6" "$VIP6" 9000
check_eq "drop-error: IPv6 connections, which the rule does not match, are answered" \
	"$(hold e6 "open 1")" "conn 1 b1"
hold_stop e6
check "drop-error: the helper rule deleted" -- lbnft delete table inet hlp
hold_start e4 "$P-c4" "$VIP4" 9000
check_eq "drop-error: IPv4 connections work again" "$(hold e4 "open 1")" "conn 1 b1"
hold_stop e4
check_eq "drop-error: no more drop-error" \
	"$(nlb_eval 'S(L("echo"), "drop_error")')" "${d1[0]}"

# ---- An nft-owned flowtable: nft offloads nlb flows (group offload off,
# track off); the connections of a deleted backend are reset at once when
# the drain timeout expires, at both ends, with the numbers conntrack had
# when they were offloaded (right when they stayed idle since).
hold_start f4 "$P-c4" "$VIP4" 9200
check_eq "flowtable: 2 connections to fo answered by b2" \
	"$(hold f4 "open 2" | grep -c ' b2$')" 2
# The flow is added on a reply packet with data (PSH), the last of an
# exchange: conntrack saw every byte of both directions, only the client's
# pure ACK after it passes by. (Not on any reply: in a slow VM the backend
# acknowledges the request alone before it answers, and its answer would
# pass by conntrack, whose numbers, and so the RST to the client, would be
# behind: nlb cannot take a flow out of a flowtable it does not own.)
check "flowtable: nft flowtable on the client's and b2's links, flow add on replies of port 9200" -- \
	lbnft -f - <<-EOF
	table inet ft {
		flowtable f {
			hook ingress priority filter
			devices = { "to-$P-c4", "to-$P-b2" }
		}
		chain forward {
			type filter hook forward priority filter; policy accept;
			meta l4proto tcp ct original proto-dst 9200 ct direction reply ct state established tcp flags & psh == psh flow add @f
		}
	}
	EOF
check_eq "flowtable: one more exchange each" "$(hold f4 "say once" | grep -c ' b2$')" 2
offl() {
	nsexec "$P-lb" conntrack -L -p tcp --orig-port-dst 9200 2>/dev/null |
		awk '/OFFLOAD/ {o++} {n++} END {printf "%d/%d\n", o, n}'
}
check "flowtable: both connections offloaded by nft ([OFFLOAD])" -- \
	wait_for 10 2/2 offl
b2est() {
	nsexec "$P-b2" ss -Htn state established '( sport = :9000 )' | grep -c 192.0.2.2
}
est0=$(b2est)
dr0=$(nlb_eval 'S(G("fo"), "drained")')
check "flowtable: delete fo's backend b2 (drain timeout 3)" -- \
	nlb backend del fo "$b24" port 9000
start=$SECONDS
for ((i = 0; i < 20; i++)); do
	st=$(hold f4 state)
	[ "$(grep -c ' reset$' <<<"$st")" -ge 2 ] && break
	sleep 1
done
diag "flowtable: $((SECONDS - start)) s after the delete: $(flat "$st")"
check_eq "flowtable: at the timeout both clients see a reset" \
	"$(grep -c ' reset$' <<<"$st")" 2
check "flowtable: not before the timeout (>= 2 s after the delete)" -- \
	test $((SECONDS - start)) -ge 2
check_eq "flowtable: b2 got the resets too (2 connections fewer: $est0 before)" \
	"$((est0 - $(b2est)))" 2
check_eq "flowtable: drained +2" "$(($(nlb_eval 'S(G("fo"), "drained")') - dr0))" 2
check_eq "flowtable: their conntrack entries are gone" "$(offl)" 0/0
hold_stop f4
check "flowtable: nft table deleted" -- lbnft delete table inet ft

tap_end
