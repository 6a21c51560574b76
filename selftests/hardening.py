#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic and conntrack tools of selftests/hardening.sh (stdlib only, one
process each: every exec is slow in the debug VM).

  hardening.py udp-send DST PORT --sports A-B [--src ADDR] [--interval S]
                        [--new-every S] [--seconds T]
      One-way UDP flows: unconnected sockets bound to source ports A..B
      (all at once, or one more every --new-every seconds), each sending a
      datagram every --interval seconds (default 0.2) until --seconds (or
      SIGTERM/SIGINT). ICMP errors do not stop them. At the end prints
      "flows N sent S answered_flows K" and one "answer NAME COUNT" line
      per answer seen.

  hardening.py tcp-connect DST PORT --count N [--src ADDR] [--sport-base P]
                           [--seconds T]
      N non-blocking connects at once (the kernel retransmits their SYNs),
      watched for T seconds (or until SIGTERM/SIGINT); prints
      "connected C pending P failed F".

  hardening.py udp-load DST PORT {--src-file F | --src-net CIDR}
                        [--seconds T] [--inflight N] [--sport-base P]
                        [--revisit S] [--log FILE]
      New UDP flows as fast as they are answered: each from the next
      client address (of F, or of CIDR, which must be routed to the host:
      `ip route add local CIDR dev lo` and ip_nonlocal_bind), one
      datagram, at most N (default 64) unanswered at once, one resend
      after 0.5 s, given up after 1 s. With --revisit, each address comes
      back once, S seconds after its first flow, with a second flow; with
      --log, each answer to a second flow is logged as "TIME ADDRESS NAME"
      (TIME: seconds since the epoch). Prints "flows N answered A" and
      "answer NAME COUNT" lines at the end.

  hardening.py ct-clear-helper [--helper NAME] [--dport P]
      ctnetlink: clear the helper (CTA_HELP with an empty name, what
      `conntrack -U` would send) of every connection of this namespace
      whose helper is NAME (default nlb) and, with --dport, whose original
      destination port is P. Prints "cleared N" (and "failed M ERRNO" if
      some updates were refused); exit 1 if any failed.

  hardening.py ct-helpers [--dport P]
      Prints "helper NAME COUNT" per helper of the namespace's connections
      ("-" for none), original destination port P only with --dport.
"""

import argparse
import errno
import os
import select
import signal
import socket
import struct
import sys
import time

stop = False


def on_signal(signum, frame):
    global stop
    stop = True


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def any_addr(fam):
    return "::" if fam == socket.AF_INET6 else "0.0.0.0"


def port_range(s):
    a, _, b = s.partition("-")
    return int(a), int(b or a)


def name_of(data):
    text = data.decode(errors="replace").strip()
    return text.replace(" ", "_") or "-"


# ---- udp-send ----

def udp_send(a):
    fam = family(a.dst)
    first, last = port_range(a.sports)
    ports = list(range(first, last + 1))
    socks = {}
    sent = 0
    answers = {}
    answered = set()
    start = time.monotonic()
    next_new = start
    next_tick = start
    while not stop and (not a.seconds or time.monotonic() - start < a.seconds):
        now = time.monotonic()
        # all flows at once, or one more every new_every seconds
        while ports and (not a.new_every or now >= next_new):
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((a.src or any_addr(fam), ports[0]))
            s.setblocking(False)
            socks[s] = ports.pop(0)
            next_new += a.new_every
            next_tick = now
        if now >= next_tick:
            for s in socks:
                try:
                    s.sendto(b"q\n", (a.dst, a.port))
                    sent += 1
                except OSError:
                    pass
            next_tick = now + a.interval
        until = next_tick
        if ports and a.new_every:
            until = min(until, next_new)
        try:
            r, _, _ = select.select(list(socks), [], [],
                                    max(0.0, until - time.monotonic()))
        except InterruptedError:
            continue
        for s in r:
            try:
                data = s.recv(4096)
            except OSError:
                continue
            n = name_of(data)
            answers[n] = answers.get(n, 0) + 1
            answered.add(socks[s])
    print("flows %d sent %d answered_flows %d" % (len(socks), sent,
                                                   len(answered)))
    for n in sorted(answers):
        print("answer", n, answers[n])
    sys.stdout.flush()


# ---- tcp-connect ----

def tcp_connect(a):
    fam = family(a.dst)
    socks = []
    failed = 0
    for i in range(a.count):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if a.src or a.sport_base:
            s.bind((a.src or any_addr(fam),
                    a.sport_base + i if a.sport_base else 0))
        s.setblocking(False)
        err = s.connect_ex((a.dst, a.port))
        if err not in (0, errno.EINPROGRESS):
            failed += 1
            s.close()
            continue
        socks.append(s)
    connected = 0
    pending = list(socks)
    start = time.monotonic()
    while pending and not stop and time.monotonic() - start < a.seconds:
        try:
            _, w, _ = select.select([], pending, [], 0.2)
        except InterruptedError:
            continue
        for s in w:
            pending.remove(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                failed += 1
            else:
                connected += 1
    print("connected %d pending %d failed %d" % (connected, len(pending),
                                                  failed))
    sys.stdout.flush()
    for s in socks:
        s.close()


# ---- udp-load ----

def net_addrs(cidr):
    """The host addresses of a network, as strings, in order."""
    import ipaddress
    net = ipaddress.ip_network(cidr)
    return (str(x) for x in net.hosts())


def udp_load(a):
    if a.src_file:
        with open(a.src_file) as f:
            srcs = [x.strip() for x in f if x.strip()]
    else:
        srcs = list(net_addrs(a.src_net))
    nextport = {}
    inflight = {}
    revisits = []          # (due time, source address), in order
    log = open(a.log, "w") if a.log else None
    flows = 0
    answers = {}
    k = 0
    start = time.monotonic()
    while not stop and time.monotonic() - start < a.seconds:
        now = time.monotonic()
        while len(inflight) < a.inflight:
            if revisits and revisits[0][0] <= now:
                src = revisits.pop(0)[1]
                visit = 2
            else:
                src = srcs[k % len(srcs)]
                k += 1
                visit = 1
            if a.src_file:
                port = nextport.get(src, a.sport_base)
                nextport[src] = port + 1 if port < 60999 else a.sport_base
            else:
                port = 0
            s = socket.socket(family(src), socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((src, port))
                s.connect((a.dst, a.port))
                s.send(b"q\n")
            except OSError:
                s.close()
                continue
            flows += 1
            inflight[s] = [now, False, src, visit]
            if visit == 1 and a.revisit:
                revisits.append((now + a.revisit, src))
        try:
            r, _, _ = select.select(list(inflight), [], [], 0.05)
        except InterruptedError:
            continue
        for s in r:
            st = inflight.pop(s)
            try:
                n = name_of(s.recv(4096))
                answers[n] = answers.get(n, 0) + 1
                if log and st[3] == 2:
                    log.write("%.3f %s %s\n" % (time.time(), st[2], n))
            except OSError:
                pass
            s.close()
        now = time.monotonic()
        for s, st in list(inflight.items()):
            if now - st[0] > 1.0:
                del inflight[s]
                s.close()
            elif now - st[0] > 0.5 and not st[1]:
                st[1] = True
                try:
                    s.send(b"q\n")
                except OSError:
                    pass
    for s in inflight:
        s.close()
    if log:
        log.close()
    print("flows %d answered %d" % (flows, sum(answers.values())))
    for n in sorted(answers):
        print("answer", n, answers[n])
    sys.stdout.flush()


# ---- ctnetlink ----

NETLINK_NETFILTER = 12
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLA_F_NESTED = 0x8000
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW = 0
IPCTNL_MSG_CT_GET = 1
CTA_TUPLE_ORIG = 1
CTA_HELP = 5
CTA_HELP_NAME = 1
CTA_TUPLE_PROTO = 2
CTA_PROTO_DST_PORT = 3


def attrs(data):
    """[(type without flags, payload)] of a run of netlink attributes."""
    out = []
    off = 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, off)
        if alen < 4:
            break
        out.append((atype & 0x3fff, data[off + 4:off + alen]))
        off += (alen + 3) & ~3
    return out


def nla(atype, payload):
    return struct.pack("=HH", 4 + len(payload), atype) + payload + \
        b"\0" * (-len(payload) % 4)


class Ctnl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_NETFILTER)
        self.sock.bind((0, 0))
        self.seq = int(time.time())

    def request(self, msg, flags, fam, payload):
        self.seq += 1
        body = struct.pack("=BBH", fam, 0, 0) + payload
        hdr = struct.pack("=IHHII", 16 + len(body),
                          NFNL_SUBSYS_CTNETLINK << 8 | msg,
                          NLM_F_REQUEST | flags, self.seq, 0)
        self.sock.send(hdr + body)
        return self.seq

    def replies(self, seq):
        """Yield (type, payload) until DONE or an ERROR (ack) message."""
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                mlen, mtype, _, mseq, _ = struct.unpack_from("=IHHII",
                                                             data, off)
                payload = data[off + 16:off + mlen]
                off += (mlen + 3) & ~3
                if mseq != seq:
                    continue
                yield mtype, payload
                if mtype in (NLMSG_ERROR, NLMSG_DONE):
                    return

    def dump(self):
        """[(family, {attr: payload})] of every connection."""
        seq = self.request(IPCTNL_MSG_CT_GET, NLM_F_DUMP, socket.AF_UNSPEC,
                           b"")
        out = []
        for mtype, payload in self.replies(seq):
            if mtype == NLMSG_ERROR:
                err = -struct.unpack_from("=i", payload)[0]
                if err:
                    raise OSError(err, os.strerror(err))
                break
            if mtype == NLMSG_DONE:
                break
            out.append((payload[0], dict(attrs(payload[4:]))))
        return out

    def clear_helper(self, fam, tuple_orig):
        payload = nla(CTA_TUPLE_ORIG | NLA_F_NESTED, tuple_orig) + \
            nla(CTA_HELP | NLA_F_NESTED, nla(CTA_HELP_NAME, b"\0"))
        seq = self.request(IPCTNL_MSG_CT_NEW, NLM_F_ACK, fam, payload)
        for mtype, data in self.replies(seq):
            if mtype == NLMSG_ERROR:
                return -struct.unpack_from("=i", data)[0]
        return 0


def ct_helper(ct):
    h = ct.get(CTA_HELP)
    if h is None:
        return "-"
    for atype, payload in attrs(h):
        if atype == CTA_HELP_NAME:
            return payload.split(b"\0")[0].decode()
    return "-"


def ct_dport(ct):
    for atype, payload in attrs(ct.get(CTA_TUPLE_ORIG, b"")):
        if atype == CTA_TUPLE_PROTO:
            for t, p in attrs(payload):
                if t == CTA_PROTO_DST_PORT:
                    return struct.unpack("!H", p[:2])[0]
    return None


def ct_clear_helper(a):
    nl = Ctnl()
    cleared, failed = 0, {}
    for fam, ct in nl.dump():
        if ct_helper(ct) != a.helper:
            continue
        if a.dport is not None and ct_dport(ct) != a.dport:
            continue
        err = nl.clear_helper(fam, ct[CTA_TUPLE_ORIG])
        if err:
            failed[err] = failed.get(err, 0) + 1
        else:
            cleared += 1
    print("cleared", cleared)
    for err, n in failed.items():
        print("failed", n, errno.errorcode.get(err, str(err)))
    return 1 if failed else 0


def ct_helpers(a):
    tally = {}
    for _, ct in Ctnl().dump():
        if a.dport is not None and ct_dport(ct) != a.dport:
            continue
        h = ct_helper(ct)
        tally[h] = tally.get(h, 0) + 1
    for h in sorted(tally):
        print("helper", h, tally[h])
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("udp-send")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("--sports", required=True)
    s.add_argument("--src")
    s.add_argument("--interval", type=float, default=0.2)
    s.add_argument("--new-every", type=float, default=0)
    s.add_argument("--seconds", type=float, default=0)
    s = sub.add_parser("tcp-connect")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--src")
    s.add_argument("--sport-base", type=int, default=0)
    s.add_argument("--seconds", type=float, default=10)
    s = sub.add_parser("udp-load")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--src-file")
    g.add_argument("--src-net")
    s.add_argument("--seconds", type=float, default=10)
    s.add_argument("--inflight", type=int, default=64)
    s.add_argument("--sport-base", type=int, default=20000)
    s.add_argument("--revisit", type=float, default=0)
    s.add_argument("--log")
    s = sub.add_parser("ct-clear-helper")
    s.add_argument("--helper", default="nlb")
    s.add_argument("--dport", type=int)
    s = sub.add_parser("ct-helpers")
    s.add_argument("--dport", type=int)
    a = p.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return {"udp-send": udp_send, "tcp-connect": tcp_connect,
            "udp-load": udp_load, "ct-clear-helper": ct_clear_helper,
            "ct-helpers": ct_helpers}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())
