// SPDX-License-Identifier: GPL-2.0
/* nlbadm backend: the servers of a group, named by address and port. */
#include "nlbadm.h"

static const struct field fields[] = {
	FIELD(NLB_A_BACKEND_GROUP, FIELD_STR, "group", NULL),
	FIELD(NLB_A_BACKEND_ADDR4, FIELD_ADDR4, "address", NULL),
	FIELD(NLB_A_BACKEND_ADDR6, FIELD_ADDR6, "address", NULL),
	FIELD(NLB_A_BACKEND_PORT, FIELD_U16, "port", "port"),
	FIELD(NLB_A_BACKEND_WEIGHT, FIELD_U32, "weight", "weight"),
	FIELD(NLB_A_BACKEND_STATS, FIELD_STATS, "stats", NULL),
	{ 0 }
};

const struct object backend_obj = {
	.name = "backend",
	.maxattr = NLB_A_BACKEND_MAX,
	.fields = fields,
};

#define GROUP_ARG(f)	{ .name = "GROUP", .kind = ARG_NAME, \
			  .flags = ARG_POSITIONAL | (f), \
			  .attr = NLB_A_BACKEND_GROUP }
#define ADDR_ARG(f)	{ .name = "ADDRESS", .kind = ARG_ADDR, \
			  .flags = ARG_POSITIONAL | (f), \
			  .attr = NLB_A_BACKEND_ADDR4, \
			  .attr6 = NLB_A_BACKEND_ADDR6 }
#define PORT_ARG	{ .name = "port", .kind = ARG_U16, \
			  .attr = NLB_A_BACKEND_PORT, .max = 65535 }
#define WEIGHT_ARG(f)	{ .name = "weight", .kind = ARG_U32, .flags = (f), \
			  .attr = NLB_A_BACKEND_WEIGHT, .max = 255 }

static const struct arg_spec add_args[] = {
	GROUP_ARG(ARG_REQUIRED),
	ADDR_ARG(ARG_REQUIRED),
	PORT_ARG,
	WEIGHT_ARG(0),
	{ 0 }
};

static const struct arg_spec change_args[] = {
	GROUP_ARG(ARG_REQUIRED),
	ADDR_ARG(ARG_REQUIRED),
	PORT_ARG,
	WEIGHT_ARG(ARG_REQUIRED),
	{ 0 }
};

static const struct arg_spec del_args[] = {
	GROUP_ARG(ARG_REQUIRED),
	ADDR_ARG(ARG_REQUIRED),
	PORT_ARG,
	{ 0 }
};

/*
 * Without ADDRESS: dump (the backends of GROUP, if given). "port" can
 * only follow an ADDRESS: after GROUP the next word is the ADDRESS.
 */
static const struct arg_spec show_args[] = {
	GROUP_ARG(0),
	ADDR_ARG(ARG_DUMP_KEY),
	PORT_ARG,
	{ 0 }
};

const struct cmd backend_cmds[] = {
	{ .name = "add", .usage = "GROUP ADDRESS [port PORT] [weight W]",
	  .nlcmd = NLB_CMD_BACKEND_ADD, .args = add_args },
	{ .name = "change", .usage = "GROUP ADDRESS [port PORT] weight W",
	  .nlcmd = NLB_CMD_BACKEND_CHANGE, .args = change_args },
	{ .name = "del", .usage = "GROUP ADDRESS [port PORT]",
	  .nlcmd = NLB_CMD_BACKEND_DEL, .args = del_args },
	{ .name = "show", .usage = "[GROUP [ADDRESS [port PORT]]]",
	  .nlcmd = NLB_CMD_BACKEND_GET, .args = show_args,
	  .show = &backend_obj },
	{ 0 }
};
