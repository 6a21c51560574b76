#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""nlbhash.py: a reference of nlb's hashing schedulers, sh and maglev, so
that the selftests can assert the exact backend of every client rather
than shares within statistical bounds (every hash seed of sh and maglev
is fixed, so the result is a function of the pool and the client).

Written from Documentation/design.md ("Scheduling") and the kernel's
include/linux/jhash.h, not from nlb's code:

- jhash2(k, n, initval): Bob Jenkins' lookup3 hashword, as the kernel's
  jhash.h has it (JHASH_INITVAL 0xdeadbeef);
- addresses are hashed as the four 32-bit words of a union nf_inet_addr
  read in the host's byte order (little endian: the VM is x86-64), IPv4
  in the first word, the rest zero;
- sh: jhash2(client address, 4, 0) scaled onto [0, total of the weights)
  as ((u64)hash * total) >> 32; the slot whose range [end - weight, end)
  of the running sum of the weights, in pool order, holds it;
- maglev: jhash2(client address, 4, source port) where the port is the
  16-bit big-endian value read as a host integer, modulo 65537, indexes
  the pool's table; a slot's preference order is (offset + j * skip) mod
  65537 with offset = h1 mod 65537, skip = h2 mod 65536 + 1, h1 and h2 =
  jhash2(backend address words + [port], 5, 0x6e6c6231 / 0x6d61676c);
  slot i gets floor(65537 * w_i / W) entries, one more for the slots with
  the largest remainders; turns in the order of t / w_i (the slot's t-th
  turn), each claiming the next free entry of its preference order; ties
  of remainders and turns go to the lower (offset, skip, weight), then
  the lower slot index.

A pool is given as backends in pool order (the group's backend list in
creation order, eligible ones only), each NAME=ADDRESS/PORT/WEIGHT, e.g.
b1=198.18.1.2/0/3 (port 0: the backend keeps the client's port).

  nlbhash.py selftest
      known values: jhash2 of the kernel's header (compiled on the host),
      and picks the kernel made in the VM; exits 1 on any difference
  nlbhash.py check-jhash KERNEL-SOURCE
      compiles jhash2() from the kernel's include/linux/jhash.h (the text
      of the header, with a small shim) and compares it with this one on
      random keys and seeds; exits 1 on any difference
  nlbhash.py pick sh|maglev BACKEND... < FLOWS
      FLOWS: lines "SRC SPORT ANSWER" (selftests/flows.py); prints for
      each line "SRC SPORT ANSWER EXPECTED" and ends with
      "expected NAME=N ... got NAME=N ... mismatches K" (answers that are
      not backend names count as mismatches too); exit 0 when K is 0
  nlbhash.py table BACKEND...
      the entries of each backend in the maglev table of the pool
"""

import socket
import struct
import sys

M = 65537
SEED1 = 0x6e6c6231
SEED2 = 0x6d61676c
MASK = 0xffffffff


def rol32(w, s):
    return ((w << s) | (w >> (32 - s))) & MASK


def _final(a, b, c):
    c ^= b
    c = (c - rol32(b, 14)) & MASK
    a ^= c
    a = (a - rol32(c, 11)) & MASK
    b ^= a
    b = (b - rol32(a, 25)) & MASK
    c ^= b
    c = (c - rol32(b, 16)) & MASK
    a ^= c
    a = (a - rol32(c, 4)) & MASK
    b ^= a
    b = (b - rol32(a, 14)) & MASK
    c ^= b
    c = (c - rol32(b, 24)) & MASK
    return a, b, c


def _mix(a, b, c):
    a = (a - c) & MASK
    a ^= rol32(c, 4)
    c = (c + b) & MASK
    b = (b - a) & MASK
    b ^= rol32(a, 6)
    a = (a + c) & MASK
    c = (c - b) & MASK
    c ^= rol32(b, 8)
    b = (b + a) & MASK
    a = (a - c) & MASK
    a ^= rol32(c, 16)
    c = (c + b) & MASK
    b = (b - a) & MASK
    b ^= rol32(a, 19)
    a = (a + c) & MASK
    c = (c - b) & MASK
    c ^= rol32(b, 4)
    b = (b + a) & MASK
    return a, b, c


def jhash2(k, initval):
    """The kernel's jhash2() of the list of u32 words k."""
    n = len(k)
    a = b = c = (0xdeadbeef + (n << 2) + initval) & MASK
    i = 0
    while n > 3:
        a = (a + k[i]) & MASK
        b = (b + k[i + 1]) & MASK
        c = (c + k[i + 2]) & MASK
        a, b, c = _mix(a, b, c)
        n -= 3
        i += 3
    if n == 0:
        return c
    if n == 3:
        c = (c + k[i + 2]) & MASK
    if n >= 2:
        b = (b + k[i + 1]) & MASK
    a = (a + k[i]) & MASK
    a, b, c = _final(a, b, c)
    return c


def addr_words(addr):
    """The four u32 words of a union nf_inet_addr, little endian host."""
    if ":" in addr:
        raw = socket.inet_pton(socket.AF_INET6, addr)
    else:
        raw = socket.inet_pton(socket.AF_INET, addr) + bytes(12)
    return list(struct.unpack("<4I", raw))


def sh_hash(addr):
    return jhash2(addr_words(addr), 0)


def flow_hash(addr, sport):
    # (__force u32) of the __be16 port: its bytes read as a host u16
    seed = struct.unpack("<H", struct.pack(">H", sport))[0]
    return jhash2(addr_words(addr), seed)


class Backend:
    def __init__(self, spec):
        name, _, rest = spec.partition("=")
        parts = rest.split("/")
        if not name or len(parts) != 3:
            raise ValueError("backend '%s': want NAME=ADDRESS/PORT/WEIGHT"
                             % spec)
        self.name = name
        self.addr = parts[0]
        self.port = int(parts[1])
        self.weight = int(parts[2])
        if not 1 <= self.weight <= 255:
            raise ValueError("backend '%s': an eligible backend has a "
                             "weight of 1-255" % spec)
        key = addr_words(self.addr) + [self.port]
        self.offset = jhash2(key, SEED1) % M
        self.skip = jhash2(key, SEED2) % (M - 1) + 1


class Pool:
    """The backends of one family of a group, in pool order."""

    def __init__(self, specs):
        self.be = [Backend(s) for s in specs]
        if not self.be:
            raise ValueError("an empty pool picks nothing")
        self.total = sum(b.weight for b in self.be)
        self._table = None

    def sh(self, addr):
        if len(self.be) == 1:
            return self.be[0].name
        point = (sh_hash(addr) * self.total) >> 32
        end = 0
        for b in self.be:
            end += b.weight
            if point < end:
                return b.name
        raise AssertionError("point beyond the total")

    def key(self, i):
        b = self.be[i]
        return (b.offset, b.skip, b.weight, i)

    def table(self):
        """The maglev lookup table: a slot index per entry."""
        if self._table is not None:
            return self._table
        n, total = len(self.be), self.total
        quota, rem = [], []
        for b in self.be:
            q, r = divmod(M * b.weight, total)
            quota.append(q)
            rem.append(r)
        left = M - sum(quota)
        for i in sorted(range(n), key=lambda i: (-rem[i], self.key(i)))[:left]:
            quota[i] += 1
        # Turn t of slot i comes at time t / w_i: compare as t * (L / w_i)
        # with L a common multiple of the weights.
        lcm = 1
        for b in self.be:
            w = b.weight
            g, x = lcm, w
            while x:
                g, x = x, g % x
            lcm = lcm * w // g
        turns = []
        for i, b in enumerate(self.be):
            step = lcm // b.weight
            k = self.key(i)
            turns.extend((t * step, k) for t in range(1, quota[i] + 1))
        turns.sort()
        table = [-1] * M
        pos = [b.offset for b in self.be]
        skip = [b.skip for b in self.be]
        for _, k in turns:
            i = k[3]
            p, s = pos[i], skip[i]
            while table[p] >= 0:
                p += s
                if p >= M:
                    p -= M
            table[p] = i
            p += s
            pos[i] = p - M if p >= M else p
        self._table = table
        return table

    def maglev(self, addr, sport):
        if len(self.be) == 1:
            return self.be[0].name
        return self.be[self.table()[flow_hash(addr, sport) % M]].name


# ---- self-check: values of the kernel, so that a wrong reference fails
# loudly instead of making every selftest disagree with the kernel.

# jhash2 of include/linux/jhash.h (linux-source-6.12), compiled on the host
# from the header's own text: (words, initval, hash).
JHASH_KNOWN = [
    ([1, 2, 3], 0, 0xa46158f5),
    ([1], 7, 0xb302f24e),
    ([], 0, 0xdeadbeef),
    (addr_words("192.0.2.64"), 0, 0xd600be64),
    (addr_words("192.0.2.64"), 0x204e, 0xb132181a),     # port 20000
    (addr_words("198.18.1.2") + [0], SEED1, 0x09c628d4),
    (addr_words("198.18.1.2") + [0], SEED2, 0x00a0c55b),
    (addr_words("2001:db8:1::1:40"), 0, 0xff3cc7e8),
    (addr_words("2001:db8:101::2") + [80], SEED1, 0x80a247d5),
    (addr_words("2001:db8:101::2") + [80], SEED2, 0x7dcb2e33),
]

# Picks nlb.ko made in the VM (selftests/sched.sh, 2026-12-01): (scheduler,
# pool, client, source port, backend), and the counts per backend of whole
# rounds: (scheduler, pool, clients, first source port, ports per client,
# counts).
def _pool(fam, weights):
    fmt = "b%d=198.18.%d.2/0/%d" if fam == 4 else "b%d=2001:db8:10%d::2/0/%d"
    return [fmt % (i, i, w) for i, w in enumerate(weights, 1)]


SH4, SH6 = _pool(4, (3, 2, 1)), _pool(6, (3, 2, 1))
MG4, MG3, MGW, MG6 = (_pool(4, (1, 1, 1, 1)), _pool(4, (1, 1, 1)),
                      _pool(4, (1, 1, 1, 3)), _pool(6, (1, 1, 1, 1)))
PICKS_KNOWN = [
    ("sh", SH4, "192.0.2.64", 0, "b3"), ("sh", SH4, "192.0.2.65", 0, "b2"),
    ("sh", SH4, "192.0.2.66", 0, "b1"), ("sh", SH4, "192.0.2.67", 0, "b1"),
    ("sh", SH6, "2001:db8:1::1:40", 0, "b3"),
    ("sh", SH6, "2001:db8:1::1:41", 0, "b1"),
    ("sh", SH6, "2001:db8:1::1:42", 0, "b3"),
    ("maglev", MG4, "192.0.2.2", 20000, "b2"),
    ("maglev", MG4, "192.0.2.2", 20001, "b4"),
    ("maglev", MG4, "192.0.2.2", 20003, "b3"),
    ("maglev", MG3, "192.0.2.2", 20001, "b2"),
    ("maglev", MG3, "192.0.2.2", 20003, "b3"),
    ("maglev", MGW, "192.0.2.2", 20000, "b4"),
    ("maglev", MG6, "2001:db8:1::2", 20002, "b1"),
    ("maglev", MG6, "2001:db8:1::2", 20003, "b4"),
]
SRC4 = ["192.0.2.%d" % i for i in range(64, 224)]
SRC6 = ["2001:db8:1::1:%x" % i for i in range(64, 224)]
COUNTS_KNOWN = [
    ("sh", SH4, SRC4, 0, 1, {"b1": 82, "b2": 54, "b3": 24}),
    ("sh", SH6, SRC6, 0, 1, {"b1": 80, "b2": 53, "b3": 27}),
    ("maglev", MG4, ["192.0.2.2"], 20000, 400,
     {"b1": 83, "b2": 109, "b3": 104, "b4": 104}),
    ("maglev", MG3, ["192.0.2.2"], 20000, 400,
     {"b1": 115, "b2": 148, "b3": 137}),
    ("maglev", MGW, ["192.0.2.2"], 20000, 400,
     {"b1": 50, "b2": 73, "b3": 73, "b4": 204}),
    ("maglev", MG6, ["2001:db8:1::2"], 20000, 200,
     {"b1": 59, "b2": 37, "b3": 58, "b4": 46}),
]


def selftest():
    bad = 0
    for words, seed, want in JHASH_KNOWN:
        got = jhash2(words, seed)
        if got != want:
            print("jhash2(%s, %d, %#x) = %#010x, the kernel's header says "
                  "%#010x" % (words, len(words), seed, got, want))
            bad += 1
    pools = {}
    for sched, specs, addr, sport, want in PICKS_KNOWN:
        pool = pools.setdefault(tuple(specs), Pool(specs))
        got = pool.sh(addr) if sched == "sh" else pool.maglev(addr, sport)
        if got != want:
            print("%s %s: %s port %d -> %s, nlb.ko picked %s" % (
                sched, " ".join(specs), addr, sport, got, want))
            bad += 1
    for sched, specs, srcs, sport, ports, want in COUNTS_KNOWN:
        pool = pools.setdefault(tuple(specs), Pool(specs))
        got = dict.fromkeys(want, 0)
        for addr in srcs:
            for p in range(sport, sport + ports):
                b = pool.sh(addr) if sched == "sh" else pool.maglev(addr, p)
                got[b] = got.get(b, 0) + 1
        if got != want:
            print("%s %s over %d keys: %s, nlb.ko's %s" % (
                sched, " ".join(specs), len(srcs) * ports, got, want))
            bad += 1
    # The table: every entry claimed, shares as apportioned.
    pool = Pool(["a=10.0.0.1/80/1", "b=10.0.0.2/80/2", "c=10.0.0.3/80/4"])
    table = pool.table()
    counts = [table.count(i) for i in range(3)]
    if -1 in table or counts != [9362, 18725, 37450]:
        print("maglev table of weights 1 2 4: entries %s" % counts)
        bad += 1
    n = len(JHASH_KNOWN) + len(PICKS_KNOWN) + len(COUNTS_KNOWN) + 1
    print("nlbhash.py selftest: %d of %d known values match" % (n - bad, n))
    return 1 if bad else 0


JHASH_SHIM = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
typedef uint32_t u32;
typedef uint8_t u8;
#define fallthrough __attribute__((__fallthrough__))
static inline u32 rol32(u32 w, unsigned int s)
{
	return (w << s) | (w >> ((-s) & 31));
}
#define __get_unaligned_cpu32(p) (*(const u32 *)(p))
%s
int main(void)
{
	u32 k[8], n, seed, i;

	while (scanf("%%u %%u", &n, &seed) == 2) {
		for (i = 0; i < n; i++)
			if (scanf("%%u", &k[i]) != 1)
				return 1;
		printf("%%u\n", jhash2(k, n, seed));
	}
	return 0;
}
"""


def check_jhash(src):
    import os
    import random
    import subprocess
    import tempfile
    with open(os.path.join(src, "include", "linux", "jhash.h")) as f:
        text = f.read()
    start = text.index("#define __jhash_mix")
    end = text.index("\n}\n", text.index("static inline u32 jhash2(")) + 3
    cases = [[], [0], [1, 2, 3], [0xffffffff] * 4, [7] * 5]
    rnd = random.Random(1)
    for _ in range(2000):
        cases.append([rnd.getrandbits(32) for _ in range(rnd.randrange(7))])
    seeds = [0, 1, SEED1, SEED2] + [rnd.getrandbits(32) for _ in cases]
    with tempfile.TemporaryDirectory() as tmp:
        c = os.path.join(tmp, "jhash.c")
        exe = os.path.join(tmp, "jhash")
        with open(c, "w") as f:
            f.write(JHASH_SHIM % text[start:end])
        subprocess.run(["cc", "-O1", "-o", exe, c], check=True)
        inp = "".join("%d %d %s\n" % (len(k), seeds[i % len(seeds)],
                                      " ".join(map(str, k)))
                      for i, k in enumerate(cases))
        out = subprocess.run([exe], input=inp, capture_output=True,
                             text=True, check=True).stdout.split()
    bad = 0
    for i, k in enumerate(cases):
        want = int(out[i])
        got = jhash2(k, seeds[i % len(seeds)])
        if got != want:
            bad += 1
            if bad <= 5:
                print("jhash2(%s, %d, %#x): kernel %#010x, nlbhash.py %#010x"
                      % (k, len(k), seeds[i % len(seeds)], want, got))
    print("nlbhash.py check-jhash: %d of %d keys hash as %s/include/linux/"
          "jhash.h does" % (len(cases) - bad, len(cases), src))
    return 1 if bad else 0


def pick(sched, specs, lines):
    pool = Pool(specs)
    names = [b.name for b in pool.be]
    want = dict.fromkeys(names, 0)
    got = dict.fromkeys(names, 0)
    bad = 0
    for line in lines:
        w = line.split()
        if not w:
            continue
        if len(w) != 3 or w[0] == "-":
            raise ValueError("flow line '%s': want SRC SPORT ANSWER with "
                             "an explicit source" % line.strip())
        addr, sport, answer = w[0], int(w[1]), w[2]
        exp = pool.sh(addr) if sched == "sh" else pool.maglev(addr, sport)
        want[exp] += 1
        if answer in got:
            got[answer] += 1
        if answer != exp:
            bad += 1
        print(addr, sport, answer, exp)
    print("expected", " ".join("%s=%d" % (b, want[b]) for b in names),
          "got", " ".join("%s=%d" % (b, got[b]) for b in names),
          "mismatches", bad)
    return 1 if bad else 0


def main(argv):
    if argv == ["selftest"]:
        return selftest()
    if len(argv) == 2 and argv[0] == "check-jhash":
        return check_jhash(argv[1])
    if len(argv) >= 3 and argv[0] == "pick" and argv[1] in ("sh", "maglev"):
        return pick(argv[1], argv[2:], sys.stdin)
    if len(argv) >= 2 and argv[0] == "table":
        pool = Pool(argv[1:])
        table = pool.table()
        for i, b in enumerate(pool.be):
            print(b.name, table.count(i))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ValueError as e:
        print("nlbhash.py: %s" % e, file=sys.stderr)
        sys.exit(2)
