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
/* Largest attribute type of the listener, group, backend and info sets. */
#define NLB_ATTR_MAX	MAX4(NLB_A_LISTENER_MAX, NLB_A_GROUP_MAX, \
			     NLB_A_BACKEND_MAX, NLB_A_INFO_MAX)
/* Largest attribute type of a nested set (stats, health). */
#define NLB_NEST_MAX	MAX2(NLB_A_STATS_MAX, NLB_A_HEALTH_MAX)
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
	ARG_STR,	/* 1 to max printable characters: string attribute */
	ARG_TEXT,	/* 0 to max bytes, text or 0xHEX: binary attribute */
	ARG_MSEC,	/* duration (5, 1.5s, 200ms) in [min, max] ms: u32 */
};

#define ARG_POSITIONAL	0x01	/* no keyword: taken in table order */
#define ARG_REQUIRED	0x02	/* must be given */
#define ARG_PER_FAMILY	0x04	/* ARG_ADDR: once per address family */
#define ARG_DUMP_KEY	0x08	/* show: dump all when absent */
#define ARG_LOOKUP	0x10	/* names the object, is not a change */

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
	FIELD_NEST,	/* nest of the fields of sub, text inline */
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
	const struct object *sub;	/* FIELD_NEST */
};

#define FIELD(a, k, j, t)	{ .attr = (a), .kind = (k), .key = (j), \
				  .label = (t) }
#define FIELD_CHOICE(a, j, t, c) { .attr = (a), .kind = FIELD_ENUM, \
				  .key = (j), .label = (t), .choices = (c) }
#define FIELD_WORDS(a, j, t, c)	{ .attr = (a), .kind = FIELD_BOOL, \
				  .key = (j), .label = (t), .choices = (c) }
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

extern const struct object listener_obj, group_obj, backend_obj, info_obj;
extern const struct object health_obj;
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
	/* not a generic request: run this instead, with the arguments */
	int (*run)(const struct arg_val *vals);
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

/* ---- batch.c: -b FILE ---- */

/* Words a batch line may have, more than any valid command needs. */
#define BATCH_MAX_WORDS	64

int batch_split(char *line, char **argv, int max);
int batch_run(FILE *f, const char *name, bool force);
int batch_main(const char *path, bool force);

/* ---- show.c, flush.c, monitor.c, info.c ---- */

int show_all(const struct arg_val *vals);
int info_get(bool fresh, struct msg_list *replies);
int info_show(const struct arg_val *vals);
int flush_all(const struct arg_val *vals);
int monitor_run(const struct arg_val *vals);
int monitor_print(struct nl_msg *msg);

#endif /* NLBADM_H */
