#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The namespace's limits, memory accounting, the background census and
# batches of backends.
#
#  1. limits (module parameters max_listeners, max_groups, max_backends):
#     the request past one is refused with a message naming it and changes
#     nothing, a batch past it is refused whole;
#  2. memory accounting: groups with maglev pools created by a task in a
#     memory cgroup are charged to that cgroup, and uncharged when deleted;
#  3. the census: reads never walk (an unprivileged user cannot ask for a
#     census, census-run is EPERM; info-get works and says how old the
#     census is); root's -s show counts connections opened just before; the
#     background census alone (no census-run) follows connections that end;
#  4. batches: 2000 backend lines of nlbadm -b go in two requests; a batch
#     with a bad line changes nothing and names the line; a backend named
#     twice in a batch is refused; raw requests mixing a top-level backend
#     and entries are refused;
#  5. a server group holds at most 65535 backends per IP version (maglev
#     table entries are 16-bit): 65535 IPv4 backends of weight 1 in a
#     maglev group are accepted, the next one refused (nothing changes),
#     an IPv6 one accepted.
# Refusals must leave the configuration as the kernel dumps it (raw dumps,
# every attribute) unchanged.
#
#   c4 192.0.2.2 -----+    +---------------------------+
#                     +----+ lb: nlb, limits, census,  +----- b1 198.18.1.2
#                          |     batches               |      (echo 9000)
#                          +---------------------------+

here=$(cd "$(dirname "$0")" && pwd)
NS_PREFIX=nlbl
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"
NLRAW=$top/selftests/nlraw.py

require ip socat python3 strace setpriv
[ -x "$NLBADM" ] || { echo "1..0 # SKIP no nlbadm at $NLBADM"; exit $KSFT_SKIP; }

params=/sys/module/nlb/parameters
saved=()
cg=
cleanup() {
	local kv
	hold_stop h
	for kv in "${saved[@]}"; do
		echo "${kv#*=}" >"$params/${kv%%=*}"
	done
	saved=()
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
	cg=
	topo_cleanup
}
trap 'cleanup; nlb_unload_quiet' EXIT

# set_param NAME VALUE: set a module parameter, restored at the end.
set_param() {
	saved+=("$1=$(cat "$params/$1")")
	echo "$2" >"$params/$1"
}

# raw_snap: the configuration as the kernel dumps it (every attribute, not
# nlbadm's view of it), without the counters' stats nests, which the
# background census may refresh in between
raw_snap() {
	printf '%s\n' "--dump listener-get" "--dump group-get" "--dump backend-get" |
		nsexec "$P-lb" python3 -S -E "$NLRAW" --batch - |
		sed -E 's/ stats=\{[^}]*\}//; s/^(ok [0-9]+ objects) in [0-9]+ datagrams$/\1/'
}

# refused DESC MESSAGE COMMAND...: the command fails with exit status 2 and
# the kernel's message, and the configuration is unchanged.
refused() {
	local desc=$1 msg=$2 before after out rc
	shift 2
	before=$(raw_snap)
	out=$(nlb "$@" 2>&1)
	rc=$?
	after=$(raw_snap)
	if [ "$rc" -eq 2 ] && [[ $out == *"$msg"* ]] && [ "$before" = "$after" ]; then
		tap_result 0 "$desc"
	else
		tap_result 1 "$desc"
		diag "exit $rc, output: $out"
		[ "$before" = "$after" ] || diag "the configuration changed"
	fi
}

tap_begin
nlb_load || tap_bail "cannot load nlb"
topo_setup 1
start_echo "$P-b1" b1 9000
sleep 1

# ---- 1. limits
nlb group add g0
set_param max_groups 3
check "limits: groups up to max_groups" -- \
	nlb -b - <<<$'group add g1\ngroup add g2'
refused "limits: a group past max_groups is refused, nothing changes" \
	"module parameter max_groups" group add g3
set_param max_listeners 1
nlb listener add l1 vip "$VIP4" proto tcp port 9000 group g0
refused "limits: a listener past max_listeners is refused" \
	"module parameter max_listeners" listener add l2 vip "$VIP4" \
	proto tcp port 9001 group g0
set_param max_backends 4
check "limits: backends up to max_backends" -- \
	nlb -b - <<<$'backend add g1 10.0.0.1\nbackend add g1 10.0.0.2\nbackend add g2 10.0.0.3'
batch=$(printf 'backend add g2 10.0.1.%d\n' 1 2)
before=$(raw_snap)
out=$(nlb -b - <<<"$batch" 2>&1)
rc=$?
check_eq "limits: a batch past max_backends is refused whole, naming its line" \
	"$rc $([ "$before" = "$(raw_snap)" ] && echo same) $([[ $out == *"<stdin>:2:"*"max_backends"* ]] && echo line2)" \
	"2 same line2"
[ "$rc" -eq 2 ] || diag "$out"
nlb flush
for kv in "${saved[@]}"; do
	echo "${kv#*=}" >"$params/${kv%%=*}"
done
saved=()

# ---- 2. memory accounting
if ! grep -qw cgroup2 /proc/filesystems; then
	tap_skip "memory accounting" "no cgroup2 in this kernel"
else
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
	if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
		tap_skip "memory accounting" "no memory controller"
	else
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control
		cg=/sys/fs/cgroup/nlbtest
		mkdir -p "$cg"
		conf=$(for i in $(seq 1 24); do
			echo "group add m$i sched maglev"
			echo "backend add m$i 10.1.0.$i"
		done)
		# The kernel memory charged to the cgroup that is not page cache
		# (which the commands' binaries add): vmalloc (maglev tables,
		# pools), slab and percpu (the objects, their counters).
		kmem() {
			awk '$1 == "vmalloc" || $1 == "slab" || $1 == "percpu" {
				s += $2 } END { print s + 0 }' "$cg/memory.stat"
		}
		kmem_below() {
			[ "$(kmem)" -lt "$1" ] && echo yes || echo no
		}
		before=$(kmem)
		# A shell in the cgroup runs nlbadm in the test namespace (ip
		# netns exec mounts a sysfs of its own, without the cgroup
		# file system: the shell joins the cgroup first); the objects
		# stay charged after it exits.
		bash -c "echo \$\$ >$cg/cgroup.procs &&
			exec ip netns exec $P-lb $NLBADM -b -" <<<"$conf"
		sleep 1
		after=$(kmem)
		# 24 maglev tables of 65537 u16 entries: over 3 MiB.
		check "memory accounting: 24 maglev groups charge the cgroup over 3 MiB" \
			-- test $((after - before)) -gt $((3 * 1024 * 1024))
		diag "kernel memory of the cgroup: $before -> $after"
		nlb flush
		v=$(wait_for 20 yes kmem_below $((before + 1024 * 1024)))
		check_eq "memory accounting: deleting them uncharges it" "$v" yes
		diag "kernel memory of the cgroup after the flush: $(kmem)"
	fi
fi

# ---- 3. the census
nlb group add g
nlb backend add g "$(backend4 1)"
nlb listener add echo vip "$VIP4" proto tcp port 9000 group g
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
out=$(nsexec "$P-lb" $NOBODY python3 "$NLRAW" census-run 2>&1)
check "census: an unprivileged census-run is refused (EPERM)" -- \
	grep -q "EPERM" <<<"$out"
[[ $out == *EPERM* ]] || diag "$out"
out=$(nsexec "$P-lb" $NOBODY "$NLBADM" -j info 2>&1)
check "census: info needs no privilege" -- grep -q '"max_groups"' <<<"$out"
hold_start h "$P-c4" "$VIP4" 9000
hold h "open 20" >/dev/null
check_eq "census: root's -s show counts the 20 connections just opened" \
	"$(nlb_eval 'S(L("echo"), "active")' 'j["info"]["census_age_ms"] < 2000')" \
	$'20\nTrue'
hold h "close $(seq -s ' ' 1 10)" >/dev/null
# Without census-run: unprivileged reads see the background census.
v=$(wait_for 10 10 sh -c "ip netns exec $P-lb $NOBODY $NLBADM -j -s show | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"listeners\"][0][\"stats\"][\"active\"])'")
check_eq "census: the background census follows 10 connections ending" "$v" 10
hold_stop h
out=$(nsexec "$P-lb" $NOBODY "$NLBADM" -j info)
read -r age took <<<"$(python3 -c 'import json,sys; i = json.loads(sys.argv[1])[0]; print(i["census_age_ms"], i["census_duration_us"] // 1000)' "$out")"
# While read, a census starts a second (or four durations) after the last.
check "census: info reports the census age (within the bound while read)" -- \
	test "$age" -le $((1000 + 5 * took + 500))
diag "census age $age ms, last census $took ms"

# ---- 4. batches
nlb flush
nlb group add big ipversion dualstack
seq 1 2000 | awk '{printf "backend add big 10.%d.%d.%d port 80 weight %d\n", int($1 / 65536) + 2, int($1 / 256) % 256, $1 % 256, $1 % 7}' >/tmp/nlbl-batch
strace -f -e trace=sendmsg,sendto -o /tmp/nlbl-strace \
	ip netns exec "$P-lb" "$NLBADM" -b /tmp/nlbl-batch
check_eq "batch: 2000 backend lines are added" \
	"$(nlb_eval 'G("big")["backends4"]')" 2000
sends=$(grep -c 'sendmsg\|sendto' /tmp/nlbl-strace)
check "batch: ... in a handful of requests, not 2000 ($sends sends)" -- \
	test "$sends" -gt 0 -a "$sends" -lt 10
{
	echo "backend add big 10.9.0.1"
	echo "backend add big 10.9.0.2"
	echo "backend add big 10.9.0.3 weight 300"
} >/tmp/nlbl-bad
before=$(nlb -j show)
out=$(nlb -b /tmp/nlbl-bad 2>&1)
check_eq "batch: a usage error in line 3 applies lines 1-2, names line 3" \
	"$(nlb_eval 'G("big")["backends4"]')/$([[ $out == *nlbl-bad:3:* ]] && echo named)" \
	"2002/named"
printf 'backend add big 10.9.1.%d\n' $(seq 1 10) >/tmp/nlbl-bad
echo "backend add big 2001:db8:99::1 port 0 weight 1 state enabled health up" >>/tmp/nlbl-bad
nlb group add v4only
sed -i 's/ big / v4only /' /tmp/nlbl-bad
before=$(raw_snap)
out=$(nlb -b /tmp/nlbl-bad 2>&1)
rc=$?
check_eq "batch: a refused entry fails its batch whole, naming its line" \
	"$rc $([ "$before" = "$(raw_snap)" ] && echo same) $([[ $out == *nlbl-bad:11:*"ipv4 server group"* ]] && echo line11)" \
	"2 same line11"
[ "$rc" -eq 2 ] || diag "$out"
refused "batch: a backend named twice in one batch is refused" \
	"names this backend twice" -b - <<<$'backend add v4only 10.9.2.1\nbackend add v4only 10.9.2.1 port 0'
out=$(nsexec "$P-lb" python3 "$NLRAW" backend-add group=str:v4only \
	addr4=ipv4:10.9.3.1 entry=nest:addr4=ipv4:10.9.3.2 2>&1)
check "batch: a top-level backend and entries together are refused" -- \
	grep -q "EINVAL" <<<"$out"
[[ $out == *EINVAL* ]] || diag "$out"

# ---- 5. 65535 backends per IP version in one group
nlb flush
set_param max_backends 70000
max=65535
check "per family: group full (dualstack, maglev)" -- \
	nlb group add full ipversion dualstack sched maglev
awk -v n=$max 'BEGIN {for (i = 1; i <= n; i++)
	printf "backend add full 10.%d.%d.%d\n", int(i / 65536) + 100, int(i / 256) % 256, i % 256}' \
	>/tmp/nlbl-full
start=$SECONDS
check "per family: $max IPv4 backends of weight 1 added (nlbadm -b)" -- \
	nlb -b /tmp/nlbl-full
diag "$max backends in $((SECONDS - start)) s"
counts() {
	nsexec "$P-lb" python3 -S -E "$NLRAW" group-get name=str:full |
		sed -nE 's/.* backends4=([0-9]+) backends6=([0-9]+) .*/\1 \2/p'
}
check_eq "per family: the group counts $max IPv4 backends" "$(counts)" "$max 0"
before=$(counts)
out=$(nlb backend add full 10.200.0.1 2>&1)
rc=$?
check_eq "per family: IPv4 backend $((max + 1)) refused (exit 2, the reason)" \
	"$rc $out" "2 nlbadm: a server group holds at most 65535 backends per IP version (attribute address)"
check_eq "per family: ... and nothing changed" "$(counts)" "$before"
check "per family: an IPv6 backend is accepted (the limit is per IP version)" -- \
	nlb backend add full 2001:db8:99::1
check_eq "per family: the group counts $max IPv4 backends and 1 IPv6" "$(counts)" "$max 1"
start=$SECONDS
check "per family: the group with its $((max + 1)) backends deleted" -- \
	nlb group del full
diag "group del in $((SECONDS - start)) s"

tap_end
