/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/nlb.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_NLB_GEN_H
#define _LINUX_NLB_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/nlb.h>

/* Common nested types */
extern const struct nla_policy nlb_backend_entry_nl_policy[NLB_A_BACKEND_HEALTHY + 1];
extern const struct nla_policy nlb_health_nl_policy[NLB_A_HEALTH_PASSIVE_WINDOW + 1];

extern const struct nla_policy nlb_listener_add_nl_policy[NLB_A_LISTENER_PERSIST_PREFIX6 + 1];

extern const struct nla_policy nlb_listener_change_nl_policy[NLB_A_LISTENER_PERSIST_PREFIX6 + 1];

extern const struct nla_policy nlb_listener_del_nl_policy[NLB_A_LISTENER_NAME + 1];

extern const struct nla_policy nlb_listener_get_nl_policy[NLB_A_LISTENER_NAME + 1];

extern const struct nla_policy nlb_group_add_nl_policy[NLB_A_GROUP_PASSIVE_TIMEOUT + 1];

extern const struct nla_policy nlb_group_change_nl_policy[NLB_A_GROUP_PASSIVE_TIMEOUT + 1];

extern const struct nla_policy nlb_group_del_nl_policy[NLB_A_GROUP_NAME + 1];

extern const struct nla_policy nlb_group_get_nl_policy[NLB_A_GROUP_NAME + 1];

extern const struct nla_policy nlb_backend_add_nl_policy[NLB_A_BACKEND_ENTRY + 1];

extern const struct nla_policy nlb_backend_change_nl_policy[NLB_A_BACKEND_PROBE_OK + 1];

extern const struct nla_policy nlb_backend_del_nl_policy[NLB_A_BACKEND_ENTRY + 1];

extern const struct nla_policy nlb_backend_get_nl_policy[NLB_A_BACKEND_PORT + 1];

extern const struct nla_policy nlb_info_get_nl_policy[NLB_A_INFO_MAX_AGE + 1];

extern const struct nla_policy nlb_census_run_nl_policy[NLB_A_INFO_MAX_AGE + 1];

/* Ops table for nlb */
extern const struct genl_ops nlb_nl_ops[14];

int nlb_nl_listener_add_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_listener_change_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_listener_del_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_listener_get_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_listener_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int nlb_nl_group_add_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_group_change_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_group_del_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_group_get_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_group_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int nlb_nl_backend_add_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_backend_change_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_backend_del_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_backend_get_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_backend_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int nlb_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info);
int nlb_nl_census_run_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	NLB_NLGRP_MONITOR,
};

extern const struct genl_multicast_group nlb_nl_mcgrps[NLB_NLGRP_MONITOR + 1];

#endif /* _LINUX_NLB_GEN_H */
