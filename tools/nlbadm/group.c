// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm group: server groups (scheduler, IP versions, affinity and the
 * translation of clients of the other IP version, connection tracking,
 * drain timeout, accounting, flowtable offload, PROXY protocol, health
 * checks).
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

static const struct choice check_choices[] = {
	{ "none", NLB_CHECK_NONE },
	{ "tcp", NLB_CHECK_TCP },
	{ "http", NLB_CHECK_HTTP },
	{ "udp", NLB_CHECK_UDP },
	{ "agent", NLB_CHECK_AGENT },
	{ 0 }
};

/* Text shows the settings of the group's check type only. */
#define TYPE		NLB_A_HEALTH_TYPE
#define ANY		(1u << NLB_CHECK_TCP | 1u << NLB_CHECK_HTTP | \
			 1u << NLB_CHECK_UDP | 1u << NLB_CHECK_AGENT)
#define HTTP		(1u << NLB_CHECK_HTTP)
#define UDP		(1u << NLB_CHECK_UDP)

static const struct field health_fields[] = {
	FIELD_CHOICE(NLB_A_HEALTH_TYPE, "type", "check", check_choices),
	{ .attr = NLB_A_HEALTH_PORT, .kind = FIELD_U16, .key = "port",
	  .label = "check-port", .text_if = NLB_A_HEALTH_PORT,
	  .text_key = TYPE, .text_mask = ANY },
	FIELD_MASK(NLB_A_HEALTH_INTERVAL, FIELD_MSEC, "interval", "interval",
		   TYPE, ANY),
	FIELD_MASK(NLB_A_HEALTH_TIMEOUT, FIELD_MSEC, "timeout", "timeout",
		   TYPE, ANY),
	FIELD_MASK(NLB_A_HEALTH_RISE, FIELD_U32, "rise", "rise", TYPE, ANY),
	FIELD_MASK(NLB_A_HEALTH_FALL, FIELD_U32, "fall", "fall", TYPE, ANY),
	FIELD_MASK(NLB_A_HEALTH_HTTP_PATH, FIELD_QSTR, "http_path",
		   "http-path", TYPE, HTTP),
	{ .attr = NLB_A_HEALTH_HTTP_HOST, .kind = FIELD_QSTR,
	  .key = "http_host", .label = "http-host",
	  .text_if = NLB_A_HEALTH_HTTP_HOST, .text_key = TYPE,
	  .text_mask = HTTP },
	FIELD_MASK(NLB_A_HEALTH_HTTP_STATUS, FIELD_QSTR, "http_status",
		   "http-status", TYPE, HTTP),
	FIELD_MASK(NLB_A_HEALTH_UDP_PAYLOAD, FIELD_TEXT, "udp_payload",
		   "udp-payload", TYPE, UDP),
	FIELD_MASK(NLB_A_HEALTH_UDP_REPLY, FIELD_BOOL, "udp_reply",
		   "udp-reply", TYPE, UDP),
	{ .attr = NLB_A_HEALTH_PASSIVE_FAILS, .kind = FIELD_U32,
	  .key = "passive_fails", .label = "passive-fails",
	  .text_if = NLB_A_GROUP_PASSIVE, .text_if_parent = true },
	{ .attr = NLB_A_HEALTH_PASSIVE_WINDOW, .kind = FIELD_MSEC,
	  .key = "passive_window", .label = "passive-window",
	  .text_if = NLB_A_GROUP_PASSIVE, .text_if_parent = true },
	{ 0 }
};

const struct object health_obj = {
	.name = "health",
	.maxattr = NLB_A_HEALTH_MAX,
	.fields = health_fields,
};

static const struct choice affinity_choices[] = {
	{ "on", NLB_AFFINITY_ON },
	{ "off", NLB_AFFINITY_OFF },
	{ "prefer", NLB_AFFINITY_PREFER },
	{ 0 }
};

static const struct choice src6_choices[] = {
	{ "embed", NLB_XLAT_SRC6_EMBED },
	{ "pool", NLB_XLAT_SRC6_POOL },
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
	FIELD_CHOICE(NLB_A_GROUP_AFFINITY, "affinity", "affinity",
		     affinity_choices),
	FIELD(NLB_A_GROUP_TRACK, FIELD_BOOL, "track", "track"),
	FIELD(NLB_A_GROUP_ACCT, FIELD_BOOL, "acct", "acct"),
	FIELD(NLB_A_GROUP_OFFLOAD, FIELD_BOOL, "offload", "offload"),
	FIELD_CHOICE(NLB_A_GROUP_PROXY, "proxy", "proxy", proxy_choices),
	FIELD(NLB_A_GROUP_DRAIN_TIMEOUT, FIELD_U32, "drain_timeout",
	      "drain-timeout"),
	FIELD(NLB_A_GROUP_BACKENDS4, FIELD_U32, "backends4", "backends4"),
	FIELD(NLB_A_GROUP_BACKENDS6, FIELD_U32, "backends6", "backends6"),
	FIELD(NLB_A_GROUP_LISTENERS, FIELD_U32, "listeners", "listeners"),
	FIELD(NLB_A_GROUP_POOL4_FIRST, FIELD_ADDR4, "pool4", "pool"),
	FIELD(NLB_A_GROUP_POOL4_LAST, FIELD_ADDR4, "pool4_last", "pool-last"),
	FIELD(NLB_A_GROUP_POOL4_USED, FIELD_U32, "pool4_used", "pool-used"),
	FIELD(NLB_A_GROUP_POOL4_SIZE, FIELD_U32, "pool4_size", "pool-size"),
	FIELD(NLB_A_GROUP_POOL6_FIRST, FIELD_ADDR6, "pool6", "pool"),
	FIELD(NLB_A_GROUP_POOL6_LAST, FIELD_ADDR6, "pool6_last", "pool-last"),
	FIELD(NLB_A_GROUP_POOL6_USED, FIELD_U32, "pool6_used", "pool-used"),
	FIELD(NLB_A_GROUP_POOL6_SIZE, FIELD_U32, "pool6_size", "pool-size"),
	FIELD_IF(NLB_A_GROUP_POOL_PORT_MIN, FIELD_U16, "pool_port_min",
		 "pool-port-min", NLB_A_GROUP_POOL4_SIZE),
	FIELD_IF(NLB_A_GROUP_POOL_PORT_MAX, FIELD_U16, "pool_port_max",
		 "pool-port-max", NLB_A_GROUP_POOL4_SIZE),
	FIELD(NLB_A_GROUP_PREFIX6, FIELD_ADDR6, "prefix6", "prefix6"),
	FIELD_CHOICE(NLB_A_GROUP_SRC6, "src6", "src6", src6_choices),
	FIELD(NLB_A_GROUP_PASSIVE, FIELD_BOOL, "passive", "passive"),
	FIELD_IF(NLB_A_GROUP_PASSIVE_TIMEOUT, FIELD_MSEC, "passive_timeout",
		 "passive-timeout", NLB_A_GROUP_PASSIVE),
	{ .attr = NLB_A_GROUP_HEALTH, .kind = FIELD_INLINE, .key = "health",
	  .sub = &health_obj },
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

/* The health check settings, in the group's health nest. */
#define HEALTH_ARG(n, k, a, ...) { .name = (n), .kind = (k), \
	  .attr = NLB_A_HEALTH_##a, .nest = NLB_A_GROUP_HEALTH, __VA_ARGS__ }
#define HEALTH_ARGS \
	HEALTH_ARG("check", ARG_CHOICE, TYPE, .choices = check_choices, \
		   .dflt = "tcp"), \
	HEALTH_ARG("check-port", ARG_U16, PORT, .max = 65535, .dflt = "0"), \
	HEALTH_ARG("interval", ARG_MSEC, INTERVAL, .min = 100, \
		   .max = 3600000, .dflt = "5s"), \
	HEALTH_ARG("timeout", ARG_MSEC, TIMEOUT, .min = 10, .max = 3600000, \
		   .dflt = "2s"), \
	HEALTH_ARG("rise", ARG_U32, RISE, .min = 1, .max = 100, .dflt = "2"), \
	HEALTH_ARG("fall", ARG_U32, FALL, .min = 1, .max = 100, .dflt = "3"), \
	HEALTH_ARG("http-path", ARG_STR, HTTP_PATH, \
		   .max = NLB_HTTP_TEXT_MAX_LEN, .dflt = "/"), \
	HEALTH_ARG("http-host", ARG_STR, HTTP_HOST, .flags = ARG_EMPTY, \
		   .max = NLB_HTTP_TEXT_MAX_LEN, .dflt = ""), \
	HEALTH_ARG("http-status", ARG_STR, HTTP_STATUS, .max = 63, \
		   .dflt = "200-399"), \
	HEALTH_ARG("udp-payload", ARG_TEXT, UDP_PAYLOAD, \
		   .max = NLB_UDP_PAYLOAD_MAX_LEN, .dflt = ""), \
	HEALTH_ARG("udp-reply", ARG_CHOICE, UDP_REPLY, \
		   .choices = onoff_choices, .dflt = "on"), \
	HEALTH_ARG("passive-fails", ARG_U32, PASSIVE_FAILS, .min = 1, \
		   .max = 100000, .dflt = "5"), \
	HEALTH_ARG("passive-window", ARG_MSEC, PASSIVE_WINDOW, .min = 100, \
		   .max = 3600000, .dflt = "10s")

/* add and change: the kernel refuses to change the IP version. */
static const struct arg_spec set_args[] = {
	NAME_ARG(ARG_REQUIRED),
	{ .name = "ipversion", .kind = ARG_CHOICE, .flags = ARG_FIXED,
	  .attr = NLB_A_GROUP_IPVERSION, .choices = ipversion_choices,
	  .dflt = "ipv4" },
	{ .name = "sched", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_SCHED, .choices = sched_choices,
	  .dflt = "wrr" },
	{ .name = "affinity", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_AFFINITY, .choices = affinity_choices,
	  .dflt = "on" },
	/* default: on for wlc, off otherwise (conf.c knows) */
	{ .name = "track", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_TRACK, .choices = onoff_choices },
	{ .name = "drain-timeout", .kind = ARG_U32,
	  .attr = NLB_A_GROUP_DRAIN_TIMEOUT, .max = 2592000, .dflt = "0" },
	{ .name = "acct", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_ACCT, .choices = onoff_choices, .dflt = "on" },
	{ .name = "offload", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_OFFLOAD, .choices = onoff_choices,
	  .dflt = "off" },
	/* The kernel reports pool-last only when it is not pool's. */
	{ .name = "pool", .kind = ARG_ADDR, .flags = ARG_PER_FAMILY | ARG_CLEAR,
	  .attr = NLB_A_GROUP_POOL4_FIRST, .attr6 = NLB_A_GROUP_POOL6_FIRST },
	{ .name = "pool-last", .kind = ARG_ADDR,
	  .flags = ARG_PER_FAMILY | ARG_LAST,
	  .attr = NLB_A_GROUP_POOL4_LAST, .attr6 = NLB_A_GROUP_POOL6_LAST },
	{ .name = "pool-port-min", .kind = ARG_U16, .min = 1, .max = 65535,
	  .attr = NLB_A_GROUP_POOL_PORT_MIN, .dflt = "1024" },
	{ .name = "pool-port-max", .kind = ARG_U16, .min = 1, .max = 65535,
	  .attr = NLB_A_GROUP_POOL_PORT_MAX, .dflt = "65535" },
	{ .name = "prefix6", .kind = ARG_ADDR, .attr6 = NLB_A_GROUP_PREFIX6,
	  .dflt = "64:ff9b::" },
	{ .name = "src6", .kind = ARG_CHOICE, .attr = NLB_A_GROUP_SRC6,
	  .choices = src6_choices, .dflt = "embed" },
	{ .name = "proxy", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_PROXY, .choices = proxy_choices, .dflt = "off" },
	{ .name = "passive", .kind = ARG_CHOICE,
	  .attr = NLB_A_GROUP_PASSIVE, .choices = onoff_choices,
	  .dflt = "off" },
	{ .name = "passive-timeout", .kind = ARG_MSEC,
	  .attr = NLB_A_GROUP_PASSIVE_TIMEOUT, .min = 100, .max = 60000,
	  .dflt = "3s" },
	HEALTH_ARGS,
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

#define SETTINGS_USAGE	"[sched rr|wrr|wlc|sh|maglev] [affinity on|off|prefer] " \
			"[track on|off] [drain-timeout SECONDS] [acct on|off] " \
			"[offload on|off] [pool ADDRESS [pool-last ADDRESS]]... " \
			"[pool-port-min PORT] [pool-port-max PORT] " \
			"[prefix6 ADDRESS] [src6 embed|pool] [proxy off|v2] " \
			"[check none|tcp|http|udp|agent] " \
			"[check-port PORT] [interval TIME] [timeout TIME] " \
			"[rise N] [fall N] [http-path PATH] [http-host HOST] " \
			"[http-status CODES] [udp-payload TEXT] " \
			"[udp-reply on|off] [passive on|off] " \
			"[passive-timeout TIME] [passive-fails N] " \
			"[passive-window TIME]"

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
