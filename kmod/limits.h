/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_LIMITS_H
#define _NLB_LIMITS_H

#include <linux/netlink.h>

#include "netns.h"

/* What a namespace's configuration may hold, in objects. */
enum nlb_limit {
	NLB_LIMIT_LISTENERS,
	NLB_LIMIT_GROUPS,
	NLB_LIMIT_BACKENDS,
};

extern unsigned int nlb_max_listeners;
extern unsigned int nlb_max_groups;
extern unsigned int nlb_max_backends;
extern unsigned int nlb_max_persist;

int nlb_limit_check(const struct nlb_net *nn, enum nlb_limit limit,
		    const struct nlattr *attr, struct netlink_ext_ack *extack);

#endif /* _NLB_LIMITS_H */
