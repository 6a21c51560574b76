// SPDX-License-Identifier: GPL-2.0
/*
 * Output of reply objects, driven by their struct field tables: one text
 * line per object ("listener http vip 198.51.100.1 proto tcp ..."), the
 * counters (-s) on an indented line below, nested objects indented; or
 * JSON objects with the same fields.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "nlbadm.h"

struct opts opts;

static struct {
	FILE *f;
	int objs;	/* objects open: text indentation */
	bool line;	/* a text line is open */
	bool space;	/* the next text word needs a space first */
} o;

const struct choice onoff_choices[] = {
	{ "on", 1 },
	{ "off", 0 },
	{ 0 }
};

/* What a notification reports. */
const struct choice event_choices[] = {
	{ "add", NLB_EVENT_ADD },
	{ "change", NLB_EVENT_CHANGE },
	{ "del", NLB_EVENT_DEL },
	{ "drained", NLB_EVENT_DRAINED },
	{ "failed", NLB_EVENT_FAILED },
	{ 0 }
};

static const struct field stats_fields[] = {
	FIELD(NLB_A_STATS_CONNS, FIELD_U64, "conns", "conns"),
	FIELD(NLB_A_STATS_ACTIVE, FIELD_U64, "active", "active"),
	FIELD(NLB_A_STATS_IN_PACKETS, FIELD_U64, "in_packets", "in-packets"),
	FIELD(NLB_A_STATS_IN_BYTES, FIELD_U64, "in_bytes", "in-bytes"),
	FIELD(NLB_A_STATS_OUT_PACKETS, FIELD_U64, "out_packets",
	      "out-packets"),
	FIELD(NLB_A_STATS_OUT_BYTES, FIELD_U64, "out_bytes", "out-bytes"),
	FIELD(NLB_A_STATS_DROP_NO_BACKEND, FIELD_U64, "drop_no_backend",
	      "drop-no-backend"),
	FIELD(NLB_A_STATS_DROP_ERROR, FIELD_U64, "drop_error", "drop-error"),
	FIELD(NLB_A_STATS_PERSISTED, FIELD_U64, "persisted", "persisted"),
	FIELD(NLB_A_STATS_FAILOPEN, FIELD_U64, "failopen", "failopen"),
	FIELD(NLB_A_STATS_DRAINED, FIELD_U64, "drained", "drained"),
	FIELD(NLB_A_STATS_TRANSLATED, FIELD_U64, "translated", "translated"),
	FIELD(NLB_A_STATS_FAILOVER_FAMILY, FIELD_U64, "failover_family",
	      "failover-family"),
	FIELD(NLB_A_STATS_DROP_POOL, FIELD_U64, "drop_pool", "drop-pool"),
	FIELD(NLB_A_STATS_PROXIED, FIELD_U64, "proxied", "proxied"),
	FIELD(NLB_A_STATS_FAIL_RESET, FIELD_U64, "fail_reset", "fail-reset"),
	FIELD(NLB_A_STATS_FAIL_TIMEOUT, FIELD_U64, "fail_timeout",
	      "fail-timeout"),
	{ 0 }
};

static const struct object stats_obj = {
	.name = "stats",
	.maxattr = NLB_A_STATS_MAX,
	.fields = stats_fields,
};

void out_init(FILE *f)
{
	o.f = f;
	o.objs = 0;
	o.line = false;
	json_init(f, opts.pretty);
}

static void text_line(void)
{
	if (o.line)
		fputc('\n', o.f);
	fprintf(o.f, "%*s", 4 * o.objs, "");
	o.line = true;
	o.space = false;
}

static void text_word(const char *w)
{
	fprintf(o.f, "%s%s", o.space ? " " : "", w);
	o.space = true;
}

/* A field: JSON "key": val (a string when quoted), text "label val". */
static void put(const struct field *f, const char *val, bool quoted)
{
	if (opts.json) {
		if (quoted)
			json_str(f->key, val);
		else
			json_raw(f->key, val);
		return;
	}
	if (f->label)
		text_word(f->label);
	text_word(val);
}

static void policy(const struct object *ob, struct nla_policy *pol)
{
	static const struct nla_policy kinds[] = {
		[FIELD_STR] = { .type = NLA_STRING },
		[FIELD_ADDR4] = { .type = NLA_U32 },
		[FIELD_ADDR6] = { .minlen = 16, .maxlen = 16 },
		[FIELD_U8] = { .type = NLA_U8 },
		[FIELD_U16] = { .type = NLA_U16 },
		[FIELD_U32] = { .type = NLA_U32 },
		[FIELD_U64] = { .type = NLA_U64 },
		[FIELD_BOOL] = { .type = NLA_U8 },
		[FIELD_FLAG] = { .type = NLA_U8 },
		[FIELD_ENUM] = { .type = NLA_U8 },
		[FIELD_STATS] = { .type = NLA_NESTED },
		[FIELD_NEST] = { .type = NLA_NESTED },
		[FIELD_INLINE] = { .type = NLA_NESTED },
		[FIELD_QSTR] = { .type = NLA_STRING },
		[FIELD_TEXT] = { .type = NLA_UNSPEC },
		[FIELD_MSEC] = { .type = NLA_U32 },
		[FIELD_AGE] = { .type = NLA_U64 },
		[FIELD_PCT] = { .type = NLA_U8 },
	};
	const struct field *f;

	for (f = ob->fields; f->attr; f++)
		pol[f->attr] = kinds[f->kind];
	for (f = ob->event; f && f->attr; f++)
		pol[f->attr] = kinds[f->kind];
}

/* An integer attribute of any size is not 0. */
static bool nonzero(const struct nlattr *a)
{
	const unsigned char *p = nla_data(a);
	int i;

	for (i = 0; i < nla_len(a); i++)
		if (p[i])
			return true;
	return false;
}

static void put_fields(const struct field *f, struct nlattr **tb,
		       struct nlattr **parent);

/*
 * A nest of the fields of @ob: FIELD_STATS and FIELD_NEST with -s only, in
 * text a line of their own that starts with the field's label (or none);
 * FIELD_INLINE inline. In JSON an object under the field's key.
 */
static void put_nest(const struct field *f, const struct object *ob,
		     struct nlattr *nest, struct nlattr **parent)
{
	struct nla_policy pol[NLB_ATTR_MAX + 1] = { { 0 } };
	struct nlattr *tb[NLB_ATTR_MAX + 1];
	bool line = f->kind != FIELD_INLINE;

	policy(ob, pol);
	if ((line && !opts.stats) ||
	    nla_parse_nested(tb, ob->maxattr, nest, pol) < 0)
		return;
	if (opts.json) {
		json_begin('{', f->key);
	} else if (line) {
		text_line();
		if (f->label)
			text_word(f->label);
	}
	put_fields(ob->fields, tb, parent);
	if (opts.json)
		json_end('{');
}

/* "5s", "1.5s", "200ms" */
void fmt_msec(char *buf, size_t len, uint32_t ms)
{
	int n;

	if (ms < 1000 && ms)
		snprintf(buf, len, "%ums", ms);
	else if (!(ms % 1000))
		snprintf(buf, len, "%us", ms / 1000);
	else {
		n = snprintf(buf, len, "%u.%03u", ms / 1000, ms % 1000);
		while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
			buf[--n] = '\0';
		snprintf(buf + n, len - n, "s");
	}
}

/* Bytes as text if printable (and not "0x..."), else 0x and hex. */
void fmt_text(char *buf, size_t len, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < ' ' || p[i] > '~')
			break;
	if (i == n && !(n > 1 && p[0] == '0' && p[1] == 'x') && n < len) {
		memcpy(buf, p, n);
		buf[n] = '\0';
		return;
	}
	buf[0] = '\0';
	if (len < 3)
		return;
	strcpy(buf, "0x");
	for (i = 0; i < n && 2 + 2 * i + 2 < len; i++)
		snprintf(buf + 2 + 2 * i, 3, "%02x", p[i]);
}

/* A string in text: quoted when empty or when it has blanks or quotes. */
static void put_qstr(const struct field *f, const char *s)
{
	char buf[1100];

	if (opts.json || (*s && !strpbrk(s, " \t\"'"))) {
		put(f, s, true);
		return;
	}
	snprintf(buf, sizeof(buf), "\"%s\"", s);
	put(f, buf, false);
}

/* "12s ago", "0.4s ago": milliseconds since the epoch, against now. */
static void put_age(const struct field *f, uint64_t ms)
{
	struct timespec ts;
	char buf[64];
	int64_t d;

	if (opts.json) {
		snprintf(buf, sizeof(buf), "%" PRIu64, ms);
		put(f, buf, false);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	d = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - (int64_t)ms;
	if (d < 0)
		d = 0;
	if (d < 10000)
		snprintf(buf, sizeof(buf), "%d.%ds ago", (int)(d / 1000),
			 (int)(d % 1000 / 100));
	else
		snprintf(buf, sizeof(buf), "%" PRId64 "s ago", d / 1000);
	put(f, buf, false);
}

/* Whether text shows field f of an object (or nest) tb. */
static bool text_shows(const struct field *f, struct nlattr **tb,
		       struct nlattr **parent)
{
	struct nlattr **t = f->text_if_parent ? parent : tb;
	struct nlattr *k;

	if (opts.json)
		return true;
	if (f->text_if && !(t && t[f->text_if] && nonzero(t[f->text_if])))
		return false;
	if (f->text_mask) {
		k = tb[f->text_key];
		if (!k || nla_len(k) < 1 || *(uint8_t *)nla_data(k) >= 32 ||
		    !(f->text_mask & 1u << *(uint8_t *)nla_data(k)))
			return false;
	}
	if (f->kind == FIELD_PCT && nla_get_u8(tb[f->attr]) == 100)
		return false;
	return true;
}

static void put_fields(const struct field *f, struct nlattr **tb,
		       struct nlattr **parent)
{
	char buf[1100];
	const char *name;
	struct nlattr *a;

	for (; f->attr; f++) {
		a = tb[f->attr];
		if (!a || !text_shows(f, tb, parent))
			continue;
		switch (f->kind) {
		case FIELD_STR:
			put(f, nla_get_string(a), true);
			break;
		case FIELD_QSTR:
			put_qstr(f, nla_get_string(a));
			break;
		case FIELD_TEXT:
			fmt_text(buf, sizeof(buf), nla_data(a), nla_len(a));
			if (opts.json)
				put(f, buf, true);
			else
				put_qstr(f, buf);
			break;
		case FIELD_MSEC:
			if (opts.json)
				snprintf(buf, sizeof(buf), "%u", nla_get_u32(a));
			else
				fmt_msec(buf, sizeof(buf), nla_get_u32(a));
			put(f, buf, false);
			break;
		case FIELD_AGE:
			put_age(f, nla_get_u64(a));
			break;
		case FIELD_PCT:
			snprintf(buf, sizeof(buf), opts.json ? "%u" : "%u%%",
				 nla_get_u8(a));
			put(f, buf, false);
			break;
		case FIELD_INLINE:
			put_nest(f, f->sub, a, tb);
			break;
		case FIELD_ADDR4:
			put(f, inet_ntop(AF_INET, nla_data(a), buf,
					 sizeof(buf)), true);
			break;
		case FIELD_ADDR6:
			put(f, inet_ntop(AF_INET6, nla_data(a), buf,
					 sizeof(buf)), true);
			break;
		case FIELD_U8:
			snprintf(buf, sizeof(buf), "%u", nla_get_u8(a));
			put(f, buf, false);
			break;
		case FIELD_U16:
			snprintf(buf, sizeof(buf), "%u", nla_get_u16(a));
			put(f, buf, false);
			break;
		case FIELD_U32:
			snprintf(buf, sizeof(buf), "%u", nla_get_u32(a));
			put(f, buf, false);
			break;
		case FIELD_U64:
			snprintf(buf, sizeof(buf), "%" PRIu64,
				 (uint64_t)nla_get_u64(a));
			put(f, buf, false);
			break;
		case FIELD_BOOL:
			if (opts.json)
				put(f, nla_get_u8(a) ? "true" : "false", false);
			else
				put(f, choice_name(f->choices ? f->choices :
						   onoff_choices, !!nla_get_u8(a)), false);
			break;
		case FIELD_FLAG:
			if (opts.json)
				put(f, nla_get_u8(a) ? "true" : "false", false);
			else if (nla_get_u8(a))
				text_word(f->label);
			break;
		case FIELD_ENUM:
			name = choice_name(f->choices, nla_get_u8(a));
			if (name) {
				put(f, name, true);
			} else {
				snprintf(buf, sizeof(buf), "%u",
					 nla_get_u8(a));
				put(f, buf, false);
			}
			break;
		case FIELD_STATS:
			put_nest(f, &stats_obj, a, tb);
			break;
		case FIELD_NEST:
			put_nest(f, f->sub, a, tb);
			break;
		}
	}
}

/* JSON key (the attribute's name) of a field, for error messages. */
const char *obj_attr_name(const struct object *ob, int attr)
{
	const struct field *f;

	for (f = ob->fields; f->attr; f++)
		if (f->attr == attr)
			return f->key;
	for (f = ob->event; f && f->attr; f++)
		if (f->attr == attr)
			return f->key;
	return NULL;
}

/*
 * Parse a reply; attributes this version does not know are skipped.
 * Returns 0, or -1 after a warning.
 */
int obj_parse(const struct object *ob, struct nl_msg *m, struct nlattr **tb)
{
	struct nla_policy pol[NLB_ATTR_MAX + 1] = { { 0 } };

	policy(ob, pol);
	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, ob->maxattr, pol) < 0) {
		pr_err("skipping a malformed %s reply", ob->name);
		return -1;
	}
	return 0;
}

/*
 * An object; in a notification (event) its event first; in JSON under
 * key in a map, or without one in a list.
 */
static void obj_begin(const struct object *ob, struct nlattr **tb,
		      bool event, const char *key)
{
	if (opts.json) {
		json_begin('{', key);
		if (event) {
			put_fields(ob->event, tb, NULL);
			json_str("object", ob->name);
		}
	} else {
		text_line();
		if (event)
			put_fields(ob->event, tb, NULL);
		text_word(ob->name);
	}
	o.objs++;
	put_fields(ob->fields, tb, NULL);
}

void out_obj_begin(const struct object *ob, struct nlattr **tb)
{
	obj_begin(ob, tb, false, NULL);
}

void out_obj_end(void)
{
	o.objs--;
	if (opts.json)
		json_end('{');
}

void obj_print(const struct object *ob, struct nl_msg *m)
{
	obj_print_key(ob, m, NULL);
}

/* An object that is the value of key in the JSON map (NULL: in a list). */
void obj_print_key(const struct object *ob, struct nl_msg *m, const char *key)
{
	struct nlattr *tb[NLB_ATTR_MAX + 1];

	if (obj_parse(ob, m, tb))
		return;
	obj_begin(ob, tb, false, key);
	out_obj_end();
}

/* Lists and the top-level map exist in JSON only. */
void out_list_begin(const char *key)
{
	if (opts.json)
		json_begin('[', key);
}

void out_list_end(void)
{
	if (opts.json)
		json_end('[');
}

void out_map_begin(void)
{
	if (opts.json)
		json_begin('{', NULL);
}

void out_map_end(void)
{
	if (opts.json)
		json_end('{');
}

void out_objects(const char *key, const struct object *ob,
		 const struct msg_list *l)
{
	size_t i;

	out_list_begin(key);
	for (i = 0; i < l->n; i++)
		obj_print(ob, l->v[i]);
	out_list_end();
}

/*
 * A notification, on a line of its own: text "EVENT OBJECT ..." (the
 * object as show prints it), JSON {"event": ..., "object": ..., ...}.
 */
void out_event(const struct object *ob, struct nlattr **tb)
{
	obj_begin(ob, tb, true, NULL);
	out_obj_end();
	out_finish();
}

/* End of the document. */
void out_finish(void)
{
	if (opts.json)
		json_finish();
	else if (o.line)
		fputc('\n', o.f);
	o.line = false;
	fflush(o.f);
}
