#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Same-family load balancing end to end: IPv4 and IPv6 clients through a
# dual-stack listener, weighted distribution, weight 0, draining of
# established connections, UDP, locally originated clients, conntrack's
# view of the NAT, exact counters, and IP version affinity when a family
# has no backend.
#
#                               +-----------------------------+
#   c4  192.0.2.2   ---------+  | lb: nlb.ko                  |  +--- b1 198.18.1.2  2001:db8:101::2
#                            +--+ VIP 203.0.113.10            +--+--- b2 198.18.2.2  2001:db8:102::2
#   c6  2001:db8:1::2 -------+  |     2001:db8:ff::10         |  +--- b3 198.18.3.2  2001:db8:103::2
#                               +-----------------------------+
#   nginx on b1..b3 answers "bN" on TCP port 80 and UDP port 5353; socat
#   echo on port 9000 answers "bN=<line>".

# Variables read in eval strings; single-quoted strings for eval and check;
# functions called through check or trap.
# shellcheck disable=SC2034,SC2016,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbb
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nginx curl socat conntrack python3
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

cleanup() {
	local c
	for c in a b c d e f; do
		conn_close $c
	done
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

tap_begin
nlb_load || tap_bail "insmod failed"
topo_setup 3
for i in 1 2 3; do
	start_nginx "$P-b$i" "b$i"
	start_echo "$P-b$i" "b$i" 9000
done
sleep 1

url4="http://$VIP4/"
url6="http://[$VIP6]/"

configure() {
	nlb group add web ipversion dualstack sched wrr &&
	nlb backend add web "$(backend4 1)" port 80 weight 3 &&
	nlb backend add web "$(backend4 2)" port 80 weight 1 &&
	nlb backend add web "$(backend4 3)" port 80 weight 0 &&
	nlb backend add web "$(backend6 1)" port 80 weight 3 &&
	nlb backend add web "$(backend6 2)" port 80 weight 1 &&
	nlb backend add web "$(backend6 3)" port 80 weight 0 &&
	nlb listener add http vip "$VIP4" vip "$VIP6" proto tcp port 80 \
		group web &&
	nlb group add echo ipversion dualstack &&
	nlb backend add echo "$(backend4 1)" &&
	nlb backend add echo "$(backend4 2)" &&
	nlb backend add echo "$(backend6 1)" &&
	nlb backend add echo "$(backend6 2)" &&
	nlb listener add echo vip "$VIP4" vip "$VIP6" proto tcp port 9000 \
		group echo &&
	nlb listener add dns vip "$VIP4" vip "$VIP6" proto udp port 5353 \
		group echo
}
check "configure listeners, groups and backends with nlbadm" -- configure
nlb show | sed 's/^/# /'

# Weighted distribution, per family: weights 3:1:0 over 40 connections,
# ten whole cycles of smooth weighted round robin: exactly 30 and 10;
# conntrack shows the flows with their NAT: original to the VIP, reply from
# a backend.
distribution() {
	local fam=$1 ns=$2 url=$3 ctargs=$4 vip=$5 out b1 b2 b3 ct
	out=$(curl_count "$ns" "$url" 40)
	b1=$(count_of b1 <<<"$out")
	b2=$(count_of b2 <<<"$out")
	b3=$(count_of b3 <<<"$out")
	diag "$fam: b1=$b1 b2=$b2 b3=$b3 (weights 3 1 0)"
	check_eq "$fam: all 40 requests answered, exactly 30 by b1 and 10 by b2 (weights 3:1), none by b3 (weight 0)" \
		"$b1 $b2 $b3" "30 10 0"
	# shellcheck disable=SC2086
	ct=$(nsexec "$P-lb" conntrack -L $ctargs -p tcp --orig-dst "$vip" \
		2>/dev/null)
	check "$fam: conntrack -L shows the flows DNATed to the backends" -- \
		grep -qE "dst=$vip .*src=($(backend4 1)|$(backend4 2)|$(backend6 1)|$(backend6 2)) " \
		<<<"$ct"
}
distribution IPv4 "$P-c4" "$url4" "-f ipv4" "$VIP4"
distribution IPv6 "$P-c6" "$url6" "-f ipv6" "$VIP6"

# Exact counters: the listener scheduled 80 connections, each backend as
# many as it answered; their packets and bytes are conntrack's own (the
# flows are closed, in TIME_WAIT: the census of the untracked group still
# counts them).
mapfile -t v < <(nlb_eval 'S(L("http"), "conns")' 'S(G("web"), "conns")' \
	'[S(B("web", a), "conns") for a in ("198.18.1.2", "198.18.2.2", "198.18.3.2", "2001:db8:101::2", "2001:db8:102::2", "2001:db8:103::2")]')
check_eq "counters: listener and group 80 connections, backends 30 10 0 per family" \
	"${v[*]}" "80 80 [30, 10, 0, 30, 10, 0]"
out=$(ct_vs_nlb tcp 80 http web)
diag "packets and bytes against conntrack: $out"
check "counters: packets and bytes of listener, group and each backend are conntrack's" -- \
	test "${out%% *}" = ok

# Locally originated clients, on the gateway itself.
check "local IPv4 client on the gateway is balanced" -- \
	grep -qE '^b[12]$' <<<"$(curl_page "$P-lb" "$url4")"
check "local IPv6 client on the gateway is balanced" -- \
	grep -qE '^b[12]$' <<<"$(curl_page "$P-lb" "$url6")"

# UDP: every datagram from a new source port is a new flow (8 flows at
# once from one process: socat waits out its timeout on every datagram).
udp_count() {
	flows "$1" udp "$2" 5353 --count 8 --sport 41000 --timeout 5 |
		awk '{print ($3 ~ /^FAIL/ ? "FAIL" : $3)}' | sort | uniq -c |
		awk '{print $2, $1}'
}
out=$(udp_count "$P-c4" "$VIP4")
diag "UDP IPv4: $(tr '\n' ' ' <<<"$out")"
check "UDP IPv4: answered by both backends, round robin" -- \
	test "$(count_of b1 <<<"$out") $(count_of b2 <<<"$out")" = "4 4"
out=$(udp_count "$P-c6" "$VIP6")
diag "UDP IPv6: $(tr '\n' ' ' <<<"$out")"
check "UDP IPv6: answered by both backends, round robin" -- \
	test "$(count_of b1 <<<"$out") $(count_of b2 <<<"$out")" = "4 4"

# Draining: connections established to a backend survive its weight going
# to 0 and its removal; new connections go elsewhere.
conn_open a "$P-c4" "$VIP4" 9000
conn_open b "$P-c4" "$VIP4" 9000
conn_open c "$P-c6" "[$VIP6]" 9000
conn_open d "$P-c6" "[$VIP6]" 9000
first4=$(conn_say a one | cut -d= -f1)
conn_say b one >/dev/null
first6=$(conn_say c one | cut -d= -f1)
conn_say d one >/dev/null
diag "long-lived IPv4 connection on $first4, IPv6 on $first6"
n4=${first4#b}
n6=${first6#b}
check "long-lived connections answered by b1 or b2 ($first4, $first6)" -- \
	eval '[[ $first4 =~ ^b[12]$ && $first6 =~ ^b[12]$ ]]'
other() { [ "$1" = b1 ] && echo b2 || echo b1; }
# Client addresses are preserved: the backends see the clients' own.
peer() {
	nsexec "$P-$1" ss -Htn state established '( sport = :9000 )' |
		awk '{print $4}' | sed -E 's/:[0-9]+$//; s/^\[//; s/\]$//; s/^::ffff://' |
		sort -u
}
check_eq "client address: $first4 sees the IPv4 client's own address" \
	"$(peer "$first4" | grep -c '^192\.0\.2\.2$')" 1
check_eq "client address: $first6 sees the IPv6 client's own address" \
	"$(peer "$first6" | grep -c '^2001:db8:1::2$')" 1
check "weight 0: nlbadm sets weight 0 on $first4 (IPv4) and $first6 (IPv6)" -- \
	eval 'nlb backend change echo "$(backend4 "$n4")" weight 0 &&
	nlb backend change echo "$(backend6 "$n6")" weight 0'
check_eq "weight 0: established IPv4 connection continues" \
	"$(conn_say a two)" "$first4=two"
check_eq "weight 0: established IPv6 connection continues" \
	"$(conn_say c two)" "$first6=two"
conn_open e "$P-c4" "$VIP4" 9000
conn_open f "$P-c6" "[$VIP6]" 9000
check_eq "weight 0: a new IPv4 connection goes to the other backend" \
	"$(conn_say e x)" "$(other "$first4")=x"
check_eq "weight 0: a new IPv6 connection goes to the other backend" \
	"$(conn_say f x)" "$(other "$first6")=x"
check "removed backend: nlbadm deletes $first4 (IPv4) and $first6 (IPv6)" -- \
	eval 'nlb backend del echo "$(backend4 "$n4")" &&
	nlb backend del echo "$(backend6 "$n6")"'
check_eq "removed backend: established IPv4 connection continues" \
	"$(conn_say a three)" "$first4=three"
check_eq "removed backend: established IPv6 connection continues" \
	"$(conn_say c three)" "$first6=three"
for c in a b c d e f; do
	conn_close $c
done

# IP version affinity: a family without eligible backends is refused,
# never sent to the other family, and the refusal is counted.
nlb group add v4only ipversion dualstack
nlb backend add v4only "$(backend4 1)" port 80
nlb listener add v4only vip "$VIP4" vip "$VIP6" proto tcp port 8080 \
	group v4only
check "affinity: IPv4 client served by the IPv4 backend" -- \
	test "$(curl_page "$P-c4" "http://$VIP4:8080/")" = b1
check "affinity: IPv6 client with no IPv6 backend is refused" -- \
	test "$(curl_page "$P-c6" "http://[$VIP6]:8080/")" = FAIL
check "affinity: the refusal is counted as drop-no-backend" -- \
	test "$(nlb_json '[l for l in j["listeners"] if l["name"] == "v4only"][0]["stats"]["drop_no_backend"]')" -ge 1

tap_end
