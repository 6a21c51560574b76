#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Command line checks that need no kernel module: every malformed command
# (or batch file line) exits 1 with a one-line "nlbadm: ..." error (plus
# a usage hint) and, if strace is installed, never opens a netlink socket.
#
# Usage: tests/cli.sh PATH/TO/nlbadm

NLBADM=${1:-./nlbadm}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
n=0

if command -v strace >/dev/null 2>&1; then
	STRACE="strace -f -qq -e trace=socket -o $TMP/trace"
else
	STRACE=
fi

# expect STATUS STDERR-SUBSTRING ARGS...
expect() {
	status=$1
	msg=$2
	shift 2
	n=$((n + 1))
	rm -f "$TMP/trace"
	$STRACE "$NLBADM" "$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	first=$(head -n 1 "$TMP/err")
	if [ "$got" -ne "$status" ]; then
		echo "FAIL: nlbadm $*: exit $got, expected $status"
		fail=1
	elif ! grep -qF -- "$msg" "$TMP/err"; then
		echo "FAIL: nlbadm $*: stderr '$first' lacks '$msg'"
		fail=1
	elif [ "$status" -eq 1 ] && [ -n "$STRACE" ] &&
	     grep -q AF_NETLINK "$TMP/trace"; then
		echo "FAIL: nlbadm $*: opened a netlink socket"
		fail=1
	elif [ "$status" -eq 1 ] && ! echo "$first" | grep -q '^nlbadm: '; then
		echo "FAIL: nlbadm $*: first line '$first'"
		fail=1
	fi
}

u() {
	expect 1 "$@"
}

# lacks STDERR-SUBSTRING WHAT: the last command did not print it
lacks() {
	n=$((n + 1))
	if grep -qF -- "$1" "$TMP/err"; then
		echo "FAIL: $2: stderr has '$1'"
		fail=1
	fi
}

# global options and objects
u "missing OBJECT"
u "unknown option '-x'" -x group show
u "unknown object 'frob'" frob
u "missing group command" group
u "unknown group command 'list'" group list
u "unexpected argument 'x'" show x
u "unexpected argument 'all'" flush all

# group
u "missing NAME" group add
u "invalid NAME ''" group add ""
u "expected 1-31 characters" group add abcdefghijklmnopqrstuvwxyz012345
u "invalid sched 'lc' (expected rr, wrr, wlc, sh or maglev)" group add web sched lc
u "invalid sched 'Maglev'" group change web sched Maglev
u "invalid track 'yes' (expected on or off)" group add web track yes
u "invalid track '1'" group change web track 1
u "missing value after 'track'" group change web track
u "invalid acct 'yes' (expected on or off)" group add web acct yes
u "missing value after 'acct'" group change web acct
u "invalid offload 'yes' (expected on or off)" group add web offload yes
u "missing value after 'offload'" group change web offload
u "invalid proxy 'v1' (expected off or v2)" group add web proxy v1
u "invalid proxy 'on'" group change web proxy on
u "missing value after 'proxy'" group change web proxy
u "invalid drain-timeout '2592001' (expected 0-2592000)" \
	group add web drain-timeout 2592001
u "invalid drain-timeout '-1'" group change web drain-timeout -1
u "invalid drain-timeout '30s'" group change web drain-timeout 30s
u "missing value after 'drain-timeout'" group change web drain-timeout
u "'drain-timeout' given more than once" \
	group change web drain-timeout 1 drain-timeout 2
u "invalid ipversion 'ipv6' (expected ipv4 or dualstack)" \
	group add web ipversion ipv6
u "invalid affinity 'yes' (expected on, off or prefer)" group add web affinity yes
u "missing value after 'sched'" group add web sched
u "'sched' given more than once" group add web sched rr sched wrr
u "unknown argument 'weight'" group add web weight 1
u "nothing to change" group change web
u "unknown argument 'x'" group del web x
u "unknown argument 'x'" group show web x

# group: health checks
u "invalid check 'ping' (expected none, tcp, http, udp or agent)" \
	group add web check ping
u "invalid interval '10ms' (expected a duration of 100ms-3600s" \
	group change web interval 10ms
u "invalid timeout '2h'" group change web timeout 2h
u "invalid rise '0' (expected 1-100)" group change web rise 0
u "invalid http-path '' (expected 1-255 printable characters)" \
	group change web http-path ""
u "invalid http-host 'a b" group change web http-host "a b	c"
u "invalid udp-payload (expected at most 512 bytes" \
	group change web udp-payload "$(printf '%0600d' 0)"
u "invalid passive 'yes' (expected on or off)" group add web passive yes
u "'check' given more than once" group add web check tcp check http
u "missing value after 'check-port'" group change web check-port

# backend
u "missing GROUP" backend add
u "missing ADDRESS" backend add web
u "invalid address '1.2.3' (expected an IPv4 or IPv6 address)" \
	backend add web 1.2.3
u "invalid address '[2001:db8::1]'" backend add web "[2001:db8::1]"
u "invalid port '80x' (expected 0-65535)" backend add web 192.0.2.1 port 80x
u "invalid port '65536'" backend add web 192.0.2.1 port 65536
u "invalid port ''" backend add web 192.0.2.1 port ""
u "invalid port ' 80'" backend add web 192.0.2.1 port " 80"
u "invalid port '+80'" backend add web 192.0.2.1 port +80
u "invalid port '0x50'" backend add web 192.0.2.1 port 0x50
u "invalid weight '256' (expected 0-255)" backend add web 192.0.2.1 weight 256
u "invalid weight '-1'" backend add web 192.0.2.1 weight -1
u "invalid weight '99999999999999999999999'" \
	backend add web 192.0.2.1 weight 99999999999999999999999
u "missing value after 'weight'" backend add web 192.0.2.1 weight
u "'port' given more than once" backend add web 192.0.2.1 port 1 port 2
u "nothing to change" backend change web 2001:db8::10 port 80
u "nothing to change" backend change web 192.0.2.1
u "nothing to change" backend set web 192.0.2.1 port 80
u "missing ADDRESS" backend set web
u "invalid state 'off' (expected enabled or disabled)" \
	backend add web 192.0.2.1 state off
u "invalid state 'enable'" backend set web 192.0.2.1 state enable
u "missing value after 'state'" backend set web 192.0.2.1 state
u "invalid health 'ok' (expected up or down)" \
	backend add web 192.0.2.1 health ok
u "invalid health 'UP'" backend set web 192.0.2.1 port 80 health UP
u "missing value after 'health'" backend change web 192.0.2.1 health
u "'health' given more than once" \
	backend set web 192.0.2.1 health up health down
u "invalid weight '256'" backend set web 192.0.2.1 weight 256
u "unknown argument 'state'" backend del web 192.0.2.1 state disabled
u "unknown argument 'health'" backend show web 192.0.2.1 health up
u "unknown argument 'weight'" backend del web 192.0.2.1 weight 1
u "invalid address 'port'" backend show web port 80

# listener
u "missing 'vip'" listener add http proto tcp port 80 group web
u "missing 'proto'" listener add http vip 198.51.100.1 port 80 group web
u "missing 'port'" listener add http vip 198.51.100.1 proto tcp group web
u "missing 'group'" listener add http vip 198.51.100.1 proto tcp port 80
u "more than one IPv4 vip given" \
	listener add http vip 198.51.100.1 vip 198.51.100.2 proto tcp port 80 group web
u "more than one IPv6 vip given" \
	listener add http vip 2001:db8::1 vip 2001:db8::2 proto tcp port 80 group web
u "invalid vip 'host'" listener add http vip host proto tcp port 80 group web
u "an icmp listener has no port" \
	listener add ping vip 198.51.100.1 proto icmp port 80 group web
u "invalid proto 'sctp' (expected tcp, udp or icmp)" \
	listener add http vip 198.51.100.1 proto sctp port 80 group web
u "invalid port '0' (expected 1-65535)" \
	listener add http vip 198.51.100.1 proto tcp port 0 group web
u "invalid group ''" listener change http group ""
u "nothing to change" listener change http
u "invalid reject 'rst' (expected reset, icmp or drop)" \
	listener add http vip 198.51.100.1 proto tcp port 80 group web reject rst
u "invalid reject 'none'" listener change http reject none
u "missing value after 'reject'" listener change http reject
u "invalid persist '86401' (expected 0-86400)" listener change http persist 86401
u "invalid persist '-1'" listener change http persist -1
u "invalid persist '1m'" \
	listener add http vip 198.51.100.1 proto tcp port 80 group web persist 1m
u "invalid persist-prefix4 '33' (expected 0-32)" \
	listener change http persist-prefix4 33
u "invalid persist-prefix4 ' 24'" listener change http persist-prefix4 " 24"
u "invalid persist-prefix6 '129' (expected 0-128)" \
	listener change http persist-prefix6 129
u "invalid persist-prefix6 '0x40'" listener change http persist-prefix6 0x40
u "missing value after 'persist-prefix6'" listener change http persist-prefix6
u "'persist' given more than once" listener change http persist 1 persist 2
u "unknown argument 'proto'" listener change http proto udp
u "unknown argument 'port'" listener change http port 81
u "unknown argument 'persist'" listener del http persist 1

# monitor
u "invalid count '0' (expected 1-4294967295)" monitor count 0
u "invalid count 'x'" monitor count x
u "invalid count '-1'" monitor count -1
u "invalid count '4294967296'" monitor count 4294967296
u "missing value after 'count'" monitor count
u "'count' given more than once" monitor count 1 count 2
u "unknown argument 'all'" monitor all
u "unknown argument 'count'" backend show web 192.0.2.1 count 1
u "unknown argument 'proto'" listener change http vip 198.51.100.1 proto udp
u "more than one IPv6 vip given" listener change http vip :: vip 2001:db8::1
u "missing value after 'group'" listener change http group

# save, apply, import, metrics, exporter, top: their own arguments
u "unexpected argument 'x'" save x
u "missing FILE" apply
u "missing FILE" apply --dry-run
u "unexpected argument 'b'" apply a b
u "cannot open /nonexistent: No such file or directory" apply /nonexistent
u "tests/apply/bad-ref.conf:3: no group 'nosuch' in the configuration" \
	apply tests/apply/bad-ref.conf
u "tests/apply/bad-syntax.conf:2: not an add command" \
	-n apply tests/apply/bad-syntax.conf
u "missing what to import (ipvs or keepalived)" import
u "cannot import 'lvs' (expected ipvs or keepalived)" import lvs
u "missing FILE after '--hosts'" import ipvs --hosts
u "unknown option '--frob'" import keepalived --frob
u "unexpected argument 'b'" import ipvs a b
u "cannot open /nonexistent" import ipvs /nonexistent
u "tests/import/ipvs/refused.save:2: direct routing (-g) is not supported" \
	import ipvs tests/import/ipvs/refused.save
u "nothing imported: 8 lines cannot be done by nlb" \
	import keepalived --dry-run tests/import/keepalived/refused.conf
u "unexpected argument 'x'" metrics x
u "missing FILE after '--output'" metrics --output
u "missing ADDRESS:PORT after '--listen'" exporter --listen
u "invalid listen address 'nowhere'" exporter --listen nowhere
u "unexpected argument 'x'" exporter x
u "invalid interval '0' (expected 0.1-3600 seconds)" top --interval 0
u "invalid interval 'x'" top --interval x
u "invalid count '0' (expected 1 or more)" top --count 0
u "missing value after '--count'" top --count
u "unexpected argument 'x'" top x
expect 1 "Usage: nlbadm import ipvs|keepalived" import
expect 1 "Usage: nlbadm top [--interval SECONDS] [--count N]" top --count 0
# a dry-run import needs no kernel: exit 0, no socket
n=$((n + 1))
rm -f "$TMP/trace"
if ! $STRACE "$NLBADM" import ipvs --dry-run \
	tests/import/ipvs/web-numeric.save >"$TMP/out" 2>"$TMP/err" ||
   ! grep -q '^listener add tcp-198.51.100.80-80 ' "$TMP/out" ||
   { [ -n "$STRACE" ] && grep -q AF_NETLINK "$TMP/trace"; }; then
	echo "FAIL: import --dry-run: $(head -n 1 "$TMP/err")"
	fail=1
fi

# usage hint after the error
expect 1 "Usage: nlbadm backend add GROUP ADDRESS [port PORT] [weight W] [state enabled|disabled] [health up|down]" \
	backend add web 192.0.2.1 port 80x
expect 1 "Usage: nlbadm backend change|set GROUP ADDRESS" \
	backend set web 192.0.2.1
expect 1 "Usage: nlbadm monitor [count N]" monitor count 0

# batch mode: FILE:LINE of the first bad line, nothing sent
B=$TMP/batch
printf '# nlb\n\n \t\n\t# group add web\n' >"$B.comments"
printf '# nlb\n\n\t# x\ngroup add web sched lc\ngroup add web\n' >"$B.bad"
printf 'group add\ngroup add web\nlistener del\n' >"$B.two"
printf 'group add\n\nlistener del\nbackend add web 192.0.2.1 port x\n' \
	>"$B.three"
u "missing FILE after '-b'" -b
u "missing FILE after '--batch'" -j --batch
u "'-b' given more than once" -b "$B.comments" -b "$B.comments"
u "'--batch' given more than once" -b "$B.comments" --batch "$B.comments"
u "unexpected argument 'group' (with -b the commands are read from FILE)" \
	-b "$B.comments" group show
u "unknown option '-x'" -b "$B.comments" -x
u "-f needs -b FILE" -f group show
u "-f needs -b FILE" --force show
u "nlbadm: cannot open $TMP/none: No such file or directory" -b "$TMP/none"
u "nlbadm: $TMP: cannot read: Is a directory" -b "$TMP"
u "nlbadm: $B.bad:4: invalid sched 'lc' (expected rr, wrr, wlc, sh or maglev)" \
	-b "$B.bad"
u "Usage: nlbadm group add NAME" --batch "$B.bad"
u "nlbadm: $B.bad:4: invalid sched 'lc'" -j -s -p -b "$B.bad"
u "nlbadm: <stdin>:4: invalid sched 'lc'" -b - <"$B.bad"
u "nlbadm: <stdin>:4: invalid sched 'lc'" -s --batch - <"$B.bad"
# the first bad line ends the batch: the good line after it is not sent
u "nlbadm: $B.two:1: missing NAME" -b "$B.two"
u "nlbadm: $B.three:1: missing NAME" -b "$B.three"
lacks ":3:" "batch stops at the first bad line"
# -f: every line is run, the exit status is the largest
u "nlbadm: $B.three:3: missing NAME" -f -b "$B.three"
u "nlbadm: $B.three:4: invalid port 'x' (expected 0-65535)" \
	--force -b "$B.three"
for line in "apply x.conf" "import ipvs" "exporter" "top" \
	"monitor" "monitor count 1" "help" "-b $B.bad" "  -j group show" \
	'group add "web' 'group add "web"x' 'group add ""' "frob" "group frob" \
	"$(printf 'group add w\001\002b sched 0')" \
	"$(i=0; while [ $i -le 128 ]; do printf 'x '; i=$((i + 1)); done)"; do
	printf '#\n%s\n' "$line" >"$B.line"
	case $line in
	monitor*)	msg="'monitor' cannot be used in a batch file" ;;
	apply*)		msg="'apply' cannot be used in a batch file" ;;
	import*)	msg="'import' cannot be used in a batch file" ;;
	exporter)	msg="'exporter' cannot be used in a batch file" ;;
	top)		msg="'top' cannot be used in a batch file" ;;
	help)		msg="'help' cannot be used in a batch file" ;;
	-b*)		msg="option '-b' in a batch file (options go before -b)" ;;
	*-j*)		msg="option '-j' in a batch file" ;;
	*'"web')	msg="missing closing quote" ;;
	*'"x')		msg="closing quote not at the end of a word" ;;
	*'""')		msg="invalid NAME '' (expected 1-31 characters)" ;;
	frob)		msg="unknown object 'frob'" ;;
	"group frob")	msg="unknown group command 'frob'" ;;
	*"sched 0")	msg="invalid sched '0'" ;;
	*)		msg="more than 128 words" ;;
	esac
	u "nlbadm: $B.line:2: $msg" -b "$B.line"
done
printf '\ngroup add w\000b\n' >"$B.line"
u "nlbadm: $B.line:2: NUL character in the line" -b "$B.line"
printf '\r\ngroup frob\r\n' >"$B.line"
u "nlbadm: $B.line:2: unknown group command 'frob'" -b "$B.line"
printf '\n\ngroup add' >"$B.line"
u "nlbadm: $B.line:3: missing NAME" -b "$B.line"

# comments and blank lines only: nothing to do, no socket
for args in "-b $B.comments" "-j -s -b $B.comments" "-b /dev/null" \
	"-f -b /dev/null"; do
	n=$((n + 1))
	rm -f "$TMP/trace"
	# shellcheck disable=SC2086
	if ! $STRACE "$NLBADM" $args >"$TMP/out" 2>"$TMP/err" ||
	   [ -s "$TMP/err" ] || [ -s "$TMP/out" ] ||
	   { [ -n "$STRACE" ] && grep -q AF_NETLINK "$TMP/trace"; }; then
		echo "FAIL: nlbadm $args"
		fail=1
	fi
done

# help and version: exit 0, on stdout
for args in help --help -h "group help" "listener help" "backend help" \
	--version; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ! "$NLBADM" $args >"$TMP/out" 2>"$TMP/err" || [ -s "$TMP/err" ] ||
	   ! [ -s "$TMP/out" ]; then
		echo "FAIL: nlbadm $args"
		fail=1
	fi
done

# Without the module (or without netlink at all) valid commands exit 2.
if ! grep -qw nlb /proc/modules 2>/dev/null; then
	expect 2 'nlbadm: the nlb module is not loaded (generic netlink family "nlb" not found)' \
		group show
	expect 2 "not loaded" -j show
	expect 2 "not loaded" backend add web 192.0.2.10 port 80 weight 10
	# every new keyword with valid values gets past the checks
	for args in \
		"group add web sched wlc track on drain-timeout 2592000" \
		"group add web sched sh track off drain-timeout 0" \
		"group change web sched maglev" \
		"group change web sched rr affinity off" \
		"backend add web 192.0.2.10 state disabled health down" \
		"backend set web 198.18.1.2 port 80 health down" \
		"backend change web 2001:db8::10 state enabled health up" \
		"backend set web 192.0.2.10 weight 0" \
		"listener add http vip 198.51.100.1 proto tcp port 80 group web reject icmp persist 86400 persist-prefix4 32 persist-prefix6 128" \
		"listener change http reject drop" \
		"listener change http reject reset persist 0 persist-prefix4 0 persist-prefix6 0" \
		"listener change http group web2" \
		"monitor count 1" \
		"-j -s monitor"; do
		# shellcheck disable=SC2086
		expect 2 "not loaded" $args
	done
	expect 2 "not loaded" save
	expect 2 "not loaded" apply tests/apply/same.conf
	expect 2 "not loaded" import ipvs tests/import/ipvs/web-numeric.save
	expect 2 "not loaded" top --count 1
	# metrics without the module: nlb_up 0, exit 0
	n=$((n + 1))
	if ! "$NLBADM" metrics >"$TMP/out" 2>"$TMP/err" ||
	   ! grep -qx 'nlb_up 0' "$TMP/out"; then
		echo "FAIL: metrics without the module"
		fail=1
	fi
	# batch: the first line sent names its line, even with -f
	printf '# nlb\n\ngroup add web\ngroup add\n' >"$B.good"
	expect 2 "nlbadm: $B.good:3: the nlb module is not loaded" -b "$B.good"
	expect 2 "nlbadm: <stdin>:3: the nlb module is not loaded" \
		-j -s -b - <"$B.good"
	expect 2 "nlbadm: $B.two:2: the nlb module is not loaded" -f -b "$B.two"
	expect 2 "nlbadm: $B.two:1: missing NAME" -f -b "$B.two"
	lacks ":3:" "batch -f stops when the module is not loaded"
	for line in "show" "flush" "group show" "backend show web" \
		"listener add l1 vip 192.0.2.1 proto tcp port 80 group web" \
		"backend add web 10.0.0.1 port 80 weight 5" \
		"group add web sched wrr"; do
		printf '%s\n' "$line" >"$B.line"
		expect 2 "nlbadm: $B.line:1: the nlb module is not loaded" \
			-b "$B.line"
	done
fi

if [ "$fail" -eq 0 ]; then
	echo "cli: $n tests passed"
fi
exit $fail
