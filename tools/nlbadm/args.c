// SPDX-License-Identifier: GPL-2.0
/*
 * Command line arguments of a command: positional arguments in table
 * order, then "keyword value" pairs in any order. Everything is checked
 * here, before any netlink socket is opened.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "nlbadm.h"

const char *choice_name(const struct choice *c, unsigned int value)
{
	for (; c->name; c++)
		if (c->value == value)
			return c->name;
	return NULL;
}

/* "a, b or c" */
static void choice_list(const struct choice *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; c->name && n < len; c++)
		n += snprintf(buf + n, len - n, "%s%s", c->name,
			      !c[1].name ? "" : !c[2].name ? " or " : ", ");
}

static int parse_num(const struct arg_spec *s, const char *str,
		     uint32_t *out)
{
	unsigned long v;
	char *end;

	/* strtoul() would accept leading blanks, a sign and "0x". */
	if (!isdigit((unsigned char)str[0]))
		goto bad;
	errno = 0;
	v = strtoul(str, &end, 10);
	if (errno || *end || v < s->min || v > s->max)
		goto bad;
	*out = v;
	return 0;
bad:
	return usage_error("invalid %s '%s' (expected %lu-%lu)",
			   s->name, str, s->min, s->max);
}

/*
 * A duration: seconds (5, 1.5, 2s, 0.25s) or milliseconds (200ms), in
 * [min, max] milliseconds.
 */
static int parse_msec(const struct arg_spec *s, const char *str,
		      uint32_t *out)
{
	unsigned long long ms = 0;
	const char *p = str;
	int frac = 0;

	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		ms = ms * 10 + (*p - '0');
		if (ms > UINT32_MAX)
			goto bad;
	}
	if (!strcmp(p, "ms")) {
		if (ms < s->min || ms > s->max)
			goto bad;
		*out = ms;
		return 0;
	}
	ms *= 1000;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p) && frac < 3; p++, frac++)
			ms += (*p - '0') * (frac == 0 ? 100 : frac == 1 ? 10 : 1);
		if (!frac)
			goto bad;
	}
	if (*p == 's')
		p++;
	if (*p || ms < s->min || ms > s->max)
		goto bad;
	*out = ms;
	return 0;
bad:
	return usage_error("invalid %s '%s' (expected a duration of %lums-%lus, such as 5, 1.5s or 200ms)",
			   s->name, str, s->min, s->max / 1000);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The bytes of a TEXT argument: "0x" and an even number of hex digits, or
 * the text itself. Returns their number, or -1 if more than max.
 */
int parse_text(const char *s, unsigned char *out, size_t max)
{
	size_t n = strlen(s), i;

	if (n > 2 && s[0] == '0' && s[1] == 'x' && n % 2 == 0) {
		for (i = 2; i < n; i += 2)
			if (hexval(s[i]) < 0 || hexval(s[i + 1]) < 0)
				break;
		if (i == n) {
			if ((n - 2) / 2 > max)
				return -1;
			for (i = 2; i < n; i += 2)
				out[(i - 2) / 2] = hexval(s[i]) << 4 |
						   hexval(s[i + 1]);
			return (n - 2) / 2;
		}
	}
	if (n > max)
		return -1;
	memcpy(out, s, n);
	return n;
}

static int parse_addr(const struct arg_spec *s, const char *str,
		      struct arg_val *v)
{
	const char *what = s->flags & ARG_POSITIONAL ? "address" : s->name;
	bool *has;

	if (s->attr && inet_pton(AF_INET, str, &v->v4) == 1)
		has = &v->has4;
	else if (inet_pton(AF_INET6, str, &v->v6) == 1)
		has = &v->has6;
	else if (!s->attr)
		return usage_error("invalid %s '%s' (expected an IPv6 address)",
				   what, str);
	else
		return usage_error("invalid %s '%s' (expected an IPv4 or IPv6 address)",
				   what, str);
	if (*has)
		return usage_error("more than one IPv%c %s given",
				   has == &v->has4 ? '4' : '6', what);
	*has = true;
	return 0;
}

/* Check one value of an argument into *v (see args_parse()). */
int arg_value(const struct arg_spec *s, const char *str, struct arg_val *v)
{
	unsigned char bytes[1024];
	const struct choice *c;
	char buf[128];
	size_t len, i;

	switch (s->kind) {
	case ARG_NAME:
		len = strlen(str);
		if (len < 1 || len > NLB_NAME_MAX_LEN)
			return usage_error("invalid %s '%s' (expected 1-%d characters)",
					   s->name, str, NLB_NAME_MAX_LEN);
		v->str = str;
		return 0;
	case ARG_ADDR:
		return parse_addr(s, str, v);
	case ARG_STR:
		len = strlen(str);
		for (i = 0; i < len; i++)
			if ((unsigned char)str[i] < ' ' ||
			    (unsigned char)str[i] > '~')
				break;
		if ((len < 1 && !(s->flags & ARG_EMPTY)) || len > s->max ||
		    i < len)
			return usage_error("invalid %s '%s' (expected %d-%lu printable characters)",
					   s->name, str,
					   s->flags & ARG_EMPTY ? 0 : 1, s->max);
		v->str = str;
		return 0;
	case ARG_TEXT:
		if (s->max > sizeof(bytes) ||
		    parse_text(str, bytes, s->max) < 0)
			return usage_error("invalid %s (expected at most %lu bytes, as text or 0x and hex digits)",
					   s->name, s->max);
		v->str = str;
		return 0;
	case ARG_MSEC:
		return parse_msec(s, str, &v->num);
	case ARG_CHOICE:
		for (c = s->choices; c->name; c++) {
			if (!strcmp(c->name, str)) {
				v->num = c->value;
				return 0;
			}
		}
		choice_list(s->choices, buf, sizeof(buf));
		return usage_error("invalid %s '%s' (expected %s)",
				   s->name, str, buf);
	default:	/* ARG_U8, ARG_U16, ARG_U32 */
		return parse_num(s, str, &v->num);
	}
}

static int spec_index(const struct arg_spec *specs, const char *name)
{
	int i;

	for (i = 0; specs[i].name; i++)
		if (!strcmp(specs[i].name, name))
			return i;
	return -1;
}

/*
 * Fill vals[] (indexed like specs[], zeroed by the caller) from the
 * command line. Returns 0, or EXIT_USAGE after printing an error.
 */
int args_parse(const struct arg_spec *specs, int argc, char **argv,
	       struct arg_val *vals)
{
	const struct arg_spec *s;
	int i, err;

	for (i = 0, s = specs; s->name && s->flags & ARG_POSITIONAL; i++, s++) {
		if (!argc)
			break;
		err = arg_value(s, argv[0], &vals[i]);
		if (err)
			return err;
		vals[i].count++;
		argc--;
		argv++;
	}

	for (; argc; argc -= 2, argv += 2) {
		i = spec_index(specs, argv[0]);
		if (i < 0 || specs[i].flags & ARG_POSITIONAL)
			return usage_error("unknown argument '%s'", argv[0]);
		s = &specs[i];
		if (argc < 2)
			return usage_error("missing value after '%s'",
					   s->name);
		if (vals[i].count && !(s->flags & ARG_PER_FAMILY))
			return usage_error("'%s' given more than once",
					   s->name);
		err = arg_value(s, argv[1], &vals[i]);
		if (err)
			return err;
		vals[i].count++;
	}

	for (i = 0, s = specs; s->name; i++, s++)
		if (s->flags & ARG_REQUIRED && !vals[i].count)
			return usage_error(s->flags & ARG_POSITIONAL ?
					   "missing %s" : "missing '%s'",
					   s->name);
	return 0;
}

/* The arguments of one nest (0: none) given, as attributes. */
static int put_args(struct nl_msg *msg, const struct arg_spec *specs,
		    const struct arg_val *vals, int nest)
{
	unsigned char bytes[1024];
	const struct arg_val *v;
	int err = 0, n;

	for (v = vals; specs->name; specs++, v++) {
		if (!v->count || specs->nest != nest)
			continue;
		switch (specs->kind) {
		case ARG_NAME:
		case ARG_STR:
			err |= nla_put_string(msg, specs->attr, v->str);
			break;
		case ARG_TEXT:
			n = parse_text(v->str, bytes, sizeof(bytes));
			err |= n < 0 || nla_put(msg, specs->attr, n, bytes);
			break;
		case ARG_ADDR:
			/* s_addr is already in network byte order */
			if (v->has4)
				err |= nla_put_u32(msg, specs->attr,
						   v->v4.s_addr);
			if (v->has6)
				err |= nla_put(msg, specs->attr6,
					       sizeof(v->v6), &v->v6);
			break;
		case ARG_CHOICE:
		case ARG_U8:
			err |= nla_put_u8(msg, specs->attr, v->num);
			break;
		case ARG_U16:
			err |= nla_put_u16(msg, specs->attr, v->num);
			break;
		case ARG_U32:
		case ARG_MSEC:
			err |= nla_put_u32(msg, specs->attr, v->num);
			break;
		}
	}
	return err;
}

/*
 * Add the attributes of the given arguments to a request: those of no
 * nest, then each nest that has one.
 */
void args_put(struct nl_msg *msg, const struct arg_spec *specs,
	      const struct arg_val *vals)
{
	const struct arg_spec *s, *t;
	const struct arg_val *v;
	struct nlattr *nest;
	int err;

	err = put_args(msg, specs, vals, 0);
	for (s = specs, v = vals; s->name; s++, v++) {
		if (!s->nest || !v->count)
			continue;
		/* the first argument of its nest given */
		for (t = specs; t < s; t++)
			if (t->nest == s->nest && vals[t - specs].count)
				break;
		if (t < s)
			continue;
		nest = nla_nest_start(msg, s->nest | NLA_F_NESTED);
		if (!nest)
			nl_put_fail();
		err |= put_args(msg, specs, vals, s->nest);
		nla_nest_end(msg, nest);
	}
	if (err)
		nl_put_fail();
}
