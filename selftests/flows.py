#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Many short flows from chosen source addresses and ports, in one process
(every exec is slow in the debug VM). Run in a client namespace:

    flows.py tcp|udp DST PORT [--src A,B,...] [--src-file F]
             [--sport FIRST] [--count N] [--timeout S] [--gap S]

Each source address (default: let the kernel choose) makes COUNT flows
(default 1), from source ports FIRST, FIRST+1, ... (default: ephemeral);
TCP flows are made one after the other, --gap seconds apart (default 0).
TCP: an HTTP/1.0 GET, the answer is the page's last line. UDP: one datagram
"q", the answer is the reply (nginx's stream "return"). One line per flow:

    SRC SPORT ANSWER

ANSWER has its spaces replaced by "_", or is FAIL-<reason>: FAIL-refused
(RST or ICMP port unreachable), FAIL-timeout, FAIL-unreachable, FAIL-reset,
FAIL-<errno name>.
"""

import argparse
import errno
import select
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def err_name(e):
    if isinstance(e, socket.timeout):
        return "FAIL-timeout"
    n = getattr(e, "errno", None)
    if n == errno.ECONNREFUSED:
        return "FAIL-refused"
    if n == errno.ECONNRESET:
        return "FAIL-reset"
    if n in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "FAIL-unreachable"
    if n == errno.ETIMEDOUT:
        return "FAIL-timeout"
    return "FAIL-" + (errno.errorcode.get(n, str(n)) if n else type(e).__name__)


def clean(data):
    lines = [x for x in data.decode(errors="replace").splitlines() if x.strip()]
    if not lines:
        return "FAIL-empty"
    return lines[-1].strip().replace(" ", "_")


def bind(s, src, sport):
    if src is None and not sport:
        return
    if src is None:
        src = "::" if s.family == socket.AF_INET6 else "0.0.0.0"
    s.bind((src, sport))


def tcp_flow(dst, port, src, sport, timeout):
    s = socket.socket(family(dst), socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        bind(s, src, sport)
        s.connect((dst, port))
        s.sendall(b"GET / HTTP/1.0\r\nHost: nlb\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return clean(data.split(b"\r\n\r\n", 1)[-1])
    except OSError as e:
        return err_name(e)
    finally:
        s.close()


def udp_flows(dst, port, flows, timeout):
    """Send on every flow's socket, then wait for the answers (one retry of
    the datagram for flows without one after half the timeout)."""
    out = {}
    socks = {}
    for f in flows:
        s = socket.socket(family(dst), socket.SOCK_DGRAM)
        try:
            bind(s, f[0], f[1])
            s.connect((dst, port))
            s.send(b"q\n")
            socks[s] = f
        except OSError as e:
            out[f] = err_name(e)
            s.close()
    retried = False
    start = time.monotonic()
    while socks:
        left = start + timeout - time.monotonic()
        if left <= 0:
            break
        if not retried and left < timeout / 2:
            retried = True
            for s in socks:
                try:
                    s.send(b"q\n")
                except OSError:
                    pass
        r, _, _ = select.select(list(socks), [], [], min(left, timeout / 4))
        for s in r:
            f = socks.pop(s)
            try:
                out[f] = clean(s.recv(4096))
            except OSError as e:
                out[f] = err_name(e)
            s.close()
    for s, f in socks.items():
        out[f] = "FAIL-timeout"
        s.close()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("proto", choices=["tcp", "udp"])
    p.add_argument("dst")
    p.add_argument("port", type=int)
    p.add_argument("--src", default=None)
    p.add_argument("--src-file", default=None)
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--timeout", type=float, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--gap", type=float, default=0)
    a = p.parse_args()

    srcs = [None]
    if a.src:
        srcs = a.src.split(",")
    elif a.src_file:
        with open(a.src_file) as f:
            srcs = [x.strip() for x in f if x.strip()]
    flows = [(src, a.sport + i if a.sport else 0)
             for src in srcs for i in range(a.count)]

    if a.proto == "tcp":
        for i, f in enumerate(flows):
            if i and a.gap:
                time.sleep(a.gap)
            ans = tcp_flow(a.dst, a.port, f[0], f[1], a.timeout)
            print(f[0] or "-", f[1], ans, flush=True)
        return
    for i in range(0, len(flows), a.batch):
        part = flows[i:i + a.batch]
        out = udp_flows(a.dst, a.port, part, a.timeout)
        for f in part:
            print(f[0] or "-", f[1], out[f], flush=True)


if __name__ == "__main__":
    sys.exit(main())
