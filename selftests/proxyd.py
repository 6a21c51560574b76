#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""PROXY protocol v2 endpoints for selftests/proxy.sh (one process each:
every exec is slow in the debug VM).

    proxyd.py server PORT[,PORT...] LOG
        A dual-stack TCP server. Each connection must start with a PROXY v2
        header (haproxy's proxy-protocol.txt, section 2.2), parsed strictly:
        signature, version 2 and command PROXY, TCP over IPv4 or IPv6, the
        address block's exact length, no TLVs. One line per connection goes
        to LOG: "hdr FAM SRC SPORT DST DPORT PEER PEERPORT" (PEER: the TCP
        source the backend sees), "noheader PEER PEERPORT" or
        "bad REASON PEER PEERPORT"; "reset PEERPORT" when it ends with a
        reset; "dead ERRNO" for a connection reset before it was
        accepted. Then commands, one a line:
            INFO          answer "hdr ..." (the LOG line)
            SHA N         read N bytes, answer "sha HEX"
            BOTH N SEED   send N bytes of stream(SEED) while reading N
                          bytes; then answer "sha HEX" of what was read
            WAIT          nothing; wait for the peer to close
    proxyd.py parse FILE
        Parse FILE (a header saved by the banner server) strictly; print
        "hdr FAM SRC SPORT DST DPORT" or "bad REASON".
    proxyd.py client MODE ADDR PORT [ARGS]
        info                 one connection: print "me ADDR PORT" (its own
                             end) and the server's INFO answer
        many N CONC          N connections, CONC at a time, each checking
                             that the header names its own address, port
                             and the VIP; print "all N matched" or the
                             failures
        bulk N               BOTH N: N bytes each way at once, both
                             checksummed; print "intact" or what differed
        tfo                  INFO over a TCP Fast Open connect (the
                             request in the SYN); as info
        banner               connect and wait for the server's banner
                             line without sending; then send "hello" and
                             print the two lines received
        hold                 connections kept open, commands on stdin:
                             "open NAME talk|silent [PORT]" opens one
                             (talk: an INFO exchange first; prints "open
                             NAME LOCALPORT"),
                             "info NAME" (prints the answer or "FAIL ..."),
                             "state" (prints "NAME open|reset|eof" for each),
                             "quit"
    proxyd.py unhelp SRC SPORT DST DPORT
        Remove the conntrack helper of an IPv4 TCP connection (ctnetlink).
    proxyd.py feature DEV tso|gso|gro on|off
        Turn an offload of a device on or off (the ethtool ioctl).
"""

import ctypes
import errno
import fcntl
import hashlib
import ipaddress
import os
import select
import socket
import struct
import sys
import threading

SIG = b"\r\n\r\n\x00\r\nQUIT\n"
TIMEOUT = 30


def stream(seed, n):
    """n deterministic bytes from seed (sha256 in counter mode)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%d:%d" % (seed, i)).digest() * 32
        i += 1
    return bytes(out[:n])


def parse_header(data):
    """(line, length) of a PROXY v2 header at the start of data, strict:
    ("hdr FAM SRC SPORT DST DPORT", n), ("noheader", 0), ("bad ...", 0),
    or (None, 0) if more bytes are needed."""
    if len(data) < 16:
        if not SIG.startswith(data[:12]):
            return "noheader", 0
        return None, 0
    if data[:12] != SIG:
        return "noheader", 0
    if data[12] != 0x21:
        return "bad ver_cmd=0x%02x" % data[12], 0
    fam = data[13]
    alen = struct.unpack("!H", data[14:16])[0]
    if fam == 0x11:
        want, af, name = 12, socket.AF_INET, "4"
    elif fam == 0x21:
        want, af, name = 36, socket.AF_INET6, "6"
    else:
        return "bad fam=0x%02x" % fam, 0
    if alen != want:
        return "bad len=%d" % alen, 0
    if len(data) < 16 + alen:
        return None, 0
    a = data[16:16 + alen]
    k = (alen - 4) // 2
    src = socket.inet_ntop(af, a[:k])
    dst = socket.inet_ntop(af, a[k:2 * k])
    sport, dport = struct.unpack("!HH", a[2 * k:])
    return "hdr %s %s %d %s %d" % (name, src, sport, dst, dport), 16 + alen


def peer_str(sock):
    p = sock.getpeername()
    host = p[0]
    if host.startswith("::ffff:"):
        host = host[7:]
    return "%s %d" % (host, p[1])


class Server:
    def __init__(self, ports, log):
        self.log = open(log, "a", buffering=1)
        self.lock = threading.Lock()
        self.ls = []
        for port in ports:
            ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            ls.bind(("::", port))
            ls.listen(512)
            self.ls.append(ls)

    def note(self, line):
        with self.lock:
            self.log.write(line + "\n")

    def run(self):
        while True:
            r, _, _ = select.select(self.ls, [], [])
            for ls in r:
                c, _ = ls.accept()
                threading.Thread(target=self.conn, args=(c,),
                                 daemon=True).start()

    def conn(self, c):
        try:
            peer = peer_str(c)
        except OSError as e:
            self.note("dead %s" % errno.errorcode.get(e.errno, e.errno))
            c.close()
            return
        buf = b""
        try:
            c.settimeout(600)
            while True:
                line, n = parse_header(buf)
                if line is not None:
                    break
                d = c.recv(65536)
                if not d:
                    line = "bad eof-in-header"
                    break
                buf += d
            self.note("%s %s" % (line, peer))
            if not line.startswith("hdr "):
                return
            hdr = "%s %s" % (line, peer)
            buf = buf[n:]
            self.commands(c, buf, hdr)
        except ConnectionResetError:
            self.note("reset %s" % peer.split()[1])
        except OSError as e:
            self.note("error %s %s" % (e.errno, peer.split()[1]))
        finally:
            c.close()

    def commands(self, c, buf, hdr):
        while True:
            while b"\n" not in buf:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
            line, buf = buf.split(b"\n", 1)
            w = line.decode().split()
            if not w:
                continue
            if w[0] == "INFO":
                c.sendall(hdr.encode() + b"\n")
            elif w[0] == "SHA":
                n = int(w[1])
                h = hashlib.sha256()
                got = buf[:n]
                buf = buf[n:]
                h.update(got)
                left = n - len(got)
                while left:
                    d = c.recv(min(left, 1 << 20))
                    if not d:
                        return
                    h.update(d)
                    left -= len(d)
                c.sendall(b"sha " + h.hexdigest().encode() + b"\n")
            elif w[0] == "BOTH":
                n, seed = int(w[1]), int(w[2])
                t = threading.Thread(target=c.sendall,
                                     args=(stream(seed, n),))
                t.start()
                h = hashlib.sha256()
                got = buf[:n]
                buf = buf[n:]
                h.update(got)
                left = n - len(got)
                while left:
                    d = c.recv(min(left, 1 << 20))
                    if not d:
                        return
                    h.update(d)
                    left -= len(d)
                t.join()
                c.sendall(b"sha " + h.hexdigest().encode() + b"\n")
            elif w[0] == "WAIT":
                while c.recv(65536):
                    pass
                return


def recv_line(s):
    buf = b""
    while b"\n" not in buf:
        d = s.recv(4096)
        if not d:
            raise EOFError("eof after %r" % buf)
        buf += d
    return buf.split(b"\n", 1)[0].decode()


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def connect(addr, port):
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect((addr, port))
    return s


def me_str(s):
    m = s.getsockname()
    return "%s %d" % (m[0], m[1])


def expected(s, addr, port):
    """The header a connection must produce: its own end and the VIP."""
    m = s.getsockname()
    fam = "6" if s.family == socket.AF_INET6 else "4"
    return "hdr %s %s %d %s %d" % (fam, ipaddress.ip_address(m[0]), m[1],
                                   ipaddress.ip_address(addr), port)


def client_info(addr, port, tfo=False):
    if tfo:
        s = socket.socket(family_of(addr), socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        s.sendto(b"INFO\n", socket.MSG_FASTOPEN, (addr, port))
    else:
        s = connect(addr, port)
        s.sendall(b"INFO\n")
    ans = recv_line(s)
    print("me", me_str(s))
    print(ans)
    ok = ans.startswith(expected(s, addr, port) + " ")
    print("match" if ok else "mismatch: want %s" % expected(s, addr, port))
    s.close()
    return 0 if ok else 1


def client_many(addr, port, n, conc):
    fails = []
    lock = threading.Lock()
    it = iter(range(n))

    def worker():
        while True:
            with lock:
                i = next(it, None)
            if i is None:
                return
            try:
                s = connect(addr, port)
                s.sendall(b"INFO\n")
                ans = recv_line(s)
                want = expected(s, addr, port)
                s.close()
                if not ans.startswith(want + " "):
                    with lock:
                        fails.append("%d: %s (want %s)" % (i, ans, want))
            except (OSError, EOFError) as e:
                with lock:
                    fails.append("%d: %s" % (i, e))

    ts = [threading.Thread(target=worker) for _ in range(conc)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if fails:
        print("failed %d of %d" % (len(fails), n))
        for f in fails[:10]:
            print(" ", f)
        return 1
    print("all %d matched" % n)
    return 0


def client_bulk(addr, port, n):
    seed = os.getpid()
    data = os.urandom(n)
    s = connect(addr, port)
    s.settimeout(120)
    # The command and the data in one write: the first segment is a big one.
    t = threading.Thread(target=s.sendall,
                         args=(b"BOTH %d %d\n" % (n, seed) + data,))
    t.start()
    h = hashlib.sha256()
    left = n
    while left:
        d = s.recv(min(left, 1 << 20))
        if not d:
            print("eof with %d bytes left" % left)
            return 1
        h.update(d)
        left -= len(d)
    t.join()
    ans = recv_line(s)
    s.close()
    bad = []
    if h.hexdigest() != hashlib.sha256(stream(seed, n)).hexdigest():
        bad.append("backend-to-client stream differs")
    if ans != "sha " + hashlib.sha256(data).hexdigest():
        bad.append("client-to-backend stream differs: %s" % ans)
    print("intact" if not bad else "; ".join(bad))
    return 1 if bad else 0


def client_banner(addr, port):
    s = connect(addr, port)
    s.settimeout(10)
    try:
        banner = recv_line(s)
    except socket.timeout:
        print("no banner")
        return 1
    s.sendall(b"hello\n")
    print(banner)
    print(recv_line(s))
    s.close()
    return 0


def conn_state(s):
    """open, reset or eof, without sending or blocking."""
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return "open"
    try:
        d = s.recv(65536, socket.MSG_PEEK)
    except ConnectionResetError:
        return "reset"
    except OSError as e:
        return "error-%s" % errno.errorcode.get(e.errno, e.errno)
    return "eof" if not d else "open"


def client_hold(addr, port):
    conns = {}
    states = {}
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        try:
            if w[0] == "open":
                s = connect(addr, int(w[3]) if len(w) > 3 else port)
                if w[2] == "talk":
                    s.sendall(b"INFO\n")
                    recv_line(s)
                conns[w[1]] = s
                print("open", w[1], s.getsockname()[1])
            elif w[0] == "info":
                s = conns[w[1]]
                s.sendall(b"INFO\n")
                ans = recv_line(s)
                want = expected(s, addr, s.getpeername()[1])
                print(ans if ans.startswith(want + " ")
                      else "FAIL %s (want %s)" % (ans, want))
            elif w[0] == "state":
                for k in sorted(conns):
                    if states.get(k) != "reset":
                        states[k] = conn_state(conns[k])
                    print(k, states[k])
            elif w[0] == "quit":
                break
        except (OSError, EOFError) as e:
            print("FAIL", type(e).__name__, e)
        print("done", flush=True)
    return 0


def nla(atype, payload):
    n = 4 + len(payload)
    return struct.pack("HH", n, atype) + payload + b"\0" * (-n % 4)


def unhelp(src, sport, dst, dport):
    """Remove the helper of an IPv4 TCP connection with ctnetlink (an
    IPCTNL_MSG_CT_NEW update whose CTA_HELP names no helper), as
    "conntrack -U" would if it could. Prints "removed" or the error."""
    NESTED = 0x8000
    ip = nla(1 | NESTED, nla(1, socket.inet_aton(src)) +
             nla(2, socket.inet_aton(dst)))
    proto = nla(2 | NESTED, nla(1, bytes([socket.IPPROTO_TCP])) +
                nla(2, struct.pack("!H", sport)) +
                nla(3, struct.pack("!H", dport)))
    body = struct.pack("BBH", socket.AF_INET, 0, 0)
    body += nla(1 | NESTED, ip + proto) + nla(5 | NESTED, nla(1, b"\0"))
    hdr = struct.pack("IHHII", 16 + len(body), 1 << 8, 1 | 4, 1, 0)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
    s.send(hdr + body)
    ans = s.recv(65536)
    err = struct.unpack("i", ans[16:20])[0]
    print("removed" if err == 0 else "error %d" % err)
    return 0 if err == 0 else 1


def feature(dev, name, on):
    """An offload of a device on or off, with the legacy ethtool ioctl."""
    cmd = {"tso": 0x1f, "gso": 0x24, "gro": 0x2c}[name]
    SIOCETHTOOL = 0x8946
    ev = ctypes.create_string_buffer(struct.pack("II", cmd,
                                                 1 if on == "on" else 0))
    ifr = struct.pack("16sP", dev.encode(), ctypes.addressof(ev))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    fcntl.ioctl(s, SIOCETHTOOL, ifr)
    return 0


def main():
    a = sys.argv[1:]
    if a[0] == "server":
        Server([int(p) for p in a[1].split(",")], a[2]).run()
    elif a[0] == "parse":
        with open(a[1], "rb") as f:
            line, _ = parse_header(f.read())
        print(line or "bad short")
        return 0 if line and line.startswith("hdr ") else 1
    elif a[0] == "unhelp":
        return unhelp(a[1], int(a[2]), a[3], int(a[4]))
    elif a[0] == "feature":
        return feature(a[1], a[2], a[3])
    elif a[0] == "client":
        mode, addr, port = a[1], a[2], int(a[3])
        if mode == "info":
            return client_info(addr, port)
        if mode == "tfo":
            return client_info(addr, port, tfo=True)
        if mode == "many":
            return client_many(addr, port, int(a[4]), int(a[5]))
        if mode == "bulk":
            return client_bulk(addr, port, int(a[4]))
        if mode == "banner":
            return client_banner(addr, port)
        if mode == "hold":
            return client_hold(addr, port)
    print("usage: see the header of", sys.argv[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
