#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netlink.sh: the "nlb" generic netlink interface, through nlbadm and through
# raw requests (selftests/nlraw.py, so that the kernel's own validation is
# what is tested, not nlbadm's). Needs root and the module: NLB_KO=path/nlb.ko
# (loaded fresh here, unloaded at the end). Runs in the QEMU guest:
# tools/vm/run -- env NLB_KO=... selftests/netlink.sh
#
#  1. malformed nlbadm commands: exit 1, "nlbadm: ..." message, nothing sent;
#     kernel refusals relayed by nlbadm: exit 2, the extack message
#  2. the ABI: the running module's ops, permissions, policies and multicast
#     group against the numbers pinned in nlraw.py; raw requests the kernel
#     must refuse: policy (types, lengths, ranges, unknown attributes,
#     NUL-termination, name length), handler checks (missing attributes,
#     duplicates, IP version rules, wlc needs track, VIP/backend address
#     rules, unknown objects, EBUSY, fixed ipversion, source pools), invalid
#     command numbers, genl versions, nested STATS in a request, trailing
#     bytes: each with its errno and extack message
#  3. get returns exactly an object's attributes; a dump of 300 groups
#     returns all of them, over several datagrams (dump resumption); a
#     change between two parts of a dump sets NLM_F_DUMP_INTR
#  4. permissions: an unprivileged user may read and monitor but not
#     change; in a user namespace of its own (unshare -U -r -n) it may
#     configure its own netns only (GENL_UNS_ADMIN_PERM). The unprivileged
#     tools run from a world-readable copy (the checkout may be under a
#     0700 /root).
#  5. network namespace isolation, of the configuration and of the
#     notifications
#  6. notifications: add, change and delete of listeners, groups and
#     backends, exactly as a get shows the object, and "drained"
#  7. nothing survives a module reload
# Every refused request must exit non-zero with a message and leave the
# configuration exactly as it was: the raw dumps of listeners, groups and
# backends (every attribute, those nlraw.py does not know by number)
# before == after.
#
#  +------------------- init netns (nothing configured here) ---------------+
#  |                                                                        |
#  |  +-- netns nlbnl-a ------------+     +-- netns nlbnl-b ------------+   |
#  |  | base config:                |     | 300 groups (dump), then the |   |
#  |  |  groups g4 (ipv4) g6 (dual) |     | same names as in nlbnl-a    |   |
#  |  |         gfree, gw (wlc)     |     | (isolation)                 |   |
#  |  |  backends in g4, g6         |     +-----------------------------+   |
#  |  |  listeners web4 -> g4       |                                       |
#  |  |            web6 -> g6       |     +-- netns nlbnl-c ------------+   |
#  |  | all refusal checks run here |     | configured, then deleted    |   |
#  |  +-----------------------------+     | with its config             |   |
#  |                                      +-----------------------------+   |
#  |  nlraw.py --serve (root): one process for every raw request          |
#  |  setpriv --reuid=65534 (nobody) in nlbnl-a: read and monitor yes,    |
#  |  change EPERM; nobody: unshare -U -r -n -> own userns + netns: may   |
#  |  configure there                                                     |
#  +------------------------------------------------------------------------+
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"

NLRAW=$top/selftests/nlraw.py
NSA=nlbnl-a
NSB=nlbnl-b
NSC=nlbnl-c
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
tmp=
pdir=
srv_pid=

cleanup() {
	local ns
	[ -n "$srv_pid" ] && { kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; }
	srv_pid=
	for ns in $NSA $NSB $NSC; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
	[ -n "$pdir" ] && rm -rf "$pdir"
	tmp=
	pdir=
	return 0
}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit $KSFT_SKIP; }
require ip nsenter python3 insmod rmmod setpriv unshare
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM (make nlbadm)"; exit $KSFT_SKIP; }
[ -f "$NLB_KO" ] || { echo "1..0 # SKIP no module at NLB_KO=$NLB_KO"; exit $KSFT_SKIP; }

trap 'cleanup; nlb_unload_quiet' EXIT
tap_begin
tmp=$(mktemp -d /tmp/nlbnl.XXXXXX) || tap_bail "mktemp failed"
nlb_load || tap_bail "insmod $NLB_KO failed"
for ns in $NSA $NSB $NSC; do
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" || tap_bail "ip netns add $ns failed"
done

# ---- helpers ----

# nlbadm in a namespace (nsenter --net: cheaper than ip netns exec, which
# matters under TCG+KASAN)
adm() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$NLBADM" "$@"; }
# noinfo: nlbadm's JSON without its "info" object (census age and timing
# differ from one show to the next)
noinfo() { sed -E 's/,"info":\{[^}]*\}//'; }

# The raw request server: one nlraw.py for the whole run. srv LINE prints
# the answer to one server command (see nlraw.py's help).
srv_start() {
	mkfifo "$tmp/srv.in" "$tmp/srv.out" || return 1
	python3 -S -E "$NLRAW" --serve <"$tmp/srv.in" >"$tmp/srv.out" \
		2>"$tmp/srv.err" &
	srv_pid=$!
	exec {srv_w}>"$tmp/srv.in" {srv_r}<"$tmp/srv.out"
	[ "$(srv "ns $NSA")" = ok ]
}
srv() {
	local line
	printf '%s\n' "$1" >&"$srv_w" || { echo "error: nlraw.py --serve is gone"; return 1; }
	while IFS= read -r -t 600 -u "$srv_r" line; do
		[ "$line" = "@end" ] && return 0
		printf '%s\n' "$line"
	done
	echo "error: no answer from nlraw.py --serve: $(cat "$tmp/srv.err")"
	return 1
}
# srvns NS LINE: a server command in namespace NS
srvns() {
	srv "ns $1" >/dev/null && srv "$2"
}

# Sections to run (debugging aid): NLB_NL_SECTIONS=2,5 (default: all).
# A section left out is a skip, which make check does not accept.
want() {
	[[ ",${NLB_NL_SECTIONS:-1,2,3,4,5,6,7}," == *",$1,"* ]] && return 0
	tap_skip "section $1 ($2)" "not selected by NLB_NL_SECTIONS"
	return 1
}

# The configuration of a namespace as the kernel dumps it, every attribute.
# A snapshot that is not three complete dumps fails the comparison.
snap() {
	local out
	out=$(srv "snap $1")
	if [ "$(grep -c '^ok [0-9]* objects$' <<<"$out")" != 3 ]; then
		echo "SNAPSHOT FAILED: $out"
		return 1
	fi
	printf '%s\n' "$out"
}

# fail_diag DESC LINE...: a failed test point with diagnostics
fail_diag() {
	local desc=$1 l
	shift
	tap_result 1 "$desc"
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

# run DESC EXPECTED_RC MSG -- CMD...: the command (output to $tmp/out) must
# exit EXPECTED_RC, print MSG (grep -F, in stdout+stderr; "" for any), and
# leave the configuration of $CHECK_NS exactly unchanged. Between
# run_chain_start and run_chain_end nothing else changes it, so each run's
# snapshot after is the next one's before (a snapshot takes about a second
# in the VM).
CHECK_NS=$NSA
run_chain_start() { run_chain=1; run_prev=; }
run_chain_end() { run_chain=; run_prev=; }
run() {
	local desc=$1 want=$2 msg=$3 before after rc
	shift 4
	before=${run_prev:-$(snap "$CHECK_NS")}
	"$@" >"$tmp/out" 2>&1
	rc=$?
	after=$(snap "$CHECK_NS")
	[ -n "${run_chain:-}" ] && run_prev=$after
	if [ "$rc" != "$want" ]; then
		fail_diag "$desc" "exit $rc, expected $want: $*" "$(cat "$tmp/out")"
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/out"; then
		fail_diag "$desc" "output lacks '$msg': $*" "$(cat "$tmp/out")"
	elif [ -z "$msg" ] && [ "$want" != 0 ] && ! grep -q '[a-z]' "$tmp/out"; then
		fail_diag "$desc" "no message: $*"
	elif [[ "$before" == "SNAPSHOT FAILED"* ]] || [ "$before" != "$after" ]; then
		fail_diag "$desc" "configuration changed (or unreadable): $*" \
			"before: $before" "after:  $after"
	else
		tap_result 0 "$desc"
	fi
}

# usage DESC MSG NLBADM-ARGS...: malformed nlbadm command, exit 1
usage() {
	local desc=$1 msg=$2
	shift 2
	run "nlbadm usage: $desc" 1 "nlbadm: $msg" -- adm $NSA "$@"
}

# refuse DESC MSG NLBADM-ARGS...: nlbadm request the kernel refuses, exit 2
# with "nlbadm: <extack message>"
refuse() {
	local desc=$1 msg=$2
	shift 2
	run "nlbadm refused: $desc" 2 "nlbadm: $msg" -- adm $NSA "$@"
}

# Raw checks are collected and run in one go by the server (expect):
#   rawno DESC ERRNO MSG REQUEST...   refused with ERRNO and an extack
#       message containing MSG ("" none, "*" any), nothing changed
#   rawout DESC EXPECTED REQUEST...   the exact output (lines joined by \n)
#   rawhas DESC LINE REQUEST...       a line of the output
#   rawok DESC REQUEST...             acked
# expect_flush runs them and turns their answers into test points.
: >"$tmp/expect"
expect_add() {
	local desc=$1 want=$2 req
	shift 2
	printf -v req '%q ' "$@"
	printf '%s\t%s\t%s\n' "$desc" "$want" "$req" >>"$tmp/expect"
}
rawno() {
	local desc=$1 errno=$2 msg=$3
	shift 3
	expect_add "raw: $desc" "error $errno${msg:+ $msg}" "$@"
}
rawout() {
	local desc=$1 out=$2
	shift 2
	expect_add "$desc" "out:${out//$'\n'/\\n}" "$@"
}
rawhas() {
	local desc=$1 line=$2
	shift 2
	expect_add "$desc" "has:$line" "$@"
}
rawok() {
	local desc=$1
	shift
	expect_add "$desc" ok "$@"
}
expect_flush() {
	local line n=0
	[ -s "$tmp/expect" ] || return 0
	srv "ns $CHECK_NS" >/dev/null
	while IFS= read -r line; do
		printf '%s\n' "expect $line" >&"$srv_w"
		while IFS= read -r -t 600 -u "$srv_r" line; do
			case $line in
			@end) break ;;
			"ok - "*) tap_result 0 "${line#ok - }"; n=$((n + 1)) ;;
			"not ok - "*) tap_result 1 "${line#not ok - }"; n=$((n + 1)) ;;
			*) echo "# $line" ;;
			esac
		done
	done <"$tmp/expect"
	: >"$tmp/expect"
}

# expect_out DESC EXPECTED CMD...: the command exits 0 and prints EXPECTED
expect_out() {
	local desc=$1 want=$2 got rc
	shift 2
	got=$("$@" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ "$got" = "$want" ]; then
		tap_result 0 "$desc"
	else
		fail_diag "$desc" "exit $rc: $*" "expected: $want" "got:      $got"
	fi
}

# do_ok DESC CMD...: the command must succeed
do_ok() {
	local desc=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		tap_result 0 "$desc"
	else
		fail_diag "$desc" "exit $?: $*" "$(cat "$tmp/out")"
	fi
}

# batch NS LINE...: nlbadm -b with these lines in NS (one process)
batch() {
	local ns=$1
	shift
	printf '%s\n' "$@" >"$tmp/batch"
	adm "$ns" -b "$tmp/batch"
}

t_start=$SECONDS
check "nlraw.py --serve answers in $NSA" -- srv_start

# ==== 0. base configuration in nlbnl-a ====

check "base configuration added with nlbadm" -- batch $NSA \
	"group add g4 ipversion ipv4 sched wrr" \
	"group add g6 ipversion dualstack sched rr" \
	"group add gfree" \
	"group add gw sched wlc" \
	"backend add g4 10.0.0.1 port 80 weight 5" \
	"backend add g4 10.0.0.2" \
	"backend add g6 10.0.1.1 port 8080" \
	"backend add g6 2001:db8::1 port 8080 weight 3" \
	"listener add web4 vip 192.0.2.1 proto tcp port 80 group g4" \
	"listener add web6 vip 192.0.2.2 vip 2001:db8::100 proto tcp port 443 group g6"
base=$(snap $NSA)
diag "base configuration: $(flat "$base")"
# the reply to a get of g4, and the JSON of an empty namespace
v1=$(srvns $NSA "req group-get name=str:g4")
emptyjson=$(adm $NSC -j -s show 2>&1 | noinfo)
emptysnap=$(snap $NSC)
srv reset >/dev/null	# no socket of the server may keep nlbnl-c alive
# the start of a listener-add request (used in sections 2 and 4)
LA="name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:80"
# zero counters and default settings, as nlraw.py prints them
S0="stats={conns=0 drop-no-backend=0 active=0 in-packets=0 in-bytes=0 out-packets=0 out-bytes=0 drop-error=0 persisted=0 failopen=0 drained=0 translated=0 failover-family=0 drop-pool=0 proxied=0 fail-reset=0 fail-timeout=0}"
SL="$S0 reject=1 persist-timeout=0 persist-prefix4=32 persist-prefix6=128"
# a group's translation settings by default: no source pool, ports
# 1024-65535, the well-known prefix, src6 embed
SX="pool-port-min=1024 pool-port-max=65535 prefix6=64:ff9b:: src6=1"
# its health check settings by default
SH="health={type=1 port=0 interval=5000 timeout=2000 rise=2 fall=3 http-path=\"/\" http-host=\"\" http-status=\"200-399\" udp-payload=0x udp-reply=1 passive-fails=5 passive-window=10000} passive=0 passive-timeout=3000"
SG="$S0 track=0 drain-timeout=0 acct=1 offload=0 $SX proxy=0 $SH"
SGT="$S0 track=1 drain-timeout=0 acct=1 offload=0 $SX proxy=0 $SH"
# a backend's (nlraw.py prints health-time as T)
SB="$S0 enabled=1 healthy=1 draining=0 agent-weight=100 reason=\"\" health-time=T"
# the same, health down; and draining as well
SB0="$S0 enabled=1 healthy=0 draining=0 agent-weight=100 reason=\"\" health-time=T"
SBD="$S0 enabled=1 healthy=0 draining=1 agent-weight=100 reason=\"\" health-time=T"
name32=abcdefghijklmnopqrstuvwxyz012345	# 32 characters

# ==== 1. malformed nlbadm commands ====
if want 1 "nlbadm usage and relayed refusals"; then

L="vip 192.0.2.9 proto tcp"
run_chain_start
usage "unknown object" "unknown object 'frob'" frob show
usage "unknown command" "unknown group command 'frob'" group frob
usage "missing name" "missing NAME" group add
usage "missing listener name" "missing NAME" listener del
usage "port 80x" "invalid port '80x'" listener add l9 $L port 80x group g4
usage "listener port 0" "invalid port '0'" listener add l9 $L port 0 group g4
usage "port 70000" "invalid port '70000'" listener add l9 $L port 70000 group g4
usage "backend port 70000" "invalid port '70000'" backend add g4 10.0.0.9 port 70000
usage "weight 256" "invalid weight '256'" backend add g4 10.0.0.9 weight 256
usage "weight -1" "invalid weight '-1'" backend add g4 10.0.0.9 weight -1
usage "weight 0x10" "invalid weight '0x10'" backend change g4 10.0.0.1 weight 0x10
usage "vip 1.2.3" "invalid vip '1.2.3'" listener add l9 vip 1.2.3 proto tcp port 80 group g4
usage "backend address 10.0.0" "invalid address '10.0.0'" backend add g4 10.0.0
usage "proto sctp" "invalid proto 'sctp'" listener add l9 vip 192.0.2.9 proto sctp port 80 group g4
usage "ipversion ipv6" "invalid ipversion 'ipv6'" group add g9 ipversion ipv6
usage "repeated keyword" "'sched' given more than once" group add g9 sched rr sched wrr
usage "two IPv4 VIPs" "more than one IPv4 vip given" listener add l9 vip 192.0.2.9 vip 192.0.2.10 proto tcp port 80 group g4
usage "missing value at the end" "missing value after 'sched'" group add g9 sched
usage "missing required keyword" "missing 'group'" listener add l9 $L port 80
usage "unknown keyword" "unknown argument 'color'" group add g9 color red
usage "32-character group name" "invalid NAME '$name32'" group add $name32
usage "32-character group in listener" "invalid group '$name32'" listener add l9 $L port 80 group $name32
usage "backend change without change" "nothing to change" backend change g4 10.0.0.1
usage "group change without change" "nothing to change" group change g4

# nlbadm relays the kernel's own refusals: exit 2, its extack message
refuse "group add twice" "a server group with this name exists" group add g4
refuse "delete a group in use" "the server group is used by a listener" group del g4
refuse "affinity off with IPv4 backends and no source pool" "IPv4 backends of a group with affinity off or prefer need an IPv4 source pool" group change g4 affinity off
refuse "change ipversion" "the IP version of a server group is fixed at creation" group change g4 ipversion dualstack
refuse "IPv6 backend in an ipv4 group" "an ipv4 server group holds only IPv4 backends" backend add g4 2001:db8::9
refuse "unknown listener" "no listener with this name" listener del nosuch
refuse "VIP 127.0.0.1" "a VIP must be a unicast, non-loopback address" listener add l9 vip 127.0.0.1 proto tcp port 80 group g4
refuse "wlc with track off" "the wlc scheduler needs track on" group add g9 sched wlc track off
refuse "track off on a wlc group" "the wlc scheduler needs track on" group change gw track off
run_chain_end

fi

# ==== 2. the ABI and raw requests ====
if want 2 "the ABI and raw refusals"; then

out=$(srvns $NSA abi)
if [ "$out" = ok ]; then
	tap_result 0 "abi: the module's ops, permissions, policies and multicast group are the pinned ones"
else
	fail_diag "abi: the module's ops, permissions, policies and multicast group are the pinned ones" "$out"
fi

# policy: types and lengths
rawno "PORT as u32" EINVAL "invalid attribute length" listener-add $LA group=str:g4 port=u32:81
rawno "only PORT, as u32" EINVAL "invalid attribute length" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 port=u32:80 group=str:g4
rawno "PROTO as u16" EINVAL "invalid attribute length" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u16:6 port=u16:80 group=str:g4
rawno "VIP4 with 3 bytes" EINVAL "invalid attribute length" listener-add name=str:l9 vip4=bin:c00002 proto=u8:6 port=u16:80 group=str:g4
rawno "VIP6 with 15 bytes" ERANGE "binary attribute size out of range" listener-add $LA group=str:g6 vip6=bin:20010db8000000000000000000000a
rawno "VIP6 with 17 bytes" ERANGE "binary attribute size out of range" listener-add $LA group=str:g6 vip6=bin:20010db80000000000000000000000a0ff
rawno "ADDR6 with 4 bytes" ERANGE "binary attribute size out of range" backend-add group=str:g6 addr6=bin:0a000009
rawno "WEIGHT as u8" EINVAL "invalid attribute length" backend-add group=str:g4 addr4=ipv4:10.0.0.9 weight=u8:1
rawno "NAME not NUL-terminated" EINVAL "Attribute failed policy validation" group-add name=strnonul:g9
rawno "NAME of zero bytes" EINVAL "*" group-add name=bin:
rawno "GROUP not NUL-terminated" EINVAL "Attribute failed policy validation" listener-add $LA group=strnonul:g4
rawno "empty NAME" EINVAL "name must not be empty" group-add name=str:
rawno "empty listener GROUP" EINVAL "name must not be empty" listener-add $LA group=str:
rawno "NAME of 32 characters" EINVAL "Attribute failed policy validation" group-add name=str:$name32
rawno "NAME of 200 characters" EINVAL "Attribute failed policy validation" group-add "name=str:$(printf 'x%.0s' {1..200})"
rawno "listener NAME of 32 characters" EINVAL "Attribute failed policy validation" listener-add name=str:$name32 vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:80 group=str:g4
rawno "backend GROUP of 32 characters" EINVAL "Attribute failed policy validation" backend-add group=str:$name32 addr4=ipv4:10.0.0.9
# policy: unknown attributes (strict validation)
rawno "unknown attribute type 42" EINVAL "Unknown attribute type" group-add name=str:g9 42=u32:1
rawno "attribute type 0" EINVAL "Unknown attribute type" group-add name=str:g9 0=u32:1
rawno "STATS nest in listener-add" EINVAL "Unsupported attribute" listener-add $LA group=str:g4 stats=nest:
rawno "STATS nest in group-add" EINVAL "Unsupported attribute" group-add name=str:g9 "stats=nest:conns=u64:1"
rawno "STATS nest in backend-add" EINVAL "Unsupported attribute" backend-add group=str:g4 addr4=ipv4:10.0.0.9 stats=nest:
rawno "reply-only BACKENDS4 in group-add" EINVAL "Unsupported attribute" group-add name=str:g9 backends4=u32:3
rawno "reply-only DRAINING in backend-add" EINVAL "Unsupported attribute" backend-add group=str:g4 addr4=ipv4:10.0.0.9 draining=u8:1
rawno "attribute 13 (past backend-add's policy)" EINVAL "Unknown attribute type" backend-add group=str:g4 addr4=ipv4:10.0.0.9 13=u8:1
rawno "notification-only EVENT in listener-add" EINVAL "Unknown attribute type" listener-add $LA group=str:g4 event=u8:1
rawno "VIP4 in listener-del" EINVAL "Unknown attribute type" listener-del name=str:web4 vip4=ipv4:192.0.2.1
rawno "NLA_F_NESTED on NAME" EINVAL "NLA_F_NESTED not expected" group-add 32769=str:g9
rawno "trailing bytes after the attributes" EINVAL "bytes leftover after parsing attributes" group-add name=str:g9 --trailing 0102
# policy: ranges
rawno "proto 0 (policy range 1-17)" ERANGE "integer out of range" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:0 port=u16:80 group=str:g4
rawno "proto 18 (policy range 1-17)" ERANGE "integer out of range" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:18 port=u16:80 group=str:g4
rawno "proto 5 (in policy range, invalid)" EINVAL "protocol must be tcp (6), udp (17) or icmp (1)" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:5 port=u16:80 group=str:g4
rawno "proto 7 (in policy range, invalid)" EINVAL "protocol must be tcp (6), udp (17) or icmp (1)" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:7 port=u16:80 group=str:g4
rawno "weight 256 (policy max 255)" ERANGE "integer out of range" backend-add group=str:g4 addr4=ipv4:10.0.0.9 weight=u32:256
rawno "backend-change weight 0xffffffff" ERANGE "integer out of range" backend-change group=str:g4 addr4=ipv4:10.0.0.1 port=u16:80 weight=u32:0xffffffff
rawno "listener port 0 (policy min 1)" ERANGE "integer out of range" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:0 group=str:g4
rawno "ipversion 3" ERANGE "integer out of range" group-add name=str:g9 ipversion=u8:3
rawno "ipversion 0" ERANGE "integer out of range" group-add name=str:g9 ipversion=u8:0
rawno "sched 6" ERANGE "integer out of range" group-change name=str:g4 sched=u8:6
rawno "affinity 3" ERANGE "integer out of range" group-change name=str:g4 affinity=u8:3
rawno "acct 2" ERANGE "integer out of range" group-change name=str:g4 acct=u8:2
rawno "offload 2" ERANGE "integer out of range" group-change name=str:g4 offload=u8:2
rawno "persist-timeout 86401" ERANGE "integer out of range" listener-change name=str:web4 persist-timeout=u32:86401
rawno "persist-prefix4 33" ERANGE "integer out of range" listener-change name=str:web4 persist-prefix4=u8:33
rawno "drain-timeout 2592001" ERANGE "integer out of range" group-change name=str:g4 drain-timeout=u32:2592001
rawno "offload on with track on" EINVAL "offload needs track off" group-change name=str:g4 offload=u8:1 track=u8:1
rawno "offload on with the wlc scheduler (which needs track)" EINVAL "offload needs track off" group-add name=str:g9 offload=u8:1 sched=u8:3
# handlers: wlc needs track on
rawno "group-add sched wlc track off" EINVAL "the wlc scheduler needs track on: it counts each backend's active connections" group-add name=str:g9 sched=u8:3 track=u8:0
rawno "group-change to wlc with track off" EINVAL "the wlc scheduler needs track on" group-change name=str:g4 sched=u8:3 track=u8:0
rawno "group-change track off of a wlc group" EINVAL "the wlc scheduler needs track on" group-change name=str:gw track=u8:0
rawno "group-change track off of a wlc group, same sched again" EINVAL "the wlc scheduler needs track on" group-change name=str:gw sched=u8:3 track=u8:0
rawout "raw: a wlc group has track on without asking" \
	"group-get name=\"gw\" ipversion=1 affinity=1 sched=3 backends4=0 backends6=0 listeners=0 $SGT
ok" group-get name=str:gw
rawok "raw: group-change g4 to wlc without a track attribute is accepted" group-change name=str:g4 sched=u8:3
rawhas "raw: ... and turns track on" "group-get name=\"g4\" ipversion=1 affinity=1 sched=3 backends4=2 backends6=0 listeners=1 $SGT" group-get name=str:g4
rawok "raw: g4 back to wrr, track off" group-change name=str:g4 sched=u8:2 track=u8:0
rawno "proxy 2" ERANGE "integer out of range" group-change name=str:g4 proxy=u8:2
rawno "proxy v2 with track off" EINVAL "proxy v2 needs track on" group-add name=str:g9 proxy=u8:1 track=u8:0
rawno "proxy v2 with offload on" EINVAL "proxy v2 needs offload off" group-add name=str:g9 proxy=u8:1 offload=u8:1
rawno "proxy v2 on a group with track off" EINVAL "proxy v2 needs track on" group-change name=str:g4 proxy=u8:1 track=u8:0
# handlers: missing attributes (with the missing type in the extack)
rawno "listener-add without name" EINVAL "missing listener name" listener-add vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:80 group=str:g4
rawhas "raw: missing name is reported as NLMSGERR_ATTR_MISS_TYPE 1" "extack-missing-type 1" listener-add vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:80 group=str:g4
rawno "listener-add without port" EINVAL "missing listener port" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 group=str:g4
rawhas "raw: missing port is reported as NLMSGERR_ATTR_MISS_TYPE 5" "extack-missing-type 5" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 group=str:g4
rawno "listener-add without proto" EINVAL "missing protocol" listener-add name=str:l9 vip4=ipv4:192.0.2.9 port=u16:80 group=str:g4
rawno "listener-add without group" EINVAL "missing server group of the listener" listener-add $LA
rawno "listener-add without VIP" EINVAL "a listener needs a VIP" listener-add name=str:l9 proto=u8:6 port=u16:80 group=str:g4
rawno "listener-change without a change" EINVAL "nothing to change" listener-change name=str:web4
rawno "listener-change of the port" EOPNOTSUPP "the protocol and port of a listener cannot change" listener-change name=str:web4 group=str:g4 port=u16:81
rawno "listener-change of the protocol, with a VIP" EOPNOTSUPP "the protocol and port of a listener cannot change" listener-change name=str:web4 vip4=ipv4:192.0.2.77 proto=u8:17
rawno "listener-change removing the only VIP" EINVAL "a listener needs a VIP" listener-change name=str:web4 vip4=ipv4:0.0.0.0
rawno "listener-change removing both VIPs" EINVAL "a listener needs a VIP" listener-change name=str:web6 vip4=ipv4:0.0.0.0 vip6=ipv6:::
rawno "listener-change to a multicast VIP" EINVAL "a VIP must be a unicast, non-loopback address" listener-change name=str:web4 vip4=ipv4:224.0.0.9
rawno "listener-change to a loopback VIP" EINVAL "a VIP must be a unicast, non-loopback address" listener-change name=str:web6 vip6=ipv6:::1 group=str:g4
rawno "listener-change of the VIP to an unknown group" ENOENT "no server group with this name" listener-change name=str:web4 vip4=ipv4:192.0.2.77 group=str:nosuch
rawno "listener-del without name" EINVAL "missing listener name" listener-del
rawno "group-add without name" EINVAL "missing server group name" group-add sched=u8:1
rawno "group-change without name" EINVAL "missing server group name" group-change sched=u8:1
rawno "backend-add without address" EINVAL "a backend needs exactly one address" backend-add group=str:g6 port=u16:80
rawno "backend-add with addr4 and addr6" EINVAL "a backend needs exactly one address" backend-add group=str:g6 addr4=ipv4:10.0.0.9 addr6=ipv6:2001:db8::9
rawno "backend-add without group" EINVAL "missing server group name" backend-add addr4=ipv4:10.0.0.9
rawno "backend-change without a change" EINVAL "nothing to change" backend-change group=str:g4 addr4=ipv4:10.0.0.1 port=u16:80
# the offset of the offending attribute: after the nlmsghdr (16) and the
# genl header (4), name (8), vip4 (8), proto (8): port at 44
rawhas "raw: a bad attribute is reported with NLMSGERR_ATTR_OFFS (its offset, 44)" "extack-offset 44" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 port=u32:81 group=str:g4
# handlers: duplicates
rawno "group-add twice" EEXIST "a server group with this name exists" group-add name=str:g4
rawno "group-add twice, other settings" EEXIST "a server group with this name exists" group-add name=str:gfree ipversion=u8:2 sched=u8:1
rawno "listener-add twice" EEXIST "a listener with this name exists" listener-add name=str:web4 vip4=ipv4:192.0.2.99 proto=u8:6 port=u16:99 group=str:g4
rawno "same VIP, proto, port on another listener" EEXIST "another listener has this VIP, protocol and port" listener-add name=str:l9 vip4=ipv4:192.0.2.1 proto=u8:6 port=u16:80 group=str:g4
rawno "same IPv6 VIP, proto, port on another listener" EEXIST "another listener has this VIP, protocol and port" listener-add name=str:l9 vip4=ipv4:192.0.2.99 vip6=ipv6:2001:db8::100 proto=u8:6 port=u16:443 group=str:g6
rawno "backend-add twice" EEXIST "the server group has a backend with this address and port" backend-add group=str:g4 addr4=ipv4:10.0.0.1 port=u16:80 weight=u32:9
# handlers: IP versions, affinity, EBUSY
rawno "IPv6 backend in an ipv4 group" EAFNOSUPPORT "an ipv4 server group holds only IPv4 backends" backend-add group=str:g4 addr6=ipv6:2001:db8::9
rawno "group-del of a group in use" EBUSY "the server group is used by a listener" group-del name=str:g4
rawno "group-change ipversion" EOPNOTSUPP "the IP version of a server group is fixed at creation" group-change name=str:g4 ipversion=u8:2
rawno "group-change ipversion (dualstack to ipv4)" EOPNOTSUPP "the IP version of a server group is fixed at creation" group-change name=str:g6 ipversion=u8:1 sched=u8:2
P4MSG="IPv4 backends of a group with affinity off or prefer need an IPv4 source pool (pool4-first)"
rawno "group-change affinity off, IPv4 backends, no source pool" EINVAL "$P4MSG" group-change name=str:g4 affinity=u8:0
rawno "group-change affinity prefer with a sched change, no source pool" EINVAL "$P4MSG" group-change name=str:g4 sched=u8:1 affinity=u8:2
rawok "raw: group-add affinity off without backends is accepted" group-add name=str:gx0 affinity=u8:0
rawno "IPv4 backend-add to an affinity off group without a source pool" EINVAL "$P4MSG" backend-add group=str:gx0 addr4=ipv4:10.0.0.9
rawok "raw: ... the group deleted" group-del name=str:gx0
# any listener may use any group (a client of a family without backends
# is refused or translated, as the group's affinity says)
rawok "raw: an IPv6 VIP on an ipv4 group is accepted" listener-add name=str:l9 vip6=ipv6:2001:db8::9 proto=u8:6 port=u16:80 group=str:g4
rawok "raw: ... and moved to a dualstack group" listener-change name=str:l9 group=str:g6
rawok "raw: ... deleted" listener-del name=str:l9
# handlers: addresses
for vip in 0.0.0.0 224.0.0.1 239.1.2.3 255.255.255.255 127.0.0.1 127.1.2.3; do
	rawno "VIP $vip" EINVAL "a VIP must be a unicast, non-loopback address" listener-add name=str:l9 vip4=ipv4:$vip proto=u8:6 port=u16:80 group=str:g4
done
for vip in :: ff02::1 ::1; do
	rawno "VIP $vip" EINVAL "a VIP must be a unicast, non-loopback address" listener-add name=str:l9 vip4=ipv4:192.0.2.9 vip6=ipv6:$vip proto=u8:6 port=u16:80 group=str:g6
done
rawno "backend 0.0.0.0" EINVAL "a backend address must be a unicast address" backend-add group=str:g4 addr4=ipv4:0.0.0.0
rawno "backend 224.0.0.5" EINVAL "a backend address must be a unicast address" backend-add group=str:g4 addr4=ipv4:224.0.0.5
rawno "backend ff02::1" EINVAL "a backend address must be a unicast address" backend-add group=str:g6 addr6=ipv6:ff02::1
# handlers: objects that do not exist
rawno "listener-add to an unknown group" ENOENT "no server group with this name" listener-add $LA group=str:nosuch
rawno "listener-change of an unknown listener" ENOENT "no listener with this name" listener-change name=str:nosuch group=str:g4
rawno "listener-change to an unknown group" ENOENT "no server group with this name" listener-change name=str:web4 group=str:nosuch
rawno "listener-del of an unknown listener" ENOENT "no listener with this name" listener-del name=str:nosuch
rawno "listener-get of an unknown listener" ENOENT "no listener with this name" listener-get name=str:nosuch
rawno "group-change of an unknown group" ENOENT "no server group with this name" group-change name=str:nosuch sched=u8:1
rawno "group-del of an unknown group" ENOENT "no server group with this name" group-del name=str:nosuch
rawno "group-get of an unknown group" ENOENT "no server group with this name" group-get name=str:nosuch
rawno "backend-add to an unknown group" ENOENT "no server group with this name" backend-add group=str:nosuch addr4=ipv4:10.0.0.9
rawno "backend-change of an unknown backend" ENOENT "no backend with this address and port" backend-change group=str:g4 addr4=ipv4:10.9.9.9 weight=u32:1
rawno "backend-change, known address, other port" ENOENT "no backend with this address and port" backend-change group=str:g4 addr4=ipv4:10.0.0.1 port=u16:81 weight=u32:1
rawno "backend-del, known address, other port" ENOENT "no backend with this address and port" backend-del group=str:g4 addr4=ipv4:10.0.0.1
rawno "backend-del, address of another group" ENOENT "no backend with this address and port" backend-del group=str:g4 addr4=ipv4:10.0.1.1 port=u16:8080
rawno "backend-get of an unknown backend" ENOENT "no backend with this address and port" backend-get group=str:g6 addr6=ipv6:2001:db8::2 port=u16:8080
rawno "backend-del in an unknown group" ENOENT "no server group with this name" backend-del group=str:nosuch addr4=ipv4:10.0.0.1 port=u16:80
# genetlink: commands and flags
rawno "command number 99" EOPNOTSUPP "" 99 1=str:g9
rawno "command number 0" EOPNOTSUPP "" 0
for c in 13 14 15; do
	rawno "command number $c (a notification)" EOPNOTSUPP "" $c 1=str:g9
done
rawno "command number 18 (NLB_CMD_MAX + 1)" EOPNOTSUPP "" 18 1=str:g9
rawno "dump of a do-only command (group-add)" EOPNOTSUPP "" --dump group-add name=str:g9
rawno "dump of group-del" EOPNOTSUPP "" --dump group-del name=str:gfree
# genl header version: genetlink does not check it (the family's version
# is informational): 0 and 2 act as 1, refusals included
rawno "version 0, group-add twice" EEXIST "a server group with this name exists" --version 0 group-add name=str:g4
rawno "version 2, group-del of a group in use" EBUSY "the server group is used by a listener" --version 2 group-del name=str:g4
for v in 0 2 255; do
	rawout "raw: genl version $v get is answered as version 1" "$v1" --version $v group-get name=str:g4
done
rawok "raw: genl version 2 add" --version 2 group-add name=str:gv2
rawok "raw: genl version 0 del" --version 0 group-del name=str:gv2
expect_flush

check_eq "configuration of $NSA is still the base configuration after all refusals" \
	"$(snap $NSA)" "$base"

fi

# ==== 3. get and dump ====
if want 3 "get and dump"; then

rawout "get: group g4, exactly its attributes" \
	"group-get name=\"g4\" ipversion=1 affinity=1 sched=2 backends4=2 backends6=0 listeners=1 $SG
ok" group-get name=str:g4
rawout "get: group g6, exactly its attributes" \
	"group-get name=\"g6\" ipversion=2 affinity=1 sched=1 backends4=1 backends6=1 listeners=1 $SG
ok" group-get name=str:g6
rawout "get: listener web6, exactly its attributes" \
	"listener-get name=\"web6\" vip4=192.0.2.2 vip6=2001:db8::100 proto=6 port=443 group=\"g6\" $SL
ok" listener-get name=str:web6
rawout "get: listener web4, exactly its attributes" \
	"listener-get name=\"web4\" vip4=192.0.2.1 proto=6 port=80 group=\"g4\" $SL
ok" listener-get name=str:web4
rawout "get: IPv6 backend, exactly its attributes" \
	"backend-get group=\"g6\" addr6=2001:db8::1 port=8080 weight=3 $SB
ok" backend-get group=str:g6 addr6=ipv6:2001:db8::1 port=u16:8080
rawout "get: IPv4 backend with default port and weight" \
	"backend-get group=\"g4\" addr4=10.0.0.2 port=0 weight=1 $SB
ok" backend-get group=str:g4 addr4=ipv4:10.0.0.2
rawout "dump: backends of group g6 only (dump filter)" \
	"backend-get group=\"g6\" addr4=10.0.1.1 port=8080 weight=1 $SB
backend-get group=\"g6\" addr6=2001:db8::1 port=8080 weight=3 $SB
ok 2 objects" --dump backend-get group=str:g6
rawout "dump: 2 listeners" "ok 2 objects" --dump --quiet listener-get
rawok "group-change sched rr is accepted" group-change name=str:g4 sched=u8:1
rawhas "group-change: ... and shows" "group-get name=\"g4\" ipversion=1 affinity=1 sched=1 backends4=2 backends6=0 listeners=1 $SG" group-get name=str:g4
rawok "group-change back to wrr, with the same ipversion and affinity" group-change name=str:g4 sched=u8:2 ipversion=u8:1 affinity=u8:1
expect_flush
check_eq "group-change: back to the base configuration" "$(snap $NSA)" "$base"

# 300 groups in nlbnl-b: the dump spans several datagrams
N=300
for ((i = 1; i <= N; i++)); do
	echo "group-add name=str:dump-group-$i ipversion=u8:2 sched=u8:$((i % 2 + 1))"
done >"$tmp/add300"
sed 's/group-add name=\(str:[^ ]*\).*/group-del name=\1/' "$tmp/add300" >"$tmp/del300"
check_eq "dump: $N groups added" "$(srvns $NSB "batch $tmp/add300")" \
	"batch: $N requests, 0 refused"
srv "req --dump group-get" >"$tmp/dump"
last=$(tail -n 1 "$tmp/dump")
dgrams=$(sed -n 's/^ok [0-9]* objects in \([0-9]*\) datagrams$/\1/p' <<<"$last")
seq $N | sed 's/^/dump-group-/' | sort >"$tmp/want"
sed -n 's/^group-get name="\([^"]*\)".*/\1/p' "$tmp/dump" | sort >"$tmp/got"
if [ "$last" = "ok $N objects in $dgrams datagrams" ] && [ "${dgrams:-0}" -gt 2 ] &&
   cmp -s "$tmp/want" "$tmp/got" && ! grep -q dump-interrupted "$tmp/dump"; then
	tap_result 0 "dump: all $N groups, each once, in $dgrams datagrams, not interrupted"
else
	fail_diag "dump: all $N groups, each once, not interrupted" "$last" \
		"$(diff "$tmp/want" "$tmp/got" | head -10)" "$(grep dump-interrupted "$tmp/dump")"
fi
n=$(adm $NSB group show | grep -c dump-group-)
check_eq "dump: nlbadm group show lists all $N groups" "$n" $N
# A change between two parts of a dump: the later part is flagged.
out=$(srv "dumpintr --dump --quiet group-get"$'\t'"group-add name=str:dump-intr")
diag "dump with a change after its first part: $(flat "$out")"
check "dump: a change between its parts sets NLM_F_DUMP_INTR" -- \
	grep -qx dump-interrupted <<<"$out"
check_eq "dump: ... the change itself was acked" \
	"$(grep '^change: ' <<<"$out")" "change: ok"
check_eq "dump: the next dump is whole again, not interrupted" \
	"$(srv "req --dump --quiet group-get" | grep -c -e dump-interrupted -e "^ok $((N + 1)) objects")" 1
check_eq "dump: the extra group deleted" "$(srv "req group-del name=str:dump-intr")" ok
# backends of many groups: dump the backends (several datagrams as well)
for ((i = 1; i <= 150; i++)); do
	echo "backend-add group=str:dump-group-$i addr6=ipv6:2001:db8::$i port=u16:$i"
	echo "backend-add group=str:dump-group-$i addr4=ipv4:10.1.$((i / 256)).$((i % 256))"
done >"$tmp/be300"
check_eq "dump: 300 backends added in 150 groups" "$(srv "batch $tmp/be300")" \
	"batch: 300 requests, 0 refused"
out=$(srv "req --dump --quiet backend-get")
if [[ "$out" =~ ^ok\ 300\ objects\ in\ ([0-9]+)\ datagrams$ ]] && [ "${BASH_REMATCH[1]}" -ge 2 ]; then
	tap_result 0 "dump: all 300 backends ($out)"
else
	fail_diag "dump: all 300 backends" "$out"
fi
check_eq "dump: $N groups (and their backends) deleted" "$(srv "batch $tmp/del300")" \
	"batch: $N requests, 0 refused"
check_eq "dump: empty again" "$(snap $NSB)" "$emptysnap"

fi

# ==== 4. permissions ====
if want 4 "permissions"; then

# The unprivileged tools run from a copy nobody can read and run: the
# checkout may be under /root (0700), as in the README's setup.
pdir=$(mktemp -d /tmp/nlbperm.XXXXXX) && chmod 755 "$pdir" &&
	cp "$NLBADM" "$NLRAW" "$pdir/" && chmod 755 "$pdir/nlbadm" "$pdir/nlraw.py"
PADM=$pdir/nlbadm
PRAW=$pdir/nlraw.py
check "perm: nobody (uid 65534) can run the copies of nlbadm and nlraw.py in $pdir" -- \
	$NOBODY -- test -x "$PADM" -a -r "$PRAW"
CHECK_NS=$NSA
run_chain_start
run "perm: nobody: group add refused (EPERM, exit 2)" 2 "Operation not permitted" \
	-- ip netns exec $NSA $NOBODY -- "$PADM" group add gx
run "perm: nobody: group del refused" 2 "Operation not permitted" \
	-- ip netns exec $NSA $NOBODY -- "$PADM" group del gfree
run "perm: nobody: backend change refused" 2 "Operation not permitted" \
	-- ip netns exec $NSA $NOBODY -- "$PADM" backend change g4 10.0.0.1 port 80 weight 9
run "perm: nobody: listener del refused" 2 "Operation not permitted" \
	-- ip netns exec $NSA $NOBODY -- "$PADM" listener del web4
run "perm: nobody: flush refused" 2 "" \
	-- ip netns exec $NSA $NOBODY -- "$PADM" flush
printf '%s\n' "listener-add $LA group=str:g4" "group-add name=str:gx" \
	"group-change name=str:g4 sched=u8:1" "group-del name=str:gfree" \
	"backend-add group=str:g4 addr4=ipv4:10.0.0.9" \
	"backend-change group=str:g4 addr4=ipv4:10.0.0.1 port=u16:80 weight=u32:9" \
	"backend-del group=str:g4 addr4=ipv4:10.0.0.2" \
	"listener-change name=str:web4 reject=u8:2" "listener-del name=str:web4" \
	"census-run" >"$pdir/changes"
chmod 644 "$pdir/changes"
run "perm: nobody: raw requests of every changing op refused with EPERM" 2 "" \
	-- ip netns exec $NSA $NOBODY -- python3 -S -E "$PRAW" --quiet --batch "$pdir/changes"
run_chain_end
check_eq "perm: ... each of the 10 (census-run included) with EPERM" \
	"$(grep -c '^error EPERM' "$tmp/out")" 10
do_ok "perm: nobody may get the namespace's info (counts, limits, census)" \
	ip netns exec $NSA $NOBODY -- python3 -S -E "$PRAW" info-get
expect_out "perm: nobody may read (show = root's show)" "$(adm $NSA -j -s show | noinfo)" \
	eval 'ip netns exec $NSA $NOBODY -- "$PADM" -j -s show | noinfo'
expect_out "perm: nobody may get one object" "$v1" \
	ip netns exec $NSA $NOBODY -- python3 -S -E "$PRAW" group-get name=str:g4
# An unprivileged monitor gets the notifications.
ip netns exec $NSA $NOBODY -- python3 -S -E "$PRAW" --monitor --count 3 \
	--timeout 60 >"$tmp/mon-nobody" 2>&1 &
mpid=$!
check "perm: nobody subscribes to the monitor group" -- \
	wait_grep 60 '^monitoring$' "$tmp/mon-nobody"
srvns $NSA "req group-add name=str:gmon" >/dev/null
srv "req group-change name=str:gmon sched=u8:4" >/dev/null
srv "req group-del name=str:gmon" >/dev/null
wait "$mpid"
rc=$?
check_eq "perm: nobody's monitor got add, change and del of group gmon" \
	"$rc
$(grep -v '^monitoring$' "$tmp/mon-nobody")" \
	"0
group-ntf name=\"gmon\" ipversion=1 affinity=1 sched=2 backends4=0 backends6=0 listeners=0 $SG event=1
group-ntf name=\"gmon\" ipversion=1 affinity=1 sched=4 backends4=0 backends6=0 listeners=0 $SG event=2
group-ntf name=\"gmon\" ipversion=1 affinity=1 sched=4 backends4=0 backends6=0 listeners=0 $SG event=3"

if ! $NOBODY -- unshare -U -r -n true 2>"$tmp/out"; then
	fail_diag "perm: nobody can create a user namespace (unshare -U -r -n)" "$(cat "$tmp/out")"
else
	tap_result 0 "perm: nobody can create a user namespace (unshare -U -r -n)"
	run "perm: nobody in its own userns, netns of the init userns: refused" 2 "Operation not permitted" \
		-- ip netns exec $NSA $NOBODY -- unshare -U -r -- "$PADM" group add gx
	init_before=$(snap $NSA; snap .)
	# shellcheck disable=SC2016
	script='set -e
"$1" group add u1 ipversion dualstack sched rr
"$1" backend add u1 10.2.0.1 port 80
"$1" backend add u1 2001:db8:2::1
"$1" listener add ul vip 198.51.100.1 vip 2001:db8:2::100 proto udp port 53 group u1
"$1" group add g4
"$1" show
"$1" listener del ul
"$1" group del u1
echo done'
	if $NOBODY -- unshare -U -r -n -- sh -c "$script" sh "$PADM" >"$tmp/out" 2>&1 &&
	   grep -q "u1" "$tmp/out" && grep -q "^done$" "$tmp/out"; then
		tap_result 0 "perm: nobody configures nlb in its own userns + netns (unshare -U -r -n)"
	else
		fail_diag "perm: nobody configures nlb in its own userns + netns (unshare -U -r -n)" "$(cat "$tmp/out")"
	fi
	# a config left in the user's netns: invisible elsewhere
	out=$($NOBODY -- unshare -U -r -n -- sh -c '"$1" group add u2 && "$1" show && "$1" -j show' sh "$PADM" 2>&1)
	init_after=$(snap $NSA; snap .)
	if [ "$init_before" = "$init_after" ] && ! grep -q '"u[12]"' <<<"$init_after" &&
	   grep -q '"u2"' <<<"$out"; then
		tap_result 0 "perm: a user namespace's nlb config is not seen in other namespaces"
	else
		fail_diag "perm: a user namespace's nlb config is not seen in other namespaces" \
			"in userns: $out" "before: $init_before" "after:  $init_after"
	fi
fi
srv "ns $NSA" >/dev/null

fi

# ==== 5. network namespace isolation ====
if want 5 "network namespace isolation"; then

check_eq "netns: $NSA's configuration is not seen in $NSB (raw dumps empty)" \
	"$(snap $NSB)" "$emptysnap"
check_eq "netns: ... nor by nlbadm" "$(adm $NSB -j -s show 2>&1 | noinfo)" "$emptyjson"
# notifications stay in their namespace
check_eq "netns: monitors subscribed in $NSA and $NSB" \
	"$(srvns $NSA monitor) $(srvns $NSB monitor)" "ok ok"
CHECK_NS=$NSA
run "netns: the same names and VIPs are accepted in $NSB, $NSA unchanged" 0 "" -- batch $NSB \
	"group add g4 ipversion dualstack sched rr" \
	"group add g6" \
	"backend add g4 10.0.0.1 port 80 weight 7" \
	"backend add g4 2001:db8::1" \
	"listener add web4 vip 192.0.2.1 vip 2001:db8::100 proto tcp port 80 group g4" \
	"listener add web6 vip 192.0.2.2 proto tcp port 443 group g6"
rawout "netns: $NSB has its own g4" \
	"group-get name=\"g4\" ipversion=2 affinity=1 sched=1 backends4=1 backends6=1 listeners=1 $SG
ok" group-get name=str:g4
CHECK_NS=$NSB expect_flush
ev=$(srvns $NSB "events 6")
check_eq "netns: $NSB's monitor saw its 6 additions" \
	"$(sed 's/ .* event=/ event=/' <<<"$ev")" \
	"group-ntf event=1
group-ntf event=1
backend-ntf event=1
backend-ntf event=1
listener-ntf event=1
listener-ntf event=1"
check_eq "netns: $NSA's monitor saw nothing of them" "$(srvns $NSA "events")" ""
run "netns: deleting in $NSB leaves $NSA unchanged" 0 "" -- batch $NSB \
	"listener del web4" \
	"backend del g4 10.0.0.1 port 80" \
	"group change g4 sched wrr" \
	"flush"
check_eq "netns: $NSB empty after flush" "$(snap $NSB)" "$emptysnap"
do_ok "netns: $NSB configured again" batch $NSB \
	"group add g4" \
	"listener add web4 vip 192.0.2.1 proto tcp port 80 group g4"
CHECK_NS=$NSB
srvns $NSB events >/dev/null
run "netns: deleting in $NSA leaves $NSB unchanged" 0 "" -- batch $NSA \
	"group add tmp" \
	"group del tmp" \
	"backend del g4 10.0.0.2" \
	"backend add g4 10.0.0.2"
CHECK_NS=$NSA
# (NSB's own backend drains meanwhile: only NSA's objects must not show)
ev=$(srvns $NSB events)
diag "netns: $NSB's monitor meanwhile: $(flat "$ev")"
check_eq "netns: $NSB's monitor saw nothing of $NSA's changes" \
	"$(grep -c -e '"tmp"' -e '10\.0\.0\.2' <<<"$ev")" 0
ev=$(srvns $NSA "events 4")
check_eq "netns: $NSA's monitor saw them" \
	"$(sed 's/ .* event=/ event=/' <<<"$ev" | grep -v 'event=4$' | sort -u)" \
	"backend-ntf event=1
backend-ntf event=3
group-ntf event=1
group-ntf event=3"
check_eq "netns: $NSA back to its base configuration" "$(snap $NSA)" "$base"
# a namespace deleted with its configuration (kmemleak/KASAN watch this)
netns_gone() {
	batch $NSC "group add gc ipversion dualstack" \
		"backend add gc 2001:db8::5" \
		"listener add lc vip 192.0.2.5 vip 2001:db8::5 proto udp port 5 group gc" &&
	ip netns del $NSC
}
do_ok "netns: a namespace with a configuration is deleted" netns_gone
check_eq "netns: $NSA unchanged by the deletion of $NSC" "$(snap $NSA)" "$base"

fi

# ==== 6. notifications ====
if want 6 "notifications"; then

srvns $NSA monitor >/dev/null
srv events >/dev/null
# ntf N REQUEST...: make the changes, then the notifications they gave
# (waiting for N of them)
ntf() {
	local r n=$1 out
	shift
	for r in "$@"; do
		out=$(srv "req $r" | grep -v -e '^ok$' -e '^extack-')
		[ -n "$out" ] && echo "$out"
	done
	if [ "$n" = 0 ]; then
		srv "events 0 1"
	else
		srv "events $n 5"
	fi
}
out=$(ntf 6 "group-add name=str:n1 ipversion=u8:2 sched=u8:5" \
	"group-change name=str:n1 drain-timeout=u32:30" \
	"backend-add group=str:n1 addr6=ipv6:2001:db8::7 port=u16:53 weight=u32:4" \
	"backend-change group=str:n1 addr6=ipv6:2001:db8::7 port=u16:53 healthy=u8:0" \
	"listener-add name=str:nl vip4=ipv4:192.0.2.7 vip6=ipv6:2001:db8::77 proto=u8:17 port=u16:53 group=str:n1" \
	"listener-change name=str:nl reject=u8:3 persist-timeout=u32:60")
SN="$S0 track=0 drain-timeout=30 acct=1 offload=0 $SX proxy=0 $SH"
check_eq "notify: add and change of a group, a backend and a listener, each exactly as a get shows it" \
	"$out" \
	"group-ntf name=\"n1\" ipversion=2 affinity=1 sched=5 backends4=0 backends6=0 listeners=0 $SG event=1
group-ntf name=\"n1\" ipversion=2 affinity=1 sched=5 backends4=0 backends6=0 listeners=0 $SN event=2
backend-ntf group=\"n1\" addr6=2001:db8::7 port=53 weight=4 $SB event=1
backend-ntf group=\"n1\" addr6=2001:db8::7 port=53 weight=4 $SB0 event=2
listener-ntf name=\"nl\" vip4=192.0.2.7 vip6=2001:db8::77 proto=17 port=53 group=\"n1\" $SL event=1
listener-ntf name=\"nl\" vip4=192.0.2.7 vip6=2001:db8::77 proto=17 port=53 group=\"n1\" $S0 reject=3 persist-timeout=60 persist-prefix4=32 persist-prefix6=128 event=2"
out=$(ntf 2 "group-add name=str:n2 ipversion=u8:2" \
	"listener-change name=str:nl group=str:n2")
check_eq "notify: a listener moved to another group" "$out" \
	"group-ntf name=\"n2\" ipversion=2 affinity=1 sched=2 backends4=0 backends6=0 listeners=0 $SG event=1
listener-ntf name=\"nl\" vip4=192.0.2.7 vip6=2001:db8::77 proto=17 port=53 group=\"n2\" $S0 reject=3 persist-timeout=60 persist-prefix4=32 persist-prefix6=128 event=2"
out=$(ntf 2 "backend-del group=str:n1 addr6=ipv6:2001:db8::7 port=u16:53")
diag "backend-del: $(flat "$out")"
check_eq "notify: a deleted backend: del as draining, then drained (no connection left)" \
	"$(sed -E 's/ drain-left=[0-9]+//' <<<"$out")" \
	"backend-ntf group=\"n1\" addr6=2001:db8::7 port=53 weight=4 $SBD event=3
backend-ntf group=\"n1\" addr6=2001:db8::7 port=53 weight=4 $SBD event=4"
out=$(ntf 3 "listener-del name=str:nl" "group-del name=str:n1" "group-del name=str:n2")
check_eq "notify: delete a listener and two groups: each described before it goes" "$out" \
	"listener-ntf name=\"nl\" vip4=192.0.2.7 vip6=2001:db8::77 proto=17 port=53 group=\"n2\" $S0 reject=3 persist-timeout=60 persist-prefix4=32 persist-prefix6=128 event=3
group-ntf name=\"n1\" ipversion=2 affinity=1 sched=5 backends4=0 backends6=0 listeners=0 $SN event=3
group-ntf name=\"n2\" ipversion=2 affinity=1 sched=2 backends4=0 backends6=0 listeners=0 $SG event=3"
out=$(ntf 0 "group-add name=str:g4" "backend-change group=str:g4 addr4=ipv4:10.0.0.1 port=u16:80")
check_eq "notify: refused changes notify nothing" "$out" \
	"error EEXIST a server group with this name exists
error EINVAL nothing to change: give a weight, a state, a health or a health check report"
check_eq "notify: $NSA back to its base configuration" "$(snap $NSA)" "$base"

fi

# ==== 7. module reload ====
if want 7 "module reload"; then

if rmmod nlb 2>"$tmp/out"; then
	tap_result 0 "reload: rmmod with configurations in $NSA and $NSB"
	nlb_loaded_here=0
	if insmod "$NLB_KO" 2>"$tmp/out"; then
		tap_result 0 "reload: insmod"
		nlb_loaded_here=1
		srv reset >/dev/null
		if [ "$(snap $NSA)" = "$emptysnap" ] && [ "$(snap $NSB)" = "$emptysnap" ] &&
		   [ "$(adm $NSA -j -s show | noinfo)" = "$emptyjson" ]; then
			tap_result 0 "reload: nothing survives: raw dumps and show are empty in $NSA and $NSB"
		else
			fail_diag "reload: nothing survives: raw dumps and show are empty in $NSA and $NSB" \
				"$(snap $NSA)" "$(snap $NSB)"
		fi
		do_ok "reload: the same configuration can be added again" adm $NSA group add g4
	else
		fail_diag "reload: insmod" "$(cat "$tmp/out")"
	fi
else
	fail_diag "reload: rmmod with configurations in $NSA and $NSB" "$(cat "$tmp/out")"
fi

fi

diag "$tap_n tests in $((SECONDS - t_start)) s"
tap_end
