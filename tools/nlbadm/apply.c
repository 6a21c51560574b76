// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm apply FILE: make the running configuration what FILE (add lines,
 * as "nlbadm save" writes them) says, by changing only what differs, in an
 * order that never refuses a connection the end state would accept:
 *
 *   1. new groups, changed groups (but source pools that go);
 *   2. new backends (and draining ones taken back), changed backends;
 *   3. listeners changed in place (VIPs, group, reject mode, persistence);
 *   4. new listeners, and those whose protocol or port change, deleted
 *      and added again;
 *      in 3 and 4 a listener waits for the VIP, protocol and port it takes
 *      to be given up by the listener that has it: changed before it, or
 *      deleted right before it when the file does not have it (listeners
 *      that trade VIPs: one of them is deleted and added again);
 *   5. listeners that are gone;
 *   6. backends that are gone, deleted so that they drain;
 *   7. source pools that go (after the backends that need them);
 *   8. groups that are gone.
 *
 * The file is checked whole first (syntax, references, the kernel's
 * rules): a wrong line changes nothing. Each change is printed, as the
 * nlbadm command it is, before it is made; a second run changes nothing.
 * import uses the same plan in merge mode: it only adds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "nlbadm.h"

enum op_kind { OP_ADD, OP_CHANGE, OP_DEL };

struct op {
	enum op_kind kind;
	const struct cobj *o;
	uint64_t attrs;		/* OP_CHANGE: the attributes that change */
};

struct plan {
	struct op *v;
	size_t n, cap;
};

static void plan_add(struct plan *p, enum op_kind kind, const struct cobj *o,
		     uint64_t attrs)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 32;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v) {
			pr_err("out of memory");
			exit(EXIT_KERNEL);
		}
	}
	p->v[p->n++] = (struct op){ .kind = kind, .o = o, .attrs = attrs };
}

void plan_free(struct plan *p)
{
	if (p)
		free(p->v);
	free(p);
}

size_t plan_len(const struct plan *p)
{
	return p->n;
}

static const struct cmd *op_cmd(const struct op *op)
{
	const struct ctype *t = &ctypes[op->o->kind];

	return op->kind == OP_ADD ? t->add :
	       op->kind == OP_CHANGE ? t->change : t->del;
}

static void op_print(FILE *f, const struct op *op)
{
	cobj_print(f, op->o, op_cmd(op),
		   op->kind == OP_CHANGE ? &op->attrs : NULL);
}

void plan_print(FILE *f, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		op_print(f, &p->v[i]);
	fflush(f);
}

/*
 * The value the file wants for attribute attr of argument s, with the
 * kernel's default for what it does not say. *care is false when the file
 * does not decide it: runtime state it does not name, a setting without a
 * known default.
 */
static struct nlattr *want_val(const struct cobj *o, const struct arg_spec *s,
			       int attr, bool *care)
{
	*care = true;
	/* Addresses have no default, but IPv6-only ones (prefix6). */
	if (o->tb[attr] || (s->kind == ARG_ADDR && s->attr))
		return o->tb[attr];
	if (s->flags & ARG_RUNTIME) {
		*care = false;
		return NULL;
	}
	*care = cobj_get(o, attr) != NULL;
	return cobj_get(o, attr);
}

#define BIT(attr)	(1ULL << (attr))

static bool in_change(const struct ctype *t, int attr)
{
	const struct arg_spec *s;

	for (s = t->change->args; s->name; s++)
		if (spec_slot(s, s->attr) == attr ||
		    (s->kind == ARG_ADDR && s->attr6 == attr))
			return !(s->flags & ARG_FIXED);
	return false;
}

/*
 * What differs between want and run: the attributes a change can set
 * (*change) and those it cannot (*fixed).
 */
static void diff(const struct cobj *want, const struct cobj *run,
		 uint64_t *change, uint64_t *fixed)
{
	const struct ctype *t = &ctypes[want->kind];
	const struct arg_spec *s;
	struct nlattr *w;
	bool care;
	int i, attr;

	*change = *fixed = 0;
	for (s = t->add->args; s->name; s++) {
		if (spec_is_key(s))
			continue;
		for (i = 0; i < (s->kind == ARG_ADDR ? 2 : 1); i++) {
			attr = spec_slot(s, i ? s->attr6 : s->attr);
			w = want_val(want, s, attr, &care);
			if (!care || attr_eq(w, run->tb[attr]))
				continue;
			if (in_change(t, attr))
				*change |= BIT(attr);
			else
				*fixed |= BIT(attr);
		}
	}
	/* The first and last address of a range go together. */
	for (s = t->add->args; s->name; s++) {
		if (!(s->flags & ARG_LAST))
			continue;
		for (i = 0; i < 2; i++) {
			uint64_t both = i ? BIT(s->attr6) | BIT(s[-1].attr6) :
				       BIT(s->attr) | BIT(s[-1].attr);

			if (*change & both)
				*change |= both;
		}
	}
}

/* The source pools of a group, by family, and what replaces one. */
static const struct {
	int first, last, used, v;
} pools[] = {
	{ NLB_A_GROUP_POOL4_FIRST, NLB_A_GROUP_POOL4_LAST,
	  NLB_A_GROUP_POOL4_USED, 4 },
	{ NLB_A_GROUP_POOL6_FIRST, NLB_A_GROUP_POOL6_LAST,
	  NLB_A_GROUP_POOL6_USED, 6 },
};
#define POOL_PORTS	(BIT(NLB_A_GROUP_POOL_PORT_MIN) | \
			 BIT(NLB_A_GROUP_POOL_PORT_MAX))

/*
 * A change of group run (to want) that replaces or removes a source pool
 * some connection holds an address and port of: the kernel refuses it
 * (EBUSY) until none does. Said before anything changes; returns -1 then.
 */
static int check_pools(const struct cobj *want, const struct cobj *run,
		       uint64_t change)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint32_t used;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pools); i++) {
		if (!run->tb[pools[i].first] ||
		    !(change & (BIT(pools[i].first) | BIT(pools[i].last) |
				POOL_PORTS)))
			continue;
		used = run->tb[pools[i].used] ?
		       nla_get_u32(run->tb[pools[i].used]) : 0;
		if (!used)
			continue;
		inet_ntop(i ? AF_INET6 : AF_INET,
			  nla_data(run->tb[pools[i].first]), a, sizeof(a));
		b[0] = '\0';
		if (run->tb[pools[i].last])
			inet_ntop(i ? AF_INET6 : AF_INET,
				  nla_data(run->tb[pools[i].last]), b,
				  sizeof(b));
		cobj_err(want, "group %s: the IPv%d source pool %s%s%s is in use (%u address%s and port%s held by connections): the kernel refuses to change or remove it until none is held; nothing was changed",
			 cobj_str(run, NLB_A_GROUP_NAME), pools[i].v, a,
			 b[0] ? "-" : "", b, used, used == 1 ? "" : "es",
			 used == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

/* The source pools a group change removes (they go in step 7). */
static uint64_t pools_removed(const struct cobj *want, const struct cobj *run,
			      uint64_t change)
{
	uint64_t rm = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pools); i++)
		if (change & BIT(pools[i].first) && run->tb[pools[i].first] &&
		    !want->tb[pools[i].first])
			rm |= BIT(pools[i].first) | BIT(pools[i].last);
	return rm;
}

static const char *obj_name(const struct cobj *o, char *buf, size_t len)
{
	char a[64];

	switch (o->kind) {
	case CONF_GROUP:
		return cobj_str(o, NLB_A_GROUP_NAME);
	case CONF_LISTENER:
		return cobj_str(o, NLB_A_LISTENER_NAME);
	}
	snprintf(buf, len, "%s %s port %u", cobj_str(o, NLB_A_BACKEND_GROUP),
		 cobj_addr(o, NLB_A_BACKEND_ADDR4, NLB_A_BACKEND_ADDR6, a,
			   sizeof(a)),
		 nla_get_u16(cobj_get(o, NLB_A_BACKEND_PORT)));
	return buf;
}

/* Whether two listeners hold the same VIP, protocol and port. */
static bool vips_clash(const struct cobj *a, const struct cobj *b)
{
	if (!attr_eq(a->tb[NLB_A_LISTENER_PROTO], b->tb[NLB_A_LISTENER_PROTO]) ||
	    !attr_eq(a->tb[NLB_A_LISTENER_PORT], b->tb[NLB_A_LISTENER_PORT]))
		return false;
	return (a->tb[NLB_A_LISTENER_VIP4] &&
		attr_eq(a->tb[NLB_A_LISTENER_VIP4], b->tb[NLB_A_LISTENER_VIP4])) ||
	       (a->tb[NLB_A_LISTENER_VIP6] &&
		attr_eq(a->tb[NLB_A_LISTENER_VIP6], b->tb[NLB_A_LISTENER_VIP6]));
}

/* A listener of the file to change in place or to add (steps 3 and 4). */
struct lop {
	const struct cobj *w;
	long peer;		/* its running listener, or -1 */
	uint64_t change;	/* in place: the attributes that change */
	bool readd;		/* added (the running one deleted first) */
	bool done;
};

/* Steps 3 and 4 (see the top of the file). */
struct lplan {
	const struct conf *run, *want;
	struct plan *p;
	struct lop *ops;
	size_t n;
	long *op_of;		/* each running listener's lop, or -1 */
	/* what holds each running listener's VIPs now, NULL once deleted */
	const struct cobj **hold;
};

static void lplan_del(struct lplan *lp, size_t j)
{
	plan_add(lp->p, OP_DEL, &lp->run->v[CONF_LISTENER][j], 0);
	lp->hold[j] = NULL;
}

/*
 * Whether the VIPs x takes are free but for running listeners that the
 * file does not have; else *pending is a listener that has one and has
 * yet to change or go.
 */
static bool lop_ready(const struct lplan *lp, const struct lop *x,
		      long *pending)
{
	size_t j;

	*pending = -1;
	for (j = 0; j < lp->run->n[CONF_LISTENER]; j++) {
		if (!lp->hold[j] || (long)j == x->peer ||
		    !vips_clash(x->w, lp->hold[j]))
			continue;
		if (lp->op_of[j] >= 0 && !lp->ops[lp->op_of[j]].done) {
			*pending = j;
			return false;
		}
	}
	return true;
}

/* Make x, deleting first the listeners the file does not have in its way. */
static void lop_run(struct lplan *lp, struct lop *x)
{
	size_t j;

	for (j = 0; j < lp->run->n[CONF_LISTENER]; j++)
		if (lp->hold[j] && (long)j != x->peer &&
		    vips_clash(x->w, lp->hold[j]) &&
		    conf_find(lp->want, &lp->run->v[CONF_LISTENER][j]) < 0)
			lplan_del(lp, j);
	if (x->readd) {
		if (x->peer >= 0 && lp->hold[x->peer])
			lplan_del(lp, x->peer);
		plan_add(lp->p, OP_ADD, x->w, 0);
	} else {
		plan_add(lp->p, OP_CHANGE, x->w, x->change);
		lp->hold[x->peer] = x->w;
	}
	x->done = true;
}

static void plan_listeners(struct plan *p, const struct conf *run,
			   const struct conf *want)
{
	size_t nl = run->n[CONF_LISTENER], i, j;
	struct lplan lp = { .run = run, .want = want, .p = p };
	uint64_t change, fixed;
	bool progress, left;
	const struct cobj *w;
	long pend;
	int pass;

	lp.ops = calloc(want->n[CONF_LISTENER] + 1, sizeof(*lp.ops));
	lp.op_of = calloc(nl + 1, sizeof(*lp.op_of));
	lp.hold = calloc(nl + 1, sizeof(*lp.hold));
	if (!lp.ops || !lp.op_of || !lp.hold) {
		pr_err("out of memory");
		exit(EXIT_KERNEL);
	}
	for (j = 0; j < nl; j++) {
		lp.op_of[j] = -1;
		lp.hold[j] = &run->v[CONF_LISTENER][j];
	}
	for (i = 0; i < want->n[CONF_LISTENER]; i++) {
		w = &want->v[CONF_LISTENER][i];
		change = fixed = 0;
		if (w->peer >= 0) {
			diff(w, &run->v[CONF_LISTENER][w->peer], &change,
			     &fixed);
			if (!change && !fixed)
				continue;
			lp.op_of[w->peer] = lp.n;
		}
		lp.ops[lp.n++] = (struct lop){ .w = w, .peer = w->peer,
					       .change = change,
					       .readd = w->peer < 0 || fixed };
	}
	for (;;) {
		progress = left = false;
		/* in place first, then those added */
		for (pass = 0; pass < 2; pass++) {
			for (i = 0; i < lp.n; i++) {
				struct lop *x = &lp.ops[i];

				if (x->done || x->readd != pass)
					continue;
				if (!lop_ready(&lp, x, &pend)) {
					left = true;
					continue;
				}
				lop_run(&lp, x);
				progress = true;
			}
		}
		if (!left)
			break;
		if (progress)
			continue;
		/*
		 * Listeners that trade VIPs: the one in the way of the first
		 * that waits is deleted, and added again in its turn.
		 */
		for (i = 0; i < lp.n && (lp.ops[i].done ||
					 lop_ready(&lp, &lp.ops[i], &pend));
		     i++)
			;
		if (i == lp.n || pend < 0)
			abort();
		lplan_del(&lp, pend);
		lp.ops[lp.op_of[pend]].readd = true;
	}
	/* 5: listeners that are gone. */
	for (j = 0; j < nl; j++)
		if (lp.hold[j] && conf_find(want, &run->v[CONF_LISTENER][j]) < 0)
			lplan_del(&lp, j);
	free(lp.ops);
	free(lp.op_of);
	free(lp.hold);
}

/* Merge mode: want gets the running objects it does not have. */
static int merge_running(const struct conf *run, struct conf *want)
{
	struct cobj *o;
	size_t i, n;
	int k;

	for (k = 0; k < CONF_NKINDS; k++) {
		n = want->n[k];
		for (i = 0; i < run->n[k]; i++) {
			const struct cobj *r = &run->v[k][i];
			size_t j;
			bool dup = false;

			if (r->draining)
				continue;
			for (j = 0; j < n && !dup; j++)
				dup = cobj_same(&want->v[k][j], r);
			if (dup)
				continue;
			if (want->n[k] == want->cap[k]) {
				want->cap[k] = want->cap[k] ? 2 * want->cap[k] : 16;
				want->v[k] = realloc(want->v[k], want->cap[k] *
						     sizeof(*want->v[k]));
				if (!want->v[k]) {
					pr_err("out of memory");
					exit(EXIT_KERNEL);
				}
			}
			o = &want->v[k][want->n[k]++];
			*o = *r;
			nlmsg_get(o->msg);
			o->peer = -1;
		}
	}
	return 0;
}

/*
 * The changes that turn run into want (see the top of the file). Returns
 * NULL with *status EXIT_USAGE, after a message, when want cannot be
 * reached (or, in merge mode, would change a running object).
 */
struct plan *plan_make(const struct conf *run, struct conf *want,
		       enum apply_mode mode, int *status)
{
	struct plan *p = calloc(1, sizeof(*p));
	uint64_t change, fixed;
	size_t i, j;
	char nb[128];
	struct cobj *w;
	const struct cobj *r;
	int k;

	if (!p) {
		pr_err("out of memory");
		exit(EXIT_KERNEL);
	}
	*status = EXIT_USAGE;
	if (mode == APPLY_MERGE)
		merge_running(run, want);
	if (conf_check(want))
		goto fail;

	for (k = 0; k < CONF_NKINDS; k++) {
		for (i = 0; i < want->n[k]; i++) {
			w = &want->v[k][i];
			w->peer = conf_find(run, w);
			if (w->peer < 0)
				continue;
			r = &run->v[k][w->peer];
			diff(w, r, &change, &fixed);
			if (mode == APPLY_MERGE && (change | fixed) &&
			    w->file) {
				cobj_err(w, "%s %s exists with other settings",
					 ctypes[k].name,
					 obj_name(w, nb, sizeof(nb)));
				goto fail;
			}
			if (k == CONF_GROUP && fixed) {
				cobj_err(w, "the ipversion of group %s cannot change: delete the group first, or give it another name",
					 obj_name(w, nb, sizeof(nb)));
				goto fail;
			}
		}
	}

	/* 1, 2: groups and backends, new or changed. */
	for (k = CONF_GROUP; k <= CONF_BACKEND; k++) {
		for (i = 0; i < want->n[k]; i++) {
			w = &want->v[k][i];
			if (w->peer < 0 || run->v[k][w->peer].draining) {
				plan_add(p, OP_ADD, w, 0);
				continue;
			}
			diff(w, &run->v[k][w->peer], &change, &fixed);
			if (k == CONF_GROUP) {
				if (check_pools(w, &run->v[k][w->peer], change))
					goto fail;
				change &= ~pools_removed(w, &run->v[k][w->peer],
							 change);
			}
			if (change)
				plan_add(p, OP_CHANGE, w, change);
		}
	}
	/* 3, 4, 5: listeners. */
	plan_listeners(p, run, want);
	/* 6: backends that are gone, of groups that stay. */
	for (j = 0; j < run->n[CONF_BACKEND]; j++) {
		struct cobj g = { .kind = CONF_GROUP };
		struct nl_msg *m;

		r = &run->v[CONF_BACKEND][j];
		if (r->draining || conf_find(want, r) >= 0)
			continue;
		/* A group object of the backend's group name, to look up. */
		m = nlmsg_alloc();
		if (!m || !genlmsg_put(m, 0, 0, 0, 0, 0, NLB_CMD_GROUP_GET, 1) ||
		    nla_put_string(m, NLB_A_GROUP_NAME,
				   cobj_str(r, NLB_A_BACKEND_GROUP)))
			nl_put_fail();
		g.msg = m;
		obj_parse(&group_obj, m, g.tb);
		if (conf_find(want, &g) >= 0)
			plan_add(p, OP_DEL, r, 0);
		nlmsg_free(m);
	}
	/* 7: source pools that go. */
	for (i = 0; i < want->n[CONF_GROUP]; i++) {
		w = &want->v[CONF_GROUP][i];
		if (w->peer < 0)
			continue;
		diff(w, &run->v[CONF_GROUP][w->peer], &change, &fixed);
		change = pools_removed(w, &run->v[CONF_GROUP][w->peer], change);
		if (change)
			plan_add(p, OP_CHANGE, w, change);
	}
	/* 8: groups that are gone. */
	for (j = 0; j < run->n[CONF_GROUP]; j++) {
		r = &run->v[CONF_GROUP][j];
		if (conf_find(want, r) < 0)
			plan_add(p, OP_DEL, r, 0);
	}
	*status = EXIT_OK;
	return p;
fail:
	plan_free(p);
	return NULL;
}

/* Backends one request carries at most (as batch files), and its size. */
#define BATCH_BACKENDS		1024
#define BATCH_REQ_SIZE		(128 * 1024)

static bool same_batch(const struct op *a, const struct op *b)
{
	return a->kind == b->kind && a->o->kind == CONF_BACKEND &&
	       b->o->kind == CONF_BACKEND &&
	       !strcmp(cobj_str(a->o, NLB_A_BACKEND_GROUP),
		       cobj_str(b->o, NLB_A_BACKEND_GROUP));
}

static const uint64_t *op_attrs(const struct op *op)
{
	static const uint64_t none;

	return op->kind == OP_CHANGE ? &op->attrs :
	       op->kind == OP_DEL ? &none : NULL;
}

/*
 * Make the changes, printing each to f first. Consecutive changes of the
 * same kind to backends of one group go as one request (all or nothing,
 * one rebuild of the group's pools). Stops at the first request the
 * kernel refuses. Returns an exit status.
 */
int plan_run(const struct plan *p, FILE *f)
{
	const struct op *op;
	struct nl_msg *req;
	struct nlattr *nest;
	size_t i, j, n;

	for (i = 0; i < p->n; i += n) {
		op = &p->v[i];
		for (n = 1; i + n < p->n && n < BATCH_BACKENDS &&
		     same_batch(op, &p->v[i + n]); n++)
			;
		for (j = 0; j < n; j++)
			op_print(f, &p->v[i + j]);
		fflush(f);
		if (n == 1) {
			req = nl_req(op_cmd(op)->nlcmd, false);
			cobj_put(req, op->o, op_cmd(op), op_attrs(op), 0);
		} else {
			req = nl_req_size(op_cmd(op)->nlcmd, false,
					  BATCH_REQ_SIZE);
			if (nla_put_string(req, NLB_A_BACKEND_GROUP,
					   cobj_str(op->o, NLB_A_BACKEND_GROUP)))
				nl_put_fail();
			for (j = 0; j < n; j++) {
				nest = nla_nest_start(req, NLB_A_BACKEND_ENTRY);
				if (!nest)
					nl_put_fail();
				cobj_put(req, p->v[i + j].o, op_cmd(op),
					 op_attrs(&p->v[i + j]),
					 NLB_A_BACKEND_GROUP);
				nla_nest_end(req, nest);
			}
		}
		if (nl_exec(req, NULL)) {
			nl_report();
			pr_err("stopped: the %zu change%s above the last %zu were made, %s",
			       i, i == 1 ? "" : "s", n, n == 1 ?
			       "the last was not" :
			       "the last (one request, all or nothing) were not");
			return EXIT_KERNEL;
		}
	}
	return EXIT_OK;
}

/* --dry-run or -n anywhere among the arguments; the rest stay in argv. */
int take_dry_run(int *argc, char **argv)
{
	int i, j, dry = 0;

	for (i = j = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			dry = 1;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return dry || opts.dry_run;
}

int apply_main(int argc, char **argv)
{
	struct conf want, run;
	struct plan *p;
	int ret, dry;

	dry = take_dry_run(&argc, argv);
	if (argc != 1) {
		if (argc)
			usage_error("unexpected argument '%s'", argv[1]);
		else
			usage_error("missing FILE");
		return usage_cmd("apply");
	}
	conf_init(&want);
	/* the file alone first: a wrong one fails without the kernel */
	ret = conf_read_path(&want, argv[0]) ?: conf_check(&want);
	if (ret) {
		conf_free(&want);
		return ret;
	}
	ret = conf_read_running(&run);
	if (!ret) {
		p = plan_make(&run, &want, APPLY_REPLACE, &ret);
		if (p && dry)
			plan_print(stdout, p);
		else if (p)
			ret = plan_run(p, stdout);
		plan_free(p);
	}
	conf_free(&run);
	conf_free(&want);
	return ret;
}
