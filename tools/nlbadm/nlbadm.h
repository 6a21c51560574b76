/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlbadm: configuration tool of the nlb load balancer.
 *
 * Objects (listener, group, backend) are described by tables: the
 * arguments each command accepts (struct arg_spec, mapped one to one onto
 * the netlink attributes the kernel's per-op policy lists) and the
 * attributes a reply carries (struct field). The generic code in cmd.c,
 * args.c and output.c does the parsing, request building and printing.
 */
#ifndef NLBADM_H
#define NLBADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <netlink/msg.h>

#include "linux/nlb.h"

#define PROG_NAME	"nlbadm"

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_USAGE	1
#define EXIT_KERNEL	2

#define MAX2(a, b)	((int)(a) > (int)(b) ? (int)(a) : (int)(b))
#define MAX4(a, b, c, d)	MAX2(MAX2(a, b), MAX2(c, d))
/* Largest attribute type of the sets replies hold. */
#define NLB_ATTR_MAX	MAX2(MAX4(NLB_A_LISTENER_MAX, NLB_A_GROUP_MAX, \
				  NLB_A_BACKEND_MAX, NLB_A_INFO_MAX), \
			     MAX4(NLB_A_STATS_MAX, NLB_A_XLAT_DROPS_MAX, \
				  NLB_A_HEALTH_MAX, 0))
/* More than the arguments any command takes (a unit test checks). */
#define MAX_ARGS	32

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A keyword value and the number it stands for (enums, on/off). */
struct choice {
	const char *name;
	unsigned int value;
};

/* Global options. */
struct opts {
	bool json;
	bool stats;
	bool pretty;
	bool dry_run;
};
extern struct opts opts;

/* Replies of a request, kept until printed. */
struct msg_list {
	struct nl_msg **v;
	size_t n, cap;
};

/* ---- args.c: command line arguments ---- */

enum arg_kind {
	ARG_NAME,	/* listener or group name: string attribute */
	ARG_ADDR,	/* IPv4 (be32 attribute) or IPv6 (16 bytes) address */
	ARG_CHOICE,	/* keyword from a struct choice table: u8 attribute */
	ARG_U8,		/* decimal number in [min, max]: u8 attribute */
	ARG_U16,	/* decimal number in [min, max]: u16 attribute */
	ARG_U32,	/* decimal number in [min, max]: u32 attribute */
	ARG_STR,	/* 1 (ARG_EMPTY: 0) to max printable characters: string */
	ARG_TEXT,	/* 0 to max bytes, text or 0xHEX: binary attribute */
	ARG_MSEC,	/* duration (5, 1.5s, 200ms) in [min, max] ms: u32 */
};

#define ARG_POSITIONAL	0x01	/* no keyword: taken in table order */
#define ARG_REQUIRED	0x02	/* must be given */
#define ARG_PER_FAMILY	0x04	/* ARG_ADDR: once per address family */
#define ARG_DUMP_KEY	0x08	/* show: dump all when absent */
#define ARG_LOOKUP	0x10	/* names the object, is not a change */
/* apply: runtime state (e.g. health), compared only when the file says */
#define ARG_RUNTIME	0x20
/* apply: cannot change (delete and add again); ARG_POSITIONAL are too */
#define ARG_FIXED	0x40
/*
 * ARG_ADDR of a change command: 0.0.0.0 or :: removes the address; apply
 * sends that for an address the file does not give.
 */
#define ARG_CLEAR	0x80
/*
 * ARG_ADDR: the last address of a range whose first is the argument
 * before it in the table: by default the first (given equal to it, it is
 * as not given), and apply sends the two together.
 */
#define ARG_LAST	0x100
#define ARG_EMPTY	0x200	/* ARG_STR: may be empty */

struct arg_spec {
	/* keyword, or placeholder (e.g. "GROUP") of a positional argument */
	const char *name;
	enum arg_kind kind;
	unsigned int flags;
	int attr;		/* attribute (ARG_ADDR: IPv4 address) */
	int attr6;		/* ARG_ADDR: attribute of an IPv6 address */
	/* ARG_U8, ARG_U16, ARG_U32, ARG_MSEC; ARG_STR, ARG_TEXT: max length */
	unsigned long min, max;
	const struct choice *choices;	/* ARG_CHOICE */
	int nest;		/* attribute of the nest it goes in, or 0 */
	/* the kernel's default as a command line word, for apply */
	const char *dflt;
};

struct arg_val {
	unsigned int count;	/* times given */
	const char *str;
	uint32_t num;
	bool has4, has6;
	struct in_addr v4;
	struct in6_addr v6;
};

int args_parse(const struct arg_spec *specs, int argc, char **argv,
	       struct arg_val *vals);
int arg_value(const struct arg_spec *s, const char *str, struct arg_val *v);
void args_put(struct nl_msg *msg, const struct arg_spec *specs,
	      const struct arg_val *vals);
const char *choice_name(const struct choice *c, unsigned int value);

/* ---- output.c: text and JSON output of reply objects ---- */

enum field_kind {
	FIELD_STR,
	FIELD_ADDR4,	/* be32 */
	FIELD_ADDR6,	/* 16 bytes */
	FIELD_U8,
	FIELD_U16,
	FIELD_U32,
	FIELD_U64,
	FIELD_BOOL,	/* u8, text on/off (or choices), JSON true/false */
	FIELD_FLAG,	/* u8, text the label if set, JSON true/false */
	FIELD_ENUM,	/* u8 printed by name from a choice table */
	FIELD_STATS,	/* nest of NLB_A_STATS_*, printed with -s only */
	FIELD_NEST,	/* nest of counters (.sub), printed with -s only */
	FIELD_INLINE,	/* nest of the fields of sub, text inline */
	FIELD_QSTR,	/* string, quoted in text when empty or with blanks */
	FIELD_TEXT,	/* binary, as text if printable, else 0xHEX */
	FIELD_MSEC,	/* u32 milliseconds, text 5s, 1.5s or 200ms */
	FIELD_AGE,	/* u64 ms since the epoch, text "12s ago" */
	FIELD_PCT,	/* u8 percentage, text N% and only when not 100 */
};

struct object;

struct field {
	int attr;
	enum field_kind kind;
	const char *key;	/* JSON key */
	const char *label;	/* text keyword, NULL to print the bare value */
	/* FIELD_ENUM; FIELD_BOOL: text words of 1 and 0 instead of on/off */
	const struct choice *choices;
	/* text only: print only if this attribute is present and not 0 */
	int text_if;
	bool text_if_parent;	/* text_if is an attribute of the parent */
	/* text only, if text_mask: print only if bit (value of the u8
	 * attribute text_key) is set in text_mask */
	int text_key;
	unsigned int text_mask;
	/* FIELD_NEST, FIELD_INLINE: the nest's attributes */
	const struct object *sub;
};

#define FIELD(a, k, j, t)	{ .attr = (a), .kind = (k), .key = (j), \
				  .label = (t) }
#define FIELD_CHOICE(a, j, t, c) { .attr = (a), .kind = FIELD_ENUM, \
				  .key = (j), .label = (t), .choices = (c) }
#define FIELD_WORDS(a, j, t, c)	{ .attr = (a), .kind = FIELD_BOOL, \
				  .key = (j), .label = (t), .choices = (c) }
#define FIELD_NEST(a, j, t, s)	{ .attr = (a), .kind = FIELD_NEST, \
				  .key = (j), .label = (t), .sub = (s) }
#define FIELD_IF(a, k, j, t, i)	{ .attr = (a), .kind = (k), .key = (j), \
				  .label = (t), .text_if = (i) }
/* A field of a nest of which text shows only some (text_key, mask). */
#define FIELD_MASK(a, k, j, t, tk, m) { .attr = (a), .kind = (k), \
				  .key = (j), .label = (t), .text_key = (tk), \
				  .text_mask = (m) }

/* An object type as it appears in replies. */
struct object {
	const char *name;	/* first word of its text line */
	int maxattr;
	const struct field *fields;	/* terminated by a zero attr */
	/* its event attribute in notifications (one field, terminated) */
	const struct field *event;
};

extern const struct object listener_obj, group_obj, backend_obj, info_obj,
	xlat_drops_obj, health_obj;
extern const struct choice onoff_choices[], event_choices[];

void out_init(FILE *f);
void out_list_begin(const char *key);
void out_list_end(void);
void out_map_begin(void);
void out_map_end(void);
void out_obj_begin(const struct object *o, struct nlattr **tb);
void out_obj_end(void);
void out_finish(void);
int obj_parse(const struct object *o, struct nl_msg *m, struct nlattr **tb);
void obj_print(const struct object *o, struct nl_msg *m);
void obj_print_key(const struct object *o, struct nl_msg *m, const char *key);
void out_objects(const char *key, const struct object *o,
		 const struct msg_list *l);
void out_event(const struct object *o, struct nlattr **tb);
const char *obj_attr_name(const struct object *o, int attr);
void fmt_msec(char *buf, size_t len, uint32_t ms);
void fmt_text(char *buf, size_t len, const unsigned char *p, size_t n);
int parse_text(const char *s, unsigned char *out, size_t max);

/* ---- json.c: JSON writer ---- */

void json_init(FILE *f, bool pretty);
void json_begin(char bracket, const char *key);
void json_end(char bracket);
void json_str(const char *key, const char *s);
void json_raw(const char *key, const char *literal);
void json_finish(void);
void json_escape(FILE *f, const char *s);

/* ---- nl.c: generic netlink ---- */

int nl_try_open(void);
void nl_shut(void);
const char *nl_error(void);
struct nl_msg *nl_req(uint8_t cmd, bool dump);
struct nl_msg *nl_req_size(uint8_t cmd, bool dump, size_t size);
extern long nl_err_offset;
int nl_exec(struct nl_msg *req, struct msg_list *replies);
int nl_report(void);
int nl_run(struct nl_msg *req, struct msg_list *replies);
void msg_list_free(struct msg_list *l);
void nl_put_fail(void) __attribute__((noreturn));
int nl_msg_error(struct nlmsghdr *nlh, struct nlmsghdr *req,
		 char *buf, size_t len);
void nl_join(const char *group);
int nl_receive(int (*func)(struct nl_msg *msg));

/* ---- cmd.c: dispatching ---- */

struct cmd {
	const char *name;	/* "add" */
	const char *alias;	/* another name of the command, or NULL */
	const char *usage;	/* arguments, for the usage text */
	uint8_t nlcmd;		/* NLB_CMD_*: a generic request */
	const struct arg_spec *args;
	const struct object *show;	/* print the replies as these */
	/* at least one keyword argument that is not ARG_LOOKUP */
	bool need_option;
	/* arguments that depend on each other: an error message, or NULL */
	const char *(*check)(const struct arg_val *vals);
	/* not a generic request: run this instead, with the arguments */
	int (*run)(const struct arg_val *vals);
	/* arguments of its own syntax: run this with them, unparsed */
	int (*main)(int argc, char **argv);
	/* cannot be used in a batch file */
	bool no_batch;
};

/* An OBJECT of the command line and its commands. */
struct cmd_group {
	const char *name;	/* NULL: commands without an object */
	const struct cmd *cmds;	/* terminated by a NULL name */
};

extern const struct cmd listener_cmds[], group_cmds[], backend_cmds[];
/* commands without an object; the objects, terminated by a NULL name */
extern const struct cmd_group cmd_top, cmd_objects[];

const struct cmd *cmd_find(const struct cmd_group *g, const char *name);
int cmd_parse(const struct cmd *c, int argc, char **argv,
	      struct arg_val *vals);
int cmd_dispatch(const struct cmd_group *g, int argc, char **argv);
int cmd_line(int argc, char **argv);
int cmd_exec(const struct cmd_group *g, const struct cmd *c,
	     int argc, char **argv);
void cmd_usage(FILE *f, const struct cmd_group *g, const struct cmd *c);
int usage_hint(const struct cmd_group *g, const struct cmd *c);
extern const char *batch_file;
extern unsigned long batch_line;
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_more(void);
int usage_cmd(const char *name);

/* ---- batch.c: -b FILE ---- */

/* Words a batch line may have, more than any valid command needs. */
#define BATCH_MAX_WORDS	128

int batch_split(char *line, char **argv, int max);
int batch_run(FILE *f, const char *name, bool force);
int batch_main(const char *path, bool force);

/* ---- conf.c: a whole configuration, for save, apply and import ---- */

enum { CONF_GROUP, CONF_BACKEND, CONF_LISTENER, CONF_NKINDS };

/* An object type of a configuration. */
/*
 * In a conf object's attribute table the group's health nest follows the
 * group's own attributes: slot CONF_HEALTH_BASE + NLB_A_HEALTH_*. Slots are
 * bits of a change's 64-bit attribute set.
 */
#define CONF_HEALTH_BASE	(NLB_A_GROUP_MAX + 1)
#define CONF_TB_MAX	MAX2(NLB_ATTR_MAX, CONF_HEALTH_BASE + NLB_A_HEALTH_MAX)
_Static_assert(CONF_TB_MAX < 64, "conf slots are bits of a u64");

/* The slot of attribute attr of argument s. */
static inline int spec_slot(const struct arg_spec *s, int attr)
{
	return s->nest ? CONF_HEALTH_BASE + attr : attr;
}

struct ctype {
	const char *name;
	const struct object *ob;
	uint8_t get;
	const struct cmd *add, *change, *del;
	/* the kernel's defaults of the add command's arguments */
	struct nl_msg *dflt_msg;
	struct nlattr *dflt[CONF_TB_MAX + 1];
};
extern struct ctype ctypes[CONF_NKINDS];

/* An object: its attributes, as a reply or the request of a line has them */
struct cobj {
	int kind;
	struct nl_msg *msg;
	struct nlattr *tb[CONF_TB_MAX + 1];	/* by slot (spec_slot()) */
	const char *file;	/* read from this file, at line; or running */
	unsigned long line;
	long peer;		/* apply: the same object on the other side */
	bool draining;		/* running: a deleted backend */
};

struct conf {
	struct cobj *v[CONF_NKINDS];
	size_t n[CONF_NKINDS], cap[CONF_NKINDS];
	/* conf_read_info(): the namespace's info (census age, counts) */
	struct msg_list info;
	struct nlattr *itb[NLB_A_INFO_MAX + 1];
};

void conf_init(struct conf *c);
void conf_free(struct conf *c);
int conf_read_running(struct conf *c);
int conf_read_info(struct conf *c);
int conf_take(struct conf *c, int kind, struct nl_msg *m);
int conf_add_line(struct conf *c, int argc, char **argv);
int conf_read_file(struct conf *c, FILE *f, const char *name);
int conf_read_path(struct conf *c, const char *path);
int conf_check(const struct conf *c);
long conf_find(const struct conf *c, const struct cobj *o);
const struct arg_spec *ctype_spec(const struct ctype *t, int attr);
bool spec_is_key(const struct arg_spec *s);
struct nlattr *cobj_get(const struct cobj *o, int attr);
const char *cobj_str(const struct cobj *o, int attr);
uint8_t cobj_u8(const struct cobj *o, int attr);
const char *cobj_addr(const struct cobj *o, int attr4, int attr6,
		      char *buf, size_t len);
bool cobj_same(const struct cobj *a, const struct cobj *b);
bool attr_eq(const struct nlattr *a, const struct nlattr *b);
void cobj_print(FILE *f, const struct cobj *o, const struct cmd *c,
		const uint64_t *attrs);
void cobj_put(struct nl_msg *m, const struct cobj *o, const struct cmd *c,
	      const uint64_t *attrs, int skip);
void cobj_err(const struct cobj *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- save.c, apply.c, import.c ---- */

int save_main(int argc, char **argv);
void conf_save(FILE *f, const struct conf *c);
int apply_main(int argc, char **argv);
/* apply: replace the running configuration; import: only add to it */
enum apply_mode { APPLY_REPLACE, APPLY_MERGE };
struct plan;
struct plan *plan_make(const struct conf *running, struct conf *want,
		       enum apply_mode mode, int *status);
void plan_print(FILE *f, const struct plan *p);
size_t plan_len(const struct plan *p);
int plan_run(const struct plan *p, FILE *f);
void plan_free(struct plan *p);
int take_dry_run(int *argc, char **argv);
int import_main(int argc, char **argv);

/* ---- metrics.c, exporter.c, top.c ---- */

double now_seconds(void);
void metrics_render(FILE *f, const struct conf *c, double seconds);
int metrics_text(char **text, size_t *len);
int metrics_main(int argc, char **argv);
int exporter_main(int argc, char **argv);
int top_main(int argc, char **argv);
void top_frame(FILE *f, const struct conf *prev, const struct conf *cur,
	       double dt, double interval);

/* ---- import.c, ipvs.c, keepalived.c: services of IPVS and keepalived ---- */

/* A real server of an imported service. */
struct ireal {
	int family;
	uint8_t addr[16];
	uint16_t port;
	uint32_t weight;
	unsigned long line;
	int check_port;		/* keepalived: its checker's port, 0 its own */
	bool checked;		/* keepalived: it has a checker */
};

/* A virtual service, as IPVS has it: one address, protocol and port. */
struct isvc {
	char *file;		/* where it was defined, at line */
	unsigned long line;
	char *source;		/* the line it was defined by, for a comment */
	int family;
	uint8_t addr[16];
	uint16_t port;
	uint8_t proto;		/* NLB_PROTO_* */
	uint8_t sched;		/* NLB_SCHED_* */
	bool unweighted;	/* lc: weights do not matter (all 1) */
	uint32_t persist;
	int prefix;		/* persistence prefix length, -1 for the whole address */
	char *note;		/* a comment for the output, or NULL */
	struct ireal *reals;
	size_t nreals;
	/* health check (keepalived): HEALTH_* and its settings */
	char *health;		/* nlbadm arguments of the check, or NULL */
};

struct import {
	const char *file;	/* input name, for messages */
	const char *hosts;	/* --hosts FILE, or NULL */
	struct isvc *svcs;
	size_t nsvcs;
	int errors;		/* lines refused */
	int warnings;		/* statements not imported */
};

void imp_error(struct import *im, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void imp_warn(struct import *im, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct isvc *imp_service(struct import *im, unsigned long line,
			 const char *source);
struct isvc *imp_find(struct import *im, int family, const uint8_t *addr,
		      uint16_t port, uint8_t proto);
struct ireal *imp_real(struct import *im, struct isvc *s, unsigned long line);
int imp_sched(struct import *im, unsigned long line, const char *name,
	      struct isvc *s);
int imp_host(struct import *im, unsigned long line, const char *name,
	     int family, uint8_t *addr, int *got);
int imp_port(struct import *im, unsigned long line, const char *name,
	     uint8_t proto, uint16_t *port);
int imp_mask(struct import *im, unsigned long line, const char *mask,
	     int family, int *prefix);
void imp_name(const struct isvc *s, char *buf, size_t len);
void imp_emit(FILE *f, const struct import *im);
void imp_free(struct import *im);
int import_ipvs(struct import *im, FILE *in);
int import_keepalived(struct import *im, FILE *in);

/* ---- show.c, flush.c, monitor.c, info.c ---- */

int show_all(const struct arg_val *vals);
int info_get(bool fresh, struct msg_list *replies);
int info_show(const struct arg_val *vals);
int flush_all(const struct arg_val *vals);
int monitor_run(const struct arg_val *vals);
int monitor_print(struct nl_msg *msg);

#endif /* NLBADM_H */
