#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Health checks end to end: the settings and reports in the kernel
# (validation, show, no notification or pool rebuild for probe reports),
# nlb-healthd (tools/healthd) probing real servers from the load
# balancer's namespace (--netns), marking backends down and up with rise
# and fall, sharing one probe per real server between groups, HTTP
# status, slowness, Host and path, UDP, agents draining and restoring,
# passive signals, misbehaving peers and configuration changes while it
# runs (the ASan build). The checks probe every 500 ms, so that the waits
# for rise and fall are short (make check runs this).
#
# With NLB_SOAK=1 (make soak) also: restarts, the namespace deleted and
# the module reloaded under the daemon, and 1,000 backends from the
# kernel for 60 s.
#
#                            +--------------------------------+
#   c4 192.0.2.2   -------+  | lb: nlb.ko, nlb-healthd        |  +-- b1 198.18.1.2      nginx "Hello from IPv4 backend" (access log)
#                         +--+ VIP 203.0.113.10               +--+-- b2 2001:db8:102::2 nginx "Hello from IPv6 backend"
#   c6 2001:db8:1::2 -----+  |     2001:db8:ff::10            |  +-- b3 198.18.3.2      nginx "Hello from second IPv4 backend",
#                            +--------------------------------+  |      socat echo 9000; servers.py: http 8080, udp 5300,
#   listeners: http :80 -> web (b1 b3 | b2), seed :81 -> seed    |      agent 9999, silent 8081, garbage 8082 (b1: agent 9999)
#   (b1 | b2), echo :9000 -> ag (b1 b3, agent check)             +-- b4 10.200.x.y, 2001:db8:200::x: 1,000 addresses, nginx
#   namespace $P-x: a second nlb configuration and daemon,           (NLB_SOAK=1 only)
#   deleted under it (NLB_SOAK=1 only)

# Arrays read through namerefs; single-quoted strings for eval and check;
# functions called through check or trap.
# shellcheck disable=SC2034,SC2016,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbh
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

HEALTHD=${NLB_HEALTHD:-$top/tools/healthd/nlb-healthd}
# The daemon built with ASan and UBSan (tools/check builds it), for the
# robustness checks; the plain build when there is none.
HEALTHD_ASAN=${NLB_HEALTHD_ASAN:-$top/build/healthd-asan/nlb-healthd}
SERVERS=$top/tools/healthd/tests/servers.py
NLRAW=$top/selftests/nlraw.py
soak=${NLB_SOAK:-0}

require ip nginx curl socat python3 nsenter
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }
[ -x "$HEALTHD" ] || { echo "1..0 # SKIP no nlb-healthd at $HEALTHD"; exit $KSFT_SKIP; }
[ -x "$HEALTHD_ASAN" ] || HEALTHD_ASAN=$HEALTHD

# nlbadm in the load balancer's namespace: nsenter --net is cheaper than
# lib.sh's ip netns exec, which matters under TCG and KASAN.
nlb() {
	nsenter --net="/run/netns/$P-lb" "$NLBADM" "$@"
}

declare -A hd_pid=()
srv_pids=()
srv_pid=
cleanup() {
	local k
	for k in "${!hd_pid[@]}"; do
		kill "${hd_pid[$k]}" 2>/dev/null
	done
	for k in "${srv_pids[@]}"; do
		kill "$k" 2>/dev/null
	done
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	monitor_stop
	hold_stop h
	topo_cleanup
}
# tap_end runs cleanup and unloads the module as a test point; a run that
# stops early unloads it here.
trap 'cleanup; nlb_unload_quiet' EXIT

ms() {
	date +%s%3N
}

# section NAME: a diagnostic line with the time the previous one took.
sec_t=$SECONDS
section() {
	diag "---- $* (previous section: $((SECONDS - sec_t)) s)"
	sec_t=$SECONDS
}

# hd_start ID NS BINARY [ARGS...]: nlb-healthd serving NS (--netns), log
# in /tmp/hd-ID.log, statistics in /tmp/hd-ID.json; returns once it has
# read the configuration.
hd_start() {
	local id=$1 ns=$2 bin=$3
	shift 3
	: >"/tmp/hd-$id.log"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		"$bin" --netns "$ns" -v --stats "/tmp/hd-$id.json" "$@" \
		2>>"/tmp/hd-$id.log" &
	hd_pid[$id]=$!
	wait_grep 60 "configuration: " "/tmp/hd-$id.log"
}

# hd_stop ID: SIGTERM; it must exit 0 (with ASan: no error, no leak).
hd_stop() {
	local id=$1 rc
	kill -TERM "${hd_pid[$id]}" 2>/dev/null
	wait "${hd_pid[$id]}"
	rc=$?
	unset "hd_pid[$id]"
	[ "$rc" -eq 0 ] || diag "nlb-healthd $id exit $rc: $(flat "$(tail -n 20 "/tmp/hd-$id.log")")"
	return "$rc"
}

# be_probed ID GROUP ADDR PORT: wait until the daemon ID has reported a
# good probe of the backend; prints True, or on failure what the kernel
# and the daemon say about it (for the diagnostics).
be_probed() {
	local v
	v=$(be_wait 10 "$2" "$3" "$4" probe_ok True)
	echo "$v"
	[ "$v" = True ] && return 0
	diag "$2 $3 port $4: $(nlb_eval 'B("'"$2"'", "'"$3"'", '"$4"')')" >&2
	diag "daemon $1: probes $(hd_stats "$1" probes), targets $(hd_stats "$1" targets), write errors $(hd_stats "$1" write_errors), resyncs $(hd_stats "$1" resyncs), missed $(hd_stats "$1" missed), late max $(hd_stats "$1" late_max_us) us" >&2
	diag "daemon $1's log: $(flat "$(tail -n 15 "/tmp/hd-$1.log")")" >&2
}

# hd_stats ID KEY: a figure of the daemon's statistics, fresh (SIGUSR1).
hd_stats() {
	local f=/tmp/hd-$1.json
	rm -f "$f"
	kill -USR1 "${hd_pid[$1]}"
	wait_for 20 yes sh -c "[ -s $f ] && echo yes || echo no" >/dev/null
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$f" "$2"
}

# hd_wait_probes SECONDS ID N: wait until the daemon has made N more probes.
hd_wait_probes() {
	local deadline=$((SECONDS + $1)) id=$2 want n
	want=$(($(hd_stats "$id" probes) + $3))
	while n=$(hd_stats "$id" probes); [ "$n" -lt "$want" ]; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}

# servers NS SPEC...: tools/healthd/tests/servers.py in NS, logging to
# /tmp/srv-NS.log.
servers() {
	local ns=$1 out=/tmp/srv-$RANDOM.out
	shift
	nsexec "$ns" python3 "$SERVERS" --log "/tmp/srv-$ns.log" "$@" \
		>"$out" 2>&1 &
	srv_pids+=($!)
	wait_grep 30 ready "$out"
}

# be GROUP ADDRESS PORT FIELD...: fields of a backend, one a line.
be() {
	local g=$1 a=$2 p=$3 e=()
	shift 3
	for f in "$@"; do
		e+=("(B(\"$g\", \"$a\", $p) or {}).get(\"$f\")")
	done
	nlb_eval "${e[@]}"
}

# be_wait SECONDS GROUP ADDRESS PORT FIELD VALUE
be_wait() {
	nlb_wait "$1" "(B(\"$2\", \"$3\", $4) or {}).get(\"$5\")" "$6"
}

# The raw request server (selftests/nlraw.py --serve, in the load
# balancer's namespace): the kernel's configuration as raw dumps, and many
# raw requests, in one process. srv LINE prints its answer to LINE.
srv_start() {
	rm -f /tmp/hsrv.in /tmp/hsrv.out
	mkfifo /tmp/hsrv.in /tmp/hsrv.out || return 1
	python3 -S -E "$NLRAW" --serve </tmp/hsrv.in >/tmp/hsrv.out \
		2>/tmp/hsrv.err &
	srv_pid=$!
	exec {srv_w}>/tmp/hsrv.in {srv_r}</tmp/hsrv.out
	[ "$(srv "ns $P-lb")" = ok ]
}
srv() {
	local line
	printf '%s\n' "$1" >&"$srv_w" || { echo "error: nlraw.py --serve is gone"; return 1; }
	while IFS= read -r -t 300 -u "$srv_r" line; do
		[ "$line" = "@end" ] && return 0
		printf '%s\n' "$line"
	done
	echo "error: no answer from nlraw.py --serve: $(cat /tmp/hsrv.err)"
	return 1
}

# snap: the configuration as the kernel dumps it, every attribute; a
# snapshot that is not three complete dumps is reported as such.
snap() {
	local out
	out=$(srv snap)
	if [ "$(grep -c '^ok [0-9]* objects$' <<<"$out")" != 3 ]; then
		echo "SNAPSHOT FAILED: $out"
		return 1
	fi
	printf '%s\n' "$out"
}

# Raw requests, collected and sent in one go by raw_flush (the server's
# expect: each a test point):
#   rawno DESC ERRNO MSG REQUEST...   refused with ERRNO and an extack
#       message containing MSG ("*": any message), nothing changed
#   rawok DESC REQUEST...             acked
: >/tmp/hexpect
raw_add() {
	local desc=$1 want=$2 req
	shift 2
	printf -v req '%q ' "$@"
	printf '%s\t%s\t%s\n' "$desc" "$want" "$req" >>/tmp/hexpect
}
rawno() {
	local desc=$1 errno=$2 msg=$3
	shift 3
	raw_add "raw: $desc" "error $errno $msg" "$@"
}
rawok() {
	local desc=$1
	shift
	raw_add "raw: $desc" ok "$@"
}
raw_flush() {
	local line
	while IFS= read -r line; do
		printf '%s\n' "expect $line" >&"$srv_w"
		while IFS= read -r -t 300 -u "$srv_r" line; do
			case $line in
			@end) break ;;
			"ok - "*) tap_result 0 "${line#ok - }" ;;
			"not ok - "*) tap_result 1 "${line#not ok - }" ;;
			*) echo "# $line" ;;
			esac
		done
	done </tmp/hexpect
	: >/tmp/hexpect
}

# refused DESC MSG NLBADM-ARGS...: nlbadm exits 2 with the kernel's MSG,
# the configuration unchanged.
refused() {
	local desc=$1 msg=$2 before after out rc
	shift 2
	before=$(snap)
	out=$(nlb "$@" 2>&1)
	rc=$?
	after=$(snap)
	if [ "$rc" = 2 ] && [[ "$out" == *"$msg"* ]] &&
	   [[ "$before" != "SNAPSHOT FAILED"* ]] && [ "$before" = "$after" ]; then
		tap_result 0 "$desc"
	else
		tap_result 1 "$desc"
		diag "exit $rc: $(flat "$out")"
		[ "$before" = "$after" ] || diag "the configuration changed: $(flat "$before") -> $(flat "$after")"
	fi
}

tap_begin
nlb_load || { echo "1..0 # SKIP insmod failed"; exit 1; }
if [ "$soak" = 1 ]; then
	topo_setup 4
else
	topo_setup 3
fi
NGINX_ACCESS_LOG=1 start_nginx "$P-b1" "Hello from IPv4 backend"
start_nginx "$P-b2" "Hello from IPv6 backend"
start_nginx "$P-b3" "Hello from second IPv4 backend"
start_echo "$P-b1" b1 9000
start_echo "$P-b3" b3 9000
b1=$(backend4 1)
b2=$(backend6 2)
b3=$(backend4 3)
echo "200 - www.example.com /hz" >/tmp/hs.cfg
echo "up" >/tmp/agent.cfg
servers "$P-b3" "http:$b3:8080:/tmp/hs.cfg" "udp:$b3:5300" \
	"agent:$b3:9999:/tmp/agent.cfg" "silent:$b3:8081" "garbage:$b3:8082"
echo "up" >/tmp/agent1.cfg
servers "$P-b1" "agent:$b1:9999:/tmp/agent1.cfg"
url4="http://$VIP4/"
url6="http://[$VIP6]/"
page4=Hello_from_IPv4_backend
page4b=Hello_from_second_IPv4_backend
page6=Hello_from_IPv6_backend

# ---- 1. settings in the kernel: defaults, show, validation
section "1. settings"
check "settings: the raw request server runs in $P-lb" -- srv_start
check "settings: a group without health settings gets the defaults" -- \
	nlb group add plain
check_eq "settings: defaults: tcp, every 5 s, timeout 2 s, rise 2, fall 3, passive off (3 s)" \
	"$(nlb_eval 'G("plain")["health"]["type"], G("plain")["health"]["interval"], G("plain")["health"]["timeout"], G("plain")["health"]["rise"], G("plain")["health"]["fall"], G("plain")["passive"], G("plain")["passive_timeout"]')" \
	"('tcp', 5000, 2000, 2, 3, False, 3000)"
check "settings: group add with an HTTP check" -- \
	nlb group add web ipversion dualstack sched rr check http \
	interval 500ms timeout 400ms rise 2 fall 2 http-status 200-299,301
check_eq "settings: group show prints the HTTP check" \
	"$(nlb group show web | grep -o 'check http.*')" \
	"check http interval 500ms timeout 400ms rise 2 fall 2 http-path / http-status 200-299,301"
check "settings: group change changes only what it is given" -- \
	nlb group change plain check udp udp-payload "ping me" passive on passive-fails 4
check_eq "settings: the rest stays" \
	"$(nlb group show plain | grep -o 'passive.*')" \
	"passive on passive-timeout 3s check udp interval 5s timeout 2s rise 2 fall 3 udp-payload \"ping me\" udp-reply on passive-fails 4 passive-window 10s"
refused "settings: a timeout longer than the interval is refused" \
	"timeout must not be longer than its interval" group change plain timeout 6
refused "settings: an interval shorter than the timeout is refused" \
	"timeout must not be longer than its interval" group change plain interval 1
refused "settings: an agent check without a port is refused" \
	"an agent check needs a port" group change plain check agent
refused "settings: status codes out of range are refused" \
	"HTTP check status codes are" group change plain http-status 200-600
refused "settings: a status list of 9 items is refused" \
	"HTTP check status codes are" group change plain \
	http-status 200,201,202,203,204,205,206,207,208
refused "settings: a path without / is refused" \
	"an HTTP check path starts with /" group change plain http-path healthz
refused "settings: a Host header with a blank is refused" \
	"an HTTP check Host header has only" group change plain http-host "a b"
refused "settings: group add with a bad check changes nothing" \
	"an agent check needs a port" group add other check agent
rawno "a UDP payload of 513 bytes" EINVAL "a UDP check payload has at most 512 bytes" \
	group-change name=str:plain "health=nest:udp-payload=bin:$(printf '%01026d' 0)"
rawno "an unknown attribute in the health nest" EINVAL "*" \
	group-change name=str:plain "health=nest:99=u8:1"
rawno "a health nest without NLA_F_NESTED" EINVAL "*" \
	group-change name=str:plain "health=nestnf:rise=u32:2"
rawno "rise 0" ERANGE "*" group-change name=str:plain "health=nest:rise=u32:0"
rawno "interval 99 ms" ERANGE "*" group-change name=str:plain "health=nest:interval=u32:99"
rawno "check type 5" ERANGE "*" group-change name=str:plain "health=nest:type=u8:5"
rawno "passive-timeout 60001 ms" ERANGE "*" group-change name=str:plain passive-timeout=u32:60001
rawok "a backend for the report checks" \
	backend-add group=str:plain addr4=ipv4:192.0.2.99 port=u16:80
rawno "a probe result without probe-ok" EINVAL "a probe result needs probe-ok" \
	backend-change group=str:plain addr4=ipv4:192.0.2.99 port=u16:80 probe=str:ok
# "a\001" and its NUL
rawno "a reason with a control character" EINVAL "a health reason or probe result is printable ASCII" \
	backend-change group=str:plain addr4=ipv4:192.0.2.99 port=u16:80 healthy=u8:0 reason=bin:610100
rawno "agent-weight 101" ERANGE "*" \
	backend-change group=str:plain addr4=ipv4:192.0.2.99 port=u16:80 agent-weight=u8:101
rawno "a report for a batch of backends" EINVAL "a health check report is for one backend, at the top level, not for a batch" \
	backend-change group=str:plain "entry=nest:addr4=ipv4:192.0.2.99,port=u16:80,healthy=u8:1" probe-ok=u8:1
rawno "probe-time is replies only" EINVAL "*" \
	backend-change group=str:plain addr4=ipv4:192.0.2.99 port=u16:80 probe-time=u64:1
rawok "a report (probe-ok, probe) is taken" \
	backend-change group=str:plain addr4=ipv4:192.0.2.99 port=u16:80 probe-ok=u8:0 "probe=str:http 503"
rawok "health down with a reason" \
	backend-change group=str:plain addr4=ipv4:192.0.2.99 port=u16:80 healthy=u8:0 "reason=str:http 503"
raw_flush
check_eq "raw: the report shows in -j: probe, probe_ok, probe_time" \
	"$(nlb_eval 'B("plain", "192.0.2.99")["probe"], B("plain", "192.0.2.99")["probe_ok"], B("plain", "192.0.2.99")["probe_time"] > 0')" \
	"('http 503', False, True)"
out=$(nlb backend show plain 192.0.2.99 port 80)
diag "$out"
check "settings: show prints the health, its reason and the last probe" -- \
	eval '[[ "$out" == *"health down reason \"http 503\" changed "*" ago probe failed \"http 503\" "*" ago"* ]]'
rawok "health up without a reason clears it" \
	backend-change group=str:plain addr4=ipv4:192.0.2.99 port=u16:80 healthy=u8:1
raw_flush
check_eq "settings: the reason is cleared" \
	"$(nlb_eval 'B("plain", "192.0.2.99")["reason"]')" ""
check "settings: delete the test group" -- nlb group del plain

# ---- 2. probe reports are no configuration change: no notification, no
# pool rebuild (a rebuilt wrr pool restarts its sequence: with a rebuild
# before each pick, the first backend would get them all)
section "2. reports"
conf_wrr() {
	nlb group add wrr sched wrr check http interval 300ms timeout 250ms &&
	nlb backend add wrr "$b1" port 80 weight 2 &&
	nlb backend add wrr "$b3" port 80 weight 1 &&
	nlb listener add wrr vip "$VIP4" proto tcp port 82 group wrr
}
check "reports: a wrr group with weights 2:1 checked every 300 ms" -- conf_wrr
hd_start main "$P-lb" "$HEALTHD"
check_eq "reports: the daemon reports probes" \
	"$(be_wait 20 wrr "$b3" 80 probe_ok True)" True
monitor_start /tmp/mon.out
n0=$(hd_stats main writes)
out=$(curl_tally "$P-c4" "http://$VIP4:82/" 30 -4)
n1=$(hd_stats main writes)
diag "30 requests while the daemon wrote $((n1 - n0)) reports: $(flat "$out")"
check "reports: the daemon wrote reports meanwhile" -- test $((n1 - n0)) -ge 10
check_eq "reports: wrr shares exactly 20:10 (no pool rebuilt by a report)" \
	"$(nof $page4 <<<"$out") $(nof $page4b <<<"$out")" "20 10"
# A group added after the reports: once the monitor prints it, it has
# printed every notification before it.
nlb group add hmark
wait_grep 10 hmark /tmp/mon.out
check_eq "reports: no notification for reports (the monitor sees only its own groups)" \
	"$(grep -av 'monprobe\|hmark' /tmp/mon.out | grep -c .)" 0
monitor_stop
check "reports: delete the wrr group" -- \
	eval 'nlb listener del wrr && nlb group del wrr && nlb group del hmark'

# ---- 3. nginx of both families; the seed scenario; one probe per server
section "3. web and seed"
conf_web() {
	nlb backend add web "$b1" port 80 &&
	nlb backend add web "$b3" port 80 &&
	nlb backend add web "$b2" port 80 &&
	nlb listener add http vip "$VIP4" vip "$VIP6" proto tcp port 80 \
		group web &&
	nlb group add seed ipversion dualstack sched rr check http \
		interval 500ms timeout 400ms rise 2 fall 2 http-status 200-299,301 &&
	nlb backend add seed "$b1" port 80 &&
	nlb backend add seed "$b2" port 80 &&
	nlb listener add seed vip "$VIP4" vip "$VIP6" proto tcp port 81 \
		group seed
}
check "web: groups web (b1 b3 | b2) and seed (b1 | b2), the same HTTP check every 500 ms" -- conf_web
check_eq "web: every backend probed within one interval (+ slack)" \
	"$(nlb_wait 15 '[B(g, a)["probe_ok"] for g, a in (("web", "'"$b1"'"), ("web", "'"$b3"'"), ("web", "'"$b2"'"), ("seed", "'"$b1"'"), ("seed", "'"$b2"'")) if B(g, a) and "probe_ok" in B(g, a)]' \
	'[True, True, True, True, True]')" "[True, True, True, True, True]"
# One probe per interval on b1 though two groups use it: counted in its
# access log over a few seconds (two groups probing on their own would
# make twice as many).
log=/tmp/nginx-$P-b1/access.log
c0=$(grep -c nlb-healthd "$log")
t0=$(ms)
sleep 4
c1=$(grep -c nlb-healthd "$log")
t1=$(ms)
diag "b1's access log: $((c1 - c0)) probes in $((t1 - t0)) ms at a 500 ms interval, for two groups"
check_within "sharing: b1 probed once per interval for both groups" \
	$((c1 - c0)) $(((t1 - t0) / 500)) 2
s0=$(nlb_eval 'S(B("web", "'"$b1"'"), "conns")')
t0=$(ms)
check "web: stop b1's nginx" -- stop_nginx "$P-b1"
check_eq "web, seed: b1 goes down in both groups" \
	"$(nlb_wait 20 '(B("web", "'"$b1"'") or {}).get("healthy"), (B("seed", "'"$b1"'") or {}).get("healthy")' \
	'(False, False)')" "(False, False)"
{ read -r d; read -r r; } < <(nlb_eval 'B("web", "'"$b1"'")["health_time"] - '"$t0" \
	'B("web", "'"$b1"'")["reason"]')
diag "b1 down $d ms after nginx stopped (fall 2 x 500 ms + 400 ms = 1400 ms)"
check "web: within fall x interval + timeout (+ 1 s for the VM)" -- test "$d" -le 2400
check_eq "web: the reason is the failed probe" "$r" "connect refused"
check "web: the change is logged with its reason" -- \
	grep -q "web $b1 port 80: down: connect refused (2 failed probes)" /tmp/hd-main.log
out=$(curl_tally "$P-c4" "$url4" 10 -4)
diag "10 IPv4 requests, b1 down: $(flat "$out")"
check_eq "web: IPv4 requests all go to b3" "$(nof $page4b <<<"$out")" 10
check_eq "web: b1 got no new connection" \
	"$(nlb_eval 'S(B("web", "'"$b1"'"), "conns")')" "$s0"
out=$(curl_tally "$P-c4" "http://$VIP4:81/" 10 -4)
diag "seed: 10 IPv4 requests, the only IPv4 nginx stopped: $(flat "$out")"
check_eq "seed: IPv4 requests fail" "$(nof FAIL <<<"$out")" 10
check_eq "seed: no IPv4 request crosses to IPv6" "$(nof $page6 <<<"$out")" 0
out=$(curl_tally "$P-c6" "http://[$VIP6]:81/" 5 -6)
check_eq "seed: IPv6 is undisturbed" "$(nof $page6 <<<"$out")" 5
NGINX_ACCESS_LOG=1 start_nginx "$P-b1" "Hello from IPv4 backend"
t0=$(ms)
check_eq "web, seed: b1 comes back on its own in both groups" \
	"$(nlb_wait 20 '(B("web", "'"$b1"'") or {}).get("healthy"), (B("seed", "'"$b1"'") or {}).get("healthy")' \
	'(True, True)')" "(True, True)"
d=$(($(nlb_eval 'B("web", "'"$b1"'")["health_time"]') - t0))
diag "b1 up $d ms after nginx started (rise 2 x 500 ms + 400 ms = 1400 ms)"
check "web: within rise x interval + timeout (+ 1 s for the VM)" -- test "$d" -le 2400
out=$(curl_tally "$P-c4" "http://$VIP4:81/" 10 -4)
check_eq "seed: IPv4 recovers on its own" "$(nof $page4 <<<"$out")" 10
out=$(curl_tally "$P-c4" "$url4" 10 -4)
check_eq "web: IPv4 shared by b1 and b3 again (rr 5:5)" \
	"$(nof $page4 <<<"$out") $(nof $page4b <<<"$out")" "5 5"

# ---- 4. HTTP: unexpected status, slowness, Host header and path
section "4. http"
conf_hs() {
	nlb group add hs check http interval 500ms timeout 400ms rise 1 \
		fall 1 http-path /hz http-host www.example.com \
		http-status 200-299 &&
	nlb backend add hs "$b3" port 8080 &&
	nlb group add hh check http interval 500ms timeout 400ms rise 1 \
		fall 1 http-path /hz http-host other.example.com &&
	nlb backend add hh "$b3" port 8080
}
check "http: groups hs (Host www.example.com, path /hz) and hh (another Host)" -- conf_hs
check_eq "http: the right Host and path: up, http 200; another Host: down, http 404" \
	"$(nlb_wait 15 '(B("hs", "'"$b3"'", 8080) or {}).get("probe"), (B("hh", "'"$b3"'", 8080) or {}).get("reason")' \
	"('http 200', 'http 404')")" "('http 200', 'http 404')"
check "http: the server saw GET /hz with Host www.example.com" -- \
	grep -q "^http $b3 8080 /hz www.example.com$" "/tmp/srv-$P-b3.log"
echo "503 - www.example.com /hz" >/tmp/hs.cfg
check_eq "http: an unexpected status marks down: http 503" \
	"$(be_wait 15 hs "$b3" 8080 reason 'http 503')" "http 503"
echo "200 - www.example.com /hz" >/tmp/hs.cfg
check_eq "http: 200 again: up" "$(be_wait 15 hs "$b3" 8080 healthy True)" True
echo "200 1.0 www.example.com /hz" >/tmp/hs.cfg
check_eq "http: slower than the timeout: down, http timeout" \
	"$(be_wait 15 hs "$b3" 8080 reason 'http timeout')" "http timeout"
echo "200 - www.example.com /hz" >/tmp/hs.cfg

# ---- 5. UDP: an echo server is up, a closed port down
section "5. udp"
conf_udp() {
	nlb group add us check udp udp-payload ping interval 500ms \
		timeout 400ms rise 1 fall 1 &&
	nlb backend add us "$b3" port 5300 &&
	nlb backend add us "$b3" port 5301
}
check "udp: group us: b3's echo server (5300), a closed port (5301)" -- conf_udp
check_eq "udp: the echo server answers; the closed port goes down" \
	"$(nlb_wait 15 '(B("us", "'"$b3"'", 5300) or {}).get("probe"), (B("us", "'"$b3"'", 5301) or {}).get("healthy")' \
	"('udp reply', False)")" "('udp reply', False)"
r=$(be us "$b3" 5301 reason)
diag "closed UDP port: $r"
check "udp: down for an ICMP port unreachable (or, rate-limited, silence)" -- \
	eval '[[ "$r" == "udp port unreachable" || "$r" == "udp timeout" ]]'
check_eq "udp: the echo server stays up" "$(be us "$b3" 5300 healthy)" True

# ---- 6. agent: drain (weight 0) keeps connections, up and 50% restore
# (a timeout of 900 ms: with 400 ms, probes of a guest with one busy vCPU
# timed out, and their reason hid the agent's "down")
section "6. agent"
conf_ag() {
	nlb group add ag check agent check-port 9999 interval 1s \
		timeout 900ms &&
	nlb backend add ag "$b1" port 9000 &&
	nlb backend add ag "$b3" port 9000 &&
	nlb listener add echo vip "$VIP4" proto tcp port 9000 group ag
}
check "agent: group ag (b1, b3 on 9000), their agents on 9999" -- conf_ag
check_eq "agent: b1's and b3's agents say up" \
	"$(nlb_wait 15 '(B("ag", "'"$b1"'", 9000) or {}).get("probe"), (B("ag", "'"$b3"'", 9000) or {}).get("probe")' \
	"('agent up', 'agent up')")" "('agent up', 'agent up')"
hold_start h "$P-c4" "$VIP4" 9000
out=$(hold h "open 4")
check "agent: connections to b3 and b1" -- eval '[[ "$out" == *" b3"* && "$out" == *" b1"* ]]'
echo "drain" >/tmp/agent.cfg
check_eq "agent: drain makes b3's agent weight 0" \
	"$(be_wait 15 ag "$b3" 9000 agent_weight 0)" 0
check_eq "agent: drain leaves b3 healthy" "$(be ag "$b3" 9000 healthy)" True
out=$(hold h "say still")
check_eq "agent: b3's established connections still answer" \
	"$(grep -c ' b3$' <<<"$out")" 2
out=$(hold h "open 4")
check_eq "agent: new connections all go to b1" "$(grep -c ' b1$' <<<"$out")" 4
echo "50%" >/tmp/agent.cfg
check_eq "agent: 50% sets agent weight 50" \
	"$(be_wait 15 ag "$b3" 9000 agent_weight 50)" 50
check "agent: show prints agent-weight 50%" -- \
	eval 'nlb backend show ag "$b3" port 9000 | grep -q "agent-weight 50% "'
echo "up" >/tmp/agent.cfg
check_eq "agent: up restores agent weight 100" \
	"$(be_wait 15 ag "$b3" 9000 agent_weight 100)" 100
out=$(hold h "open 4")
check "agent: new connections to b3 again" -- eval '[[ "$out" == *" b3"* ]]'
hold_stop h
echo "down" >/tmp/agent.cfg
check_eq "agent: down marks b3 down at once" \
	"$(be_wait 15 ag "$b3" 9000 reason 'agent down')" "agent down"
echo "up" >/tmp/agent.cfg
check_eq "agent: up marks it up at once" \
	"$(be_wait 15 ag "$b3" 9000 healthy True)" True
check "the first daemon ends cleanly" -- hd_stop main
check_eq "SIGTERM leaves the kernel's state as it is" \
	"$(be web "$b1" 80 healthy)/$(be us "$b3" 5301 healthy)/$(be us "$b3" 5301 reason)" \
	"True/False/$r"

# ---- 7. passive: the kernel counts failed connection starts of groups with
# passive on, and the daemon marks the backend down on its signal, before
# the next probe (the groups are probed every 60 s, fall 3): a backend
# whose firewall resets every SYN (fail-reset), one whose firewall drops
# them (fail-timeout: the client's retransmission after the 300 ms passive
# timeout), and one that answers (nothing counted); then IPv6 clients
# translated to the resetting backend (px, watched on the backend's leg).
section "7. passive"
hd_start asan "$P-lb" "$HEALTHD_ASAN"
if ! command -v nft >/dev/null; then
	tap_skip "passive" "no nft to make a backend reset or drop SYNs"
else
	conf_pv() {
		ip netns exec "$P-b3" nft -f - <<-EOF &&
		table inet pv {
			chain in {
				type filter hook input priority 0;
				tcp dport 8090 tcp flags & (syn | ack) == syn reject with tcp reset
				tcp dport 8091 tcp flags & (syn | ack) == syn drop
			}
		}
		EOF
		nlb -b - <<-EOF
		group add pv check tcp interval 60 timeout 1 passive on passive-fails 3 passive-timeout 300ms
		backend add pv $b3 port 8090
		listener add pv vip $VIP4 proto tcp port 8090 group pv
		group add pt check tcp interval 60 timeout 1 passive on passive-fails 2 passive-timeout 300ms
		backend add pt $b3 port 8091
		listener add pt vip $VIP4 proto tcp port 8091 group pt
		group add pg check tcp interval 60 timeout 1 passive on passive-fails 1 passive-timeout 300ms
		backend add pg $b3 port 80
		listener add pg vip $VIP4 proto tcp port 8092 group pg
		group add px affinity off pool 100.64.0.1 pool-port-min 20000 pool-port-max 20999 check tcp interval 60 timeout 1 passive on passive-fails 3 passive-timeout 300ms
		backend add px $b3 port 8090
		listener add px vip $VIP6 proto tcp port 8093 group px
		EOF
	}
	check "passive: groups pv, pt, pg, px (translated; checked every 60 s); b3 resets SYNs to 8090, drops those to 8091" -- conf_pv
	t0=$SECONDS
	curl_tally "$P-c4" "http://$VIP4:8090/" 5 -4 >/dev/null
	# Three connections at once whose SYN is dropped; curl gives up
	# after the first retransmission (at 1 s).
	ip netns exec "$P-c4" curl -s -Z --parallel-immediate -m 2 \
		"http://$VIP4:8091/" "http://$VIP4:8091/" "http://$VIP4:8091/" \
		>/dev/null 2>&1
	check_eq "passive: reset, timeout: marked down before their next probe" \
		"$(nlb_wait 20 '(B("pv", "'"$b3"'", 8090) or {}).get("healthy"), (B("pt", "'"$b3"'", 8091) or {}).get("healthy")' \
		'(False, False)')" "(False, False)"
	read -r f1 f2 f3 f4 <<<"$(nlb_eval 'S(B("pv", "'"$b3"'"), "fail_reset"), S(B("pv", "'"$b3"'"), "fail_timeout"), S(B("pt", "'"$b3"'"), "fail_reset"), S(B("pt", "'"$b3"'"), "fail_timeout")' | tr -d '(),')"
	r=$(be pv "$b3" 8090 reason)
	r2=$(be pt "$b3" 8091 reason)
	diag "passive: down after $((SECONDS - t0)) s: reset: $r; fail-reset $f1, fail-timeout $f2; timeout: $r2, fail-reset $f3, fail-timeout $f4"
	check "passive: reset: the reason says passive" -- eval '[[ "$r" == "passive "*" failed" ]]'
	check "passive: reset: counted as fail-reset, not fail-timeout" -- \
		test "$f1" -ge 3 -a "$f2" = 0
	check "passive: timeout: the reason says passive" -- eval '[[ "$r2" == "passive "*" failed" ]]'
	check "passive: timeout: counted as fail-timeout, not fail-reset" -- \
		test "$f3" = 0 -a "$f4" -ge 2
	out=$(curl_tally "$P-c4" "http://$VIP4:8092/" 5 -4)
	check_eq "passive: answered: 5 connections served" \
		"$(nof $page4b <<<"$out")" 5
	check_eq "passive: answered: nothing counted, still up" \
		"$(nlb_eval 'S(B("pg", "'"$b3"'"), "fail_reset"), S(B("pg", "'"$b3"'"), "fail_timeout"), B("pg", "'"$b3"'")["healthy"]')" \
		"(0, 0, True)"
	# Translated: IPv6 clients of IPv4 b3, watched on the backend's leg.
	t0=$SECONDS
	curl_tally "$P-c6" "http://[$VIP6]:8093/" 5 -6 >/dev/null
	check_eq "passive, translated: IPv6 clients reset by IPv4 b3: marked down before its next probe" \
		"$(nlb_wait 20 '(B("px", "'"$b3"'", 8090) or {}).get("healthy")' False)" False
	read -r f5 f6 <<<"$(nlb_eval 'S(B("px", "'"$b3"'"), "fail_reset"), S(B("px", "'"$b3"'"), "fail_timeout")' | tr -d '(),')"
	r=$(be px "$b3" 8090 reason)
	diag "passive, translated: down after $((SECONDS - t0)) s: $r; fail-reset $f5, fail-timeout $f6"
	check "passive, translated: the reason says passive; counted as fail-reset, not fail-timeout" -- \
		eval '[[ "$r" == "passive "*" failed" ]] && [ "$f5" -ge 3 ] && [ "$f6" = 0 ]'
	nlb -b - <<-EOF
	listener del pv
	listener del pt
	listener del pg
	listener del px
	group del pv
	group del pt
	group del pg
	group del px
	EOF
	ip netns exec "$P-b3" nft delete table inet pv
fi

# ---- 8. misbehaving peers, changes while running (ASan build)
section "8. robust"
conf_bad() {
	nlb group add bad check http interval 500ms timeout 400ms rise 1 \
		fall 1 &&
	nlb backend add bad "$b3" port 8081 &&
	nlb backend add bad "$b3" port 8082
}
check "robust: group bad: b3:8081 accepts and never answers, b3:8082 answers garbage" -- conf_bad
check_eq "robust: silence: down, http timeout; garbage: down, http bad response" \
	"$(nlb_wait 15 '(B("bad", "'"$b3"'", 8081) or {}).get("reason"), (B("bad", "'"$b3"'", 8082) or {}).get("reason")' \
	"('http timeout', 'http bad response')")" "('http timeout', 'http bad response')"
check "robust: a backend added while running" -- nlb backend add bad "$b1" port 80
check_eq "robust: it is probed" "$(be_probed asan bad "$b1" 80)" True
check "robust: the check type changed while running (tcp: silence is up)" -- \
	nlb group change bad check tcp
check_eq "robust: b3:8081 comes up with a TCP check" \
	"$(be_wait 15 bad "$b3" 8081 healthy True)" True
check "robust: change it back" -- nlb group change bad check http
check_eq "robust: b3:8081 down again" "$(be_wait 15 bad "$b3" 8081 healthy False)" False
check "robust: delete a group and a backend while running" -- \
	eval 'nlb backend del bad "$b3" port 8082 && nlb group del hh'
# The daemon has taken the deletions once it probes what is added after
# them.
check "robust: a backend added after them" -- nlb backend add bad "$b3" port 80
check_eq "robust: it is probed" "$(be_probed asan bad "$b3" 80)" True
check "robust: the daemon still runs" -- kill -0 "${hd_pid[asan]}"
check "robust: the ASan daemon ends cleanly (no error, no leak)" -- hd_stop asan

if [ "$soak" != 1 ]; then
	section "end"
	tap_end
fi

# ---- 9. (NLB_SOAK=1) restarts: the state it finds is the state it keeps
# until probes change it.
section "9. restart"
hd_start main2 "$P-lb" "$HEALTHD"
check "restart: resynchronised from the kernel" -- \
	grep -q "configuration: .* groups, .* backends" /tmp/hd-main2.log
# A few intervals of probes (counted by the daemon) before looking.
check "restart: it probes" -- hd_wait_probes 30 main2 30
check_eq "restart: b3:8081 stays down with its reason, b1 stays up" \
	"$(be bad "$b3" 8081 healthy)/$(be bad "$b3" 8081 reason)/$(be web "$b1" 80 healthy)" \
	"False/http timeout/True"
check "restart: the second daemon ends cleanly" -- hd_stop main2

# ---- 10. (NLB_SOAK=1) the namespace deleted under a daemon serving it.
section "10. netns"
new_ns "$P-x"
nsexec "$P-x" "$NLBADM" group add x check tcp interval 1 timeout 500ms
nsexec "$P-x" "$NLBADM" backend add x 127.0.0.1 port 80
hd_start x "$P-x" "$HEALTHD_ASAN"
check "netns: the daemon serves $P-x" -- \
	wait_grep 10 "x 127.0.0.1 port 80: down: connect refused" /tmp/hd-x.log
ip netns del "$P-x"
check "netns: deleting the namespace ends the daemon" -- \
	wait_grep 20 "network namespace $P-x deleted: exiting" /tmp/hd-x.log
check "netns: it exits 0, no error, no leak" -- hd_stop x

# ---- 11. (NLB_SOAK=1) the module unloaded and loaded again under a
# running daemon.
section "11. module reload"
hd_start mod "$P-lb" "$HEALTHD_ASAN"
rmmod nlb
check "module: the daemon sees nlb go" -- \
	wait_grep 20 "the nlb module went away" /tmp/hd-mod.log
insmod "$NLB_KO"
check "module: and come back (it reads the new, empty configuration)" -- \
	wait_grep 20 "configuration: 0 groups, 0 backends" /tmp/hd-mod.log
diag "daemon: $(flat "$(tail -n 3 /tmp/hd-mod.log)")"
nlb group add back check tcp interval 1 timeout 500ms
nlb backend add back "$b3" port 9
check "module: it follows the new configuration" -- \
	wait_grep 20 "back $b3 port 9: down" /tmp/hd-mod.log
check "module: the daemon ends cleanly" -- hd_stop mod
nlb group del back

# ---- 12. (NLB_SOAK=1) scale: 1,000 backends from the kernel, one daemon,
# for 60 s. In this VM (TCG, KASAN, lockdep) a TCP probe costs about 4 ms
# of kernel time (both ends' stacks run in the prober's context), so the
# VM probes them every 10 s, not every second: 100 probes a second. The
# 1 s interval runs on the host, at the kernel's real speed
# (tools/healthd/tests/host.sh, in make check; numbers in
# Documentation/design.md).
section "12. scale"
start_nginx "$P-b4" b4
ip -n "$P-lb" route add 10.200.0.0/16 via 198.18.4.2
ip -n "$P-lb" route add 2001:db8:200::/64 via 2001:db8:104::2
addrs=()
for ((i = 0; i < 500; i++)); do
	addrs+=("10.200.$((i / 200)).$((i % 200 + 1))" "2001:db8:200::$((i + 1))")
done
add_addrs "$P-b4" "to-$P-lb" "${addrs[@]}"
{
	echo "group add big ipversion dualstack check tcp interval 10 timeout 2"
	for a in "${addrs[@]}"; do
		echo "backend add big $a port 80"
	done
} | nlb -b -
check_eq "scale: 1000 backends, both families" \
	"$(nlb_eval 'G("big")["backends4"], G("big")["backends6"]')" "(500, 500)"
# scale_stats ID: "targets min max missed failed user sys uptime late-max
# late-avg writes write-errors" of the daemon's statistics.
scale_stats() {
	local id=$1 f=/tmp/hd-$1.json
	rm -f "$f"
	kill -USR1 "${hd_pid[$id]}"
	wait_for 30 yes sh -c "[ -s $f ] && echo yes || echo no" >/dev/null
	python3 - "$f" <<-'EOF'
	import json, sys
	s = json.load(open(sys.argv[1]))
	t = [x for x in s["per_target"]
	     if x["address"].startswith(("10.200.", "2001:db8:200:"))]
	p = [x["probes"] for x in t] or [0]
	print(len(t), min(p), max(p), sum(x["missed"] for x in t),
	      s["probes_failed"], s["cpu_user_ms"], s["cpu_sys_ms"],
	      s["uptime_ms"], s["late_max_us"], s["late_avg_us"], s["writes"],
	      s["write_errors"])
	EOF
}
hd_start big "$P-lb" "$HEALTHD"
# A measurement over a fixed time: 60 s of probes.
sleep 60
read -r nt pmin pmax missed failed cu cs up late lavg wr werr \
	<<<"$(scale_stats big)"
diag "1000 backends, 10 s interval, ${up} ms: probes per backend $pmin-$pmax, missed intervals $missed, failed probes $failed"
diag "daemon CPU: user $cu ms + sys $cs ms = $(((cu + cs) * 100 / (up + 1)))% of one CPU; probe starts late by $lavg us on average, $late us at most; $wr writes, $werr refused"
# In 60 s at a 10 s interval: 6 probes each, the first at a random phase.
check "scale: 1000 targets, every backend probed every interval (none missed)" -- \
	test "$nt" = 1000 -a "$missed" = 0 -a "$pmin" -ge 5
check_eq "scale: every backend healthy and reported, no probe failed" \
	"$failed/$(nlb_eval 'sum(1 for b in G("big")["backends"] if b["healthy"] and b.get("probe_ok"))')" "0/1000"
check_eq "scale: every write taken" "$werr" 0
check "scale: the daemon ends cleanly" -- hd_stop big
# The cost of the reports: the same without them, for comparison.
hd_start big2 "$P-lb" "$HEALTHD" --no-reports
sleep 30
read -r nt pmin pmax missed failed cu2 cs2 up2 late lavg wr2 werr \
	<<<"$(scale_stats big2)"
diag "without reports: user $cu2 ms + sys $cs2 ms in $up2 ms = $(((cu2 + cs2) * 100 / (up2 + 1)))% of one CPU, $wr2 writes"
check "scale: without reports, none missed" -- test "$missed" = 0
check "scale: the daemon without reports ends cleanly" -- hd_stop big2

section "end"
tap_end
