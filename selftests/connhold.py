#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hold many long-lived TCP connections to an echo server that answers each
line with "NAME=line" (lib.sh's start_echo), in one process (every exec is
slow in the debug VM). Run in a client namespace:

    connhold.py DST PORT

Commands on stdin, one per line; each answer ends with a line "done":

    open N            open N connections one after the other, each proved
                      with a line; prints "conn ID BACKEND" or "conn ID FAIL-x"
    say WORD [ID...]  send WORD on the connections (default: all open ones);
                      prints "say ID BACKEND" when the answer came back, or
                      "say ID FAIL-x" (FAIL-reset, FAIL-eof, FAIL-timeout...)
    state [ID...]     without sending anything: "state ID open", "state ID
                      reset" (a read failed with ECONNRESET, now or before:
                      the kernel reports it once), "state ID eof"
    close ID...       close these connections (FIN)
    closeon BACKEND K close K connections of BACKEND; prints "close ID"
    count             "BACKEND N" for the open connections, by backend
    list              "conn ID BACKEND" for the open connections
    quit

A connection's BACKEND is the NAME of its first answer.
"""

import errno
import socket
import sys
import time

TIMEOUT = 30


def out(*words):
    print(*words, flush=True)


def fail(e):
    if isinstance(e, socket.timeout):
        return "FAIL-timeout"
    n = getattr(e, "errno", None)
    if n == errno.ECONNRESET:
        return "FAIL-reset"
    if n == errno.EPIPE:
        return "FAIL-pipe"
    if n == errno.ECONNREFUSED:
        return "FAIL-refused"
    return "FAIL-" + (errno.errorcode.get(n, str(n)) if n else type(e).__name__)


class Conn:
    def __init__(self, dst, port):
        fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.settimeout(TIMEOUT)
        self.buf = b""
        self.backend = None
        self.reset = False
        self.s.connect((dst, port))

    def say(self, word):
        """Send word, return the answering backend's name."""
        self.s.sendall(word.encode() + b"\n")
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                name, _, echoed = line.decode(errors="replace").partition("=")
                if echoed == word:
                    return name
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            self.s.settimeout(left)
            chunk = self.s.recv(4096)
            if not chunk:
                return "FAIL-eof"
            self.buf += chunk

    def state(self):
        if self.reset:
            return "reset"
        self.s.setblocking(False)
        try:
            data = self.s.recv(4096, socket.MSG_PEEK)
            return "eof" if not data else "open"
        except BlockingIOError:
            return "open"
        except OSError as e:
            if e.errno == errno.ECONNRESET:
                self.reset = True
                return "reset"
            return fail(e)
        finally:
            self.s.settimeout(TIMEOUT)


def main():
    dst, port = sys.argv[1], int(sys.argv[2])
    conns = {}
    next_id = 1

    def ids(args):
        if args:
            return [int(x) for x in args]
        return sorted(conns)

    while True:
        line = sys.stdin.readline()
        if not line:
            break
        w = line.split()
        if not w:
            continue
        cmd, args = w[0], w[1:]
        if cmd == "quit":
            break
        if cmd == "open":
            for _ in range(int(args[0])):
                cid = next_id
                next_id += 1
                try:
                    c = Conn(dst, port)
                    c.backend = c.say("hello%d" % cid)
                    conns[cid] = c
                    out("conn", cid, c.backend)
                except OSError as e:
                    out("conn", cid, fail(e))
        elif cmd == "say":
            for cid in ids(args[1:]):
                c = conns.get(cid)
                if c is None:
                    out("say", cid, "FAIL-closed")
                    continue
                try:
                    out("say", cid, c.say(args[0]))
                except OSError as e:
                    if getattr(e, "errno", None) == errno.ECONNRESET:
                        c.reset = True
                    out("say", cid, fail(e))
        elif cmd == "state":
            for cid in ids(args):
                c = conns.get(cid)
                out("state", cid, c.state() if c else "closed")
        elif cmd == "close":
            for cid in ids(args):
                c = conns.pop(cid, None)
                if c:
                    c.s.close()
        elif cmd == "closeon":
            k = int(args[1])
            for cid in sorted(conns):
                if k == 0:
                    break
                if conns[cid].backend == args[0]:
                    conns.pop(cid).s.close()
                    out("close", cid)
                    k -= 1
        elif cmd == "count":
            tally = {}
            for c in conns.values():
                tally[c.backend] = tally.get(c.backend, 0) + 1
            for b in sorted(tally):
                out(b, tally[b])
        elif cmd == "list":
            for cid in sorted(conns):
                out("conn", cid, conns[cid].backend)
        else:
            out("error unknown command", cmd)
        out("done")
    for c in conns.values():
        c.s.close()


if __name__ == "__main__":
    main()
