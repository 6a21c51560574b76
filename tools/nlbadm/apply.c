// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm apply FILE: make the running configuration what FILE (add lines,
 * as "nlbadm save" writes them) says, by changing only what differs, in an
 * order that never refuses a connection the end state would accept:
 *
 *   1. new groups, changed groups;
 *   2. new backends (and draining ones taken back), changed backends;
 *   3. changed listeners (a new group, reject mode, persistence);
 *   4. new listeners; a listener whose VIPs, protocol or port change is
 *      deleted and added again, as is one that holds the VIP, protocol and
 *      port a new listener needs (right before it);
 *   5. listeners that are gone;
 *   6. backends that are gone, deleted so that they drain;
 *   7. groups that are gone.
 *
 * The file is checked whole first (syntax, references, the kernel's
 * rules): a wrong line changes nothing. Each change is printed, as the
 * nlbadm command it is, before it is made; a second run changes nothing.
 * import uses the same plan in merge mode: it only adds.
 */
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
				*change |= 1ULL << attr;
			else
				*fixed |= 1ULL << attr;
		}
	}
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
	bool *gone;
	size_t i, j, nl;
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
			if (change)
				plan_add(p, OP_CHANGE, w, change);
		}
	}

	/* 3: listeners that change in place. */
	nl = run->n[CONF_LISTENER];
	gone = calloc(nl + 1, sizeof(*gone));
	if (!gone) {
		pr_err("out of memory");
		exit(EXIT_KERNEL);
	}
	for (i = 0; i < want->n[CONF_LISTENER]; i++) {
		w = &want->v[CONF_LISTENER][i];
		if (w->peer < 0)
			continue;
		diff(w, &run->v[CONF_LISTENER][w->peer], &change, &fixed);
		if (change && !fixed)
			plan_add(p, OP_CHANGE, w, change);
	}
	/* 4: new listeners and those added again. */
	for (i = 0; i < want->n[CONF_LISTENER]; i++) {
		w = &want->v[CONF_LISTENER][i];
		if (w->peer >= 0) {
			diff(w, &run->v[CONF_LISTENER][w->peer], &change,
			     &fixed);
			if (!fixed)
				continue;
		}
		for (j = 0; j < nl; j++) {
			r = &run->v[CONF_LISTENER][j];
			if (gone[j] || !(j == (size_t)w->peer ||
					 vips_clash(w, r)))
				continue;
			plan_add(p, OP_DEL, r, 0);
			gone[j] = true;
		}
		plan_add(p, OP_ADD, w, 0);
	}
	/* 5: listeners that are gone. */
	for (j = 0; j < nl; j++) {
		r = &run->v[CONF_LISTENER][j];
		if (!gone[j] && conf_find(want, r) < 0)
			plan_add(p, OP_DEL, r, 0);
	}
	free(gone);
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
	/* 7: groups that are gone. */
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
