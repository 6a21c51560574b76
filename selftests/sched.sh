#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The schedulers over real connections: rr and wrr (exact shares), sh
# (source address hash: weighted shares within statistical bounds over
# many client addresses, the same client always on the same backend),
# maglev (client address and port: shares, disruption when a backend
# leaves and comes back, weights), wlc (exact active counts with long-lived
# connections), and client persistence (holds for its timeout, per prefix,
# expires after it).
#
#                               +-----------------------------+  +--- b1 198.18.1.2  2001:db8:101::2
#   c4  192.0.2.2 (+.64-.223) +-+ lb: nlb.ko                  +--+--- b2 198.18.2.2  2001:db8:102::2
#   c6  2001:db8:1::2         +-+ VIP 203.0.113.10            |  +--- b3 198.18.3.2  2001:db8:103::2
#       (+2001:db8:1::1:0/120)  |     2001:db8:ff::10         |  +--- b4 198.18.4.2  2001:db8:104::2
#                               +-----------------------------+
#   nginx on bN answers "bN" on TCP 80 and UDP 5353; socat echo on 9000
#   answers "bN=<line>" (b1..b3).

# Arrays read through namerefs; single-quoted strings for eval and check;
# functions called through check or trap.
# shellcheck disable=SC2034,SC2016,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbs
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nginx curl socat conntrack python3
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

cleanup() {
	hold_stop w4
	hold_stop w6
	topo_cleanup
	[ "$nlb_loaded_here" = 1 ] && nlb_unload
}
trap cleanup EXIT

tap_begin
nlb_load || { echo "1..0 # SKIP insmod failed"; exit 1; }
topo_setup 4
for i in 1 2 3 4; do
	start_nginx "$P-b$i" "b$i"
done
for i in 1 2 3; do
	start_echo "$P-b$i" "b$i" 9000
done
# Many client addresses: 160 IPv4 in c4's /24, 160 IPv6 in c6's /64.
src4=() src6=()
for ((i = 64; i < 224; i++)); do
	src4+=("192.0.2.$i")
	src6+=("$(printf '2001:db8:1::1:%x' "$i")")
done
add_addrs "$P-c4" "to-$P-lb" "${src4[@]}"
add_addrs "$P-c6" "to-$P-lb" "${src6[@]}"
printf '%s\n' "${src4[@]}" >/tmp/sched-src4
printf '%s\n' "${src6[@]}" >/tmp/sched-src6
sleep 1

url4="http://$VIP4/"
url6="http://[$VIP6]/"

configure() {
	local i
	nlb group add g ipversion dualstack sched rr || return 1
	for i in 1 2 3; do
		nlb backend add g "$(backend4 "$i")" &&
		nlb backend add g "$(backend6 "$i")" || return 1
	done
	nlb listener add http vip "$VIP4" vip "$VIP6" proto tcp port 80 \
		group g &&
	nlb listener add dns vip "$VIP4" vip "$VIP6" proto udp port 5353 \
		group g
}
check "configure group g (rr, b1..b3 of both families), listeners tcp 80, udp 5353" -- \
	configure

# ---- rr: exact thirds.
out4=$(curl_tally "$P-c4" "$url4" 30)
out6=$(curl_tally "$P-c6" "$url6" 30)
diag "rr IPv4: $(flat "$out4")"
diag "rr IPv6: $(flat "$out6")"
check_eq "rr: 30 IPv4 connections, 10 per backend" \
	"$(nof b1 <<<"$out4") $(nof b2 <<<"$out4") $(nof b3 <<<"$out4")" "10 10 10"
check_eq "rr: 30 IPv6 connections, 10 per backend" \
	"$(nof b1 <<<"$out6") $(nof b2 <<<"$out6") $(nof b3 <<<"$out6")" "10 10 10"
mapfile -t v < <(nlb_eval 'S(L("http"), "conns")' 'S(G("g"), "conns")' \
	'[S(B("g", a), "conns") for a in ("198.18.1.2", "198.18.2.2", "198.18.3.2", "2001:db8:101::2", "2001:db8:102::2", "2001:db8:103::2")]')
diag "rr counters: listener ${v[0]} group ${v[1]} backends ${v[2]}"
check_eq "rr: exact counters: listener and group 60, each backend 10" \
	"${v[0]} ${v[1]} ${v[2]}" "60 60 [10, 10, 10, 10, 10, 10]"

# ---- wrr: weights 3:2:1, exact over whole cycles.
set_weights() {
	local i w=("" "$@")
	for i in 1 2 3; do
		nlb backend change g "$(backend4 "$i")" weight "${w[$i]}" &&
		nlb backend change g "$(backend6 "$i")" weight "${w[$i]}" || return 1
	done
}
check "wrr: scheduler wrr, weights 3 2 1" -- \
	eval 'nlb group change g sched wrr && set_weights 3 2 1'
out4=$(curl_tally "$P-c4" "$url4" 60)
out6=$(curl_tally "$P-c6" "$url6" 60)
diag "wrr 3:2:1 IPv4: $(flat "$out4")"
diag "wrr 3:2:1 IPv6: $(flat "$out6")"
check_eq "wrr: 60 IPv4 connections, 30 20 10" \
	"$(nof b1 <<<"$out4") $(nof b2 <<<"$out4") $(nof b3 <<<"$out4")" "30 20 10"
check_eq "wrr: 60 IPv6 connections, 30 20 10" \
	"$(nof b1 <<<"$out6") $(nof b2 <<<"$out6") $(nof b3 <<<"$out6")" "30 20 10"

# ---- sh: 160 client addresses per family, weights 3:2:1; twice.
check "sh: scheduler sh (weights 3 2 1)" -- nlb group change g sched sh
sh_round() {
	flows "$1" tcp "$2" 80 --src-file "$3" | awk '{print $1, $3}'
}
r4a=$(sh_round "$P-c4" "$VIP4" /tmp/sched-src4)
r6a=$(sh_round "$P-c6" "$VIP6" /tmp/sched-src6)
r4b=$(sh_round "$P-c4" "$VIP4" /tmp/sched-src4)
r6b=$(sh_round "$P-c6" "$VIP6" /tmp/sched-src6)
for fam in 4 6; do
	declare -n ra=r${fam}a rb=r${fam}b
	t=$(tally <<<"$ra")
	diag "sh IPv$fam, 160 clients, weights 3:2:1: $(flat "$t")"
	check_eq "sh IPv$fam: every connection answered" \
		"$(($(nof b1 <<<"$t") + $(nof b2 <<<"$t") + $(nof b3 <<<"$t")))" 160
	check_within "sh IPv$fam: b1 (weight 3) gets 1/2 of the clients" \
		"$(nof b1 <<<"$t")" 80 "$(binom_tol 160 1 2)"
	check_within "sh IPv$fam: b2 (weight 2) gets 1/3 of the clients" \
		"$(nof b2 <<<"$t")" 53 "$(binom_tol 160 1 3)"
	check_within "sh IPv$fam: b3 (weight 1) gets 1/6 of the clients" \
		"$(nof b3 <<<"$t")" 27 "$(binom_tol 160 1 6)"
	same=$(paste -d' ' <(echo "$ra") <(echo "$rb") | awk '$1 == $3 && $2 == $4' | wc -l)
	check_eq "sh IPv$fam: second round, every client on the same backend" \
		"$same" 160
	unset -n ra rb
done

# ---- maglev: keys are (client address, port): UDP flows from fixed
# source ports, conntrack flushed between rounds so each is a new flow.
keys=400
mag_round() {
	nsexec "$P-lb" conntrack -F >/dev/null 2>&1
	flows "$P-c4" udp "$VIP4" 5353 --sport 20000 --count $keys |
		awk '{print $2, $3}'
}
mag_setup() {
	set_weights 1 1 1 &&
	nlb backend add g "$(backend4 4)" &&
	nlb backend add g "$(backend6 4)" &&
	nlb group change g sched maglev
}
check "maglev: scheduler maglev, b1..b4 weight 1" -- mag_setup
m1=$(mag_round)
t=$(tally <<<"$m1")
diag "maglev IPv4, $keys keys, 4 backends: $(flat "$t")"
tol=$(binom_tol $keys 1 4)
for b in b1 b2 b3 b4; do
	check_within "maglev: $b gets 1/4 of the keys" "$(nof $b <<<"$t")" \
		$((keys / 4)) "$tol"
done
m1b=$(mag_round)
check_eq "maglev: same keys again (conntrack flushed), the same backends" \
	"$m1b" "$m1"
check "maglev: remove b4" -- nlb backend del g "$(backend4 4)"
m2=$(mag_round)
read -r on4 moved other gone4 < <(paste -d' ' <(echo "$m1") <(echo "$m2") |
	awk '$2 == "b4" {on4++} $2 != $4 {moved++}
	     $2 != "b4" && $2 != $4 {other++} $4 == "b4" {gone4++}
	     END {print on4 + 0, moved + 0, other + 0, gone4 + 0}')
t=$(tally <<<"$m2")
diag "maglev remove b4 of 4: moved $moved of $keys keys ($((moved * 1000 / keys))/1000; expected ~1/4 = $((on4 * 1000 / keys))/1000 on b4), keys of b1..b3 moved: $other; now $(flat "$t")"
check_eq "maglev: no key on the removed backend" "$gone4" 0
check_eq "maglev: every answer came (no failure)" "$(nof FAIL-timeout <<<"$t")" 0
check "maglev: keys of the remaining backends stay (moved $other of $((keys - on4)), at most 2%)" -- \
	test "$other" -le $((keys / 50))
check "maglev: add b4 back" -- nlb backend add g "$(backend4 4)"
m3=$(mag_round)
restored=$(paste -d' ' <(echo "$m1") <(echo "$m3") | awk '$2 == $4' | wc -l)
diag "maglev add b4 back: $restored of $keys keys on their first backend again"
check "maglev: adding it back restores the mapping (at least 98%)" -- \
	test "$restored" -ge $((keys * 98 / 100))
check "maglev: weights 1 1 1 3" -- \
	nlb backend change g "$(backend4 4)" weight 3
t=$(mag_round | tally)
diag "maglev weights 1:1:1:3: $(flat "$t")"
check_within "maglev weighted: b4 (weight 3) gets 1/2 of the keys" \
	"$(nof b4 <<<"$t")" $((keys / 2)) "$(binom_tol $keys 1 2)"
check_within "maglev weighted: b1 (weight 1) gets 1/6 of the keys" \
	"$(nof b1 <<<"$t")" $((keys / 6)) "$(binom_tol $keys 1 6)"
t=$(flows "$P-c6" udp "$VIP6" 5353 --sport 20000 --count 200 | tally)
diag "maglev IPv6, 200 keys, 4 backends: $(flat "$t")"
for b in b1 b2 b3 b4; do
	check_within "maglev IPv6: $b gets 1/4 of the keys" "$(nof $b <<<"$t")" \
		50 "$(binom_tol 200 1 4)"
done

# ---- wlc: long-lived connections; exact active counts.
conf_wlc() {
	nlb group add wl ipversion dualstack sched wlc &&
	nlb backend add wl "$(backend4 1)" port 9000 weight 1 &&
	nlb backend add wl "$(backend4 2)" port 9000 weight 1 &&
	nlb backend add wl "$(backend4 3)" port 9000 weight 2 &&
	nlb backend add wl "$(backend6 1)" port 9000 weight 1 &&
	nlb backend add wl "$(backend6 2)" port 9000 weight 1 &&
	nlb listener add echo vip "$VIP4" vip "$VIP6" proto tcp port 9000 \
		group wl
}
check "wlc: group wl (wlc; b1 1, b2 1, b3 2), echo listener" -- conf_wlc
check_eq "wlc: track is on by default" "$(nlb_eval 'G("wl")["track"]')" True
active4='[S(B("wl", a), "active") for a in ("198.18.1.2", "198.18.2.2", "198.18.3.2")]'
hold_start w4 "$P-c4" "$VIP4" 9000
hold_start w6 "$P-c6" "$VIP6" 9000
hold w4 "open 16" >/dev/null
t=$(hold w4 count)
diag "wlc: 16 connections: $(flat "$t")"
check_eq "wlc: 16 long-lived connections balance by weight, 4 4 8" \
	"$(nof b1 <<<"$t") $(nof b2 <<<"$t") $(nof b3 <<<"$t")" "4 4 8"
mapfile -t v < <(nlb_eval "$active4" 'S(G("wl"), "active")' 'S(L("echo"), "active")')
diag "wlc: active per backend ${v[0]}, group ${v[1]}, listener ${v[2]}"
check_eq "wlc: exact active counts, per backend as the clients see them" \
	"${v[0]}" "[$(nof b1 <<<"$t"), $(nof b2 <<<"$t"), $(nof b3 <<<"$t")]"
check_eq "wlc: group and listener active 16" "${v[1]} ${v[2]}" "16 16"
hold w4 "closeon b1 3" >/dev/null
got=$(nlb_wait 30 "$active4" "[1, 4, 8]") ||
	diag "conntrack of port 9000: $(ct_states 9000)"
check_eq "wlc: 3 connections of b1 closed: its active count falls to 1" \
	"$got" "[1, 4, 8]"
new=$(hold w4 "open 3")
diag "wlc: 3 new connections: $(flat "$new")"
check_eq "wlc: the 3 new connections all go to b1, the least loaded" \
	"$(grep -c ' b1$' <<<"$new")" 3
hold w6 "open 6" >/dev/null
t=$(hold w6 count)
check_eq "wlc IPv6: 6 connections, 3 3 (weights 1 1)" \
	"$(nof b1 <<<"$t") $(nof b2 <<<"$t")" "3 3"
hold_stop w4
hold_stop w6
got=$(nlb_wait 30 'S(G("wl"), "active")' 0) ||
	diag "conntrack of port 9000: $(ct_states 9000)"
check_eq "wlc: every connection closed: group active 0" "$got" 0
mapfile -t v < <(nlb_eval 'S(L("echo"), "active")' \
	'sum(S(b, "active") for b in G("wl")["backends"])' \
	'S(L("echo"), "conns")' 'S(G("wl"), "conns")' \
	'sum(S(b, "conns") for b in G("wl")["backends"])')
diag "wlc: listener active ${v[0]}, backends active ${v[1]}; conns listener ${v[2]} group ${v[3]} backends ${v[4]}"
check_eq "wlc: listener and backends active 0" "${v[0]} ${v[1]}" "0 0"
check_eq "wlc: exact conns: 25 on listener, group and backends" \
	"${v[2]} ${v[3]} ${v[4]}" "25 25 25"

# ---- Persistence: persist 10 s, IPv4 /24, IPv6 /64, over rr b1..b4.
check "persistence: listener http persist 10 prefix4 24 prefix6 64, rr" -- \
	eval 'nlb backend change g "$(backend4 4)" weight 1 &&
	nlb group change g sched rr &&
	nlb listener change http persist 10 persist-prefix4 24 persist-prefix6 64'
persisted() { nlb_eval 'S(L("http"), "persisted")'; }
p0=$(persisted)
backends_of() { awk '{print $3}' <<<"$1" | sort -u | tr '\n' ' '; }
r=$(flows "$P-c4" tcp "$VIP4" 80 --count 8)
first=$(backends_of "$r")
diag "persistence IPv4: 8 connections from 192.0.2.2: $(flat "$(tally <<<"$r")")"
check "persistence: 8 connections of one client all on one backend ($first)" -- \
	test "$(wc -w <<<"$first")" = 1
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.64,192.0.2.65,192.0.2.66,192.0.2.67)
check_eq "persistence: 4 other addresses of the /24 on the same backend" \
	"$(backends_of "$r")" "$first"
r=$(flows "$P-c4" tcp "$VIP4" 80 --count 2 --gap 6)
check_eq "persistence: holds 6 s later (within the 10 s timeout)" \
	"$(backends_of "$r")" "$first"
p1=$(persisted)
check_eq "persistence: persisted counter: 7 + 4 + 2" "$((p1 - p0))" 13
sleep 12
r=$(flows "$P-c4" tcp "$VIP4" 80 --count 2)
p2=$(persisted)
diag "persistence: after 12 s idle: $(flat "$r"), persisted +$((p2 - p1))"
check_eq "persistence: expired after the timeout: the first connection is scheduled anew (persisted +1, not +2)" \
	"$((p2 - p1))" 1
cur=$(backends_of "$r")
cur=${cur// /}
check "persistence: mark the client's backend ($cur) unhealthy" -- \
	nlb backend change g "$(backend4 "${cur#b}")" health down
r=$(flows "$P-c4" tcp "$VIP4" 80 --count 2)
diag "persistence: backend unhealthy: $(flat "$r")"
check "persistence: not to an unhealthy backend: another one" -- \
	test "$(backends_of "$r")" != "$cur " -a "$(wc -w <<<"$(backends_of "$r")")" = 1
nlb backend change g "$(backend4 "${cur#b}")" health up
r=$(flows "$P-c6" tcp "$VIP6" 80 --count 8)
first6=$(backends_of "$r")
check "persistence IPv6: 8 connections of one client all on one backend ($first6)" -- \
	test "$(wc -w <<<"$first6")" = 1
r=$(flows "$P-c6" tcp "$VIP6" 80 --src "${src6[0]},${src6[1]},${src6[2]},${src6[3]}")
check_eq "persistence IPv6: 4 other addresses of the /64 on the same backend" \
	"$(backends_of "$r")" "$first6"
check "persistence: prefix4 32" -- \
	nlb listener change http persist-prefix4 32
p3=$(persisted)
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.80,192.0.2.81,192.0.2.82,192.0.2.83)
p4=$(persisted)
diag "persistence /32: 4 new clients: $(flat "$r")"
check_eq "persistence /32: 4 other addresses are other clients (rr over 4 backends, persisted +0)" \
	"$(backends_of "$r")/$((p4 - p3))" "b1 b2 b3 b4 /0"
check "persistence: off (persist 0)" -- nlb listener change http persist 0
r=$(flows "$P-c4" tcp "$VIP4" 80 --count 8)
p5=$(persisted)
t=$(tally <<<"$r")
check_eq "persistence off: 8 connections of one client round robin, 2 2 2 2, persisted +0" \
	"$(nof b1 <<<"$t") $(nof b2 <<<"$t") $(nof b3 <<<"$t") $(nof b4 <<<"$t") +$((p5 - p4))" \
	"2 2 2 2 +0"

tap_end
