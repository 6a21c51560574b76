/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_NETLINK_H
#define _NLB_NETLINK_H

#include <linux/types.h>

struct nlb_backend;
struct nlb_net;

int nlb_genl_init(void);
void nlb_genl_exit(void);
void nlb_notify_backend(struct nlb_net *nn, const struct nlb_backend *be,
			u8 event);

#endif /* _NLB_NETLINK_H */
