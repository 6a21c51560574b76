#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Day-2 operations and the move from IPVS: an IPVS configuration saved
# with ipvsadm -S and imported serves as IPVS did (weights, persistence,
# UDP); the corpus of tools/nlbadm/tests/import goes through the real
# ipvsadm unchanged; nlbadm save and flush and -b recreate the
# configuration; apply changes only the difference (counted from nlbadm
# monitor) without disturbing established connections, refuses an
# invalid file whole, and is a no-op the second time; the cut-over from
# an IPVS service to an nlb listener on the same VIP and port (and back)
# keeps the connections each one carries, with net.ipv4.vs.conntrack 0
# and 1; the Prometheus text equals nlbadm -j -s show and the exporter
# answers concurrent and bad clients; nlbadm top, under a pseudo-terminal,
# shows the rates of known traffic; translation settings (affinity, source
# pools, prefix6, src6) and icmp listeners go through save, -b and apply
# unchanged, apply removes a pool the file drops but refuses, changing
# nothing, while translated connections hold it, and the metrics count
# translated connections and pool use; a listener's VIP changed at runtime
# (listener change, and apply) under a stream of new connections to its
# other VIP loses none, serves the new VIP at once and keeps the
# connections made to the old one, counted, and their persistence.
#
#                               +------------------------------+
#   c4  192.0.2.2   ---------+  | lb: nlb.ko, IPVS             |  +--- b1 198.18.1.2  2001:db8:101::2
#                            +--+ VIP 203.0.113.10 (on lo)     +--+--- b2 198.18.2.2  2001:db8:102::2
#   c6  2001:db8:1::2 -------+  |     2001:db8:ff::10          |  +--- b3 198.18.3.2  2001:db8:103::2
#                               +------------------------------+
#   nginx on b1..b3 answers "bN" on TCP port 80 and UDP port 5353; socat
#   echo on port 9000 answers "bN=<line>". IPVS needs the VIPs local (lo);
#   an nft rule on the forward path keeps conntrack on in lb, as a
#   gateway's firewall does.

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbo
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nginx curl socat conntrack python3 ipvsadm nft script
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }
corpus=$top/tools/nlbadm/tests/import
T=/tmp/ops
mkdir -p "$T"

cleanup() {
	monitor_stop
	[ -n "${exporter_pid:-}" ] && kill "$exporter_pid" 2>/dev/null
	for id in ap cut nl; do hold_stop "$id"; done
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

# show_same A B: two `nlbadm -j show` files are the same configuration:
# equal but for the times of the backends' health and last probe (a
# backend made again has a new one); prints what differs.
show_same() {
	python3 - "$1" "$2" <<-'EOF'
	import json, sys
	def strip(o):
	    if isinstance(o, dict):
	        return {k: strip(v) for k, v in o.items()
	                if k not in ("health_time", "probe_time")}
	    if isinstance(o, list):
	        return [strip(v) for v in o]
	    return o
	a, b = (strip(json.load(open(f))) for f in sys.argv[1:3])
	if a != b:
	    print("# before: %s" % json.dumps(a, sort_keys=True))
	    print("# after:  %s" % json.dumps(b, sort_keys=True))
	    sys.exit(1)
	EOF
}

tap_begin
nlb_load || tap_bail "insmod failed"
topo_setup 3
for i in 1 2 3; do
	start_nginx "$P-b$i" "b$i"
	start_echo "$P-b$i" "b$i" 9000
done
ip -n "$P-lb" addr add "$VIP4/32" dev lo
ip -n "$P-lb" addr add "$VIP6/128" dev lo
nsexec "$P-lb" nft -f - <<'NFT'
table inet gateway {
	chain forward {
		type filter hook forward priority 0;
		ct state established,related counter accept
	}
}
NFT
sleep 1

ipvs() { nsexec "$P-lb" ipvsadm "$@"; }
# ipvs_conns PROTO VIP:PORT: the service's connection count (--stats)
ipvs_conns() {
	ipvs -L -n --stats --exact | awk -v p="$1" -v s="$2" \
		'$1 == p && $2 == s { print $3; f = 1 } END { if (!f) print "none" }'
}
# ipvs_active VIP:PORT RS:PORT: the real server's ActiveConn
ipvs_active() {
	ipvs -L -n -t "$1" | awk -v r="$2" \
		'$1 == "->" && $2 == r { print $5; f = 1 } END { if (!f) print "none" }'
}
# tally_of NAME <<< "$(curl_tally ...)"
tally_of() { nof "$1"; }

# ---- 1. IPVS, saved and imported, serves the same way

ipvs -C
ipvs -A -t "$VIP4:80" -s wrr
ipvs -a -t "$VIP4:80" -r "$(backend4 1):80" -m -w 3
ipvs -a -t "$VIP4:80" -r "$(backend4 2):80" -m -w 1
ipvs -a -t "$VIP4:80" -r "$(backend4 3):80" -m -w 0
ipvs -A -u "$VIP4:5353" -s rr
ipvs -a -u "$VIP4:5353" -r "$(backend4 1):5353" -m
ipvs -a -u "$VIP4:5353" -r "$(backend4 2):5353" -m
ipvs -A -t "[$VIP6]:80" -s rr -p 300 -M 64
ipvs -a -t "[$VIP6]:80" -r "[$(backend6 1)]:80" -m
ipvs -a -t "[$VIP6]:80" -r "[$(backend6 2)]:80" -m

# serve: "b1 b2 b3 / udp-b1 udp-b2 / v6-same" of 40, 10 and 10 requests
serve() {
	local out u v6
	out=$(curl_tally "$P-c4" "http://$VIP4/" 40)
	u=$(flows "$P-c4" udp "$VIP4" 5353 --sport 43000 --count 10 |
		awk '{print $3}' | tally)
	v6=$(curl_tally "$P-c6" "http://[$VIP6]/" 10)
	echo "$(tally_of b1 <<<"$out") $(tally_of b2 <<<"$out") $(tally_of b3 <<<"$out")" \
		"$(tally_of b1 <<<"$u") $(tally_of b2 <<<"$u")" \
		"$(awk '$2 == 10 {print "same"}' <<<"$v6")"
}
via_ipvs=$(serve)
diag "IPVS: $via_ipvs (wrr 3:1:0 of 40, UDP rr of 10, IPv6 persistence)"
check_eq "IPVS serves the test's services" "$via_ipvs" "30 10 0 5 5 same"
ipvs -S -n >"$T/ipvs.save"
diag "ipvsadm -S -n: $(flat "$(cat "$T/ipvs.save")")"
ipvs -C

out=$(nlb import ipvs "$T/ipvs.save" 2>&1)
check "nlbadm import ipvs of the saved rules" -- test $? -eq 0
diag "$(flat "$out")"
check_eq "import made the groups and listeners named after the services" \
	"$(nlb listener show | awk '{print $2}' | sort | tr '\n' ' ')" \
	"tcp-2001:db8:ff::10-80 tcp-203.0.113.10-80 udp-203.0.113.10-5353 "
via_nlb=$(serve)
diag "nlb: $via_nlb"
check_eq "the imported configuration serves as IPVS did" "$via_nlb" "$via_ipvs"
out=$(nlb import ipvs "$T/ipvs.save" 2>&1)
check_eq "importing again changes nothing" "$?:$out" "0:"

# the corpus is what the real ipvsadm saves (numeric files)
for f in web-numeric ipv6 long-options; do
	ipvs -C
	if ! grep -v '^#' "$corpus/ipvs/$f.save" | ipvs -R 2>"$T/restore.err"; then
		tap_skip "ipvsadm -R of corpus $f.save" "$(head -n 1 "$T/restore.err")"
		continue
	fi
	ipvs -S -n >"$T/$f.resaved"
	# (ipvsadm -S lists services and servers in its own order)
	a=$("$NLBADM" import ipvs -n "$corpus/ipvs/$f.save" 2>&1 |
		grep -v -e '^#' -e '^$' | sort)
	b=$("$NLBADM" import ipvs -n "$T/$f.resaved" 2>&1 |
		grep -v -e '^#' -e '^$' | sort)
	check_eq "corpus $f.save imports as ipvsadm -S -n of it does" "$b" "$a"
done
ipvs -C

# ---- 2. save, flush, -b; apply

nlb save >"$T/saved.conf"
nlb -j show >"$T/show1.json"
nlb flush
nlb -b "$T/saved.conf"
nlb -j show >"$T/show2.json"
check "save, flush and -b give the same nlbadm -j show" -- \
	show_same "$T/show1.json" "$T/show2.json"
nlb flush

cat >"$T/a.conf" <<EOF
group add echo sched wrr
backend add echo $(backend4 1)
backend add echo $(backend4 2)
backend add echo $(backend4 3) weight 2
listener add echo vip $VIP4 proto tcp port 9000 group echo
EOF
out=$(nlb apply "$T/a.conf")
check "apply to an empty configuration" -- test $? -eq 0
hold_start ap "$P-c4" "$VIP4" 9000
opened=$(hold ap "open 8" | grep -c ' b[0-9]$')
check_eq "8 connections through the applied listener" "$opened" 8
monitor_start "$T/mon" || diag "monitor did not start"
before=$(wc -l <"$T/mon")
# weights, a backend gone (it drains), a new one, the scheduler
cat >"$T/b.conf" <<EOF
# changed: sched, b1's weight; b2 gone, b1 port 9000 new
group add echo sched maglev
backend add echo $(backend4 1) weight 3
backend add echo $(backend4 3) weight 2
backend add echo $(backend4 1) port 9000
listener add echo vip $VIP4 proto tcp port 9000 group echo
EOF
out=$(nlb apply "$T/b.conf")
diag "apply: $(flat "$out")"
check_eq "apply of the changed file makes 4 changes" "$(grep -c . <<<"$out")" 4
sleep 2
ev=$(tail -n +$((before + 1)) "$T/mon")
diag "events: $(flat "$ev")"
check_eq "the monitor saw 4 notifications: change, change, add, del" \
	"$(awk '{print $1}' <<<"$ev" | sort | tr '\n' ' ')" "add change change del "
said=$(hold ap "say after" | grep -c ' b[0-9]$')
check_eq "every established connection still answers after apply" "$said" 8
before=$(wc -l <"$T/mon")
out=$(nlb apply "$T/b.conf")
check_eq "apply twice: nothing the second time" "$?:$out" "0:"
printf 'group add echo\nbackend add echo %s\nbackend add nosuch %s\n' \
	"$(backend4 1)" "$(backend4 2)" >"$T/bad.conf"
nlb -j show >"$T/pre.json"
out=$(nlb apply "$T/bad.conf" 2>&1)
rc=$?
diag "$out"
check_eq "an invalid file is refused with its line" \
	"$rc $(grep -c "bad.conf:3:" <<<"$out")" "1 1"
nlb -j show >"$T/post.json"
sleep 1
check "an invalid file changes nothing" -- cmp -s "$T/pre.json" "$T/post.json"
check_eq "no notification from the second apply or the invalid file" \
	"$(tail -n +$((before + 1)) "$T/mon" | grep -c .)" 0
monitor_stop
hold_stop ap
nlb flush

# ---- 3. cut-over from IPVS to nlb on the same VIP and port, and back

cutover() {
	local ct=$1 conns said b ipvs0 out
	nlb flush
	ipvs -C
	nsexec "$P-lb" conntrack -F >/dev/null 2>&1
	nsexec "$P-lb" sysctl -qw net.ipv4.vs.conntrack="$ct"
	ipvs -A -t "$VIP4:9000" -s rr
	ipvs -a -t "$VIP4:9000" -r "$(backend4 1):9000" -m
	ipvs -A -u "$VIP4:5353" -s rr
	ipvs -a -u "$VIP4:5353" -r "$(backend4 1):5353" -m
	# long-lived connections and a UDP flow IPVS carries
	hold_start cut "$P-c4" "$VIP4" 9000
	conns=$(hold cut "open 4" | grep -c ' b1$')
	check_eq "vs.conntrack=$ct: 4 connections through IPVS (to b1)" "$conns" 4
	out=$(flows "$P-c4" udp "$VIP4" 5353 --sport 41000)
	check_eq "vs.conntrack=$ct: a UDP flow through IPVS" "${out##* }" b1
	# IPVS's estimator copies its per-CPU counters into what ipvsadm
	# reads every 2 s
	ipvs0=$(wait_for 6 4 ipvs_conns TCP "$VIP4:9000")
	check_eq "vs.conntrack=$ct: IPVS counted them (Conns 4)" "$ipvs0" 4

	# the switch: nlb listeners on the same VIP and ports, to b2
	nlb group add new
	nlb backend add new "$(backend4 2)"
	nlb listener add cut vip "$VIP4" proto tcp port 9000 group new
	nlb listener add cutu vip "$VIP4" proto udp port 5353 group new
	if [ "$ct" = 1 ]; then
		out=$(flows "$P-c4" udp "$VIP4" 5353 --sport 41000)
		check_eq "vs.conntrack=1: the UDP flow IPVS carries stays with IPVS" \
			"${out##* }" b1
	fi
	said=$(hold cut "say switched" | grep -c ' b1$')
	check_eq "vs.conntrack=$ct: IPVS's connections go on through IPVS after the switch" \
		"$said" 4
	hold_start nl "$P-c4" "$VIP4" 9000
	conns=$(hold nl "open 3" | grep -c ' b2$')
	check_eq "vs.conntrack=$ct: new connections are nlb's (b2)" "$conns" 3
	sleep 2.5	# one that IPVS took would be in its counters by now
	check_eq "vs.conntrack=$ct: nlb counted them, IPVS did not" \
		"$(nlb_eval 'S(L("cut"), "conns")') $(ipvs_conns TCP "$VIP4:9000")" \
		"3 $ipvs0"
	out=$(flows "$P-c4" udp "$VIP4" 5353 --sport 42000)
	check_eq "vs.conntrack=$ct: a new UDP flow is nlb's" "${out##* }" b2
	# IPVS's connections end normally; then its service goes
	hold cut "say last" >/dev/null
	hold_stop cut
	b=$(wait_for 20 0 ipvs_active "$VIP4:9000" "$(backend4 1):9000")
	check_eq "vs.conntrack=$ct: IPVS saw its connections end (ActiveConn 0)" "$b" 0
	ipvs -D -t "$VIP4:9000"
	ipvs -D -u "$VIP4:5353"
	said=$(hold nl "say alone" | grep -c ' b2$')
	check_eq "vs.conntrack=$ct: nlb's connections go on without the IPVS service" \
		"$said" 3

	# roll back: the IPVS service again, then the listener goes
	ipvs -A -t "$VIP4:9000" -s rr
	ipvs -a -t "$VIP4:9000" -r "$(backend4 1):9000" -m
	nlb listener del cut
	said=$(hold nl "say back" | grep -c ' b2$')
	check_eq "vs.conntrack=$ct: roll back: nlb's connections go on" "$said" 3
	hold_start cut "$P-c4" "$VIP4" 9000
	conns=$(hold cut "open 2" | grep -c ' b1$')
	check_eq "vs.conntrack=$ct: roll back: new connections are IPVS's" "$conns" 2
	hold nl "close 1 2 3" >/dev/null
	hold_stop nl
	hold_stop cut
	nlb listener del cutu
}
cutover 1
cutover 0
ipvs -C
nlb flush

# ---- 4. metrics and the exporter

cat >"$T/m.conf" <<EOF
group add web ipversion dualstack sched wrr
backend add web $(backend4 1) port 80 weight 2
backend add web $(backend4 2) port 80
backend add web $(backend6 1) port 80
group add dns sched rr track on
backend add dns $(backend4 1) port 5353
backend add dns $(backend4 3) port 5353 health down
listener add http vip $VIP4 vip $VIP6 proto tcp port 80 group web
listener add dns vip $VIP4 proto udp port 5353 group dns
EOF
nlb apply "$T/m.conf" >/dev/null
curl_tally "$P-c4" "http://$VIP4/" 12 >/dev/null
curl_tally "$P-c6" "http://[$VIP6]/" 4 >/dev/null
flows "$P-c4" udp "$VIP4" 5353 --count 6 >/dev/null

# metrics_vs_show: compare every stat and state of -j -s show with the
# Prometheus text read between two equal shows
metrics_vs_show() {
	local _
	for _ in 1 2 3; do
		nlb -j -s show >"$T/s1.json"
		nlb metrics >"$T/metrics.txt"
		nlb -j -s show >"$T/s2.json"
		cmp -s "$T/s1.json" "$T/s2.json" && break
	done
	python3 "$top/tools/nlbadm/tests/promparse.py" --json \
		<"$T/metrics.txt" >"$T/metrics.json" || return 1
	python3 - "$T/s1.json" "$T/metrics.json" <<'PY'
import json, sys
show = json.load(open(sys.argv[1]))
m = json.load(open(sys.argv[2]))
names = {"conns": "connections_total", "active": "active_connections",
         "in_packets": "in_packets_total", "in_bytes": "in_bytes_total",
         "out_packets": "out_packets_total", "out_bytes": "out_bytes_total",
         "persisted": "persisted_connections_total",
         "failopen": "failopen_connections_total",
         "drained": "drained_connections_total",
         "translated": "translated_connections_total",
         "failover_family": "failover_family_connections_total"}
drops = {"drop_no_backend": "no_backend", "drop_error": "error",
         "drop_pool": "pool"}
def key(kind, stat, labels):
    if stat not in names and stat not in drops:
        return None     # a counter this test does not know yet
    extra = {}
    if stat in drops:
        name = "nlb_%s_dropped_connections_total" % kind
        extra["reason"] = drops[stat]
    else:
        name = "nlb_%s_%s" % (kind, names[stat])
    labels = dict(labels, **extra)
    return name + "{" + ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)) + "}"
bad = n = 0
def cmp(k, want):
    global bad, n
    if k is None:
        return
    n += 1
    if m.get(k) != want:
        bad += 1
        print("# %s: metrics %s, show %s" % (k, m.get(k), want))
for l in show["listeners"]:
    for s, v in l["stats"].items():
        cmp(key("listener", s, {"listener": l["name"]}), v)
for g in show["groups"]:
    for s, v in g["stats"].items():
        cmp(key("group", s, {"group": g["name"]}), v)
    for b in g["backends"]:
        lab = {"group": b["group"], "address": b["address"], "port": str(b["port"]),
               "family": "ipv6" if ":" in b["address"] else "ipv4"}
        for s, v in b["stats"].items():
            cmp(key("backend", s, lab), v)
        for s, name in (("weight", "weight"), ("healthy", "healthy"), ("enabled", "enabled")):
            cmp("nlb_backend_%s{%s}" % (name, ",".join('%s="%s"' % (k, lab[k]) for k in sorted(lab))),
                float(b[s]))
    for v in ("4", "6"):
        for s in ("used", "size"):
            if "pool%s_%s" % (v, s) in g:
                cmp('nlb_group_pool_%s{family="ipv%s",group="%s"}' % (s, v, g["name"]),
                    float(g["pool%s_%s" % (v, s)]))
print("# compared %d values, %d differ" % (n, bad))
sys.exit(1 if bad or n < 60 else 0)
PY
}
out=$(metrics_vs_show)
rc=$?
echo "$out"
check "nlbadm metrics parses, and every value equals nlbadm -j -s show" -- \
	test $rc -eq 0
if command -v promtool >/dev/null; then
	check "promtool check metrics" -- promtool check metrics <"$T/metrics.txt"
else
	tap_skip "promtool check metrics" "promtool is not installed"
fi

nsexec "$P-lb" "$NLBADM" exporter --listen 127.0.0.1:9863 2>"$T/exporter.err" &
exporter_pid=$!
wait_for 10 200 nsexec "$P-lb" curl -s -o /dev/null -w '%{http_code}' \
	http://127.0.0.1:9863/metrics >/dev/null
out=$(nsexec "$P-lb" python3 - "$top/tools/nlbadm/tests/promparse.py" <<'PY'
import socket, subprocess, sys, threading, time
addr = ("127.0.0.1", 9863)
def get(path="/metrics", method="GET", req=None):
    s = socket.create_connection(addr, timeout=20)
    s.sendall(req or ("%s %s HTTP/1.1\r\nHost: x\r\n\r\n" % (method, path)).encode())
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body
results = []
def scrape():
    st, body = get()
    ok = st.startswith("HTTP/1.1 200") and subprocess.run(
        [sys.executable, sys.argv[1]], input=body).returncode == 0 and b"nlb_up 1" in body
    results.append(ok)
# bad peers first: silent ones, garbage, resets, a huge request
silent = [socket.create_connection(addr) for _ in range(5)]
for junk in (b"\x00\xff garbage\r\n\r\n", b"GET\r\n\r\n"):
    print("garbage:", get(req=junk)[0])
for _ in range(3):
    s = socket.create_connection(addr)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.sendall(b"GET /metr")
    s.close()
print("huge:", get(req=b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n")[0])
threads = [threading.Thread(target=scrape) for _ in range(20)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("concurrent: %d of %d ok" % (sum(results), len(results)))
print("404:", get("/other")[0])
print("HEAD:", get(method="HEAD")[0], len(get(method="HEAD")[1]))
print("POST:", get(method="POST")[0])
for s in silent:
    s.close()
PY
)
diag "$(flat "$out")"
check_eq "the exporter answers 20 concurrent scrapes, past silent and bad clients" \
	"$(grep concurrent <<<"$out")" "concurrent: 20 of 20 ok"
check_eq "the exporter refuses what is not a scrape" \
	"$(grep -E '^(garbage|huge|404|HEAD|POST)' <<<"$out" | awk '{print $2, $3}' | tr '\n' ' ')" \
	"HTTP/1.1 400 HTTP/1.1 400 HTTP/1.1 431 HTTP/1.1 404 HTTP/1.1 200 HTTP/1.1 405 "
check "the exporter still runs" -- kill -0 "$exporter_pid"
kill "$exporter_pid"
wait "$exporter_pid" 2>/dev/null
exporter_pid=

# ---- 5. nlbadm top against known traffic, under a pseudo-terminal

nlb group add topg track on
nlb backend add topg "$(backend4 1)" port 80
nlb backend add topg "$(backend4 2)" port 80
nlb listener add topl vip "$VIP4" proto tcp port 8080 group topg
# 6 connections a second for 30 seconds, each an HTTP request (top's 3
# frames of 3 s start 2 s in and end well before, even in a busy VM). The
# rate is one a guest with one vCPU, busy with other tests too, keeps up
# (at 15 a second it fell behind by 9 s in 20: the rate varied).
nsexec "$P-c4" python3 - "$VIP4" <<'PY' >"$T/gen.out" 2>&1 &
import socket, sys, time
rate, secs = 6, 30
t0 = time.monotonic()
for i in range(rate * secs):
    d = t0 + i / rate - time.monotonic()
    if d > 0:
        time.sleep(d)
    try:
        s = socket.create_connection((sys.argv[1], 8080), timeout=5)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        while s.recv(4096):
            pass
        s.close()
    except OSError as e:
        print("error", e)
print("late", round(time.monotonic() - t0 - secs, 2))
PY
gen=$!
sleep 2
# the counters' rate: each reading at the middle of the time it took
ta=$(date +%s.%N)
c0=$(nlb_eval 'S(L("topl"), "conns")')
tb=$(date +%s.%N)
nsexec "$P-lb" script -qfec "$NLBADM top --interval 3 --count 3" /dev/null \
	>"$T/top.raw" 2>&1
tc=$(date +%s.%N)
c1=$(nlb_eval 'S(L("topl"), "conns")')
td=$(date +%s.%N)
t0=$(python3 -c "print(($ta + $tb) / 2)")
t1=$(python3 -c "print(($tc + $td) / 2)")
wait "$gen"
diag "generator: $(flat "$(cat "$T/gen.out")")"
# the frames, without the terminal's escapes: each starts "nlb top -"
sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$T/top.raw" | tr -d '\r' >"$T/top.txt"
rates=$(awk '/^listener topl / { print $3 }' "$T/top.txt" | tr '\n' ' ')
expect=$(python3 -c "print(round(($c1 - $c0) / ($t1 - $t0), 2))")
diag "top CONN/S of topl: $rates; counters: $c0 -> $c1 over $t0 .. $t1: $expect/s"
frames=$(grep -c '^nlb top -' "$T/top.txt")
check_eq "top drew 3 frames in place (alternate screen)" \
	"$frames $(grep -c $'\x1b\\[?1049h' "$T/top.raw")" "3 1"
ok=$(python3 -c "
r = [float(x) for x in '$rates'.split()]
e = $expect
print(len(r) == 3 and e > 0 and abs(sorted(r)[1] - e) <= 0.1 * e)")
check_eq "top's new connections/s (the median frame) are within 10% of the counters' rate" "$ok" True
# bytes: top's IN-B/S of the last frame against conntrack's bytes of the
# connections per second (all connections of topl are alike)
ok=$(awk -v e="$expect" '/^listener topl / { last = $0 } END {
	split(last, f); v = f[5]; m = 1
	if (v ~ /k$/) m = 1e3; if (v ~ /M$/) m = 1e6; sub(/[kM]$/, "", v)
	print (v * m > 0) ? "yes" : "no" }' "$T/top.txt")
check_eq "top shows the bytes per second in" "$ok" yes
nlb flush

# ---- 6. translation settings: save, -b, apply; source pools in use

POOL4=100.64.0.1
cat >"$T/x.conf" <<EOF
group add xg ipversion dualstack sched wrr affinity off pool $POOL4 pool-last 100.64.0.2 pool 2001:db8:64::1 pool-last 2001:db8:64::4 pool-port-min 20000 pool-port-max 20099 prefix6 2001:db8:6464:: src6 pool
backend add xg $(backend4 1) port 9000
group add xp sched rr affinity prefer pool 100.64.1.1
backend add xp $(backend4 2) port 80
listener add x6 vip $VIP6 proto tcp port 9000 group xg
listener add ping vip $VIP4 vip $VIP6 proto icmp group xg
listener add web vip $VIP4 proto tcp port 80 group xp
EOF
out=$(nlb apply "$T/x.conf")
check_eq "apply of translation settings and an icmp listener" \
	"$?:$(grep -c . <<<"$out")" "0:7"
nlb save >"$T/xsaved.conf"
diag "saved: $(flat "$(grep -v '^#' "$T/xsaved.conf")")"
check_eq "save writes the pools, their ports, prefix6, src6, affinity and icmp" \
	"$(grep -c -e "affinity off track off drain-timeout 0 acct on offload off pool $POOL4 pool-last 100.64.0.2 pool 2001:db8:64::1 pool-last 2001:db8:64::4 pool-port-min 20000 pool-port-max 20099 prefix6 2001:db8:6464:: src6 pool proxy off passive off " \
		-e "affinity prefer .* pool 100.64.1.1 pool-port-min 1024 " \
		-e "^listener add ping vip $VIP4 vip $VIP6 proto icmp group xg " \
		"$T/xsaved.conf")" 3
nlb -j show >"$T/xshow1.json"
nlb flush
nlb -b "$T/xsaved.conf"
nlb -j show >"$T/xshow2.json"
check "save, flush and -b give the same -j show, translation included" -- \
	show_same "$T/xshow1.json" "$T/xshow2.json"
out=$(nlb apply "$T/xsaved.conf")
check_eq "apply of the saved file changes nothing" "$?:$out" "0:"
out=$(nlb apply "$T/x.conf")
check_eq "apply of the file it came from changes nothing" "$?:$out" "0:"

# IPv6 clients on the IPv4 backend b1, from the pool
hold_start xh "$P-c6" "$VIP6" 9000
opened=$(hold xh "open 3" | grep -c ' b1$')
check_eq "3 translated connections through the pool" "$opened" 3
check_eq "pool4-used 3, translated 3 on listener, group and backend" \
	"$(nlb_eval 'G("xg").get("pool4_used")' 'S(L("x6"), "translated")' \
		'S(G("xg"), "translated")' \
		'S(B("xg", "'"$(backend4 1)"'", 9000), "translated")' | tr '\n' ' ')" \
	"3 3 3 3 "
out=$(metrics_vs_show)
rc=$?
echo "$out"
check "with translation: every metric equals -j -s show (pools included)" -- \
	test $rc -eq 0
check_eq "the metrics: translated, pool use and translation drops by reason" \
	"$(grep -c -e '^nlb_listener_translated_connections_total{listener="x6"} 3$' \
		-e '^nlb_group_pool_used{group="xg",family="ipv4"} 3$' \
		-e '^nlb_group_pool_size{group="xg",family="ipv4"} 200$' \
		-e '^nlb_group_pool_size{group="xg",family="ipv6"} 400$' \
		-e '^nlb_listener_info{listener="ping",group="xg",proto="icmp",port="0",' \
		"$T/metrics.txt") $(grep -c '^nlb_xlat_drops_total{reason="[a-z_]*"} [0-9]*$' "$T/metrics.txt")" \
	"5 16"
# a file that drops the pools, one of them held by connections: refused
sed -e "s/affinity off pool $POOL4 pool-last 100.64.0.2 pool 2001:db8:64::1 pool-last 2001:db8:64::4/affinity on/" \
	-e 's/src6 pool/src6 embed/' "$T/x.conf" >"$T/xnopool.conf"
nlb -j show >"$T/pre.json"
out=$(nlb apply "$T/xnopool.conf" 2>&1)
rc=$?
diag "$out"
check_eq "apply refuses to drop a pool connections hold, saying so" \
	"$rc $(grep -c "xnopool.conf:1: group xg: the IPv4 source pool $POOL4-100.64.0.2 is in use (3 addresses and ports held by connections)" <<<"$out")" \
	"1 1"
nlb -j show >"$T/post.json"
check "the refused apply changed nothing" -- cmp -s "$T/pre.json" "$T/post.json"
said=$(hold xh "say still" | grep -c ' b1$')
check_eq "the translated connections still answer" "$said" 3
hold_stop xh
used=$(nlb_wait 20 'G("xg").get("pool4_used")' 0)
check_eq "their slots go back when they close" "$used" 0
out=$(nlb apply "$T/xnopool.conf")
rc=$?
diag "apply: $(flat "$out")"
check_eq "then apply removes the pools (last, after the other changes)" \
	"$rc $(tail -n 1 <<<"$out")" "0 group change xg pool 0.0.0.0 pool ::"
check_eq "the group has no pool left, affinity on, src6 embed" \
	"$(nlb_eval '"pool4" in G("xg")' '"pool6" in G("xg")' 'G("xg")["affinity"]' 'G("xg")["src6"]' | tr '\n' ' ')" \
	"False False on embed "
out=$(nlb apply "$T/xnopool.conf")
check_eq "and a second apply changes nothing" "$?:$out" "0:"
nlb flush

# ---- 7. a listener's VIP changed at runtime

VA=203.0.113.11
VB=203.0.113.12
nlb -b - <<EOF
group add vg ipversion dualstack track on
backend add vg $(backend4 1) port 9000
backend add vg $(backend4 2) port 9000
backend add vg $(backend6 1) port 9000
listener add vt vip $VA vip $VIP6 proto tcp port 9000 group vg persist 600
EOF
hold_start va "$P-c4" "$VA" 9000
hold_start vb "$P-c4" "$VB" 9000
out=$(hold va "open 4")
first=$(awk 'NR == 1 {print $3}' <<<"$out")
check_eq "4 connections to the first VIP, to one backend (persistence)" \
	"$(grep -c " $first$" <<<"$out")" 4
# new connections to the listener's other VIP all along, one after the
# other, until told to stop
rm -f "$T/stream.stop"
nsexec "$P-c6" python3 - "$VIP6" "$T/stream.stop" <<'PY' >"$T/stream.out" 2>&1 &
import os, socket, sys
ok, fails = 0, {}
while not os.path.exists(sys.argv[2]):
    try:
        s = socket.create_connection((sys.argv[1], 9000), timeout=10)
        s.sendall(b"s\n")
        line = s.makefile().readline()
        s.close()
        if line.endswith("=s\n"):
            ok += 1
            continue
        why = "answer " + line.strip()
    except OSError as e:
        why = type(e).__name__
    fails[why] = fails.get(why, 0) + 1
print("ok", ok, "failed", sum(fails.values()), fails)
PY
stream=$!
sleep 2
# 10 changes back and forth, each new VIP answering as the command returns
answered=0
held=4
for ((k = 1; k <= 10; k++)); do
	if ((k % 2)); then vip=$VB id=vb; else vip=$VA id=va; fi
	nlb listener change vt vip "$vip" || break
	hold "$id" "open 1" | grep -q " $first$" && answered=$((answered + 1))
	held=$((held + 1))
done
check_eq "10 VIP changes: a new connection to each new VIP at once, to the client's backend" \
	"$answered" 10
said=$(( $(hold va "say kept" | grep -c " $first$") + $(hold vb "say kept" | grep -c " $first$") ))
check_eq "every connection made to a VIP given up still answers" "$said" "$held"
# apply changes the VIP in place, both ways
nlb save >"$T/v.conf"
sed "s/vip $VA /vip $VB /" "$T/v.conf" >"$T/v2.conf"
out=$(nlb apply "$T/v2.conf")
check_eq "apply changes a listener's VIP in place" "$?:$out" \
	"0:listener change vt vip $VB"
hold vb "open 1" | grep -q " $first$" && held=$((held + 1))
out=$(nlb apply "$T/v.conf")
check_eq "and back" "$?:$out" "0:listener change vt vip $VA"
touch "$T/stream.stop"
wait "$stream"
diag "stream: $(cat "$T/stream.out")"
check_eq "the stream to the other VIP lost no connection" \
	"$(awk '{print ($2 > 20 && $4 == 0) ? "yes" : "no"}' "$T/stream.out")" yes
check_eq "the listener still counts the connections to its old VIPs (track on)" \
	"$(nlb_wait 20 'S(L("vt"), "active")' "$held")" "$held"
nlb listener add other vip $VB proto tcp port 9000 group vg
out=$(nlb listener change vt vip $VB 2>&1; nlb listener change vt vip 0.0.0.0 vip :: 2>&1)
diag "$out"
check_eq "refused: another listener's VIP, and removing the last VIP" \
	"$(grep -c -e 'another listener has this VIP, protocol and port' \
		-e 'a listener needs a VIP' <<<"$out")" 2
check_eq "a refused change changed nothing" \
	"$(nlb_eval 'L("vt")["vip4"]' 'L("vt")["vip6"]' | tr '\n' ' ')" "$VA $VIP6 "
hold_stop va
hold_stop vb
nlb flush

tap_end
