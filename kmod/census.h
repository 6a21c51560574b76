/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_CENSUS_H
#define _NLB_CENSUS_H

#include <linux/ktime.h>
#include <linux/list_nulls.h>
#include <linux/netlink.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct nlb_net;
struct nlb_census_batch;

/**
 * struct nlb_census - the background census of a namespace's connections
 * @work: the walk, a slice of the conntrack table per run
 * @batch: what a slice found to act on, done once its locks are dropped
 * @hash: the table the census in progress walks (only compared, never
 *	dereferenced outside a bucket lock: a resize restarts the census)
 * @hsize: its size
 * @bucket: the next bucket to walk
 * @running: a census is in progress
 * @seq: censuses started
 * @snap_seq: the census the counters' snapshots come from (0: none yet)
 * @want_seq: census-run requests wait for this census
 * @start: when (ktime) the census in progress started
 * @snap_time: when (jiffies) the snapshot's census ended
 * @wanted_until: until when (jiffies) readers want frequent censuses
 * @conns: the namespace's connections the census in progress saw
 * @snap_conns: those of the snapshot's census
 * @duration_us: how long the snapshot's census took
 * @wq: census-run requests waiting for a census
 *
 * Under nlb_net.lock, except the walk's own position, which only the work
 * touches.
 */
struct nlb_census {
	struct delayed_work work;
	struct nlb_census_batch *batch;
	struct hlist_nulls_head *hash;
	unsigned int hsize;
	unsigned int bucket;
	bool running;
	u64 seq;
	u64 snap_seq;
	u64 want_seq;
	ktime_t start;
	unsigned long snap_time;
	unsigned long wanted_until;
	u64 conns;
	u64 snap_conns;
	u32 duration_us;
	wait_queue_head_t wq;
};

int nlb_census_net_init(struct nlb_net *nn);
void nlb_census_net_stop(struct nlb_net *nn);
void nlb_census_net_exit(struct nlb_net *nn);
void nlb_census_kick(struct nlb_net *nn);
void nlb_census_want(struct nlb_net *nn, u32 max_age_ms);
int nlb_census_run(struct nlb_net *nn, u32 max_age_ms,
		   struct netlink_ext_ack *extack);
u64 nlb_census_next_seq(const struct nlb_net *nn);
u32 nlb_census_age_ms(const struct nlb_net *nn);

#endif /* _NLB_CENSUS_H */
