#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Probes for the translation tests (selftests/xlat.sh), run in a client
namespace. Each prints one line.

    xprobe.py udp-error ADDR PORT [HOPS]
        send one UDP datagram (hop limit / TTL HOPS, default 64) and wait
        2 s for the ICMP error the kernel queues for it (IP_RECVERR):
        prints "error ORIGIN TYPE CODE INFO" (ORIGIN: the address that sent
        the error, INFO: the MTU of a Packet Too Big / Fragmentation
        Needed), "reply DATA" if an answer came, or "none"
    udp-ask ADDR PORT WORD
        send WORD, print the first answer line or "none" (2 s)
    icmp-bogus SRC6 VIP6 PORT
        open a UDP flow from SRC6 to [VIP6]:PORT (answered), then send
        ICMPv6 errors about its replies from SRC6 that conntrack relates
        to it but whose quoted packet is truncated or malformed, and one
        well-formed one; prints "sent N"
"""
import ipaddress
import socket
import struct
import sys

IP_RECVERR = 11
IPV6_RECVERR = 25
MSG_ERRQUEUE = 0x2000
SO_EE_OFFENDER_OFF = 16  # after struct sock_extended_err's 16 bytes


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_error(addr, port, hops):
    fam = family(addr)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hops)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, hops)
    s.settimeout(2)
    s.connect((addr, port))
    s.send(b"probe\n")
    try:
        data = s.recv(2048)
        print("reply", data.decode(errors="replace").strip())
        return
    except socket.timeout:
        print("none")
        return
    except OSError:
        pass
    _, anc, _, _ = s.recvmsg(2048, 1024, MSG_ERRQUEUE)
    for level, typ, blob in anc:
        if len(blob) < 16:
            continue
        errno_, origin, etype, ecode, pad, info, data = struct.unpack(
            "=IBBBBII", blob[:16])
        off = blob[16:]
        if fam == socket.AF_INET6 and len(off) >= 24:
            who = str(ipaddress.IPv6Address(off[8:24]))
        elif len(off) >= 8:
            who = str(ipaddress.IPv4Address(off[4:8]))
        else:
            who = "?"
        print("error", who, etype, ecode, info)
        return
    print("none")


def udp_ask(addr, port, word):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(2)
    s.connect((addr, port))
    s.send((word + "\n").encode())
    try:
        print(s.recv(2048).decode(errors="replace").strip().split("\n")[0])
    except OSError:
        print("none")


def icmp_bogus(src, vip, port):
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind((src, 0))
    u.settimeout(2)
    u.connect((vip, port))
    u.send(b"hi\n")
    try:
        u.recv(2048)
    except OSError:
        pass
    cport = u.getsockname()[1]
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    a_src = socket.inet_pton(socket.AF_INET6, src)
    a_vip = socket.inet_pton(socket.AF_INET6, vip)

    def ip6(nh, saddr, daddr, payload, plen=None, ver=6):
        return struct.pack("!IHBB", ver << 28,
                           len(payload) if plen is None else plen,
                           nh, 64) + saddr + daddr + payload

    # the reply the error is about: VIP:PORT -> client:cport
    udp = struct.pack("!HHHH", port, cport, 8 + 40, 0) + b"x" * 40
    inners = [
        ip6(17, a_vip, a_src, udp)[:48],          # header and ports only
        ip6(17, a_vip, a_src, udp)[:52],          # cut in the payload
        ip6(17, a_vip, a_src, udp, plen=9000),    # length past the end
        ip6(17, a_vip, a_src, udp, plen=4),       # length below UDP's
        ip6(17, a_vip, a_src, udp, ver=4),        # not IPv6
        ip6(44, a_vip, a_src,                     # a fragment header
            struct.pack("!BBHI", 17, 0, 1, 7) + udp),
        ip6(17, a_vip, a_src, udp),               # well formed
    ]
    n = 0
    for inner in inners:
        for typ, code, info in ((1, 4, 0), (2, 0, 1280), (3, 0, 0),
                                (4, 0, 6)):
            body = struct.pack("!BBHI", typ, code, 0, info) + inner
            # the kernel computes no ICMPv6 checksum on a raw IPPROTO_RAW
            # socket: compute it
            pseudo = a_src + a_vip + struct.pack("!I3xB", len(body), 58)
            csum = checksum(pseudo + body)
            body = body[:2] + struct.pack("!H", csum) + body[4:]
            s.sendto(ip6(58, a_src, a_vip, body), (vip, 0))
            n += 1
    print("sent", n)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def main(argv):
    if len(argv) >= 3 and argv[0] == "udp-error":
        udp_error(argv[1], int(argv[2]), int(argv[3]) if len(argv) > 3 else 64)
    elif len(argv) == 4 and argv[0] == "udp-ask":
        udp_ask(argv[1], int(argv[2]), argv[3])
    elif len(argv) == 4 and argv[0] == "icmp-bogus":
        icmp_bogus(argv[1], argv[2], int(argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
