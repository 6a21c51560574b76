#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Client addresses for the backends: PROXY protocol v2 (group proxy v2).
# Real receivers check the header: nginx with "listen ... proxy_protocol"
# logging $proxy_protocol_addr/_port, and selftests/proxyd.py, which parses
# each header strictly (haproxy's specification, section 2.2) and compares
# what it says with each client's own end. Same-family connections of both
# families: one and many, sequential and concurrent; large transfers both
# ways (sha256) from forwarded clients, a GRO receiver and a client on the
# gateway (GSO); loss of the segments that carry the header (nft rules
# dropping them once or twice per connection, before and after the
# gateway) and random loss (SACK, retransmissions); a server-first banner
# service (socat) that waits for the header before it speaks; TCP Fast
# Open; UDP in the same group (no header); counters; proxy off at runtime;
# the drain timeout's resets; the refused combinations; ctnetlink removing
# the helper; translated connections (an IPv6 client on an IPv4 backend
# and an IPv4 client on an IPv6 backend: the header in the client's own
# family, nginx, the strict parser, a server-first service, 32 MB each way,
# the header's segments lost); and rmmod with proxied connections at every
# stage of the header.
#
#                               +-----------------------------+
#   c4  192.0.2.2   ---------+  | lb: nlb.ko                  |  +--- b1 198.18.1.2  2001:db8:101::2
#                            +--+ VIP 203.0.113.10            +--+
#   c6  2001:db8:1::2 -------+  |     2001:db8:ff::10         |  +--- b2 198.18.2.2  2001:db8:102::2
#                               +-----------------------------+
#   group pp (dualstack, proxy v2): b1 (both families, port 0: the port the
#   client connected to). Listeners on both VIPs: web TCP 80 (nginx on b1,
#   proxy_protocol), pp TCP 9000 (proxyd.py on b1), banner TCP 2525 (socat
#   on b1 reading the header, then "220 nlb banner"), dns UDP 5353 (socat
#   echo on b1). Group dr (proxy v2, drain timeout): b2, listener dr TCP
#   9002 (proxyd.py on b2). Group st (proxy v2): b2, listener st TCP 9003,
#   where b2 answers the handshake and then nothing (the header is never
#   acknowledged).
#   Translated (affinity off): group x46 (ipv4, pool 100.64.0.1): b1's
#   IPv4 address, listeners on VIP 2001:db8:ff::11 TCP 80 (nginx), 9000
#   (proxyd.py), 2526 (socat banner reading a 52-byte header over IPv4);
#   group x64 (dualstack, src6 embed): b1's IPv6 address, listeners on VIP
#   203.0.113.11 TCP 80, 9000, 2527 (banner reading 28 bytes over IPv6).

# Single-quoted strings for eval and check; functions called through check
# or trap.
# shellcheck disable=SC2016,SC2034,SC2317

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbp
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

require ip nginx curl socat nft conntrack python3 nstat
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }
nginx -V 2>&1 | grep -q -- --with-http_realip_module || true

PROXYD=$here/proxyd.py
work=/tmp/proxy-test
cleanup() {
	hold_pp_stop
	topo_cleanup
	[ "$nlb_loaded_here" = 1 ] && nlb_unload
	return 0
}
trap cleanup EXIT

pyx() {
	local ns=$1
	shift
	nsexec "$ns" python3 "$PROXYD" "$@"
}

# A proxyd.py "hold" client (connections kept open, commands on stdin).
pp_w='' pp_r='' pp_p=''
hold_pp_start() {
	rm -f "$work/hold.in" "$work/hold.out"
	mkfifo "$work/hold.in" "$work/hold.out"
	pyx "$1" client hold "$2" "$3" <"$work/hold.in" >"$work/hold.out" \
		2>"$work/hold.err" &
	pp_p=$!
	exec {pp_w}>"$work/hold.in"
	exec {pp_r}<"$work/hold.out"
}
hold_pp() {
	local line
	echo "$1" >&"$pp_w" || return 1
	while read -r -t 120 -u "$pp_r" line; do
		[ "$line" = "done" ] && return 0
		echo "$line"
	done
	return 1
}
hold_pp_stop() {
	[ -n "$pp_p" ] || return 0
	{ echo quit >&"$pp_w"; } 2>/dev/null
	exec {pp_w}>&- {pp_r}<&-
	wait "$pp_p" 2>/dev/null
	pp_p=
}

tap_begin
nlb_load || { echo "1..0 # SKIP insmod failed"; exit 1; }
rm -rf "$work"
mkdir -p "$work/nginx" "$work/banner"
topo_setup 2

b14=$(backend4 1)
b16=$(backend6 1)
b24=$(backend4 2)
b26=$(backend6 2)
c4=192.0.2.2
c6=2001:db8:1::2
# The translated listeners' VIPs (routed to lb like the others).
VIP6X=2001:db8:ff::11
VIP4X=203.0.113.11
POOL=100.64.0.1

# ---- the backends
cat >"$work/nginx/nginx.conf" <<EOF
daemon on;
worker_processes 1;
pid $work/nginx/pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
	log_format pp '\$proxy_protocol_addr \$proxy_protocol_port \$proxy_protocol_server_addr \$proxy_protocol_server_port \$remote_addr';
	access_log $work/nginx/access.log pp;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	server {
		listen 80 proxy_protocol;
		listen [::]:80 proxy_protocol;
		default_type text/plain;
		location / { return 200 "client \$proxy_protocol_addr"; }
	}
}
EOF
# TCP Fast Open servers that take data without a cookie, on every
# listener (set before they listen): the SYN's data would be theirs.
nsexec "$P-b1" sysctl -qw net.ipv4.tcp_fastopen=0x603
nsexec "$P-b1" nginx -c "$work/nginx/nginx.conf"
pyx "$P-b1" server 9000 "$work/b1.log" &
pyx "$P-b2" server 9002,9003 "$work/b2.log" &
# Server first: reads the header (28 bytes from IPv4 clients, 52 from
# IPv6), only then says hello, then echoes lines as "got=LINE".
for fam in 4:28 6:52; do
	opt=
	[ "${fam%:*}" = 6 ] && opt=,ipv6only=1
	nsexec "$P-b1" socat "TCP${fam%:*}-LISTEN:2525,reuseaddr,fork$opt" \
		SYSTEM:"head -c ${fam#*:} >$work/banner/h${fam%:*}.\$\$; echo 220 nlb banner; sed -u s/^/got=/" &
done
# The same for translated clients: an IPv6 client's 52-byte header over
# IPv4 (2526), an IPv4 client's 28 bytes over IPv6 (2527).
nsexec "$P-b1" socat TCP4-LISTEN:2526,reuseaddr,fork \
	SYSTEM:"head -c 52 >$work/banner/x46.\$\$; echo 220 nlb banner; sed -u s/^/got=/" &
nsexec "$P-b1" socat TCP6-LISTEN:2527,reuseaddr,fork,ipv6only=1 \
	SYSTEM:"head -c 28 >$work/banner/x64.\$\$; echo 220 nlb banner; sed -u s/^/got=/" &
nsexec "$P-b1" socat UDP6-RECVFROM:5353,ipv6only=0,fork SYSTEM:cat &
# b2 answers the handshake of port 9003, then nothing.
nsexec "$P-b2" nft -f - <<EOF
table inet stall {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp sport 9003 tcp flags & (syn | ack) == (syn | ack) accept
		tcp sport 9003 drop
	}
}
EOF
sleep 1

# ---- configuration and refusals
expect_err() {
	local want=$1 out
	shift
	out=$(nlb "$@" 2>&1) && { diag "accepted: $*"; return 1; }
	diag "$out"
	grep -qF -- "$want" <<<"$out"
}
configure() {
	nlb group add pp ipversion dualstack proxy v2 &&
	nlb backend add pp "$b14" port 0 &&
	nlb backend add pp "$b16" port 0 &&
	nlb group add dr ipversion dualstack proxy v2 drain-timeout 3 &&
	nlb backend add dr "$b24" port 0 &&
	nlb backend add dr "$b26" port 0 &&
	nlb group add st proxy v2 &&
	nlb backend add st "$b24" port 0 &&
	nlb group add plain ipversion dualstack &&
	for l in web:80 pp:9000 banner:2525; do
		nlb listener add "${l%:*}" vip "$VIP4" vip "$VIP6" proto tcp \
			port "${l#*:}" group pp || return 1
	done &&
	nlb listener add dns vip "$VIP4" vip "$VIP6" proto udp port 5353 \
		group pp &&
	nlb listener add dr vip "$VIP4" vip "$VIP6" proto tcp port 9002 \
		group dr &&
	nlb listener add st vip "$VIP4" proto tcp port 9003 group st
}
check "config: groups with proxy v2, listeners TCP and UDP" -- configure
nlb show | sed 's/^/# /'
check_eq "config: proxy v2 turns track on" \
	"$(nlb_eval 'G("pp")["proxy"], G("pp")["track"]')" "('v2', True)"
check "config: proxy v2 with track off is refused" -- \
	expect_err "proxy v2 needs track on" group add x proxy v2 track off
check "config: proxy v2 with offload on is refused" -- \
	expect_err "proxy v2 needs offload off" group add x proxy v2 offload on
check "config: offload on for a proxy v2 group is refused" -- \
	expect_err "proxy v2 needs offload off" group change pp offload on
check "config: track off for a proxy v2 group is refused" -- \
	expect_err "proxy v2 needs track on" group change pp track off
check "config: proxy v2 for an offload group is refused" -- \
	eval 'nlb group add of offload on &&
	      expect_err "proxy v2 needs offload off" group change of proxy v2 &&
	      nlb group del of'
check_eq "config: the refusals changed nothing" \
	"$(nlb_eval 'G("pp")["proxy"], G("pp")["track"], G("pp").get("offload"), G("x")')" \
	"('v2', True, False, None)"

# ---- nginx logs the true client, both families
# curl_ports NS URL N: N fetches in one curl; "page local_port" lines.
curl_ports() {
	local ns=$1 url=$2 n=$3 i urls=()
	for ((i = 0; i < n; i++)); do
		urls+=("$url")
	done
	nsexec "$ns" curl -s -m 10 --retry 0 -H 'Connection: close' \
		-w ' %{local_port}\n' "${urls[@]}"
}
# logged ADDR PORT...: whether nginx logged each (ADDR, PORT) with the VIP
# of ADDR's family, port 80, and the client as the TCP source; prints the
# misses.
logged() {
	local addr=$1 vip=$VIP4 miss=0 p
	shift
	[[ $addr == *:* ]] && vip=$VIP6
	for p in "$@"; do
		grep -qxF "$addr $p $vip 80 $addr" "$work/nginx/access.log" ||
			{ echo "missing: $addr $p"; miss=1; }
	done
	return "$miss"
}
fam_web() {
	local ns=$1 url=$2 addr=$3 out ports
	out=$(curl_ports "$ns" "$url" 20)
	ports=$(awk '$1 == "client" && $2 == "'"$addr"'" {print $3}' <<<"$out")
	check_eq "nginx: 20 requests from $addr each answer 'client $addr'" \
		"$(wc -w <<<"$ports")" 20
	# shellcheck disable=SC2086
	check "nginx: its log has the client address and port of each of them" -- \
		logged "$addr" $ports
}
fam_web "$P-c4" "http://$VIP4/" "$c4"
fam_web "$P-c6" "http://[$VIP6]/" "$c6"

# ---- strict parser, one and many connections
check "proxyd: IPv4 client, header names it and the VIP" -- \
	pyx "$P-c4" client info "$VIP4" 9000
check "proxyd: IPv6 client, header names it and the VIP" -- \
	pyx "$P-c6" client info "$VIP6" 9000
check "proxyd: IPv4 client on the gateway itself" -- \
	pyx "$P-lb" client info "$VIP4" 9000
check "proxyd: 200 IPv4 connections, 20 at a time, each its own header" -- \
	pyx "$P-c4" client many "$VIP4" 9000 200 20
check "proxyd: 100 IPv6 connections, 20 at a time, each its own header" -- \
	pyx "$P-c6" client many "$VIP6" 9000 100 20
check_eq "proxyd: no header was malformed or missing" \
	"$(grep -cv -e '^hdr ' -e '^reset ' "$work/b1.log")" 0

# ---- large transfers both ways
nsexec "$P-lb" nft -f - <<EOF
table inet big {
	chain fw {
		type filter hook forward priority 0; policy accept;
		tcp dport 9000 meta length > 1600 counter name fwdbig
	}
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 9000 meta length > 1600 counter name outbig
	}
	counter fwdbig { }
	counter outbig { }
}
EOF
big() {
	nsexec "$P-lb" nft list counter inet big "$1" |
		awk '/packets/ {print $2}'
}
check "bulk: IPv4, 4 MB each way at once, sha256 intact" -- \
	pyx "$P-c4" client bulk "$VIP4" 9000 4000000
# veth passes the client's TSO packets on whole, as GRO makes them.
check "bulk: packets bigger than the MTU were forwarded" -- \
	test "$(big fwdbig)" -gt 0
check "bulk: IPv6, 4 MB each way at once, sha256 intact" -- \
	pyx "$P-c6" client bulk "$VIP6" 9000 4000000
check "bulk: client on the gateway (GSO packets), sha256 intact" -- \
	pyx "$P-lb" client bulk "$VIP4" 9000 4000000
diag "packets over 1600 bytes: forwarded $(big fwdbig), local $(big outbig)"
check "bulk: the gateway's own client sent GSO packets" -- \
	test "$(big outbig)" -gt 0
# GRO proper: the client sends segments of its MTU (TSO and GSO off),
# the gateway's receiving veth aggregates them.
if pyx "$P-c4" feature "to-$P-lb" tso off &&
	pyx "$P-c4" feature "to-$P-lb" gso off &&
	pyx "$P-lb" feature "to-$P-c4" gro on; then
	f0=$(big fwdbig)
	check "bulk: GRO on the gateway, IPv4, sha256 intact" -- \
		pyx "$P-c4" client bulk "$VIP4" 9000 4000000
	diag "GRO: forwarded packets over 1600 bytes: $f0 -> $(big fwdbig)"
	check "bulk: GRO packets were forwarded" -- test "$(big fwdbig)" -gt "$f0"
	pyx "$P-lb" feature "to-$P-c4" gro off
	pyx "$P-c4" feature "to-$P-lb" tso on
	pyx "$P-c4" feature "to-$P-lb" gso on
else
	tap_skip "bulk: GRO" "the ethtool ioctls failed"
fi

# ---- loss of the segments with the header
# b1 drops the first N segments with payload of each connection (the
# handshake's ACK with the header; the first data with the header).
lossy() {
	local n=$1 port=$2 rules="" i
	for ((i = 1; i <= n; i++)); do
		rules+="tcp dport $port ip length > 60 ip saddr . tcp sport != @d4$i add @d4$i { ip saddr . tcp sport } counter drop
		tcp dport $port ip6 length > 40 ip6 saddr . tcp sport != @d6$i add @d6$i { ip6 saddr . tcp sport } counter drop
"
	done
	{
		echo "table inet loss {"
		for ((i = 1; i <= n; i++)); do
			echo "set d4$i { type ipv4_addr . inet_service; flags dynamic; }"
			echo "set d6$i { type ipv6_addr . inet_service; flags dynamic; }"
		done
		echo "chain in { type filter hook input priority 0; policy accept;"
		echo "$rules }"
		echo "}"
	} | nsexec "$P-b1" nft -f -
}
unlossy() { nsexec "$P-b1" nft delete table inet loss; }
drops() {
	nsexec "$P-b1" nft list table inet loss |
		awk '/counter/ {for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1)} END {print s + 0}'
}
check "loss: b1 drops each connection's first segment with payload" -- \
	lossy 1 80
out4=$(curl_ports "$P-c4" "http://$VIP4/" 3)
out6=$(curl_ports "$P-c6" "http://[$VIP6]/" 3)
diag "dropped $(drops); $(flat "$out4") $(flat "$out6")"
p4=$(awk -v a="$c4" '$1 == "client" && $2 == a {print $3}' <<<"$out4")
p6=$(awk -v a="$c6" '$1 == "client" && $2 == a {print $3}' <<<"$out6")
check_eq "loss: the header's first segment lost: nginx still answers both families" \
	"$(wc -w <<<"$p4 $p6")" 6
# shellcheck disable=SC2086
check "loss: and logs the clients' addresses and ports" -- \
	eval 'logged "$c4" $p4 && logged "$c6" $p6'
check "loss: 6 segments dropped" -- test "$(drops)" -eq 6
unlossy
check "loss: b1 drops each connection's first two segments with payload" -- \
	lossy 2 9000
check "loss: handshake ACK and first data (both with the header) lost, IPv4: retransmission carries it" -- \
	pyx "$P-c4" client info "$VIP4" 9000
check "loss: the same, IPv6" -- pyx "$P-c6" client info "$VIP6" 9000
check "loss: the same, 1 MB each way" -- \
	pyx "$P-c4" client bulk "$VIP4" 9000 1000000
check "loss: 6 segments dropped" -- test "$(drops)" -eq 6
unlossy
# The client's handshake ACK lost before the gateway: its first data
# completes the handshake and gets the header.
nsexec "$P-c4" nft -f - <<'EOF'
table ip hs {
	set h { type ipv4_addr . inet_service; flags dynamic; }
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 9000 tcp flags & (fin | syn | rst | psh | ack) == ack ip length 52 ip daddr . tcp sport != @h add @h { ip daddr . tcp sport } counter drop
	}
}
EOF
check "loss: the client's handshake ACK lost before the gateway" -- \
	pyx "$P-c4" client info "$VIP4" 9000
check "loss: it was dropped" -- \
	eval 'nsexec "$P-c4" nft list table ip hs | grep -q "packets 1 "'
nsexec "$P-c4" nft delete table ip hs
# Random loss both ways: SACK and retransmissions on a long transfer.
nsexec "$P-b1" nft add table inet rnd
nsexec "$P-b1" nft add chain inet rnd in '{ type filter hook input priority 0; }'
nsexec "$P-b1" nft add rule inet rnd in tcp dport 9000 numgen random mod 100 '<' 3 counter drop
nsexec "$P-c4" nft add table inet rnd
nsexec "$P-c4" nft add chain inet rnd in '{ type filter hook input priority 0; }'
nsexec "$P-c4" nft add rule inet rnd in tcp sport 9000 numgen random mod 100 '<' 3 counter drop
sack() {
	nsexec "$1" nstat -asz TcpExtTCPSackRecovery TcpExtTCPSACKDiscard \
		TcpExtTCPRenoRecovery TcpExtTCPLossProbes TcpExtTCPTimeouts \
		TcpExtTCPSackShifted TcpExtTCPSACKReneging TcpExtTCPFastRetrans |
		awk '$1 !~ /^#/ {printf "%s=%s ", $1, $2}'
}
nv() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
s0c=$(sack "$P-c4")
s0b=$(sack "$P-b1")
# Random loss does not always make both ends enter SACK recovery (a burst
# can end in a timeout instead): up to 3 transfers, until both did.
bulk_ok=0
for try in 1 2 3; do
	pyx "$P-c4" client bulk "$VIP4" 9000 4000000 || { bulk_ok=1; break; }
	s1c=$(sack "$P-c4")
	s1b=$(sack "$P-b1")
	diag "transfer $try: client: $s1c; backend: $s1b"
	[ "$(nv TcpExtTCPSackRecovery "$s1c")" -gt "$(nv TcpExtTCPSackRecovery "$s0c")" ] &&
		[ "$(nv TcpExtTCPSackRecovery "$s1b")" -gt "$(nv TcpExtTCPSackRecovery "$s0b")" ] &&
		break
done
check "loss: 3% random loss both ways, 4 MB each way (up to 3 times), sha256 intact" -- \
	test "$bulk_ok" = 0
diag "$try transfers; client: $s0c-> $s1c; backend: $s0b-> $s1b"
check "loss: SACK recovery ran at both ends" -- \
	test "$(nv TcpExtTCPSackRecovery "$s1c")" -gt "$(nv TcpExtTCPSackRecovery "$s0c")" -a \
	"$(nv TcpExtTCPSackRecovery "$s1b")" -gt "$(nv TcpExtTCPSackRecovery "$s0b")"
check_eq "loss: no SACK block was discarded as invalid (client, backend)" \
	"$(nv TcpExtTCPSACKDiscard "$s1c") $(nv TcpExtTCPSACKDiscard "$s1b")" \
	"$(nv TcpExtTCPSACKDiscard "$s0c") $(nv TcpExtTCPSACKDiscard "$s0b")"
nsexec "$P-b1" nft delete table inet rnd
nsexec "$P-c4" nft delete table inet rnd

# ---- server first
banner() {
	local out
	out=$(pyx "$1" client banner "$2" "${3:-2525}")
	diag "$(flat "$out")"
	[ "$out" = $'220 nlb banner\ngot=hello' ]
}
check "banner: the server speaks first (IPv4): banner, then echo" -- \
	banner "$P-c4" "$VIP4"
check "banner: the server speaks first (IPv6): banner, then echo" -- \
	banner "$P-c6" "$VIP6"
hdrs=$(for f in "$work"/banner/h[46].*; do pyx "$P-b1" parse "$f"; done)
diag "$(flat "$hdrs")"
check "banner: the headers it read name both clients and VIPs" -- \
	eval 'grep -q "^hdr 4 $c4 [0-9]* $VIP4 2525$" <<<"$hdrs" &&
	      grep -q "^hdr 6 $c6 [0-9]* $VIP6 2525$" <<<"$hdrs"'

# ---- TCP Fast Open: the data of the SYN comes again after the header
# (b1 would take it: tcp_fastopen 0x603, no cookie needed).
nsexec "$P-c4" sysctl -qw net.ipv4.tcp_fastopen=5
tfo() {
	nsexec "$1" nstat -asz "$2" | awk -v n="$2" '$1 == n {print $2}'
}
t0=$(tfo "$P-c4" TcpExtTCPFastOpenActiveFail)
p0=$(tfo "$P-b1" TcpExtTCPFastOpenPassive)
check "tfo: a request in the SYN arrives behind the header" -- \
	pyx "$P-c4" client tfo "$VIP4" 9000
t1=$(tfo "$P-c4" TcpExtTCPFastOpenActiveFail)
p1=$(tfo "$P-b1" TcpExtTCPFastOpenPassive)
diag "client TCPFastOpenActiveFail $t0 -> $t1, backend TCPFastOpenPassive $p0 -> $p1"
check "tfo: the SYN's data did not reach the backend, the client sent it again" -- \
	test "$t1" -gt "$t0" -a "$p1" = "$p0"
nsexec "$P-c4" sysctl -qw net.ipv4.tcp_fastopen=1

# ---- UDP in a proxy group: no header
# udp NS ADDR: send "ping ADDR" to ADDR port 5353, print the answer (the
# client waits for it: socat gave up 0.5 s after its input's end).
udp() {
	nsexec "$1" python3 -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(("ping " + a).encode(), (a, 5353))
try:
    sys.stdout.write(s.recv(4096).decode(errors="replace"))
except OSError as e:
    print("FAIL", e)
' "$2"
}
check_eq "udp: IPv4 datagram echoed as is (no header)" \
	"$(udp "$P-c4" "$VIP4")" "ping $VIP4"
check_eq "udp: IPv6 datagram echoed as is (no header)" \
	"$(udp "$P-c6" "$VIP6")" "ping $VIP6"

# ---- counters
counts=$(nlb_eval 'S(L("web"), "conns") == S(L("web"), "proxied") > 0' \
	'S(L("pp"), "conns") == S(L("pp"), "proxied") > 0' \
	'S(L("banner"), "conns") == S(L("banner"), "proxied") == 2' \
	'S(L("dns"), "conns") > 0 and S(L("dns"), "proxied") == 0' \
	'S(G("pp"), "proxied") == sum(S(L(n), "proxied") for n in ("web", "pp", "banner"))' \
	'S(B("pp", "'"$b14"'"), "proxied") + S(B("pp", "'"$b16"'"), "proxied") == S(G("pp"), "proxied")' \
	'S(B("pp", "'"$b16"'"), "proxied") > 0')
diag "$(flat "$(nlb_eval 'S(L("web"), "proxied")' 'S(L("pp"), "proxied")' \
	'S(L("banner"), "proxied")' 'S(G("pp"), "proxied")')")"
check_eq "counters: proxied = conns per TCP listener, 0 for UDP, summed on group and backends" \
	"$(flat "$counts")" "True True True True True True True"

# ---- proxy off at runtime: new connections only
hold_pp_start "$P-c4" "$VIP4" 9000
hold_pp "open old talk" >/dev/null
check "off: group change pp proxy off" -- nlb group change pp proxy off
: >"$work/b1.log"
out=$(pyx "$P-c4" client info "$VIP4" 9000 2>&1)
check "off: a new connection gets no header" -- \
	grep -q "^noheader $c4 " "$work/b1.log"
check "off: an established one still talks through its header" -- \
	eval 'hold_pp "info old" | grep -q "^hdr 4 $c4 "'
check "off: group change pp proxy v2 again" -- nlb group change pp proxy v2
check "off: new connections have headers again" -- \
	pyx "$P-c4" client info "$VIP4" 9000
hold_pp_stop

# ---- drain timeout: both ends reset, whatever the header's state
hold_pp_start "$P-c4" "$VIP4" 9002
hold_pp "open talk talk" >/dev/null
hold_pp "open silent silent" >/dev/null
sleep 1
nlb_eval 'S(G("dr"), "active")' | sed 's/^/# dr active: /'
check "drain: delete b2 from group dr (drain timeout 3 s)" -- \
	nlb backend del dr "$b24" port 0
st=
for ((i = 0; i < 30; i++)); do
	st=$(hold_pp state)
	[ "$(grep -c ' reset$' <<<"$st")" = 2 ] && break
	sleep 1
done
diag "$(flat "$st"); b2: $(flat "$(grep '^reset' "$work/b2.log")")"
check_eq "drain: both clients see a reset (one that sent data, one that sent nothing)" \
	"$(grep -c ' reset$' <<<"$st")" 2
check_eq "drain: b2 got both resets" "$(grep -c '^reset ' "$work/b2.log")" 2
check_eq "drain: counted drained" "$(nlb_eval 'S(G("dr"), "drained")')" 2
hold_pp_stop

# ---- ctnetlink removes the helper of proxy connections
hold_pp_start "$P-c4" "$VIP4" 9000
pa=$(hold_pp "open acked silent" | awk '{print $3}')
ps=$(hold_pp "open stall silent 9003" | awk '{print $3}')
sleep 1
check "unhelp: ctnetlink removes the helper of a connection whose header was acknowledged, and of one still sending it" -- \
	eval 'pyx "$P-lb" unhelp "$c4" "$pa" "$VIP4" 9000 &&
	      pyx "$P-lb" unhelp "$c4" "$ps" "$VIP4" 9003'
nlb -s show >/dev/null
st=
for ((i = 0; i < 20; i++)); do
	st=$(hold_pp state)
	grep -q '^stall reset$' <<<"$st" && break
	sleep 1
done
diag "$(flat "$st")"
check "unhelp: the one still sending its header is reset" -- \
	grep -q '^stall reset$' <<<"$st"
check "unhelp: and its conntrack entry deleted" -- \
	eval '! nsexec "$P-lb" conntrack -L -p tcp --dport 9003 2>/dev/null |
		grep -q "src=$b24 dst=$c4 sport=9003 dport=$ps "'
check "unhelp: the other one sends its first data behind its header" -- \
	eval 'hold_pp "info acked" | grep -q "^hdr 4 $c4 $pa "'
hold_pp_stop

# ---- translated connections: the header in the client's own family
xconfigure() {
	nlb group add x46 affinity off pool "$POOL" pool-port-min 20000 \
		pool-port-max 29999 proxy v2 &&
	nlb backend add x46 "$b14" port 0 &&
	nlb group add x64 ipversion dualstack affinity off proxy v2 &&
	nlb backend add x64 "$b16" port 0 &&
	for port in 80 9000 2526; do
		nlb listener add "x46-$port" vip "$VIP6X" proto tcp \
			port "$port" group x46 || return 1
	done &&
	for port in 80 9000 2527; do
		nlb listener add "x64-$port" vip "$VIP4X" proto tcp \
			port "$port" group x64 || return 1
	done
}
check "xlat: groups of the other family with affinity off and proxy v2" -- \
	xconfigure
: >"$work/b1.log"
# xlogged CLIENT VIP SOURCE PORT...: nginx logged each connection of
# CLIENT to VIP with the client's own address and port, and SOURCE (the
# translated leg's) as the TCP source.
xlogged() {
	local addr=$1 vip=$2 src=$3 miss=0 p
	shift 3
	for p in "$@"; do
		grep -qxF "$addr $p $vip 80 $src" "$work/nginx/access.log" ||
			{ echo "missing: $addr $p"; miss=1; }
	done
	return "$miss"
}
xweb() {
	local ns=$1 url=$2 addr=$3 vip=$4 src=$5 out ports
	out=$(curl_ports "$ns" "$url" 10)
	ports=$(awk '$1 == "client" && $2 == "'"$addr"'" {print $3}' <<<"$out")
	check_eq "xlat: nginx answers 10 requests from $addr through $vip with 'client $addr'" \
		"$(wc -w <<<"$ports")" 10
	# shellcheck disable=SC2086
	check "xlat: its log names $addr and its ports, from $src" -- \
		xlogged "$addr" "$vip" "$src" $ports
}
xweb "$P-c6" "http://[$VIP6X]/" "$c6" "$VIP6X" "$POOL"
xweb "$P-c4" "http://$VIP4X/" "$c4" "$VIP4X" 64:ff9b::c000:202
check "xlat: proxyd: IPv6 client on the IPv4 backend, an IPv6 header" -- \
	eval 'pyx "$P-c6" client info "$VIP6X" 9000 |
	      grep -q "^hdr 6 $c6 [0-9]* $VIP6X 9000 $POOL "'
check "xlat: proxyd: IPv4 client on the IPv6 backend, an IPv4 header" -- \
	eval 'pyx "$P-c4" client info "$VIP4X" 9000 |
	      grep -q "^hdr 4 $c4 [0-9]* $VIP4X 9000 64:ff9b::c000:202 "'
check "xlat: proxyd: 100 IPv6 connections on IPv4, 20 at a time" -- \
	pyx "$P-c6" client many "$VIP6X" 9000 100 20
check "xlat: proxyd: 100 IPv4 connections on IPv6, 20 at a time" -- \
	pyx "$P-c4" client many "$VIP4X" 9000 100 20
check "xlat: server first, IPv6 client on IPv4: banner, then echo" -- \
	banner "$P-c6" "$VIP6X" 2526
check "xlat: server first, IPv4 client on IPv6: banner, then echo" -- \
	banner "$P-c4" "$VIP4X" 2527
hdrs=$(for f in "$work"/banner/x*; do pyx "$P-b1" parse "$f"; done)
diag "$(flat "$hdrs")"
check "xlat: the banner servers read headers naming the clients and VIPs" -- \
	eval 'grep -q "^hdr 6 $c6 [0-9]* $VIP6X 2526$" <<<"$hdrs" &&
	      grep -q "^hdr 4 $c4 [0-9]* $VIP4X 2527$" <<<"$hdrs"'
check "xlat: bulk, IPv6 client on IPv4, 32 MB each way at once, sha256 intact" -- \
	pyx "$P-c6" client bulk "$VIP6X" 9000 32000000
check "xlat: bulk, IPv4 client on IPv6, 32 MB each way at once, sha256 intact" -- \
	pyx "$P-c4" client bulk "$VIP4X" 9000 32000000
check "xlat: loss: b1 drops each connection's first segment with payload" -- \
	lossy 1 9000
check "xlat: loss: the header's first segment lost, IPv6 on IPv4: its retransmission carries the same header" -- \
	pyx "$P-c6" client info "$VIP6X" 9000
check "xlat: loss: the same, IPv4 on IPv6" -- \
	pyx "$P-c4" client info "$VIP4X" 9000
check "xlat: loss: 2 segments dropped" -- test "$(drops)" -eq 2
unlossy
check "xlat: loss: b1 drops each connection's first two segments with payload" -- \
	lossy 2 9000
check "xlat: loss: handshake ACK and first data lost, IPv6 on IPv4, 1 MB each way" -- \
	pyx "$P-c6" client bulk "$VIP6X" 9000 1000000
check "xlat: loss: the same, IPv4 on IPv6" -- \
	pyx "$P-c4" client bulk "$VIP4X" 9000 1000000
check "xlat: loss: 4 segments dropped" -- test "$(drops)" -eq 4
unlossy
xcounts=$(nlb_eval \
	'all(S(L("x46-%d" % p), "conns") == S(L("x46-%d" % p), "proxied") > 0 for p in (80, 9000, 2526))' \
	'all(S(L("x64-%d" % p), "conns") == S(L("x64-%d" % p), "proxied") > 0 for p in (80, 9000, 2527))' \
	'S(G("x46"), "proxied") == S(G("x46"), "translated") == S(B("x46", "'"$b14"'"), "proxied")' \
	'S(G("x64"), "proxied") == S(G("x64"), "translated") == S(B("x64", "'"$b16"'"), "proxied")')
diag "$(flat "$(nlb_eval 'S(G("x46"), "proxied")' 'S(G("x64"), "proxied")')")"
check_eq "xlat: counters: proxied = conns = translated on listeners, groups and backends" \
	"$(flat "$xcounts")" "True True True True"
check_eq "xlat: proxyd: no header was malformed or missing" \
	"$(grep -cv -e '^hdr ' -e '^reset ' "$work/b1.log")" 0

# ---- rmmod with proxied connections
# Another NAT user keeps conntrack's and NAT's hooks: the flows can go on.
nsexec "$P-lb" nft -f - <<EOF
table inet gw {
	chain postnat {
		type nat hook postrouting priority srcnat;
		oifname "to-$P-c6" ip6 saddr 2001:db8:77::/64 masquerade
	}
}
EOF
hold_pp_start "$P-c4" "$VIP4" 9000
hold_pp "open talk talk" >/dev/null
hold_pp "open silent silent" >/dev/null
sleep 1
pyx "$P-c4" client info "$VIP4" 9003 >/dev/null 2>&1 &
sleep 3
stport=$(nsexec "$P-lb" conntrack -L -p tcp --dport 9003 2>/dev/null |
	grep "src=$b24 " | sed -n 's/.*sport=\([0-9]*\) dport=9003 .*/\1/p' |
	head -n 1)
diag "connection still sending its header: port ${stport:-none}"
[ -n "$stport" ] ||
	diag "$(flat "$(nsexec "$P-lb" conntrack -L -p tcp --dport 9003 2>&1)")"
check "unload: rmmod nlb with connections that sent data, sent nothing, and one still sending its header" -- \
	rmmod nlb
nlb_loaded_here=0
check "unload: a connection that sent data goes on" -- \
	eval 'hold_pp "info talk" | grep -q "^hdr 4 $c4 "'
check "unload: a connection that had sent nothing sends its first data behind its header" -- \
	eval 'hold_pp "info silent" | grep -q "^hdr 4 $c4 "'
# (Its retransmissions find no entry and start an untranslated one.)
check "unload: the connection still sending its header was deleted" -- \
	eval '[ -n "$stport" ] &&
	      ! nsexec "$P-lb" conntrack -L -p tcp --dport 9003 2>/dev/null |
		grep -q "src=$b24 dst=$c4 sport=9003 dport=$stport "'
hold_pp_stop

tap_end
