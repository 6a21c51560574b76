// SPDX-License-Identifier: GPL-2.0
/*
 * nlb: a dual-stack Layer-4 network load balancer on conntrack and nf_nat.
 */
#include <linux/module.h>
#include <linux/netdevice.h>

#include "listener.h"
#include "netlink.h"
#include "netns.h"
#include "offload.h"
#include "track.h"

static int __init nlb_init(void)
{
	int err;

	nlb_listener_init_seed();
	err = nlb_track_init();
	if (err)
		return err;
	err = nlb_netns_init();
	if (err)
		goto err_track;
	err = nlb_offload_init();
	if (err)
		goto err_netns;
	err = nlb_genl_init();
	if (err)
		goto err_offload;
	pr_info("dual-stack L4 load balancer loaded\n");
	return 0;

err_offload:
	nlb_offload_exit();
err_netns:
	nlb_netns_exit();
err_track:
	synchronize_net();
	nlb_track_exit();
	rcu_barrier();
	return err;
}

static void __exit nlb_exit(void)
{
	nlb_genl_exit();
	nlb_offload_exit();
	nlb_netns_exit();
	/* No packet may still run our hook ... */
	synchronize_net();
	/* ... no connection refer to our objects or helper ... */
	nlb_track_exit();
	/*
	 * ... and no RCU callback run our code: twice, for the callbacks
	 * that callbacks (freeing persistence tables) queue.
	 */
	rcu_barrier();
	rcu_barrier();
}

module_init(nlb_init);
module_exit(nlb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Dual-stack Layer-4 network load balancer");
MODULE_AUTHOR("The nlb developers");
MODULE_ALIAS_GENL_FAMILY(NLB_FAMILY_NAME);
