#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nlraw.py: a raw generic netlink client for the "nlb" family (stdlib only).

It sends exactly the bytes it is told to, so that the kernel's own request
validation (policies, handlers) can be tested without nlbadm in between.

  nlraw.py [OPTIONS] CMD [ATTR=TYPE:VALUE ...]
  nlraw.py [OPTIONS] --batch FILE      one request per line ('-': stdin)

CMD      a command name from uapi/linux/nlb.h, as "group-add", "GROUP_ADD" or
         "NLB_CMD_GROUP_ADD", or a number (any 0-255, to send invalid ones).
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
  --version N       genl header version (default: NLB_FAMILY_VERSION)
  --trailing HEX    raw bytes appended after the attributes
  --header PATH     the uapi header (default: ../uapi/linux/nlb.h from here)
  --quiet           print only the final status line of each request

Output, per request: each reply object on one line,
  "<cmd> attr=value ..." (values printed by name and length: "name" and
  "group" as strings, addr4/vip4/addr6/vip6 as addresses, stats as {...},
  1/2/4/8 bytes as numbers, else NUL-terminated text or hex), then:
  "ok", "ok <n> objects in <m> datagrams" (dumps), or
  "error <ERRNO> <extack message>" with, if the kernel gave them,
  "extack-offset <n>" and "extack-missing-type <n>" lines.
  "dump-interrupted" is printed if a reply had NLM_F_DUMP_INTR.

Exit status: 0 all requests acked, 2 a request was refused (or the family
is missing), 1 usage error of nlraw.py itself.
"""
import errno
import os
import re
import shlex
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10

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
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2

FLAG_NAMES = {
    "dump": NLM_F_DUMP, "root": NLM_F_ROOT, "match": NLM_F_MATCH,
    "atomic": NLM_F_ATOMIC, "replace": NLM_F_REPLACE, "excl": NLM_F_EXCL,
    "create": NLM_F_CREATE, "append": NLM_F_APPEND,
}


class UsageError(Exception):
    pass


# ---- the uapi header: the only source of names and numbers ----

class Uapi:
    """Names and values of the enums and defines of uapi/linux/nlb.h."""

    def __init__(self, path):
        with open(path) as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        self.consts = {}
        for m in re.finditer(r"#define\s+(NLB_\w+)\s+(\"[^\"]*\"|\d+)", text):
            v = m.group(2)
            self.consts[m.group(1)] = v.strip('"') if v[0] == '"' else int(v)
        # enums: implicit values count up from the previous one
        for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
            val = -1
            for item in body.split(","):
                item = item.strip()
                if not item:
                    continue
                name, _, expr = item.partition("=")
                name, expr = name.strip(), expr.strip()
                if expr:
                    val = self._eval(expr)
                else:
                    val += 1
                self.consts[name] = val
        self.cmds = {k[len("NLB_CMD_"):]: v for k, v in self.consts.items()
                     if k.startswith("NLB_CMD_") and not k.endswith("_MAX")}
        self.cmd_names = {v: k for k, v in self.cmds.items()}
        self.family = self.consts.get("NLB_FAMILY_NAME", "nlb")
        self.version = self.consts.get("NLB_FAMILY_VERSION", 1)

    def _eval(self, expr):
        m = re.fullmatch(r"\(?\s*(\w+)\s*(?:-\s*(\d+))?\s*\)?", expr)
        if not m:
            raise ValueError("cannot evaluate enum value " + expr)
        tok = m.group(1)
        base = int(tok, 0) if tok[0].isdigit() else self.consts[tok]
        return base - int(m.group(2) or 0)

    def attrs(self, aset):
        """{lower-case-dashed name: number} of an attribute set."""
        pre = "NLB_A_%s_" % aset.upper()
        return {k[len(pre):].lower().replace("_", "-"): v
                for k, v in self.consts.items()
                if k.startswith(pre) and not k.endswith("_MAX")}

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

    def set_of(self, cmd):
        """The attribute set of a command number: its first word."""
        name = self.cmd_names.get(cmd)
        return name.split("_")[0].lower() if name else None


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


def format_attrs(uapi, aset, data):
    names = {v: k for k, v in uapi.attrs(aset).items()} if aset else {}
    words = []
    for atype, p in parse_attrs(data):
        name = names.get(atype, str(atype))
        if name == "pad":
            continue
        if name in ("stats", "health") and aset != name:
            val = "{" + format_attrs(uapi, name, p) + "}"
        elif name.endswith("4") and len(p) == 4 and name != "backends4":
            val = socket.inet_ntop(socket.AF_INET, p)
        elif name.endswith("6") and len(p) == 16:
            val = socket.inet_ntop(socket.AF_INET6, p)
        elif name in ("name", "group", "reason", "probe", "http-path",
                      "http-host", "http-status") or (
                len(p) not in (1, 2, 4, 8) and p.endswith(b"\0") and
                all(32 <= c < 127 for c in p[:-1])):
            val = '"%s"' % p[:-1].decode()
        elif len(p) in (1, 2, 4, 8):
            val = str(int.from_bytes(p, sys.byteorder))
        else:
            val = "0x" + p.hex()
        words.append("%s=%s" % (name, val))
    return " ".join(words)


# ---- the socket ----

class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.seq = 1

    def send(self, nltype, flags, cmd, version, payload):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), nltype, flags, self.seq,
                          0) + body
        self.sock.send(msg)
        return self.seq

    def replies(self, seq):
        """Yield (datagram index, type, flags, payload) until the end."""
        n = 0
        while True:
            data = self.sock.recv(1 << 20)
            n += 1
            off = 0
            while off + 16 <= len(data):
                mlen, mtype, mflags, mseq, _ = struct.unpack_from(
                    "=IHHII", data, off)
                if mlen < 16:
                    break
                payload = data[off + 16:off + mlen]
                off += (mlen + 3) & ~3
                if mseq != seq:
                    continue
                yield n, mtype, mflags, payload
                if mtype in (NLMSG_ERROR, NLMSG_DONE):
                    return


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
                ext["offset"] = struct.unpack("=I", p[:4])[0]
            elif atype == NLMSGERR_ATTR_MISS_TYPE:
                ext["missing-type"] = struct.unpack("=I", p[:4])[0]
            elif atype == NLMSGERR_ATTR_MISS_NEST:
                ext["missing-nest"] = struct.unpack("=I", p[:4])[0]
    return err, ext


def errname(err):
    # EOPNOTSUPP and ENOTSUP are one number on Linux; the kernel says the
    # former, Python's table the latter.
    if -err == errno.EOPNOTSUPP:
        return 'EOPNOTSUPP'
    return errno.errorcode.get(-err, str(-err))


def print_error(err, ext, out):
    line = "error " + errname(err)
    if ext.get("msg"):
        line += " " + ext["msg"]
    print(line, file=out)
    for k in ("offset", "missing-type", "missing-nest"):
        if k in ext:
            print("extack-%s %d" % (k, ext[k]), file=out)


def resolve_family(g, name):
    seq = g.send(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY,
                 1, nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
    fid = None
    for _, mtype, mflags, p in g.replies(seq):
        if mtype == NLMSG_ERROR:
            err, ext = parse_error(mflags, p)
            if err:
                print("error %s generic netlink family '%s' not found%s" % (
                    errname(err), name,
                    (": " + ext["msg"]) if ext.get("msg") else ""))
                return None
        elif mtype == GENL_ID_CTRL:
            for atype, ap in parse_attrs(p[4:]):
                if atype == CTRL_ATTR_FAMILY_ID:
                    fid = struct.unpack("=H", ap[:2])[0]
    return fid


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


def run_request(uapi, g, fid, req):
    """Send one request, print the result; returns 0 (ok) or 2."""
    flags = NLM_F_REQUEST | req["flags"] | (0 if req["noack"] else NLM_F_ACK)
    seq = g.send(fid, flags, req["cmd"], req["version"], req["payload"])
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
                print_error(err, ext, sys.stdout)
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
                print_error(err, ext, sys.stdout)
                status = 2
            else:
                status = 0
            break
        if mtype == fid:
            objects += 1
            if not req["quiet"]:
                cmd, _, _ = struct.unpack_from("=BBH", p, 0)
                cname = uapi.cmd_names.get(cmd, str(cmd))
                print("%s %s" % (cname.lower().replace("_", "-"),
                                 format_attrs(uapi, uapi.set_of(cmd), p[4:])))
        if not dump and not (mflags & NLM_F_MULTI) and req["noack"]:
            status = 0
            break
    if intr:
        print("dump-interrupted")
    if status == 0:
        print("ok %d objects in %d datagrams" % (objects, datagrams)
              if dump else "ok")
    return status if status is not None else 2


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    header = os.path.join(here, "..", "uapi", "linux", "nlb.h")
    batch = None
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--header" and i + 1 < len(argv):
            header = argv[i + 1]
            i += 2
        elif argv[i] == "--batch" and i + 1 < len(argv):
            batch = argv[i + 1]
            i += 2
        elif argv[i] in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(argv[i])
            i += 1
    try:
        uapi = Uapi(header)
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
        if run_request(uapi, g, fid, req):
            ret = 2
    return ret


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
