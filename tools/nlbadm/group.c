// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm group: server groups (scheduler, IP versions, affinity,
 * connection tracking, drain timeout, accounting, flowtable offload,
 * PROXY protocol).
 */
#include "nlbadm.h"

static const struct choice ipversion_choices[] = {
	{ "ipv4", NLB_IPVERSION_IPV4 },
	{ "dualstack", NLB_IPVERSION_DUALSTACK },
	{ 0 }
};

static const struct choice sched_choices[] = {
	{ "rr", NLB_SCHED_RR },
	{ "wrr", NLB_SCHED_WRR },
	{ "wlc", NLB_SCHED_WLC },
	{ "sh", NLB_SCHED_SH },
	{ "maglev", NLB_SCHED_MAGLEV },
	{ 0 }
};

static const struct choice proxy_choices[] = {
	{ "off", NLB_PROXY_OFF },
	{ "v2", NLB_PROXY_V2 },
	{ 0 }
};

static const struct field fields[] = {
	FIELD(NLB_A_GROUP_NAME, FIELD_STR, "name", NULL),
	FIELD_CHOICE(NLB_A_GROUP_IPVERSION, "ipversion", "ipversion",
		     ipversion_choices),
	FIELD_CHOICE(NLB_A_GROUP_SCHED, "sched", "sched",
		     sched_choices),
	FIELD(NLB_A_GROUP_AFFINITY, FIELD_BOOL, "affinity", "affinity"),
	FIELD(NLB_A_GROUP_TRACK, FIELD_BOOL, "track", "track"),
	FIELD(NLB_A_GROUP_ACCT, FIELD_BOOL, "acct", "acct"),
	FIELD(NLB_A_GROUP_OFFLOAD, FIELD_BOOL, "offload", "offload"),
	FIELD_CHOICE(NLB_A_GROUP_PROXY, "proxy", "proxy", proxy_choices),
	FIELD(NLB_A_GROUP_DRAIN_TIMEOUT, FIELD_U32, "drain_timeout",
	      "drain-timeout"),
	FIELD(NLB_A_GROUP_BACKENDS4, FIELD_U32, "backends4", "backends4"),
	FIELD(NLB_A_GROUP_BACKENDS6, FIELD_U32, "backends6", "backends6"),
	FIELD(NLB_A_GROUP_LISTENERS, FIELD_U32, "listeners", "listeners"),
	FIELD(NLB_A_GROUP_STATS, FIELD_STATS, "stats", NULL),
	{ 0 }
};

static const struct field event[] = {
	FIELD_CHOICE(NLB_A_GROUP_EVENT, "event", NULL, event_choices),
	{ 0 }
};

const struct object group_obj = {
	.name = "group",
	.maxattr = NLB_A_GROUP_MAX,
	.fields = fields,
	.event = event,
};

#define NAME_ARG(f)	{ .name = "NAME", .kind = ARG_NAME, \
			  .flags = ARG_POSITIONAL | (f), \
			  .attr = NLB_A_GROUP_NAME }

/* add and change: the kernel refuses to change the IP version. */
static const struct arg_spec set_args[] = {
	NAME_ARG(ARG_REQUIRED),
	{ .name = "ipversion", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_IPVERSION, .choices = ipversion_choices },
	{ .name = "sched", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_SCHED, .choices = sched_choices },
	{ .name = "affinity", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_AFFINITY, .choices = onoff_choices },
	{ .name = "track", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_TRACK, .choices = onoff_choices },
	{ .name = "drain-timeout", .kind = ARG_U32,
	  .attr = NLB_A_GROUP_DRAIN_TIMEOUT, .max = 2592000 },
	{ .name = "acct", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_ACCT, .choices = onoff_choices },
	{ .name = "offload", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_OFFLOAD, .choices = onoff_choices },
	{ .name = "proxy", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_PROXY, .choices = proxy_choices },
	{ 0 }
};

static const struct arg_spec del_args[] = {
	NAME_ARG(ARG_REQUIRED),
	{ 0 }
};

static const struct arg_spec show_args[] = {
	NAME_ARG(ARG_DUMP_KEY),
	{ 0 }
};

#define SETTINGS_USAGE	"[sched rr|wrr|wlc|sh|maglev] [affinity on|off] " \
			"[track on|off] [drain-timeout SECONDS] [acct on|off] " \
			"[offload on|off] [proxy off|v2]"

const struct cmd group_cmds[] = {
	{ .name = "add",
	  .usage = "NAME [ipversion ipv4|dualstack] " SETTINGS_USAGE,
	  .nlcmd = NLB_CMD_GROUP_ADD, .args = set_args },
	{ .name = "change",
	  .usage = "NAME " SETTINGS_USAGE " [ipversion ipv4|dualstack]",
	  .nlcmd = NLB_CMD_GROUP_CHANGE, .args = set_args,
	  .need_option = true },
	{ .name = "del", .usage = "NAME",
	  .nlcmd = NLB_CMD_GROUP_DEL, .args = del_args },
	{ .name = "show", .usage = "[NAME]",
	  .nlcmd = NLB_CMD_GROUP_GET, .args = show_args,
	  .show = &group_obj },
	{ 0 }
};
