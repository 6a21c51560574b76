/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NLB_HEALTH_H
#define _NLB_HEALTH_H

#include <linux/types.h>
#include <net/genetlink.h>
#include <uapi/linux/nlb.h>

struct nlb_health_check;
struct nlb_backend;
struct nlb_net;

/* Bits of nlb_health_state.flags */
#define NLB_HS_FAILED	0	/* failed starts counted, not notified yet */

/**
 * struct nlb_health - the health check settings of a server group
 * @passive: count the backends' failed connection starts and notify (read
 *	by the packet path with READ_ONCE())
 * @passive_timeout: milliseconds a new connection may wait for the
 *	backend's first answer before it counts as failed (packet path)
 * @check: the probe settings a health checker in user space reads; NULL
 *	for the defaults (configuration path only, under nlb_net.lock)
 */
struct nlb_health {
	bool passive;
	u32 passive_timeout;
	struct nlb_health_check *check;
};

/**
 * struct nlb_health_state - what a health checker reported on a backend
 * @flags: NLB_HS_* bits (atomic bit operations, set by the packet path)
 * @agent_weight: percentage of the weight the scheduler uses
 * @probe_ok: whether the last probe succeeded
 * @probe_time: when the last probe was reported, milliseconds since the
 *	epoch; 0 for never
 * @health_time: when the health state last changed, milliseconds since
 *	the epoch
 * @reason: why the backend has its health state, or empty
 * @probe: what the last probe found, or empty
 *
 * Written and read under nlb_net.lock but @flags; the packet path reads
 * none of it (agent_weight reaches it through the pool).
 */

struct nlb_health_state {
	unsigned long flags;
	u8 agent_weight;
	bool probe_ok;
	u64 probe_time;
	u64 health_time;
	char reason[NLB_HEALTH_TEXT_MAX_LEN + 1];
	char probe[NLB_HEALTH_TEXT_MAX_LEN + 1];
};

int nlb_health_prepare(struct genl_info *info, const struct nlb_health *cur,
		       struct nlb_health *next);
void nlb_health_commit(struct nlb_health *h, struct nlb_health *next);
void nlb_health_free(struct nlb_health *h);
int nlb_health_fill_group(struct sk_buff *skb, const struct nlb_health *h);

void nlb_health_backend_init(struct nlb_health_state *hs);
bool nlb_health_backend_given(struct nlattr **tb);
int nlb_health_backend_check(struct genl_info *info);
void nlb_health_backend_changed(struct nlb_health_state *hs);
bool nlb_health_backend_report(struct genl_info *info,
			       struct nlb_health_state *hs);
int nlb_health_fill_backend(struct sk_buff *skb,
			    const struct nlb_health_state *hs);

void nlb_health_passive_failed(struct net *net, struct nlb_backend *be,
			       bool reset);
void nlb_health_net_init(struct nlb_net *nn);
void nlb_health_net_stop(struct nlb_net *nn);

/*
 * The weight the scheduler uses: @weight scaled by the agent's percentage,
 * at least 1 unless either is 0.
 */
static inline u8 nlb_health_weight(u8 weight,
				   const struct nlb_health_state *hs)
{
	unsigned int w = (unsigned int)weight * hs->agent_weight / 100;

	return w || !weight || !hs->agent_weight ? w : 1;
}

#endif /* _NLB_HEALTH_H */
