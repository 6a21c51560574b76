// SPDX-License-Identifier: GPL-2.0
/*
 * nlb_vmtest: tiny out-of-tree module used by tools/vm/selftest to check the
 * VM harness itself: that modules build against the test kernel's build dir,
 * that insmod/rmmod work in the guest, and that tools/vm/run notices a
 * kmemleak report (load with leak=1) or a WARNING (load with warn=1).
 * Never load it on the host.
 */
#include <linux/module.h>
#include <linux/slab.h>

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "leak a kmalloc'ed buffer at load time");

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN_ON(1) at load time");

static void *kept;

static int __init nlb_vmtest_init(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	if (leak) {
		/* forget the only reference: kmemleak must report it */
		p = NULL;
	} else {
		kept = p;
	}
	WARN_ON(warn);
	pr_info("nlb_vmtest: loaded (leak=%d warn=%d)\n", leak, warn);
	return 0;
}

static void __exit nlb_vmtest_exit(void)
{
	kfree(kept);
	pr_info("nlb_vmtest: unloaded\n");
}

module_init(nlb_vmtest_init);
module_exit(nlb_vmtest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tools/vm harness self-test module");
