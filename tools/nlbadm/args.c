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
	const struct choice *c;
	char buf[128];
	size_t len;

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

/* Add the attributes of the given arguments to a request. */
void args_put(struct nl_msg *msg, const struct arg_spec *specs,
	      const struct arg_val *vals)
{
	const struct arg_val *v;
	int err = 0;

	for (v = vals; specs->name; specs++, v++) {
		if (!v->count)
			continue;
		switch (specs->kind) {
		case ARG_NAME:
			err |= nla_put_string(msg, specs->attr, v->str);
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
			err |= nla_put_u32(msg, specs->attr, v->num);
			break;
		}
	}
	if (err)
		nl_put_fail();
}
