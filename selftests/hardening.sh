#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regression tests of the review's hardening defects. Each case fails (an
# assertion, or a splat that ends the debug VM: panic_on_warn, KASAN,
# lockdep; kmemleak at the end of the run) on code with the defect and
# passes once it is fixed:
#
#   1   NAT set up on a connection conntrack confirmed before nlb's hooks
#       were registered (WARN in nf_ct_ext_add()): unreplied UDP and TCP
#       flows of both families to a VIP, conntrack kept on by an nft
#       `ct state` rule, then the listener added; also with track on,
#       after a listener delete/re-add and after rmmod/insmod; and
#       translated: IPv6 VIPs on an IPv4-only group (1.9), the re-add and
#       the reload under translated flows of both directions (1.10, 1.11).
#       Expected: such a connection is left alone, counted nowhere; new
#       connections are balanced.
#   2   nlb's flowtable freed without a grace period: offload off/on and
#       group del in a loop under forwarding load of both families.
#   3   per-namespace state freed while nlb's hooks may run: rmmod (and
#       namespace deletion) under forwarding load, repeated: same-family
#       connections (offloaded and not) and translated ones of both
#       directions (IPv6 clients on IPv4 backends from the pool, IPv4
#       clients on IPv6 backends from 64:ff9b::/96).
#   8   persistence returning a backend of the listener's previous group:
#       the listener moved between two groups under a stream of new
#       connections from persistent clients.
#   9   the census: exact drain timeout (drained, one reset per
#       connection, counters of the drain walk), connections of a deleted
#       group not reset at its old drain timeout, and `nlbadm -s show` in
#       a tight loop while connections come and go and backends drain.
#   10  ctnetlink clearing nlb's helper (CTA_HELP with an empty name):
#       the backend must still drain, active return to 0, nothing leak.
#
# Which parts run:
#   default (make check, which leaves this suite about 5 minutes of
#   debug-VM time): one cheap part per defect that has one, with short
#   loops and a lighter load (2 TCP connections in flight per family, no
#   loops of new UDP flows; conntrack timeouts shortened for the load):
#   1.0 (1.1-1.4 at once: unreplied UDP and TCP of both families), 2 (a
#   10 s loop), 3.1 (one rmmod under load), 9.1 (the exact drain, 50
#   connections per backend) and 10.1 (TCP), then the kmemleak scan.
#   NLB_SOAK=1 (make soak): every part (1.1-1.11, 2, 3.1, 3.2, 8,
#   9.1-9.3, 10.1, 10.2) under the full load, with long loops (case 2:
#   600 s; 3.1: 25 rmmods; 3.2: 8 namespaces; 8: 60 moves; 9.1: 150
#   connections per backend; 9.3: 300 s):
#     tools/vm/run --timeout 7200 -- env NLB_SOAK=1 selftests/run hardening
#   NLB_HARDENING_CASES="1 8" runs some cases only, in that order, with
#   the short loops unless NLB_SOAK=1 (2: 10 s; 3.1: 1 rmmod; 3.2: 1
#   namespace; 8: 3 moves; 9.3: 20 s); a case is N (all its parts but
#   1.0) or N.M (one part), e.g. "1.3 9.2".
# Cases 1, 2 and 3 crash the VM while their defect is there: run them one
# at a time (or last) to see each. The races (2, 3, 8) show best with more
# vCPUs than host cores: tools/vm/run --cpus 4. NLB_HARDENING_TRACE=1
# adds a shell trace with times to the output, to see where the time goes.
#
#                                +-------------------------------------+
#   c4 192.0.2.2 ----------------+ lb: nlb.ko                          +--- b1 198.18.1.2 2001:db8:101::2
#      + 10.8.0.0/16 (8, AnyIP)  | VIP  203.0.113.10  2001:db8:ff::10  +--- b2 198.18.2.2 2001:db8:102::2
#                                | VIPL 203.0.113.30  2001:db8:ff::30  +--- b3 198.18.3.2 2001:db8:103::2
#   c6 2001:db8:1::2 ------------+      on lb's lo (case 1, UDP)       +--- b4 198.18.4.2 2001:db8:104::2
#      + 2001:db8:8::/64 (8)     | VIPT 203.0.113.20  2001:db8:ff::20  |
#                                |      routed to sk (case 1, TCP)     +--- sk 198.19.0.2 2001:db8:200::2
#                                | VIPX 203.0.113.40  2001:db8:ff::40  |    (drops what is sent to VIPT)
#                                |      translated (case 3)            |
#                                | pool 100.64.0.1, 64:ff9b::/96       |
#                                +-------------------------------------+
#
#   bN: nginx: HTTP on 80 and UDP on 5353 answer "bN"; socat TCP echo on
#   9000 answers "bN=<line>"; nlbperf TCP server on 7000, UDP echo on 7001.
#   Case 3 also builds a second, smaller copy (prefix nlbx) to delete.

# Single-quoted strings for eval and check; functions called through
# check, trap or a variable.
# shellcheck disable=SC2016,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbh
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nft conntrack python3 nginx socat
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }
[ -f "$NLB_KO" ] || { echo "1..0 # SKIP no module at $NLB_KO"; exit $KSFT_SKIP; }
NLBPERF=${NLBPERF:-$top/tools/bench/nlbperf}
HPY=$here/hardening.py
SOAK=${NLB_SOAK:-0}
# The default run (make check) has one cheap part per defect that can be
# exercised cheaply; NLB_SOAK=1 runs every part, with long loops.
if [ "$SOAK" = 1 ]; then
	CASES=${NLB_HARDENING_CASES:-1 2 3 8 9 10}
else
	CASES=${NLB_HARDENING_CASES:-1.0 2 3.1 9.1 10.1}
fi

VIPL4=203.0.113.30
VIPL6=2001:db8:ff::30
VIPT4=203.0.113.20
VIPT6=2001:db8:ff::20
C4=192.0.2.2
C6=2001:db8:1::2
# Translation (cases 1.9-1.11 and 3): the IPv4 source pool of the IPv6
# clients' connections to IPv4 backends; IPv4 clients reach IPv6 backends
# from their address embedded in 64:ff9b::/96.
XPOOL=100.64.0.1
VIPX4=203.0.113.40
VIPX6=2001:db8:ff::40

# ---- Kernel splats, per case.

# The harness fails the run on any splat; these checks say which case
# made it. With NLB_HARDENING_KEEP_GOING=1 the suite sets
# kernel.panic_on_warn=0, so that a WARN no longer ends the VM and every
# case runs (KASAN prints its first report only).
splat_re='WARNING:|BUG:|KASAN|UBSAN|possible circular locking|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|general protection fault'
splat_benign='kasan: KernelAddressSanitizer initialized|KASAN shadow|RCU lockdep checking is enabled'
splat_t=0
splat_s=0
# splat_new: the kernel log lines after splat_mark's (by their timestamps:
# the log buffer may have wrapped), first the splat lines' count, then the
# first 16 lines from the first of them.
splat_new() {
	dmesg 2>/dev/null | awk -v t="$splat_t" -v re="$splat_re" -v ok="$splat_benign" '
		{ ts = $0; sub(/^\[ */, "", ts); sub(/\].*/, "", ts) }
		ts + 0 <= t + 0 { next }
		$0 ~ re && $0 !~ ok { n++; if (!first) first = NR }
		first && NR < first + 16 { keep = keep $0 "\n" }
		END { print n + 0; printf "%s", keep }'
}

splat_mark() {
	splat_s=$SECONDS
	splat_t=$(dmesg 2>/dev/null | tail -n 1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	splat_t=${splat_t:-0}
}

# splat_check ID: a test point: no kernel splat since splat_mark.
splat_check() {
	local out n
	diag "$1: $((SECONDS - splat_s)) s"
	out=$(splat_new)
	n=${out%%$'\n'*}
	if [ "$n" = 0 ]; then
		tap_result 0 "$1: no kernel warning, KASAN or lockdep report"
	else
		tap_result 1 "$1: no kernel warning, KASAN or lockdep report"
		diag "$1: $n kernel log lines like these:"
		sed -n '2,$p' <<<"$out" | sed 's/^/# kernel: /'
	fi
}

# ---- Case selection, background processes.

# selected ID: whether case ID (N.M, or N: any of its parts) was asked for.
# Part 1.0 (1.1-1.4 at once) runs only when named: case 1 has 1.1-1.4.
selected() {
	local c
	for c in $CASES; do
		[ "$1" = 1.0 ] && [ "$c" != 1.0 ] && continue
		case $1 in
		"$c" | "$c".*) return 0 ;;
		esac
		case $c in
		"$1".*) return 0 ;;
		esac
	done
	return 1
}

declare -A bg=()
# bg_start NAME NS COMMAND...: COMMAND in NS, in the background, its output
# in /tmp/h-NAME.out.
bg_start() {
	local name=$1 ns=$2
	shift 2
	# Not through a shell function: $! must be the command itself (ip
	# netns exec execs it), so that bg_stop's signal reaches it.
	ip netns exec "$ns" "$@" >"/tmp/h-$name.out" 2>&1 &
	bg[$name]=$!
}

# bg_stop NAME...: SIGTERM (the tools print their results) and wait.
bg_stop() {
	local n
	for n in "$@"; do
		[ -n "${bg[$n]:-}" ] || continue
		kill "${bg[$n]}" 2>/dev/null
		wait "${bg[$n]}" 2>/dev/null
		unset "bg[$n]"
	done
	return 0
}

# bg_wait NAME...: wait for the background commands to end by themselves.
bg_wait() {
	local n
	for n in "$@"; do
		[ -n "${bg[$n]:-}" ] || continue
		wait "${bg[$n]}" 2>/dev/null
		unset "bg[$n]"
	done
	return 0
}

# udp_loop NAME NS DST PORT SRC BASE [RANGES]: nlbperf udpprime passes of
# 200 source ports each, until loop_stop NAME: BASE..BASE+199, then the
# next 200, ... RANGES (default 50) ranges, again. With RANGES 50 each
# pass opens new connections; with 1, the same ones carry on (offloaded).
declare -A loops=()
udp_loop() {
	local name=$1 ns=$2 dst=$3 port=$4 src=$5 base=$6 ranges=${7:-50}
	rm -f "/tmp/h-stop-$name"
	(
		k=0
		while [ ! -e "/tmp/h-stop-$name" ]; do
			lo=$((base + 200 * (k % ranges)))
			nsexec "$ns" "$NLBPERF" udpprime -d "$dst" -p "$port" \
				-s "$src" --sport "$lo-$((lo + 199))" -w 300 \
				-R 1 -W 200 >/dev/null 2>&1
			k=$((k + 1))
		done
	) &
	loops[$name]=$!
}

loop_stop() {
	local n
	for n in "$@"; do
		[ -n "${loops[$n]:-}" ] || continue
		touch "/tmp/h-stop-$n"
	done
	for n in "$@"; do
		[ -n "${loops[$n]:-}" ] || continue
		wait "${loops[$n]}" 2>/dev/null
		unset "loops[$n]"
	done
	return 0
}

# json_get FILE KEY: the number KEY of the first JSON line of FILE
# (nlbperf output: flat objects of numbers), "none" if absent; no python3
# (each start costs seconds in the debug VM).
json_get() {
	awk -v k="\"$2\":" '/^\{/ {
		i = index($0, k)
		if (i) {
			v = substr($0, i + length(k))
			sub(/[,}].*/, "", v)
			print v
		} else {
			print "none"
		}
		found = 1
		exit
	} END { if (!found) print "none" }' "$1" 2>/dev/null || echo none
}

offloaded_n() {
	nsexec "$P-lb" conntrack -L 2>/dev/null | grep -c OFFLOAD
}

any_offloaded() {
	[ "$(offloaded_n)" -gt 0 ] && echo yes || echo no
}

# nlb_batch: nlbadm -b - in the load balancer's namespace (stdin).
nlb_batch() {
	nsexec "$P-lb" "$NLBADM" -b -
}

# ct_count: number of the load balancer's conntrack entries.
ct_count() {
	nsexec "$P-lb" conntrack -L 2>/dev/null | grep -c .
}

# slow_routes NS N: N policy routing rules (per family) that match no
# packet, in front of the main table: every route lookup in NS walks them.
# This widens the races of cases 2 and 3: nlb's FORWARD hook looks up a
# route between taking the namespace's flowtable and adding a flow to it.
# Needs policy routing (CONFIG_IP_MULTIPLE_TABLES, IPV6_MULTIPLE_TABLES),
# which the debug VM kernel does without: there it says so and adds none.
slow_routes() {
	local ns=$1 n=$2 i
	if ! ip -n "$ns" -4 rule add from 10.254.255.254 lookup 254 pref 999 2>/dev/null ||
	   ! ip -n "$ns" -6 rule add from 2001:db8:fffe::ffff lookup 254 pref 999 2>/dev/null; then
		diag "no policy routing in this kernel: the race windows are not widened"
		return 0
	fi
	ip -n "$ns" -4 rule del pref 999
	ip -n "$ns" -6 rule del pref 999
	for ((i = 0; i < n; i++)); do
		echo "rule add from 10.254.$((i / 250)).$((i % 250 + 1)) lookup 254 pref $((1000 + i))"
	done | ip -4 -n "$ns" -batch -
	for ((i = 0; i < n; i++)); do
		echo "rule add from 2001:db8:fffe::$(printf %x $((i + 1))) lookup 254 pref $((1000 + i))"
	done | ip -6 -n "$ns" -batch -
}

slow_routes_off() {
	local ns=$1 n=$2 i
	for ((i = 0; i < n; i++)); do
		echo "rule del pref $((1000 + i))"
	done | ip -4 -n "$ns" -batch - 2>/dev/null
	for ((i = 0; i < n; i++)); do
		echo "rule del pref $((1000 + i))"
	done | ip -6 -n "$ns" -batch - 2>/dev/null
	return 0
}

SLOW_RULES=${NLB_HARDENING_RULES:-3000}

# ct_short: short conntrack timeouts in the load balancer's namespace for
# the load of cases 2 and 3 (ct_restore puts the defaults back). The UDP
# churn leaves tens of thousands of entries for 30 s (120 s once both
# sides sent twice), TCP churn its TIME_WAIT for 120 s: every conntrack
# dump, rmmod and namespace deletion walks them, slowly under KASAN.
ct_timeouts="udp_timeout=5 udp_timeout_stream=10 tcp_timeout_time_wait=2 tcp_timeout_close=2 tcp_timeout_fin_wait=5"
ct_saved=
ct_short() {
	local kv keys=() sets=()
	for kv in $ct_timeouts; do
		keys+=("net.netfilter.nf_conntrack_${kv%%=*}")
		sets+=("net.netfilter.nf_conntrack_$kv")
	done
	if [ -z "$ct_saved" ]; then
		ct_saved=$(nsexec "$P-lb" sysctl "${keys[@]}" | tr -d ' ')
		[ -n "$ct_saved" ] || return 1
	fi
	nsexec "$P-lb" sysctl -qw "${sets[@]}"
}

ct_restore() {
	[ -n "$ct_saved" ] || return 0
	# shellcheck disable=SC2086
	nsexec "$P-lb" sysctl -qw $ct_saved
	ct_saved=
}

case_cleanup() {
	local n
	for n in "${!bg[@]}"; do
		bg_stop "$n"
	done
	for n in "${!loops[@]}"; do
		loop_stop "$n"
	done
	hold_stop h4
	hold_stop h6
	monitor_stop
	if [ -d /sys/module/nlb ]; then
		nlb flush >/dev/null 2>&1
	fi
	nsexec "$P-lb" conntrack -F >/dev/null 2>&1
	ct_restore
	return 0
}

buckets0=
cleanup() {
	case_cleanup
	[ -n "$buckets0" ] && sysctl -qw net.netfilter.nf_conntrack_buckets="$buckets0"
	P=nlbx topo_cleanup
	topo_cleanup
	if [ -d /sys/module/nlb ]; then
		rmmod nlb
		# kmemleak reports objects older than 5 s only.
		sleep 6
	fi
}
trap cleanup EXIT

# ---- Topology.

servers() {
	local i
	for i in "$@"; do
		start_nginx "$P-b$i" "b$i"
		start_echo "$P-b$i" "b$i" 9000
		if [ -x "$NLBPERF" ]; then
			nsexec "$P-b$i" "$NLBPERF" server -p 7000 >/dev/null 2>&1 &
			nsexec "$P-b$i" "$NLBPERF" udpecho -p 7001 >/dev/null 2>&1 &
		fi
	done
}

setup() {
	topo_setup 4
	# The sink: VIPT is routed there and dropped without an answer.
	new_ns "$P-sk"
	link_ns "$P-lb" "$P-sk"
	ip -n "$P-lb" addr add 198.19.0.1/30 dev "to-$P-sk"
	ip -n "$P-lb" addr add 2001:db8:200::1/64 dev "to-$P-sk" nodad
	ip -n "$P-sk" addr add 198.19.0.2/30 dev "to-$P-lb"
	ip -n "$P-sk" addr add 2001:db8:200::2/64 dev "to-$P-lb" nodad
	ip -n "$P-lb" route add "$VIPT4/32" via 198.19.0.2
	ip -n "$P-lb" route add "$VIPT6/128" via 2001:db8:200::2
	nsexec "$P-sk" nft -f - <<-NFT
	table inet sink {
		chain pre {
			type filter hook prerouting priority 0; policy accept;
			ip daddr $VIPT4 drop
			ip6 daddr $VIPT6 drop
		}
	}
	NFT
	# VIPL is the gateway's own (lo): UDP to a port without a socket
	# draws an ICMP port unreachable, which is no reply for conntrack.
	ip -n "$P-lb" addr add "$VIPL4/32" dev lo
	ip -n "$P-lb" addr add "$VIPL6/128" dev lo
	# The clients of case 8: any address of 10.8.0.0/16 and
	# 2001:db8:8::/64 is the client namespace's own (AnyIP).
	ip -n "$P-c4" route add local 10.8.0.0/16 dev lo
	ip -n "$P-c6" -6 route add local 2001:db8:8::/64 dev lo
	nsexec "$P-c4" sysctl -qw net.ipv4.ip_nonlocal_bind=1
	nsexec "$P-c6" sysctl -qw net.ipv6.ip_nonlocal_bind=1
	ip -n "$P-lb" route add 10.8.0.0/16 via "$C4"
	ip -n "$P-lb" route add 2001:db8:8::/64 via "$C6"
	servers 1 2 3 4
}

b4() { backend4 "$1"; }
b6() { backend6 "$1"; }

# ======================================================================
# Case 1: a connection confirmed before the hooks, then the listener.
# ======================================================================

c1_firewall() {
	# A stateful rule, as gateways have: conntrack stays on without nlb.
	# The counters: TCP SYNs forwarded to VIPT (after nlb's NAT hook,
	# which would have sent a balanced one to b1 instead).
	nsexec "$P-lb" nft -f - <<-NFT
	table inet h1 {
		counter syn4 { }
		counter syn6 { }
		chain forward_filter {
			type filter hook forward priority 0; policy accept;
			ip daddr $VIPT4 tcp dport 80 tcp flags & (syn | ack) == syn counter name syn4
			ip6 daddr $VIPT6 tcp dport 80 tcp flags & (syn | ack) == syn counter name syn6
			ct state established,related accept
		}
		chain input_filter {
			type filter hook input priority 0; policy accept;
			ct state established,related accept
		}
	}
	NFT
}

# c1_group NAME [OPTION...]: a dual-stack group with b1 of both families
# (port 0: the client's destination port, 5353 for UDP, 80 for TCP).
#
# c1_xlat chooses translated connections instead: 6to4, an IPv4-only
# group (affinity off, source pool) of b1's IPv4 address behind IPv6
# VIPs only, so every client is translated; mix, a dual-stack group with
# affinity off and rr over b1's two addresses, so that half of each
# family's clients are translated (both directions), half not.
c1_xlat=
c1_group() {
	local g=$1
	shift
	case $c1_xlat in
	6to4)
		nlb group add "$g" affinity off pool "$XPOOL" "$@" &&
		nlb backend add "$g" "$(b4 1)"
		return
		;;
	mix)
		set -- sched rr affinity off pool "$XPOOL" "$@"
		;;
	esac
	nlb group add "$g" ipversion dualstack "$@" &&
	nlb backend add "$g" "$(b4 1)" &&
	nlb backend add "$g" "$(b6 1)"
}

# c1_unreplied PROTO DST PORT: the load balancer's unreplied conntrack
# entries to DST PORT.
c1_unreplied() {
	nsexec "$P-lb" conntrack -L -p "$1" --orig-dst "$2" --dport "$3" \
		2>/dev/null | grep -c UNREPLIED
}

# c1_dst PROTO FAM: the VIP case 1 uses: VIPL for UDP, VIPT for TCP.
c1_dst() {
	case $1$2 in
	udp4) echo "$VIPL4" ;;
	udp6) echo "$VIPL6" ;;
	tcp4) echo "$VIPT4" ;;
	tcp6) echo "$VIPT6" ;;
	esac
}

c1_port() {
	[ "$1" = udp ] && echo 5353 || echo 80
}

# c1_start PROTO FAM: the clients that come before the listener: one-way
# UDP flows from ports 41000-41003 (a datagram every 0.2 s), or 4 TCP
# connects whose SYNs are retransmitted (at 1, 3, 7, 15 and 31 s), until
# stopped (at most 60 s).
c1_start() {
	local dst port
	dst=$(c1_dst "$1" "$2")
	port=$(c1_port "$1")
	if [ "$1" = udp ]; then
		bg_start "$1$2" "$P-c$2" python3 "$HPY" udp-send "$dst" "$port" \
			--sports 41000-41003
	else
		bg_start "$1$2" "$P-c$2" python3 "$HPY" tcp-connect "$dst" \
			"$port" --count 4 --seconds 60
	fi
}

# c1_pre ID PROTO FAM: the precondition, 4 unreplied connections that
# conntrack confirmed without nlb (waits for the client to start).
c1_pre() {
	local dst port
	dst=$(c1_dst "$2" "$3")
	port=$(c1_port "$2")
	check_eq "$1: precondition: 4 unreplied $2 IPv$3 connections to $dst:$port, confirmed while nlb has no hooks" \
		"$(wait_for 30 4 c1_unreplied "$2" "$dst" "$port")" 4
}

# c1_syns: "N4 N6", the SYNs to VIPT of each family forwarded so far.
c1_syns() {
	nsexec "$P-lb" nft list counters table inet h1 2>/dev/null | awk '
		$1 == "counter" { c = $2 }
		{ for (i = 1; i < NF; i++) if ($i == "packets") n[c] = $(i + 1) }
		END { print n["syn4"] + 0, n["syn6"] + 0 }'
}

# c1_retransmitted "N4 N6" FAM...: "yes" once each family FAM has
# forwarded 4 more SYNs (one retransmit of each client) than N4 or N6.
c1_retransmitted() {
	local s0 s f
	read -ra s0 <<<"$1"
	shift
	read -ra s <<<"$(c1_syns)"
	for f in "$@"; do
		if [ "$f" = 4 ]; then
			[ "${s[0]}" -ge $((s0[0] + 4)) ] || { echo no; return; }
		else
			[ "${s[1]}" -ge $((s0[1] + 4)) ] || { echo no; return; }
		fi
	done
	echo yes
}

# c1_left ID PROTO FAM: once the listener exists, the connections from
# before it are left alone: not answered, not connected.
c1_left() {
	local o
	bg_stop "$2$3"
	o=$(cat "/tmp/h-$2$3.out")
	diag "$1: $2 IPv$3 clients from before the listener: $(flat "$o")"
	if [ "$2" = udp ]; then
		check "$1: the $2 IPv$3 flows from before the listener are left alone (no answer)" -- \
			grep -q 'answered_flows 0$' <<<"$o"
	else
		check "$1: the $2 IPv$3 connections from before the listener are left alone (not connected)" -- \
			grep -q '^connected 0 ' <<<"$o"
	fi
}

# c1_after ID "PROTO..." "FAM...": the old connections counted nowhere,
# new ones balanced and counted; one nlbadm and python3 run per look at
# the counters, the new flows of every listener and family at once.
c1_after() {
	local id=$1 protos=$2 fams=$3 p f ex=() v i n out ok pids=()
	for p in $protos; do
		ex+=("[S(L('l$id-$p'), k) for k in ('conns', 'drop_error', 'drop_no_backend')]")
	done
	mapfile -t v < <(nlb_eval "${ex[@]}")
	i=0
	for p in $protos; do
		check_eq "$id: l$id-$p: the connections from before the listener are counted nowhere (conns, drop-error, drop-no-backend)" \
			"${v[i]}" "[0, 0, 0]"
		i=$((i + 1))
	done
	for p in $protos; do
		for f in $fams; do
			flows "$P-c$f" "$p" "$(c1_dst "$p" "$f")" "$(c1_port "$p")" \
				--sport 45000 --count 3 --timeout 5 >"/tmp/h-new-$p$f.out" &
			pids+=($!)
		done
	done
	wait "${pids[@]}"
	ex=()
	for p in $protos; do
		ok=0
		n=0
		for f in $fams; do
			out=$(cat "/tmp/h-new-$p$f.out")
			diag "$id: l$id-$p: new IPv$f flows: $(flat "$out")"
			n=$((n + 3))
			ok=$((ok + $(grep -c ' b1$' <<<"$out")))
		done
		check_eq "$id: l$id-$p: new connections are balanced (answered by b1)" "$ok" "$n"
		ex+=("S(L('l$id-$p'), 'conns')")
	done
	mapfile -t v < <(nlb_eval "${ex[@]}")
	i=0
	for p in $protos; do
		check_eq "$id: l$id-$p: and counted" "${v[i]}" "$n"
		i=$((i + 1))
		if [ "$c1_xlat" = 6to4 ]; then
			check_eq "$id: l$id-$p: each of them translated (a backend's leg from the pool), none of the old ones" \
				"$(c1_legs4 "$p")" "$n"
		fi
	done
}

# c1_legs4 PROTO: the translated connections' IPv4 legs to b1 (from the
# pool) of PROTO to case 1's port.
c1_legs4() {
	nsexec "$P-lb" conntrack -L -f ipv4 -p "$1" --dport "$(c1_port "$1")" \
		2>/dev/null | grep -c "src=$XPOOL dst=$(b4 1) "
}

# c1_legs6 PROTO: the IPv6 legs to b1 of IPv4 clients (from c4's address
# embedded in 64:ff9b::/96).
c1_legs6() {
	nsexec "$P-lb" conntrack -L -f ipv6 -p "$1" --dport "$(c1_port "$1")" \
		2>/dev/null | grep -c "src=64:ff9b::c000:202 dst=$(b6 1) "
}

# c1_listeners ID PROTO...: add the listeners (lID-udp, lID-tcp).
c1_listeners() {
	local id=$1 p
	shift
	for p in "$@"; do
		if [ "$c1_xlat" = 6to4 ]; then
			echo "listener add l$id-$p vip $(c1_dst "$p" 6) proto $p port $(c1_port "$p") group g$id"
		else
			echo "listener add l$id-$p vip $(c1_dst "$p" 4) vip $(c1_dst "$p" 6) proto $p port $(c1_port "$p") group g$id"
		fi
	done | nlb_batch
}

# c1_case ID "GROUP OPTIONS" "PROTO..." "FAM...": the clients, then the
# listeners; what must hold afterwards.
c1_case() {
	local id=$1 opts=$2 protos=$3 fams=$4 p f s0
	# shellcheck disable=SC2086
	check "$id: group g$id (b1) $opts" -- c1_group "g$id" $opts
	for p in $protos; do
		for f in $fams; do
			c1_start "$p" "$f"
		done
	done
	for p in $protos; do
		for f in $fams; do
			c1_pre "$id" "$p" "$f"
		done
	done
	s0=$(c1_syns)
	# shellcheck disable=SC2086
	check "$id: listeners added ($protos) while those clients still send" -- \
		c1_listeners "$id" $protos
	# UDP: a few more datagrams; TCP: every client's next SYN (the
	# kernel's retransmit, up to 8 s later, or 16).
	sleep 1
	if [[ " $protos " == *" tcp "* ]]; then
		# shellcheck disable=SC2086
		check_eq "$id: each TCP client's SYN retransmitted after the listener was added (SYNs forwarded before: $s0)" \
			"$(wait_for 40 yes c1_retransmitted "$s0" $fams)" yes
	fi
	for p in $protos; do
		for f in $fams; do
			c1_left "$id" "$p" "$f"
		done
	done
	c1_after "$id" "$protos" "$fams"
}

# 1.1-1.4 at once: the default run's (make check) basic trigger.
case_1_0() {
	c1_case 1.0 "" "udp tcp" "4 6"
}

case_1_1() {
	c1_case 1.1 "" udp 4
}

case_1_2() {
	c1_case 1.2 "" udp 6
}

case_1_3() {
	c1_case 1.3 "" tcp 4
}

case_1_4() {
	c1_case 1.4 "" tcp 6
}

case_1_5() {
	c1_case 1.5 "track on" "udp tcp" "4 6"
}

case_1_6() {
	c1_case 1.6 "track on acct off" "udp tcp" "4 6"
}

# c1_sending: "yes" once conntrack has answered UDP flows of both families
# to VIPL.
c1_sending() {
	local l
	l=$(nsexec "$P-lb" conntrack -L -p udp --dport 5353 2>/dev/null)
	if grep -q "dst=$VIPL4 .*src=$(b4 1)" <<<"$l" &&
	   grep -q "dst=$VIPL6 .*src=$(b6 1)" <<<"$l"; then
		echo yes
	else
		echo no
	fi
}

# c1_unreplied_both: "yes" once both families have unreplied flows to VIPL.
c1_unreplied_both() {
	if [ "$(c1_unreplied udp "$VIPL4" 5353)" -gt 0 ] &&
	   [ "$(c1_unreplied udp "$VIPL6" 5353)" -gt 0 ]; then
		echo yes
	else
		echo no
	fi
}

# c1_gap ID HOW: one-way UDP flows that keep arriving (one more every
# 0.25 s) while the listener goes away and comes back (HOW: readd, or
# reload: rmmod and insmod).
c1_gap() {
	local id=$1 how=$2 n4 n6 o fam v t0 t1
	c1_conf() {
		c1_group "g$id" && c1_listeners "$id" udp
	}
	check "$id: group g$id (b1), listener l$id-udp" -- c1_conf
	t1=$SECONDS
	bg_start udp4 "$P-c4" python3 "$HPY" udp-send "$VIPL4" 5353 \
		--sports 41000-41399 --new-every 0.25 --seconds 100
	bg_start udp6 "$P-c6" python3 "$HPY" udp-send "$VIPL6" 5353 \
		--sports 41000-41399 --new-every 0.25 --seconds 100
	# Both senders have started: their flows are answered.
	wait_for 30 yes c1_sending >/dev/null
	if [ "$c1_xlat" = mix ]; then
		n4=$(c1_legs4 udp)
		n6=$(c1_legs6 udp)
		check "$id: precondition: translated flows both ways (legs from the pool $n4, embedded $n6)" -- \
			test "$n4" -gt 0 -a "$n6" -gt 0
	fi
	t0=$SECONDS
	if [ "$how" = readd ]; then
		check "$id: listener deleted while clients arrive" -- \
			nlb listener del "l$id-udp"
	else
		check "$id: rmmod while clients arrive" -- rmmod nlb
	fi
	wait_for 30 yes c1_unreplied_both >/dev/null
	diag "$id: $how $((t0 - t1)) s after the clients started; $((SECONDS - t0)) s later unreplied flows of both families"
	n4=$(c1_unreplied udp "$VIPL4" 5353)
	n6=$(c1_unreplied udp "$VIPL6" 5353)
	check "$id: precondition: new flows confirmed meanwhile without nlb (IPv4 $n4, IPv6 $n6 unreplied)" -- \
		test "$n4" -gt 0 -a "$n6" -gt 0
	if [ "$how" = readd ]; then
		check "$id: listener added again while they send" -- \
			c1_listeners "$id" udp
	else
		check "$id: insmod and configure again while they send" -- \
			eval 'insmod "$NLB_KO" && c1_conf'
	fi
	# A few more new flows, now balanced, then the senders stop.
	sleep 2
	bg_stop udp4 udp6
	for fam in 4 6; do
		diag "$id: IPv$fam sender: $(flat "$(cat "/tmp/h-udp$fam.out")")"
	done
	mapfile -t v < <(nlb_eval "[S(L('l$id-udp'), k) for k in ('drop_error', 'drop_no_backend')]")
	check_eq "$id: no drop-error or drop-no-backend" "${v[0]}" "[0, 0]"
	o=$(flows "$P-c4" udp "$VIPL4" 5353 --sport 45000 --count 3 --timeout 5
	    flows "$P-c6" udp "$VIPL6" 5353 --sport 45000 --count 3 --timeout 5)
	diag "$id: new flows: $(flat "$o")"
	check_eq "$id: new connections are balanced (answered by b1)" \
		"$(grep -c ' b1$' <<<"$o")" 6
}

case_1_7() {
	c1_gap 1.7 readd
}

case_1_8() {
	c1_gap 1.8 reload
}

# Translated: IPv6 VIPs on an IPv4-only group (both protocols), and a
# listener deleted and added again, or nlb reloaded, under translated
# flows of both directions.
case_1_9() {
	c1_xlat=6to4
	c1_case 1.9 "" "udp tcp" 6
	c1_xlat=
}

case_1_10() {
	c1_xlat=mix
	c1_gap 1.10 readd
	c1_xlat=
}

case_1_11() {
	c1_xlat=mix
	c1_gap 1.11 reload
	c1_xlat=
}

case_1() {
	local k
	c1_firewall
	for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
		if selected "1.$k"; then
			diag "---- case 1.$k"
			splat_mark
			"case_1_$k"
			case_cleanup
			splat_check "1.$k"
		fi
	done
	nsexec "$P-lb" nft delete table inet h1
}

# ======================================================================
# Case 2: offload off/on and group del under forwarding load.
# ======================================================================

# off_group G OPTIONS: nlbadm batch lines for group G (dual-stack, OPTIONS)
# with b1 and b2 of both families, port 0 (the client's destination port).
off_group() {
	cat <<-EOF
	group add $1 ipversion dualstack $2
	backend add $1 $(b4 1)
	backend add $1 $(b4 2)
	backend add $1 $(b6 1)
	backend add $1 $(b6 2)
	EOF
}

# load_start: TCP connection churn and UDP flows of both families through
# listeners t (tcp 7000) and u (udp 7001), for up to $1 seconds. The
# default run's load is lighter (2 TCP connections in flight per family,
# soak: 8; new UDP flows in soak runs only, TCP brings new connections):
# the debug VM's two vCPUs are busy enough with the rest.
load_conc=2
[ "$SOAK" = 1 ] && load_conc=8
load_start() {
	bg_start lt4 "$P-c4" "$NLBPERF" client -d "$VIP4" -p 7000 -c "$load_conc" -t "$1"
	bg_start lt6 "$P-c6" "$NLBPERF" client -d "$VIP6" -p 7000 -c "$load_conc" -t "$1"
	if [ "$SOAK" = 1 ]; then
		udp_loop lu4 "$P-c4" "$VIP4" 7001 "$C4" 20000
		udp_loop lu6 "$P-c6" "$VIP6" 7001 "$C6" 20000
	fi
	udp_loop lf4 "$P-c4" "$VIP4" 7001 "$C4" 40000 1
	udp_loop lf6 "$P-c6" "$VIP6" 7001 "$C6" 40000 1
}

load_stop() {
	bg_stop lt4 lt6
	loop_stop lu4 lu6 lf4 lf6
}

# traffic_ok [VIP4 VIP6]: short TCP and UDP runs of both families all
# answered (default: to VIP4 and VIP6).
traffic_ok() {
	local r=0 fam dst src
	for fam in 4 6; do
		if [ "$fam" = 4 ]; then
			dst=${1:-$VIP4} src=$C4
		else
			dst=${2:-$VIP6} src=$C6
		fi
		nsexec "$P-c$fam" "$NLBPERF" client -d "$dst" -p 7000 -c 4 -t 2 \
			>"/tmp/h-ok$fam.out" 2>&1
		nsexec "$P-c$fam" "$NLBPERF" udpprime -d "$dst" -p 7001 -s "$src" \
			--sport 61000-61099 >>"/tmp/h-ok$fam.out" 2>&1 || r=1
		diag "IPv$fam: $(flat "$(cat "/tmp/h-ok$fam.out")")"
		[ "$(json_get "/tmp/h-ok$fam.out" errors)" = 0 ] || r=1
		[ "$(json_get "/tmp/h-ok$fam.out" conns)" != 0 ] || r=1
	done
	return "$r"
}

case_2() {
	local dur=10 end n=0 bad=0 nb t0 t1 t2 t3 t4
	[ "$SOAK" = 1 ] && dur=600
	if [ ! -x "$NLBPERF" ]; then
		tap_skip "2: no nlbperf at $NLBPERF (make -C tools/bench)"
		return
	fi
	check "2: groups fo (offload on) and fp (offload off), listeners t (tcp 7000) and u (udp 7001) on fo" -- \
		nlb_batch <<-EOF
		$(off_group fo "offload on")
		$(off_group fp "")
		listener add t vip $VIP4 vip $VIP6 proto tcp port 7000 group fo
		listener add u vip $VIP4 vip $VIP6 proto udp port 7001 group fo
		EOF
	check "2: short conntrack timeouts for the load ($ct_timeouts)" -- ct_short
	slow_routes "$P-lb" "$SLOW_RULES"
	load_start $((dur + 30))
	check_eq "2: flows offloaded before the loop" "$(wait_for 20 yes any_offloaded)" yes
	diag "2: conntrack before the loop: $(offloaded_n) of $(ct_count) offloaded"
	end=$((SECONDS + dur))
	while [ "$SECONDS" -lt "$end" ]; do
		n=$((n + 1))
		t0=${EPOCHREALTIME/./}
		nlb group change fo offload off || bad=$((bad + 1))
		t1=${EPOCHREALTIME/./}
		sleep 0.2
		nlb group change fo offload on || bad=$((bad + 1))
		t2=${EPOCHREALTIME/./}
		sleep 0.5
		t3=${EPOCHREALTIME/./}
		nlb_batch <<-EOF || bad=$((bad + 1))
		listener change t group fp
		listener change u group fp
		group del fo
		$(off_group fo "offload on")
		listener change t group fo
		listener change u group fo
		EOF
		t4=${EPOCHREALTIME/./}
		diag "2 round $n: offload off $(((t1 - t0) / 1000)) ms, on $(((t2 - t1) / 1000 - 200)) ms, group del and add $(((t4 - t3) / 1000)) ms"
		sleep 0.5
	done
	diag "2: $n rounds of offload off, on, group del and add in $dur s"
	check_eq "2: every offload off/on, group del and re-add under load succeeded" "$bad" 0
	load_stop
	slow_routes_off "$P-lb" "$SLOW_RULES"
	diag "2: load: $(flat "$(cat /tmp/h-lt4.out /tmp/h-lt6.out)")"
	check "2: afterwards TCP and UDP flows of both families still work" -- traffic_ok
	# Only flows offloaded from now on count.
	nsexec "$P-lb" conntrack -F >/dev/null 2>&1
	udp_loop lf4 "$P-c4" "$VIP4" 7001 "$C4" 40000 1
	udp_loop lf6 "$P-c6" "$VIP6" 7001 "$C6" 40000 1
	nb=$(wait_for 20 yes any_offloaded)
	loop_stop lf4 lf6
	check_eq "2: and are offloaded again" "$nb" yes
	check "2: flush: the flowtable goes with its last group" -- nlb flush
}

# ======================================================================
# Case 3: rmmod and namespace deletion under forwarding load.
# ======================================================================

# c3_conf: same-family services at VIP (offloaded TCP, UDP through
# conntrack) and translated ones at VIPX: IPv6 clients on IPv4 backends
# (group x46: IPv4 only, affinity off, from the pool) at VIPX6, IPv4
# clients on IPv6 backends (x64: from their address embedded in
# 64:ff9b::/96) at VIPX4; TCP 7000 and UDP 7001 each.
c3_conf() {
	nlb_batch <<-EOF
	$(off_group fo "offload on")
	$(off_group fp "")
	listener add t vip $VIP4 vip $VIP6 proto tcp port 7000 group fo
	listener add u vip $VIP4 vip $VIP6 proto udp port 7001 group fp
	group add x46 affinity off pool $XPOOL
	backend add x46 $(b4 1)
	backend add x46 $(b4 2)
	group add x64 ipversion dualstack affinity off
	backend add x64 $(b6 1)
	backend add x64 $(b6 2)
	listener add xt6 vip $VIPX6 proto tcp port 7000 group x46
	listener add xu6 vip $VIPX6 proto udp port 7001 group x46
	listener add xt4 vip $VIPX4 proto tcp port 7000 group x64
	listener add xu4 vip $VIPX4 proto udp port 7001 group x64
	EOF
}

# c3_load_start SECONDS: load_start and translated TCP connection churn
# and UDP flows of both directions.
c3_load_start() {
	load_start "$1"
	bg_start xt6 "$P-c6" "$NLBPERF" client -d "$VIPX6" -p 7000 -c "$load_conc" -t "$1"
	bg_start xt4 "$P-c4" "$NLBPERF" client -d "$VIPX4" -p 7000 -c "$load_conc" -t "$1"
	udp_loop xu6 "$P-c6" "$VIPX6" 7001 "$C6" 30000
	udp_loop xu4 "$P-c4" "$VIPX4" 7001 "$C4" 30000
}

c3_load_stop() {
	load_stop
	bg_stop xt6 xt4
	loop_stop xu6 xu4
}

# c3_xlat_legs: "yes" once the load balancer has translated connections
# of both directions (IPv4 legs from the pool, IPv6 legs from c4's
# embedded address).
c3_xlat_legs() {
	if nsexec "$P-lb" conntrack -L -f ipv4 -s "$XPOOL" 2>/dev/null |
	   grep -q "dst=198.18" &&
	   nsexec "$P-lb" conntrack -L -f ipv6 -s 64:ff9b::c000:202 2>/dev/null |
	   grep -q "dst=2001:db8:10"; then
		echo yes
	else
		echo no
	fi
}

case_3_1() {
	local rounds=1 r
	[ "$SOAK" = 1 ] && rounds=25
	check "3.1: short conntrack timeouts for the load ($ct_timeouts)" -- ct_short
	slow_routes "$P-lb" "$SLOW_RULES"
	c3_load_start $((rounds * 8 + 30))
	for ((r = 1; r <= rounds; r++)); do
		if [ -d /sys/module/nlb ]; then
			tap_result 0 "3.1 round $r: loaded"
		else
			check "3.1 round $r: insmod" -- insmod "$NLB_KO"
		fi
		check "3.1 round $r: configure (offload group fo on tcp 7000, fp on udp 7001, translated x46 and x64)" -- c3_conf
		check_eq "3.1 round $r: translated connections of both directions" \
			"$(wait_for 10 yes c3_xlat_legs)" yes
		sleep 2
		check "3.1 round $r: rmmod under load of both families, same family and translated" -- rmmod nlb
		sleep 1
	done
	c3_load_stop
	slow_routes_off "$P-lb" "$SLOW_RULES"
	check "3.1: insmod and configure again" -- \
		eval 'insmod "$NLB_KO" && c3_conf'
	check "3.1: traffic of both families works" -- traffic_ok
	check "3.1: translated traffic of both directions works" -- \
		traffic_ok "$VIPX4" "$VIPX6"
}

case_3_2() {
	local rounds=1 r p0=$P
	[ "$SOAK" = 1 ] && rounds=8
	for ((r = 1; r <= rounds; r++)); do
		P=nlbx
		topo_setup 2
		servers 1 2
		sleep 1
		check "3.2 round $r: namespace $P-lb configured" -- c3_conf
		c3_load_start 30
		check_eq "3.2 round $r: translated connections of both directions" \
			"$(wait_for 10 yes c3_xlat_legs)" yes
		sleep 2
		check "3.2 round $r: namespace $P-lb deleted under load of both families, same family and translated" -- \
			ip netns del "$P-lb"
		sleep 2
		c3_load_stop
		topo_cleanup
		P=$p0
	done
	check "3.2: the main namespace still works" -- \
		eval 'c3_conf && traffic_ok && traffic_ok "$VIPX4" "$VIPX6"'
}

case_3() {
	if [ ! -x "$NLBPERF" ]; then
		tap_skip "3: no nlbperf at $NLBPERF (make -C tools/bench)"
		return
	fi
	if selected 3.1; then
		diag "---- case 3.1"
		splat_mark
		case_3_1
		case_cleanup
		splat_check 3.1
	fi
	if selected 3.2; then
		diag "---- case 3.2"
		splat_mark
		case_3_2
		case_cleanup
		splat_check 3.2
	fi
}

# ======================================================================
# Case 8: persistence across a listener's move to another group.
# ======================================================================

# Each round moves the listener to the other group and checks, from two
# seconds after the move on, that no new connection reaches the old group.
# The clients come from 65534 addresses per family, each its own
# persistence entry, each making one new connection and a second one 3 s
# later: so nearly every connection sets an entry, and a connection that
# read the group before the move and sets its entry after the move's flush
# of the table leaves an entry of the old group, which its client's second
# connection then uses (and each use would restart its age). A small
# conntrack hash makes setting up each connection's NAT slow (nf_nat
# checks that the tuple is unused, walking a long hash chain), which widens
# that window.
case_8() {
	local rounds=3 r cur=pa new v v1 t0 bad
	[ "$SOAK" = 1 ] && rounds=60
	rounds=${NLB_HARDENING_ROUNDS8:-$rounds}
	conf() {
		nlb_batch <<-EOF
		group add pa ipversion dualstack sched rr
		backend add pa $(b4 1)
		backend add pa $(b4 2)
		backend add pa $(b6 1)
		backend add pa $(b6 2)
		group add pb ipversion dualstack sched rr
		backend add pb $(b4 3)
		backend add pb $(b4 4)
		backend add pb $(b6 3)
		backend add pb $(b6 4)
		listener add p vip $VIP4 vip $VIP6 proto udp port 5353 group pa persist 300
		EOF
	}
	check "8: groups pa (b1 b2) and pb (b3 b4), listener p (udp 5353, persist 300 s) on pa" -- conf
	buckets0=$(sysctl -n net.netfilter.nf_conntrack_buckets)
	sysctl -qw net.netfilter.nf_conntrack_buckets="${NLB_HARDENING_BUCKETS8:-16}"
	bg_start ld4 "$P-c4" python3 "$HPY" udp-load "$VIP4" 5353 \
		--src-net 10.8.0.0/16 --revisit 3 --log /tmp/h-rv4 \
		--seconds 3600 --inflight 32
	bg_start ld6 "$P-c6" python3 "$HPY" udp-load "$VIP6" 5353 \
		--src-net 2001:db8:8::/112 --revisit 3 --log /tmp/h-rv6 \
		--seconds 3600 --inflight 32
	wait_for 30 yes load_running >/dev/null
	sleep 3
	: >/tmp/h-moves
	for ((r = 1; r <= rounds; r++)); do
		new=$([ "$cur" = pa ] && echo pb || echo pa)
		t0=$EPOCHREALTIME
		nlb listener change p group "$new" || diag "8: move failed"
		# The move happened between t0 and now.
		echo "$t0 $EPOCHREALTIME $new" >>/tmp/h-moves
		# From 2 s on (a flow is given up 1 s after it started), nothing
		# may reach the old group.
		sleep 2
		v=$(nlb_eval "S(G('$cur'), 'conns')")
		sleep 5
		v1=$(nlb_eval "S(G('$cur'), 'conns')")
		diag "8 round $r: moved to $new at $t0; old group $cur conns $v -> $v1"
		check_eq "8 round $r: from 2 s after the move to $new, the old group $cur gets no new connection" \
			"$((v1 - v))" 0
		cur=$new
	done
	bg_stop ld4 ld6
	diag "8: load: $(flat "$(cat /tmp/h-ld4.out /tmp/h-ld6.out)")"
	# The answers to the returning clients, from 2 s after each move to
	# the next move: all from the group moved to.
	bad=$(python3 -c 'import sys
moves = [l.split() for l in open(sys.argv[1])]
moves = [(float(t0), float(t1), g) for t0, t1, g in moves]
names = {"pa": ("b1", "b2"), "pb": ("b3", "b4")}
n = bad = 0
for f in sys.argv[2:]:
    for line in open(f):
        t, _, name = line.split()
        t = float(t)
        for i, (t0, t1, g) in enumerate(moves):
            end = moves[i + 1][0] if i + 1 < len(moves) else t1 + 6
            if t1 + 2 <= t < end:
                n += 1
                bad += name not in names[g]
print(bad, "of", n)' /tmp/h-moves /tmp/h-rv4 /tmp/h-rv6)
	check_eq "8: every returning client answered, from 2 s after each move on, by the new group's backends (wrong answers of all)" \
		"${bad%% *}" 0
	diag "8: wrong answers: $bad"
	sysctl -qw net.netfilter.nf_conntrack_buckets="$buckets0"
	buckets0=
}

# load_running: "yes" once case 8's load reaches the listener.
load_running() {
	[ "$(nlb_eval "S(L('p'), 'conns') > 200")" = True ] && echo yes || echo no
}

# ======================================================================
# Case 9: the census.
# ======================================================================

# nft_rst_counter NS PORT-MATCH: count the TCP resets NS receives.
nft_rst_counter() {
	nsexec "$1" nft -f - <<-NFT
	table inet h9 {
		counter rst { }
		chain input_filter {
			type filter hook input priority 0; policy accept;
			$2 tcp flags & rst == rst counter name rst
		}
	}
	NFT
}

rst_of() {
	nsexec "$1" nft list counter inet h9 rst 2>/dev/null |
		awk '{for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1)}'
}

# ntf_stats FILE EVENT ADDRESS: the stats of the last EVENT notification
# of backend ADDRESS in FILE (nlbadm -j -s monitor), as
# [in_packets, in_bytes, out_packets, out_bytes, active].
ntf_stats() {
	python3 -c 'import json, sys
last = None
for line in open(sys.argv[1]):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    if j.get("event") != sys.argv[2]:
        continue
    if j.get("object") == "backend" and j.get("address") == sys.argv[3]:
        s = j.get("stats", {})
        last = [s.get(k) for k in ("in_packets", "in_bytes", "out_packets", "out_bytes", "active")]
print(last)' "$1" "$2" "$3"
}

case_9_1() {
	local n=50 mon=/tmp/h-mon9.out t1 v k o
	# Per backend; with 32 buckets, 3 or more connections in each.
	[ "$SOAK" = 1 ] && n=150
	if [ ! -x "$NLBPERF" ]; then
		tap_skip "9.1: no nlbperf at $NLBPERF"
		return
	fi
	# A small conntrack hash: every bucket holds several connections.
	buckets0=$(sysctl -n net.netfilter.nf_conntrack_buckets)
	check "9.1: conntrack hash shrunk to 32 buckets (was $buckets0)" -- \
		sysctl -qw net.netfilter.nf_conntrack_buckets=32
	check "9.1: group dt (rr, track on, drain-timeout 6) of b1 b2, listener dt tcp 7100" -- \
		nlb_batch <<-EOF
		group add dt sched rr track on drain-timeout 6
		backend add dt $(b4 1) port 7000
		backend add dt $(b4 2) port 7000
		listener add dt vip $VIP4 proto tcp port 7100 group dt
		EOF
	nft_rst_counter "$P-c4" "tcp sport 7100"
	nft_rst_counter "$P-b1" "tcp dport 7000"
	nft_rst_counter "$P-b2" "tcp dport 7000"
	bg_start hold "$P-c4" "$NLBPERF" hold -d "$VIP4" -p 7100 -n $((2 * n)) \
		-c 32 -w 10000 -t 120
	wait_grep 120 '^\{' /tmp/h-hold.out
	diag "9.1: holder: $(head -n1 /tmp/h-hold.out)"
	check_eq "9.1: $((2 * n)) connections open" "$(json_get /tmp/h-hold.out open)" $((2 * n))
	check_eq "9.1: $n on each backend (active)" \
		"$(nlb_eval "[S(B('dt', a), 'active') for a in ('$(b4 1)', '$(b4 2)')]")" "[$n, $n]"
	check "9.1: monitor (nlbadm -j -s monitor)" -- monitor_start_s "$mon"
	mapfile -t t1 < <(nlb_eval "[S(B('dt', '$(b4 1)'), k) for k in ('in_packets', 'in_bytes', 'out_packets', 'out_bytes', 'active')]" \
		"[S(B('dt', '$(b4 2)'), k) for k in ('in_packets', 'in_bytes', 'out_packets', 'out_bytes', 'active')]")
	diag "9.1: before: b1 ${t1[0]} b2 ${t1[1]}"
	check "9.1: delete b2 (drain timeout 6 s)" -- nlb backend del dt "$(b4 2)" port 7000
	check "9.1: drained notification within 20 s" -- \
		wait_grep 20 '"event": *"drained"' "$mon"
	# Right after the drain walk, before any other census: a change
	# notification carries b1's counters as that walk left them.
	nlb backend change dt "$(b4 1)" port 7000 weight 2
	wait_grep 10 '"event": *"change".*weight": *2' "$mon"
	sleep 1
	monitor_stop
	k=$(ntf_stats "$mon" drained "$(b4 2)")
	o=$(ntf_stats "$mon" change "$(b4 1)")
	diag "9.1: drained notification of b2: $k; change notification of b1: $o"
	check_eq "9.1: b2's drained notification counts each of its connections once (packets, bytes; active 0)" \
		"$k" "$(python3 -c 'import sys; v = eval(sys.argv[1]); v[4] = 0; print(v)' "${t1[1]}")"
	check_eq "9.1: b1's counters from the drain walk count each of its connections once (no bucket rescans)" \
		"$o" "${t1[0]}"
	mapfile -t v < <(nlb_eval 'S(G("dt"), "drained")' 'S(L("dt"), "drained")' \
		"B('dt', '$(b4 2)') is None" "S(B('dt', '$(b4 1)'), 'active')")
	check_eq "9.1: drained exactly $n (group, listener), b2 gone, b1's $n still active" \
		"${v[*]}" "$n $n True $n"
	check_eq "9.1: each connection of b2 reset once at each end (RSTs at the client, b2, b1)" \
		"$(rst_of "$P-c4") $(rst_of "$P-b2") $(rst_of "$P-b1")" "$n $n 0"
	bg_stop hold
	o=$(sed -n 's/.* \([0-9]*\) connections were closed by the peer/\1/p' /tmp/h-hold.out)
	check_eq "9.1: the client saw exactly $n of its connections reset" "${o:-0}" "$n"
	for v in "$P-c4" "$P-b1" "$P-b2"; do
		nsexec "$v" nft delete table inet h9
	done
	sysctl -qw net.netfilter.nf_conntrack_buckets="$buckets0"
	buckets0=
}

# monitor_start_s FILE: monitor_start with -j -s.
monitor_start_s() {
	local k
	ip netns exec "$P-lb" "$NLBADM" -j -s monitor >"$1" 2>&1 &
	monitor_pid=$!
	for ((k = 1; k <= 10; k++)); do
		nlb group add "monprobe$k" >/dev/null 2>&1
		if wait_grep 2 "monprobe" "$1"; then
			for ((; k > 0; k--)); do
				nlb group del "monprobe$k" >/dev/null 2>&1
			done
			return 0
		fi
	done
	return 1
}

case_9_2() {
	local say
	conf() {
		nlb_batch <<-EOF
		group add o1 ipversion dualstack track on drain-timeout 4
		backend add o1 $(b4 3) port 9000
		backend add o1 $(b6 3) port 9000
		group add o2 ipversion dualstack track on
		backend add o2 $(b4 4) port 9000
		backend add o2 $(b6 4) port 9000
		listener add ob vip $VIP4 vip $VIP6 proto tcp port 9200 group o1
		EOF
	}
	check "9.2: group o1 (track on, drain-timeout 4) of b3, o2 of b4, listener ob (tcp 9200) on o1" -- conf
	hold_start h4 "$P-c4" "$VIP4" 9200
	hold_start h6 "$P-c6" "$VIP6" 9200
	say="$(hold h4 "open 3")
$(hold h6 "open 3")"
	check_eq "9.2: 3 + 3 connections to b3" "$(grep -c ' b3$' <<<"$say")" 6
	check "9.2: delete b3 (draining, 4 s drain timeout)" -- nlb_batch <<-EOF
	backend del o1 $(b4 3) port 9000
	backend del o1 $(b6 3) port 9000
	EOF
	check "9.2: move listener ob to o2, delete group o1" -- nlb_batch <<-EOF
	listener change ob group o2
	group del o1
	EOF
	# Keep housekeeping walking: a backend of o2 drains (no timeout).
	say=$(hold h4 "open 1")
	check "9.2: one connection to b4, then b4 (IPv4) deleted: draining" -- \
		eval 'grep -q " b4$" <<<"$say" && nlb backend del o2 "$(b4 4)" port 9000'
	sleep 8
	say="$(hold h4 "say after")
$(hold h6 "say after")"
	diag "9.2: 8 s after the delete: $(flat "$say")"
	check_eq "9.2: o1's 6 connections are alive after its old drain timeout (deleting a group releases its backends)" \
		"$(grep -c ' b3$' <<<"$say")" 6
	check_eq "9.2: the connection to the draining b4 too" "$(grep -c ' b4$' <<<"$say")" 1
	hold_stop h4
	hold_stop h6
}

case_9_3() {
	local dur=20 end pid r=0 v hp
	[ "$SOAK" = 1 ] && dur=300
	if [ ! -x "$NLBPERF" ]; then
		tap_skip "9.3: no nlbperf at $NLBPERF"
		return
	fi
	check "9.3: groups cs (wlc, drain-timeout 2) of b1 b2 and cu (rr, untracked, drain-timeout 2) of b3 b4" -- \
		nlb_batch <<-EOF
		group add cs ipversion dualstack sched wlc drain-timeout 2
		group add cu ipversion dualstack sched rr drain-timeout 2
		backend add cs $(b4 1) port 7000
		backend add cs $(b4 2) port 7000
		backend add cs $(b6 1) port 7000
		backend add cs $(b6 2) port 7000
		backend add cu $(b4 3) port 7000
		backend add cu $(b4 4) port 7000
		backend add cu $(b6 3) port 7000
		backend add cu $(b6 4) port 7000
		listener add cs vip $VIP4 vip $VIP6 proto tcp port 7300 group cs
		listener add cu vip $VIP4 vip $VIP6 proto tcp port 7301 group cu
		EOF
	bg_start lt4 "$P-c4" "$NLBPERF" client -d "$VIP4" -p 7300 -c 4 -t $((dur + 5))
	bg_start lt6 "$P-c6" "$NLBPERF" client -d "$VIP6" -p 7301 -c 4 -t $((dur + 5))
	(while [ ! -e /tmp/h-stop-show ]; do
		nsexec "$P-lb" "$NLBADM" -s show >/dev/null 2>&1
	done) &
	pid=$!
	rm -f /tmp/h-stop-show
	end=$((SECONDS + dur))
	while [ "$SECONDS" -lt "$end" ]; do
		# Long-lived connections to the backends that will drain.
		nsexec "$P-c4" "$NLBPERF" hold -d "$VIP4" -p 7300 -n 20 -t 6 \
			>/dev/null 2>&1 &
		hp=$!
		nsexec "$P-c6" "$NLBPERF" hold -d "$VIP6" -p 7301 -n 20 -t 6 \
			>/dev/null 2>&1 &
		hp="$hp $!"
		sleep 1
		nlb_batch <<-EOF || r=1
		backend del cs $(b4 1) port 7000
		backend del cu $(b6 3) port 7000
		EOF
		sleep 3
		nlb_batch <<-EOF || r=1
		backend add cs $(b4 1) port 7000
		backend add cu $(b6 3) port 7000
		EOF
		# shellcheck disable=SC2086
		wait $hp
	done
	touch /tmp/h-stop-show
	wait "$pid"
	bg_stop lt4 lt6
	check_eq "9.3: $dur s of nlbadm -s show in a loop, connections coming and going, backends draining with a timeout: every change succeeded" "$r" 0
	v=$(nlb_wait 60 "[S(G(g), 'active') for g in ('cs', 'cu')]" "[0, 0]")
	check_eq "9.3: every connection ended: active 0 in both groups" "$v" "[0, 0]"
}

case_9() {
	if selected 9.1; then
		diag "---- case 9.1"
		splat_mark
		case_9_1
		case_cleanup
		splat_check 9.1
	fi
	if selected 9.2; then
		diag "---- case 9.2"
		splat_mark
		case_9_2
		case_cleanup
		splat_check 9.2
	fi
	if selected 9.3; then
		diag "---- case 9.3"
		splat_mark
		case_9_3
		case_cleanup
		splat_check 9.3
	fi
}

# ======================================================================
# Case 10: ctnetlink clears nlb's helper.
# ======================================================================

case_10_1() {
	local o v
	check "10.1: group ht (rr, track on) of b1, listener ht tcp 9400" -- \
		nlb_batch <<-EOF
		group add ht ipversion dualstack sched rr track on
		backend add ht $(b4 1) port 9000
		backend add ht $(b6 1) port 9000
		listener add ht vip $VIP4 vip $VIP6 proto tcp port 9400 group ht
		EOF
	hold_start h4 "$P-c4" "$VIP4" 9400
	hold_start h6 "$P-c6" "$VIP6" 9400
	o="$(hold h4 "open 4")
$(hold h6 "open 4")"
	check_eq "10.1: 8 tracked connections, active 8" \
		"$(grep -c ' b1$' <<<"$o") $(nlb_eval 'S(G("ht"), "active")')" "8 8"
	o=$(nsexec "$P-lb" python3 "$HPY" ct-clear-helper --dport 9400)
	check_eq "10.1: ctnetlink clears the helper of the 8 (CTA_HELP with an empty name)" "$o" "cleared 8"
	[ "$o" = "cleared 8" ] ||
		diag "10.1: helpers now: $(flat "$(nsexec "$P-lb" python3 "$HPY" ct-helpers --dport 9400)")"
	hold_stop h4
	hold_stop h6
	check "10.1: the connections end; delete b1 (both families)" -- nlb_batch <<-EOF
	backend del ht $(b4 1) port 9000
	backend del ht $(b6 1) port 9000
	EOF
	v=$(nlb_wait 20 "[B('ht', a) is None for a in ('$(b4 1)', '$(b6 1)')]" "[True, True]")
	check_eq "10.1: b1 drains (gone within 20 s)" "$v" "[True, True]"
	check_eq "10.1: active back to 0 (group, listener)" \
		"$(nlb_eval '[S(G("ht"), "active"), S(L("ht"), "active")]')" "[0, 0]"
}

case_10_2() {
	local o v
	check "10.2: group hw (wlc) of b2, listener hw udp 5400" -- \
		nlb_batch <<-EOF
		group add hw ipversion dualstack sched wlc
		backend add hw $(b4 2) port 5353
		backend add hw $(b6 2) port 5353
		listener add hw vip $VIP4 vip $VIP6 proto udp port 5400 group hw
		EOF
	bg_start u4 "$P-c4" python3 "$HPY" udp-send "$VIP4" 5400 --sports 43000-43003 --seconds 2
	bg_start u6 "$P-c6" python3 "$HPY" udp-send "$VIP6" 5400 --sports 43000-43003 --seconds 2
	bg_wait u4 u6
	diag "10.2: senders: $(flat "$(cat /tmp/h-u4.out /tmp/h-u6.out)")"
	check_eq "10.2: 8 tracked UDP flows, active 8" "$(nlb_eval 'S(G("hw"), "active")')" 8
	o=$(nsexec "$P-lb" python3 "$HPY" ct-clear-helper --dport 5400)
	check_eq "10.2: ctnetlink clears the helper of the 8" "$o" "cleared 8"
	check "10.2: conntrack -D ends the flows; delete b2 (both families)" -- \
		eval 'nsexec "$P-lb" conntrack -D -p udp --orig-port-dst 5400 >/dev/null 2>&1; nlb_batch <<-EOF
		backend del hw $(b4 2) port 5353
		backend del hw $(b6 2) port 5353
		EOF'
	v=$(nlb_wait 20 "[B('hw', a) is None for a in ('$(b4 2)', '$(b6 2)')]" "[True, True]")
	check_eq "10.2: b2 drains (gone within 20 s)" "$v" "[True, True]"
	check_eq "10.2: active back to 0 (group, listener)" \
		"$(nlb_eval '[S(G("hw"), "active"), S(L("hw"), "active")]')" "[0, 0]"
}

case_10() {
	local n
	if selected 10.1; then
		diag "---- case 10.1"
		splat_mark
		case_10_1
		case_cleanup
		splat_check 10.1
	fi
	if selected 10.2; then
		diag "---- case 10.2"
		splat_mark
		case_10_2
		case_cleanup
		splat_check 10.2
	fi
	# Nothing may be left once the connections are gone (the harness
	# scans again after the final rmmod).
	if [ -w /sys/kernel/debug/kmemleak ]; then
		nsexec "$P-lb" conntrack -F >/dev/null 2>&1
		# Objects unreferenced in two scans in a row, 5 s old.
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak
		sleep 1
		echo scan >/sys/kernel/debug/kmemleak
		n=$(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak)
		check_eq "10: kmemleak: no unreferenced object once the connections are gone" "$n" 0
		[ "$n" = 0 ] || head -n 40 /sys/kernel/debug/kmemleak | sed 's/^/# kmemleak: /'
	fi
}

# ======================================================================

# NLB_HARDENING_TRACE=1: a shell trace with the time on each line, on
# stderr (in the run's output: nothing else in the VM is visible to the
# host), to see where the time goes.
if [ "${NLB_HARDENING_TRACE:-0}" = 1 ]; then
	PS4='+ ${EPOCHREALTIME} '
	set -x
fi
tap_begin
if [ "${NLB_HARDENING_KEEP_GOING:-0}" = 1 ]; then
	sysctl -qw kernel.panic_on_warn=0 && diag "kernel.panic_on_warn=0: every case runs"
fi
[ -d /sys/module/nlb ] && rmmod nlb
insmod "$NLB_KO" || { echo "1..0 # SKIP insmod failed"; exit 1; }
setup
sleep 1
diag "cases: $CASES"
# In the order asked for (a case that crashes the VM is best last).
majors=()
for c in $CASES; do
	[[ " ${majors[*]} " == *" ${c%%.*} "* ]] || majors+=("${c%%.*}")
done
for c in "${majors[@]}"; do
	declare -F "case_$c" >/dev/null || { diag "no case $c"; continue; }
	diag "==== case $c"
	splat_mark
	"case_$c"
	case_cleanup
	case $c in
	2 | 8) splat_check "$c" ;;
	esac
	[ -d /sys/module/nlb ] || insmod "$NLB_KO"
done
tap_end
