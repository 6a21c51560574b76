#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The IPv4-to-IPv6 migration scenario of the NLB documentation, backend
# health with fail-open inside the family, and changes of a group's
# affinity, scheduler and tracking at runtime under long-lived connections
# of both families.
#
#                               +-----------------------------+
#   c4  192.0.2.2   ---------+  | lb: nlb.ko                  |  +--- b1 198.18.1.2       "Hello from IPv4 backend"
#                            +--+ VIP 203.0.113.10            +--+--- b2 2001:db8:102::2  "Hello from IPv6 backend"
#   c6  2001:db8:1::2 -------+  |     2001:db8:ff::10         |  +--- b3 198.18.3.2       "Hello from second IPv4 backend"
#                               +-----------------------------+
#   listener http: both VIPs, TCP 80, group web (dualstack, affinity on):
#   b1 and b3 (IPv4), b2 (IPv6). Listener echo: TCP 9000, group echo:
#   socat echo servers on b1, b3 (IPv4) and b2 (IPv6) answering "bN=line".

# Arrays read through namerefs; single-quoted strings for eval and check;
# functions called through check or trap.
# shellcheck disable=SC2034,SC2016,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbd
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nginx curl socat python3 conntrack
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

evf=$(mktemp)
cleanup() {
	ct_events_stop
	rm -f "$evf"
	hold_stop h4
	hold_stop h6
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

tap_begin
nlb_load || tap_bail "insmod failed"
topo_setup 3
start_nginx "$P-b1" "Hello from IPv4 backend"
start_nginx "$P-b2" "Hello from IPv6 backend"
start_nginx "$P-b3" "Hello from second IPv4 backend"
for i in 1 2 3; do
	start_echo "$P-b$i" "b$i" 9000
done
sleep 1

url4="http://$VIP4/"
url6="http://[$VIP6]/"
b1=$(backend4 1)
b2=$(backend6 2)
b3=$(backend4 3)
page4=Hello_from_IPv4_backend
page6=Hello_from_IPv6_backend
page4b=Hello_from_second_IPv4_backend

configure() {
	nlb group add web ipversion dualstack affinity on sched rr &&
	nlb backend add web "$b1" port 80 &&
	nlb backend add web "$b2" port 80 &&
	nlb listener add http vip "$VIP4" vip "$VIP6" proto tcp port 80 \
		group web
}
check "migration: dual-stack listener, dual-stack group with affinity on" -- \
	configure
nlb show | sed 's/^/# /'

# stats: conns of b1, b2, b3 and the listener's conns, failopen and
# drop-no-backend, and the group's failopen, one a line.
stats() {
	nlb_eval \
		'S(B("web", "'"$b1"'"), "conns")' \
		'S(B("web", "'"$b2"'"), "conns")' \
		'S(B("web", "'"$b3"'"), "conns") or 0' \
		'S(L("http"), "conns")' \
		'S(L("http"), "failopen")' \
		'S(L("http"), "drop_no_backend")' \
		'S(G("web"), "failopen")'
}
# delta OLD NEW I: NEW[I] - OLD[I]
delta() {
	local -n o=$1 n=$2
	echo $((${n[$3]} - ${o[$3]}))
}

# ---- Each family is served by its own backends.
mapfile -t s0 < <(stats)
out=$(curl_tally "$P-c4" "$url4" 30 -4)
diag "30 IPv4 requests: $(flat "$out")"
check_eq "migration: 30 curl -4 all answer the IPv4 page" \
	"$(nof $page4 <<<"$out")" 30
out=$(curl_tally "$P-c6" "$url6" 30 -6)
diag "30 IPv6 requests: $(flat "$out")"
check_eq "migration: 30 curl -6 all answer the IPv6 page" \
	"$(nof $page6 <<<"$out")" 30
mapfile -t s1 < <(stats)
diag "conns b1 ${s1[0]} b2 ${s1[1]} listener ${s1[3]}"
check_eq "migration: counters: IPv4 backend 30, IPv6 backend 30, listener 60" \
	"$(delta s0 s1 0) $(delta s0 s1 1) $(delta s0 s1 3)" "30 30 60"

# ---- IPv4 backend down (nginx stopped): IPv4 fails, never IPv6.
check "migration: stop the IPv4 nginx" -- stop_nginx "$P-b1"
# Each connection conntrack creates for the attempts must be scheduled once.
# Their number is counted, not assumed to be one per attempt: one run
# counted 11 for 10 attempts (the diagnostics below show the entries).
ct_events_start "$evf" -e NEW -p tcp -d "$VIP4" --dport 80
out=$(curl_tally "$P-c4" "$url4" 10 -4)
ct_events_stop
new4=$(grep -c '\[NEW\]' "$evf")
diag "10 IPv4 requests with the IPv4 nginx stopped: $(flat "$out")"
check_eq "migration: IPv4 nginx stopped: all 10 IPv4 requests fail" \
	"$(nof FAIL <<<"$out")" 10
check_eq "migration: IPv4 nginx stopped: no IPv4 request got the IPv6 page" \
	"$(nof $page6 <<<"$out")" 0
mapfile -t s2 < <(stats)
diag "conns b1 ${s2[0]} b2 ${s2[1]}, new conntrack entries $new4"
[ "$new4" -eq 10 ] || diag "conntrack: $(flat "$(cat "$evf")")"
check "migration: conntrack saw at least one new connection per IPv4 attempt" -- \
	test "$new4" -ge 10
check_eq "migration: IPv4 attempts went to the IPv4 backend (conns +$new4, one per new connection), the IPv6 backend's conns unchanged" \
	"$(delta s1 s2 0) $(delta s1 s2 1)" "$new4 0"
out=$(curl_tally "$P-c6" "$url6" 5 -6)
check_eq "migration: IPv4 nginx stopped: IPv6 still answers the IPv6 page" \
	"$(nof $page6 <<<"$out")" 5
start_nginx "$P-b1" "Hello from IPv4 backend"
sleep 0.5
out=$(curl_tally "$P-c4" "$url4" 10 -4)
diag "10 IPv4 requests after restarting nginx: $(flat "$out")"
check_eq "migration: IPv4 nginx started again: IPv4 requests succeed" \
	"$(nof $page4 <<<"$out")" 10

# ---- Health: unhealthy backends are skipped within the family.
check "health: add a second IPv4 backend" -- \
	nlb backend add web "$b3" port 80
out=$(curl_tally "$P-c4" "$url4" 10 -4)
diag "10 IPv4 requests, two healthy IPv4 backends: $(flat "$out")"
check_eq "health: two healthy IPv4 backends share IPv4 (rr 5/5)" \
	"$(nof $page4 <<<"$out") $(nof $page4b <<<"$out")" "5 5"
check "health: mark the first IPv4 backend unhealthy" -- \
	nlb backend change web "$b1" port 80 health down
check_eq "health: show says the backend is unhealthy" \
	"$(nlb_eval 'B("web", "'"$b1"'")["healthy"]')" False
mapfile -t s3 < <(stats)
out=$(curl_tally "$P-c4" "$url4" 10 -4)
diag "10 IPv4 requests, first IPv4 backend unhealthy: $(flat "$out")"
check_eq "health: IPv4 traffic moves to the healthy IPv4 backend" \
	"$(nof $page4b <<<"$out")" 10
mapfile -t s4 < <(stats)
check_eq "health: unhealthy backend got no connection, no fail-open" \
	"$(delta s3 s4 0) $(delta s3 s4 2) $(delta s3 s4 4)" "0 10 0"

check "health: mark the second IPv4 backend unhealthy too" -- \
	nlb backend change web "$b3" port 80 health down
out=$(curl_tally "$P-c4" "$url4" 10 -4)
diag "10 IPv4 requests, every IPv4 backend unhealthy: $(flat "$out")"
check_eq "fail-open: all 10 IPv4 requests answered by the IPv4 backends" \
	"$(($(nof $page4 <<<"$out") + $(nof $page4b <<<"$out")))" 10
mapfile -t s5 < <(stats)
diag "fail-open: b1 +$(delta s4 s5 0) b3 +$(delta s4 s5 2), failopen listener +$(delta s4 s5 4) group +$(delta s4 s5 6)"
check_eq "fail-open: listener and group failopen counters +10 each" \
	"$(delta s4 s5 4) $(delta s4 s5 6)" "10 10"
check_eq "fail-open: never to the IPv6 backend (its conns unchanged)" \
	"$(delta s4 s5 1)" 0
out=$(curl_tally "$P-c6" "$url6" 5 -6)
mapfile -t s6 < <(stats)
check_eq "fail-open: IPv6 still on its healthy backend, not counted as failopen" \
	"$(nof $page6 <<<"$out") $(delta s5 s6 4)" "5 0"

check "fail-open: mark the IPv6 backend unhealthy" -- \
	nlb backend change web "$b2" port 80 health down
out=$(curl_tally "$P-c6" "$url6" 5 -6)
mapfile -t s7 < <(stats)
check_eq "fail-open: IPv6 fails open to its unhealthy IPv6 backend (5 answered, failopen +5)" \
	"$(nof $page6 <<<"$out") $(delta s6 s7 4)" "5 5"

# Disabled backends are no fail-open target: IPv4 with every IPv4 backend
# disabled (and unhealthy) is refused, never sent to IPv6.
nlb backend change web "$b1" port 80 state disabled
nlb backend change web "$b3" port 80 state disabled
check_eq "disabled: show says the backend is disabled" \
	"$(nlb_eval 'B("web", "'"$b1"'")["enabled"]')" False
out=$(curl_tally "$P-c4" "$url4" 5 -4)
mapfile -t s8 < <(stats)
diag "5 IPv4 requests, every IPv4 backend disabled: $(flat "$out"); drop-no-backend +$(delta s7 s8 5)"
check_eq "disabled: all IPv4 requests refused" "$(nof FAIL <<<"$out")" 5
check_eq "disabled: refusals counted as drop-no-backend (+5), none fail-open" \
	"$(delta s7 s8 5) $(delta s7 s8 4)" "5 0"
check_eq "disabled: never to the IPv6 backend (its conns unchanged)" \
	"$(delta s7 s8 1)" 0

restore() {
	nlb backend change web "$b1" port 80 state enabled health up &&
	nlb backend change web "$b3" port 80 state enabled health up &&
	nlb backend change web "$b2" port 80 health up
}
check "restore every backend" -- restore
out=$(curl_tally "$P-c4" "$url4" 4 -4)
out6=$(curl_tally "$P-c6" "$url6" 2 -6)
check_eq "restored: IPv4 on both IPv4 backends, IPv6 on the IPv6 backend" \
	"$(nof $page4 <<<"$out") $(nof $page4b <<<"$out") $(nof $page6 <<<"$out6")" \
	"2 2 2"

# ---- Affinity, scheduler and tracking changed at runtime: established
# connections of both families survive and keep their backend.
conf_echo() {
	nlb group add echo ipversion dualstack sched wrr &&
	nlb backend add echo "$b1" port 9000 &&
	nlb backend add echo "$b3" port 9000 &&
	nlb backend add echo "$b2" port 9000 &&
	nlb listener add echo vip "$VIP4" vip "$VIP6" proto tcp port 9000 \
		group echo
}
check "runtime: echo listener and group" -- conf_echo
hold_start h4 "$P-c4" "$VIP4" 9000
hold_start h6 "$P-c6" "$VIP6" 9000
conns4=$(hold h4 "open 4")
conns6=$(hold h6 "open 4")
diag "IPv4 connections: $(flat "$conns4")"
diag "IPv6 connections: $(flat "$conns6")"
check_eq "runtime: 4 IPv4 connections on the IPv4 backends b1, b3" \
	"$(grep -cE ' b[13]$' <<<"$conns4")" 4
check_eq "runtime: 4 IPv6 connections on the IPv6 backend b2" \
	"$(grep -cE ' b2$' <<<"$conns6")" 4
# The answer of every held connection must be its own backend's: the
# list of "conn ID BACKEND" as "say ID BACKEND".
want4=${conns4//conn/say}
want6=${conns6//conn/say}
n=0
survive() {
	local what=$1 got4 got6 new4 new6 id4 id6
	n=$((n + 1))
	got4=$(hold h4 "say w$n")
	got6=$(hold h6 "say w$n")
	check_eq "runtime: after $what: the 4 IPv4 connections answer, same backends" \
		"$got4" "$want4"
	check_eq "runtime: after $what: the 4 IPv6 connections answer, same backends" \
		"$got6" "$want6"
	read -r _ id4 new4 <<<"$(hold h4 "open 1")"
	read -r _ id6 new6 <<<"$(hold h6 "open 1")"
	hold h4 "close $id4" >/dev/null
	hold h6 "close $id6" >/dev/null
	check "runtime: after $what: a new IPv4 connection on an IPv4 backend ($new4), IPv6 on IPv6 ($new6)" -- \
		test "${new4/b3/b1} ${new6}" = "b1 b2"
}
check "runtime: affinity on again (no change) accepted" -- \
	nlb group change echo affinity on
survive "affinity on"
msg=$(nlb group change echo affinity off 2>&1)
rc=$?
diag "affinity off: exit $rc: $msg"
check "runtime: affinity off refused without an IPv4 source pool" -- \
	test "$rc" -ne 0
check "runtime: the refusal names the pool the IPv4 backends need" -- \
	grep -q 'need an IPv4 source pool' <<<"$msg"
check_eq "runtime: affinity still on after the refusal" \
	"$(nlb_eval 'G("echo")["affinity"]')" on
survive "refused affinity off"
check "runtime: affinity prefer, with a source pool" -- \
	nlb group change echo affinity prefer pool 100.64.0.1
survive "affinity prefer"
check "runtime: affinity on again" -- \
	nlb group change echo affinity on
survive "affinity on after prefer"
check "runtime: scheduler to wlc (track on)" -- \
	nlb group change echo sched wlc track on
survive "sched wlc"
check "runtime: scheduler to maglev, track off" -- \
	nlb group change echo sched maglev track off
survive "sched maglev, track off"
check "runtime: scheduler to sh, track on" -- \
	nlb group change echo sched sh track on
survive "sched sh, track on"
check "runtime: scheduler to rr, track off, drain-timeout 60" -- \
	nlb group change echo sched rr track off drain-timeout 60
survive "sched rr, track off"
hold_stop h4
hold_stop h6

tap_end
