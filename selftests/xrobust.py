#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xrobust.py: malformed packets toward nlb's translation path, from both
sides, for selftests/xlat-robust.sh. Runs in the VM's root namespace and
opens its sockets in the test's namespaces (PREFIX-lb, -c4, -c6, -b1, -b2;
see the topology in xlat-robust.sh), so that one process drives them all.

    xrobust.py PREFIX COMMAND... runs the commands in turn, on the same
    flows:

    cases
        the deterministic suite: every case is a packet (or a few) that
        conntrack relates to a live translated flow, sent from a client or
        from a backend, with what must happen to it: the drop reasons
        counted in xlat_drops (exactly, all others unchanged), the ICMP
        errors that come back (type, code, MTU or pointer, and from where),
        and what arrives on the other side; then local clients with hop
        limit 1, the legs of a deleted group, the flows afterwards
    fuzz SEED COUNT
        COUNT randomized packets (reproducible from SEED): well-formed
        packets of the flows, ICMP errors quoting them and fragments, from
        all four sides, mutated (bytes, lengths, hop limits, extension
        headers, options, quotes, fragment offsets), checksums fixed most of
        the time so that conntrack passes them on; the flows must answer at
        every checkpoint
    churn SECONDS
        pool exhaustion churn (needs listener ct6, group rtiny of 4 pool
        slots, see xlat-robust.sh): for SECONDS, rounds of 8 new UDP flows
        from c6 at once, each a new source port; every flow is answered or
        refused and counted (drop-pool), exactly, and a round after the
        timeouts finds the slots free again
    load SECONDS STOPFILE
        new UDP flows both ways (6to4 and 4to6), bursts of datagrams on
        each, while the shell unloads and reloads nlb: no counters read
        (nlb may be gone); until STOPFILE exists (at most SECONDS), then
        3 s more, in which the flows must answer
    settle SECONDS
        end every flow (short conntrack timeouts, a last packet each), then
        wait (at most SECONDS) until conntrack holds no leg and the pools
        no slot

Output: "check 0|1 DESCRIPTION" and "diag TEXT" lines, which the shell
turns into TAP.
"""
import ctypes
import os
import random
import re
import select
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nlraw  # noqa: E402

VIP4, VIP6 = "203.0.113.10", "2001:db8:ff::10"
C4, C6 = "192.0.2.2", "2001:db8:1::2"
B1, B2 = "198.18.1.2", "2001:db8:102::2"
POOL = "100.64.0.1"
EMB_C4 = "64:ff9b::c000:202"    # c4 as the IPv6 backend sees it
EMB_B1 = "64:ff9b::c612:102"    # b1 as IPv6 clients see its errors
UPORT, TPORT, GPORT, CPORT = 7000, 7001, 7002, 7003
CHURN_SLOTS = 4
ID6, ID4 = 0x6e6e, 0x4e4e

A4 = {a: socket.inet_pton(socket.AF_INET, a)
      for a in (VIP4, C4, B1, POOL, "224.0.0.1", "255.255.255.255",
                "127.0.0.1")}
A6 = {a: socket.inet_pton(socket.AF_INET6, a)
      for a in (VIP6, C6, B2, EMB_C4, EMB_B1)}

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
_root_ns = os.open("/proc/self/ns/net", os.O_RDONLY)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET):
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


class netns:
    """with netns(NAME): sockets made in the block belong to NAME."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
        try:
            _setns(fd)
        finally:
            os.close(fd)

    def __exit__(self, *exc):
        _setns(_root_ns)


def out(kind, text):
    print(kind, text, flush=True)


def check(ok, desc, why=""):
    out("check", "%d %s" % (0 if ok else 1, desc))
    if not ok and why:
        out("diag", "  " + why)
    return ok


# ---- packets ----

def csum(data):
    """The Internet checksum of DATA, as a number in network order."""
    if len(data) & 1:
        data += b"\0"
    s = sum(memoryview(data).cast("H"))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    s = ~s & 0xffff
    return s if sys.byteorder == "big" else ((s & 0xff) << 8) | (s >> 8)


def ph6(src, dst, nh):
    return lambda n: src + dst + struct.pack("!I3xB", n, nh)


def ph4(src, dst, proto):
    return lambda n: src + dst + struct.pack("!xBH", proto, n)


def udp(sport, dport, data, ph, ulen=None, zero=False):
    """A UDP datagram; ULEN overrides the length field (the checksum
    covers the datagram as sent, as conntrack verifies it)."""
    h = struct.pack("!HHHH", sport, dport,
                    8 + len(data) if ulen is None else ulen, 0) + data
    if zero:
        return h
    return h[:6] + struct.pack("!H", csum(ph(len(h)) + h) or 0xffff) + h[8:]


def icmp6(src, dst, typ, code, rest, body):
    m = struct.pack("!BBH", typ, code, 0) + rest + body
    return m[:2] + struct.pack("!H", csum(ph6(src, dst, 58)(len(m)) + m)) \
        + m[4:]


def icmp4(typ, code, rest, body):
    m = struct.pack("!BBH", typ, code, 0) + rest + body
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def ip6(src, dst, nh, payload, hlim=64, plen=None, ver=6):
    return struct.pack("!IHBB", ver << 28,
                       len(payload) if plen is None else plen, nh,
                       hlim) + src + dst + payload


def ip4(src, dst, proto, payload, ttl=64, opts=b"", ident=0x4242, frag=0,
        tot=None, ver=4, ihl=None):
    hl = 20 + len(opts)
    h = struct.pack("!BBHHHBBH4s4s", ver << 4 | (hl // 4 if ihl is None
                                                  else ihl), 0,
                    hl + len(payload) if tot is None else tot, ident, frag,
                    ttl, proto, 0, src, dst) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def x_opt(nh):
    """Destination Options or Hop-by-Hop header: one PadN."""
    return struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0"


def x_rh(nh, left):
    """Routing header type 0, one address, LEFT segments left."""
    return struct.pack("!BBBB", nh, 2, 0, left) + b"\0" * 4 + A6[VIP6]


def x_ah(nh):
    return struct.pack("!BBHII", nh, 4, 0, 0x100, 1) + b"\0" * 12


def x_frag(nh, off, mf, ident):
    return struct.pack("!BBHI", nh, 0, off << 3 | mf, ident)


MF4 = 0x2000


def bad_sum(pkt, at):
    """PKT with the checksum at offset AT spoilt (and not zero)."""
    c = struct.unpack("!H", pkt[at:at + 2])[0] ^ 0x5a5a
    return pkt[:at] + struct.pack("!H", c or 1) + pkt[at + 2:]


def tcp8(sport, dport, seq=1):
    """The first 8 bytes of a TCP segment: what an ICMP error may quote."""
    return struct.pack("!HHI", sport, dport, seq)
TAG_RE = re.compile(rb"fz(\d{6})")


def tag(n):
    return b"fz%06d" % n


# ---- the namespaces' sockets ----

class World:
    def __init__(self, prefix):
        self.p = prefix
        self.rsocks = {}
        self.errors = []        # (where, src, type, code, info, tag)
        self.arrived = []       # (where, tag)
        self.answers = {}       # where -> answers seen
        self.peer = {}          # flow -> the source the backend saw
        self.echo_id = {}       # "e6": the identifier b1 saw
        self.echoed = {"e6": 0, "e4": 0}
        self.tcp_conns = []
        self.seq = 0
        with netns(prefix + "-lb"):
            self.nlb = Nlb()
            self.lu6 = self._udp(socket.AF_INET6, (VIP6, UPORT), "lu6", 1)
            self.lu4 = self._udp(socket.AF_INET, (VIP4, UPORT), "lu4", 1)
        with netns(prefix + "-c6"):
            self.c6u = self._udp(socket.AF_INET6, (VIP6, UPORT), "c6u")
            self.c6g = self._udp(socket.AF_INET6, (VIP6, GPORT), "c6g")
            self.c6raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                                       socket.IPPROTO_RAW)
            self.c6icmp = self._raw(socket.AF_INET6, socket.IPPROTO_ICMPV6,
                                    "c6")
        with netns(prefix + "-c4"):
            self.c4u = self._udp(socket.AF_INET, (VIP4, UPORT), "c4u")
            self.c4raw = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                       socket.IPPROTO_RAW)
            self.c4icmp = self._raw(socket.AF_INET, socket.IPPROTO_ICMP,
                                    "c4")
        with netns(prefix + "-b1"):
            self.b1u = self._server_udp(socket.AF_INET, "0.0.0.0", UPORT,
                                        "b1u")
            self._server_udp(socket.AF_INET, "0.0.0.0", GPORT, "b1g")
            self._server_udp(socket.AF_INET, "0.0.0.0", CPORT, "b1c")
            self._server_tcp(socket.AF_INET, "0.0.0.0", TPORT, "b1t")
            self.b1raw = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                       socket.IPPROTO_RAW)
            self.b1icmp = self._raw(socket.AF_INET, socket.IPPROTO_ICMP,
                                    "b1")
        with netns(prefix + "-b2"):
            self.b2u = self._server_udp(socket.AF_INET6, "::", UPORT, "b2u")
            self._server_tcp(socket.AF_INET6, "::", TPORT, "b2t")
            self.b2raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                                       socket.IPPROTO_RAW)
            self.b2icmp = self._raw(socket.AF_INET6, socket.IPPROTO_ICMPV6,
                                    "b2")
        self.cport6 = self.c6u.getsockname()[1]
        self.cport4 = self.c4u.getsockname()[1]

    def _udp(self, fam, to, name, hops=None):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if hops is not None:
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS,
                             hops)
            else:
                s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, hops)
        s.connect(to)
        s.setblocking(False)
        self.rsocks[s] = ("client", name)
        return s

    def _server_udp(self, fam, addr, port, name):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((addr, port))
        s.setblocking(False)
        self.rsocks[s] = ("server", name)
        return s

    def _server_tcp(self, fam, addr, port, name):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(8)
        s.setblocking(False)
        self.rsocks[s] = ("listen", name)

    def _raw(self, fam, proto, where):
        s = socket.socket(fam, socket.SOCK_RAW, proto)
        s.setblocking(False)
        self.rsocks[s] = ("icmp6" if fam == socket.AF_INET6 else "icmp4",
                          where)
        return s

    def tcp_open(self):
        """The long-lived TCP connections: c6 -> b1 and c4 -> b2."""
        if self.tcp_conns:
            return
        for ns, fam, vip in (("-c6", socket.AF_INET6, VIP6),
                             ("-c4", socket.AF_INET, VIP4)):
            with netns(self.p + ns):
                s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect((vip, TPORT))
            s.setblocking(False)
            self.rsocks[s] = ("tcpc", ns[1:])
            self.tcp_conns.append(s)

    # -- the event loop: servers answer, everything received is noted
    def handle(self, s):
        kind, name = self.rsocks[s]
        try:
            if kind == "listen":
                c, addr = s.accept()
                self.peer[name] = addr[:2]
                c.setblocking(False)
                self.rsocks[c] = ("tcps", None)
                return
            data, addr = s.recvfrom(65535)
        except BlockingIOError:
            return
        except OSError:
            # a translated ICMP error on a connected socket, or a reset
            if kind in ("tcpc", "tcps"):
                self.rsocks.pop(s, None)
            return
        if kind == "server":
            if data.startswith(b"ask"):
                self.peer[name] = addr[:2]
                s.sendto(b"ans" + data[3:], addr)
            for m in TAG_RE.finditer(data):
                self.arrived.append((name, int(m.group(1))))
        elif kind == "client":
            if data.startswith(b"ans"):
                self.answers.setdefault(name, []).append(data[3:])
            for m in TAG_RE.finditer(data):
                self.arrived.append((name, int(m.group(1))))
        elif kind == "tcps":
            if not data:
                self.rsocks.pop(s, None)
                s.close()
            elif data.startswith(b"ask"):
                s.send(b"ans" + data[3:])
        elif kind == "tcpc":
            if data.startswith(b"ans"):
                self.answers.setdefault("t" + name, []).append(data[3:])
        elif kind == "icmp4":
            self._icmp4(name, data)
        else:
            self._icmp6(name, addr[0], data)

    def _icmp4(self, where, data):
        if len(data) < 28:
            return
        ihl = (data[0] & 15) * 4
        src = socket.inet_ntop(socket.AF_INET, data[12:16])
        m = data[ihl:]
        if len(m) < 8:
            return
        typ, code = m[0], m[1]
        if typ == 8 and where == "b1" and src == POOL:
            self.echo_id["e6"] = struct.unpack("!H", m[4:6])[0]
        elif typ == 0 and where == "c4" and src == VIP4 and \
                struct.unpack("!H", m[4:6])[0] == ID4:
            self.echoed["e4"] += 1
        if typ in (3, 4, 5, 11, 12):
            info = struct.unpack("!H", m[6:8])[0] if (typ, code) == (3, 4) \
                else m[4] if typ == 12 else 0
            self._error(where, src, typ, code, info, m[8:])

    def _icmp6(self, where, src, m):
        if len(m) < 8:
            return
        typ, code = m[0], m[1]
        if typ == 128 and where == "b2" and src == EMB_C4:
            self.echo_id["e4"] = struct.unpack("!H", m[4:6])[0]
        elif typ == 129 and where == "c6" and src == VIP6 and \
                struct.unpack("!H", m[4:6])[0] == ID6:
            self.echoed["e6"] += 1
        if typ < 128:
            info = struct.unpack("!I", m[4:8])[0] if typ in (2, 4) else 0
            self._error(where, src, typ, code, info, m[8:])

    def _error(self, where, src, typ, code, info, quote):
        tags = [int(t.group(1)) for t in TAG_RE.finditer(quote)]
        self.errors.append((where, src, typ, code, info,
                            tags[0] if tags else None))

    def drain(self):
        """Handle what has arrived, without waiting."""
        while True:
            r, _, _ = select.select(list(self.rsocks), [], [], 0)
            if not r:
                return
            for s in r:
                if s in self.rsocks:
                    self.handle(s)

    def pump(self, until=None, timeout=2.0):
        deadline = time.monotonic() + timeout
        while True:
            if until is not None and until():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return until() if until is not None else True
            r, _, _ = select.select(list(self.rsocks), [], [],
                                    min(left, 0.05))
            for s in r:
                if s in self.rsocks:
                    self.handle(s)

    # -- the flows
    def ask(self, sock, name, timeout=2.0):
        self.seq += 1
        word = b"%d" % self.seq
        try:
            sock.send(b"ask" + word)
        except OSError:
            # an ICMP error queued on the socket: taken, ask again
            try:
                sock.send(b"ask" + word)
            except OSError as e:
                out("diag", "%s: %s" % (name, e))
                return False
        return self.pump(lambda: word in self.answers.get(name, []),
                         timeout)

    def ask_tcp(self, idx, timeout=3.0):
        s = self.tcp_conns[idx]
        name = "t" + self.rsocks.get(s, ("", "gone"))[1]
        if s not in self.rsocks:
            return False
        self.seq += 1
        word = b"%d" % self.seq
        s.send(b"ask" + word)
        return self.pump(lambda: word in self.answers.get(name, []),
                         timeout)

    def ping6(self, timeout=2.0):
        n = self.echoed["e6"]
        self.seq += 1
        body = struct.pack("!BBHHH", 128, 0, 0, ID6, self.seq & 0xffff) + \
            b"ping"
        self.c6icmp.sendto(body, (VIP6, 0))
        return self.pump(lambda: self.echoed["e6"] > n and "e6" in
                         self.echo_id, timeout)

    def ping4(self, timeout=2.0):
        n = self.echoed["e4"]
        self.seq += 1
        body = icmp4(8, 0, struct.pack("!HH", ID4, self.seq & 0xffff),
                     b"ping")
        self.c4icmp.sendto(body, (VIP4, 0))
        return self.pump(lambda: self.echoed["e4"] > n and "e4" in
                         self.echo_id, timeout)

    def flows(self):
        """Every flow answers; the sources the backends saw are learnt."""
        res = {"udp 6to4": self.ask(self.c6u, "c6u"),
               "udp 4to6": self.ask(self.c4u, "c4u"),
               "ping 6to4": self.ping6(), "ping 4to6": self.ping4()}
        for i, n in enumerate(("tcp 6to4", "tcp 4to6")):
            if i < len(self.tcp_conns):
                res[n] = self.ask_tcp(i)
        return res

    @property
    def pport(self):
        """The pool port of the IPv6 client's UDP flow."""
        return self.peer["b1u"][1]

    def ct_checksum(self, on):
        """net.netfilter.nf_conntrack_checksum of the gateway."""
        with netns(self.p + "-lb"):
            with open("/proc/sys/net/netfilter/nf_conntrack_checksum",
                      "w") as f:
                f.write("1" if on else "0")

    def send(self, where, pkt, dst):
        sock = {"c6": self.c6raw, "c4": self.c4raw, "b1": self.b1raw,
                "b2": self.b2raw}[where]
        sock.sendto(pkt, (dst, 0))


# ---- nlb's counters, over generic netlink ----

class Nlb:
    def __init__(self):
        self.u = nlraw.Uapi()
        self.g = nlraw.Genl()
        self.fid = nlraw.resolve_family(self.g, self.u.family)
        if self.fid is None:
            raise SystemExit("no nlb family")
        self.xnames = {v: k for k, v in self.u.attrs("xlat_drops").items()
                       if k != "pad"}
        self.c = self.u.consts

    def _request(self, cmd, flags=0):
        seq = self.g.send(self.fid, nlraw.NLM_F_REQUEST | nlraw.NLM_F_ACK |
                          flags, self.u.cmds[cmd], self.u.version, b"")
        return [p[4:] for _, t, _, p in self.g.replies(seq) if t == self.fid]

    def drops(self):
        d = {}
        for p in self._request("INFO_GET"):
            for at, ap in nlraw.parse_attrs(p):
                if at != self.c["NLB_A_INFO_XLAT_DROPS"]:
                    continue
                for xt, xp in nlraw.parse_attrs(ap):
                    if xt in self.xnames:
                        d[self.xnames[xt]] = int.from_bytes(xp[:8],
                                                            sys.byteorder)
        return d

    def listener_stat(self, listener, counter):
        """A counter of LISTENER's (NLB_A_STATS_<COUNTER>)."""
        want = self.c["NLB_A_STATS_" + counter.upper()]
        for p in self._request("LISTENER_GET", nlraw.NLM_F_DUMP):
            a = dict(nlraw.parse_attrs(p))
            name = a.get(self.c["NLB_A_LISTENER_NAME"], b"").rstrip(b"\0")
            if name.decode() != listener:
                continue
            st = dict(nlraw.parse_attrs(
                a.get(self.c["NLB_A_LISTENER_STATS"], b"")))
            return int.from_bytes(st.get(want, b"\0")[:8], sys.byteorder)
        return None

    def census_run(self):
        """Wait for a census that starts now."""
        self._request("CENSUS_RUN")

    def pool_used(self, group):
        for p in self._request("GROUP_GET", nlraw.NLM_F_DUMP):
            a = dict(nlraw.parse_attrs(p))
            name = a.get(self.c["NLB_A_GROUP_NAME"], b"").rstrip(b"\0")
            if name.decode() == group:
                return sum(int.from_bytes(a.get(self.c[k], b"\0")[:4],
                                          sys.byteorder)
                           for k in ("NLB_A_GROUP_POOL4_USED",
                                     "NLB_A_GROUP_POOL6_USED"))
        return None


def delta(a, b):
    return {k: b.get(k, 0) - a.get(k, 0) for k in b
            if b.get(k, 0) != a.get(k, 0)}


def fmt(d):
    return ", ".join("%s %d" % kv for kv in sorted(d.items())) or "none"


# ---- the deterministic cases ----

class Case:
    """One malformed (or well-formed) packet and what must come of it."""

    def __init__(self, name, where, build, drops=None, errors=(),
                 arrive=None, absent=None, nocsum=False, untagged=False):
        self.name = name
        self.where = where      # c6, c4, b1, b2: who sends
        self.build = build      # tag -> [(packet, destination)]
        self.drops = drops or {}
        self.errors = list(errors)      # (where, src, type, code, info)
        self.arrive = arrive    # socket name, or error (where, src, t, c)
        self.absent = absent    # socket name: nothing may arrive there
        # sent with conntrack's checksum verification off, so that what
        # is about a flow reaches nlb whatever its checksums
        self.nocsum = nocsum
        # its errors quote no tag (too short): counted untagged
        self.untagged = untagged


def cases_c6(w):
    """From the IPv6 client (6to4), about its UDP and echo flows."""
    c6, v6 = A6[C6], A6[VIP6]
    P = w.cport6
    uph = ph6(c6, v6, 17)

    def data(t, n=24):
        return t + b"x" * (n - len(t))

    def dgram(t, **kw):
        return udp(P, UPORT, data(t), uph, **kw)

    def one(pkt):
        return [(pkt, VIP6)]

    def frags(t, pieces, ident):
        d = udp(P, UPORT, data(t, 64), uph)
        return [(ip6(c6, v6, 44, x_frag(17, off // 8, mf, ident) +
                     d[off:off + n]), VIP6) for off, n, mf in pieces]

    # The reply an error from the client quotes: VIP:7000 -> client.
    def reply(t, ext=b"", nh=17, ver=6, plen=None):
        u = udp(UPORT, P, data(t, 40), ph6(v6, c6, 17))
        return ip6(v6, c6, nh, ext + u, ver=ver, plen=plen)

    def echo_reply(t):
        e = icmp6(v6, c6, 129, 0, struct.pack("!HH", ID6, 1), data(t, 40))
        return ip6(v6, c6, 58, e)

    def err(t, typ, code, info, inner, hlim=64, ext=b"", nh=58):
        m = icmp6(c6, v6, typ, code, struct.pack("!I", info), inner)
        return [(ip6(c6, v6, ext and 51 or nh, ext + m, hlim=hlim), VIP6)]

    X = (("b1", POOL),)
    return [
        Case("hop limit 1: Time Exceeded from the VIP", "c6",
             lambda t: one(ip6(c6, v6, 17, dgram(t), hlim=1)),
             {"hop-limit": 1}, [("c6", VIP6, 3, 0, 0)]),
        Case("UDP checksum 0 (invalid over IPv6)", "c6",
             lambda t: one(ip6(c6, v6, 17, dgram(t, zero=True))),
             {"bad-csum": 1}),
        Case("UDP length below the datagram's", "c6",
             lambda t: one(ip6(c6, v6, 17, dgram(t, ulen=20))),
             {"bad-len": 1}),
        Case("behind an AH: Destination Unreachable (prohibited)", "c6",
             lambda t: one(ip6(c6, v6, 51, x_ah(17) + dgram(t))),
             {"unsupported-exthdr": 1}, [("c6", VIP6, 1, 1, 0)]),
        Case("routing header, 1 segment left: Parameter Problem at it",
             "c6", lambda t: one(ip6(c6, v6, 43, x_rh(17, 1) + dgram(t))),
             {"unsupported-exthdr": 1}, [("c6", VIP6, 4, 0, 43)]),
        Case("hop-by-hop options not first", "c6",
             lambda t: one(ip6(c6, v6, 60, x_opt(0) + x_opt(17) +
                               dgram(t))),
             {"unsupported-exthdr": 1}, [("c6", VIP6, 1, 1, 0)]),
        Case("destination options and a spent routing header: translated",
             "c6", lambda t: one(ip6(c6, v6, 60, x_opt(43) + x_rh(17, 0) +
                                     dgram(t))),
             arrive="b1u"),
        Case("first fragment of unaligned length (defrag lets it by)",
             "c6", lambda t: one(ip6(c6, v6, 44, x_frag(17, 0, 1, 0x61) +
                                     udp(P, UPORT, t + b"xyzab", uph))),
             {"fragment": 1}, absent="b1u"),
        Case("echo request fragment of unaligned length", "c6",
             lambda t: one(ip6(c6, v6, 44, x_frag(58, 0, 1, 0x62) +
                               icmp6(c6, v6, 128, 0,
                                     struct.pack("!HH", ID6, 9),
                                     t + b"abcde"))),
             {"fragment": 1}),
        Case("fragments out of order: reassembled, translated", "c6",
             lambda t: frags(t, [(48, 24, 0), (0, 24, 1), (24, 24, 1)],
                             0x63), arrive="b1u"),
        Case("duplicate fragment: reassembled, translated", "c6",
             lambda t: frags(t, [(0, 24, 1), (0, 24, 1), (24, 24, 1),
                                 (48, 24, 0)], 0x64), arrive="b1u"),
        Case("overlapping fragments: dropped by reassembly", "c6",
             lambda t: frags(t, [(0, 24, 1), (16, 32, 1), (48, 24, 0)],
                             0x65), absent="b1u"),
        Case("port unreachable about the reply: translated to the backend",
             "c6", lambda t: err(t, 1, 4, 0, reply(t)),
             errors=[("b1", POOL, 3, 3, 0)]),
        Case("Packet Too Big 1400: Fragmentation Needed 1380", "c6",
             lambda t: err(t, 2, 0, 1400, reply(t)),
             errors=[("b1", POOL, 3, 4, 1380)]),
        Case("time exceeded about the echo reply: translated", "c6",
             lambda t: err(t, 3, 0, 0, echo_reply(t)),
             errors=[("b1", POOL, 11, 0, 0)]),
        Case("unreachable code 5 (no ICMPv4 equivalent)", "c6",
             lambda t: err(t, 1, 5, 0, reply(t)), {"icmp-drop": 1}),
        Case("parameter problem code 2", "c6",
             lambda t: err(t, 4, 2, 40, reply(t)), {"icmp-drop": 1}),
        Case("parameter problem pointing at the flow label", "c6",
             lambda t: err(t, 4, 0, 2, reply(t)), {"icmp-drop": 1}),
        Case("unknown error type 100", "c6",
             lambda t: err(t, 100, 0, 0, reply(t)), {"icmp-drop": 1}),
        Case("quoted packet not IPv6", "c6",
             lambda t: err(t, 1, 4, 0, reply(t, ver=4)), {"icmp-inner": 1}),
        Case("quoted packet behind an AH", "c6",
             lambda t: err(t, 1, 4, 0, reply(t, x_ah(17), 51)),
             {"icmp-inner": 1}),
        Case("quoted hop-by-hop options not first", "c6",
             lambda t: err(t, 1, 4, 0, reply(t, x_opt(0) + x_opt(17), 60)),
             {"icmp-inner": 1}),
        Case("quoted routing header with segments left", "c6",
             lambda t: err(t, 1, 4, 0, reply(t, x_rh(17, 1), 43)),
             {"icmp-inner": 1}),
        Case("quoted payload length below its extension headers", "c6",
             lambda t: err(t, 1, 4, 0, reply(t, x_opt(17), 60, plen=4)),
             {"icmp-inner": 1}),
        Case("RFC 4884 length past the quote", "c6",
             lambda t: err(t, 1, 4, 200 << 24, reply(t)),
             {"icmp-inner": 1}),
        Case("error with hop limit 1: no error about an error", "c6",
             lambda t: err(t, 1, 4, 0, reply(t), hlim=1),
             {"hop-limit": 1}),
        Case("error behind an AH: dropped, no error about it", "c6",
             lambda t: err(t, 1, 4, 0, reply(t), ext=x_ah(58)),
             {"unsupported-exthdr": 1}),
        Case("error quoting only the UDP header: translated", "c6",
             lambda t: err(t, 1, 4, 0, ip6(v6, c6, 17, udp(
                 UPORT, P, data(t, 40), ph6(v6, c6, 17))[:8], plen=48)),
             errors=[("b1", POOL, 3, 3, 0)], untagged=True),
        Case("error with a bad checksum (conntrack not checking)", "c6",
             lambda t: [(bad_sum(p, 42), d) for p, d in
                        err(t, 1, 4, 0, reply(t))],
             {"bad-csum": 1}, nocsum=True),
        Case("echo request with a bad checksum (conntrack not checking)",
             "c6", lambda t: one(ip6(c6, v6, 58, bad_sum(icmp6(
                 c6, v6, 128, 0, struct.pack("!HH", ID6, 9),
                 data(t, 40)), 2))),
             {"bad-csum": 1}, nocsum=True),
        Case("UDP with a bad checksum: translated still bad, not "
             "delivered", "c6",
             lambda t: one(ip6(c6, v6, 17, bad_sum(dgram(t), 6))),
             absent="b1u", nocsum=True),
    ], X


def cases_c4(w):
    """From the IPv4 client (4to6), about its UDP and echo flows."""
    c4, v4 = A4[C4], A4[VIP4]
    P = w.cport4
    uph = ph4(c4, v4, 17)

    def data(t, n=24):
        return t + b"x" * (n - len(t))

    def dgram(t, **kw):
        return udp(P, UPORT, data(t), uph, **kw)

    def one(pkt):
        return [(pkt, VIP4)]

    def frags(t, pieces):
        d = udp(P, UPORT, data(t, 64), uph)
        return [(ip4(c4, v4, 17, d[off:off + n], ident=0x4000 | int(t[2:]),
                     frag=off // 8 | (MF4 if mf else 0)), VIP4)
                for off, n, mf in pieces]

    def reply(t, ver=4, tot=None):
        u = udp(UPORT, P, data(t, 40), ph4(v4, c4, 17))
        return ip4(v4, c4, 17, u, ver=ver, tot=tot)

    def echo_reply(t):
        return ip4(v4, c4, 1, icmp4(0, 0, struct.pack("!HH", ID4, 1),
                                     data(t, 40)))

    def err(t, typ, code, rest, inner, ttl=64, opts=b""):
        return one(ip4(c4, v4, 1, icmp4(typ, code, rest, inner), ttl=ttl,
                       opts=opts))

    lsrr = b"\x83\x07\x04" + A4[B1] + b"\x00"       # one hop left
    z = b"\0" * 4
    return [
        Case("TTL 1: Time Exceeded from the VIP", "c4",
             lambda t: one(ip4(c4, v4, 17, dgram(t), ttl=1)),
             {"hop-limit": 1}, [("c4", VIP4, 11, 0, 0)]),
        Case("unexpired source route: Source Route Failed", "c4",
             lambda t: one(ip4(c4, v4, 17, dgram(t), opts=lsrr)),
             {"source-route": 1}, [("c4", VIP4, 3, 5, 0)]),
        Case("malformed IPv4 option", "c4",
             lambda t: one(ip4(c4, v4, 17, dgram(t),
                               opts=b"\x07\x28\x04\x00")),
             {"bad-hdr": 1}),
        Case("record route option: dropped, translated", "c4",
             lambda t: one(ip4(c4, v4, 17, dgram(t),
                               opts=b"\x07\x07\x04" + z + b"\x00")),
             arrive="b2u"),
        Case("UDP length below the datagram's", "c4",
             lambda t: one(ip4(c4, v4, 17, dgram(t, ulen=20))),
             {"bad-len": 1}),
        Case("UDP without checksum: one computed, translated", "c4",
             lambda t: one(ip4(c4, v4, 17, dgram(t, zero=True))),
             arrive="b2u"),
        Case("fragments out of order: reassembled, translated", "c4",
             lambda t: frags(t, [(48, 24, 0), (0, 24, 1), (24, 24, 1)]),
             arrive="b2u"),
        Case("overlapping fragments: dropped by reassembly", "c4",
             lambda t: frags(t, [(0, 24, 1), (16, 32, 1), (48, 24, 0)]),
             absent="b2u"),
        Case("port unreachable about the reply: translated", "c4",
             lambda t: err(t, 3, 3, z, reply(t)),
             errors=[("b2", EMB_C4, 1, 4, 0)]),
        Case("Fragmentation Needed without MTU: Packet Too Big 1280",
             "c4", lambda t: err(t, 3, 4, z, reply(t)),
             errors=[("b2", EMB_C4, 2, 0, 1280)]),
        Case("time exceeded about the echo reply: translated", "c4",
             lambda t: err(t, 11, 0, z, echo_reply(t)),
             errors=[("b2", EMB_C4, 3, 0, 0)]),
        Case("unreachable code 14 (precedence violation)", "c4",
             lambda t: err(t, 3, 14, z, reply(t)), {"icmp-drop": 1}),
        Case("source quench", "c4",
             lambda t: err(t, 4, 0, z, reply(t)), {"icmp-drop": 1}),
        # NAT drops redirects of an entry without both null bindings, as
        # a client's leg is (nf_nat_icmp_reply_translation()), before nlb
        Case("redirect: dropped by NAT before the translation", "c4",
             lambda t: err(t, 5, 1, A4[C4], reply(t))),
        Case("parameter problem code 1", "c4",
             lambda t: err(t, 12, 1, z, reply(t)), {"icmp-drop": 1}),
        Case("parameter problem pointing at the identification", "c4",
             lambda t: err(t, 12, 0, b"\x04\0\0\0", reply(t)),
             {"icmp-drop": 1}),
        Case("quoted packet not IPv4", "c4",
             lambda t: err(t, 3, 3, z, reply(t, ver=6)), {"icmp-inner": 1}),
        Case("quoted total length below its header", "c4",
             lambda t: err(t, 3, 3, z, reply(t, tot=12)), {"icmp-inner": 1}),
        Case("RFC 4884 length past the quote", "c4",
             lambda t: err(t, 3, 3, b"\0\x60\0\0", reply(t)),
             {"icmp-inner": 1}),
        Case("error with TTL 1: no error about an error", "c4",
             lambda t: err(t, 3, 3, z, reply(t), ttl=1), {"hop-limit": 1}),
        Case("error with a source route: no error about an error", "c4",
             lambda t: err(t, 3, 3, z, reply(t), opts=lsrr),
             {"source-route": 1}),
        Case("error with a bad checksum (conntrack not checking)", "c4",
             lambda t: [(bad_sum(p, 22), d) for p, d in
                        err(t, 3, 3, z, reply(t))],
             {"bad-csum": 1}, nocsum=True),
        Case("echo request with a bad checksum (conntrack not checking)",
             "c4", lambda t: one(ip4(c4, v4, 1, bad_sum(icmp4(
                 8, 0, struct.pack("!HH", ID4, 9), data(t, 40)), 2))),
             {"bad-csum": 1}, nocsum=True),
        Case("UDP with a bad checksum: translated still bad, not "
             "delivered", "c4",
             lambda t: one(ip4(c4, v4, 17, bad_sum(dgram(t), 6))),
             absent="b2u", nocsum=True),
    ], (("b2", EMB_C4),)


def cases_b1(w):
    """From the IPv4 backend (to the pool address: 4to6 to the client)."""
    b1, pool = A4[B1], A4[POOL]
    P = w.pport
    uph = ph4(b1, pool, 17)
    eid = w.echo_id["e6"]

    def data(t, n=24):
        return t + b"x" * (n - len(t))

    def dgram(t, **kw):
        return udp(UPORT, P, data(t), uph, **kw)

    def one(pkt):
        return [(pkt, POOL)]

    def frags(t, pieces):
        d = udp(UPORT, P, data(t, 64), uph)
        return [(ip4(b1, pool, 17, d[off:off + n], ident=0x1000 | int(t[2:]),
                     frag=off // 8 | (MF4 if mf else 0)), POOL)
                for off, n, mf in pieces]

    def request(t, ver=4, tot=None):
        u = udp(P, UPORT, data(t, 40), ph4(pool, b1, 17))
        return ip4(pool, b1, 17, u, ver=ver, tot=tot)

    def echo_request(t):
        return ip4(pool, b1, 1, icmp4(8, 0, struct.pack("!HH", eid, 1),
                                       data(t, 40)))

    def err(t, typ, code, rest, inner, ttl=64, opts=b"", src=b1):
        return one(ip4(src, pool, 1, icmp4(typ, code, rest, inner), ttl=ttl,
                       opts=opts))

    lsrr = b"\x83\x07\x04" + A4[C4] + b"\x00"
    z = b"\0" * 4
    return [
        Case("TTL 1: Time Exceeded from the pool address", "b1",
             lambda t: one(ip4(b1, pool, 17, dgram(t), ttl=1)),
             {"hop-limit": 1}, [("b1", POOL, 11, 0, 0)]),
        Case("unexpired source route: Source Route Failed from the pool "
             "address", "b1",
             lambda t: one(ip4(b1, pool, 17, dgram(t), opts=lsrr)),
             {"source-route": 1}, [("b1", POOL, 3, 5, 0)]),
        Case("malformed IPv4 option", "b1",
             lambda t: one(ip4(b1, pool, 17, dgram(t),
                               opts=b"\x44\x01\x00\x00")),
             {"bad-hdr": 1}),
        Case("UDP length below the datagram's", "b1",
             lambda t: one(ip4(b1, pool, 17, dgram(t, ulen=12))),
             {"bad-len": 1}),
        Case("UDP without checksum: one computed, translated", "b1",
             lambda t: one(ip4(b1, pool, 17, dgram(t, zero=True))),
             arrive="c6u"),
        Case("fragments out of order: reassembled, translated", "b1",
             lambda t: frags(t, [(24, 24, 1), (48, 24, 0), (0, 24, 1)]),
             arrive="c6u"),
        Case("overlapping fragments: dropped by reassembly", "b1",
             lambda t: frags(t, [(0, 32, 1), (24, 24, 1), (48, 24, 0)]),
             absent="c6u"),
        Case("port unreachable from the backend: translated, from its "
             "address in 64:ff9b::/96", "b1",
             lambda t: err(t, 3, 3, z, request(t)),
             errors=[("c6", EMB_B1, 1, 4, 0)]),
        Case("Fragmentation Needed 1400: Packet Too Big 1420", "b1",
             lambda t: err(t, 3, 4, b"\0\0\x05\x78", request(t)),
             errors=[("c6", EMB_B1, 2, 0, 1420)]),
        Case("time exceeded about the echo request: translated", "b1",
             lambda t: err(t, 11, 0, z, echo_request(t)),
             errors=[("c6", EMB_B1, 3, 0, 0)]),
        Case("parameter problem pointing at the TTL: pointer 7", "b1",
             lambda t: err(t, 12, 0, b"\x08\0\0\0", request(t)),
             errors=[("c6", EMB_B1, 4, 0, 7)]),
        Case("unreachable code 14", "b1",
             lambda t: err(t, 3, 14, z, request(t)), {"icmp-drop": 1}),
        Case("redirect", "b1",
             lambda t: err(t, 5, 1, A4[B1], request(t)), {"icmp-drop": 1}),
        Case("quoted packet not IPv4", "b1",
             lambda t: err(t, 3, 3, z, request(t, ver=6)),
             {"icmp-inner": 1}),
        Case("quoted total length below its header", "b1",
             lambda t: err(t, 11, 0, z, request(t, tot=8)),
             {"icmp-inner": 1}),
        Case("RFC 4884 length past the quote", "b1",
             lambda t: err(t, 11, 0, b"\0\x40\0\0", request(t)),
             {"icmp-inner": 1}),
        Case("error with TTL 1: no error about an error", "b1",
             lambda t: err(t, 3, 3, z, request(t), ttl=1), {"hop-limit": 1}),
        # a router's error appears at its address in the /96: not one
        # that no router may send from (RFC 1812 5.3.7)
        Case("error from a multicast source: dropped", "b1",
             lambda t: err(t, 11, 0, z, request(t), src=A4["224.0.0.1"]),
             {"bad-hdr": 1}),
        Case("error from the limited broadcast address: dropped", "b1",
             lambda t: err(t, 3, 3, z, request(t),
                           src=A4["255.255.255.255"]),
             {"bad-hdr": 1}),
        Case("error from a loopback address: dropped", "b1",
             lambda t: err(t, 3, 3, z, request(t), src=A4["127.0.0.1"]),
             {"bad-hdr": 1}),
        Case("time exceeded quoting 8 bytes of TCP: translated", "b1",
             lambda t: err(t, 11, 0, z, ip4(pool, b1, 6, tcp8(
                 w.peer["b1t"][1], TPORT), tot=60)),
             errors=[("c6", EMB_B1, 3, 0, 0)], untagged=True),
        Case("error with a bad checksum (conntrack not checking)", "b1",
             lambda t: [(bad_sum(p, 22), d) for p, d in
                        err(t, 3, 3, z, request(t))],
             {"bad-csum": 1}, nocsum=True),
        Case("echo reply with a bad checksum (conntrack not checking)",
             "b1", lambda t: one(ip4(b1, pool, 1, bad_sum(icmp4(
                 0, 0, struct.pack("!HH", eid, 9), data(t, 40)), 2))),
             {"bad-csum": 1}, nocsum=True),
        Case("UDP with a bad checksum: translated still bad, not "
             "delivered", "b1",
             lambda t: one(ip4(b1, pool, 17, bad_sum(dgram(t), 6))),
             absent="c6u", nocsum=True),
    ], (("c6", EMB_B1),)


def cases_b2(w):
    """From the IPv6 backend (to the client's embedded address: 6to4)."""
    b2, emb = A6[B2], A6[EMB_C4]
    P = w.cport4        # the embedded source keeps the client's port
    uph = ph6(b2, emb, 17)
    eid = w.echo_id["e4"]

    def data(t, n=24):
        return t + b"x" * (n - len(t))

    def dgram(t, **kw):
        return udp(UPORT, P, data(t), uph, **kw)

    def one(pkt):
        return [(pkt, EMB_C4)]

    def frags(t, pieces, ident):
        d = udp(UPORT, P, data(t, 64), uph)
        return [(ip6(b2, emb, 44, x_frag(17, off // 8, mf, ident) +
                     d[off:off + n]), EMB_C4) for off, n, mf in pieces]

    def request(t, ext=b"", nh=17, ver=6, plen=None):
        u = udp(P, UPORT, data(t, 40), ph6(emb, b2, 17))
        return ip6(emb, b2, nh, ext + u, ver=ver, plen=plen)

    def echo_request(t):
        return ip6(emb, b2, 58, icmp6(emb, b2, 128, 0,
                                      struct.pack("!HH", eid, 1),
                                      data(t, 40)))

    def err(t, typ, code, info, inner, hlim=64):
        m = icmp6(b2, emb, typ, code, struct.pack("!I", info), inner)
        return one(ip6(b2, emb, 58, m, hlim=hlim))

    return [
        Case("hop limit 1: Time Exceeded from the client's embedded "
             "address", "b2",
             lambda t: one(ip6(b2, emb, 17, dgram(t), hlim=1)),
             {"hop-limit": 1}, [("b2", EMB_C4, 3, 0, 0)]),
        Case("UDP checksum 0", "b2",
             lambda t: one(ip6(b2, emb, 17, dgram(t, zero=True))),
             {"bad-csum": 1}),
        Case("UDP length below the datagram's", "b2",
             lambda t: one(ip6(b2, emb, 17, dgram(t, ulen=16))),
             {"bad-len": 1}),
        Case("behind an AH: Destination Unreachable (prohibited)", "b2",
             lambda t: one(ip6(b2, emb, 51, x_ah(17) + dgram(t))),
             {"unsupported-exthdr": 1}, [("b2", EMB_C4, 1, 1, 0)]),
        Case("routing header, 1 segment left: Parameter Problem at it",
             "b2", lambda t: one(ip6(b2, emb, 43, x_rh(17, 1) + dgram(t))),
             {"unsupported-exthdr": 1}, [("b2", EMB_C4, 4, 0, 43)]),
        Case("hop-by-hop options not first", "b2",
             lambda t: one(ip6(b2, emb, 60, x_opt(0) + x_opt(17) +
                               dgram(t))),
             {"unsupported-exthdr": 1}, [("b2", EMB_C4, 1, 1, 0)]),
        Case("destination options: translated", "b2",
             lambda t: one(ip6(b2, emb, 60, x_opt(17) + dgram(t))),
             arrive="c4u"),
        Case("first fragment of unaligned length (defrag lets it by)",
             "b2", lambda t: one(ip6(b2, emb, 44, x_frag(17, 0, 1, 0x71) +
                                     udp(UPORT, P, t + b"xyzab", uph))),
             {"fragment": 1}, absent="c4u"),
        Case("fragments out of order: reassembled, translated", "b2",
             lambda t: frags(t, [(24, 24, 1), (0, 24, 1), (48, 24, 0)],
                             0x72), arrive="c4u"),
        Case("overlapping fragments: dropped by reassembly", "b2",
             lambda t: frags(t, [(0, 24, 1), (8, 24, 1), (48, 24, 0)],
                             0x73), absent="c4u"),
        Case("port unreachable from the backend: translated, from the VIP",
             "b2", lambda t: err(t, 1, 4, 0, request(t)),
             errors=[("c4", VIP4, 3, 3, 0)]),
        Case("Packet Too Big 1400: Fragmentation Needed 1380", "b2",
             lambda t: err(t, 2, 0, 1400, request(t)),
             errors=[("c4", VIP4, 3, 4, 1380)]),
        Case("time exceeded about the echo request: translated", "b2",
             lambda t: err(t, 3, 0, 0, echo_request(t)),
             errors=[("c4", VIP4, 11, 0, 0)]),
        Case("parameter problem code 2", "b2",
             lambda t: err(t, 4, 2, 40, request(t)), {"icmp-drop": 1}),
        Case("quoted packet not IPv6", "b2",
             lambda t: err(t, 1, 4, 0, request(t, ver=4)),
             {"icmp-inner": 1}),
        Case("quoted packet behind an AH", "b2",
             lambda t: err(t, 1, 4, 0, request(t, x_ah(17), 51)),
             {"icmp-inner": 1}),
        Case("RFC 4884 length past the quote", "b2",
             lambda t: err(t, 3, 0, 100 << 24, request(t)),
             {"icmp-inner": 1}),
        Case("error with hop limit 1: no error about an error", "b2",
             lambda t: err(t, 1, 4, 0, request(t), hlim=1),
             {"hop-limit": 1}),
        Case("time exceeded quoting 8 bytes of TCP: translated", "b2",
             lambda t: err(t, 3, 0, 0, ip6(emb, b2, 6, tcp8(
                 w.peer["b2t"][1], TPORT), plen=32)),
             errors=[("c4", VIP4, 11, 0, 0)], untagged=True),
        Case("error with a bad checksum (conntrack not checking)", "b2",
             lambda t: [(bad_sum(p, 42), d) for p, d in
                        err(t, 1, 4, 0, request(t))],
             {"bad-csum": 1}, nocsum=True),
        Case("echo reply with a bad checksum (conntrack not checking)",
             "b2", lambda t: one(ip6(b2, emb, 58, bad_sum(icmp6(
                 b2, emb, 129, 0, struct.pack("!HH", eid, 9),
                 data(t, 40)), 2))),
             {"bad-csum": 1}, nocsum=True),
        Case("UDP with a bad checksum: translated still bad, not "
             "delivered", "b2",
             lambda t: one(ip6(b2, emb, 17, bad_sum(dgram(t), 6))),
             absent="c4u", nocsum=True),
    ], (("c4", VIP4),)


def run_case(w, case, n):
    t = tag(n)
    before = w.nlb.drops()
    nerr = len(w.errors)
    packets = case.build(t)
    want_tag = None if case.untagged else n
    if case.nocsum:
        w.ct_checksum(False)
    try:
        for pkt, dst in packets:
            w.send(case.where, pkt, dst)
        w.pump(None, 0.05)
    finally:
        if case.nocsum:
            w.ct_checksum(True)
    got = {}

    def settled():
        got["d"] = delta(before, w.nlb.drops())
        if got["d"] != case.drops:
            return False
        mine = [e[:5] for e in w.errors[nerr:] if e[5] == want_tag]
        if any(e not in mine for e in case.errors):
            return False
        if case.arrive and (case.arrive, n) not in w.arrived:
            return False
        return True

    ok = w.pump(settled, 2.0)
    # what comes late comes within a few milliseconds: wait for it
    w.pump(None, 0.2 if case.absent else 0.05)
    got["d"] = delta(before, w.nlb.drops())
    mine = [e[:5] for e in w.errors[nerr:] if e[5] == want_tag]
    why = []
    if got["d"] != case.drops:
        why.append("drops: %s, want %s" % (fmt(got["d"]), fmt(case.drops)))
    if sorted(mine) != sorted(case.errors):
        why.append("errors: %s, want %s" % (mine or "none",
                                            case.errors or "none"))
    if case.arrive and (case.arrive, n) not in w.arrived:
        why.append("nothing arrived at " + case.arrive)
    if case.absent and (case.absent, n) in w.arrived:
        why.append("it arrived at " + case.absent)
    return check(ok and not why, "%s: %s (%d packet%s)" % (
        case.where, case.name, len(packets), "s" * (len(packets) > 1)),
        "; ".join(why)), len(packets)


def conntrack_legs(w, pattern):
    res = subprocess.run(["ip", "netns", "exec", w.p + "-lb", "conntrack",
                          "-L"], capture_output=True, text=True)
    return [line for line in res.stdout.splitlines()
            if re.search(pattern, line)]


def sysctl(w, *settings):
    subprocess.run(["ip", "netns", "exec", w.p + "-lb", "sysctl", "-qw"] +
                   list(settings), check=True)


def nlbadm(w, *args):
    nlbadm_path = os.environ.get("NLBADM",
                                 os.path.join(HERE, "..", "tools", "nlbadm",
                                              "nlbadm"))
    return subprocess.run(["ip", "netns", "exec", w.p + "-lb", nlbadm_path] +
                          list(args), capture_output=True, text=True)


def flows_ok(w, when):
    res = w.flows()
    bad = [k for k, v in res.items() if not v]
    return check(not bad, "the flows answer %s (%s)" % (
        when, ", ".join(sorted(res))), "no answer: " + ", ".join(bad))


def cmd_cases(w):
    start = time.monotonic()
    w.tcp_open()
    if not flows_ok(w, "before"):
        return
    n = 0
    packets = 0
    for gen in (cases_c6, cases_c4, cases_b1, cases_b2):
        w.flows()       # fresh, and the backends' view of them learnt
        cases, _ = gen(w)
        for case in cases:
            n += 1
            _, k = run_case(w, case, n)
            packets += k
    # anything that came late, about any case
    w.pump(None, 0.3)
    late = [e for e in w.errors if e[5] is not None and e[5] > n]
    check(not late, "no stray ICMP error quoting a malformed packet",
          str(late))
    out("diag", "%d cases, %d packets in %.1f s" % (
        n, packets, time.monotonic() - start))

    # Local clients: the gateway's own packets keep their hop limit.
    before = w.nlb.drops()
    ok6 = w.ask(w.lu6, "lu6")
    ok4 = w.ask(w.lu4, "lu4")
    d = delta(before, w.nlb.drops())
    check(ok6 and ok4 and not d,
          "local clients with hop limit 1 / TTL 1 are answered, both ways",
          "6to4 %s, 4to6 %s, drops %s" % (ok6, ok4, fmt(d)))

    # A deleted group: the census ends both legs of its connections.
    ok = w.ask(w.c6g, "c6g")
    legs = conntrack_legs(w, r"dport=%d " % GPORT)
    check(ok and len(legs) == 2, "gdel: a translated flow, two legs",
          "answered %s, legs %s" % (ok, legs))
    for args in (("listener", "del", "gdel"), ("group", "del", "gdel")):
        r = nlbadm(w, *args)
        if r.returncode:
            out("diag", "nlbadm %s: %s" % (" ".join(args), r.stderr.strip()))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        legs = conntrack_legs(w, r"dport=%d " % GPORT)
        if not legs:
            break
        w.nlb.census_run()
        w.pump(None, 0.2)
    check(not legs, "gdel deleted: the census ends both legs",
          "left: %s" % legs)

    flows_ok(w, "after everything")


# ---- the randomized packets ----

class Fuzz:
    def __init__(self, w, seed):
        self.w = w
        self.r = random.Random(seed)
        self.sent = 0

    def templates(self):
        """(side, destination, packet builders) of the live flows."""
        w, r = self.w, self.r
        c6, v6, b2, emb = A6[C6], A6[VIP6], A6[B2], A6[EMB_C4]
        c4, v4, b1, pool = A4[C4], A4[VIP4], A4[B1], A4[POOL]
        P6, P4, PP = w.cport6, w.cport4, w.pport
        e6, e4 = w.echo_id.get("e6", 1), w.echo_id.get("e4", ID4)

        def payload(t):
            return t + bytes(r.getrandbits(8)
                             for _ in range(r.choice((0, 8, 24, 60))))

        def v6side(src, dst, sport, dport, eid, qsrc, qdst, qecho):
            def data(t):
                return 17, udp(sport, dport, payload(t), ph6(src, dst, 17))

            def echo(t):
                return 58, icmp6(src, dst, r.choice((128, 129)), 0,
                                 struct.pack("!HH", eid, 1), payload(t))

            def error(t):
                if r.random() < 0.7:
                    inner = ip6(qsrc, qdst, 17, udp(dport, sport, payload(t),
                                                    ph6(qsrc, qdst, 17)))
                else:
                    inner = ip6(qsrc, qdst, 58, icmp6(
                        qsrc, qdst, qecho, 0, struct.pack("!HH", eid, 1),
                        payload(t)))
                typ, code = r.choice(((1, 0), (1, 1), (1, 3), (1, 4), (1, 5),
                                      (2, 0), (3, 0), (3, 1), (4, 0), (4, 1),
                                      (4, 2), (100, 0), (1, 9)))
                return 58, icmp6(src, dst, typ, code,
                                 struct.pack("!I", r.choice(
                                     (0, 6, 40, 1280, 1400, 9000,
                                      r.getrandbits(32)))), inner)
            return data, echo, error

        def v4side(src, dst, sport, dport, eid, qsrc, qdst, qecho):
            def data(t):
                return 17, udp(sport, dport, payload(t), ph4(src, dst, 17))

            def echo(t):
                return 1, icmp4(r.choice((8, 0)), 0,
                                struct.pack("!HH", eid, 1), payload(t))

            def error(t):
                if r.random() < 0.7:
                    inner = ip4(qsrc, qdst, 17, udp(dport, sport, payload(t),
                                                    ph4(qsrc, qdst, 17)))
                else:
                    inner = ip4(qsrc, qdst, 1, icmp4(qecho, 0, struct.pack(
                        "!HH", eid, 1), payload(t)))
                typ, code = r.choice(((3, 0), (3, 1), (3, 3), (3, 4), (3, 9),
                                      (3, 13), (3, 14), (4, 0), (5, 0),
                                      (11, 0), (11, 1), (12, 0), (12, 1),
                                      (12, 2)))
                return 1, icmp4(typ, code, struct.pack(
                    "!I", r.choice((0, 1400, 576, 0x08000000,
                                    r.getrandbits(32)))), inner)
            return data, echo, error

        return {
            "c6": (C6, VIP6, 6, c6, v6,
                   v6side(c6, v6, P6, UPORT, ID6, v6, c6, 129)),
            "b2": (B2, EMB_C4, 6, b2, emb,
                   v6side(b2, emb, UPORT, P4, e4, emb, b2, 128)),
            "c4": (C4, VIP4, 4, c4, v4,
                   v4side(c4, v4, P4, UPORT, ID4, v4, c4, 0)),
            "b1": (B1, POOL, 4, b1, pool,
                   v4side(b1, pool, UPORT, PP, e6, pool, b1, 8)),
        }

    def mutate(self, b, n):
        r = self.r
        b = bytearray(b)
        for _ in range(n):
            if not b:
                break
            m = r.random()
            i = r.randrange(len(b))
            if m < 0.4:
                b[i] = r.getrandbits(8)
            elif m < 0.55:
                b[i] ^= 1 << r.randrange(8)
            elif m < 0.7:
                del b[r.randrange(len(b)):]
            elif m < 0.8:
                b[i:i] = bytes(r.getrandbits(8)
                               for _ in range(r.randrange(1, 9)))
            else:
                b[i] = r.choice((0, 1, 0xff, 0x80, 0x7f))
        return bytes(b)

    def v6packet(self, src, dst, nh, l4):
        r = self.r
        ext = b""
        if r.random() < 0.3:
            # a chain of extension headers, valid or not
            chain = []
            for _ in range(r.randrange(1, 4)):
                chain.append(r.choice(("opt", "hbh", "rh0", "rh", "ah",
                                       "frag", "atomic")))
            hdrs = []
            for i, k in reversed(list(enumerate(chain))):
                kind = {"opt": 60, "hbh": 0, "rh0": 43, "rh": 43, "ah": 51,
                        "frag": 44, "atomic": 44}[k]
                if k in ("opt", "hbh"):
                    hdrs.insert(0, (kind, x_opt(nh)))
                elif k == "rh0":
                    hdrs.insert(0, (kind, x_rh(nh, 0)))
                elif k == "rh":
                    hdrs.insert(0, (kind, x_rh(nh, r.randrange(1, 3))))
                elif k == "ah":
                    hdrs.insert(0, (kind, x_ah(nh)))
                elif k == "frag":
                    hdrs.insert(0, (kind, x_frag(nh, r.choice((0, 0, 1, 3)),
                                                 r.getrandbits(1),
                                                 r.getrandbits(32))))
                else:
                    hdrs.insert(0, (kind, x_frag(nh, 0, 0,
                                                 r.getrandbits(32))))
                nh = kind
            ext = b"".join(h for _, h in hdrs)
        return ip6(src, dst, nh, ext + l4,
                   hlim=r.choice((64, 64, 64, 2, 1, 0, 255)))

    def v4packet(self, src, dst, proto, l4):
        r = self.r
        opts = b""
        if r.random() < 0.2:
            opts = r.choice((b"\x01\x01\x01\x01",
                             b"\x83\x07\x04" + A4[B1] + b"\x00",
                             b"\x83\x07\x08" + A4[B1] + b"\x00",
                             b"\x07\x07\x04" + b"\0" * 4 + b"\x00",
                             b"\x44\x04\x05\x00",
                             bytes(r.getrandbits(8) for _ in range(4)),
                             b"\x07\x28\x04\x00"))
        frag = 0
        if r.random() < 0.05:
            frag = r.choice((MF4, 1, MF4 | 2, 0x4000))
        return ip4(src, dst, proto, l4, opts=opts, frag=frag,
                   ttl=r.choice((64, 64, 64, 2, 1, 0, 255)),
                   ident=r.getrandbits(16) or 1)

    def fragments(self, fam, src, dst, proto, l4, ident):
        """The datagram cut at random 8-byte boundaries, shuffled, with
        duplicates and overlaps now and then."""
        r = self.r
        cuts = sorted({r.randrange(1, max(2, len(l4) // 8)) * 8
                       for _ in range(r.randrange(1, 4))})
        cuts = [c for c in cuts if c < len(l4)]
        bounds = [0] + cuts + [len(l4)]
        pieces = [(bounds[i], bounds[i + 1] - bounds[i],
                   i + 2 < len(bounds)) for i in range(len(bounds) - 1)]
        if r.random() < 0.2:
            pieces.append(r.choice(pieces))
        if r.random() < 0.2:
            off, n, mf = r.choice(pieces)
            pieces.append((max(0, off - 8), n + 8, mf))
        if r.random() < 0.1:
            off, n, mf = r.choice(pieces)
            pieces.append((off, max(1, n - r.randrange(1, 8)), 1))
        r.shuffle(pieces)
        out_ = []
        for off, n, mf in pieces:
            if fam == 6:
                out_.append(ip6(src, dst, 44, x_frag(proto, off // 8, mf,
                                                     ident) +
                                l4[off:off + n]))
            else:
                out_.append(ip4(src, dst, proto, l4[off:off + n],
                                ident=ident & 0xffff or 1,
                                frag=off // 8 | (MF4 if mf else 0)))
        return out_

    def one(self, t, sides):
        r = self.r
        side = r.choice(("c6", "c4", "b1", "b2"))
        srcs, dsts, fam, src, dst, kinds = sides[side]
        kind = r.choices(kinds, (4, 2, 4))[0]
        proto, l4 = kind(t)
        if r.random() < 0.15:
            pkts = self.fragments(fam, src, dst, proto, l4,
                                  r.getrandbits(32))
        else:
            if r.random() < 0.6:
                l4 = self.fix(fam, src, dst, proto,
                              self.mutate(l4, r.randrange(1, 4)))
            pkts = [self.v6packet(src, dst, proto, l4) if fam == 6 else
                    self.v4packet(src, dst, proto, l4)]
            if r.random() < 0.2:
                # the IP header itself, now and then
                pkts = [self.mutate(pkts[0][:40], 1) + pkts[0][40:]]
        for p in pkts:
            try:
                self.w.send(side, p, dsts)
            except OSError:
                pass    # refused by the sender's own kernel (bad header)
            self.sent += 1

    def fix(self, fam, src, dst, proto, l4):
        """Recompute the L4 checksum most of the time."""
        if self.r.random() < 0.1 or len(l4) < 8:
            return l4
        off = {17: 6, 58: 2, 1: 2}[proto]
        b = bytearray(l4)
        b[off:off + 2] = b"\0\0"
        if proto == 17 and fam == 6:
            c = csum(ph6(src, dst, 17)(len(b)) + bytes(b)) or 0xffff
        elif proto == 17:
            c = csum(ph4(src, dst, 17)(len(b)) + bytes(b)) or 0xffff
        elif proto == 58:
            c = csum(ph6(src, dst, 58)(len(b)) + bytes(b))
        else:
            c = csum(bytes(b))
        b[off:off + 2] = struct.pack("!H", c)
        return bytes(b)


def cmd_fuzz(w, seed, count):
    f = Fuzz(w, seed)
    # What the packets create (new flows) ends soon; the flows' own legs
    # answer at every checkpoint.
    sysctl(w, "net.netfilter.nf_conntrack_udp_timeout=5",
           "net.netfilter.nf_conntrack_icmp_timeout=15",
           "net.netfilter.nf_conntrack_icmpv6_timeout=15",
           "net.netfilter.nf_conntrack_generic_timeout=10",
           "net.netfilter.nf_conntrack_tcp_timeout_syn_sent=5",
           "net.netfilter.nf_conntrack_tcp_timeout_syn_recv=5",
           "net.netfilter.nf_conntrack_tcp_timeout_close=5",
           "net.netfilter.nf_conntrack_tcp_timeout_time_wait=5")
    w.tcp_open()
    if not flows_ok(w, "before the randomized packets"):
        return
    before = w.nlb.drops()
    start = last = time.monotonic()
    checkpoints = failed = 0
    sides = f.templates()
    n = 0
    while f.sent < count:
        n += 1
        f.one(tag(n % 1000000), sides)
        if n % 64 == 0:
            w.drain()
        now = time.monotonic()
        if now - last > 5 or f.sent >= count:
            last = now
            checkpoints += 1
            res = w.flows()
            bad = [k for k, v in res.items() if not v]
            if bad:
                # one more try: a flow may have had an ICMP error queued
                res = w.flows()
                bad = [k for k, v in res.items() if not v]
            if bad:
                failed += 1
                out("diag", "after %d packets: no answer from %s" % (
                    f.sent, ", ".join(bad)))
            sides = f.templates()
            w.errors.clear()
            w.arrived.clear()
    took = time.monotonic() - start
    d = delta(before, w.nlb.drops())
    dropped = sum(d.values())
    out("diag", "%d randomized packets (seed %d) in %.0f s, %.0f/s; "
        "translation drops %d: %s" % (f.sent, seed, took, f.sent / took,
                                      dropped, fmt(d)))
    check(failed == 0, "the flows answered at all %d checkpoints" %
          checkpoints, "%d checkpoints failed" % failed)
    check(0 < dropped <= f.sent,
          "the translation counted drops, no more than packets sent",
          "%d drops for %d packets" % (dropped, f.sent))


def cmd_churn(w, seconds):
    """Rounds of more new flows than the pool has slots, each flow one
    datagram from a new source port: answered or refused, never both,
    never neither; the slots come back when conntrack ends the flows."""
    sysctl(w, "net.netfilter.nf_conntrack_udp_timeout=1")
    start = time.monotonic()
    rounds = sent = answered = 0
    lost = []
    refused0 = w.nlb.listener_stat("ct6", "drop_pool")
    while time.monotonic() - start < seconds:
        rounds += 1
        socks = []
        with netns(w.p + "-c6"):
            for i in range(2 * CHURN_SLOTS):
                socks.append(w._udp(socket.AF_INET6, (VIP6, CPORT),
                                    "ch%d" % i))
        words = []
        for i, s in enumerate(socks):
            w.seq += 1
            words.append(b"%d" % w.seq)
            s.send(b"ask" + words[-1])
        sent += len(socks)

        def got():
            return sum(wd in w.answers.get("ch%d" % i, [])
                       for i, wd in enumerate(words))
        w.pump(lambda: got() >= CHURN_SLOTS, 2.0)
        w.pump(None, 0.1)
        a = got()
        answered += a
        if a != CHURN_SLOTS and len(lost) < 5:
            lost.append((rounds, a))
        for s in socks:
            w.rsocks.pop(s, None)
            s.close()
        for i in range(len(socks)):
            w.answers.pop("ch%d" % i, None)
        # the flows end (UDP timeout 1 s, conntrack's GC some later)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and w.nlb.pool_used("rtiny"):
            time.sleep(0.2)
    refused = w.nlb.listener_stat("ct6", "drop_pool") - refused0
    took = time.monotonic() - start
    out("diag", "churn: %d rounds, %d flows in %.0f s: %d answered, %d "
        "refused (drop-pool)" % (rounds, sent, took, answered, refused))
    check(not lost, "churn: each round, exactly the pool's %d slots "
          "answered" % CHURN_SLOTS, "rounds (round, answered): %s" % lost)
    check(answered + refused == sent, "churn: every flow answered or "
          "refused and counted", "%d sent, %d answered, %d refused" % (
              sent, answered, refused))
    check(w.nlb.pool_used("rtiny") == 0, "churn: the pool's slots are back")


def cmd_load(w, seconds, stopfile, burst=32):
    start = time.monotonic()
    rounds = sent = answered = 0
    last_ok = stop = None
    while time.monotonic() - start < seconds and \
            (stop is None or time.monotonic() < stop):
        if stop is None and os.path.exists(stopfile):
            stop = time.monotonic() + 3
        rounds += 1
        socks = []
        with netns(w.p + "-c6"):
            socks.append(w._udp(socket.AF_INET6, (VIP6, UPORT), "ld6"))
        with netns(w.p + "-c4"):
            socks.append(w._udp(socket.AF_INET, (VIP4, UPORT), "ld4"))
        words = []
        for s in socks:
            for _ in range(burst):
                w.seq += 1
                words.append(b"%d" % w.seq)
                try:
                    s.send(b"ask" + words[-1])
                except OSError:
                    pass        # an ICMP error queued (nlb was away)
        sent += len(words)

        def got(name, ws):
            return sum(x in w.answers.get(name, []) for x in ws)
        w.pump(lambda: got("ld6", words[:burst]) + got("ld4", words[burst:])
               >= len(words), 0.5)
        g6, g4 = got("ld6", words[:burst]), got("ld4", words[burst:])
        answered += g6 + g4
        if g6 and g4:
            last_ok = time.monotonic()
        for s in socks:
            w.rsocks.pop(s, None)
            s.close()
        w.answers.pop("ld6", None)
        w.answers.pop("ld4", None)
    end = time.monotonic()
    out("diag", "load: %d rounds in %.0f s, %d datagrams, %d answered" % (
        rounds, end - start, sent, answered))
    check(stop is not None and last_ok is not None and end - last_ok < 1.5,
          "load: the new flows of both directions answer after the last "
          "reload", "last answered both ways %s s before the end" % (
              "never" if last_ok is None else "%.1f" % (end - last_ok)))


def cmd_settle(w, timeout):
    """End every flow and wait until no leg and no pool slot is left."""
    sysctl(w, "net.netfilter.nf_conntrack_udp_timeout=1",
           "net.netfilter.nf_conntrack_udp_timeout_stream=1",
           "net.netfilter.nf_conntrack_icmp_timeout=1",
           "net.netfilter.nf_conntrack_icmpv6_timeout=1",
           "net.netfilter.nf_conntrack_tcp_timeout_time_wait=1",
           "net.netfilter.nf_conntrack_tcp_timeout_close=1",
           "net.netfilter.nf_conntrack_tcp_timeout_fin_wait=1",
           "net.netfilter.nf_conntrack_tcp_timeout_close_wait=1",
           "net.netfilter.nf_conntrack_tcp_timeout_last_ack=1",
           "net.netfilter.nf_conntrack_tcp_timeout_syn_sent=1",
           "net.netfilter.nf_conntrack_tcp_timeout_syn_recv=1",
           "net.netfilter.nf_conntrack_tcp_timeout_unacknowledged=1")
    # a last packet on each flow takes the short timeouts
    w.flows()
    w.ask(w.lu6, "lu6")
    w.ask(w.lu4, "lu4")
    for s in list(w.rsocks):
        if w.rsocks[s][0] in ("tcpc", "tcps"):
            s.close()
            w.rsocks.pop(s)
    legs_re = r"helper=nlb"
    start = time.monotonic()
    legs, used = ["?"], None
    while time.monotonic() - start < timeout:
        w.pump(None, 0.5)
        legs = conntrack_legs(w, legs_re)
        used = [u for u in (w.nlb.pool_used(g) for g in ("r46", "r64",
                                                          "rtiny"))
                if u is not None]
        if not legs and not any(used):
            break
    check(not legs, "every leg ended: conntrack holds none (%.0f s)" %
          (time.monotonic() - start), "left: %s" % legs[:6])
    check(used and not any(used), "every pool slot is back (pool used 0)",
          "used: %s" % used)


def main(argv):
    cmds, args = [], list(argv[1:])
    try:
        while args:
            c = args.pop(0)
            if c == "cases":
                cmds.append((cmd_cases, ()))
            elif c == "fuzz":
                cmds.append((cmd_fuzz, (int(args.pop(0)), int(args.pop(0)))))
            elif c == "churn":
                cmds.append((cmd_churn, (float(args.pop(0)),)))
            elif c == "load":
                cmds.append((cmd_load, (float(args.pop(0)), args.pop(0))))
            elif c == "settle":
                cmds.append((cmd_settle, (float(args.pop(0)),)))
            else:
                raise ValueError(c)
    except (IndexError, ValueError):
        cmds = []
    if not argv or not cmds:
        print(__doc__, file=sys.stderr)
        return 2
    w = World(argv[0])
    for fn, a in cmds:
        fn(w, *a)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
