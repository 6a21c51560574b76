#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""servers.py: peers for health check tests, all in one process.

  servers.py [--log FILE] SPEC...

SPEC is KIND:ADDRESS:PORT[:ARG], ADDRESS an IPv4 or IPv6 address (IPv6 in
brackets: [::1]:80), KIND one of

  http:A:P[:FILE]   HTTP server; FILE (read at each request) holds
                    "STATUS [DELAY] [HOST] [PATH]": the status to answer
                    (default 200), seconds to wait before answering, and
                    the Host header and path a request needs to get it
                    (else 404); "-" for none
  garbage:A:P       accepts and sends bytes that are not HTTP, then waits
  silent:A:P        accepts and never answers
  agent:A:P:FILE    answers the first line of FILE, then closes
  udp:A:P           UDP echo
  udpsilent:A:P     UDP socket that never answers
  count:A:P         accepts and closes at once, counting (many backends)

Each connection or datagram is counted per (kind, port) and, with --log,
logged as "KIND PORT PATH HOST" a line (HTTP) or "KIND PORT" (others).
SIGUSR1 writes the counts to FILE.counts ("KIND ADDRESS PORT N" lines).
Prints "ready" once every socket listens.
"""
import asyncio
import os
import signal
import socket
import sys

counts = {}
logf = None


def note(kind, addr, port, extra=""):
    key = (kind, addr, port)
    counts[key] = counts.get(key, 0) + 1
    if logf:
        logf.write("%s %s %s%s\n" % (kind, addr, port, extra))
        logf.flush()


def read_file(path, default):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


async def http_conn(reader, writer, addr, port, cfg):
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    except Exception:
        writer.close()
        return
    lines = head.decode(errors="replace").split("\r\n")
    parts = lines[0].split()
    path = parts[1] if len(parts) > 1 else ""
    host = ""
    for line in lines[1:]:
        if line.lower().startswith("host:"):
            host = line[5:].strip()
    note("http", addr, port, " %s %s" % (path, host))
    words = (read_file(cfg, "200").split() + ["-"] * 4)[:4] if cfg else \
        ["200", "-", "-", "-"]
    status, delay, need_host, need_path = words
    if delay != "-":
        await asyncio.sleep(float(delay))
    code = int(status)
    if (need_host != "-" and host != need_host) or \
            (need_path != "-" and path != need_path):
        code = 404
    body = b"ok\n"
    writer.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n%s" % (code, len(body), body))
    try:
        await writer.drain()
    except Exception:
        pass
    writer.close()


async def garbage_conn(reader, writer, addr, port):
    note("garbage", addr, port)
    writer.write(b"\x00\xffSSH-2.0-nothttp\r\n" + os.urandom(64))
    try:
        await writer.drain()
        await reader.read(1 << 16)
        await asyncio.sleep(60)
    except Exception:
        pass
    writer.close()


async def silent_conn(reader, writer, addr, port):
    note("silent", addr, port)
    try:
        while await reader.read(1 << 16):
            pass
        await asyncio.sleep(600)
    except Exception:
        pass
    writer.close()


async def agent_conn(reader, writer, addr, port, path):
    note("agent", addr, port)
    line = read_file(path, "").split("\n")[0]
    writer.write(line.encode() + b"\n")
    try:
        await writer.drain()
    except Exception:
        pass
    writer.close()


async def count_conn(reader, writer, addr, port):
    note("count", addr, port)
    writer.close()


class Udp(asyncio.DatagramProtocol):
    def __init__(self, kind, addr, port):
        self.kind, self.addr, self.port = kind, addr, port

    def connection_made(self, transport):
        self.t = transport

    def datagram_received(self, data, peer):
        note(self.kind, self.addr, self.port)
        if self.kind == "udp":
            self.t.sendto(data or b"pong", peer)


def parse(spec):
    kind, rest = spec.split(":", 1)
    if rest.startswith("["):
        addr, rest = rest[1:].split("]:", 1)
    else:
        addr, rest = rest.split(":", 1)
    port, _, arg = rest.partition(":")
    return kind, addr, int(port), arg


async def main(argv):
    global logf
    if argv and argv[0] == "--log":
        logf = open(argv[1], "a")
        argv = argv[2:]
    loop = asyncio.get_running_loop()
    servers = []
    for spec in argv:
        kind, addr, port, arg = parse(spec)
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        if kind in ("udp", "udpsilent"):
            t, _ = await loop.create_datagram_endpoint(
                lambda k=kind, a=addr, p=port: Udp(k, a, p),
                local_addr=(addr, port), family=fam)
            servers.append(t)
            continue
        handler = {
            "http": lambda r, w, a=addr, p=port, c=arg:
                http_conn(r, w, a, p, c),
            "garbage": lambda r, w, a=addr, p=port: garbage_conn(r, w, a, p),
            "silent": lambda r, w, a=addr, p=port: silent_conn(r, w, a, p),
            "agent": lambda r, w, a=addr, p=port, c=arg:
                agent_conn(r, w, a, p, c),
            "count": lambda r, w, a=addr, p=port: count_conn(r, w, a, p),
        }[kind]
        servers.append(await asyncio.start_server(
            handler, addr, port, family=fam, reuse_address=True,
            backlog=4096))

    def dump():
        if logf:
            with open(logf.name + ".counts", "w") as f:
                for (k, a, p), n in sorted(counts.items()):
                    f.write("%s %s %s %d\n" % (k, a, p, n))
    loop.add_signal_handler(signal.SIGUSR1, dump)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    dump()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
