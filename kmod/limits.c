// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace limits on what the configuration holds.
 *
 * Configuring nlb needs CAP_NET_ADMIN in the user namespace that owns the
 * network namespace, which any user has in a namespace of their own. The
 * memory of objects is charged to the memory cgroup of the task that
 * creates them (GFP_KERNEL_ACCOUNT); these limits bound what memory
 * accounting does not: the work of the packet path, the census and the
 * configuration over many objects, and the persistence entries, which the
 * packet path allocates. They are module parameters, writable at runtime by
 * root (/sys/module/nlb/parameters/), and apply to every namespace alike.
 */
#include <linux/moduleparam.h>

#include "limits.h"

unsigned int nlb_max_listeners __read_mostly = 4096;
module_param_named(max_listeners, nlb_max_listeners, uint, 0644);
MODULE_PARM_DESC(max_listeners, "Most listeners per network namespace (4096)");

unsigned int nlb_max_groups __read_mostly = 4096;
module_param_named(max_groups, nlb_max_groups, uint, 0644);
MODULE_PARM_DESC(max_groups, "Most server groups per network namespace (4096)");

unsigned int nlb_max_backends __read_mostly = 65536;
module_param_named(max_backends, nlb_max_backends, uint, 0644);
MODULE_PARM_DESC(max_backends,
		 "Most backends per network namespace, all groups together, draining ones included (65536)");

unsigned int nlb_max_persist __read_mostly = 1048576;
module_param_named(max_persist, nlb_max_persist, uint, 0644);
MODULE_PARM_DESC(max_persist,
		 "Most client persistence entries per network namespace, all listeners together (1048576)");

/**
 * nlb_limit_check() - may one more object of a kind be added?
 * @nn: the namespace state, locked
 * @limit: the kind
 * @attr: the request's attribute for the error message, or NULL
 * @extack: for the error message
 *
 * Return: 0, or -ENOSPC with an error message naming the limit.
 */
int nlb_limit_check(const struct nlb_net *nn, enum nlb_limit limit,
		    const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	switch (limit) {
	case NLB_LIMIT_LISTENERS:
		if (nn->n_listeners < READ_ONCE(nlb_max_listeners))
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the network namespace has as many listeners as it may (module parameter max_listeners)");
		break;
	case NLB_LIMIT_GROUPS:
		if (nn->n_groups < READ_ONCE(nlb_max_groups))
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the network namespace has as many server groups as it may (module parameter max_groups)");
		break;
	case NLB_LIMIT_BACKENDS:
		if (nn->n_backends < READ_ONCE(nlb_max_backends))
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the network namespace has as many backends as it may, draining ones included (module parameter max_backends)");
		break;
	}
	return -ENOSPC;
}
