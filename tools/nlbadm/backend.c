// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm backend: the servers of a group, named by address and port,
 * with a weight, an administrative state and a health state.
 */
#include "nlbadm.h"

static const struct choice state_choices[] = {
	{ "enabled", 1 },
	{ "disabled", 0 },
	{ 0 }
};

static const struct choice health_choices[] = {
	{ "up", 1 },
	{ "down", 0 },
	{ 0 }
};

static const struct choice probe_choices[] = {
	{ "ok", 1 },
	{ "failed", 0 },
	{ 0 }
};

static const struct field fields[] = {
	FIELD(NLB_A_BACKEND_GROUP, FIELD_STR, "group", NULL),
	FIELD(NLB_A_BACKEND_ADDR4, FIELD_ADDR4, "address", NULL),
	FIELD(NLB_A_BACKEND_ADDR6, FIELD_ADDR6, "address", NULL),
	FIELD(NLB_A_BACKEND_PORT, FIELD_U16, "port", "port"),
	FIELD(NLB_A_BACKEND_WEIGHT, FIELD_U32, "weight", "weight"),
	FIELD(NLB_A_BACKEND_AGENT_WEIGHT, FIELD_PCT, "agent_weight",
	      "agent-weight"),
	FIELD_WORDS(NLB_A_BACKEND_ENABLED, "enabled", "state",
		    state_choices),
	FIELD_WORDS(NLB_A_BACKEND_HEALTHY, "healthy", "health",
		    health_choices),
	FIELD_IF(NLB_A_BACKEND_REASON, FIELD_QSTR, "reason", "reason",
		 NLB_A_BACKEND_REASON),
	FIELD_IF(NLB_A_BACKEND_HEALTH_TIME, FIELD_AGE, "health_time",
		 "changed", NLB_A_BACKEND_PROBE_TIME),
	FIELD_WORDS(NLB_A_BACKEND_PROBE_OK, "probe_ok", "probe",
		    probe_choices),
	FIELD(NLB_A_BACKEND_PROBE, FIELD_QSTR, "probe", NULL),
	FIELD(NLB_A_BACKEND_PROBE_TIME, FIELD_AGE, "probe_time", NULL),
	FIELD(NLB_A_BACKEND_DRAINING, FIELD_FLAG, "draining", "draining"),
	FIELD(NLB_A_BACKEND_DRAIN_LEFT, FIELD_U32, "drain_left",
	      "drain-left"),
	FIELD(NLB_A_BACKEND_STATS, FIELD_STATS, "stats", NULL),
	{ 0 }
};

static const struct field event[] = {
	FIELD_CHOICE(NLB_A_BACKEND_EVENT, "event", NULL, event_choices),
	{ 0 }
};

const struct object backend_obj = {
	.name = "backend",
	.maxattr = NLB_A_BACKEND_MAX,
	.fields = fields,
	.event = event,
};

#define GROUP_ARG(f)	{ .name = "GROUP", .kind = ARG_NAME, \
			  .flags = ARG_POSITIONAL | (f), \
			  .attr = NLB_A_BACKEND_GROUP }
#define ADDR_ARG(f)	{ .name = "ADDRESS", .kind = ARG_ADDR, \
			  .flags = ARG_POSITIONAL | (f), \
			  .attr = NLB_A_BACKEND_ADDR4, \
			  .attr6 = NLB_A_BACKEND_ADDR6 }
#define PORT_ARG	{ .name = "port", .kind = ARG_U16, \
			  .flags = ARG_LOOKUP, \
			  .attr = NLB_A_BACKEND_PORT, .max = 65535, \
			  .dflt = "0" }
/* What add sets and change changes. */
#define SETTING_ARGS \
	{ .name = "weight", .kind = ARG_U32, \
	  .attr = NLB_A_BACKEND_WEIGHT, .max = 255, .dflt = "1" }, \
	{ .name = "state", .kind = ARG_CHOICE, \
	  .attr = NLB_A_BACKEND_ENABLED, .choices = state_choices, \
	  .dflt = "enabled" }, \
	/* a health checker's: apply leaves it unless the file says */ \
	{ .name = "health", .kind = ARG_CHOICE, .flags = ARG_RUNTIME, \
	  .attr = NLB_A_BACKEND_HEALTHY, .choices = health_choices, \
	  .dflt = "up" }

static const struct arg_spec set_args[] = {
	GROUP_ARG(ARG_REQUIRED),
	ADDR_ARG(ARG_REQUIRED),
	PORT_ARG,
	SETTING_ARGS,
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

#define SETTINGS_USAGE	"[weight W] [state enabled|disabled] [health up|down]"

const struct cmd backend_cmds[] = {
	{ .name = "add",
	  .usage = "GROUP ADDRESS [port PORT] " SETTINGS_USAGE,
	  .nlcmd = NLB_CMD_BACKEND_ADD, .args = set_args },
	{ .name = "change", .alias = "set",
	  .usage = "GROUP ADDRESS [port PORT] " SETTINGS_USAGE,
	  .nlcmd = NLB_CMD_BACKEND_CHANGE, .args = set_args,
	  .need_option = true },
	{ .name = "del", .usage = "GROUP ADDRESS [port PORT]",
	  .nlcmd = NLB_CMD_BACKEND_DEL, .args = del_args },
	{ .name = "show", .usage = "[GROUP [ADDRESS [port PORT]]]",
	  .nlcmd = NLB_CMD_BACKEND_GET, .args = show_args,
	  .show = &backend_obj },
	{ 0 }
};
