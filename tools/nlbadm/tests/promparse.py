#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A strict parser of the Prometheus text exposition format (0.0.4).

Reads the text on stdin; exits 1 with the first error and its line. It
checks what Prometheus and promtool check: names, label syntax and
escapes, values, HELP and TYPE at most once per family and before its
samples, each family's samples together, no series twice, counters not
negative. With --json it prints the series as {"name{a=\"x\",...}": value},
labels sorted, for tests to compare.
"""
import json
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class ParseError(Exception):
    pass


def parse_labels(s, pos, lineno):
    """Labels from s[pos] == '{'; returns (dict, position after '}')."""
    labels = {}
    pos += 1
    while True:
        if s[pos:pos + 1] == "}":
            return labels, pos + 1
        m = LABEL.match(s, pos)
        if not m:
            raise ParseError("line %d: bad label name at %r" % (lineno, s[pos:]))
        name = m.group(0)
        pos = m.end()
        if s[pos:pos + 2] != '="':
            raise ParseError("line %d: expected =\" after label %s" % (lineno, name))
        pos += 2
        val = []
        while True:
            if pos >= len(s):
                raise ParseError("line %d: unterminated label value" % lineno)
            ch = s[pos]
            if ch == "\\":
                nxt = s[pos + 1:pos + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ParseError("line %d: bad escape \\%s" % (lineno, nxt))
                val.append("\n" if nxt == "n" else nxt)
                pos += 2
            elif ch == '"':
                pos += 1
                break
            elif ch == "\n":
                raise ParseError("line %d: newline in a label value" % lineno)
            else:
                val.append(ch)
                pos += 1
        if name in labels:
            raise ParseError("line %d: label %s twice" % (lineno, name))
        labels[name] = "".join(val)
        if s[pos:pos + 1] == ",":
            pos += 1
        elif s[pos:pos + 1] != "}":
            raise ParseError("line %d: expected , or } after a label" % lineno)


def parse_value(v, lineno):
    if v in ("+Inf", "-Inf", "NaN"):
        return float(v)
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", v):
        raise ParseError("line %d: bad value %r" % (lineno, v))
    return float(v)


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def parse(text):
    types, helps, series = {}, {}, {}
    done = set()          # families whose samples have ended
    current = None
    if text and not text.endswith("\n"):
        raise ParseError("the last line has no newline")
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] in ("HELP", "TYPE"):
                if len(parts) < 3 or not NAME.fullmatch(parts[2]):
                    raise ParseError("line %d: bad %s line" % (lineno, parts[1]))
                name = parts[2]
                if name in done or name == current:
                    raise ParseError("line %d: %s of %s after its samples"
                                     % (lineno, parts[1], name))
                table = helps if parts[1] == "HELP" else types
                if name in table:
                    raise ParseError("line %d: second %s of %s" % (lineno, parts[1], name))
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise ParseError("line %d: bad type" % lineno)
                    table[name] = parts[3]
                else:
                    table[name] = parts[3] if len(parts) == 4 else ""
            continue
        m = NAME.match(line)
        if not m:
            raise ParseError("line %d: bad metric name" % lineno)
        name = m.group(0)
        pos = m.end()
        labels = {}
        if line[pos:pos + 1] == "{":
            labels, pos = parse_labels(line, pos, lineno)
        rest = line[pos:]
        if not rest.startswith(" "):
            raise ParseError("line %d: expected a space before the value" % lineno)
        fields = rest.split()
        if len(fields) not in (1, 2):
            raise ParseError("line %d: expected a value and an optional timestamp" % lineno)
        value = parse_value(fields[0], lineno)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise ParseError("line %d: bad timestamp" % lineno)
        fam = family_of(name, types)
        if fam != current:
            if fam in done:
                raise ParseError("line %d: samples of %s not together" % (lineno, fam))
            if current:
                done.add(current)
            current = fam
        if types.get(fam) == "counter":
            if value < 0 or math.isnan(value):
                raise ParseError("line %d: counter %s is %s" % (lineno, name, value))
        key = name + "{" + ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)) + "}"
        if key in series:
            raise ParseError("line %d: series %s twice" % (lineno, key))
        series[key] = value
    return series


def main():
    try:
        series = parse(sys.stdin.read())
    except ParseError as e:
        print("promparse: %s" % e, file=sys.stderr)
        return 1
    if "--json" in sys.argv[1:]:
        json.dump(series, sys.stdout, sort_keys=True)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
