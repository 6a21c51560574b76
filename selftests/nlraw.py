#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nlraw.py: a raw generic netlink client for the "nlb" family (stdlib only).

It sends exactly the bytes it is told to, so that the kernel's own request
validation (policies, handlers) can be tested without nlbadm in between.
Its numbers are pinned below (ABI), not read from uapi/linux/nlb.h: the
module is built from that header, so a renumbering there would otherwise
go unnoticed. --check-abi compares the pins with the header, and the
server's "abi" command with the running module's ops and policies.

  nlraw.py [OPTIONS] CMD [ATTR=TYPE:VALUE ...]
  nlraw.py [OPTIONS] --batch FILE      one request per line ('-': stdin)
  nlraw.py --serve                     commands on stdin (see below)
  nlraw.py --monitor [--count N] [--timeout S]
                                       print notifications ("monitoring"
                                       first, once subscribed)
  nlraw.py --check-abi HEADER          pins against a uapi header

CMD      a command name, as "group-add", "GROUP_ADD" or "NLB_CMD_GROUP_ADD",
         or a number (any 0-255, to send invalid ones).
ATTR     an attribute number, or a name of the command's attribute set
         (listener, group or backend: from the command name), as "name",
         "vip4" or "NLB_A_LISTENER_NAME"; "stats" attributes use NLB_A_STATS_*.
TYPE     u8 u16 u32 u64 (decimal or 0x..), be16 be32, ipv4 (dotted quad, as a
         be32), ipv6, str (NUL added), strnonul (no NUL), bin (hex bytes,
         "" for none), nest (VALUE empty, or ATTR=TYPE:VALUE,... inside,
         NLA_F_NESTED set), nestnf (the same without NLA_F_NESTED).

Options:
  --dump            NLM_F_DUMP (same as --flags dump)
  --flags F[,F..]   extra nlmsg flags: dump, root, match, atomic, replace,
                    excl, create, append, noack (drops the default NLM_F_ACK),
                    or a number
  --version N       genl header version (default: the pinned version, 1)
  --trailing HEX    raw bytes appended after the attributes
  --quiet           print only the final status line of each request

Output, per request: each reply object on one line,
  "<cmd> attr=value ..." (values printed by name and length: "name" and
  "group" as strings, addr4/vip4/addr6/vip6 as addresses, stats as {...},
  1/2/4/8 bytes as numbers, else NUL-terminated text or hex; attributes
  not pinned here by number, with their bytes in hex), then:
  "ok", "ok <n> objects in <m> datagrams" (dumps), or
  "error <ERRNO> <extack message>" with, if the kernel gave them,
  "extack-offset <n>" and "extack-missing-type <n>" lines.
  "dump-interrupted" is printed if a reply had NLM_F_DUMP_INTR.

Server (--serve): one command a line; the output of each ends with a line
"@end". Many checks in one process (every exec is slow in the debug VM).
  ns NAME                 later commands in network namespace NAME
                          (/run/netns/NAME; "." the one it started in)
  req REQUEST             REQUEST as on the command line
  snap [NS]               the raw dumps of listeners, groups and backends
                          (of namespace NS, which becomes the current one),
                          their status lines as "ok N objects"
  expect DESC<TAB>WANT<TAB>REQUEST
                          a test point "ok - DESC" or "not ok - DESC" (and
                          "#" lines why); WANT: "error ERRNO [MSG]" (MSG a
                          substring of the extack message, "*" any, none:
                          no message) for a refusal, which must also leave
                          the snapshot unchanged; "ok" for a request that
                          is acked; "out:TEXT" for exact output, "\\n" for
                          newlines (a line "ok N objects" matches a dump's
                          status line with any number of datagrams); "has:LINE" for a line of the output
                          (and if refused, the snapshot unchanged)
  batch FILE              every request of FILE (one a line): prints the
                          refused ones and "batch: N requests, K refused"
  reset                   close every socket (after a module reload)
  monitor                 subscribe to the monitor group (this namespace)
  events [N [SECONDS]]    the notifications received, waiting up to
                          SECONDS (default 5) until there are N; with N 0
                          (the default, then 0.5 s) all within SECONDS
  abi                     the running module's family, multicast groups,
                          ops and their policies against the pins: "ok"
                          or the differences
  dumpintr DUMP-CMD<TAB>REQUEST
                          a dump whose later parts see the change REQUEST
                          (from another socket) made after the first part
  quit

Exit status: 0 all requests acked, 2 a request was refused (or the family
is missing), 1 usage error of nlraw.py itself, 3 --check-abi differences.
"""
import ctypes
import errno
import os
import re
import select
import shlex
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_EXT_ACK = 11

NLMSG_ERROR = 2
NLMSG_DONE = 3

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP_INTR = 0x10
NLM_F_ROOT = 0x100
NLM_F_MATCH = 0x200
NLM_F_ATOMIC = 0x400
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_REPLACE = 0x100
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_APPEND = 0x800
# flags of an NLMSG_ERROR (ack) message
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200

NLA_F_NESTED = 0x8000

NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_CMD_GETPOLICY = 10
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_VERSION = 3
CTRL_ATTR_OPS = 6
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_POLICY = 8
CTRL_ATTR_OP_POLICY = 9
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_OP_FLAGS = 2
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
CTRL_ATTR_POLICY_DO = 1
CTRL_ATTR_POLICY_DUMP = 2
NL_POLICY_TYPE_ATTR_TYPE = 1
NL_POLICY_TYPE_ATTR_MIN_LENGTH = 6
NL_POLICY_TYPE_ATTR_MAX_LENGTH = 7
POLICY_TYPES = {1: "flag", 2: "u8", 3: "u16", 4: "u32", 5: "u64", 6: "s8",
                7: "s16", 8: "s32", 9: "s64", 10: "binary", 11: "string",
                12: "nul-string", 13: "nested", 14: "nested-array",
                15: "bitfield32", 16: "sint", 17: "uint"}
# genl op flags (include/uapi/linux/genetlink.h)
OP_FLAGS = {0x1: "admin", 0x2: "do", 0x4: "dump", 0x8: "policy",
            0x10: "uns-admin"}

CLONE_NEWNET = 0x40000000

FLAG_NAMES = {
    "dump": NLM_F_DUMP, "root": NLM_F_ROOT, "match": NLM_F_MATCH,
    "atomic": NLM_F_ATOMIC, "replace": NLM_F_REPLACE, "excl": NLM_F_EXCL,
    "create": NLM_F_CREATE, "append": NLM_F_APPEND,
}

# ---- the ABI, pinned ----
#
# The numbers of uapi/linux/nlb.h as released (family version 1). Numbers
# are never changed or reused: new attributes, commands and values are
# appended, and pinned here when they are (--check-abi fails on a header
# value not pinned here, on a pinned name the header lacks and on any
# difference).
ABI = {
    "NLB_FAMILY_NAME": "nlb",
    "NLB_FAMILY_VERSION": 1,
    "NLB_NAME_MAX_LEN": 31,
    "NLB_MCGRP_MONITOR": "monitor",
    "NLB_IPVERSION_IPV4": 1, "NLB_IPVERSION_DUALSTACK": 2,
    "NLB_SCHED_RR": 1, "NLB_SCHED_WRR": 2, "NLB_SCHED_WLC": 3,
    "NLB_SCHED_SH": 4, "NLB_SCHED_MAGLEV": 5,
    "NLB_REJECT_RESET": 1, "NLB_REJECT_ICMP": 2, "NLB_REJECT_DROP": 3,
    "NLB_EVENT_ADD": 1, "NLB_EVENT_CHANGE": 2, "NLB_EVENT_DEL": 3,
    "NLB_EVENT_DRAINED": 4,
    "NLB_PROTO_TCP": 6, "NLB_PROTO_UDP": 17, "NLB_PROTO_ICMP": 1,
    "NLB_AFFINITY_OFF": 0, "NLB_AFFINITY_ON": 1, "NLB_AFFINITY_PREFER": 2,
    "NLB_XLAT_SRC6_EMBED": 1, "NLB_XLAT_SRC6_POOL": 2,
    "NLB_PROXY_OFF": 0, "NLB_PROXY_V2": 1,
    "NLB_A_STATS_PAD": 1, "NLB_A_STATS_CONNS": 2,
    "NLB_A_STATS_DROP_NO_BACKEND": 3, "NLB_A_STATS_ACTIVE": 4,
    "NLB_A_STATS_IN_PACKETS": 5, "NLB_A_STATS_IN_BYTES": 6,
    "NLB_A_STATS_OUT_PACKETS": 7, "NLB_A_STATS_OUT_BYTES": 8,
    "NLB_A_STATS_DROP_ERROR": 9, "NLB_A_STATS_PERSISTED": 10,
    "NLB_A_STATS_FAILOPEN": 11, "NLB_A_STATS_DRAINED": 12,
    "NLB_A_STATS_TRANSLATED": 13, "NLB_A_STATS_FAILOVER_FAMILY": 14,
    "NLB_A_STATS_DROP_POOL": 15, "NLB_A_STATS_PROXIED": 16,
    "NLB_A_LISTENER_NAME": 1, "NLB_A_LISTENER_VIP4": 2,
    "NLB_A_LISTENER_VIP6": 3, "NLB_A_LISTENER_PROTO": 4,
    "NLB_A_LISTENER_PORT": 5, "NLB_A_LISTENER_GROUP": 6,
    "NLB_A_LISTENER_STATS": 7, "NLB_A_LISTENER_REJECT": 8,
    "NLB_A_LISTENER_PERSIST_TIMEOUT": 9, "NLB_A_LISTENER_PERSIST_PREFIX4": 10,
    "NLB_A_LISTENER_PERSIST_PREFIX6": 11, "NLB_A_LISTENER_EVENT": 12,
    "NLB_A_GROUP_NAME": 1, "NLB_A_GROUP_IPVERSION": 2,
    "NLB_A_GROUP_AFFINITY": 3, "NLB_A_GROUP_SCHED": 4,
    "NLB_A_GROUP_BACKENDS4": 5, "NLB_A_GROUP_BACKENDS6": 6,
    "NLB_A_GROUP_LISTENERS": 7, "NLB_A_GROUP_STATS": 8,
    "NLB_A_GROUP_TRACK": 9, "NLB_A_GROUP_DRAIN_TIMEOUT": 10,
    "NLB_A_GROUP_EVENT": 11, "NLB_A_GROUP_ACCT": 12,
    "NLB_A_GROUP_OFFLOAD": 13, "NLB_A_GROUP_POOL4_FIRST": 14,
    "NLB_A_GROUP_POOL4_LAST": 15, "NLB_A_GROUP_POOL6_FIRST": 16,
    "NLB_A_GROUP_POOL6_LAST": 17, "NLB_A_GROUP_POOL_PORT_MIN": 18,
    "NLB_A_GROUP_POOL_PORT_MAX": 19, "NLB_A_GROUP_PREFIX6": 20,
    "NLB_A_GROUP_SRC6": 21, "NLB_A_GROUP_POOL4_USED": 22,
    "NLB_A_GROUP_POOL4_SIZE": 23, "NLB_A_GROUP_POOL6_USED": 24,
    "NLB_A_GROUP_POOL6_SIZE": 25, "NLB_A_GROUP_PROXY": 26,
    "NLB_A_BACKEND_GROUP": 1, "NLB_A_BACKEND_ADDR4": 2,
    "NLB_A_BACKEND_ADDR6": 3, "NLB_A_BACKEND_PORT": 4,
    "NLB_A_BACKEND_WEIGHT": 5, "NLB_A_BACKEND_STATS": 6,
    "NLB_A_BACKEND_ENABLED": 7, "NLB_A_BACKEND_HEALTHY": 8,
    "NLB_A_BACKEND_DRAINING": 9, "NLB_A_BACKEND_DRAIN_LEFT": 10,
    "NLB_A_BACKEND_EVENT": 11, "NLB_A_BACKEND_ENTRY": 12,
    "NLB_A_INFO_PAD": 1, "NLB_A_INFO_LISTENERS": 2, "NLB_A_INFO_GROUPS": 3,
    "NLB_A_INFO_BACKENDS": 4, "NLB_A_INFO_MAX_LISTENERS": 5,
    "NLB_A_INFO_MAX_GROUPS": 6, "NLB_A_INFO_MAX_BACKENDS": 7,
    "NLB_A_INFO_CENSUS_AGE": 8, "NLB_A_INFO_CENSUS_DURATION": 9,
    "NLB_A_INFO_CENSUS_PASSES": 10, "NLB_A_INFO_CENSUS_CONNS": 11,
    "NLB_A_INFO_MAX_AGE": 12, "NLB_A_INFO_XLAT_DROPS": 13,
    "NLB_A_XLAT_DROPS_PAD": 1, "NLB_A_XLAT_DROPS_TRUNCATED": 2,
    "NLB_A_XLAT_DROPS_BAD_LEN": 3, "NLB_A_XLAT_DROPS_BAD_HDR": 4,
    "NLB_A_XLAT_DROPS_BAD_CSUM": 5, "NLB_A_XLAT_DROPS_HOP_LIMIT": 6,
    "NLB_A_XLAT_DROPS_SOURCE_ROUTE": 7,
    "NLB_A_XLAT_DROPS_UNSUPPORTED_EXTHDR": 8,
    "NLB_A_XLAT_DROPS_UNSUPPORTED_PROTO": 9, "NLB_A_XLAT_DROPS_FRAGMENT": 10,
    "NLB_A_XLAT_DROPS_GSO": 11, "NLB_A_XLAT_DROPS_ICMP_DROP": 12,
    "NLB_A_XLAT_DROPS_ICMP_INNER": 13, "NLB_A_XLAT_DROPS_TOO_BIG": 14,
    "NLB_A_XLAT_DROPS_NOMEM": 15, "NLB_A_XLAT_DROPS_NO_ROUTE": 16,
    "NLB_A_XLAT_DROPS_ORPHAN": 17,
    "NLB_CMD_LISTENER_ADD": 1, "NLB_CMD_LISTENER_CHANGE": 2,
    "NLB_CMD_LISTENER_DEL": 3, "NLB_CMD_LISTENER_GET": 4,
    "NLB_CMD_GROUP_ADD": 5, "NLB_CMD_GROUP_CHANGE": 6,
    "NLB_CMD_GROUP_DEL": 7, "NLB_CMD_GROUP_GET": 8,
    "NLB_CMD_BACKEND_ADD": 9, "NLB_CMD_BACKEND_CHANGE": 10,
    "NLB_CMD_BACKEND_DEL": 11, "NLB_CMD_BACKEND_GET": 12,
    "NLB_CMD_LISTENER_NTF": 13, "NLB_CMD_GROUP_NTF": 14,
    "NLB_CMD_BACKEND_NTF": 15, "NLB_CMD_INFO_GET": 16,
    "NLB_CMD_CENSUS_RUN": 17,
    # health checks
    "NLB_HEALTH_TEXT_MAX_LEN": 31, "NLB_HTTP_TEXT_MAX_LEN": 255,
    "NLB_UDP_PAYLOAD_MAX_LEN": 512,
    "NLB_CHECK_NONE": 0, "NLB_CHECK_TCP": 1, "NLB_CHECK_HTTP": 2,
    "NLB_CHECK_UDP": 3, "NLB_CHECK_AGENT": 4,
    "NLB_EVENT_FAILED": 5,
    "NLB_A_STATS_FAIL_RESET": 17, "NLB_A_STATS_FAIL_TIMEOUT": 18,
    "NLB_A_GROUP_HEALTH": 27, "NLB_A_GROUP_PASSIVE": 28,
    "NLB_A_GROUP_PASSIVE_TIMEOUT": 29,
    "NLB_A_BACKEND_PAD": 13, "NLB_A_BACKEND_AGENT_WEIGHT": 14,
    "NLB_A_BACKEND_REASON": 15, "NLB_A_BACKEND_PROBE": 16,
    "NLB_A_BACKEND_PROBE_OK": 17, "NLB_A_BACKEND_PROBE_TIME": 18,
    "NLB_A_BACKEND_HEALTH_TIME": 19,
    "NLB_A_HEALTH_TYPE": 1, "NLB_A_HEALTH_PORT": 2,
    "NLB_A_HEALTH_INTERVAL": 3, "NLB_A_HEALTH_TIMEOUT": 4,
    "NLB_A_HEALTH_RISE": 5, "NLB_A_HEALTH_FALL": 6,
    "NLB_A_HEALTH_HTTP_PATH": 7, "NLB_A_HEALTH_HTTP_HOST": 8,
    "NLB_A_HEALTH_HTTP_STATUS": 9, "NLB_A_HEALTH_UDP_PAYLOAD": 10,
    "NLB_A_HEALTH_UDP_REPLY": 11, "NLB_A_HEALTH_PASSIVE_FAILS": 12,
    "NLB_A_HEALTH_PASSIVE_WINDOW": 13,
}
# The attribute set of a command whose name does not start with it.
CMD_SETS = {"NLB_CMD_CENSUS_RUN": "info"}

# What the running module must say about itself (CTRL_CMD_GETFAMILY and
# CTRL_CMD_GETPOLICY): per command, its flags and the attributes of its
# "do" policy (attribute names of the command's set, so numbers above).
# Permission flags and the attribute types are ABI as much as the numbers.
NAME31 = "nul-string<=%d" % ABI["NLB_NAME_MAX_LEN"]
LISTENER_ATTRS = ("name:%s vip4:u32 vip6:binary=16 proto:u8 port:u16 "
                  "group:%s reject:u8 persist-timeout:u32 persist-prefix4:u8 "
                  "persist-prefix6:u8" % (NAME31, NAME31))
GROUP_ATTRS = ("name:%s ipversion:u8 affinity:u8 sched:u8 track:u8 "
               "drain-timeout:u32 acct:u8 offload:u8 pool4-first:u32 "
               "pool4-last:u32 pool6-first:binary=16 pool6-last:binary=16 "
               "pool-port-min:u16 pool-port-max:u16 prefix6:binary=16 "
               "src6:u8 proxy:u8 health:nested passive:u8 "
               "passive-timeout:u32" % NAME31)
BACKEND_KEY = "group:%s addr4:u32 addr6:binary=16 port:u16" % NAME31
BACKEND_ATTRS = BACKEND_KEY + " weight:u32 enabled:u8 healthy:u8 entry:nested"
KERNEL_OPS = {
    "listener-add": ("do policy uns-admin", LISTENER_ATTRS),
    "listener-change": ("do policy uns-admin", LISTENER_ATTRS),
    "listener-del": ("do policy uns-admin", "name:" + NAME31),
    "listener-get": ("do dump policy", "name:" + NAME31),
    "group-add": ("do policy uns-admin", GROUP_ATTRS),
    "group-change": ("do policy uns-admin", GROUP_ATTRS),
    "group-del": ("do policy uns-admin", "name:" + NAME31),
    "group-get": ("do dump policy", "name:" + NAME31),
    "backend-add": ("do policy uns-admin", BACKEND_ATTRS),
    "backend-change": ("do policy uns-admin", BACKEND_ATTRS +
                       " agent-weight:u8 reason:" + NAME31 + " probe:" +
                       NAME31 + " probe-ok:u8"),
    "backend-del": ("do policy uns-admin", BACKEND_KEY + " entry:nested"),
    "backend-get": ("do dump policy", BACKEND_KEY),
    "info-get": ("do policy", "max-age:u32"),
    "census-run": ("do policy uns-admin", "max-age:u32"),
}


class UsageError(Exception):
    pass


def parse_header(path):
    """{name: value} of the defines and enums of a uapi header."""
    with open(path) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    consts = {}
    for m in re.finditer(r"#define\s+(NLB_\w+)\s+(\"[^\"]*\"|\d+)", text):
        v = m.group(2)
        consts[m.group(1)] = v.strip('"') if v[0] == '"' else int(v)
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
        val = -1
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name, expr = name.strip(), expr.strip()
            if expr:
                m = re.fullmatch(r"\(?\s*(\w+)\s*(?:-\s*(\d+))?\s*\)?", expr)
                if not m:
                    raise ValueError("cannot evaluate enum value " + expr)
                tok = m.group(1)
                base = int(tok, 0) if tok[0].isdigit() else consts[tok]
                val = base - int(m.group(2) or 0)
            else:
                val += 1
            consts[name] = val
    return consts


def check_abi(header):
    """Differences between the pins and a header, one line each."""
    consts = parse_header(header)
    # not the enums' MAX sentinels (__X_MAX and X_MAX = __X_MAX - 1)
    got = {k: v for k, v in consts.items()
           if not k.startswith("__") and "__" + k not in consts}
    out = []
    for k in sorted(set(got) | set(ABI)):
        if k not in got:
            out.append("%s is pinned (%r) but not in %s" % (k, ABI[k], header))
        elif k not in ABI:
            out.append("%s = %r is not pinned: append it to ABI in "
                       "selftests/nlraw.py" % (k, got[k]))
        elif got[k] != ABI[k]:
            out.append("%s is %r in %s, pinned %r: numbers are never changed"
                       % (k, got[k], header, ABI[k]))
    return out


class Uapi:
    """Names and values of the pinned ABI."""

    def __init__(self):
        self.consts = dict(ABI)
        self.cmds = {k[len("NLB_CMD_"):]: v for k, v in self.consts.items()
                     if k.startswith("NLB_CMD_")}
        self.cmd_names = {v: k for k, v in self.cmds.items()}
        self.family = self.consts["NLB_FAMILY_NAME"]
        self.version = self.consts["NLB_FAMILY_VERSION"]
        self.mcgrp = self.consts["NLB_MCGRP_MONITOR"]

    def attrs(self, aset):
        """{lower-case-dashed name: number} of an attribute set."""
        pre = "NLB_A_%s_" % aset.upper().replace("-", "_")
        return {k[len(pre):].lower().replace("_", "-"): v
                for k, v in self.consts.items() if k.startswith(pre)}

    def cmd(self, word):
        if re.fullmatch(r"\d+|0x[0-9a-fA-F]+", word):
            return int(word, 0)
        key = word.upper().replace("-", "_")
        if key.startswith("NLB_CMD_"):
            key = key[len("NLB_CMD_"):]
        if key not in self.cmds:
            raise UsageError("unknown command '%s' (known: %s)" % (
                word, ", ".join(sorted(k.lower().replace("_", "-")
                                       for k in self.cmds))))
        return self.cmds[key]

    def cmd_name(self, cmd):
        name = self.cmd_names.get(cmd)
        return name.lower().replace("_", "-") if name else str(cmd)

    def set_of(self, cmd):
        """The attribute set of a command number: its first word."""
        name = self.cmd_names.get(cmd)
        if not name:
            return None
        return CMD_SETS.get("NLB_CMD_" + name, name.split("_")[0].lower())


# ---- attributes ----

def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    return hdr + payload + b"\0" * ((-len(payload)) % 4)


def parse_hex(s):
    s = s.replace(":", "").replace(" ", "")
    if s.startswith("0x"):
        s = s[2:]
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise UsageError("bad hex '%s'" % s)


def parse_int(s, bits):
    try:
        v = int(s, 0)
    except ValueError:
        raise UsageError("bad number '%s'" % s)
    if not -(1 << (bits - 1)) <= v < (1 << bits):
        raise UsageError("%s does not fit in %d bits" % (s, bits))
    return v & ((1 << bits) - 1)


def split_top(s, sep):
    """Split on sep outside of {...} or [...]."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def encode_attr(uapi, aset, spec):
    """ATTR=TYPE:VALUE -> bytes."""
    if "=" not in spec or ":" not in spec.split("=", 1)[1]:
        raise UsageError("bad attribute '%s' (expected ATTR=TYPE:VALUE)"
                         % spec)
    name, rest = spec.split("=", 1)
    typ, value = rest.split(":", 1)
    names = uapi.attrs(aset) if aset else {}
    key = name.lower().replace("_", "-")
    pre = "nlb-a-%s-" % aset if aset else None
    if pre and key.startswith(pre):
        key = key[len(pre):]
    if re.fullmatch(r"\d+", name):
        atype = int(name)
    elif key in names:
        atype = names[key]
    else:
        raise UsageError("unknown attribute '%s' of set %s (known: %s)"
                         % (name, aset, ", ".join(sorted(names))))
    if typ in ("u8", "u16", "u32", "u64"):
        bits = int(typ[1:])
        fmt = {8: "=B", 16: "=H", 32: "=I", 64: "=Q"}[bits]
        payload = struct.pack(fmt, parse_int(value, bits))
    elif typ in ("be16", "be32"):
        bits = int(typ[2:])
        payload = struct.pack(">H" if bits == 16 else ">I",
                              parse_int(value, bits))
    elif typ == "ipv4":
        try:
            payload = socket.inet_pton(socket.AF_INET, value)
        except OSError:
            raise UsageError("bad IPv4 address '%s'" % value)
    elif typ == "ipv6":
        try:
            payload = socket.inet_pton(socket.AF_INET6, value)
        except OSError:
            raise UsageError("bad IPv6 address '%s'" % value)
    elif typ == "str":
        payload = value.encode() + b"\0"
    elif typ == "strnonul":
        payload = value.encode()
    elif typ == "bin":
        payload = parse_hex(value)
    elif typ in ("nest", "nestnf"):
        inner = value[1:-1] if value.startswith("{") else value
        nset = key if key in ("stats", "health") else aset
        payload = b"".join(encode_attr(uapi, nset, s)
                           for s in split_top(inner, ","))
        if typ == "nest":
            atype |= NLA_F_NESTED
    else:
        raise UsageError("unknown type '%s'" % typ)
    return nla(atype, payload)


def parse_attrs(data):
    """[(type, payload)] of a stream of attributes (nested flag cleared)."""
    out, off = [], 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, off)
        if alen < 4 or off + alen > len(data):
            break
        out.append((atype & 0x3fff, data[off + 4:off + alen]))
        off += (alen + 3) & ~3
    return out


def attr_dict(data):
    return dict(parse_attrs(data))


def u32(p):
    return struct.unpack("=I", p[:4])[0]


# nested attributes: their attribute sets
NESTS = {"stats": "stats", "xlat-drops": "xlat-drops", "entry": "backend",
         "health": "health"}


def format_attrs(uapi, aset, data):
    names = {v: k for k, v in uapi.attrs(aset).items()} if aset else {}
    words = []
    for atype, p in parse_attrs(data):
        name = names.get(atype)
        if name is None:
            # not pinned: show the number and every byte
            words.append("%d=0x%s" % (atype, p.hex()))
            continue
        if name == "pad":
            continue
        if name in NESTS:
            val = "{" + format_attrs(uapi, NESTS[name], p) + "}"
        elif name in ("health-time", "probe-time"):
            # wall-clock times the kernel stamps: T, for exact replies
            val = "T"
        elif name.endswith("4") and len(p) == 4 and name != "backends4":
            val = socket.inet_ntop(socket.AF_INET, p)
        elif name.endswith("6") and len(p) == 16:
            val = socket.inet_ntop(socket.AF_INET6, p)
        elif name in ("name", "group", "reason", "probe", "http-path",
                      "http-host", "http-status") or (
                len(p) not in (1, 2, 4, 8) and p.endswith(b"\0") and
                all(32 <= c < 127 for c in p[:-1])):
            val = '"%s"' % p[:-1].decode(errors="replace")
        elif len(p) in (1, 2, 4, 8):
            val = str(int.from_bytes(p, sys.byteorder))
        else:
            val = "0x" + p.hex()
        words.append("%s=%s" % (name, val))
    return " ".join(words)


# ---- the socket ----

class Genl:
    def __init__(self, groups=()):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for grp in groups:
            self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, grp)
        self.seq = 1

    def send(self, nltype, flags, cmd, version, payload):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), nltype, flags, self.seq,
                          0) + body
        self.sock.send(msg)
        return self.seq

    @staticmethod
    def messages(data):
        off = 0
        while off + 16 <= len(data):
            mlen, mtype, mflags, mseq, _ = struct.unpack_from(
                "=IHHII", data, off)
            if mlen < 16:
                break
            yield mtype, mflags, mseq, data[off + 16:off + mlen]
            off += (mlen + 3) & ~3

    def replies(self, seq):
        """Yield (datagram index, type, flags, payload) until the end."""
        n = 0
        while True:
            data = self.sock.recv(1 << 20)
            n += 1
            for mtype, mflags, mseq, payload in self.messages(data):
                if mseq != seq:
                    continue
                yield n, mtype, mflags, payload
                if mtype in (NLMSG_ERROR, NLMSG_DONE):
                    return

    def notifications(self, timeout):
        """The multicast messages (seq 0) that arrive within timeout."""
        out = []
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            r, _, _ = select.select([self.sock], [], [], max(left, 0))
            if not r:
                return out
            for mtype, mflags, mseq, payload in self.messages(
                    self.sock.recv(1 << 20)):
                out.append((mtype, payload))
            if left <= 0:
                return out


def parse_error(mflags, payload):
    """(errno, extack dict) of an NLMSG_ERROR payload."""
    err = struct.unpack_from("=i", payload, 0)[0]
    ext = {}
    off = 4 + 16
    if not mflags & NLM_F_CAPPED:
        inner_len = struct.unpack_from("=I", payload, 4)[0]
        off = 4 + ((inner_len + 3) & ~3)
    if mflags & NLM_F_ACK_TLVS:
        for atype, p in parse_attrs(payload[off:]):
            if atype == NLMSGERR_ATTR_MSG:
                ext["msg"] = p.rstrip(b"\0").decode(errors="replace")
            elif atype == NLMSGERR_ATTR_OFFS:
                ext["offset"] = u32(p)
            elif atype == NLMSGERR_ATTR_MISS_TYPE:
                ext["missing-type"] = u32(p)
            elif atype == NLMSGERR_ATTR_MISS_NEST:
                ext["missing-nest"] = u32(p)
    return err, ext


def errname(err):
    # EOPNOTSUPP and ENOTSUP are one number on Linux; the kernel says the
    # former, Python's table the latter.
    if -err == errno.EOPNOTSUPP:
        return 'EOPNOTSUPP'
    return errno.errorcode.get(-err, str(-err))


def format_error(err, ext):
    line = "error " + errname(err)
    if ext.get("msg"):
        line += " " + ext["msg"]
    lines = [line]
    for k in ("offset", "missing-type", "missing-nest"):
        if k in ext:
            lines.append("extack-%s %d" % (k, ext[k]))
    return lines


def ctrl_request(g, cmd, attrs, dump=False):
    """(messages' attribute dicts, error lines) of a request to nlctrl."""
    flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
    seq = g.send(GENL_ID_CTRL, flags, cmd, 1, attrs)
    msgs, err = [], None
    for _, mtype, mflags, p in g.replies(seq):
        if mtype == NLMSG_ERROR:
            e, ext = parse_error(mflags, p)
            if e:
                err = format_error(e, ext)
        elif mtype == NLMSG_DONE:
            e = struct.unpack_from("=i", p, 0)[0] if len(p) >= 4 else 0
            if e:
                err = ["error " + errname(e)]
        elif mtype == GENL_ID_CTRL:
            msgs.append(attr_dict(p[4:]))
    return msgs, err


def family_info(g, name):
    """(family id, version, {mcast group: id}, {cmd: flags}) or an error."""
    msgs, err = ctrl_request(g, CTRL_CMD_GETFAMILY,
                             nla(CTRL_ATTR_FAMILY_NAME,
                                 name.encode() + b"\0"))
    if err or not msgs:
        return None, err or ["error no reply"]
    a = msgs[0]
    groups, ops = {}, {}
    for _, p in parse_attrs(a.get(CTRL_ATTR_MCAST_GROUPS, b"")):
        d = attr_dict(p)
        groups[d[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()] = \
            u32(d[CTRL_ATTR_MCAST_GRP_ID])
    for _, p in parse_attrs(a.get(CTRL_ATTR_OPS, b"")):
        d = attr_dict(p)
        ops[u32(d[CTRL_ATTR_OP_ID])] = u32(d.get(CTRL_ATTR_OP_FLAGS,
                                                 b"\0\0\0\0"))
    fid = struct.unpack("=H", a[CTRL_ATTR_FAMILY_ID][:2])[0]
    version = u32(a.get(CTRL_ATTR_VERSION, b"\0\0\0\0"))
    return (fid, version, groups, ops), None


def resolve_family(g, name):
    info, err = family_info(g, name)
    if info is None:
        print("error %s generic netlink family '%s' not found" % (
            " ".join(err), name))
        return None
    return info[0]


# ---- one request ----

def parse_request(uapi, argv):
    req = {"flags": 0, "version": uapi.version, "trailing": b"",
           "noack": False, "quiet": False}
    words = list(argv)
    rest = []
    while words:
        w = words.pop(0)
        if w in ("--flags", "--version", "--trailing") and not words:
            raise UsageError("missing value after " + w)
        if w == "--dump":
            req["flags"] |= NLM_F_DUMP
        elif w == "--flags":
            for f in words.pop(0).split(","):
                if f == "noack":
                    req["noack"] = True
                elif f in FLAG_NAMES:
                    req["flags"] |= FLAG_NAMES[f]
                else:
                    req["flags"] |= parse_int(f, 16)
        elif w == "--version":
            req["version"] = parse_int(words.pop(0), 8)
        elif w == "--trailing":
            req["trailing"] = parse_hex(words.pop(0))
        elif w == "--quiet":
            req["quiet"] = True
        elif w.startswith("--"):
            raise UsageError("unknown option " + w)
        else:
            rest.append(w)
    if not rest:
        raise UsageError("missing command")
    req["cmd"] = uapi.cmd(rest[0])
    aset = uapi.set_of(req["cmd"])
    req["payload"] = b"".join(encode_attr(uapi, aset, a)
                              for a in rest[1:]) + req["trailing"]
    return req


def run_request(uapi, g, fid, req, out, between=None):
    """Send one request, append the result lines to out; returns 0 (ok)
    or 2. between(), if given, runs after the first reply datagram."""
    flags = NLM_F_REQUEST | req["flags"] | (0 if req["noack"] else NLM_F_ACK)
    seq = g.send(fid, flags, req["cmd"], req["version"], req["payload"])
    if between:
        between()
    dump = (req["flags"] & NLM_F_DUMP) == NLM_F_DUMP
    objects, datagrams, intr = 0, 0, False
    status = None
    for n, mtype, mflags, p in g.replies(seq):
        datagrams = n
        if mflags & NLM_F_DUMP_INTR:
            intr = True
        if mtype == NLMSG_ERROR:
            err, ext = parse_error(mflags, p)
            if err:
                out.extend(format_error(err, ext))
                status = 2
            else:
                status = 0
            break
        if mtype == NLMSG_DONE:
            err = struct.unpack_from("=i", p, 0)[0] if len(p) >= 4 else 0
            if err:
                # NLMSG_DONE: the error, then the extack TLVs if any
                _, ext = parse_error(mflags | NLM_F_CAPPED,
                                     p[:4] + b"\0" * 16 + p[4:])
                out.extend(format_error(err, ext))
                status = 2
            else:
                status = 0
            break
        if mtype == fid:
            objects += 1
            if not req["quiet"]:
                cmd, _, _ = struct.unpack_from("=BBH", p, 0)
                out.append("%s %s" % (uapi.cmd_name(cmd), format_attrs(
                    uapi, uapi.set_of(cmd), p[4:])))
        if not dump and not (mflags & NLM_F_MULTI) and req["noack"]:
            status = 0
            break
    if intr:
        out.append("dump-interrupted")
    if status == 0:
        out.append("ok %d objects in %d datagrams" % (objects, datagrams)
                   if dump else "ok")
    return status if status is not None else 2


# ---- the server ----

HOME_NS = []


def setns(name):
    """Enter network namespace NAME (/run/netns/NAME; "." the one this
    process started in)."""
    if not HOME_NS:
        HOME_NS.append(os.open("/proc/self/ns/net", os.O_RDONLY))
    fd = HOME_NS[0] if name == "." else os.open("/run/netns/" + name,
                                                os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (name, os.strerror(e)))
    finally:
        if fd != HOME_NS[0]:
            os.close(fd)


class Server:
    def __init__(self, uapi):
        self.uapi = uapi
        self.ns = {}
        self.cur = None

    def switch(self, name):
        setns(name)
        if name not in self.ns:
            g = Genl()
            info, err = family_info(g, self.uapi.family)
            if info is None:
                raise OSError(errno.ENOENT, "family %s: %s" % (
                    self.uapi.family, " ".join(err)))
            self.ns[name] = {"g": g, "fid": info[0], "info": info,
                             "mon": None}
        self.cur = self.ns[name]

    def req(self, words, out, between=None):
        r = parse_request(self.uapi, words)
        return run_request(self.uapi, self.cur["g"], self.cur["fid"], r,
                           out, between)

    def snap(self):
        """The three dumps; their status lines without the number of
        datagrams, which depends on the socket's history."""
        out = []
        for cmd in ("listener-get", "group-get", "backend-get"):
            self.req(["--dump", cmd], out)
        return [objects_only(x) for x in out]

    def expect(self, desc, want, words):
        before = self.snap()
        out = []
        try:
            rc = self.req(words, out)
        except UsageError as e:
            return ["not ok - %s" % desc, "#   nlraw.py: %s" % e]
        after = self.snap()
        why = []
        text = "\n".join(out)
        if want.startswith("error "):
            w = want.split(" ", 2)
            first = out[0] if out else ""
            if rc != 2 or not first.startswith("error %s" % w[1]) or \
                    first[len("error %s" % w[1]):][:1] not in ("", " "):
                why.append("expected error %s" % w[1])
            elif len(w) == 2 and first != "error %s" % w[1]:
                why.append("expected no extack message")
            elif len(w) == 3 and w[2] == "*" and first == "error " + w[1]:
                why.append("expected an extack message")
            elif len(w) == 3 and w[2] != "*" and w[2] not in first:
                why.append("expected the message '%s'" % w[2])
            if before != after:
                why.append("the configuration changed")
        elif want == "ok":
            if rc != 0:
                why.append("expected success")
        elif want.startswith("has:"):
            if want[4:] not in out:
                why.append("expected the line '%s'" % want[4:])
            if rc == 2 and before != after:
                why.append("the configuration changed")
        elif want.startswith("out:"):
            exp = want[4:].replace("\\n", "\n")
            # "ok N objects": any number of datagrams
            got = "\n".join(objects_only(x) if OBJECTS_ONLY.match(y) else x
                            for x, y in zip(out, exp.split("\n") +
                                            [""] * len(out)))
            if got != exp:
                why.append("expected output:")
                why.extend("  " + x for x in exp.split("\n"))
        else:
            return ["not ok - %s" % desc, "#   bad WANT '%s'" % want]
        if not why:
            return ["ok - %s" % desc]
        res = ["not ok - %s" % desc]
        res += ["#   " + x for x in why]
        res += ["#   request: %s" % " ".join(words)]
        res += ["#   got: " + x for x in out]
        if before != after:
            res += ["#   before: " + x for x in before]
            res += ["#   after:  " + x for x in after]
        return res

    def monitor(self):
        info = self.cur["info"]
        grp = info[2].get(self.uapi.mcgrp)
        if grp is None:
            return ["error no multicast group '%s'" % self.uapi.mcgrp]
        self.cur["mon"] = Genl(groups=[grp])
        return ["ok"]

    def events(self, n, timeout):
        """The notifications received: once there are n, or after timeout
        (with n 0: everything that arrives within timeout)."""
        mon = self.cur["mon"]
        if mon is None:
            return ["error not subscribed"]
        pend = self.cur.setdefault("pending", [])
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            pend.extend(mon.notifications(max(0, min(left, 0.2))))
            if (n and len(pend) >= n) or left <= 0:
                break
        out = [format_ntf(self.uapi, self.cur["fid"], mtype, p)
               for mtype, p in pend]
        self.cur["pending"] = []
        return out

    def abi(self):
        return check_kernel(self.uapi, self.cur["g"], self.cur["info"])

    def batch(self, path):
        """Every request of a file; prints the refusals and a count."""
        n, bad, out = 0, 0, []
        with open(path) as f:
            for line in f:
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                n += 1
                res = []
                if self.req(shlex.split(line), res):
                    bad += 1
                    out.append("%s: %s" % (line.strip(), " ".join(res)))
        return out + ["batch: %d requests, %d refused" % (n, bad)]

    def dumpintr(self, dump_words, change_words):
        other = Genl()
        fid = self.cur["fid"]
        changed = []

        def change():
            r = parse_request(self.uapi, change_words)
            run_request(self.uapi, other, fid, r, changed)
        out = []
        self.req(dump_words, out, between=change)
        return out + ["change: " + x for x in changed]

    def handle(self, line):
        words = line.split(None, 1)
        if not words:
            return []
        cmd, rest = words[0], (words[1] if len(words) > 1 else "")
        if self.cur is None and cmd not in ("ns", "reset"):
            self.switch(".")
        if cmd == "ns":
            self.switch(rest.strip())
            return ["ok"]
        if cmd == "req":
            out = []
            self.req(shlex.split(rest), out)
            return out
        if cmd == "snap":
            if rest.strip():
                self.switch(rest.strip())
            return self.snap()
        if cmd == "expect":
            parts = rest.split("\t")
            if len(parts) != 3:
                raise UsageError("expect DESC<TAB>WANT<TAB>REQUEST")
            return self.expect(parts[0], parts[1], shlex.split(parts[2]))
        if cmd == "monitor":
            return self.monitor()
        if cmd == "events":
            a = rest.split()
            return self.events(int(a[0]) if a else 0,
                               float(a[1]) if len(a) > 1 else
                               (5 if a else 0.5))
        if cmd == "abi":
            return self.abi()
        if cmd == "batch":
            return self.batch(rest.strip())
        if cmd == "reset":
            for st in self.ns.values():
                st["g"].sock.close()
                if st["mon"]:
                    st["mon"].sock.close()
            self.ns = {}
            self.cur = None
            setns(".")
            return ["ok"]
        if cmd == "dumpintr":
            parts = rest.split("\t")
            if len(parts) != 2:
                raise UsageError("dumpintr DUMP<TAB>REQUEST")
            return self.dumpintr(shlex.split(parts[0]),
                                 shlex.split(parts[1]))
        raise UsageError("unknown server command '%s'" % cmd)


OBJECTS_ONLY = re.compile(r"ok \d+ objects$")


def objects_only(line):
    """A dump's status line without its number of datagrams."""
    return re.sub(r"^(ok \d+ objects) in \d+ datagrams$", r"\1", line)


def format_ntf(uapi, fid, mtype, p):
    if mtype != fid:
        return "message-type-%d" % mtype
    cmd = p[0]
    return "%s %s" % (uapi.cmd_name(cmd),
                      format_attrs(uapi, uapi.set_of(cmd), p[4:]))


def serve(uapi):
    srv = Server(uapi)
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.strip() == "quit":
            break
        try:
            out = srv.handle(line)
        except (UsageError, OSError, ValueError) as e:
            out = ["error nlraw.py: %s" % e]
        for x in out:
            print(x)
        print("@end", flush=True)
    return 0


# ---- the running module against the pins ----

def policy_str(d):
    t = POLICY_TYPES.get(u32(d.get(NL_POLICY_TYPE_ATTR_TYPE, b"\0" * 4)),
                         "?")
    lo = d.get(NL_POLICY_TYPE_ATTR_MIN_LENGTH)
    hi = d.get(NL_POLICY_TYPE_ATTR_MAX_LENGTH)
    if lo is not None and hi is not None and u32(lo) == u32(hi):
        return "%s=%d" % (t, u32(lo))
    if hi is not None:
        return "%s<=%d" % (t, u32(hi))
    return t


def check_kernel(uapi, g, info):
    """The running module's family against the pins: ["ok"] or diffs."""
    fid, version, groups, ops = info
    diffs = []
    if version != uapi.version:
        diffs.append("family version %d, pinned %d" % (version, uapi.version))
    if sorted(groups) != [uapi.mcgrp]:
        diffs.append("multicast groups %s, pinned ['%s']"
                     % (sorted(groups), uapi.mcgrp))
    msgs, err = ctrl_request(g, CTRL_CMD_GETPOLICY,
                             nla(CTRL_ATTR_FAMILY_NAME,
                                 uapi.family.encode() + b"\0"), dump=True)
    if err:
        return diffs + ["getpolicy: " + " ".join(err)]
    op_pol, pols = {}, {}
    for a in msgs:
        for op, p in parse_attrs(a.get(CTRL_ATTR_OP_POLICY, b"")):
            d = attr_dict(p)
            if CTRL_ATTR_POLICY_DO in d:
                op_pol[op] = u32(d[CTRL_ATTR_POLICY_DO])
        for idx, p in parse_attrs(a.get(CTRL_ATTR_POLICY, b"")):
            for atype, q in parse_attrs(p):
                pols.setdefault(idx, {})[atype] = policy_str(attr_dict(q))
    want_ops = {uapi.cmd(k): v for k, v in KERNEL_OPS.items()}
    for cmd in sorted(set(ops) | set(want_ops)):
        name = uapi.cmd_name(cmd)
        if cmd not in ops:
            diffs.append("op %d (%s) is pinned but not offered" % (cmd, name))
            continue
        if cmd not in want_ops:
            diffs.append("op %d (%s) is offered but not pinned" % (cmd, name))
            continue
        flags = " ".join(v for k, v in sorted(OP_FLAGS.items())
                         if ops[cmd] & k)
        extra = ops[cmd] & ~sum(OP_FLAGS)
        if extra:
            flags += " %#x" % extra
        wflags, wattrs = want_ops[cmd]
        if flags != wflags:
            diffs.append("op %d (%s): flags '%s', pinned '%s'"
                         % (cmd, name, flags, wflags))
        aset = uapi.set_of(cmd)
        names = {v: k for k, v in uapi.attrs(aset).items()}
        got = pols.get(op_pol.get(cmd), {})
        got_s = " ".join("%s:%s" % (names.get(a, str(a)), t)
                         for a, t in sorted(got.items()))
        want_s = " ".join(sorted(wattrs.split(),
                                 key=lambda x: uapi.attrs(aset)[
                                     x.split(":")[0]]))
        if got_s != want_s:
            diffs.append("op %d (%s): policy '%s', pinned '%s'"
                         % (cmd, name, got_s, want_s))
    return diffs or ["ok"]


def monitor_main(uapi, count, timeout):
    g = Genl()
    info, err = family_info(g, uapi.family)
    if info is None:
        print("error " + " ".join(err), flush=True)
        return 2
    mon = Genl(groups=[info[2][uapi.mcgrp]])
    print("monitoring", flush=True)
    n = 0
    end = time.monotonic() + timeout
    while (not count or n < count) and time.monotonic() < end:
        for mtype, p in mon.notifications(min(0.5, end - time.monotonic())):
            print(format_ntf(uapi, info[0], mtype, p), flush=True)
            n += 1
    return 0 if not count or n >= count else 2


def main(argv):
    uapi = Uapi()
    batch = None
    args = []
    i = 0
    count, timeout = 0, 30.0
    mode = None
    while i < len(argv):
        a = argv[i]
        if a == "--check-abi" and i + 1 < len(argv):
            diffs = check_abi(argv[i + 1])
            for d in diffs:
                print(d)
            print("abi: %s" % ("%d differences" % len(diffs) if diffs
                               else "the pins match " + argv[i + 1]))
            return 3 if diffs else 0
        if a == "--batch" and i + 1 < len(argv):
            batch = argv[i + 1]
            i += 2
        elif a in ("--serve", "--monitor"):
            mode = a
            i += 1
        elif a in ("--count", "--timeout") and i + 1 < len(argv) and \
                mode == "--monitor":
            if a == "--count":
                count = int(argv[i + 1])
            else:
                timeout = float(argv[i + 1])
            i += 2
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
            i += 1
    if mode == "--serve":
        return serve(uapi)
    if mode == "--monitor":
        return monitor_main(uapi, count, timeout)
    try:
        if batch is not None:
            f = sys.stdin if batch == "-" else open(batch)
            reqs = [parse_request(uapi, args + shlex.split(line))
                    for line in f if line.strip() and
                    not line.lstrip().startswith("#")]
        else:
            reqs = [parse_request(uapi, args)]
    except (UsageError, OSError, ValueError) as e:
        print("nlraw.py: %s" % e, file=sys.stderr)
        return 1

    g = Genl()
    fid = resolve_family(g, uapi.family)
    if fid is None:
        return 2
    ret = 0
    for req in reqs:
        out = []
        if run_request(uapi, g, fid, req, out):
            ret = 2
        for x in out:
            print(x)
    return ret


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
