// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/nlb.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "nl-gen.h"

#include <uapi/linux/nlb.h>

/* Integer value ranges */
static struct netlink_range_validation nlb_a_health_interval_range = {
	.min	= 100ULL,
	.max	= 3600000ULL,
};

static struct netlink_range_validation nlb_a_health_timeout_range = {
	.min	= 10ULL,
	.max	= 3600000ULL,
};

static struct netlink_range_validation nlb_a_health_passive_fails_range = {
	.min	= 1ULL,
	.max	= 100000ULL,
};

static struct netlink_range_validation nlb_a_health_passive_window_range = {
	.min	= 100ULL,
	.max	= 3600000ULL,
};

static struct netlink_range_validation nlb_a_listener_persist_timeout_range = {
	.max	= 86400ULL,
};

static struct netlink_range_validation nlb_a_group_drain_timeout_range = {
	.max	= 2592000ULL,
};

static struct netlink_range_validation nlb_a_group_passive_timeout_range = {
	.min	= 100ULL,
	.max	= 60000ULL,
};

static struct netlink_range_validation nlb_a_info_max_age_range = {
	.max	= 86400000ULL,
};

/* Common nested types */
const struct nla_policy nlb_backend_entry_nl_policy[NLB_A_BACKEND_HEALTHY + 1] = {
	[NLB_A_BACKEND_ADDR4] = { .type = NLA_U32, },
	[NLB_A_BACKEND_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_BACKEND_PORT] = { .type = NLA_U16, },
	[NLB_A_BACKEND_WEIGHT] = NLA_POLICY_MAX(NLA_U32, 255),
	[NLB_A_BACKEND_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_BACKEND_HEALTHY] = NLA_POLICY_MAX(NLA_U8, 1),
};

const struct nla_policy nlb_health_nl_policy[NLB_A_HEALTH_PASSIVE_WINDOW + 1] = {
	[NLB_A_HEALTH_TYPE] = NLA_POLICY_MAX(NLA_U8, 4),
	[NLB_A_HEALTH_PORT] = { .type = NLA_U16, },
	[NLB_A_HEALTH_INTERVAL] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_health_interval_range),
	[NLB_A_HEALTH_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_health_timeout_range),
	[NLB_A_HEALTH_RISE] = NLA_POLICY_RANGE(NLA_U32, 1, 100),
	[NLB_A_HEALTH_FALL] = NLA_POLICY_RANGE(NLA_U32, 1, 100),
	[NLB_A_HEALTH_HTTP_PATH] = { .type = NLA_NUL_STRING, .len = NLB_HTTP_TEXT_MAX_LEN, },
	[NLB_A_HEALTH_HTTP_HOST] = { .type = NLA_NUL_STRING, .len = NLB_HTTP_TEXT_MAX_LEN, },
	[NLB_A_HEALTH_HTTP_STATUS] = { .type = NLA_NUL_STRING, .len = 63, },
	[NLB_A_HEALTH_UDP_PAYLOAD] = { .type = NLA_BINARY, },
	[NLB_A_HEALTH_UDP_REPLY] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_HEALTH_PASSIVE_FAILS] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_health_passive_fails_range),
	[NLB_A_HEALTH_PASSIVE_WINDOW] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_health_passive_window_range),
};

/* NLB_CMD_LISTENER_ADD - do */
const struct nla_policy nlb_listener_add_nl_policy[NLB_A_LISTENER_PERSIST_PREFIX6 + 1] = {
	[NLB_A_LISTENER_NAME] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_LISTENER_VIP4] = { .type = NLA_U32, },
	[NLB_A_LISTENER_VIP6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_LISTENER_PROTO] = NLA_POLICY_RANGE(NLA_U8, 1, 17),
	[NLB_A_LISTENER_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NLB_A_LISTENER_GROUP] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_LISTENER_REJECT] = NLA_POLICY_RANGE(NLA_U8, 1, 3),
	[NLB_A_LISTENER_PERSIST_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_listener_persist_timeout_range),
	[NLB_A_LISTENER_PERSIST_PREFIX4] = NLA_POLICY_MAX(NLA_U8, 32),
	[NLB_A_LISTENER_PERSIST_PREFIX6] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* NLB_CMD_LISTENER_CHANGE - do */
const struct nla_policy nlb_listener_change_nl_policy[NLB_A_LISTENER_PERSIST_PREFIX6 + 1] = {
	[NLB_A_LISTENER_NAME] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_LISTENER_VIP4] = { .type = NLA_U32, },
	[NLB_A_LISTENER_VIP6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_LISTENER_PROTO] = NLA_POLICY_RANGE(NLA_U8, 1, 17),
	[NLB_A_LISTENER_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NLB_A_LISTENER_GROUP] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_LISTENER_REJECT] = NLA_POLICY_RANGE(NLA_U8, 1, 3),
	[NLB_A_LISTENER_PERSIST_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_listener_persist_timeout_range),
	[NLB_A_LISTENER_PERSIST_PREFIX4] = NLA_POLICY_MAX(NLA_U8, 32),
	[NLB_A_LISTENER_PERSIST_PREFIX6] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* NLB_CMD_LISTENER_DEL - do */
const struct nla_policy nlb_listener_del_nl_policy[NLB_A_LISTENER_NAME + 1] = {
	[NLB_A_LISTENER_NAME] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
};

/* NLB_CMD_LISTENER_GET - do */
const struct nla_policy nlb_listener_get_nl_policy[NLB_A_LISTENER_NAME + 1] = {
	[NLB_A_LISTENER_NAME] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
};

/* NLB_CMD_GROUP_ADD - do */
const struct nla_policy nlb_group_add_nl_policy[NLB_A_GROUP_PASSIVE_TIMEOUT + 1] = {
	[NLB_A_GROUP_NAME] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_GROUP_IPVERSION] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
	[NLB_A_GROUP_AFFINITY] = NLA_POLICY_MAX(NLA_U8, 2),
	[NLB_A_GROUP_SCHED] = NLA_POLICY_RANGE(NLA_U8, 1, 5),
	[NLB_A_GROUP_TRACK] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_DRAIN_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_group_drain_timeout_range),
	[NLB_A_GROUP_ACCT] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_OFFLOAD] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_POOL4_FIRST] = { .type = NLA_U32, },
	[NLB_A_GROUP_POOL4_LAST] = { .type = NLA_U32, },
	[NLB_A_GROUP_POOL6_FIRST] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_GROUP_POOL6_LAST] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_GROUP_POOL_PORT_MIN] = NLA_POLICY_MIN(NLA_U16, 1),
	[NLB_A_GROUP_POOL_PORT_MAX] = NLA_POLICY_MIN(NLA_U16, 1),
	[NLB_A_GROUP_PREFIX6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_GROUP_SRC6] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
	[NLB_A_GROUP_PROXY] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_HEALTH] = NLA_POLICY_NESTED(nlb_health_nl_policy),
	[NLB_A_GROUP_PASSIVE] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_PASSIVE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_group_passive_timeout_range),
};

/* NLB_CMD_GROUP_CHANGE - do */
const struct nla_policy nlb_group_change_nl_policy[NLB_A_GROUP_PASSIVE_TIMEOUT + 1] = {
	[NLB_A_GROUP_NAME] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_GROUP_IPVERSION] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
	[NLB_A_GROUP_AFFINITY] = NLA_POLICY_MAX(NLA_U8, 2),
	[NLB_A_GROUP_SCHED] = NLA_POLICY_RANGE(NLA_U8, 1, 5),
	[NLB_A_GROUP_TRACK] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_DRAIN_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_group_drain_timeout_range),
	[NLB_A_GROUP_ACCT] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_OFFLOAD] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_POOL4_FIRST] = { .type = NLA_U32, },
	[NLB_A_GROUP_POOL4_LAST] = { .type = NLA_U32, },
	[NLB_A_GROUP_POOL6_FIRST] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_GROUP_POOL6_LAST] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_GROUP_POOL_PORT_MIN] = NLA_POLICY_MIN(NLA_U16, 1),
	[NLB_A_GROUP_POOL_PORT_MAX] = NLA_POLICY_MIN(NLA_U16, 1),
	[NLB_A_GROUP_PREFIX6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_GROUP_SRC6] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
	[NLB_A_GROUP_PROXY] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_HEALTH] = NLA_POLICY_NESTED(nlb_health_nl_policy),
	[NLB_A_GROUP_PASSIVE] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_GROUP_PASSIVE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_group_passive_timeout_range),
};

/* NLB_CMD_GROUP_DEL - do */
const struct nla_policy nlb_group_del_nl_policy[NLB_A_GROUP_NAME + 1] = {
	[NLB_A_GROUP_NAME] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
};

/* NLB_CMD_GROUP_GET - do */
const struct nla_policy nlb_group_get_nl_policy[NLB_A_GROUP_NAME + 1] = {
	[NLB_A_GROUP_NAME] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
};

/* NLB_CMD_BACKEND_ADD - do */
const struct nla_policy nlb_backend_add_nl_policy[NLB_A_BACKEND_ENTRY + 1] = {
	[NLB_A_BACKEND_GROUP] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_BACKEND_ADDR4] = { .type = NLA_U32, },
	[NLB_A_BACKEND_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_BACKEND_PORT] = { .type = NLA_U16, },
	[NLB_A_BACKEND_WEIGHT] = NLA_POLICY_MAX(NLA_U32, 255),
	[NLB_A_BACKEND_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_BACKEND_HEALTHY] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_BACKEND_ENTRY] = NLA_POLICY_NESTED(nlb_backend_entry_nl_policy),
};

/* NLB_CMD_BACKEND_CHANGE - do */
const struct nla_policy nlb_backend_change_nl_policy[NLB_A_BACKEND_PROBE_OK + 1] = {
	[NLB_A_BACKEND_GROUP] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_BACKEND_ADDR4] = { .type = NLA_U32, },
	[NLB_A_BACKEND_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_BACKEND_PORT] = { .type = NLA_U16, },
	[NLB_A_BACKEND_WEIGHT] = NLA_POLICY_MAX(NLA_U32, 255),
	[NLB_A_BACKEND_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_BACKEND_HEALTHY] = NLA_POLICY_MAX(NLA_U8, 1),
	[NLB_A_BACKEND_ENTRY] = NLA_POLICY_NESTED(nlb_backend_entry_nl_policy),
	[NLB_A_BACKEND_AGENT_WEIGHT] = NLA_POLICY_MAX(NLA_U8, 100),
	[NLB_A_BACKEND_REASON] = { .type = NLA_NUL_STRING, .len = NLB_HEALTH_TEXT_MAX_LEN, },
	[NLB_A_BACKEND_PROBE] = { .type = NLA_NUL_STRING, .len = NLB_HEALTH_TEXT_MAX_LEN, },
	[NLB_A_BACKEND_PROBE_OK] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* NLB_CMD_BACKEND_DEL - do */
const struct nla_policy nlb_backend_del_nl_policy[NLB_A_BACKEND_ENTRY + 1] = {
	[NLB_A_BACKEND_GROUP] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_BACKEND_ADDR4] = { .type = NLA_U32, },
	[NLB_A_BACKEND_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_BACKEND_PORT] = { .type = NLA_U16, },
	[NLB_A_BACKEND_ENTRY] = NLA_POLICY_NESTED(nlb_backend_entry_nl_policy),
};

/* NLB_CMD_BACKEND_GET - do */
const struct nla_policy nlb_backend_get_nl_policy[NLB_A_BACKEND_PORT + 1] = {
	[NLB_A_BACKEND_GROUP] = { .type = NLA_NUL_STRING, .len = NLB_NAME_MAX_LEN, },
	[NLB_A_BACKEND_ADDR4] = { .type = NLA_U32, },
	[NLB_A_BACKEND_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[NLB_A_BACKEND_PORT] = { .type = NLA_U16, },
};

/* NLB_CMD_INFO_GET - do */
const struct nla_policy nlb_info_get_nl_policy[NLB_A_INFO_MAX_AGE + 1] = {
	[NLB_A_INFO_MAX_AGE] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_info_max_age_range),
};

/* NLB_CMD_CENSUS_RUN - do */
const struct nla_policy nlb_census_run_nl_policy[NLB_A_INFO_MAX_AGE + 1] = {
	[NLB_A_INFO_MAX_AGE] = NLA_POLICY_FULL_RANGE(NLA_U32, &nlb_a_info_max_age_range),
};

/* Ops table for nlb */
const struct genl_ops nlb_nl_ops[14] = {
	{
		.cmd		= NLB_CMD_LISTENER_ADD,
		.doit		= nlb_nl_listener_add_doit,
		.policy		= nlb_listener_add_nl_policy,
		.maxattr	= NLB_A_LISTENER_PERSIST_PREFIX6,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_LISTENER_CHANGE,
		.doit		= nlb_nl_listener_change_doit,
		.policy		= nlb_listener_change_nl_policy,
		.maxattr	= NLB_A_LISTENER_PERSIST_PREFIX6,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_LISTENER_DEL,
		.doit		= nlb_nl_listener_del_doit,
		.policy		= nlb_listener_del_nl_policy,
		.maxattr	= NLB_A_LISTENER_NAME,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_LISTENER_GET,
		.doit		= nlb_nl_listener_get_doit,
		.dumpit		= nlb_nl_listener_get_dumpit,
		.policy		= nlb_listener_get_nl_policy,
		.maxattr	= NLB_A_LISTENER_NAME,
	},
	{
		.cmd		= NLB_CMD_GROUP_ADD,
		.doit		= nlb_nl_group_add_doit,
		.policy		= nlb_group_add_nl_policy,
		.maxattr	= NLB_A_GROUP_PASSIVE_TIMEOUT,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_GROUP_CHANGE,
		.doit		= nlb_nl_group_change_doit,
		.policy		= nlb_group_change_nl_policy,
		.maxattr	= NLB_A_GROUP_PASSIVE_TIMEOUT,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_GROUP_DEL,
		.doit		= nlb_nl_group_del_doit,
		.policy		= nlb_group_del_nl_policy,
		.maxattr	= NLB_A_GROUP_NAME,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_GROUP_GET,
		.doit		= nlb_nl_group_get_doit,
		.dumpit		= nlb_nl_group_get_dumpit,
		.policy		= nlb_group_get_nl_policy,
		.maxattr	= NLB_A_GROUP_NAME,
	},
	{
		.cmd		= NLB_CMD_BACKEND_ADD,
		.doit		= nlb_nl_backend_add_doit,
		.policy		= nlb_backend_add_nl_policy,
		.maxattr	= NLB_A_BACKEND_ENTRY,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_BACKEND_CHANGE,
		.doit		= nlb_nl_backend_change_doit,
		.policy		= nlb_backend_change_nl_policy,
		.maxattr	= NLB_A_BACKEND_PROBE_OK,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_BACKEND_DEL,
		.doit		= nlb_nl_backend_del_doit,
		.policy		= nlb_backend_del_nl_policy,
		.maxattr	= NLB_A_BACKEND_ENTRY,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= NLB_CMD_BACKEND_GET,
		.doit		= nlb_nl_backend_get_doit,
		.dumpit		= nlb_nl_backend_get_dumpit,
		.policy		= nlb_backend_get_nl_policy,
		.maxattr	= NLB_A_BACKEND_PORT,
	},
	{
		.cmd		= NLB_CMD_INFO_GET,
		.doit		= nlb_nl_info_get_doit,
		.policy		= nlb_info_get_nl_policy,
		.maxattr	= NLB_A_INFO_MAX_AGE,
	},
	{
		.cmd		= NLB_CMD_CENSUS_RUN,
		.doit		= nlb_nl_census_run_doit,
		.policy		= nlb_census_run_nl_policy,
		.maxattr	= NLB_A_INFO_MAX_AGE,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

const struct genl_multicast_group nlb_nl_mcgrps[NLB_NLGRP_MONITOR + 1] = {
	[NLB_NLGRP_MONITOR] = { "monitor", },
};
