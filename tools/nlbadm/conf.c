// SPDX-License-Identifier: GPL-2.0
/*
 * A whole configuration in memory, for save, apply and import: the
 * running one (from dumps) or one read from a file of "add" lines. Each
 * object keeps its attributes as a netlink message, so that every setting
 * the argument tables of the add commands know is read, compared, printed
 * and sent without code of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "nlbadm.h"

static const struct cmd *find(const char *object, const char *name)
{
	const struct cmd_group *g;

	for (g = cmd_objects; g->name; g++)
		if (!strcmp(g->name, object))
			return cmd_find(g, name);
	return NULL;
}

/* In the order apply adds them: a backend needs its group, a listener too. */
struct ctype ctypes[CONF_NKINDS] = {
	[CONF_GROUP] = { .name = "group", .ob = &group_obj,
			 .get = NLB_CMD_GROUP_GET },
	[CONF_BACKEND] = { .name = "backend", .ob = &backend_obj,
			   .get = NLB_CMD_BACKEND_GET },
	[CONF_LISTENER] = { .name = "listener", .ob = &listener_obj,
			    .get = NLB_CMD_LISTENER_GET },
};

static void die_nomem(void)
{
	pr_err("out of memory");
	exit(EXIT_KERNEL);
}

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, 0, 0, 0, cmd,
			       NLB_FAMILY_VERSION))
		nl_put_fail();
	return m;
}

/*
 * Parse a reply or request of an object type into slots (spec_slot()): the
 * group's health nest goes after its own attributes.
 */
static int cobj_parse(const struct ctype *t, struct nl_msg *m,
		      struct nlattr **tb)
{
	struct nla_policy pol[NLB_A_HEALTH_MAX + 1] = { { 0 } };
	struct nlattr *h;

	memset(tb, 0, (CONF_TB_MAX + 1) * sizeof(*tb));
	if (obj_parse(t->ob, m, tb))
		return -1;
	h = t->ob == &group_obj ? tb[NLB_A_GROUP_HEALTH] : NULL;
	if (h && nla_parse_nested(tb + CONF_HEALTH_BASE, NLB_A_HEALTH_MAX, h,
				  pol) < 0)
		return -1;
	return 0;
}

/* Look up the commands and parse the kernel's defaults, once. */
static void ctypes_init(void)
{
	struct arg_val vals[MAX_ARGS];
	const struct arg_spec *s;
	struct ctype *t;
	int k, i;

	if (ctypes[0].add)
		return;
	for (k = 0; k < CONF_NKINDS; k++) {
		t = &ctypes[k];
		t->add = find(t->name, "add");
		t->change = find(t->name, "change");
		t->del = find(t->name, "del");
		memset(vals, 0, sizeof(vals));
		for (i = 0, s = t->add->args; s->name; i++, s++)
			if (s->dflt && arg_value(s, s->dflt, &vals[i]) == 0)
				vals[i].count = 1;
		t->dflt_msg = new_msg(t->add->nlcmd);
		args_put(t->dflt_msg, t->add->args, vals);
		if (cobj_parse(t, t->dflt_msg, t->dflt))
			abort();
	}
}

/* Whether the add command of t has a spec for attribute attr. */
const struct arg_spec *ctype_spec(const struct ctype *t, int attr)
{
	const struct arg_spec *s;

	for (s = t->add->args; s->name; s++)
		if (spec_slot(s, s->attr) == attr ||
		    (s->kind == ARG_ADDR && s->attr6 == attr))
			return s;
	return NULL;
}

void conf_init(struct conf *c)
{
	ctypes_init();
	memset(c, 0, sizeof(*c));
}

static struct cobj *conf_new(struct conf *c, int kind)
{
	struct cobj *o;

	if (c->n[kind] == c->cap[kind]) {
		c->cap[kind] = c->cap[kind] ? 2 * c->cap[kind] : 16;
		c->v[kind] = realloc(c->v[kind],
				     c->cap[kind] * sizeof(*c->v[kind]));
		if (!c->v[kind])
			die_nomem();
	}
	o = &c->v[kind][c->n[kind]++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->peer = -1;
	return o;
}

void conf_free(struct conf *c)
{
	size_t i;
	int k;

	for (k = 0; k < CONF_NKINDS; k++) {
		for (i = 0; i < c->n[k]; i++)
			nlmsg_free(c->v[k][i].msg);
		free(c->v[k]);
	}
	msg_list_free(&c->info);
	memset(c, 0, sizeof(*c));
}

/* Take a reply (its reference) as an object of the running configuration. */
int conf_take(struct conf *c, int kind, struct nl_msg *m)
{
	struct cobj *o = conf_new(c, kind);

	o->msg = m;
	if (cobj_parse(&ctypes[kind], m, o->tb)) {
		c->n[kind]--;
		nlmsg_free(m);
		return -1;
	}
	o->draining = kind == CONF_BACKEND &&
		      o->tb[NLB_A_BACKEND_DRAINING] &&
		      nla_get_u8(o->tb[NLB_A_BACKEND_DRAINING]);
	return 0;
}

/* The running configuration. Returns an exit status. */
int conf_read_running(struct conf *c)
{
	struct msg_list l = { 0 };
	size_t i;
	int k, ret;

	conf_init(c);
	for (k = 0; k < CONF_NKINDS; k++) {
		ret = nl_run(nl_req(ctypes[k].get, true), &l);
		if (ret) {
			msg_list_free(&l);
			return ret;
		}
		for (i = 0; i < l.n; i++) {
			nlmsg_get(l.v[i]);
			conf_take(c, k, l.v[i]);
		}
		msg_list_free(&l);
	}
	return EXIT_OK;
}

/*
 * The namespace's info (object counts, limits, the census's age), as the
 * last census left it: never asks for a walk of the conntrack table.
 * Returns an exit status.
 */
int conf_read_info(struct conf *c)
{
	int ret;

	msg_list_free(&c->info);
	memset(c->itb, 0, sizeof(c->itb));
	ret = info_get(false, &c->info);
	if (!ret && c->info.n &&
	    obj_parse(&info_obj, c->info.v[0], c->itb))
		memset(c->itb, 0, sizeof(c->itb));
	return ret;
}

/*
 * The last address of a range given equal to its first is as not given,
 * as the kernel's replies have it.
 */
static void cobj_norm(struct cobj *o)
{
	const struct arg_spec *s;
	int i, attr, first;

	for (s = ctypes[o->kind].add->args; s->name; s++) {
		if (!(s->flags & ARG_LAST))
			continue;
		for (i = 0; i < 2; i++) {
			attr = i ? s->attr6 : s->attr;
			first = i ? s[-1].attr6 : s[-1].attr;
			if (attr && attr_eq(o->tb[attr], o->tb[first]))
				o->tb[attr] = NULL;
		}
	}
}

/*
 * Add the object of one "OBJECT add ARGS" line (argv without "add") to
 * c; errors are reported for batch_file:batch_line. Returns 0 or
 * EXIT_USAGE.
 */
int conf_add_line(struct conf *c, int argc, char **argv)
{
	struct arg_val vals[MAX_ARGS] = { { 0 } };
	const struct ctype *t = NULL;
	struct cobj *o;
	int k;

	ctypes_init();
	for (k = 0; k < CONF_NKINDS; k++)
		if (!strcmp(argv[0], ctypes[k].name))
			t = &ctypes[k];
	if (!t || argc < 2 || strcmp(argv[1], "add"))
		return usage_error("not an add command: a configuration file has only 'group add', 'backend add' and 'listener add' lines");
	if (cmd_parse(t->add, argc - 2, argv + 2, vals))
		return EXIT_USAGE;
	k = t - ctypes;
	o = conf_new(c, k);
	o->msg = new_msg(t->add->nlcmd);
	args_put(o->msg, t->add->args, vals);
	cobj_parse(t, o->msg, o->tb);
	o->file = batch_file;
	o->line = batch_line;
	/* The kernel's default of track depends on the scheduler. */
	if (k == CONF_GROUP && !o->tb[NLB_A_GROUP_TRACK]) {
		uint8_t sched = o->tb[NLB_A_GROUP_SCHED] ?
				nla_get_u8(o->tb[NLB_A_GROUP_SCHED]) : 0;

		if (nla_put_u8(o->msg, NLB_A_GROUP_TRACK,
			       sched == NLB_SCHED_WLC))
			nl_put_fail();
		cobj_parse(t, o->msg, o->tb);
	}
	cobj_norm(o);
	return 0;
}

/* Read a configuration file (a batch file of add lines). */
int conf_read_file(struct conf *c, FILE *f, const char *name)
{
	char *line = NULL, *argv[BATCH_MAX_WORDS];
	int argc, ret = 0;
	size_t size = 0;
	ssize_t len;

	batch_file = name;
	for (batch_line = 1; ; batch_line++) {
		errno = 0;
		len = getline(&line, &size, f);
		if (len < 0)
			break;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			ret = usage_error("NUL character in the line");
			break;
		}
		argc = batch_split(line, argv, ARRAY_SIZE(argv));
		if (!argc)
			continue;
		ret = argc < 0 ? EXIT_USAGE : conf_add_line(c, argc, argv);
		if (ret)
			break;
	}
	if (!ret && len < 0 && ferror(f)) {
		pr_err("%s: cannot read: %s", name,
		       strerror(errno ? errno : EIO));
		ret = EXIT_USAGE;
	}
	batch_file = NULL;
	free(line);
	return ret;
}

int conf_read_path(struct conf *c, const char *path)
{
	FILE *f = stdin;
	int ret;

	if (strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f) {
			pr_err("cannot open %s: %s", path, strerror(errno));
			return EXIT_USAGE;
		}
	}
	ret = conf_read_file(c, f, f == stdin ? "<stdin>" : path);
	if (f != stdin)
		fclose(f);
	return ret;
}

/* The value of an attribute of o, or of the kernel's default; or NULL. */
struct nlattr *cobj_get(const struct cobj *o, int attr)
{
	const struct ctype *t = &ctypes[o->kind];
	const struct arg_spec *s;

	if (o->tb[attr])
		return o->tb[attr];
	s = ctype_spec(t, attr);
	/*
	 * An address given for the other family is not a default; an
	 * IPv6-only address argument (no IPv4 attribute) may have one.
	 */
	if (!s || (s->kind == ARG_ADDR && s->attr))
		return NULL;
	return t->dflt[attr];
}

bool attr_eq(const struct nlattr *a, const struct nlattr *b)
{
	if (!a || !b)
		return a == b;
	return nla_len(a) == nla_len(b) &&
	       !memcmp(nla_data(a), nla_data(b), nla_len(a));
}

/* The attributes that name an object: positional and lookup arguments. */
bool spec_is_key(const struct arg_spec *s)
{
	return s->flags & (ARG_POSITIONAL | ARG_LOOKUP);
}

bool cobj_same(const struct cobj *a, const struct cobj *b)
{
	const struct arg_spec *s;

	if (a->kind != b->kind)
		return false;
	for (s = ctypes[a->kind].add->args; s->name; s++) {
		if (!spec_is_key(s))
			continue;
		if (!attr_eq(cobj_get(a, s->attr), cobj_get(b, s->attr)))
			return false;
		if (s->kind == ARG_ADDR &&
		    !attr_eq(cobj_get(a, s->attr6), cobj_get(b, s->attr6)))
			return false;
	}
	return true;
}

/* The object of c that is the same as o (same kind and name), or -1. */
long conf_find(const struct conf *c, const struct cobj *o)
{
	size_t i;

	for (i = 0; i < c->n[o->kind]; i++)
		if (cobj_same(&c->v[o->kind][i], o))
			return i;
	return -1;
}

const char *cobj_str(const struct cobj *o, int attr)
{
	struct nlattr *a = cobj_get(o, attr);

	return a ? nla_get_string(a) : "";
}

/* A name or word as a batch file word: quoted when it must be. */
static void put_word(FILE *f, const char *w)
{
	if (!*w || strpbrk(w, " \t\"") || *w == '#')
		fprintf(f, " \"%s\"", w);
	else
		fprintf(f, " %s", w);
}

/* Bytes as a batch file word: "" when empty, else 0x and hex digits. */
static void put_text(FILE *f, const unsigned char *p, int len)
{
	int i;

	if (len <= 0) {
		fputs(" \"\"", f);
		return;
	}
	fputs(" 0x", f);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

static void put_value(FILE *f, const struct arg_spec *s, int attr,
		      const struct nlattr *a)
{
	char buf[INET6_ADDRSTRLEN];
	const char *name;
	unsigned long v;

	switch (s->kind) {
	case ARG_NAME:
		put_word(f, nla_get_string((struct nlattr *)a));
		return;
	case ARG_ADDR:
		inet_ntop(attr == s->attr ? AF_INET : AF_INET6, nla_data(a),
			  buf, sizeof(buf));
		fprintf(f, " %s", buf);
		return;
	case ARG_CHOICE:
		name = choice_name(s->choices, nla_get_u8((struct nlattr *)a));
		if (name) {
			fprintf(f, " %s", name);
			return;
		}
		v = nla_get_u8((struct nlattr *)a);
		break;
	case ARG_U8:
		v = nla_get_u8((struct nlattr *)a);
		break;
	case ARG_U16:
		v = nla_get_u16((struct nlattr *)a);
		break;
	case ARG_STR:
		put_word(f, nla_get_string((struct nlattr *)a));
		return;
	case ARG_TEXT:
		put_text(f, nla_data(a), nla_len(a));
		return;
	case ARG_MSEC:
		fprintf(f, " %ums", nla_get_u32((struct nlattr *)a));
		return;
	default:
		v = nla_get_u32((struct nlattr *)a);
		break;
	}
	fprintf(f, " %lu", v);
}

static void put_arg(FILE *f, const struct arg_spec *s, int attr,
		    const struct nlattr *a)
{
	if (!a)
		return;
	if (!(s->flags & ARG_POSITIONAL))
		fprintf(f, " %s", s->name);
	put_value(f, s, attr, a);
}

/* 0.0.0.0 or ::, which an ARG_CLEAR address of a change removes. */
static struct nlattr *zero_addr(bool v4)
{
	static struct {
		struct nlattr h;
		uint8_t addr[16];
	} z4 = { .h.nla_len = NLA_HDRLEN + 4 },
	  z6 = { .h.nla_len = NLA_HDRLEN + 16 };

	return v4 ? &z4.h : &z6.h;
}

/*
 * The value of attribute attr (of argument s) that an "OBJECT VERB" line
 * for o has: a key always; another, when attrs is NULL, if o has it; else
 * if attrs (a bitmap) has it: o's value or its default, or the address
 * that removes what o does not have.
 */
static struct nlattr *arg_attr(const struct cobj *o, const struct arg_spec *s,
			       int attr, const uint64_t *attrs)
{
	struct nlattr *a;
	int slot = spec_slot(s, attr);

	if (!attr)
		return NULL;
	if (spec_is_key(s))
		return cobj_get(o, slot);
	if (!attrs)
		return o->tb[slot];
	if (!(*attrs & (1ULL << slot)))
		return NULL;
	a = cobj_get(o, slot);
	if (!a && s->kind == ARG_ADDR && s->flags & ARG_CLEAR)
		a = zero_addr(attr == s->attr);
	return a;
}

/*
 * Print "OBJECT VERB ARGS" for o with the arguments of the command c of
 * its type: the keys always, the other arguments whose attribute is in
 * attrs (a bitmap, NULL for all that o has).
 */
void cobj_print(FILE *f, const struct cobj *o, const struct cmd *c,
		const uint64_t *attrs)
{
	const struct arg_spec *s;

	fprintf(f, "%s %s", ctypes[o->kind].name, c->name);
	for (s = c->args; s->name; s++) {
		/* a range per family: "pool A pool-last B pool C pool-last D" */
		const struct arg_spec *last = s->kind == ARG_ADDR &&
					      s[1].flags & ARG_LAST ? &s[1] :
					      NULL;

		put_arg(f, s, s->attr, arg_attr(o, s, s->attr, attrs));
		if (last)
			put_arg(f, last, last->attr,
				arg_attr(o, last, last->attr, attrs));
		if (s->kind == ARG_ADDR)
			put_arg(f, s, s->attr6, arg_attr(o, s, s->attr6, attrs));
		if (last) {
			put_arg(f, last, last->attr6,
				arg_attr(o, last, last->attr6, attrs));
			s++;
		}
	}
	fputc('\n', f);
}

static void put_attrs(struct nl_msg *m, const struct cobj *o,
		      const struct cmd *c, const uint64_t *attrs, int skip,
		      int nest)
{
	const struct arg_spec *s;
	struct nlattr *a;
	int i, attr;

	for (s = c->args; s->name; s++) {
		if (s->nest != nest)
			continue;
		for (i = 0; i < (s->kind == ARG_ADDR ? 2 : 1); i++) {
			attr = i ? s->attr6 : s->attr;
			if (attr == skip)
				continue;
			a = arg_attr(o, s, attr, attrs);
			if (a && nla_put(m, attr, nla_len(a), nla_data(a)))
				nl_put_fail();
		}
	}
}

/*
 * Put the arguments of c that o has (keys, and attrs if not NULL), but
 * attribute skip; those of the health nest in a nest, if any.
 */
void cobj_put(struct nl_msg *m, const struct cobj *o, const struct cmd *c,
	      const uint64_t *attrs, int skip)
{
	const struct arg_spec *s;
	struct nlattr *nest;
	int slot;

	put_attrs(m, o, c, attrs, skip, 0);
	for (s = c->args; s->name; s++) {
		slot = spec_slot(s, s->attr);
		if (s->nest && (attrs ? *attrs & (1ULL << slot) :
				o->tb[slot] != NULL))
			break;
	}
	if (!s->name)
		return;
	nest = nla_nest_start(m, s->nest | NLA_F_NESTED);
	if (!nest)
		nl_put_fail();
	put_attrs(m, o, c, attrs, skip, s->nest);
	nla_nest_end(m, nest);
}

/* "FILE:LINE: " of an object read from a file, for messages. */
static void where(const struct cobj *o, char *buf, size_t len)
{
	if (o->file)
		snprintf(buf, len, "%s:%lu: ", o->file, o->line);
	else
		snprintf(buf, len, "running configuration: ");
}

/* pr_err() about an object, naming its line. */
void cobj_err(const struct cobj *o, const char *fmt, ...)
{
	char pos[300], msg[512];
	va_list ap;

	where(o, pos, sizeof(pos));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("%s%s", pos, msg);
}

static int addr_family_of(const struct cobj *o, int attr4, int attr6)
{
	return o->tb[attr4] ? AF_INET : o->tb[attr6] ? AF_INET6 : 0;
}

/* The text of an address attribute. */
const char *cobj_addr(const struct cobj *o, int attr4, int attr6,
		      char *buf, size_t len)
{
	if (o->tb[attr4])
		return inet_ntop(AF_INET, nla_data(o->tb[attr4]), buf, len);
	if (o->tb[attr6])
		return inet_ntop(AF_INET6, nla_data(o->tb[attr6]), buf, len);
	return "?";
}

static bool unicast4(const uint8_t *a, bool vip)
{
	return a[0] != 0 && (a[0] & 0xf0) != 0xe0 &&
	       !(a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255) &&
	       !(vip && a[0] == 127);
}

static bool unicast6(const uint8_t *a, bool vip)
{
	static const uint8_t any[16], loop[16] = { [15] = 1 };

	return memcmp(a, any, 16) && a[0] != 0xff &&
	       !(vip && !memcmp(a, loop, 16));
}

static long find_group(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n[CONF_GROUP]; i++)
		if (!strcmp(cobj_str(&c->v[CONF_GROUP][i], NLB_A_GROUP_NAME),
			    name))
			return i;
	return -1;
}

uint8_t cobj_u8(const struct cobj *o, int attr)
{
	struct nlattr *a = cobj_get(o, attr);

	return a ? nla_get_u8(a) : 0;
}

/* The host-order value of the last 32 bits of an address attribute. */
static uint32_t low32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)nla_data(a) + nla_len(a) - 4, 4);
	return ntohl(v);
}

/* The translation settings of a group line, as the kernel checks them. */
static int check_xlat(const struct cobj *o)
{
	static const int attr[2][2] = {
		{ NLB_A_GROUP_POOL4_FIRST, NLB_A_GROUP_POOL4_LAST },
		{ NLB_A_GROUP_POOL6_FIRST, NLB_A_GROUP_POOL6_LAST },
	};
	struct nlattr *a = cobj_get(o, NLB_A_GROUP_POOL_PORT_MIN);
	struct nlattr *b = cobj_get(o, NLB_A_GROUP_POOL_PORT_MAX);
	unsigned int pmin = a ? nla_get_u16(a) : 1024;
	unsigned int pmax = b ? nla_get_u16(b) : 65535;
	const struct nlattr *first, *last;
	const uint8_t *p;
	int v;

	if (pmax < pmin) {
		cobj_err(o, "pool-port-max is below pool-port-min");
		return -1;
	}
	a = cobj_get(o, NLB_A_GROUP_PREFIX6);
	if (a) {
		p = nla_data(a);
		if (low32(a) || p[0] == 0xff) {
			cobj_err(o, "prefix6 is a unicast /96: its last 32 bits are zero");
			return -1;
		}
	}
	for (v = 0; v < 2; v++) {
		first = o->tb[attr[v][0]];
		last = o->tb[attr[v][1]];
		if (!first) {
			if (last) {
				cobj_err(o, "pool-last %s without its pool",
					 v ? "(IPv6)" : "(IPv4)");
				return -1;
			}
			continue;
		}
		p = nla_data(first);
		if (!(v ? unicast6(p, true) : unicast4(p, true))) {
			cobj_err(o, "a source pool's addresses must be unicast, non-loopback addresses");
			return -1;
		}
		if (!last)
			last = first;
		p = nla_data(last);
		if (!(v ? unicast6(p, true) : unicast4(p, true))) {
			cobj_err(o, "a source pool's addresses must be unicast, non-loopback addresses");
			return -1;
		}
		if (v && memcmp(nla_data(first), nla_data(last), 12)) {
			cobj_err(o, "an IPv6 source pool's first and last addresses may differ in their last 32 bits only");
			return -1;
		}
		if (low32(last) < low32(first)) {
			cobj_err(o, "a source pool's last address is before its first");
			return -1;
		}
		if ((uint64_t)(low32(last) - low32(first) + 1) *
		    (pmax - pmin + 1) > 1 << 20) {
			cobj_err(o, "a source pool has at most 1048576 addresses times ports");
			return -1;
		}
	}
	if (cobj_u8(o, NLB_A_GROUP_SRC6) == NLB_XLAT_SRC6_POOL &&
	    !o->tb[NLB_A_GROUP_POOL6_FIRST]) {
		cobj_err(o, "src6 pool needs an IPv6 source pool (pool ADDRESS)");
		return -1;
	}
	return 0;
}

/*
 * Check a configuration read from files for what the kernel would refuse
 * (see "Rules enforced when configuring" in the design), so that apply
 * changes nothing when a line is wrong. Returns 0 or EXIT_USAGE.
 */
int conf_check(const struct conf *c)
{
	const struct cobj *o, *p, *g;
	size_t i, j;
	long gi;
	int k, fam;
	char buf[INET6_ADDRSTRLEN];
	const char *vip;

	for (k = 0; k < CONF_NKINDS; k++) {
		for (i = 0; i < c->n[k]; i++) {
			o = &c->v[k][i];
			for (j = 0; j < i; j++) {
				p = &c->v[k][j];
				if (!cobj_same(o, p))
					continue;
				if (p->file)
					cobj_err(o, "this %s is already defined at line %lu",
						 ctypes[k].name, p->line);
				else
					cobj_err(o, "this %s is already defined",
						 ctypes[k].name);
				return EXIT_USAGE;
			}
		}
	}
	for (i = 0; i < c->n[CONF_GROUP]; i++) {
		o = &c->v[CONF_GROUP][i];
		if (check_xlat(o))
			return EXIT_USAGE;
		if (cobj_u8(o, NLB_A_GROUP_SCHED) == NLB_SCHED_WLC &&
		    !cobj_u8(o, NLB_A_GROUP_TRACK)) {
			cobj_err(o, "the wlc scheduler needs track on");
			return EXIT_USAGE;
		}
		if (cobj_u8(o, NLB_A_GROUP_OFFLOAD) &&
		    cobj_u8(o, NLB_A_GROUP_TRACK)) {
			cobj_err(o, "offload on needs track off (and so not wlc)");
			return EXIT_USAGE;
		}
	}
	for (i = 0; i < c->n[CONF_BACKEND]; i++) {
		o = &c->v[CONF_BACKEND][i];
		gi = find_group(c, cobj_str(o, NLB_A_BACKEND_GROUP));
		if (gi < 0) {
			cobj_err(o, "no group '%s' in the configuration",
				 cobj_str(o, NLB_A_BACKEND_GROUP));
			return EXIT_USAGE;
		}
		g = &c->v[CONF_GROUP][gi];
		fam = addr_family_of(o, NLB_A_BACKEND_ADDR4,
				     NLB_A_BACKEND_ADDR6);
		if (fam == AF_INET6 &&
		    cobj_u8(g, NLB_A_GROUP_IPVERSION) == NLB_IPVERSION_IPV4) {
			cobj_err(o, "group '%s' is ipv4: an IPv6 backend needs a dualstack group",
				 cobj_str(g, NLB_A_GROUP_NAME));
			return EXIT_USAGE;
		}
		if (!(fam == AF_INET ?
		      unicast4(nla_data(o->tb[NLB_A_BACKEND_ADDR4]), false) :
		      unicast6(nla_data(o->tb[NLB_A_BACKEND_ADDR6]), false))) {
			cobj_err(o, "a backend address must be a unicast address");
			return EXIT_USAGE;
		}
		if (fam == AF_INET &&
		    cobj_u8(g, NLB_A_GROUP_AFFINITY) != NLB_AFFINITY_ON &&
		    !g->tb[NLB_A_GROUP_POOL4_FIRST]) {
			cobj_err(o, "group '%s' has affinity %s: its IPv4 backends need an IPv4 source pool (pool ADDRESS), which IPv6 clients reach them from",
				 cobj_str(g, NLB_A_GROUP_NAME),
				 cobj_u8(g, NLB_A_GROUP_AFFINITY) ==
				 NLB_AFFINITY_OFF ? "off" : "prefer");
			return EXIT_USAGE;
		}
	}
	for (i = 0; i < c->n[CONF_LISTENER]; i++) {
		o = &c->v[CONF_LISTENER][i];
		gi = find_group(c, cobj_str(o, NLB_A_LISTENER_GROUP));
		if (gi < 0) {
			cobj_err(o, "no group '%s' in the configuration",
				 cobj_str(o, NLB_A_LISTENER_GROUP));
			return EXIT_USAGE;
		}
		if ((o->tb[NLB_A_LISTENER_VIP4] &&
		     !unicast4(nla_data(o->tb[NLB_A_LISTENER_VIP4]), true)) ||
		    (o->tb[NLB_A_LISTENER_VIP6] &&
		     !unicast6(nla_data(o->tb[NLB_A_LISTENER_VIP6]), true))) {
			cobj_err(o, "a VIP must be a unicast, non-loopback address");
			return EXIT_USAGE;
		}
		for (j = 0; j < i; j++) {
			p = &c->v[CONF_LISTENER][j];
			if (!attr_eq(cobj_get(o, NLB_A_LISTENER_PROTO),
				     cobj_get(p, NLB_A_LISTENER_PROTO)) ||
			    !attr_eq(cobj_get(o, NLB_A_LISTENER_PORT),
				     cobj_get(p, NLB_A_LISTENER_PORT)))
				continue;
			vip = NULL;
			if (o->tb[NLB_A_LISTENER_VIP4] &&
			    attr_eq(o->tb[NLB_A_LISTENER_VIP4],
				    p->tb[NLB_A_LISTENER_VIP4]))
				vip = inet_ntop(AF_INET,
						nla_data(o->tb[NLB_A_LISTENER_VIP4]),
						buf, sizeof(buf));
			else if (o->tb[NLB_A_LISTENER_VIP6] &&
				 attr_eq(o->tb[NLB_A_LISTENER_VIP6],
					 p->tb[NLB_A_LISTENER_VIP6]))
				vip = inet_ntop(AF_INET6,
						nla_data(o->tb[NLB_A_LISTENER_VIP6]),
						buf, sizeof(buf));
			if (vip) {
				cobj_err(o, "listener '%s' has the same VIP %s, protocol and port",
					 cobj_str(p, NLB_A_LISTENER_NAME), vip);
				return EXIT_USAGE;
			}
		}
	}
	return 0;
}
