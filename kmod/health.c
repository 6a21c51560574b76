// SPDX-License-Identifier: GPL-2.0
/*
 * Health checks: the settings a health checker in user space (nlb-healthd)
 * reads from each server group, and what it reports on each backend.
 *
 * nlb does not probe anything itself. It keeps, per group, how backends are
 * to be probed (type, port, interval, timeout, rise, fall and the settings
 * of each type) and whether the packet path counts failed connection
 * starts (passive); per backend, what the checker last reported: the
 * agent's weight percentage, why the backend has its health state, the
 * last probe's result and when. Everything is validated here as strictly
 * as the rest of the configuration, and echoed in replies so that a
 * checker that starts, or restarts, finds it all in the kernel.
 */
#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/netlink.h>

#include "backend.h"
#include "group.h"
#include "health.h"
#include "netlink.h"
#include "netns.h"
#include "nl-gen.h"

/* The failed notifications of a namespace go out at most this often. */
#define NLB_PASSIVE_NTF_GAP	(HZ / 10)

#define NLB_HTTP_STATUS_MAX	8

/**
 * struct nlb_health_check - how a group's backends are probed
 * @type: NLB_CHECK_*
 * @udp_reply: the UDP check needs an answer
 * @port: the port probed, 0 for each backend's own
 * @interval: milliseconds between the starts of two probes of a backend
 * @timeout: milliseconds a probe may take, at most @interval
 * @rise: successes that make an unhealthy backend healthy
 * @fall: failures that make a healthy backend unhealthy
 * @passive_fails: failed connection starts within @passive_window that
 *	make the checker mark a backend unhealthy
 * @passive_window: milliseconds
 * @payload_len: bytes of @payload
 * @http_path: the HTTP check's path
 * @http_host: its Host header, empty for the backend's address
 * @http_status: the status codes it accepts, as given (validated)
 * @payload: the UDP check's payload
 */
struct nlb_health_check {
	u8 type;
	bool udp_reply;
	u16 port;
	u32 interval;
	u32 timeout;
	u32 rise;
	u32 fall;
	u32 passive_fails;
	u32 passive_window;
	u16 payload_len;
	char http_path[NLB_HTTP_TEXT_MAX_LEN + 1];
	char http_host[NLB_HTTP_TEXT_MAX_LEN + 1];
	char http_status[64];
	u8 payload[NLB_UDP_PAYLOAD_MAX_LEN];
};

static const struct nlb_health_check nlb_health_defaults = {
	.type		= NLB_CHECK_TCP,
	.udp_reply	= true,
	.interval	= 5000,
	.timeout	= 2000,
	.rise		= 2,
	.fall		= 3,
	.passive_fails	= 5,
	.passive_window	= 10000,
	.http_path	= "/",
	.http_status	= "200-399",
};

#define NLB_PASSIVE_TIMEOUT_DEFAULT	3000

static const struct nlb_health_check *
nlb_health_cur(const struct nlb_health *h)
{
	return h && h->check ? h->check : &nlb_health_defaults;
}

/* Three digits, the value in *v. */
static bool nlb_health_code(const char **s, unsigned int *v)
{
	const char *p = *s;

	if (!isdigit(p[0]) || !isdigit(p[1]) || !isdigit(p[2]))
		return false;
	*v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	*s = p + 3;
	return true;
}

/* "200-299,301": codes and ranges of 100-599, at most 8. */
static bool nlb_health_status_ok(const char *s)
{
	unsigned int lo, hi, n = 0;

	do {
		if (!nlb_health_code(&s, &lo))
			return false;
		hi = lo;
		if (*s == '-') {
			s++;
			if (!nlb_health_code(&s, &hi))
				return false;
		}
		if (lo < 100 || hi > 599 || lo > hi ||
		    ++n > NLB_HTTP_STATUS_MAX)
			return false;
	} while (*s == ',' && *++s);
	return !*s;
}

/* A path: "/" then printable ASCII without blanks. */
static bool nlb_health_path_ok(const char *s)
{
	if (*s != '/')
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return false;
	return true;
}

/* A Host header: a name or an address, with a port maybe. */
static bool nlb_health_host_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum(*s) && !strchr(".-_:[]", *s))
			return false;
	return true;
}

static int nlb_health_get_strings(struct nlattr **tb,
				  struct netlink_ext_ack *extack,
				  struct nlb_health_check *c)
{
	struct nlattr *a;

	a = tb[NLB_A_HEALTH_HTTP_PATH];
	if (a) {
		nla_strscpy(c->http_path, a, sizeof(c->http_path));
		if (!nlb_health_path_ok(c->http_path)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "an HTTP check path starts with / and has only printable ASCII characters, no blanks");
			return -EINVAL;
		}
	}
	a = tb[NLB_A_HEALTH_HTTP_HOST];
	if (a) {
		nla_strscpy(c->http_host, a, sizeof(c->http_host));
		if (!nlb_health_host_ok(c->http_host)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "an HTTP check Host header has only letters, digits and .-_:[]");
			return -EINVAL;
		}
	}
	a = tb[NLB_A_HEALTH_HTTP_STATUS];
	if (a) {
		nla_strscpy(c->http_status, a, sizeof(c->http_status));
		if (!nlb_health_status_ok(c->http_status)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "HTTP check status codes are a comma-separated list of codes and ranges of 100-599, such as 200-299,301, at most 8");
			return -EINVAL;
		}
	}
	a = tb[NLB_A_HEALTH_UDP_PAYLOAD];
	if (a) {
		if (nla_len(a) > NLB_UDP_PAYLOAD_MAX_LEN) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "a UDP check payload has at most 512 bytes");
			return -EINVAL;
		}
		c->payload_len = nla_len(a);
		memcpy(c->payload, nla_data(a), c->payload_len);
	}
	return 0;
}

static void nlb_health_get_u32(struct nlattr **tb, int type, u32 *v)
{
	if (tb[type])
		*v = nla_get_u32(tb[type]);
}

/* Apply the attributes of a health nest to @c and check the result. */
static int nlb_health_parse(struct nlattr *nest,
			    struct netlink_ext_ack *extack,
			    struct nlb_health_check *c)
{
	struct nlattr *tb[NLB_A_HEALTH_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NLB_A_HEALTH_MAX, nest,
			       nlb_health_nl_policy, extack);
	if (err)
		return err;
	if (tb[NLB_A_HEALTH_TYPE])
		c->type = nla_get_u8(tb[NLB_A_HEALTH_TYPE]);
	if (tb[NLB_A_HEALTH_PORT])
		c->port = nla_get_u16(tb[NLB_A_HEALTH_PORT]);
	if (tb[NLB_A_HEALTH_UDP_REPLY])
		c->udp_reply = nla_get_u8(tb[NLB_A_HEALTH_UDP_REPLY]);
	nlb_health_get_u32(tb, NLB_A_HEALTH_INTERVAL, &c->interval);
	nlb_health_get_u32(tb, NLB_A_HEALTH_TIMEOUT, &c->timeout);
	nlb_health_get_u32(tb, NLB_A_HEALTH_RISE, &c->rise);
	nlb_health_get_u32(tb, NLB_A_HEALTH_FALL, &c->fall);
	nlb_health_get_u32(tb, NLB_A_HEALTH_PASSIVE_FAILS, &c->passive_fails);
	nlb_health_get_u32(tb, NLB_A_HEALTH_PASSIVE_WINDOW,
			   &c->passive_window);
	err = nlb_health_get_strings(tb, extack, c);
	if (err)
		return err;
	if (c->timeout > c->interval) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NLB_A_HEALTH_TIMEOUT] ?:
				    tb[NLB_A_HEALTH_INTERVAL] ?: nest,
				    "a health check's timeout must not be longer than its interval");
		return -EINVAL;
	}
	if (c->type == NLB_CHECK_AGENT && !c->port) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NLB_A_HEALTH_PORT] ?:
				    tb[NLB_A_HEALTH_TYPE] ?: nest,
				    "an agent check needs a port: the agent's");
		return -EINVAL;
	}
	return 0;
}

/**
 * nlb_health_prepare() - the health settings a group-add or group-change
 * request asks for, checked, ready to be committed
 * @info: the request (NLB_A_GROUP_HEALTH, _PASSIVE, _PASSIVE_TIMEOUT)
 * @cur: the group's settings, NULL for a new group
 * @next: the new settings; its check is NULL when the request changes no
 *	probe setting. Committed with nlb_health_commit() or freed with
 *	nlb_health_free().
 *
 * Changes nothing. In group-change only the given attributes change.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int nlb_health_prepare(struct genl_info *info, const struct nlb_health *cur,
		       struct nlb_health *next)
{
	struct nlattr *nest = info->attrs[NLB_A_GROUP_HEALTH];
	int err;

	next->passive = cur ? cur->passive : false;
	next->passive_timeout = cur ? cur->passive_timeout :
				NLB_PASSIVE_TIMEOUT_DEFAULT;
	next->check = NULL;
	if (info->attrs[NLB_A_GROUP_PASSIVE])
		next->passive = nla_get_u8(info->attrs[NLB_A_GROUP_PASSIVE]);
	if (info->attrs[NLB_A_GROUP_PASSIVE_TIMEOUT])
		next->passive_timeout =
			nla_get_u32(info->attrs[NLB_A_GROUP_PASSIVE_TIMEOUT]);
	if (!nest)
		return 0;
	next->check = kmemdup(nlb_health_cur(cur), sizeof(*next->check),
			      GFP_KERNEL);
	if (!next->check)
		return -ENOMEM;
	err = nlb_health_parse(nest, info->extack, next->check);
	if (err)
		nlb_health_free(next);
	return err;
}

/**
 * nlb_health_commit() - give a group the settings nlb_health_prepare()
 * prepared
 * @h: the group's settings
 * @next: the prepared settings, emptied
 */
void nlb_health_commit(struct nlb_health *h, struct nlb_health *next)
{
	WRITE_ONCE(h->passive, next->passive);
	WRITE_ONCE(h->passive_timeout, next->passive_timeout);
	if (next->check) {
		kfree(h->check);
		h->check = next->check;
		next->check = NULL;
	}
}

/**
 * nlb_health_free() - free the memory of health settings
 * @h: the settings (of a group going away, or prepared and not committed)
 */
void nlb_health_free(struct nlb_health *h)
{
	kfree(h->check);
	h->check = NULL;
}

/**
 * nlb_health_fill_group() - put a group's health settings into a reply
 * @skb: the message
 * @h: the settings
 *
 * Return: 0 or -EMSGSIZE.
 */
int nlb_health_fill_group(struct sk_buff *skb, const struct nlb_health *h)
{
	const struct nlb_health_check *c = nlb_health_cur(h);
	struct nlattr *nest;

	nest = nla_nest_start(skb, NLB_A_GROUP_HEALTH);
	if (!nest ||
	    nla_put_u8(skb, NLB_A_HEALTH_TYPE, c->type) ||
	    nla_put_u16(skb, NLB_A_HEALTH_PORT, c->port) ||
	    nla_put_u32(skb, NLB_A_HEALTH_INTERVAL, c->interval) ||
	    nla_put_u32(skb, NLB_A_HEALTH_TIMEOUT, c->timeout) ||
	    nla_put_u32(skb, NLB_A_HEALTH_RISE, c->rise) ||
	    nla_put_u32(skb, NLB_A_HEALTH_FALL, c->fall) ||
	    nla_put_string(skb, NLB_A_HEALTH_HTTP_PATH, c->http_path) ||
	    nla_put_string(skb, NLB_A_HEALTH_HTTP_HOST, c->http_host) ||
	    nla_put_string(skb, NLB_A_HEALTH_HTTP_STATUS, c->http_status) ||
	    nla_put(skb, NLB_A_HEALTH_UDP_PAYLOAD, c->payload_len,
		    c->payload) ||
	    nla_put_u8(skb, NLB_A_HEALTH_UDP_REPLY, c->udp_reply) ||
	    nla_put_u32(skb, NLB_A_HEALTH_PASSIVE_FAILS, c->passive_fails) ||
	    nla_put_u32(skb, NLB_A_HEALTH_PASSIVE_WINDOW, c->passive_window))
		goto cancel;
	nla_nest_end(skb, nest);
	if (nla_put_u8(skb, NLB_A_GROUP_PASSIVE, h->passive) ||
	    nla_put_u32(skb, NLB_A_GROUP_PASSIVE_TIMEOUT, h->passive_timeout))
		return -EMSGSIZE;
	return 0;
cancel:
	if (nest)
		nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static u64 nlb_health_now(void)
{
	return div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);
}

/**
 * nlb_health_backend_init() - the health state of a new backend
 * @hs: the state: full agent weight, nothing reported, healthy since now
 */
void nlb_health_backend_init(struct nlb_health_state *hs)
{
	memset(hs, 0, sizeof(*hs));
	hs->agent_weight = 100;
	hs->health_time = nlb_health_now();
}

/**
 * nlb_health_backend_given() - does a backend-change request carry
 * anything of a health checker's report?
 * @tb: the attributes of a backend-change request (only: others have
 *	fewer)
 *
 * Return: true if it has agent-weight, reason, probe or probe-ok.
 */
bool nlb_health_backend_given(struct nlattr **tb)
{
	return tb[NLB_A_BACKEND_AGENT_WEIGHT] || tb[NLB_A_BACKEND_REASON] ||
	       tb[NLB_A_BACKEND_PROBE] || tb[NLB_A_BACKEND_PROBE_OK];
}

static int nlb_health_text_check(struct genl_info *info, int type)
{
	struct nlattr *a = info->attrs[type];
	const char *s;

	if (!a)
		return 0;
	for (s = nla_data(a); *s; s++) {
		if (*s < ' ' || *s > '~') {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "a health reason or probe result is printable ASCII");
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * nlb_health_backend_check() - check the report of a backend-change request
 * @info: the request
 *
 * Return: 0 or -EINVAL with an extack message.
 */
int nlb_health_backend_check(struct genl_info *info)
{
	if (info->attrs[NLB_A_BACKEND_PROBE] &&
	    !info->attrs[NLB_A_BACKEND_PROBE_OK]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NLB_A_BACKEND_PROBE],
				    "a probe result needs probe-ok, whether the probe succeeded");
		return -EINVAL;
	}
	return nlb_health_text_check(info, NLB_A_BACKEND_REASON) ?:
	       nlb_health_text_check(info, NLB_A_BACKEND_PROBE);
}

/**
 * nlb_health_backend_changed() - a backend's health changed
 * @hs: its state: the time is stamped, the reason cleared (a report may
 *	give the new one)
 */
void nlb_health_backend_changed(struct nlb_health_state *hs)
{
	hs->health_time = nlb_health_now();
	hs->reason[0] = '\0';
}

/**
 * nlb_health_backend_report() - record a checker's report on a backend
 * @info: a backend-change request for one backend, checked by
 *	nlb_health_backend_check(), applied (agent weight, health)
 * @hs: the backend's state
 *
 * Return: whether the request changes the configuration (anything but a
 * probe result), which is worth a notification.
 */
bool nlb_health_backend_report(struct genl_info *info,
			       struct nlb_health_state *hs)
{
	struct nlattr **tb = info->attrs;
	u64 now = nlb_health_now();

	if (tb[NLB_A_BACKEND_REASON])
		nla_strscpy(hs->reason, tb[NLB_A_BACKEND_REASON],
			    sizeof(hs->reason));
	if (tb[NLB_A_BACKEND_PROBE_OK]) {
		hs->probe_ok = nla_get_u8(tb[NLB_A_BACKEND_PROBE_OK]);
		hs->probe_time = now;
		hs->probe[0] = '\0';
		if (tb[NLB_A_BACKEND_PROBE])
			nla_strscpy(hs->probe, tb[NLB_A_BACKEND_PROBE],
				    sizeof(hs->probe));
	}
	return tb[NLB_A_BACKEND_WEIGHT] || tb[NLB_A_BACKEND_ENABLED] ||
	       tb[NLB_A_BACKEND_HEALTHY] || tb[NLB_A_BACKEND_AGENT_WEIGHT] ||
	       tb[NLB_A_BACKEND_REASON];
}

/**
 * nlb_health_fill_backend() - put a backend's health state into a reply
 * @skb: the message
 * @hs: the state
 *
 * Return: 0 or -EMSGSIZE.
 */
int nlb_health_fill_backend(struct sk_buff *skb,
			    const struct nlb_health_state *hs)
{
	if (nla_put_u8(skb, NLB_A_BACKEND_AGENT_WEIGHT, hs->agent_weight) ||
	    nla_put_string(skb, NLB_A_BACKEND_REASON, hs->reason) ||
	    nla_put_u64_64bit(skb, NLB_A_BACKEND_HEALTH_TIME, hs->health_time,
			      NLB_A_BACKEND_PAD))
		return -EMSGSIZE;
	if (hs->probe_time &&
	    (nla_put_string(skb, NLB_A_BACKEND_PROBE, hs->probe) ||
	     nla_put_u8(skb, NLB_A_BACKEND_PROBE_OK, hs->probe_ok) ||
	     nla_put_u64_64bit(skb, NLB_A_BACKEND_PROBE_TIME, hs->probe_time,
			       NLB_A_BACKEND_PAD)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Passive signals. The conntrack helper (track.c) watches the new
 * connections of groups with passive on until their backend answers; one
 * that fails (reset, or no answer within the passive timeout) is counted
 * here, on its backend and group, and the backend is marked for a failed
 * notification. The notifications of a namespace go out from a work item,
 * which takes nlb_net.lock, at most every NLB_PASSIVE_NTF_GAP: a burst of
 * failures makes one notification per backend and gap. The health checker
 * reads the counters and decides.
 */
static void nlb_health_passive_work(struct work_struct *work)
{
	struct nlb_net *nn = container_of(to_delayed_work(work),
					  struct nlb_net, passive_ntf);
	struct nlb_backend *be;
	struct nlb_group *g;
	int fam;

	mutex_lock(&nn->lock);
	WRITE_ONCE(nn->passive_last, jiffies);
	list_for_each_entry(g, &nn->groups, node)
		for (fam = 0; fam < NLB_NFAM; fam++)
			list_for_each_entry(be, &g->backends[fam], node)
				if (test_and_clear_bit(NLB_HS_FAILED,
						       &be->hs.flags))
					nlb_notify_backend(nn, be,
							   NLB_EVENT_FAILED);
	mutex_unlock(&nn->lock);
}

/**
 * nlb_health_passive_failed() - a new connection failed at its start
 * @net: the connection's namespace
 * @be: its backend, found under RCU (which the caller holds)
 * @reset: the backend reset it; else it did not answer in time
 *
 * May be called in any context but hard interrupts.
 */
void nlb_health_passive_failed(struct net *net, struct nlb_backend *be,
			       bool reset)
{
	struct nlb_net *nn = nlb_net(net);
	unsigned long now = jiffies, next, delay = 0;

	if (reset) {
		nlb_stats_count(&be->cnt, fail_reset);
		nlb_stats_count(&be->group->cnt, fail_reset);
	} else {
		nlb_stats_count(&be->cnt, fail_timeout);
		nlb_stats_count(&be->group->cnt, fail_timeout);
	}
	if (test_and_set_bit(NLB_HS_FAILED, &be->hs.flags))
		return;		/* the notification is on its way */
	next = READ_ONCE(nn->passive_last) + NLB_PASSIVE_NTF_GAP;
	if (time_before(now, next))
		delay = next - now;
	spin_lock_bh(&nn->passive_lock);
	if (!nn->passive_stop)
		queue_delayed_work(system_wq, &nn->passive_ntf, delay);
	spin_unlock_bh(&nn->passive_lock);
}

/**
 * nlb_health_net_init() - set up a namespace's failed notifications
 * @nn: the namespace state
 */
void nlb_health_net_init(struct nlb_net *nn)
{
	INIT_DELAYED_WORK(&nn->passive_ntf, nlb_health_passive_work);
	spin_lock_init(&nn->passive_lock);
	nn->passive_last = jiffies - NLB_PASSIVE_NTF_GAP;
}

/**
 * nlb_health_net_stop() - stop a namespace's failed notifications for good
 * @nn: the namespace state, going away
 */
void nlb_health_net_stop(struct nlb_net *nn)
{
	spin_lock_bh(&nn->passive_lock);
	nn->passive_stop = true;
	spin_unlock_bh(&nn->passive_lock);
	cancel_delayed_work_sync(&nn->passive_ntf);
}
