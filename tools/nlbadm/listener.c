// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm listener: VIP addresses, protocol and port, sent to a group;
 * what no backend can take gets; client persistence.
 */
#include "nlbadm.h"

static const struct choice proto_choices[] = {
	{ "tcp", NLB_PROTO_TCP },
	{ "udp", NLB_PROTO_UDP },
	{ "icmp", NLB_PROTO_ICMP },
	{ 0 }
};

static const struct choice reject_choices[] = {
	{ "reset", NLB_REJECT_RESET },
	{ "icmp", NLB_REJECT_ICMP },
	{ "drop", NLB_REJECT_DROP },
	{ 0 }
};

#define PERSIST		NLB_A_LISTENER_PERSIST_TIMEOUT

/* Text shows the persistence settings only when persistence is on. */
static const struct field fields[] = {
	FIELD(NLB_A_LISTENER_NAME, FIELD_STR, "name", NULL),
	FIELD(NLB_A_LISTENER_VIP4, FIELD_ADDR4, "vip4", "vip"),
	FIELD(NLB_A_LISTENER_VIP6, FIELD_ADDR6, "vip6", "vip"),
	FIELD_CHOICE(NLB_A_LISTENER_PROTO, "proto", "proto",
		     proto_choices),
	FIELD(NLB_A_LISTENER_PORT, FIELD_U16, "port", "port"),
	FIELD(NLB_A_LISTENER_GROUP, FIELD_STR, "group", "group"),
	FIELD_CHOICE(NLB_A_LISTENER_REJECT, "reject", "reject",
		     reject_choices),
	FIELD_IF(PERSIST, FIELD_U32, "persist", "persist", PERSIST),
	FIELD_IF(NLB_A_LISTENER_PERSIST_PREFIX4, FIELD_U8, "persist_prefix4",
		 "persist-prefix4", PERSIST),
	FIELD_IF(NLB_A_LISTENER_PERSIST_PREFIX6, FIELD_U8, "persist_prefix6",
		 "persist-prefix6", PERSIST),
	FIELD(NLB_A_LISTENER_STATS, FIELD_STATS, "stats", NULL),
	{ 0 }
};

static const struct field event[] = {
	FIELD_CHOICE(NLB_A_LISTENER_EVENT, "event", NULL, event_choices),
	{ 0 }
};

const struct object listener_obj = {
	.name = "listener",
	.maxattr = NLB_A_LISTENER_MAX,
	.fields = fields,
	.event = event,
};

#define NAME_ARG(f)	{ .name = "NAME", .kind = ARG_NAME, \
			  .flags = ARG_POSITIONAL | (f), \
			  .attr = NLB_A_LISTENER_NAME }
#define GROUP_ARG(f)	{ .name = "group", .kind = ARG_NAME, .flags = (f), \
			  .attr = NLB_A_LISTENER_GROUP }
/* The settings add and change have in common. */
#define SETTING_ARGS \
	{ .name = "reject", .kind = ARG_CHOICE, \
	  .attr = NLB_A_LISTENER_REJECT, .choices = reject_choices, \
	  .dflt = "reset" }, \
	{ .name = "persist", .kind = ARG_U32, \
	  .attr = PERSIST, .max = 86400, .dflt = "0" }, \
	{ .name = "persist-prefix4", .kind = ARG_U8, \
	  .attr = NLB_A_LISTENER_PERSIST_PREFIX4, .max = 32, .dflt = "32" }, \
	{ .name = "persist-prefix6", .kind = ARG_U8, \
	  .attr = NLB_A_LISTENER_PERSIST_PREFIX6, .max = 128, .dflt = "128" }

/* The indices of add_args[] that add_check() looks at. */
enum { ADD_PROTO = 2, ADD_PORT = 3 };

static const struct arg_spec add_args[] = {
	NAME_ARG(ARG_REQUIRED),
	{ .name = "vip", .kind = ARG_ADDR,
	  .flags = ARG_REQUIRED | ARG_PER_FAMILY,
	  .attr = NLB_A_LISTENER_VIP4, .attr6 = NLB_A_LISTENER_VIP6 },
	{ .name = "proto", .kind = ARG_CHOICE, .flags = ARG_REQUIRED,
	  .attr = NLB_A_LISTENER_PROTO, .choices = proto_choices },
	/* The kernel says which protocols need one (not icmp). */
	{ .name = "port", .kind = ARG_U16,
	  .attr = NLB_A_LISTENER_PORT, .min = 1, .max = 65535 },
	GROUP_ARG(ARG_REQUIRED),
	SETTING_ARGS,
	{ 0 }
};

/* A new VIP replaces the one of its family; 0.0.0.0 or :: removes it. */
static const struct arg_spec change_args[] = {
	NAME_ARG(ARG_REQUIRED),
	{ .name = "vip", .kind = ARG_ADDR, .flags = ARG_PER_FAMILY | ARG_CLEAR,
	  .attr = NLB_A_LISTENER_VIP4, .attr6 = NLB_A_LISTENER_VIP6 },
	GROUP_ARG(0),
	SETTING_ARGS,
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

/* tcp and udp listeners have a port, icmp ones none. */
static const char *add_check(const struct arg_val *vals)
{
	bool icmp = vals[ADD_PROTO].num == NLB_PROTO_ICMP;

	if (icmp && vals[ADD_PORT].count)
		return "an icmp listener has no port";
	if (!icmp && !vals[ADD_PORT].count)
		return "missing 'port'";
	return NULL;
}

#define SETTINGS_USAGE	"[reject reset|icmp|drop] [persist SECONDS] " \
			"[persist-prefix4 LEN] [persist-prefix6 LEN]"

const struct cmd listener_cmds[] = {
	{ .name = "add",
	  .usage = "NAME vip ADDRESS [vip ADDRESS] "
		   "{proto tcp|udp port PORT | proto icmp} "
		   "group GROUP " SETTINGS_USAGE,
	  .nlcmd = NLB_CMD_LISTENER_ADD, .args = add_args,
	  .check = add_check },
	{ .name = "change",
	  .usage = "NAME [vip ADDRESS [vip ADDRESS]] [group GROUP] "
		   SETTINGS_USAGE,
	  .nlcmd = NLB_CMD_LISTENER_CHANGE, .args = change_args,
	  .need_option = true },
	{ .name = "del", .usage = "NAME",
	  .nlcmd = NLB_CMD_LISTENER_DEL, .args = del_args },
	{ .name = "show", .usage = "[NAME]",
	  .nlcmd = NLB_CMD_LISTENER_GET, .args = show_args,
	  .show = &listener_obj },
	{ 0 }
};
