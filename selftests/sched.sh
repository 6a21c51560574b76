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
# functions called through check or trap; pools split into words;
# variables set in eval strings.
# shellcheck disable=SC2034,SC2016,SC2317,SC2046,SC2154

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbs
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nginx curl socat conntrack python3
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

cleanup() {
	hold_stop w4
	hold_stop w6
	hold_stop m4
	hold_stop m6
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

tap_begin
check "the reference of sh and maglev (selftests/nlbhash.py) knows the kernel's values" -- \
	python3 "$here/nlbhash.py" selftest
nlb_load || tap_bail "insmod failed"
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

# ---- sh: 160 client addresses per family, weights 3:2:1; twice. Every
# seed is fixed: selftests/nlbhash.py gives each client's backend, and
# every client must get exactly that one.
check "sh: scheduler sh (weights 3 2 1)" -- nlb group change g sched sh
# pool FAMILY NAME:WEIGHT...: nlbhash.py's backends of a pool (port 0)
pool() {
	local fam=$1 b
	shift
	for b in "$@"; do
		if [ "$fam" = 4 ]; then
			echo "${b%:*}=$(backend4 "${b:1:1}")/0/${b#*:}"
		else
			echo "${b%:*}=$(backend6 "${b:1:1}")/0/${b#*:}"
		fi
	done
}
# ref SCHED POOL... < FLOWS: nlbhash.py's verdict on flows.py's lines:
# "expected b1=N ... got b1=N ... mismatches K" (and the flows that
# differ, as diagnostics)
ref() {
	local out
	out=$(python3 "$here/nlbhash.py" pick "$@")
	awk '$3 != $4 && NF == 4 {print "# mismatch: " $0}' <<<"$out" | head -n 10 >&2
	tail -n 1 <<<"$out"
}
for fam in 4 6; do
	vip=$VIP4
	[ $fam = 6 ] && vip=$VIP6
	mapfile -t sp < <(pool $fam b1:3 b2:2 b3:1)
	ra=$(flows "$P-c$fam" tcp "$vip" 80 --src-file /tmp/sched-src$fam)
	rb=$(flows "$P-c$fam" tcp "$vip" 80 --src-file /tmp/sched-src$fam)
	res=$(ref sh "${sp[@]}" <<<"$ra" 2>&1)
	diag "sh IPv$fam, 160 clients, weights 3:2:1: $(flat "$res")"
	diag "sh IPv$fam: the kernel's first picks: $(head -n 4 <<<"$ra" | awk '{printf "%s %s %s; ", $1, $2, $3}')"
	want=$(sed -nE 's/^expected (.*) got .*/\1/p' <<<"${res##*$'\n'}")
	check_eq "sh IPv$fam: every one of the 160 clients on the backend the reference gives ($want)" \
		"${res##*$'\n'}" "expected $want got $want mismatches 0"
	check_eq "sh IPv$fam: second round, every client on the same backend" \
		"$rb" "$ra"
done

# ---- maglev: keys are (client address, port): UDP flows from fixed
# source ports, conntrack flushed between rounds so each is a new flow;
# each key must get the backend of the reference's table.
keys=400
mag_round() {
	nsexec "$P-lb" conntrack -F >/dev/null 2>&1
	flows "$P-c4" udp "$VIP4" 5353 --src 192.0.2.2 --sport 20000 --count $keys
}
mag_setup() {
	set_weights 1 1 1 &&
	nlb backend add g "$(backend4 4)" &&
	nlb backend add g "$(backend6 4)" &&
	nlb group change g sched maglev
}
# mag_check DESC FLOWS POOL...: every key on the reference's backend
mag_check() {
	local desc=$1 flows=$2 res want
	shift 2
	res=$(ref maglev "$@" <<<"$flows" 2>&1)
	diag "$desc: $(flat "$res")"
	diag "$desc: the kernel's first picks: $(head -n 4 <<<"$flows" | awk '{printf "%s %s %s; ", $1, $2, $3}')"
	want=$(sed -nE 's/^expected (.*) got .*/\1/p' <<<"${res##*$'\n'}")
	check_eq "$desc: every key on the backend of the reference's table ($want)" \
		"${res##*$'\n'}" "expected $want got $want mismatches 0"
}
check "maglev: scheduler maglev, b1..b4 weight 1" -- mag_setup
m1=$(mag_round)
mag_check "maglev IPv4, $keys keys, 4 backends" "$m1" $(pool 4 b1:1 b2:1 b3:1 b4:1)
m1b=$(mag_round)
check_eq "maglev: same keys again (conntrack flushed), the same backends" \
	"$m1b" "$m1"
check "maglev: remove b4" -- nlb backend del g "$(backend4 4)"
m2=$(mag_round)
mag_check "maglev: b4 removed, 3 backends" "$m2" $(pool 4 b1:1 b2:1 b3:1)
read -r on4 moved other gone4 bad < <(paste -d' ' <(echo "$m1") <(echo "$m2") |
	awk '$3 == "b4" {on4++} $3 != $6 {moved++}
	     $3 != "b4" && $3 != $6 {other++} $6 == "b4" {gone4++}
	     $6 !~ /^b[123]$/ {bad++}
	     END {print on4 + 0, moved + 0, other + 0, gone4 + 0, bad + 0}')
diag "maglev remove b4 of 4: moved $moved of $keys keys ($((moved * 1000 / keys))/1000; $((on4 * 1000 / keys))/1000 were on b4), keys of b1..b3 moved: $other"
check_eq "maglev: every key answered by one of b1..b3, none by the removed b4" \
	"$bad $gone4" "0 0"
check "maglev: keys of the remaining backends stay (moved $other of $((keys - on4)), at most 2%)" -- \
	test "$other" -le $((keys / 50))
check "maglev: add b4 back" -- nlb backend add g "$(backend4 4)"
m3=$(mag_round)
check_eq "maglev: adding it back restores the mapping exactly" "$m3" "$m1"
check "maglev: weights 1 1 1 3" -- \
	nlb backend change g "$(backend4 4)" weight 3
mag_check "maglev weighted 1:1:1:3" "$(mag_round)" $(pool 4 b1:1 b2:1 b3:1 b4:3)
t=$(flows "$P-c6" udp "$VIP6" 5353 --src 2001:db8:1::2 --sport 20000 --count 200)
mag_check "maglev IPv6, 200 keys, 4 backends" "$t" $(pool 6 b1:1 b2:1 b3:1 b4:1)

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
# one_backend FLOWS N: the backend all N flows were answered by; nothing
# unless there are N answers, all by one backend (no FAIL-*).
one_backend() {
	awk -v n="$2" '{c++; if ($3 !~ /^b[1-4]$/) bad = 1; s[$3] = 1}
		END {for (x in s) {k++; b = x}
		     if (c == n && !bad && k == 1) print b}' <<<"$1"
}
backends_of() { awk '{print $3}' <<<"$1" | sort -u | tr '\n' ' '; }
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.2 --count 8)
first=$(one_backend "$r" 8)
diag "persistence IPv4: 8 connections from 192.0.2.2: $(flat "$(tally <<<"$r")")"
check "persistence: 8 connections of one client all answered by one backend (${first:-none})" -- \
	test -n "$first"
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.64,192.0.2.65,192.0.2.66,192.0.2.67)
check_eq "persistence: 4 other addresses of the /24 all answered by the same backend" \
	"$(one_backend "$r" 4)" "$first"
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.2 --count 2 --gap 6)
check_eq "persistence: holds 6 s later (within the 10 s timeout)" \
	"$(one_backend "$r" 2)" "$first"
p1=$(persisted)
check_eq "persistence: persisted counter: 7 + 4 + 2" "$((p1 - p0))" 13
sleep 12
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.2 --count 2)
p2=$(persisted)
diag "persistence: after 12 s idle: $(flat "$r"), persisted +$((p2 - p1))"
check_eq "persistence: expired after the timeout: the first connection is scheduled anew (persisted +1, not +2)" \
	"$((p2 - p1))" 1
cur=$(one_backend "$r" 2)
check "persistence: both answered by one backend (${cur:-none}); mark it unhealthy" -- \
	nlb backend change g "$(backend4 "${cur#b}")" health down
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.2 --count 2)
diag "persistence: backend unhealthy: $(flat "$r")"
new=$(one_backend "$r" 2)
check "persistence: not to an unhealthy backend: both answered by another one (${new:-none})" -- \
	test -n "$new" -a "$new" != "$cur"
nlb backend change g "$(backend4 "${cur#b}")" health up
r=$(flows "$P-c6" tcp "$VIP6" 80 --src 2001:db8:1::2 --count 8)
first6=$(one_backend "$r" 8)
check "persistence IPv6: 8 connections of one client all answered by one backend (${first6:-none})" -- \
	test -n "$first6"
r=$(flows "$P-c6" tcp "$VIP6" 80 --src "${src6[0]},${src6[1]},${src6[2]},${src6[3]}")
check_eq "persistence IPv6: 4 other addresses of the /64 all answered by the same backend" \
	"$(one_backend "$r" 4)" "$first6"
check "persistence: prefix4 32" -- \
	nlb listener change http persist-prefix4 32
p3=$(persisted)
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.80,192.0.2.81,192.0.2.82,192.0.2.83)
p4=$(persisted)
diag "persistence /32: 4 new clients: $(flat "$r")"
check_eq "persistence /32: 4 other addresses are other clients (rr over 4 backends, persisted +0)" \
	"$(backends_of "$r")/$((p4 - p3))" "b1 b2 b3 b4 /0"
check "persistence: off (persist 0)" -- nlb listener change http persist 0
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.2 --count 8)
p5=$(persisted)
t=$(tally <<<"$r")
check_eq "persistence off: 8 connections of one client round robin, 2 2 2 2, persisted +0" \
	"$(nof b1 <<<"$t") $(nof b2 <<<"$t") $(nof b3 <<<"$t") $(nof b4 <<<"$t") +$((p5 - p4))" \
	"2 2 2 2 +0"

# ---- A listener moved to another group under traffic. With persistence:
# the client persisted to a backend of the old group must get the new
# group's backends (the table is emptied by the move), every connection
# answered, none to the old group after the move, counted exactly.
check "move: http persist 60; one client persisted to a backend of g" -- \
	eval 'nlb listener change http persist 60 &&
	r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.2 --count 3) &&
	old=$(one_backend "$r" 3) && test -n "$old"'
others=()
for i in 1 2 3 4; do
	[ "b$i" = "$old" ] || others+=("$i")
done
conf_g2() {
	local i
	nlb group add g2 ipversion dualstack sched rr || return 1
	for i in "${others[@]}"; do
		nlb backend add g2 "$(backend4 "$i")" || return 1
	done
	nlb backend add g2 "$(backend6 "${others[0]}")"
}
check "move: group g2 (rr) with the three backends other than $old" -- conf_g2
mapfile -t c0 < <(nlb_eval 'S(G("g"), "conns")' 'S(G("g2"), "conns")' \
	'S(L("http"), "conns")')
flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.2 --count 24 --gap 0.2 \
	>/tmp/sched-move.out &
fpid=$!
wait_for 60 yes eval '[ "$(grep -c . /tmp/sched-move.out)" -ge 4 ] && echo yes || echo no' >/dev/null
check "move: listener change http group g2, with connections coming" -- \
	nlb listener change http group g2
wait "$fpid"
r=$(</tmp/sched-move.out)
mapfile -t c1 < <(nlb_eval 'S(G("g"), "conns")' 'S(G("g2"), "conns")' \
	'S(L("http"), "conns")')
diag "move: answers $(flat "$(awk '{print $3}' <<<"$r")")"
read -r n before after bad < <(awk -v o="$old" '
	{n++; if ($3 !~ /^b[1-4]$/) bad++
	 if ($3 == o && !moved) before++; else {moved = 1; a[$3] = 1}}
	END {for (x in a) k++; print n + 0, before + 0, (k == 1 ? (n - before) : -1), bad + 0}' <<<"$r")
check_eq "move: all 24 connections answered" "$n $bad" "24 0"
check "move: $before on $old before the move, then all $after on one backend of g2 (persisted anew), never $old again" -- \
	test "$after" -gt 0 -a "$((before + after))" = 24
new=$(tail -n 1 <<<"$r" | awk '{print $3}')
check "move: ... that backend ($new) is one of g2's" -- \
	test "$new" != "$old" -a -n "$new"
check_eq "move: counted exactly: g +$before, g2 +$after, listener +24" \
	"$((c1[0] - c0[0])) $((c1[1] - c0[1])) $((c1[2] - c0[2]))" "$before $after 24"
r=$(flows "$P-c4" tcp "$VIP4" 80 --src 192.0.2.2 --count 2)
check_eq "move: the client's next connections stay on that backend of g2 (persisted)" \
	"$(one_backend "$r" 2)" "$new"

# Long-lived tracked connections of the echo listener (group wl) while it
# moves to group e2: they go on, on their backends, counted on wl; new
# ones go to e2.
conf_e2() {
	nlb group add e2 ipversion dualstack sched rr track on &&
	nlb backend add e2 "$(backend4 3)" port 9000 &&
	nlb backend add e2 "$(backend6 2)" port 9000
}
check "move: group e2 (rr, track on): b3 (IPv4), b2 (IPv6), port 9000" -- conf_e2
hold_start m4 "$P-c4" "$VIP4" 9000
hold_start m6 "$P-c6" "$VIP6" 9000
o4=$(hold m4 "open 4")
o6=$(hold m6 "open 2")
diag "move: on wl: $(flat "$o4") $(flat "$o6")"
check_eq "move: 4 IPv4 and 2 IPv6 connections on wl answered" \
	"$(grep -cE ' b[123]$' <<<"$o4") $(grep -cE ' b[12]$' <<<"$o6")" "4 2"
check "move: listener change echo group e2, 6 connections established" -- \
	nlb listener change echo group e2
check_eq "move: the established IPv4 connections go on, same backends" \
	"$(hold m4 "say after")" "${o4//conn/say}"
check_eq "move: the established IPv6 connections go on, same backends" \
	"$(hold m6 "say after")" "${o6//conn/say}"
n4=$(hold m4 "open 3")
n6=$(hold m6 "open 2")
check_eq "move: new connections go to e2's backends: 3 IPv4 to b3, 2 IPv6 to b2" \
	"$(grep -c ' b3$' <<<"$n4") $(grep -c ' b2$' <<<"$n6")" "3 2"
mapfile -t v < <(nlb_eval 'S(G("wl"), "active")' 'S(G("e2"), "active")' \
	'S(L("echo"), "active")' 'S(G("e2"), "conns")')
check_eq "move: active: wl 6 (the old ones), e2 5, listener 11; e2 conns 5" \
	"${v[*]}" "6 5 11 5"
hold_stop m4
hold_stop m6
got=$(nlb_wait 30 '[S(G("wl"), "active"), S(G("e2"), "active"), S(L("echo"), "active")]' "[0, 0, 0]")
check_eq "move: all closed: active 0 on wl, e2 and the listener" "$got" "[0, 0, 0]"

tap_end
