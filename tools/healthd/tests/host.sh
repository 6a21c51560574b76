#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host.sh: nlb-healthd against real peers on a host, without the nlb
# module: the daemon reads its configuration from a file (--config) and
# writes the changes it would make as lines (--output). Everything runs in
# a network namespace of its own (loopback only):
#
#   +-- netns nlbhd-PID ------------------------------------------------+
#   |  nlb-healthd --config CONF --output OUT --stats STATS            |
#   |      | probes 127.0.0.1 / ::1 / 127.1.x.y                          |
#   |      v                                                            |
#   |  tests/servers.py: http (status, delay, Host and path from a      |
#   |  file), garbage, silent, agent (answer from a file), udp echo,    |
#   |  silent udp, count (1,000 addresses); closed ports                |
#   +-------------------------------------------------------------------+
#
#   tests/host.sh PATH/TO/nlb-healthd [valgrind]
#
# With "valgrind" (or HEALTHD_WRAP set) every daemon runs under valgrind
# and any error or leak fails. Exit 4 (skip) without root or ip.
set -u

HEALTHD=$(realpath "${1:-./nlb-healthd}")
here=$(cd "$(dirname "$0")" && pwd)
SERVERS=$here/servers.py
WRAP=${HEALTHD_WRAP:-}
if [ "${2:-}" = valgrind ]; then
	command -v valgrind >/dev/null || { echo "1..0 # SKIP no valgrind"; exit 4; }
	WRAP="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
fi
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (network namespaces)"; exit 4; }
for t in ip python3; do
	command -v $t >/dev/null || { echo "1..0 # SKIP no $t"; exit 4; }
done

NS=nlbhd-$$
TMP=$(mktemp -d /tmp/nlbhd.XXXXXX)
n=0
nfail=0
declare -a spids=()
dpid=

cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null
	for p in "${spids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

fail() {
	n=$((n + 1))
	nfail=$((nfail + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

check() {
	local what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		fail "$what"
	fi
}

diag() {
	echo "# $*"
}

ms() {
	echo $(($(date +%s%N) / 1000000))
}

# servers SPEC...: start servers.py in the namespace; waits for "ready".
servers() {
	local out=$TMP/servers.$RANDOM
	ip netns exec "$NS" python3 "$SERVERS" --log "$TMP/srv.log" "$@" \
		>"$out" 2>&1 &
	spids+=($!)
	last_server=$!
	for _ in $(seq 100); do
		grep -q ready "$out" && return 0
		sleep 0.05
	done
	echo "servers did not start: $(cat "$out")" >&2
	return 1
}

# daemon CONF [ARGS...]: start nlb-healthd on CONF; output in $OUT.
daemon() {
	local conf=$1
	shift
	OUT=$TMP/out.$RANDOM
	STATS=$TMP/stats.$RANDOM
	LOG=$TMP/log.$RANDOM
	: >"$OUT"
	ip netns exec "$NS" $WRAP "$HEALTHD" --config "$conf" --output "$OUT" \
		--stats "$STATS" -v "$@" 2>"$LOG" &
	dpid=$!
	# Started once it logs so (valgrind is slow to start).
	for _ in $(seq 400); do
		grep -q started "$LOG" && return 0
		sleep 0.05
	done
	echo "daemon did not start: $(cat "$LOG")" >&2
	return 1
}

# stop_daemon: SIGTERM; it must exit 0 (valgrind: no error, no leak).
stop_daemon() {
	local rc
	kill -TERM "$dpid"
	wait "$dpid"
	rc=$?
	dpid=
	if [ "$rc" -ne 0 ]; then
		echo "daemon exit $rc; log:" >&2
		tail -n 40 "$LOG" >&2
	fi
	return $rc
}

# wait_line SECONDS REGEX [FILE]: until a line of FILE ($OUT) matches.
wait_line() {
	local deadline=$(($(ms) + $1 * 1000))
	while ! grep -qE -- "$2" "${3:-$OUT}"; do
		[ "$(ms)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# after LINE-COUNT REGEX: a line after the first LINE-COUNT lines matches.
after() {
	tail -n +$(($1 + 1)) "$OUT" | grep -qE -- "$2"
}

lines() {
	wc -l <"$OUT"
}

# stats_get KEY: a number of the daemon's statistics (after SIGUSR1).
stats_now() {
	rm -f "$STATS"
	kill -USR1 "$dpid"
	for _ in $(seq 100); do
		[ -s "$STATS" ] && return 0
		sleep 0.05
	done
	return 1
}

stats_get() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$STATS" "$1"
}

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" addr add 127.1.0.1/16 dev lo 2>/dev/null
echo "TAP version 13"

# ---- bad configuration files exit 1
echo "group g check tcp interval 50" >"$TMP/bad.conf"
ip netns exec "$NS" "$HEALTHD" --config "$TMP/bad.conf" 2>"$TMP/err"
rc=$?
if [ $rc = 1 ] && grep -q "bad interval" "$TMP/err"; then
	ok "a bad configuration file: exit 1 with a message"
else
	fail "a bad configuration file: exit 1 with a message" "exit $rc" "$(cat "$TMP/err")"
fi
"$HEALTHD" --bogus 2>/dev/null
check "an unknown option: exit 2" test $? = 2

# ---- TCP: down within fall x interval + timeout, up within rise x interval
cat >"$TMP/tcp.conf" <<EOF
group t check tcp interval 300 timeout 200 rise 2 fall 3
backend t 127.0.0.1 port 8001
backend t ::1 port 8001
EOF
servers count:127.0.0.1:8001 count:[::1]:8001
srv=$last_server
daemon "$TMP/tcp.conf"
check "tcp: both families probed, connected" \
	wait_line 2 '^t ::1 port 8001 probe-ok 1 probe "connected"'
check "tcp: IPv4 connected too" \
	wait_line 2 '^t 127.0.0.1 port 8001 probe-ok 1 probe "connected"'
sleep 0.5
check "tcp: no state change while the server answers" \
	test "$(grep -c healthy "$OUT")" = 0
kill "$srv"
wait "$srv" 2>/dev/null
t0=$(ms)
if wait_line 3 '^t 127.0.0.1 port 8001 healthy 0 reason "connect refused"'; then
	d=$(($(ms) - t0))
	diag "down after $d ms (fall 3 x 300 ms + 200 ms = 1100 ms)"
	check "tcp: down within fall x interval + timeout (+200 ms)" test "$d" -le 1300
else
	fail "tcp: a stopped server goes down: connect refused"
fi
check "tcp: IPv6 down too" wait_line 1 '^t ::1 port 8001 healthy 0'
servers count:127.0.0.1:8001 count:[::1]:8001
t0=$(ms)
if wait_line 3 '^t 127.0.0.1 port 8001 healthy 1 reason "connected"'; then
	d=$(($(ms) - t0))
	diag "up after $d ms (rise 2 x 300 ms = 600 ms)"
	check "tcp: up within rise x interval (+200 ms)" test "$d" -le 800
else
	fail "tcp: a restarted server comes back"
fi
check "tcp: the daemon ends cleanly on SIGTERM" stop_daemon
check "tcp: 'signal 15: exiting, the kernel's state stays' logged" \
	grep -q "exiting, the kernel's state stays" "$LOG"
check "tcp: the state change is logged with its reason" \
	grep -qE "t 127.0.0.1 port 8001: down: connect refused \(3 failed probes\)" "$LOG"

# ---- HTTP: status, slowness, Host header and path
echo "200 - www.example.com /healthz" >"$TMP/http.cfg"
servers "http:127.0.0.1:8002:$TMP/http.cfg"
cat >"$TMP/http.conf" <<EOF
group h check http interval 300 timeout 200 rise 1 fall 1 http-path /healthz http-host www.example.com http-status 200-299
group hpath check http interval 300 timeout 200 rise 1 fall 1 http-path /other http-host www.example.com
group hhost check http interval 300 timeout 200 rise 1 fall 1 http-path /healthz http-host other.example.com
backend h 127.0.0.1 port 8002
backend hpath 127.0.0.1 port 8002
backend hhost 127.0.0.1 port 8002
EOF
daemon "$TMP/http.conf"
check "http: the right Host and path: http 200" \
	wait_line 2 '^h 127.0.0.1 port 8002 probe-ok 1 probe "http 200"'
check "http: the server saw GET /healthz with Host www.example.com" \
	grep -q "^http 127.0.0.1 8002 /healthz www.example.com$" "$TMP/srv.log"
check "http: another path: http 404, down" \
	wait_line 2 '^hpath 127.0.0.1 port 8002 healthy 0 reason "http 404"'
check "http: another Host header: http 404, down" \
	wait_line 2 '^hhost 127.0.0.1 port 8002 healthy 0 reason "http 404"'
echo "503 - www.example.com /healthz" >"$TMP/http.cfg"
check "http: an unexpected status (503) marks down" \
	wait_line 2 '^h 127.0.0.1 port 8002 healthy 0 reason "http 503"'
echo "200 - www.example.com /healthz" >"$TMP/http.cfg"
check "http: 200 again: up" \
	wait_line 2 '^h 127.0.0.1 port 8002 healthy 1 reason "http 200"'
echo "200 0.5 www.example.com /healthz" >"$TMP/http.cfg"
check "http: slower than the timeout: down, http timeout" \
	wait_line 3 '^h 127.0.0.1 port 8002 healthy 0 reason "http timeout"'
echo "200 - www.example.com /healthz" >"$TMP/http.cfg"
check "http: fast again: up" \
	wait_line 3 '^h 127.0.0.1 port 8002 healthy 1'
check "http: stopped cleanly" stop_daemon

# ---- UDP: echo (up), closed port (down), silence with and without reply
servers udp:127.0.0.1:8003 udp:[::1]:8003 udpsilent:127.0.0.1:8005
cat >"$TMP/udp.conf" <<EOF
group u check udp interval 300 timeout 200 rise 1 fall 2 udp-payload ping
group unr check udp interval 300 timeout 200 rise 1 fall 2 udp-reply 0
backend u 127.0.0.1 port 8003
backend u ::1 port 8003
backend u 127.0.0.1 port 8004
backend u 127.0.0.1 port 8005
backend unr 127.0.0.1 port 8005
backend unr 127.0.0.1 port 8004
EOF
daemon "$TMP/udp.conf"
check "udp: an echo server answers (IPv4)" \
	wait_line 2 '^u 127.0.0.1 port 8003 probe-ok 1 probe "udp reply"'
check "udp: an echo server answers (IPv6)" \
	wait_line 2 '^u ::1 port 8003 probe-ok 1 probe "udp reply"'
check "udp: a closed port: ICMP port unreachable, down" \
	wait_line 2 '^u 127.0.0.1 port 8004 healthy 0 reason "udp port unreachable"'
check "udp: silence when a reply is needed: down, udp timeout" \
	wait_line 2 '^u 127.0.0.1 port 8005 healthy 0 reason "udp timeout"'
check "udp: silence when no reply is needed: up" \
	wait_line 2 '^unr 127.0.0.1 port 8005 probe-ok 1 probe "udp no reply"'
check "udp: no reply needed, closed port: down" \
	wait_line 2 '^unr 127.0.0.1 port 8004 healthy 0 reason "udp port unreachable"'
check "udp: the echo server never went down" \
	eval '! grep -q "^u 127.0.0.1 port 8003 healthy" "$OUT"'
check "udp: stopped cleanly" stop_daemon

# ---- agent: drain, percentages, up, down, garbage
echo "up" >"$TMP/agent"
servers "agent:127.0.0.1:8006:$TMP/agent"
cat >"$TMP/agent.conf" <<EOF
group a check agent port 8006 interval 300 timeout 200 rise 2 fall 2
backend a 127.0.0.1 port 80 weight 10
EOF
daemon "$TMP/agent.conf"
check "agent: up" wait_line 2 '^a 127.0.0.1 port 80 probe-ok 1 probe "agent up"'
echo "drain" >"$TMP/agent"
check "agent: drain sets agent weight 0" \
	wait_line 2 '^a 127.0.0.1 port 80 agent-weight 0 probe-ok 1 probe "agent drain"'
check "agent: drain leaves the health alone" \
	eval '! grep -q "healthy" "$OUT"'
echo "75%" >"$TMP/agent"
check "agent: 75% sets agent weight 75" \
	wait_line 2 '^a 127.0.0.1 port 80 agent-weight 75 '
echo "up" >"$TMP/agent"
check "agent: up restores agent weight 100" \
	wait_line 2 '^a 127.0.0.1 port 80 agent-weight 100 '
echo "down" >"$TMP/agent"
check "agent: down marks down at once" \
	wait_line 2 '^a 127.0.0.1 port 80 healthy 0 reason "agent down"'
echo "Ready, 50%" >"$TMP/agent"
check "agent: ready 50% marks up at once, weight 50" \
	wait_line 2 '^a 127.0.0.1 port 80 healthy 1 reason "agent ready 50%" agent-weight 50'
echo "hello there" >"$TMP/agent"
check "agent: garbage is a failed probe" \
	wait_line 2 '^a 127.0.0.1 port 80 healthy 0 reason "agent bad answer"'
check "agent: stopped cleanly" stop_daemon
# A daemon starting on a backend left at 75%, whose group no longer has an
# agent check, restores its agent weight.
cat >"$TMP/agent2.conf" <<EOF
group a check tcp port 8006 interval 300 timeout 200
backend a 127.0.0.1 port 80 agent-weight 75
EOF
daemon "$TMP/agent2.conf"
check "agent: no agent check any more: agent weight 100 restored" \
	wait_line 2 '^a 127.0.0.1 port 80 agent-weight 100$'
check "agent: stopped cleanly" stop_daemon

# ---- peers that misbehave: garbage, silence (accept and never answer)
servers garbage:127.0.0.1:8007 silent:127.0.0.1:8008
cat >"$TMP/bad.conf" <<EOF
group hg check http interval 300 timeout 200 rise 1 fall 1
group ag check agent port 8007 interval 300 timeout 200 rise 1 fall 1
group as check agent port 8008 interval 300 timeout 200 rise 1 fall 1
group ts check tcp interval 300 timeout 200 rise 1 fall 1
backend hg 127.0.0.1 port 8007
backend hg 127.0.0.1 port 8008
backend ag 127.0.0.1 port 1
backend as 127.0.0.1 port 1
backend ts 127.0.0.1 port 8008
EOF
daemon "$TMP/bad.conf"
check "garbage: an HTTP check: http bad response" \
	wait_line 2 '^hg 127.0.0.1 port 8007 healthy 0 reason "http bad response"'
check "silence: an HTTP check: http timeout" \
	wait_line 2 '^hg 127.0.0.1 port 8008 healthy 0 reason "http timeout"'
check "garbage: an agent check: agent bad answer" \
	wait_line 2 '^ag 127.0.0.1 port 1 healthy 0 reason "agent bad answer"'
check "silence: an agent check: agent timeout" \
	wait_line 2 '^as 127.0.0.1 port 1 healthy 0 reason "agent timeout"'
check "silence: a TCP check only connects: up" \
	wait_line 2 '^ts 127.0.0.1 port 8008 probe-ok 1 probe "connected"'
sleep 1
check "misbehaving peers: the daemon still runs" kill -0 "$dpid"
check "misbehaving peers: stopped cleanly" stop_daemon

# ---- one probe per real server shared by two groups
: >"$TMP/srv.log"
servers http:127.0.0.1:8009
cat >"$TMP/share.conf" <<EOF
group s1 check http interval 200 timeout 100 rise 1 fall 1
group s2 check http interval 200 timeout 100 rise 5 fall 5
group s3 check http interval 200 timeout 100 http-path /other
backend s1 127.0.0.1 port 8009
backend s2 127.0.0.1 port 8009
backend s3 127.0.0.1 port 8009
EOF
daemon "$TMP/share.conf"
sleep 3
stats_now
check_share() {
	local shared other s1 s2
	shared=$(grep -c '^http 127.0.0.1 8009 / ' "$TMP/srv.log")
	other=$(grep -c '^http 127.0.0.1 8009 /other ' "$TMP/srv.log")
	s1=$(grep -c '^s1 ' "$OUT")
	s2=$(grep -c '^s2 ' "$OUT")
	diag "server saw $shared GETs of / and $other of /other; reports s1 $s1 s2 $s2; targets $(stats_get targets)"
	# 3 s at 200 ms: about 15 each, not 30 for the shared check.
	[ "$shared" -ge 12 ] && [ "$shared" -le 17 ] &&
	[ "$other" -ge 12 ] && [ "$other" -le 17 ] &&
	[ "$(stats_get targets)" = 2 ] && [ "$s1" -ge 12 ] && [ "$s2" -ge 12 ]
}
check "sharing: groups with the same check probe the server once per interval" check_share
check "sharing: stopped cleanly" stop_daemon

# ---- configuration changes while running (SIGHUP reads the file again)
: >"$TMP/srv.log"
servers count:127.0.0.1:8010 count:127.0.0.1:8011
cat >"$TMP/reload.conf" <<EOF
group r check tcp interval 300 timeout 100
backend r 127.0.0.1 port 8010
EOF
daemon "$TMP/reload.conf"
check "reload: the first backend is probed" \
	wait_line 2 '^r 127.0.0.1 port 8010 probe-ok 1'
cat >"$TMP/reload.conf" <<EOF
group r check tcp interval 300 timeout 100
backend r 127.0.0.1 port 8011
EOF
kill -HUP "$dpid"
t0=$(ms)
if wait_line 1 '^r 127.0.0.1 port 8011 probe-ok 1'; then
	d=$(($(ms) - t0))
	diag "the new backend's first probe $d ms after the reload (interval 300 ms)"
	check "reload: a new backend is probed within one interval (+100 ms)" test "$d" -le 400
else
	fail "reload: a new backend is probed"
fi
sleep 0.4
l=$(lines)
sleep 0.7
check "reload: a deleted backend is no longer probed" \
	eval '! after $l "^r 127.0.0.1 port 8010 "'
cat >"$TMP/reload.conf" <<EOF
group r check http interval 300 timeout 100 rise 1 fall 1
backend r 127.0.0.1 port 8011
EOF
kill -HUP "$dpid"
check "reload: a changed check type applies (http to a TCP-only server)" \
	wait_line 2 '^r 127.0.0.1 port 8011 healthy 0 reason "http (closed|reset)"'
cat >"$TMP/reload.conf" <<EOF
group r check none
backend r 127.0.0.1 port 8011
EOF
kill -HUP "$dpid"
sleep 0.5
l=$(lines)
sleep 0.7
check "reload: check none: no more probes" eval '[ "$(lines)" = "$l" ]'
check "reload: stopped cleanly" stop_daemon

# ---- passive: the kernel's count of failed starts marks down before a probe
servers count:127.0.0.1:8012
cat >"$TMP/passive.conf" <<EOF
group p check tcp interval 60000 timeout 1000 passive 1 passive-fails 3
backend p 127.0.0.1 port 8012 fails 10
EOF
daemon "$TMP/passive.conf"
sed -i 's/fails 10/fails 12/' "$TMP/passive.conf"
kill -HUP "$dpid"
sleep 0.5
check "passive: 2 failures (below 3) change nothing" \
	eval '! grep -q healthy "$OUT"'
sed -i 's/fails 12/fails 14/' "$TMP/passive.conf"
kill -HUP "$dpid"
check "passive: 4 failures within the window mark down at once" \
	wait_line 2 '^p 127.0.0.1 port 8012 healthy 0 reason "passive 4 failed"$'
check "passive: stopped cleanly" stop_daemon
cat >"$TMP/passive.conf" <<EOF
group p check tcp interval 60000 timeout 1000 passive 0 passive-fails 3
backend p 127.0.0.1 port 8012 fails 10
EOF
daemon "$TMP/passive.conf"
sed -i 's/fails 10/fails 20/' "$TMP/passive.conf"
kill -HUP "$dpid"
sleep 0.5
check "passive off: failures change nothing" eval '! grep -q healthy "$OUT"'
check "passive off: stopped cleanly" stop_daemon

# ---- scale: 1,000 backends at a 1 s interval for 60 s (SCALE_SECONDS;
# not under valgrind)
SCALE_SECONDS=${SCALE_SECONDS:-60}
if [ -z "$WRAP" ] && [ "$SCALE_SECONDS" -gt 0 ]; then
	{
		echo "group big check tcp interval 1000 timeout 500"
		for i in $(seq 0 999); do
			echo "backend big 127.1.$((1 + i / 250)).$((1 + i % 250)) port 80"
		done
	} >"$TMP/big.conf"
	servers count:0.0.0.0:80
	daemon "$TMP/big.conf"
	sleep "$SCALE_SECONDS.3"
	stats_now
	python3 - "$STATS" <<-'EOF' >"$TMP/big.out"
	import json, sys
	s = json.load(open(sys.argv[1]))
	t = s["per_target"]
	probes = [x["probes"] for x in t]
	print(len(t), min(probes), max(probes), s["missed"], s["probes_failed"],
	      s["cpu_user_ms"] + s["cpu_sys_ms"], s["uptime_ms"], s["late_max_us"])
	EOF
	read -r nt pmin pmax missed failed cpu up late <"$TMP/big.out"
	diag "1000 backends, 1 s interval, $up ms: probes per backend $pmin-$pmax, missed $missed, failed $failed, CPU $cpu ms ($((cpu * 100 / up))%), latest start $late us after its time"
	check "scale: 1000 targets, each probed every interval ($SCALE_SECONDS or $((SCALE_SECONDS + 1)) in $SCALE_SECONDS s), none missed, none failed" \
		test "$nt" = 1000 -a "$pmin" -ge "$SCALE_SECONDS" -a "$pmax" -le "$((SCALE_SECONDS + 1))" -a "$missed" = 0 -a "$failed" = 0
	check "scale: stopped cleanly" stop_daemon
fi

echo "1..$n"
if [ "$nfail" -eq 0 ]; then
	echo "host: $n tests passed"
else
	echo "host: $nfail of $n tests failed"
fi
[ "$nfail" -eq 0 ]
