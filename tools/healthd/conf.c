// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration the daemon follows, and what it does with it.
 *
 * Groups hold their check settings; backends are (group, address, port).
 * Each checked backend uses a target: what is probed (address, port, check
 * type, interval, timeout and the type's settings). Backends of several
 * groups with the same real server and the same check share one target,
 * so that the server is probed once per interval whatever the number of
 * groups. Each backend applies its own group's rise and fall to the
 * results of its target, and its own passive threshold.
 *
 * A target is probed on a fixed grid: a random phase within the interval
 * when it is created (so that probes are spread), then every interval
 * from the planned time, not from the end of the last probe (no drift). A
 * loop that was late (stopped, overloaded) probes at once and skips the
 * grid points it missed, counting them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "healthd.h"

struct stats stats;
bool report_probes = true;

#define PASSIVE_BUCKETS	10

struct group {
	struct group *hnext;
	char name[NLB_NAME_MAX_LEN + 1];
	struct check_cfg cfg;
	int nstatus;
	struct status_range status[8];
	struct backend *backends;
	bool stale;
};

struct target {
	struct target *hnext;
	uint32_t hash;
	unsigned char *key;
	size_t keylen;
	uint64_t interval;	/* ns */
	uint64_t planned;	/* the grid point of the next probe */
	struct timer start;
	struct probe pr;
	struct probe_params p;
	char http_path[NLB_HTTP_TEXT_MAX_LEN + 1];
	char http_host[NLB_HTTP_TEXT_MAX_LEN + 1];
	struct status_range status[8];
	unsigned char payload[NLB_UDP_PAYLOAD_MAX_LEN];
	struct backend *users;
	unsigned int n_users;
	uint64_t probes, missed;
};

struct backend {
	struct backend *hnext;
	struct backend *gnext, **gprev;	/* in the group's list */
	struct backend *tnext, **tprev;	/* in the target's users */
	struct group *g;
	struct target *t;
	struct naddr addr;
	uint16_t port;
	/* the kernel's view, as last seen or written */
	uint8_t weight, agent_weight;
	bool enabled, healthy;
	/* hysteresis */
	uint32_t succ, fail;
	/* passive: failed starts per bucket of passive_window / 10 */
	bool fails_known;
	uint64_t fails_seen;
	uint64_t bucket_base;
	uint32_t bucket[PASSIVE_BUCKETS];
	bool stale;
	bool unchecked_logged;
};

/* Chained hash tables of groups, backends and targets. */
struct table {
	void **b;
	size_t nb, n;
};

static struct table groups, backends, targets;

#define NEXT(p)	(*(void **)(p))	/* hnext is the first member of each */

static void table_grow(struct table *t, uint32_t (*hash)(const void *))
{
	size_t nb = t->nb ? 2 * t->nb : 64, i;
	void **b = xcalloc(nb, sizeof(*b)), *p, *next;

	for (i = 0; i < t->nb; i++) {
		for (p = t->b[i]; p; p = next) {
			next = NEXT(p);
			NEXT(p) = b[hash(p) & (nb - 1)];
			b[hash(p) & (nb - 1)] = p;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

static void table_add(struct table *t, void *p, uint32_t (*hash)(const void *))
{
	void **head;

	if (t->n >= t->nb)
		table_grow(t, hash);
	head = &t->b[hash(p) & (t->nb - 1)];
	NEXT(p) = *head;
	*head = p;
	t->n++;
}

static void table_del(struct table *t, void *p, uint32_t h)
{
	void **pp;

	for (pp = &t->b[h & (t->nb - 1)]; *pp; pp = &NEXT(*pp)) {
		if (*pp == p) {
			*pp = NEXT(p);
			t->n--;
			return;
		}
	}
}

static void table_free(struct table *t)
{
	free(t->b);
	memset(t, 0, sizeof(*t));
}

static uint32_t name_hash(const char *name)
{
	return hash_bytes(0, name, strlen(name));
}

static uint32_t group_hash(const void *p)
{
	return name_hash(((const struct group *)p)->name);
}

static uint32_t backend_key_hash(const char *group, const struct naddr *a,
				 uint16_t port)
{
	uint32_t h = name_hash(group);

	h = hash_bytes(h, &a->fam, sizeof(a->fam));
	h = hash_bytes(h, a->fam == AF_INET ? (const void *)&a->v4 :
		       (const void *)&a->v6,
		       a->fam == AF_INET ? sizeof(a->v4) : sizeof(a->v6));
	return hash_bytes(h, &port, sizeof(port));
}

static uint32_t backend_hash(const void *p)
{
	const struct backend *b = p;

	return backend_key_hash(b->g->name, &b->addr, b->port);
}

static uint32_t target_hash(const void *p)
{
	return ((const struct target *)p)->hash;
}

/* ---- settings ---- */

void check_defaults(struct check_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->type = NLB_CHECK_TCP;
	c->udp_reply = true;
	c->interval = 5000;
	c->timeout = 2000;
	c->rise = 2;
	c->fall = 3;
	c->passive_fails = 5;
	c->passive_window = 10000;
	strcpy(c->http_path, "/");
	strcpy(c->http_status, "200-399");
}

/* "200-299,301" into r[]; returns the number of ranges, or -1. */
int status_parse(const char *s, struct status_range *r, int max)
{
	unsigned int lo, hi;
	int n = 0, len;

	while (*s) {
		if (sscanf(s, "%3u%n", &lo, &len) != 1 || len != 3)
			return -1;
		s += len;
		hi = lo;
		if (*s == '-') {
			s++;
			if (sscanf(s, "%3u%n", &hi, &len) != 1 || len != 3)
				return -1;
			s += len;
		}
		if (lo < 100 || hi > 599 || lo > hi || n >= max)
			return -1;
		r[n].lo = lo;
		r[n].hi = hi;
		n++;
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			return -1;
	}
	return n ? n : -1;
}

/* ---- names ---- */

static void be_name(const struct backend *b, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(&b->addr, a, sizeof(a));
	snprintf(buf, len, "%s %s port %u", b->g->name, a, b->port);
}

void backend_id(const struct backend *b, struct backend_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	snprintf(bi->group, sizeof(bi->group), "%s", b->g->name);
	bi->addr = b->addr;
	bi->port = b->port;
}

static void change(struct backend *b, const struct backend_change *ch)
{
	struct backend_info bi;

	backend_id(b, &bi);
	source->change(b, &bi, ch);
}

/* ---- health ---- */

static void set_health(struct backend *b, struct backend_change *ch,
		       bool healthy, const char *reason, const char *why)
{
	char name[BE_NAME_LEN];

	ch->set_health = true;
	ch->healthy = healthy;
	ch->reason = reason;
	b->healthy = healthy;
	stats.changes++;
	be_name(b, name, sizeof(name));
	log_notice("%s: %s: %s (%s)", name, healthy ? "up" : "down", reason,
		   why);
}

static void set_agent_weight(struct backend *b, struct backend_change *ch,
			     uint8_t pct, const char *why)
{
	char name[BE_NAME_LEN];

	ch->set_agent = true;
	ch->agent_weight = pct;
	b->agent_weight = pct;
	stats.changes++;
	be_name(b, name, sizeof(name));
	log_notice("%s: agent weight %u%% (%s)", name, pct, why);
}

/* A probe result of the backend's target: rise, fall, agent answers. */
static void apply(struct backend *b, enum probe_result r, const char *text,
		  const struct agent_answer *a)
{
	const struct check_cfg *c = &b->g->cfg;
	struct backend_change ch = { 0 };
	bool ok = r != PROBE_FAIL;
	char why[48];

	if (r == PROBE_AGENT) {
		int pct = a->weight >= 0 ? a->weight : a->up ? 100 : -1;

		ok = !a->down;
		if (pct >= 0 && pct != b->agent_weight)
			set_agent_weight(b, &ch, pct, text);
		/* An agent that says up or down is believed at once. */
		if (a->down) {
			b->succ = 0;
			b->fail = c->fall;
			if (b->healthy)
				set_health(b, &ch, false, text, "agent");
			goto out;
		}
		if (a->up) {
			b->fail = 0;
			b->succ = c->rise;
			if (!b->healthy)
				set_health(b, &ch, true, text, "agent");
			goto out;
		}
	}
	if (ok) {
		b->fail = 0;
		if (b->succ < UINT32_MAX)
			b->succ++;
		if (!b->healthy && b->succ >= c->rise) {
			snprintf(why, sizeof(why), "%u good probe%s", b->succ,
				 b->succ == 1 ? "" : "s");
			set_health(b, &ch, true, text, why);
		}
	} else {
		b->succ = 0;
		if (b->fail < UINT32_MAX)
			b->fail++;
		if (b->healthy && b->fail >= c->fall) {
			snprintf(why, sizeof(why), "%u failed probe%s", b->fail,
				 b->fail == 1 ? "" : "s");
			set_health(b, &ch, false, text, why);
		}
	}
out:
	if (report_probes) {
		ch.report = true;
		ch.probe_ok = ok;
		ch.probe = text;
	}
	if (ch.report || ch.set_health || ch.set_agent)
		change(b, &ch);
}

/* ---- targets ---- */

static void target_done(struct probe *pr, enum probe_result r,
			const char *text, const struct agent_answer *a)
{
	struct target *t = (struct target *)((char *)pr -
					     offsetof(struct target, pr));
	struct backend *b, *next;

	if (r == PROBE_FAIL)
		stats.probes_failed++;
	else
		stats.probes_ok++;
	for (b = t->users; b; b = next) {
		next = b->tnext;
		apply(b, r, text, a);
	}
}

static void target_start(struct timer *tm)
{
	struct target *t = (struct target *)((char *)tm -
					     offsetof(struct target, start));
	uint64_t now = now_ns(), late, skip;

	/* A probe as long as the interval ends before the next starts. */
	if (probe_running(&t->pr))
		probe_timeout(&t->pr);
	late = now > t->planned ? now - t->planned : 0;
	if (late >= t->interval) {
		skip = late / t->interval;
		t->missed += skip;
		stats.missed += skip;
		t->planned += skip * t->interval;
		late -= skip * t->interval;
	}
	if (late > stats.late_max_ns)
		stats.late_max_ns = late;
	stats.late_sum_ns += late;
	t->probes++;
	stats.probes++;
	t->planned += t->interval;
	timer_arm(&t->start, t->planned);
	probe_start(&t->pr);
}

/* Key bytes of what a backend's check probes; 0 when it is not checked. */
static size_t target_key(const struct backend *b, unsigned char *k,
			 size_t max, uint16_t *port)
{
	const struct check_cfg *c = &b->g->cfg;
	size_t n = 0;

#define PUT(p, len) do {					\
		if (n + (len) > max)				\
			return 0;				\
		memcpy(k + n, (p), (len));			\
		n += (len);					\
	} while (0)

	*port = c->port ? c->port : b->port;
	if (c->type == NLB_CHECK_NONE || !*port)
		return 0;
	PUT(&b->addr.fam, sizeof(b->addr.fam));
	if (b->addr.fam == AF_INET)
		PUT(&b->addr.v4, sizeof(b->addr.v4));
	else
		PUT(&b->addr.v6, sizeof(b->addr.v6));
	PUT(port, sizeof(*port));
	PUT(&c->type, sizeof(c->type));
	PUT(&c->interval, sizeof(c->interval));
	PUT(&c->timeout, sizeof(c->timeout));
	if (c->type == NLB_CHECK_HTTP) {
		PUT(c->http_path, strlen(c->http_path) + 1);
		PUT(c->http_host, strlen(c->http_host) + 1);
		PUT(c->http_status, strlen(c->http_status) + 1);
	} else if (c->type == NLB_CHECK_UDP) {
		PUT(&c->udp_reply, sizeof(c->udp_reply));
		PUT(&c->payload_len, sizeof(c->payload_len));
		PUT(c->payload, c->payload_len);
	}
	return n;
#undef PUT
}

static struct target *target_get(const struct backend *b,
				 const unsigned char *key, size_t len,
				 uint16_t port)
{
	const struct check_cfg *c = &b->g->cfg;
	uint32_t h = hash_bytes(0, key, len);
	struct target *t;

	if (targets.nb) {
		for (t = targets.b[h & (targets.nb - 1)]; t; t = t->hnext)
			if (t->hash == h && t->keylen == len &&
			    !memcmp(t->key, key, len))
				return t;
	}
	t = xcalloc(1, sizeof(*t));
	t->hash = h;
	t->key = xcalloc(1, len);
	memcpy(t->key, key, len);
	t->keylen = len;
	t->interval = (uint64_t)c->interval * 1000000;
	snprintf(t->http_path, sizeof(t->http_path), "%s", c->http_path);
	snprintf(t->http_host, sizeof(t->http_host), "%s", c->http_host);
	memcpy(t->status, b->g->status, sizeof(t->status));
	memcpy(t->payload, c->payload, c->payload_len);
	t->p.type = c->type;
	t->p.udp_reply = c->udp_reply;
	t->p.addr = b->addr;
	t->p.port = port;
	t->p.timeout = c->timeout;
	t->p.http_path = t->http_path;
	t->p.http_host = t->http_host;
	t->p.nstatus = b->g->nstatus;
	t->p.status = t->status;
	t->p.payload = t->payload;
	t->p.payload_len = c->payload_len;
	t->pr.p = &t->p;
	t->pr.w.fd = -1;
	t->pr.done = target_done;
	t->start.fn = target_start;
	/* The first probe within one interval, at a random phase. */
	t->planned = now_ns() + rnd() % t->interval;
	timer_arm(&t->start, t->planned);
	table_add(&targets, t, target_hash);
	stats.targets++;
	return t;
}

static void target_put(struct target *t)
{
	if (t->n_users)
		return;
	probe_abort(&t->pr);
	timer_cancel(&t->start);
	table_del(&targets, t, t->hash);
	stats.targets--;
	free(t->key);
	free(t);
}

static void detach(struct backend *b)
{
	struct target *t = b->t;

	if (!t)
		return;
	*b->tprev = b->tnext;
	if (b->tnext)
		b->tnext->tprev = b->tprev;
	b->t = NULL;
	t->n_users--;
	target_put(t);
}

/* Give the backend the target its group's check says, if it changed. */
static void retarget(struct backend *b)
{
	unsigned char key[64 + 3 * (NLB_HTTP_TEXT_MAX_LEN + 1) +
			  NLB_UDP_PAYLOAD_MAX_LEN];
	char name[BE_NAME_LEN];
	struct target *t;
	uint16_t port;
	size_t len;

	len = target_key(b, key, sizeof(key), &port);
	if (b->t && b->t->keylen == len && !memcmp(b->t->key, key, len))
		return;
	detach(b);
	/* Counts of another check say nothing about this one. */
	b->succ = 0;
	b->fail = 0;
	if (!len) {
		if (b->g->cfg.type != NLB_CHECK_NONE && !b->unchecked_logged) {
			be_name(b, name, sizeof(name));
			log_info("%s: not checked: port 0 and no check-port",
				 name);
			b->unchecked_logged = true;
		}
		return;
	}
	t = target_get(b, key, len, port);
	b->t = t;
	b->tnext = t->users;
	if (t->users)
		t->users->tprev = &b->tnext;
	b->tprev = &t->users;
	t->users = b;
	t->n_users++;
}

/* ---- groups and backends ---- */

static struct group *group_find(const char *name)
{
	struct group *g;

	if (!groups.nb)
		return NULL;
	for (g = groups.b[name_hash(name) & (groups.nb - 1)]; g; g = g->hnext)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

static struct backend *backend_find(const char *group, const struct naddr *a,
				    uint16_t port)
{
	struct backend *b;

	if (!backends.nb)
		return NULL;
	for (b = backends.b[backend_key_hash(group, a, port) &
			    (backends.nb - 1)]; b; b = b->hnext)
		if (b->port == port && addr_eq(&b->addr, a) &&
		    !strcmp(b->g->name, group))
			return b;
	return NULL;
}

static void backend_free(struct backend *b)
{
	detach(b);
	table_del(&backends, b, backend_hash(b));
	*b->gprev = b->gnext;
	if (b->gnext)
		b->gnext->gprev = b->gprev;
	stats.backends--;
	free(b);
}

/* Restore the full agent weight an agent check left behind. */
static void agent_restore(struct backend *b)
{
	struct backend_change ch = { 0 };

	if (b->g->cfg.type == NLB_CHECK_AGENT || b->agent_weight == 100)
		return;
	set_agent_weight(b, &ch, 100, "no agent check");
	change(b, &ch);
}

void conf_group(const char *name, const struct check_cfg *cfg)
{
	struct group *g = group_find(name);
	struct backend *b;
	bool changed;

	if (!g) {
		g = xcalloc(1, sizeof(*g));
		snprintf(g->name, sizeof(g->name), "%s", name);
		table_add(&groups, g, group_hash);
		stats.groups++;
		changed = true;
	} else {
		changed = memcmp(&g->cfg, cfg, sizeof(*cfg));
	}
	g->stale = false;
	if (!changed)
		return;
	g->cfg = *cfg;
	g->nstatus = status_parse(cfg->http_status, g->status,
				  ARRAY_SIZE(g->status));
	if (g->nstatus < 0) {
		log_warn("group %s: bad http-status '%s': taking 200-399",
			 name, cfg->http_status);
		g->nstatus = status_parse("200-399", g->status, 1);
	}
	log_debug("group %s: check %u port %u interval %u timeout %u rise %u fall %u",
		  name, cfg->type, cfg->port, cfg->interval, cfg->timeout,
		  cfg->rise, cfg->fall);
	for (b = g->backends; b; b = b->gnext) {
		retarget(b);
		agent_restore(b);
	}
}

void conf_group_del(const char *name)
{
	struct group *g = group_find(name);

	if (!g)
		return;
	while (g->backends)
		backend_free(g->backends);
	table_del(&groups, g, group_hash(g));
	stats.groups--;
	free(g);
}

/*
 * A backend added or changed; a draining one is as good as deleted.
 * Returns false when its group is unknown (the caller resynchronises).
 */
bool conf_backend(const struct backend_info *bi)
{
	struct group *g = group_find(bi->group);
	struct backend *b;

	if (!g)
		return false;
	b = backend_find(bi->group, &bi->addr, bi->port);
	if (bi->draining) {
		if (b)
			backend_free(b);
		return true;
	}
	if (!b) {
		b = xcalloc(1, sizeof(*b));
		b->g = g;
		b->addr = bi->addr;
		b->port = bi->port;
		table_add(&backends, b, backend_hash);
		b->gnext = g->backends;
		if (g->backends)
			g->backends->gprev = &b->gnext;
		b->gprev = &g->backends;
		g->backends = b;
		stats.backends++;
	}
	b->stale = false;
	b->weight = bi->weight;
	b->agent_weight = bi->agent_weight;
	b->enabled = bi->enabled;
	b->healthy = bi->healthy;
	if (bi->has_fails && !(bi->first_only && b->fails_known)) {
		b->fails_seen = bi->fails;
		b->fails_known = true;
	}
	retarget(b);
	agent_restore(b);
	return true;
}

void conf_backend_del(const struct backend_info *bi)
{
	struct backend *b = backend_find(bi->group, &bi->addr, bi->port);

	if (b)
		backend_free(b);
}

/*
 * The kernel counted failed connection starts: with passive on, enough of
 * them within the window mark a healthy backend down before its next
 * probe; its probes bring it back (rise).
 */
void conf_backend_failed(const struct backend_info *bi)
{
	struct backend *b = backend_find(bi->group, &bi->addr, bi->port);
	struct backend_change ch = { 0 };
	const struct check_cfg *c;
	uint64_t delta, width, now, idx, i;
	char reason[NLB_HEALTH_TEXT_MAX_LEN + 1];
	uint32_t sum = 0;

	if (!b || !bi->has_fails)
		return;
	delta = b->fails_known && bi->fails >= b->fails_seen ?
		bi->fails - b->fails_seen : 0;
	b->fails_seen = bi->fails;
	b->fails_known = true;
	c = &b->g->cfg;
	if (!delta || !c->passive || !b->t)
		return;
	width = (uint64_t)c->passive_window * 1000000 / PASSIVE_BUCKETS;
	now = now_ns();
	idx = now / (width ? width : 1);
	if (idx > b->bucket_base) {
		for (i = b->bucket_base + 1; i <= idx &&
		     i <= b->bucket_base + PASSIVE_BUCKETS; i++)
			b->bucket[i % PASSIVE_BUCKETS] = 0;
		b->bucket_base = idx;
	}
	if (b->bucket[idx % PASSIVE_BUCKETS] + delta > UINT32_MAX)
		b->bucket[idx % PASSIVE_BUCKETS] = UINT32_MAX;
	else
		b->bucket[idx % PASSIVE_BUCKETS] += delta;
	for (i = 0; i < PASSIVE_BUCKETS; i++)
		sum = sum + b->bucket[i] < sum ? UINT32_MAX :
		      sum + b->bucket[i];
	if (!b->healthy || sum < c->passive_fails)
		return;
	snprintf(reason, sizeof(reason), "passive %u failed", sum);
	memset(b->bucket, 0, sizeof(b->bucket));
	b->succ = 0;
	b->fail = c->fall;
	set_health(b, &ch, false, reason, "connections failed to start");
	change(b, &ch);
}

/* Resynchronisation: what conf_begin() to conf_end() did not see goes. */
void conf_begin(void)
{
	struct group *g;
	struct backend *b;
	size_t i;

	for (i = 0; i < groups.nb; i++)
		for (g = groups.b[i]; g; g = g->hnext)
			g->stale = true;
	for (i = 0; i < backends.nb; i++)
		for (b = backends.b[i]; b; b = b->hnext)
			b->stale = true;
}

void conf_end(void)
{
	struct group *g, *gn;
	struct backend *b, *bn;
	size_t i;

	for (i = 0; i < backends.nb; i++) {
		for (b = backends.b[i]; b; b = bn) {
			bn = b->hnext;
			if (b->stale)
				backend_free(b);
		}
	}
	for (i = 0; i < groups.nb; i++) {
		for (g = groups.b[i]; g; g = gn) {
			gn = g->hnext;
			if (g->stale)
				conf_group_del(g->name);
		}
	}
}

void conf_clear(void)
{
	conf_begin();
	conf_end();
	table_free(&groups);
	table_free(&backends);
	table_free(&targets);
}

void conf_stats_targets(void (*fn)(const struct naddr *a, uint16_t port,
				   uint8_t type, uint64_t probes,
				   uint64_t missed, unsigned int users,
				   void *arg),
			void *arg)
{
	struct target *t;
	size_t i;

	for (i = 0; i < targets.nb; i++)
		for (t = targets.b[i]; t; t = t->hnext)
			fn(&t->p.addr, t->p.port, t->p.type, t->probes,
			   t->missed, t->n_users, arg);
}
