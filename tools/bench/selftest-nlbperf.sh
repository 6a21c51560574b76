#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loopback smoke test of nlbperf, for the host (no root, no kernel module,
# no sysctl): TCP server and client over 127.0.0.1 and ::1 (FIN and RST
# closes, source addresses), udpecho and udpprime over 1000 source ports,
# hold with 500 connections, usage errors. TAP output; the exit status is 1
# when a test failed.
#
#   tools/bench/selftest-nlbperf.sh [NLBPERF]
#
# Without NLBPERF, ./nlbperf next to this script is built when missing or
# older than nlbperf.c.
#   NLBPERF_SECONDS=2              client run time of the 2 s runs
#   NLBPERF_SPORTS=40000-40999     udpprime source ports

set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/nlbperf}
secs=${NLBPERF_SECONDS:-2}
sports=${NLBPERF_SPORTS:-40000-40999}

echo "TAP version 13"
if [ $# -eq 0 ] && { [ ! -x "$bin" ] || [ "$here/nlbperf.c" -nt "$bin" ]; }; then
	make -s -C "$here" nlbperf >&2 || { echo "Bail out! make failed"; exit 1; }
fi
[ -x "$bin" ] || { echo "Bail out! no nlbperf at $bin"; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in ${pids[@]+"${pids[@]}"}; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

n=0
fails=0
result() {	# STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
diag() {
	local line

	while IFS= read -r line; do
		echo "# $line"
	done <<<"$*"
}

# jget JSON KEY: a number from nlbperf's one-line JSON
jget() {
	sed -n "s/.*\"$2\":\([-0-9.]*\).*/\1/p" <<<"$1"
}

# Background process, stdout to FILE, stderr to FILE.err; sets bg_pid.
start_bg() {
	local out=$1
	shift
	"$@" >"$out" 2>"$out.err" &
	bg_pid=$!
	pids+=("$bg_pid")
}

# stop_bg PID: SIGTERM, then its exit status (the caller's shell must be
# its parent: not in $(...))
stop_bg() {
	local p rc keep=()

	kill -TERM "$1" 2>/dev/null
	wait "$1"
	rc=$?
	for p in "${pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	pids=("${keep[@]}")
	return $rc
}

tcp_up() {	# HOST PORT
	timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# ---- server ------------------------------------------------------------

port=
for _ in 1 2 3 4 5; do
	p=$((20000 + RANDOM % 10000))
	start_bg "$tmp/server" "$bin" server -p "$p"
	srv=$bg_pid
	for _ in $(seq 50); do
		kill -0 "$srv" 2>/dev/null || break
		tcp_up 127.0.0.1 "$p" && { port=$p; break; }
		sleep 0.1
	done
	[ -n "$port" ] && break
	stop_bg "$srv"
done
[ -n "$port" ]
result $? "server listens (port ${port:-none})"
[ -n "$port" ] || { cat "$tmp/server.err" >&2; echo "Bail out! no server"; exit 1; }

have_v6=0
tcp_up ::1 "$port" && have_v6=1

total=0
# client_test DESCRIPTION CLIENT-ARGS...: exit 0, conns > 0, errors at
# most 1%, nothing aborted, ordered percentiles
client_test() {
	local desc=$1 out rc conns errors aborted p50 p90 p99 max ok=0
	shift
	out=$(timeout 30 "$bin" client -p "$port" "$@" 2>"$tmp/client.err")
	rc=$?
	diag "client $*: $out"
	[ -s "$tmp/client.err" ] && diag "$(cat "$tmp/client.err")"
	conns=$(jget "$out" conns)
	errors=$(jget "$out" errors)
	aborted=$(jget "$out" aborted)
	p50=$(jget "$out" p50_us)
	p90=$(jget "$out" p90_us)
	p99=$(jget "$out" p99_us)
	max=$(jget "$out" max_us)
	if [ "$rc" -ne 0 ] || [ -z "$conns" ] || [ "$conns" -eq 0 ] ||
	   [ $((errors * 100)) -gt "$conns" ] || [ "$aborted" -ne 0 ] ||
	   ! awk -v a="$p50" -v b="$p90" -v c="$p99" -v d="$max" \
		'BEGIN { exit !(a > 0 && a <= b && b <= c && c <= d) }'; then
		ok=1
	else
		total=$((total + conns))
	fi
	result $ok "$desc"
}

client_test "client 127.0.0.1, ${secs}s" -d 127.0.0.1 -t "$secs"
if [ $have_v6 = 1 ]; then
	client_test "client ::1, ${secs}s" -d ::1 -t "$secs"
else
	skip "client ::1" "no IPv6 loopback"
fi
client_test "client 127.0.0.1 --rst -c 32, 1s" -d 127.0.0.1 -t 1 --rst -c 32
client_test "client 127.0.0.1, sources 127.0.0.2-4, 1s" -d 127.0.0.1 -t 1 \
	-s 127.0.0.2 -s 127.0.0.3 -s 127.0.0.4
if [ $have_v6 = 1 ]; then
	client_test "client [::1] -s ::1 --rst, 1s" -d '[::1]' -t 1 -s ::1 --rst
else
	skip "client ::1 --rst" "no IPv6 loopback"
fi

# ---- udpecho, udpprime -------------------------------------------------

uport=$((port + 1))
start_bg "$tmp/udpecho" "$bin" udpecho -p "$uport"
ue=$bg_pid
first=${sports%-*}
# readiness: one port, retried every 100 ms for 3 s
timeout 10 "$bin" udpprime -d 127.0.0.1 -p "$uport" -s 127.0.0.1 \
	--sport "$first" -w 100 -R 30 >/dev/null 2>&1
result $? "udpecho answers"

prime_test() {	# DESCRIPTION ADDR
	local out rc flows
	out=$(timeout 60 "$bin" udpprime -d "$2" -p "$uport" -s "$2" \
		--sport "$sports" 2>"$tmp/prime.err")
	rc=$?
	diag "udpprime $2 --sport $sports: $out"
	[ -s "$tmp/prime.err" ] && diag "$(cat "$tmp/prime.err")"
	flows=$((${sports#*-} - ${sports%-*} + 1))
	[ "$rc" -eq 0 ] && [ "$(jget "$out" replied)" = "$flows" ] &&
		[ "$(jget "$out" failed)" = 0 ]
	result $? "$1"
}
prime_test "udpprime 127.0.0.1 $sports: every flow replied" 127.0.0.1
if [ $have_v6 = 1 ]; then
	prime_test "udpprime ::1 $sports: every flow replied" ::1
else
	skip "udpprime ::1" "no IPv6 loopback"
fi

# no echo on port: 10 flows fail, exit 1
out=$(timeout 10 "$bin" udpprime -d 127.0.0.1 -p "$((uport + 1))" \
	-s 127.0.0.1 --sport "$first-$((first + 9))" -w 50 2>/dev/null)
rc=$?
diag "udpprime, no echo server: $out"
[ "$rc" -eq 1 ] && [ "$(jget "$out" failed)" = 10 ]
result $? "udpprime without replies: failed 10, exit 1"

stop_bg "$ue"
rc=$?
out=$(cat "$tmp/udpecho")
diag "udpecho: $out"
[ "$rc" -eq 0 ] && [ "$(jget "$out" echoed)" -gt 0 ]
result $? "udpecho: SIGTERM exits 0 with its counters"

# ---- hold --------------------------------------------------------------

start_bg "$tmp/hold" "$bin" hold -d 127.0.0.1 -p "$port" -n 500
hold=$bg_pid
for _ in $(seq 100); do
	[ -s "$tmp/hold" ] && break
	kill -0 "$hold" 2>/dev/null || break
	sleep 0.1
done
out=$(head -n 1 "$tmp/hold")
diag "hold -n 500: $out"
[ "$(jget "$out" open)" = 500 ] && [ "$(jget "$out" failed)" = 0 ]
result $? "hold: 500 connections open"
if command -v ss >/dev/null; then
	est=$(ss -Htn state established "( dport = :$port )" | wc -l)
	diag "established to port $port: $est"
	[ "$est" -ge 500 ]
	result $? "hold: 500 connections established"
else
	skip "hold: connections established" "no ss"
fi
kill -0 "$hold" 2>/dev/null
result $? "hold: still holding"
stop_bg "$hold"
result $? "hold: SIGTERM exits 0"

out=$(timeout 10 "$bin" hold -d 127.0.0.1 -p "$port" -n 100 -t 0.5)
result $? "hold -t 0.5: ends by itself, exit 0 ($out)"

# ---- usage errors ------------------------------------------------------

usage_ok=0
for args in "" "bogus" "client -p 80" "client -d 1.2.3.4.5 -p 80" \
	    "server -p 0" "server -p 80 --rst" "client -d ::1 -p 80 -c" \
	    "udpprime -d 127.0.0.1 -p 9 -s ::1 --sport 1-2" \
	    "hold -d 127.0.0.1 -p 80" "client -d 127.0.0.1 -p 80 extra"; do
	# shellcheck disable=SC2086
	"$bin" $args >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || { usage_ok=1; diag "'$args' exited $rc, not 2"; }
done
result $usage_ok "bad arguments exit 2"
"$bin" --help >/dev/null
result $? "--help exits 0"

# ---- server's accounts -------------------------------------------------

stop_bg "$srv"
rc=$?
out=$(cat "$tmp/server")
diag "server: $out"
[ "$rc" -eq 0 ] && [ "$(jget "$out" answered)" -ge "$total" ] &&
	[ "$(jget "$out" errors)" = 0 ]
result $? "server: SIGTERM exits 0, answered every client connection, no errors"

echo "1..$n"
[ "$fails" -eq 0 ]
