#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netlink.sh: the "nlb" generic netlink interface, through nlbadm and through
# raw requests (selftests/nlraw.py, so that the kernel's own validation is
# what is tested, not nlbadm's). Needs root and the module: NLB_KO=path/nlb.ko
# (loaded here if not loaded, unloaded at the end if loaded here). Runs in
# the QEMU guest: tools/vm/run -- env NLB_KO=... selftests/netlink.sh
#
#  1. malformed nlbadm commands: exit 1, "nlbadm: ..." message, nothing sent
#  2. raw requests the kernel must refuse: policy (types, lengths, ranges,
#     unknown attributes, NUL-termination, name length), handler checks
#     (missing attributes, duplicates, IP version rules, VIP/backend address
#     rules, unknown objects, EBUSY, fixed ipversion, affinity off), invalid
#     command numbers, genl versions, nested STATS in a request, trailing
#     bytes: each with its errno and extack message
#  3. get returns exactly an object's attributes; a dump of 300 groups
#     returns all of them, over several datagrams (dump resumption)
#  4. permissions: an unprivileged user may read but not change; in a user
#     namespace of its own (unshare -U -r -n) it may configure its own netns
#     only (GENL_UNS_ADMIN_PERM)
#  5. network namespace isolation
#  6. nothing survives a module reload
# Every refused request must exit non-zero with a message and leave the
# configuration exactly as it was ("nlbadm -j -s show" before == after).
#
#  +------------------- init netns (nothing configured here) ---------------+
#  |                                                                        |
#  |  +-- netns nlbnl-a ------------+     +-- netns nlbnl-b ------------+   |
#  |  | base config:                |     | 300 groups (dump), then the |   |
#  |  |  groups g4 (ipv4) g6 (dual) |     | same names as in nlbnl-a    |   |
#  |  |         gfree               |     | (isolation)                 |   |
#  |  |  backends in g4, g6         |     +-----------------------------+   |
#  |  |  listeners web4 -> g4       |                                       |
#  |  |            web6 -> g6       |     +-- netns nlbnl-c ------------+   |
#  |  | all refusal checks run here |     | configured, then deleted    |   |
#  |  +-----------------------------+     | with its config             |   |
#  |                                      +-----------------------------+   |
#  |  setpriv --reuid=65534 (nobody) in nlbnl-a: read yes, change EPERM     |
#  |  nobody: unshare -U -r -n  -> own userns + netns: may configure there |
#  +------------------------------------------------------------------------+
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NLBADM=${NLBADM:-$top/tools/nlbadm/nlbadm}
NLRAW=$top/selftests/nlraw.py
NSA=nlbnl-a
NSB=nlbnl-b
NSC=nlbnl-c
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

KSFT_SKIP=4
tmp=
loaded=0
ntest=0
nfail=0

# ---- TAP ----

echo "TAP version 13"

ok() {
	ntest=$((ntest + 1))
	echo "ok $ntest - $1"
}

fail() {
	ntest=$((ntest + 1))
	nfail=$((nfail + 1))
	echo "not ok $ntest - $1"
	shift
	local l
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

skip() {
	ntest=$((ntest + 1))
	echo "ok $ntest - $1 # SKIP $2"
}

diag() {
	echo "# $*"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# ---- setup and cleanup ----

cleanup() {
	local ns
	for ns in $NSA $NSB $NSC; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$loaded" = 1 ] && [ -d /sys/module/nlb ]; then
		rmmod nlb || echo "# cleanup: rmmod nlb failed"
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
}

[ "$(id -u)" = 0 ] || skip_all "needs root"
for tool in ip nsenter python3 insmod rmmod setpriv; do
	command -v "$tool" >/dev/null || skip_all "$tool not installed"
done
[ -x "$NLBADM" ] || skip_all "no nlbadm at $NLBADM (make nlbadm)"
[ -n "${NLB_KO:-}" ] || skip_all "NLB_KO (path of nlb.ko) not set"
[ -f "$NLB_KO" ] || skip_all "no module at NLB_KO=$NLB_KO"

trap cleanup EXIT
tmp=$(mktemp -d /tmp/nlbnl.XXXXXX) || exit 1
chmod 755 "$tmp"

if [ ! -d /sys/module/nlb ]; then
	insmod "$NLB_KO" || { echo "1..0 # insmod $NLB_KO failed"; exit 1; }
	loaded=1
fi
for ns in $NSA $NSB $NSC; do
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" || { echo "1..0 # ip netns add $ns failed"; exit 1; }
done

# ---- helpers ----

# nlbadm / nlraw.py in a namespace: IN NS CMD...
# (nsenter --net: cheaper than ip netns exec, which matters under TCG+KASAN)
adm() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$NLBADM" "$@"; }
raw() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" python3 -S -E "$NLRAW" "$@"; }
# raw, with a backend's health-time (when it was added) as T
rawt() { raw "$@" | sed -E 's/health-time=[0-9]+/health-time=T/'; }

# Sections to run (debugging aid): NLB_NL_SECTIONS=2,5 (default: all)
want() { [[ ",${NLB_NL_SECTIONS:-1,2,3,4,5,6}," == *",$1,"* ]]; }

# The configuration of a namespace, with counters, as JSON; fails the test
# run loudly if it cannot be read (comparing two failures proves nothing).
snap() {
	local out
	if ! out=$(adm "$1" -j -s show 2>&1); then
		echo "SNAPSHOT FAILED: $out"
		return 1
	fi
	printf '%s\n' "$out"
}

# run DESC EXPECTED_RC MSG -- CMD...: the command (output to $tmp/out) must
# exit EXPECTED_RC, print MSG (grep -F, in stdout+stderr; "" for any), and
# leave the configuration of $NSA (or of $CHECK_NS) exactly unchanged.
CHECK_NS=$NSA
run() {
	local desc=$1 want=$2 msg=$3 before after rc
	shift 4
	before=$(snap "$CHECK_NS")
	"$@" >"$tmp/out" 2>&1
	rc=$?
	after=$(snap "$CHECK_NS")
	if [ "$rc" != "$want" ]; then
		fail "$desc" "exit $rc, expected $want: $*" "$(cat "$tmp/out")"
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/out"; then
		fail "$desc" "output lacks '$msg': $*" "$(cat "$tmp/out")"
	elif [ -z "$msg" ] && [ "$want" != 0 ] && ! grep -q '[a-z]' "$tmp/out"; then
		fail "$desc" "no message: $*"
	elif [[ "$before" == "SNAPSHOT FAILED"* ]] || [ "$before" != "$after" ]; then
		fail "$desc" "configuration changed (or unreadable): $*" \
			"before: $before" "after:  $after"
	else
		ok "$desc"
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

# rawno DESC ERRNO MSG NLRAW-ARGS...: raw request refused with ERRNO and an
# extack message containing MSG ("" means: the kernel gives no message here,
# "*" any non-empty message).
rawno() {
	local desc=$1 errno=$2 msg=$3
	shift 3
	if [ "$msg" = "*" ]; then
		run "raw: $desc" 2 "error $errno " -- raw $CHECK_NS "$@"
	elif [ -n "$msg" ]; then
		run "raw: $desc" 2 "error $errno $msg" -- raw $CHECK_NS "$@"
	else
		run "raw: $desc" 2 "error $errno" -- raw $CHECK_NS "$@"
	fi
}

# expect_out DESC EXPECTED CMD...: the command exits 0 and prints EXPECTED
expect_out() {
	local desc=$1 want=$2 got rc
	shift 2
	got=$("$@" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ "$got" = "$want" ]; then
		ok "$desc"
	else
		fail "$desc" "exit $rc: $*" "expected: $want" "got:      $got"
	fi
}

# do_ok DESC CMD...: the command must succeed
do_ok() {
	local desc=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		ok "$desc"
	else
		fail "$desc" "exit $?: $*" "$(cat "$tmp/out")"
	fi
}

t_start=$(date +%s)

# ==== 0. base configuration in nlbnl-a ====

base_ok=1
for c in "group add g4 ipversion ipv4 sched wrr" \
	 "group add g6 ipversion dualstack sched rr" \
	 "group add gfree" \
	 "backend add g4 10.0.0.1 port 80 weight 5" \
	 "backend add g4 10.0.0.2" \
	 "backend add g6 10.0.1.1 port 8080" \
	 "backend add g6 2001:db8::1 port 8080 weight 3" \
	 "listener add web4 vip 192.0.2.1 proto tcp port 80 group g4" \
	 "listener add web6 vip 192.0.2.2 vip 2001:db8::100 proto tcp port 443 group g6"; do
	# shellcheck disable=SC2086
	if ! out=$(adm $NSA $c 2>&1); then
		base_ok=0
		diag "nlbadm $c: $out"
	fi
done
if [ $base_ok = 1 ]; then
	ok "base configuration added with nlbadm"
else
	fail "base configuration added with nlbadm"
fi
base=$(snap $NSA)
diag "base configuration: $base"
# the reply to a get of g4, and the JSON of an empty namespace
v1=$(raw $NSA group-get name=str:g4 2>&1)
emptyjson=$(adm $NSC -j -s show 2>&1)
# the start of a listener-add request (used in sections 2 and 4)
LA="name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:80"
# zero counters and default settings, as nlraw.py prints them
S0="stats={conns=0 drop-no-backend=0 active=0 in-packets=0 in-bytes=0 out-packets=0 out-bytes=0 drop-error=0 persisted=0 failopen=0 drained=0}"
SL="$S0 reject=1 persist-timeout=0 persist-prefix4=32 persist-prefix6=128"
SH="health={type=1 port=0 interval=5000 timeout=2000 rise=2 fall=3 http-path=\"/\" http-host=\"\" http-status=\"200-399\" udp-payload=0x udp-reply=1 passive-fails=5 passive-window=10000} passive=0 passive-timeout=3000"
SG="$S0 track=0 drain-timeout=0 acct=1 offload=0 $SH"
SB="$S0 enabled=1 healthy=1 draining=0 agent-weight=100 reason=\"\" health-time=T"
name32=abcdefghijklmnopqrstuvwxyz012345	# 32 characters

# ==== 1. malformed nlbadm commands ====
if want 1; then


L="vip 192.0.2.9 proto tcp"
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
refuse "affinity off" "affinity off sends clients to backends of the other IP version" group change g4 affinity off
refuse "change ipversion" "the IP version of a server group is fixed at creation" group change g4 ipversion dualstack
refuse "IPv6 backend in an ipv4 group" "an ipv4 server group holds only IPv4 backends" backend add g4 2001:db8::9
refuse "unknown listener" "no listener with this name" listener del nosuch
refuse "VIP 127.0.0.1" "a VIP must be a unicast, non-loopback address" listener add l9 vip 127.0.0.1 proto tcp port 80 group g4

fi

# ==== 2. raw requests ====
if want 2; then


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
rawno "NAME of 200 characters" EINVAL "Attribute failed policy validation" group-add "name=str:$(printf 'x%.0s' $(seq 200))"
rawno "listener NAME of 32 characters" EINVAL "Attribute failed policy validation" listener-add name=str:$name32 vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:80 group=str:g4
rawno "backend GROUP of 32 characters" EINVAL "Attribute failed policy validation" backend-add group=str:$name32 addr4=ipv4:10.0.0.9
# policy: unknown attributes (strict validation)
rawno "unknown attribute type 42" EINVAL "Unknown attribute type" group-add name=str:g9 42=u32:1
rawno "attribute type 0" EINVAL "Unknown attribute type" group-add name=str:g9 0=u32:1
rawno "STATS nest in listener-add" EINVAL "Unsupported attribute" listener-add $LA group=str:g4 stats=nest:
rawno "STATS nest in group-add" EINVAL "Unsupported attribute" group-add name=str:g9 "stats=nest:conns=u64:1"
rawno "STATS nest in backend-add" EINVAL "Unsupported attribute" backend-add group=str:g4 addr4=ipv4:10.0.0.9 stats=nest:
rawno "reply-only BACKENDS4 in group-add" EINVAL "Unsupported attribute" group-add name=str:g9 backends4=u32:3
rawno "reply-only DRAINING (past the policy) in backend-add" EINVAL "Unknown attribute type" backend-add group=str:g4 addr4=ipv4:10.0.0.9 draining=u8:1
rawno "notification-only EVENT in listener-add" EINVAL "Unknown attribute type" listener-add $LA group=str:g4 event=u8:1
rawno "VIP4 in listener-del" EINVAL "Unknown attribute type" listener-del name=str:web4 vip4=ipv4:192.0.2.1
rawno "NLA_F_NESTED on NAME" EINVAL "NLA_F_NESTED not expected" group-add 32769=str:g9
rawno "trailing bytes after the attributes" EINVAL "bytes leftover after parsing attributes" group-add name=str:g9 --trailing 0102
# policy: ranges
rawno "proto 5 (policy range 6-17)" ERANGE "integer out of range" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:5 port=u16:80 group=str:g4
rawno "proto 7 (in policy range, invalid)" EINVAL "protocol must be tcp (6) or udp (17)" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:7 port=u16:80 group=str:g4
rawno "weight 256 (policy max 255)" ERANGE "integer out of range" backend-add group=str:g4 addr4=ipv4:10.0.0.9 weight=u32:256
rawno "backend-change weight 0xffffffff" ERANGE "integer out of range" backend-change group=str:g4 addr4=ipv4:10.0.0.1 port=u16:80 weight=u32:0xffffffff
rawno "listener port 0 (policy min 1)" ERANGE "integer out of range" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:0 group=str:g4
rawno "ipversion 3" ERANGE "integer out of range" group-add name=str:g9 ipversion=u8:3
rawno "ipversion 0" ERANGE "integer out of range" group-add name=str:g9 ipversion=u8:0
rawno "sched 6" ERANGE "integer out of range" group-change name=str:g4 sched=u8:6
rawno "affinity 2" ERANGE "integer out of range" group-change name=str:g4 affinity=u8:2
rawno "acct 2" ERANGE "integer out of range" group-change name=str:g4 acct=u8:2
rawno "offload 2" ERANGE "integer out of range" group-change name=str:g4 offload=u8:2
rawno "offload on with track on" EINVAL "offload needs track off" group-change name=str:g4 offload=u8:1 track=u8:1
rawno "offload on with the wlc scheduler (which needs track)" EINVAL "offload needs track off" group-add name=str:g9 offload=u8:1 sched=u8:3
# handlers: missing attributes (with the missing type in the extack)
rawno "listener-add without name" EINVAL "missing listener name" listener-add vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:80 group=str:g4
rawno "listener-add without port" EINVAL "missing listener port" listener-add name=str:l9 vip4=ipv4:192.0.2.9 proto=u8:6 group=str:g4
rawno "listener-add without proto" EINVAL "missing protocol" listener-add name=str:l9 vip4=ipv4:192.0.2.9 port=u16:80 group=str:g4
rawno "listener-add without group" EINVAL "missing server group of the listener" listener-add $LA
rawno "listener-add without VIP" EINVAL "a listener needs a VIP" listener-add name=str:l9 proto=u8:6 port=u16:80 group=str:g4
rawno "listener-change without a change" EINVAL "nothing to change" listener-change name=str:web4
rawno "listener-change of the port" EOPNOTSUPP "the VIPs, protocol and port of a listener cannot change" listener-change name=str:web4 group=str:g4 port=u16:81
rawno "listener-del without name" EINVAL "missing listener name" listener-del
rawno "group-add without name" EINVAL "missing server group name" group-add sched=u8:1
rawno "group-change without name" EINVAL "missing server group name" group-change sched=u8:1
rawno "backend-add without address" EINVAL "a backend needs exactly one address" backend-add group=str:g6 port=u16:80
rawno "backend-add with addr4 and addr6" EINVAL "a backend needs exactly one address" backend-add group=str:g6 addr4=ipv4:10.0.0.9 addr6=ipv6:2001:db8::9
rawno "backend-add without group" EINVAL "missing server group name" backend-add addr4=ipv4:10.0.0.9
rawno "backend-change without a change" EINVAL "nothing to change" backend-change group=str:g4 addr4=ipv4:10.0.0.1 port=u16:80
if out=$(raw $NSA listener-add vip4=ipv4:192.0.2.9 proto=u8:6 port=u16:80 group=str:g4) ||
   ! grep -qx "extack-missing-type 1" <<<"$out"; then
	fail "raw: missing name is reported as NLMSGERR_ATTR_MISS_TYPE 1" "$out"
else
	ok "raw: missing name is reported as NLMSGERR_ATTR_MISS_TYPE 1"
fi
if out=$(raw $NSA listener-add $LA group=str:g4 port=u32:81) ||
   ! grep -q "^extack-offset [0-9]" <<<"$out"; then
	fail "raw: a bad attribute is reported with NLMSGERR_ATTR_OFFS" "$out"
else
	ok "raw: a bad attribute is reported with NLMSGERR_ATTR_OFFS"
fi
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
rawno "group-change affinity off" EOPNOTSUPP "affinity off sends clients to backends of the other IP version" group-change name=str:g4 affinity=u8:0
rawno "group-change affinity off with a sched change" EOPNOTSUPP "affinity off sends clients to backends of the other IP version" group-change name=str:g4 sched=u8:1 affinity=u8:0
rawno "group-add affinity off" EOPNOTSUPP "affinity off sends clients to backends of the other IP version" group-add name=str:g9 affinity=u8:0
rawno "dualstack group, listener without IPv6 VIP" EINVAL "a dualstack server group needs a listener with an IPv6 VIP" listener-add $LA group=str:g6
rawno "listener-change of an IPv4-only listener to a dualstack group" EINVAL "a dualstack server group needs a listener with an IPv6 VIP" listener-change name=str:web4 group=str:g6
rawno "IPv6 VIP on an ipv4 group" EOPNOTSUPP "an IPv6 VIP needs a dualstack server group" listener-add name=str:l9 vip6=ipv6:2001:db8::9 proto=u8:6 port=u16:80 group=str:g4
rawno "listener-change of an IPv6 listener to an ipv4 group" EOPNOTSUPP "an IPv6 VIP needs a dualstack server group" listener-change name=str:web6 group=str:g4
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
rawno "command number 13 (NLB_CMD_MAX + 1)" EOPNOTSUPP "" 13 1=str:g9
rawno "dump of a do-only command (group-add)" EOPNOTSUPP "" --dump group-add name=str:g9
rawno "dump of group-del" EOPNOTSUPP "" --dump group-del name=str:gfree
# genl header version: genetlink does not check it (the family's version
# is informational): 0 and 2 act as 1, refusals included
rawno "version 0, group-add twice" EEXIST "a server group with this name exists" --version 0 group-add name=str:g4
rawno "version 2, group-del of a group in use" EBUSY "the server group is used by a listener" --version 2 group-del name=str:g4
for v in 0 2 255; do
	expect_out "raw: genl version $v get is answered as version 1" "$v1" raw $NSA --version $v group-get name=str:g4
done
if raw $NSA --version 2 group-add name=str:gv2 >"$tmp/out" 2>&1 &&
   raw $NSA --version 0 group-del name=str:gv2 >>"$tmp/out" 2>&1 &&
   [ "$(snap $NSA)" = "$base" ]; then
	ok "raw: genl version 2 add and version 0 del work, configuration back to base"
else
	fail "raw: genl version 2 add and version 0 del work, configuration back to base" "$(cat "$tmp/out")"
fi

if [ "$(snap $NSA)" = "$base" ]; then
	ok "configuration of $NSA is still the base configuration after all refusals"
else
	fail "configuration of $NSA is still the base configuration after all refusals" \
		"base: $base" "now:  $(snap $NSA)"
fi

fi

# ==== 3. get and dump ====
if want 3; then


expect_out "get: group g4, exactly its attributes" \
	"group-get name=\"g4\" ipversion=1 affinity=1 sched=2 backends4=2 backends6=0 listeners=1 $SG
ok" raw $NSA group-get name=str:g4
expect_out "get: group g6, exactly its attributes" \
	"group-get name=\"g6\" ipversion=2 affinity=1 sched=1 backends4=1 backends6=1 listeners=1 $SG
ok" raw $NSA group-get name=str:g6
expect_out "get: listener web6, exactly its attributes" \
	"listener-get name=\"web6\" vip4=192.0.2.2 vip6=2001:db8::100 proto=6 port=443 group=\"g6\" $SL
ok" raw $NSA listener-get name=str:web6
expect_out "get: listener web4, exactly its attributes" \
	"listener-get name=\"web4\" vip4=192.0.2.1 proto=6 port=80 group=\"g4\" $SL
ok" raw $NSA listener-get name=str:web4
expect_out "get: IPv6 backend, exactly its attributes" \
	"backend-get group=\"g6\" addr6=2001:db8::1 port=8080 weight=3 $SB
ok" rawt $NSA backend-get group=str:g6 addr6=ipv6:2001:db8::1 port=u16:8080
expect_out "get: IPv4 backend with default port and weight" \
	"backend-get group=\"g4\" addr4=10.0.0.2 port=0 weight=1 $SB
ok" rawt $NSA backend-get group=str:g4 addr4=ipv4:10.0.0.2
expect_out "dump: backends of group g6 only (dump filter)" \
	"backend-get group=\"g6\" addr4=10.0.1.1 port=8080 weight=1 $SB
backend-get group=\"g6\" addr6=2001:db8::1 port=8080 weight=3 $SB" \
	sh -c "ip netns exec $NSA python3 $NLRAW --dump backend-get group=str:g6 | grep -v '^ok' | sed -E 's/health-time=[0-9]+/health-time=T/'"
out=$(raw $NSA --dump --quiet listener-get 2>&1)
if [[ "$out" == "ok 2 objects in "* ]]; then
	ok "dump: 2 listeners"
else
	fail "dump: 2 listeners" "$out"
fi
# group change is accepted and shows; then back
if raw $NSA group-change name=str:g4 sched=u8:1 >"$tmp/out" 2>&1 &&
   raw $NSA group-get name=str:g4 | grep -q " sched=1 " &&
   raw $NSA group-change name=str:g4 sched=u8:2 ipversion=u8:1 affinity=u8:1 >>"$tmp/out" 2>&1 &&
   [ "$(snap $NSA)" = "$base" ]; then
	ok "group-change sched (and a same-value ipversion/affinity) is applied"
else
	fail "group-change sched (and a same-value ipversion/affinity) is applied" "$(cat "$tmp/out")"
fi

# 300 groups in nlbnl-b: the dump spans several datagrams
N=300
for i in $(seq $N); do
	echo "group-add name=str:dump-group-$i ipversion=u8:2 sched=u8:$(( i % 2 + 1 ))"
done >"$tmp/add300"
sed 's/group-add name=\(str:[^ ]*\).*/group-del name=\1/' "$tmp/add300" >"$tmp/del300"
if raw $NSB --quiet --batch "$tmp/add300" >"$tmp/out" 2>&1; then
	ok "dump: $N groups added"
else
	fail "dump: $N groups added" "$(grep -v '^ok$' "$tmp/out" | head -5)"
fi
raw $NSB --dump group-get >"$tmp/dump" 2>&1
last=$(tail -n 1 "$tmp/dump")
dgrams=$(sed -n 's/^ok [0-9]* objects in \([0-9]*\) datagrams$/\1/p' <<<"$last")
seq $N | sed 's/^/dump-group-/' | sort >"$tmp/want"
sed -n 's/^group-get name="\([^"]*\)".*/\1/p' "$tmp/dump" | sort >"$tmp/got"
if [ "$last" = "ok $N objects in $dgrams datagrams" ] && [ "${dgrams:-0}" -gt 2 ] &&
   cmp -s "$tmp/want" "$tmp/got" && ! grep -q dump-interrupted "$tmp/dump"; then
	ok "dump: all $N groups, each once, in $dgrams datagrams"
else
	fail "dump: all $N groups, each once" "$last" \
		"$(diff "$tmp/want" "$tmp/got" | head -10)"
fi
n=$(adm $NSB group show | grep -c dump-group-)
if [ "$n" = $N ]; then
	ok "dump: nlbadm group show lists all $N groups"
else
	fail "dump: nlbadm group show lists all $N groups" "got $n"
fi
# backends of many groups: dump the backends (several datagrams as well)
for i in $(seq 150); do
	echo "backend-add group=str:dump-group-$i addr6=ipv6:2001:db8::$i port=u16:$i"
	echo "backend-add group=str:dump-group-$i addr4=ipv4:10.1.$((i / 256)).$((i % 256))"
done >"$tmp/be300"
out=$(raw $NSB --quiet --batch "$tmp/be300" 2>&1 | grep -v '^ok$' | head -3)
if [ -n "$out" ]; then
	fail "dump: 300 backends added in 150 groups" "$out"
else
	ok "dump: 300 backends added in 150 groups"
fi
out=$(raw $NSB --dump --quiet backend-get 2>&1)
if [[ "$out" =~ ^ok\ 300\ objects\ in\ ([0-9]+)\ datagrams$ ]] && [ "${BASH_REMATCH[1]}" -ge 2 ]; then
	ok "dump: all 300 backends ($out)"
else
	fail "dump: all 300 backends" "$out"
fi
if raw $NSB --quiet --batch "$tmp/del300" >"$tmp/out" 2>&1 &&
   [ "$(raw $NSB --dump --quiet group-get)" = "ok 0 objects in 1 datagrams" ]; then
	ok "dump: $N groups (and their backends) deleted, dump empty"
else
	fail "dump: $N groups deleted, dump empty" "$(grep -v '^ok$' "$tmp/out" | head -5)" \
		"$(raw $NSB --dump --quiet group-get)"
fi

fi

# ==== 4. permissions ====
if want 4; then


# nobody must be able to run the tools
if ! $NOBODY -- test -x "$NLBADM" -a -r "$NLRAW"; then
	skip "permissions" "nobody (uid 65534) cannot run $NLBADM or read $NLRAW"
else
	CHECK_NS=$NSA
	run "perm: nobody: group add refused (EPERM, exit 2)" 2 "Operation not permitted" \
		-- ip netns exec $NSA $NOBODY -- "$NLBADM" group add gx
	run "perm: nobody: group del refused" 2 "Operation not permitted" \
		-- ip netns exec $NSA $NOBODY -- "$NLBADM" group del gfree
	run "perm: nobody: backend change refused" 2 "Operation not permitted" \
		-- ip netns exec $NSA $NOBODY -- "$NLBADM" backend change g4 10.0.0.1 port 80 weight 9
	run "perm: nobody: listener del refused" 2 "Operation not permitted" \
		-- ip netns exec $NSA $NOBODY -- "$NLBADM" listener del web4
	run "perm: nobody: flush refused" 2 "" \
		-- ip netns exec $NSA $NOBODY -- "$NLBADM" flush
	run "perm: nobody: raw listener-add refused with EPERM" 2 "error EPERM" \
		-- ip netns exec $NSA $NOBODY -- python3 "$NLRAW" listener-add $LA group=str:g4
	expect_out "perm: nobody may read (show = root's show)" "$(adm $NSA -j -s show)" \
		ip netns exec $NSA $NOBODY -- "$NLBADM" -j -s show
	expect_out "perm: nobody may get one object" "$v1" \
		ip netns exec $NSA $NOBODY -- python3 "$NLRAW" group-get name=str:g4

	if ! $NOBODY -- unshare -U -r -n true 2>"$tmp/out"; then
		skip "perm: user namespaces" "unshare -U -r -n as nobody failed: $(cat "$tmp/out")"
	else
		run "perm: nobody in its own userns, netns of the init userns: refused" 2 "Operation not permitted" \
			-- ip netns exec $NSA $NOBODY -- unshare -U -r -- "$NLBADM" group add gx
		init_before=$(adm $NSA -j -s show; "$NLBADM" -j -s show)
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
		if $NOBODY -- unshare -U -r -n -- sh -c "$script" sh "$NLBADM" >"$tmp/out" 2>&1 &&
		   grep -q "u1" "$tmp/out" && grep -q "^done$" "$tmp/out"; then
			ok "perm: nobody configures nlb in its own userns + netns (unshare -U -r -n)"
		else
			fail "perm: nobody configures nlb in its own userns + netns (unshare -U -r -n)" "$(cat "$tmp/out")"
		fi
		# a config left in the user's netns: invisible elsewhere
		out=$($NOBODY -- unshare -U -r -n -- sh -c '"$1" group add u2 && "$1" show && "$1" -j show' sh "$NLBADM" 2>&1)
		init_after=$(adm $NSA -j -s show; "$NLBADM" -j -s show)
		if [ "$init_before" = "$init_after" ] && ! grep -q '"u[12]"' <<<"$init_after" &&
		   grep -q '"u2"' <<<"$out"; then
			ok "perm: a user namespace's nlb config is not seen in other namespaces"
		else
			fail "perm: a user namespace's nlb config is not seen in other namespaces" \
				"in userns: $out" "before: $init_before" "after:  $init_after"
		fi
	fi
fi

fi

# ==== 5. network namespace isolation ====
if want 5; then


out=$(adm $NSB -j -s show 2>&1)
if [ "$(raw $NSB --dump --quiet listener-get)" = "ok 0 objects in 1 datagrams" ] &&
   [ "$(raw $NSB --dump --quiet group-get)" = "ok 0 objects in 1 datagrams" ] &&
   [ "$(raw $NSB --dump --quiet backend-get)" = "ok 0 objects in 1 datagrams" ] &&
   [ "$out" = "$emptyjson" ] && [ -z "$(adm $NSB show 2>&1)" ]; then
	ok "netns: $NSA's configuration is not seen in $NSB"
else
	fail "netns: $NSA's configuration is not seen in $NSB" "$out"
fi
CHECK_NS=$NSA
run "netns: the same names and VIPs are accepted in $NSB, $NSA unchanged" 0 "" -- sh -c "
	set -e
	ip netns exec $NSB $NLBADM group add g4 ipversion dualstack sched rr
	ip netns exec $NSB $NLBADM group add g6
	ip netns exec $NSB $NLBADM backend add g4 10.0.0.1 port 80 weight 7
	ip netns exec $NSB $NLBADM backend add g4 2001:db8::1
	ip netns exec $NSB $NLBADM listener add web4 vip 192.0.2.1 vip 2001:db8::100 proto tcp port 80 group g4
	ip netns exec $NSB $NLBADM listener add web6 vip 192.0.2.2 proto tcp port 443 group g6"
expect_out "netns: $NSB has its own g4" \
	"group-get name=\"g4\" ipversion=2 affinity=1 sched=1 backends4=1 backends6=1 listeners=1 $SG
ok" raw $NSB group-get name=str:g4
run "netns: deleting in $NSB leaves $NSA unchanged" 0 "" -- sh -c "
	set -e
	ip netns exec $NSB $NLBADM listener del web4
	ip netns exec $NSB $NLBADM backend del g4 10.0.0.1 port 80
	ip netns exec $NSB $NLBADM group change g4 sched wrr
	ip netns exec $NSB $NLBADM flush"
if [ "$(adm $NSB -j -s show)" = "$emptyjson" ]; then
	ok "netns: $NSB empty after flush"
else
	fail "netns: $NSB empty after flush" "$(adm $NSB -j -s show)"
fi
do_ok "netns: $NSB configured again" sh -c "
	set -e
	ip netns exec $NSB $NLBADM group add g4
	ip netns exec $NSB $NLBADM listener add web4 vip 192.0.2.1 proto tcp port 80 group g4"
CHECK_NS=$NSB
run "netns: deleting in $NSA leaves $NSB unchanged" 0 "" -- sh -c "
	set -e
	ip netns exec $NSA $NLBADM group add tmp
	ip netns exec $NSA $NLBADM group del tmp
	ip netns exec $NSA $NLBADM backend del g4 10.0.0.2
	ip netns exec $NSA $NLBADM backend add g4 10.0.0.2"
CHECK_NS=$NSA
if [ "$(snap $NSA)" = "$base" ]; then
	ok "netns: $NSA back to its base configuration"
else
	fail "netns: $NSA back to its base configuration" "base: $base" "now:  $(snap $NSA)"
fi
# a namespace deleted with its configuration (kmemleak/KASAN watch this)
if adm $NSC group add gc ipversion dualstack >"$tmp/out" 2>&1 &&
   adm $NSC backend add gc 2001:db8::5 >>"$tmp/out" 2>&1 &&
   adm $NSC listener add lc vip 192.0.2.5 vip 2001:db8::5 proto udp port 5 group gc >>"$tmp/out" 2>&1 &&
   ip netns del $NSC >>"$tmp/out" 2>&1; then
	ok "netns: a namespace with a configuration is deleted"
else
	fail "netns: a namespace with a configuration is deleted" "$(cat "$tmp/out")"
fi
if [ "$(snap $NSA)" = "$base" ]; then
	ok "netns: $NSA unchanged by the deletion of $NSC"
else
	fail "netns: $NSA unchanged by the deletion of $NSC"
fi

fi

# ==== 6. module reload ====
if want 6; then


if rmmod nlb 2>"$tmp/out"; then
	ok "reload: rmmod with configurations in $NSA and $NSB"
	if insmod "$NLB_KO" 2>"$tmp/out"; then
		ok "reload: insmod"
		if [ "$(adm $NSA -j -s show)" = "$emptyjson" ] &&
		   [ "$(adm $NSB -j -s show)" = "$emptyjson" ] &&
		   [ -z "$(adm $NSA show)" ] &&
		   [ "$(raw $NSA --dump --quiet group-get)" = "ok 0 objects in 1 datagrams" ]; then
			ok "reload: nothing survives: show is empty in $NSA and $NSB"
		else
			fail "reload: nothing survives: show is empty in $NSA and $NSB" \
				"$(adm $NSA -j -s show)" "$(adm $NSB -j -s show)"
		fi
		do_ok "reload: the same configuration can be added again" adm $NSA group add g4
	else
		fail "reload: insmod" "$(cat "$tmp/out")"
	fi
else
	fail "reload: rmmod with configurations in $NSA and $NSB" "$(cat "$tmp/out")"
	skip "reload: insmod" "rmmod failed"
	skip "reload: nothing survives" "rmmod failed"
	skip "reload: the same configuration can be added again" "rmmod failed"
fi

fi

diag "$ntest tests in $(( $(date +%s) - t_start ))s"
echo "1..$ntest"
[ $nfail = 0 ] && exit 0
diag "$nfail of $ntest failed"
exit 1
