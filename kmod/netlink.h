/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_NETLINK_H
#define _NLB_NETLINK_H

int nlb_genl_init(void);
void nlb_genl_exit(void);

#endif /* _NLB_NETLINK_H */
