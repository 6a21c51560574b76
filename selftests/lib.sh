#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of nlb's selftests: TAP output, module loading, network
# namespaces, nginx backends and curl clients. Sourced by the test scripts,
# which run inside the VM (tools/vm/run), never on the host.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NLBADM=${NLBADM:-$top/tools/nlbadm/nlbadm}
NLB_KO=${NLB_KO:-$top/build/vm/nlb.ko}
KSFT_SKIP=4

tap_n=0
tap_fail=0
tap_skip=0
# When the last test point was recorded (bash's EPOCHREALTIME, in
# microseconds), for the time each point took (tap_time).
tap_last=${EPOCHREALTIME/[.,]/}
nlb_loaded_here=0

tap_begin() {
	echo "TAP version 13"
}

# tap_time: before a test point, a diagnostic line with the time it took
# since the previous one, when a second or more (where a run's time goes).
tap_time() {
	local now=${EPOCHREALTIME/[.,]/} us
	us=$((now - tap_last))
	tap_last=$now
	[ "$us" -ge 1000000 ] &&
		printf '# took %d.%d s\n' $((us / 1000000)) $((us / 100000 % 10))
	return 0
}

# ok CONDITION-STATUS DESCRIPTION: record a test point from an exit status.
tap_result() {
	local status=$1
	shift
	tap_time
	tap_n=$((tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_fail=$((tap_fail + 1))
	fi
	return "$status"
}

# check DESCRIPTION -- COMMAND...: a test point that passes when COMMAND does.
check() {
	local desc=$1
	shift
	[ "$1" = -- ] && shift
	"$@"
	tap_result $? "$desc"
}

# tap_skip DESCRIPTION REASON: a skipped test point. selftests/run fails
# every skip that selftests/skip-allowlist does not list.
tap_skip() {
	tap_time
	tap_n=$((tap_n + 1))
	tap_skip=$((tap_skip + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

diag() {
	echo "# $*"
}

# End the run: the script's cleanup (its function "cleanup", if any), the
# unload of a module loaded here as a test point of its own (a module that
# does not unload is a failure, and would leave the next script a module
# it did not load), then the plan line and the exit status (1 if anything
# failed). selftests/run checks the plan against the test points.
tap_end() {
	trap - EXIT
	if declare -F cleanup >/dev/null; then
		cleanup
	fi
	if [ "$nlb_loaded_here" = 1 ]; then
		check "cleanup: rmmod nlb" -- rmmod nlb
		nlb_loaded_here=0
	fi
	echo "1..$tap_n"
	[ "$tap_fail" -eq 0 ]
	exit $?
}

# tap_bail REASON: stop the run (the EXIT trap cleans up); selftests/run
# counts it as a failure.
tap_bail() {
	echo "Bail out! $*"
	exit 1
}

# Skip the whole script (kselftest convention) when a tool is missing.
require() {
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null; then
			echo "1..0 # SKIP $t is not installed"
			exit $KSFT_SKIP
		fi
	done
}

# nlb_load: a test point that loads a fresh $NLB_KO. A module already
# loaded (left by an earlier script, whose own unload then failed) is
# unloaded first, so that every script tests the module it was given, from
# a clean state, and unloads it at the end (tap_end).
nlb_load() {
	if [ ! -f "$NLB_KO" ]; then
		echo "1..0 # SKIP no module at $NLB_KO (build it with tools/check)"
		exit $KSFT_SKIP
	fi
	if [ -d /sys/module/nlb ]; then
		diag "nlb is loaded already: unloading it first"
		if ! rmmod nlb; then
			tap_result 1 "unload the nlb module found loaded"
			return 1
		fi
	fi
	check "insmod $NLB_KO" -- insmod "$NLB_KO" || return 1
	nlb_loaded_here=1
}

nlb_unload() {
	[ -d /sys/module/nlb ] && rmmod nlb
}

# nlb_unload_quiet: for EXIT traps (the run failed already, no plan).
nlb_unload_quiet() {
	if [ "$nlb_loaded_here" = 1 ] && [ -d /sys/module/nlb ]; then
		rmmod nlb || echo "# rmmod nlb failed"
	fi
	return 0
}

# nsexec NS COMMAND...
nsexec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Link two namespaces with a veth pair named after them.
# link_ns NS1 NS2: creates NS1's "to-NS2" and NS2's "to-NS1".
link_ns() {
	local a=$1 b=$2
	ip link add "to-$b" netns "$a" type veth peer name "to-$a" netns "$b"
	ip -n "$a" link set "to-$b" up
	ip -n "$b" link set "to-$a" up
}

# new_ns NS...: namespaces with lo up and no DAD, in few processes (every
# exec is slow in the debug VM): one ip for all the namespaces, then one
# sysctl and one ip per namespace.
new_ns() {
	local ns
	printf 'netns add %s\n' "$@" | ip -batch -
	for ns in "$@"; do
		nsexec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
		ip -n "$ns" link set lo up
	done
}

# del_ns NS...: kill the namespaces' processes, then delete them (one ip).
del_ns() {
	local ns
	for ns in "$@"; do
		ip netns pids "$ns" 2>/dev/null
	done | xargs -r kill 2>/dev/null
	printf 'netns del %s\n' "$@" | ip -force -batch - 2>/dev/null
	return 0
}

# start_nginx NS NAME: an HTTP server on port 80 (IPv4 and IPv6) whose
# page is "NAME", and a UDP server on port 5353 answering "NAME". With
# NGINX_ACCESS_LOG set, requests are logged to /tmp/nginx-NS/access.log.
start_nginx() {
	local ns=$1 name=$2 dir=/tmp/nginx-$1 alog=off
	mkdir -p "$dir"
	[ -n "${NGINX_ACCESS_LOG:-}" ] && alog=$dir/access.log
	cat >"$dir/nginx.conf" <<-CONF
	load_module /usr/lib/nginx/modules/ngx_stream_module.so;
	daemon on;
	worker_processes 1;
	pid $dir/pid;
	error_log $dir/error.log;
	events { worker_connections 256; }
	http {
		access_log $alog;
		client_body_temp_path $dir/body;
		proxy_temp_path $dir/proxy;
		fastcgi_temp_path $dir/fastcgi;
		uwsgi_temp_path $dir/uwsgi;
		scgi_temp_path $dir/scgi;
		server {
			listen 80;
			listen [::]:80;
			default_type text/plain;
			location / { return 200 "$name\n"; }
		}
	}
	stream {
		server {
			listen 5353 udp;
			listen [::]:5353 udp;
			return "$name\n";
		}
	}
	CONF
	nsexec "$ns" nginx -c "$dir/nginx.conf"
}

# curl_page NS URL: print the page, or "FAIL".
curl_page() {
	ip netns exec "$1" curl -s -m 5 --retry 0 "$2" || echo FAIL
}

# curl_count NS URL N: fetch N times, each on a new connection (the server
# closes it), in one curl process (every exec is slow in the debug VM);
# print "page count" lines, sorted. Failed fetches print nothing.
curl_count() {
	local ns=$1 url=$2 n=$3 i urls=()
	for ((i = 0; i < n; i++)); do
		urls+=("$url")
	done
	ip netns exec "$ns" curl -s -m 5 --retry 0 -H 'Connection: close' \
		"${urls[@]}" | sort | uniq -c | awk '{print $2, $1}'
}

# count_of PAGE <<< "$(curl_count ...)": how often PAGE was served.
count_of() {
	awk -v p="$1" '$1 == p {print $2; f = 1} END {if (!f) print 0}'
}

# within VALUE EXPECTED TOLERANCE: |VALUE - EXPECTED| <= TOLERANCE
within() {
	local d=$(($1 - $2))
	[ "${d#-}" -le "$3" ]
}

# The standard topology (see the diagram in balance.sh): clients c4 (IPv4
# only) and c6 (IPv6 only), the load balancer lb, and backends b1..bN, all
# on veth links to lb. Names get the prefix $NS_PREFIX.
VIP4=203.0.113.10
VIP6=2001:db8:ff::10
P=${NS_PREFIX:-nlbt}

# topo_setup NBACKENDS: the namespaces and links of the standard topology,
# each namespace configured by one `ip -batch` (every exec is slow in the
# debug VM).
topo_setup() {
	local n=$1 i b all=("$P-lb" "$P-c4" "$P-c6")
	for ((i = 1; i <= n; i++)); do
		all+=("$P-b$i")
	done
	new_ns "${all[@]}"
	nsexec "$P-lb" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	{
		for b in "${all[@]:1}"; do
			echo "link add to-$b type veth peer name to-$P-lb netns $b"
			echo "link set to-$b up"
		done
		echo "addr add 192.0.2.1/24 dev to-$P-c4"
		echo "addr add 2001:db8:1::1/64 dev to-$P-c6 nodad"
		# The gateway's own uplinks, so that its local clients have a
		# route.
		echo "route add default via 192.0.2.2"
		echo "route add default via 2001:db8:1::2"
		for ((i = 1; i <= n; i++)); do
			echo "addr add 198.18.$i.1/24 dev to-$P-b$i"
			echo "addr add 2001:db8:10$i::1/64 dev to-$P-b$i nodad"
		done
	} | ip -n "$P-lb" -batch -
	printf '%s\n' "link set to-$P-lb up" "addr add 192.0.2.2/24 dev to-$P-lb" \
		"route add default via 192.0.2.1" | ip -n "$P-c4" -batch -
	printf '%s\n' "link set to-$P-lb up" \
		"addr add 2001:db8:1::2/64 dev to-$P-lb nodad" \
		"route add default via 2001:db8:1::1" | ip -n "$P-c6" -batch -
	for ((i = 1; i <= n; i++)); do
		printf '%s\n' "link set to-$P-lb up" \
			"addr add 198.18.$i.2/24 dev to-$P-lb" \
			"addr add 2001:db8:10$i::2/64 dev to-$P-lb nodad" \
			"route add default via 198.18.$i.1" \
			"route add default via 2001:db8:10$i::1" |
			ip -n "$P-b$i" -batch -
	done
}

topo_cleanup() {
	# shellcheck disable=SC2046
	del_ns $(ip netns list | awk '{print $1}' | grep "^$P-")
}

backend4() { echo "198.18.$1.2"; }
backend6() { echo "2001:db8:10$1::2"; }

# nlb CMD...: nlbadm in the load balancer's namespace.
nlb() {
	nsexec "$P-lb" "$NLBADM" "$@"
}

# start_echo NS NAME PORT: a TCP server (IPv4 and IPv6) that answers each
# line with "NAME=line" (socat's address syntax keeps no quotes: no spaces).
start_echo() {
	nsexec "$1" socat "TCP6-LISTEN:$3,ipv6only=0,reuseaddr,fork" \
		SYSTEM:"sed -u s/^/$2=/" &
}

# Long-lived TCP connections through the VIP: conn_open ID NS ADDR PORT,
# conn_say ID WORD (prints the answer line or FAIL), conn_close ID.
conn_open() {
	local id=$1 dir=/tmp/conn-$1
	mkdir -p "$dir"
	rm -f "$dir/in" "$dir/out"
	mkfifo "$dir/in"
	: >"$dir/out"
	nsexec "$2" socat -T 120 - "TCP:$3:$4" <"$dir/in" >"$dir/out" &
	echo $! >"$dir/pid"
	# Keep the fifo's write end open in a sleeper, not in this shell.
	sleep 1000 >"$dir/in" &
	echo $! >"$dir/holder"
}

# conn_say ID WORD [SECONDS]: send WORD, print the answer line (or FAIL)
# within SECONDS (default 30; TCP may be retransmitting). Builtins only in
# the loop: every exec is slow in the debug VM.
conn_say() {
	local dir=/tmp/conn-$1 word=$2 deadline=$((SECONDS + ${3:-30})) line
	echo "$word" >>"$dir/in"
	while [ "$SECONDS" -lt "$deadline" ]; do
		while read -r line; do
			if [ "${line#*=}" = "$word" ]; then
				echo "$line"
				return 0
			fi
		done <"$dir/out"
		sleep 0.5
	done
	echo FAIL
	return 1
}

conn_close() {
	local dir=/tmp/conn-$1
	kill "$(cat "$dir/holder")" "$(cat "$dir/pid")" 2>/dev/null
	wait "$(cat "$dir/pid")" 2>/dev/null
	return 0
}

# nlb_json EXPR: evaluate a Python expression over `nlbadm -j -s show`
# (bound to j), e.g. nlb_json 'j["listeners"][0]["stats"]["conns"]'.
nlb_json() {
	nlb -j -s show | python3 -c 'import json, sys
j = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# ---- Helpers of the scheduler, dual-stack and draining tests.

# check_eq DESCRIPTION GOT WANT: a test point comparing two strings; shows
# both on failure.
check_eq() {
	if [ "$2" = "$3" ]; then
		tap_result 0 "$1"
	else
		tap_result 1 "$1"
		diag "got '$2', want '$3'"
	fi
}

# check_within DESCRIPTION GOT WANT TOLERANCE: |GOT - WANT| <= TOLERANCE.
check_within() {
	if [[ "$2" =~ ^-?[0-9]+$ ]] && within "$2" "$3" "$4"; then
		tap_result 0 "$1"
	else
		tap_result 1 "$1"
		diag "got '$2', want $3 +- $4"
	fi
}

# stop_nginx NS: stop the nginx start_nginx started in NS, and wait until
# it is gone.
stop_nginx() {
	local pidf=/tmp/nginx-$1/pid pid i
	[ -f "$pidf" ] || return 0
	pid=$(<"$pidf")
	kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		[ -d "/proc/$pid" ] || return 0
		sleep 0.1
	done
	return 1
}

# tally: count the last word of each input line; print "WORD COUNT" lines
# (unsorted). Builtins only.
tally() {
	local -A cnt=()
	local line k
	while read -r line; do
		[ -n "$line" ] || continue
		k=${line##* }
		cnt[$k]=$((${cnt[$k]:-0} + 1))
	done
	for k in "${!cnt[@]}"; do
		echo "$k ${cnt[$k]}"
	done
}

# nof WORD <<< "$(tally ...)": the count of WORD (0 if absent). Builtins
# only, unlike count_of.
nof() {
	local line
	while read -r line; do
		if [ "${line% *}" = "$1" ]; then
			echo "${line##* }"
			return
		fi
	done
	echo 0
}

# curl_tally NS URL N [CURL-OPTION...]: like curl_count, for pages with
# spaces (printed with "_" for " "), in any order; the fetches that got no
# page are counted as "FAIL".
curl_tally() {
	local ns=$1 url=$2 n=$3 i urls=() out pages=() line
	shift 3
	for ((i = 0; i < n; i++)); do
		urls+=("$url")
	done
	out=$(ip netns exec "$ns" curl -s -m 5 --retry 0 -H 'Connection: close' \
		"$@" "${urls[@]}")
	while read -r line; do
		[ -n "$line" ] && pages+=("${line// /_}")
	done <<<"$out"
	[ ${#pages[@]} -gt 0 ] && printf '%s\n' "${pages[@]}" | tally
	[ ${#pages[@]} -lt "$n" ] && echo "FAIL $((n - ${#pages[@]}))"
	return 0
}

# flows NS ARGS...: selftests/flows.py in NS (many TCP or UDP flows from
# chosen source addresses and ports, one line "SRC SPORT ANSWER" each).
flows() {
	local ns=$1
	shift
	nsexec "$ns" python3 "$top/selftests/flows.py" "$@"
}

# add_addrs NS DEV ADDR...: more addresses on NS's DEV, in one exec.
add_addrs() {
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			echo "addr add $a/128 dev $dev nodad"
		else
			echo "addr add $a/32 dev $dev"
		fi
	done | ip -n "$ns" -batch -
}

# nlb_eval EXPR...: evaluate Python expressions over `nlbadm -j -s show`
# (bound to j), one line per expression (ERR:... when it raises), in one
# nlbadm and one python3 run. Helpers: L(name) listener, G(name) group,
# B(group, address[, port]) backend (None when absent), S(obj, key) one of
# its stats (None when obj is None).
nlb_py_prelude='import json, sys
j = json.load(sys.stdin)
def L(n):
    return next((x for x in j.get("listeners", []) if x.get("name") == n), None)
def G(n):
    return next((x for x in j.get("groups", []) if x.get("name") == n), None)
def B(g, a, port=None):
    for b in (G(g) or {}).get("backends", []):
        if a in (b.get("address"), b.get("addr4"), b.get("addr6"), b.get("addr")) \
                and (port is None or b.get("port") == port):
            return b
    return None
def S(o, k):
    return None if o is None else o.get("stats", {}).get(k)
'
nlb_eval() {
	nlb -j -s show | python3 -c "$nlb_py_prelude"'
for e in sys.argv[1:]:
    try:
        print(eval(e))
    except Exception as x:
        print("ERR:%s:%s" % (type(x).__name__, x))' "$@"
}

# wait_for SECONDS VALUE CMD...: run CMD every half second until it prints
# VALUE; print the last output; fail if it never did.
wait_for() {
	local deadline=$((SECONDS + $1)) want=$2 v
	shift 2
	while :; do
		v=$("$@")
		if [ "$v" = "$want" ] || [ "$SECONDS" -ge "$deadline" ]; then
			break
		fi
		sleep 0.5
	done
	echo "$v"
	[ "$v" = "$want" ]
}

# nlb_wait SECONDS EXPR VALUE: poll nlb_eval EXPR until it prints VALUE;
# print the last value; fail if it never did.
nlb_wait() {
	wait_for "$1" "$3" nlb_eval "$2"
}

# Many long-lived TCP connections held by one process (selftests/
# connhold.py, whose header lists the commands):
#   hold_start ID NS ADDR PORT      start the holder
#   hold ID COMMAND                 send a command, print its answer lines
#   hold_stop ID                    close everything, stop the holder
declare -A hold_w=() hold_r=() hold_pid=()
hold_start() {
	local id=$1 dir=/tmp/hold-$1 w r
	mkdir -p "$dir"
	rm -f "$dir/in" "$dir/out"
	mkfifo "$dir/in" "$dir/out"
	nsexec "$2" python3 "$top/selftests/connhold.py" "$3" "$4" \
		<"$dir/in" >"$dir/out" 2>"$dir/err" &
	hold_pid[$id]=$!
	exec {w}>"$dir/in"
	exec {r}<"$dir/out"
	hold_w[$id]=$w
	hold_r[$id]=$r
}

hold() {
	local line
	echo "$2" >&"${hold_w[$1]}" || return 1
	while read -r -t 300 -u "${hold_r[$1]}" line; do
		[ "$line" = "done" ] && return 0
		echo "$line"
	done
	echo "hold $1: no answer to '$2'" >&2
	return 1
}

hold_stop() {
	local id=$1 w r
	[ -n "${hold_w[$id]:-}" ] || return 0
	w=${hold_w[$id]}
	r=${hold_r[$id]}
	{ echo quit >&"$w"; } 2>/dev/null
	exec {w}>&- {r}<&-
	wait "${hold_pid[$id]}" 2>/dev/null
	unset "hold_w[$id]" "hold_r[$id]" "hold_pid[$id]"
	return 0
}

# monitor_start FILE: `nlbadm monitor` in the load balancer's namespace,
# writing to FILE, until monitor_stop. Returns once the monitor prints
# notifications: it adds probe groups "monprobeN" until one is seen (each
# is deleted again; their notifications stay in FILE).
monitor_pid=
monitor_start() {
	local k
	nsexec "$P-lb" "$NLBADM" monitor >"$1" 2>&1 &
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

monitor_stop() {
	[ -n "$monitor_pid" ] || return 0
	kill "$monitor_pid" 2>/dev/null
	wait "$monitor_pid" 2>/dev/null
	monitor_pid=
	return 0
}

# ct_events_start FILE ARGS...: `conntrack -E ARGS` in the load balancer's
# namespace, writing to FILE until ct_events_stop; returns once conntrack
# has subscribed to the events.
ct_events_pid=
ct_events_start() {
	local f=$1
	shift
	ip netns exec "$P-lb" conntrack -E "$@" >"$f" 2>&1 &
	ct_events_pid=$!
	wait_for 10 yes ct_subscribed "$ct_events_pid" >/dev/null
}

# ct_subscribed PID: "yes" once PID holds a NETLINK_NETFILTER socket bound
# to a multicast group, else "no".
ct_subscribed() {
	local fd ino inodes=" "
	for fd in "/proc/$1/fd/"*; do
		ino=$(readlink "$fd" 2>/dev/null) || continue
		[[ $ino == socket:* ]] || continue
		ino=${ino#socket:[}
		inodes+="${ino%]} "
	done
	awk -v i="$inodes" '$2 == 12 && $4 != "00000000" && index(i, " " $10 " ") {
		f = 1 } END { print f ? "yes" : "no" }' "/proc/$1/net/netlink" \
		2>/dev/null || echo no
}

# ct_events_stop: stop ct_events_start's conntrack (it flushes its output).
ct_events_stop() {
	[ -n "$ct_events_pid" ] || return 0
	kill -INT "$ct_events_pid" 2>/dev/null
	wait "$ct_events_pid" 2>/dev/null
	ct_events_pid=
	return 0
}

# wait_grep SECONDS REGEX FILE: wait until a line of FILE matches.
wait_grep() {
	local deadline=$((SECONDS + $1))
	until grep -qE -- "$2" "$3"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}

# binom_tol N NUM DEN: four standard deviations (rounded up) of a count of
# N independent trials of probability NUM/DEN.
binom_tol() {
	local v=$((16 * $1 * $2 * ($3 - $2))) s=0 d=$(($3 * $3))
	while (((s + 1) * (s + 1) * d <= v)); do
		s=$((s + 1))
	done
	echo $((s + 1))
}

# ct_vs_nlb PROTO PORT LISTENER GROUP: nlb's packet and byte counters of
# LISTENER, GROUP and each backend of GROUP against conntrack's own
# (packets= and bytes= of the load balancer's flows of PROTO to PORT, both
# families, assigned to a backend by their reply source address and port).
# Prints "ok (N flows, listener in/out packets ...)" or the differences.
# conntrack is read before and after nlbadm, and a change in between (a
# packet, a flow that expired) is tried again, up to 5 times; so is a
# difference, a second later (the live counts come from a census up to a
# second old: the last packets of a flow that just closed may be missing).
ct_vs_nlb() {
	local proto=$1 port=$2 i out f
	for ((i = 0; i < 5; i++)); do
		[ "$i" -gt 0 ] && [ "${out%% *}" != unstable ] && sleep 1
		for f in 1 2; do
			[ "$f" = 2 ] && nlb -j -s show >/tmp/ct-vs-nlb.json
			{
				nsexec "$P-lb" conntrack -L -f ipv4 -p "$proto" --orig-port-dst "$port"
				nsexec "$P-lb" conntrack -L -f ipv6 -p "$proto" --orig-port-dst "$port"
			} >"/tmp/ct-vs-nlb.$f" 2>/dev/null
		done
		out=$(python3 -c "$ct_vs_nlb_py" "$3" "$4" "$port" /tmp/ct-vs-nlb.1 \
			/tmp/ct-vs-nlb.2 /tmp/ct-vs-nlb.json)
		[ "${out%% *}" = ok ] && break
	done
	echo "$out"
}
ct_vs_nlb_py='import json, re, socket, sys
lname, gname, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
def flows(path):
    out = []
    for line in open(path):
        kv = re.findall(r"(\w+)=(\S+)", line)
        seen, orig, reply = set(), {}, {}
        for k, v in kv:
            (reply if k in seen else orig)[k] = v
            seen.add(k)
        if "packets" in reply:
            out.append(((norm(reply["src"]), int(reply["sport"])),
                        [int(orig["packets"]), int(orig["bytes"]),
                         int(reply["packets"]), int(reply["bytes"])]))
    return sorted(out)
def norm(a):
    fam = socket.AF_INET6 if ":" in a else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, a))
a, b = flows(sys.argv[4]), flows(sys.argv[5])
if a != b:
    print("unstable")
    sys.exit()
j = json.load(open(sys.argv[6]))
keys = ("in_packets", "in_bytes", "out_packets", "out_bytes")
def stats(o):
    return [o.get("stats", {}).get(k) for k in keys]
lis = [x for x in j.get("listeners", []) if x["name"] == lname]
grp = [x for x in j.get("groups", []) if x["name"] == gname]
if not lis or not grp:
    print("no listener %s or no group %s" % (lname, gname))
    sys.exit()
diffs, total, n = [], [0, 0, 0, 0], 0
for be in grp[0].get("backends", []):
    key = (norm(be["address"]), be["port"] or port)
    mine = [f for k, f in a if k == key]
    n += len(mine)
    want = [sum(f[i] for f in mine) for i in range(4)]
    total = [x + y for x, y in zip(total, want)]
    if stats(be) != want:
        diffs.append("backend %s port %d: nlb %s, conntrack %s (%d flows)"
                     % (be["address"], be["port"], stats(be), want, len(mine)))
for what, o in (("listener " + lname, lis[0]), ("group " + gname, grp[0])):
    if stats(o) != total:
        diffs.append("%s: nlb %s, conntrack %s" % (what, stats(o), total))
if n != len(a):
    diffs.append("%d of the %d flows to port %d have no backend of %s"
                 % (len(a) - n, len(a), port, gname))
print("; ".join(diffs) if diffs else
      "ok (%d flows; in/out packets, bytes %s)" % (n, total))
'

# flat TEXT: TEXT on one line (for diag).
flat() {
	echo "${1//$'\n'/ }"
}

# ct_states PORT: the load balancer's conntrack entries to PORT, counted
# by TCP state (for diagnostics), e.g. "ESTABLISHED=3 TIME_WAIT=2".
ct_states() {
	nsexec "$P-lb" conntrack -L -p tcp --dport "$1" 2>/dev/null |
		awk '{n[$4]++} END {for (s in n) printf "%s=%d ", s, n[s]}'
}
