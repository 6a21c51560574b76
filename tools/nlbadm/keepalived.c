// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm import keepalived: the virtual_server blocks of keepalived.conf.
 *
 *   virtual_server ADDRESS PORT | group NAME {
 *       lb_algo|lvs_sched SCHED
 *       lb_kind|lvs_method NAT
 *       persistence_timeout SECONDS
 *       persistence_granularity NETMASK
 *       protocol TCP|UDP
 *       delay_loop SECONDS
 *       real_server ADDRESS PORT {
 *           weight W
 *           TCP_CHECK { ... }  HTTP_GET { ... }  SSL_GET { ... }
 *       }
 *   }
 *
 * with virtual_server_group blocks (ADDRESS PORT and ADDRESS-LAST PORT
 * entries) and include (globs, relative to the including file). Direct
 * routing and tunnelling, fwmark and SCTP services and schedulers nlb
 * lacks are refused; every other statement nlb has no use for (VRRP,
 * global_defs, sorry_server, quorum, ...) is listed as not imported.
 *
 * Checkers become the group's health check settings (nlb checks all the
 * backends of a group alike, keepalived each real server on its own):
 * TCP_CHECK a tcp check, HTTP_GET an http check (the first url's path and
 * status codes, virtualhost the Host), SSL_GET a tcp check (nlb-healthd
 * speaks no TLS); delay_loop the interval (keepalived's default 60 s),
 * connect_timeout the timeout (default 5 s), retry (or nb_get_retry) N
 * fall N + 1, and rise 1 (keepalived takes a server back at its first
 * success). A service whose real servers have no checker gets check none:
 * keepalived keeps them in. What a group cannot hold (other checkers,
 * checkers that differ between real servers, digests) is listed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "nlbadm.h"

/* A statement: its words and, if it has one, its block. */
struct knode {
	char **w;
	int nw;
	unsigned long line;
	const char *file;
	struct knode *kids;
	size_t nkids;
	bool block;
};

struct ktok {
	char *s;		/* NULL: end of line */
	unsigned long line;
	const char *file;
};

struct klex {
	struct ktok *v;
	size_t n, cap, pos;
	char **files;		/* names, kept for messages */
	size_t nfiles;
	int depth;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		pr_err("out of memory");
		exit(EXIT_KERNEL);
	}
	return p;
}

static void tok_add(struct klex *lx, char *s, unsigned long line,
		    const char *file)
{
	if (lx->n == lx->cap) {
		lx->cap = lx->cap ? 2 * lx->cap : 256;
		lx->v = xrealloc(lx->v, lx->cap * sizeof(*lx->v));
	}
	lx->v[lx->n++] = (struct ktok){ .s = s, .line = line, .file = file };
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d) {
		pr_err("out of memory");
		exit(EXIT_KERNEL);
	}
	return d;
}

static int lex_file(struct import *im, struct klex *lx, FILE *in,
		    const char *name);

/* include PATTERN, relative to the directory of the including file. */
static int lex_include(struct import *im, struct klex *lx, const char *pat,
		       const char *from, unsigned long line)
{
	char *dir, path[4096];
	glob_t g;
	size_t i;
	FILE *f;
	int err;

	if (lx->depth > 8) {
		imp_error(im, line, "includes nested too deep");
		return -1;
	}
	dir = strdup(from);
	if (!dir)
		return -1;
	if (pat[0] == '/' || !strcmp(from, "<stdin>"))
		snprintf(path, sizeof(path), "%s", pat);
	else
		snprintf(path, sizeof(path), "%s/%s", dirname(dir), pat);
	free(dir);
	err = glob(path, 0, NULL, &g);
	if (err == GLOB_NOMATCH)
		return 0;	/* keepalived ignores it too */
	if (err) {
		imp_error(im, line, "include %s: cannot expand", pat);
		return -1;
	}
	for (i = 0; i < g.gl_pathc; i++) {
		f = fopen(g.gl_pathv[i], "r");
		if (!f) {
			imp_error(im, line, "include %s: %s", g.gl_pathv[i],
				  strerror(errno));
			continue;
		}
		lx->files = xrealloc(lx->files,
				     (lx->nfiles + 1) * sizeof(*lx->files));
		lx->files[lx->nfiles] = xstrndup(g.gl_pathv[i],
						 strlen(g.gl_pathv[i]));
		lx->depth++;
		lex_file(im, lx, f, lx->files[lx->nfiles++]);
		lx->depth--;
		fclose(f);
	}
	globfree(&g);
	return 0;
}

/* Words, braces (tokens of their own) and ends of lines; # and ! comment. */
static int lex_file(struct import *im, struct klex *lx, FILE *in,
		    const char *name)
{
	char *line = NULL, *p, *q;
	unsigned long lineno = 0;
	size_t size = 0, first;
	const char *saved = im->file;

	im->file = name;
	while (getline(&line, &size, in) >= 0) {
		lineno++;
		first = lx->n;
		for (p = line; *p;) {
			if (isspace((unsigned char)*p)) {
				p++;
			} else if (*p == '#' || *p == '!') {
				break;
			} else if (*p == '{' || *p == '}') {
				tok_add(lx, xstrndup(p, 1), lineno, name);
				p++;
			} else if (*p == '"') {
				q = strchr(p + 1, '"');
				if (!q)
					q = p + strlen(p);
				tok_add(lx, xstrndup(p + 1, q - p - 1), lineno,
					name);
				p = *q ? q + 1 : q;
			} else {
				for (q = p; *q && !isspace((unsigned char)*q) &&
				     *q != '{' && *q != '}'; q++)
					;
				tok_add(lx, xstrndup(p, q - p), lineno, name);
				p = q;
			}
		}
		if (lx->n - first == 2 && !strcmp(lx->v[first].s, "include")) {
			char *pat = lx->v[first + 1].s;

			free(lx->v[first].s);
			lx->n = first;
			lex_include(im, lx, pat, name, lineno);
			free(pat);
			continue;
		}
		tok_add(lx, NULL, lineno, name);
	}
	free(line);
	im->file = saved;
	return ferror(in) ? -1 : 0;
}

static void node_free(struct knode *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++)
		node_free(&n->kids[i]);
	free(n->kids);
	free(n->w);
}

/* The statements up to the closing brace (or the end) into parent. */
static void parse_block(struct klex *lx, struct knode *parent)
{
	struct knode *n = NULL;
	struct ktok *t;

	while (lx->pos < lx->n) {
		t = &lx->v[lx->pos++];
		if (!t->s) {
			/* "stmt\n{" opens the block of stmt */
			if (n && !n->block && lx->pos < lx->n &&
			    lx->v[lx->pos].s && !strcmp(lx->v[lx->pos].s, "{"))
				continue;
			n = NULL;
			continue;
		}
		if (!strcmp(t->s, "}"))
			return;
		if (!strcmp(t->s, "{")) {
			if (!n || n->block) {
				/* a block without a statement: skip it */
				struct knode tmp = { 0 };

				parse_block(lx, &tmp);
				node_free(&tmp);
				continue;
			}
			n->block = true;
			parse_block(lx, n);
			n = NULL;
			continue;
		}
		if (!n) {
			parent->kids = xrealloc(parent->kids,
						(parent->nkids + 1) *
						sizeof(*parent->kids));
			n = &parent->kids[parent->nkids++];
			memset(n, 0, sizeof(*n));
			n->line = t->line;
			n->file = t->file;
		}
		n->w = xrealloc(n->w, (n->nw + 1) * sizeof(*n->w));
		n->w[n->nw++] = t->s;
	}
}

static void at(struct import *im, const struct knode *n)
{
	im->file = n->file;
}

static bool kw(const struct knode *n, const char *a, const char *b)
{
	return !strcmp(n->w[0], a) || (b && !strcmp(n->w[0], b));
}

static const char *arg1(const struct knode *n)
{
	return n->nw > 1 ? n->w[1] : "";
}

static int uint_arg(struct import *im, const struct knode *n,
		    unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(arg1(n), &end, 10);
	if (!isdigit((unsigned char)*arg1(n)) || errno || *end || *v > max) {
		imp_error(im, n->line, "%s: invalid value '%s'", n->w[0],
			  arg1(n));
		return -1;
	}
	return 0;
}

/* A checker of a real server, as the group's health check settings. */
struct kcheck {
	int type;		/* NLB_CHECK_TCP or NLB_CHECK_HTTP; 0: none */
	const char *name;	/* TCP_CHECK, HTTP_GET, SSL_GET */
	unsigned long line;
	unsigned long timeout;	/* ms, 0: keepalived's default */
	unsigned long delay;	/* ms, delay_loop of the checker; 0: none */
	long retry;		/* -1: not given */
	char path[NLB_HTTP_TEXT_MAX_LEN + 1];
	char host[NLB_HTTP_TEXT_MAX_LEN + 1];
	char status[64];
};

/* What a virtual_server says, before it has addresses. */
struct vs {
	struct isvc s;		/* settings; no address */
	bool sctp, refused;
	unsigned long reals_line;
	unsigned long delay;	/* delay_loop, ms; 0: not given */
	struct kcheck chk;	/* the first real server's checker */
	size_t nchecked;	/* real servers with a checker */
};

/* A duration in (decimal) seconds, as milliseconds in [1, max]. */
static int secs_arg(struct import *im, const struct knode *n,
		    unsigned long max, unsigned long *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg1(n), &end);
	if (!isdigit((unsigned char)*arg1(n)) || errno || *end ||
	    v * 1000 < 1 || v * 1000 > max) {
		imp_error(im, n->line, "%s: invalid value '%s'", n->w[0],
			  arg1(n));
		return -1;
	}
	*ms = (unsigned long)(v * 1000 + 0.5);
	return 0;
}

/* Whether a text fits a setting: printable, no blank, at most max bytes. */
static bool word_ok(const char *w, size_t max)
{
	size_t i, n = strlen(w);

	for (i = 0; i < n; i++)
		if ((unsigned char)w[i] <= ' ' || (unsigned char)w[i] > '~')
			return false;
	return n >= 1 && n <= max;
}

/* url { path P; status_code C...; digest D } of HTTP_GET */
static void check_url(struct import *im, const struct knode *n,
		      struct kcheck *c)
{
	size_t i, len;

	for (i = 0; i < n->nkids; i++) {
		const struct knode *k = &n->kids[i];

		at(im, k);
		if (kw(k, "path", NULL)) {
			if (*arg1(k) != '/' ||
			    !word_ok(arg1(k), NLB_HTTP_TEXT_MAX_LEN))
				imp_warn(im, k->line, "path %s (nlb's http-path is a path of printable characters)",
					 arg1(k));
			else
				snprintf(c->path, sizeof(c->path), "%s",
					 arg1(k));
		} else if (kw(k, "status_code", NULL)) {
			len = strlen(c->status);
			if (!word_ok(arg1(k), 11) ||
			    len + strlen(arg1(k)) + 1 >= sizeof(c->status))
				imp_warn(im, k->line, "status_code %s",
					 arg1(k));
			else
				snprintf(c->status + len,
					 sizeof(c->status) - len, "%s%s",
					 len ? "," : "", arg1(k));
		} else if (kw(k, "digest", NULL)) {
			imp_warn(im, k->line, "digest (nlb-healthd checks the status code, not the body)");
		} else {
			imp_warn(im, k->line, "%s", k->w[0]);
		}
	}
}

/* A checker block of a real server; r->check_port its port. */
static void checker(struct import *im, const struct knode *n,
		    struct kcheck *c, struct ireal *r)
{
	unsigned long v;
	size_t i;
	int urls = 0;

	memset(c, 0, sizeof(*c));
	c->name = n->w[0];
	c->line = n->line;
	c->retry = -1;
	c->type = kw(n, "HTTP_GET", NULL) ? NLB_CHECK_HTTP : NLB_CHECK_TCP;
	if (kw(n, "SSL_GET", NULL))
		imp_warn(im, n->line, "SSL_GET's TLS (checked as a TCP connect: nlb-healthd does not speak TLS)");
	for (i = 0; i < n->nkids; i++) {
		const struct knode *k = &n->kids[i];

		at(im, k);
		if (kw(k, "connect_port", NULL)) {
			if (!uint_arg(im, k, 65535, &v))
				r->check_port = v;
		} else if (kw(k, "connect_timeout", NULL)) {
			secs_arg(im, k, 3600000, &c->timeout);
		} else if (kw(k, "delay_loop", NULL)) {
			secs_arg(im, k, 3600000, &c->delay);
		} else if (kw(k, "retry", "nb_get_retry")) {
			if (!uint_arg(im, k, 1000, &v))
				c->retry = v;
		} else if (kw(k, "virtualhost", NULL) &&
			   c->type == NLB_CHECK_HTTP) {
			if (!word_ok(arg1(k), NLB_HTTP_TEXT_MAX_LEN) ||
			    strspn(arg1(k), "abcdefghijklmnopqrstuvwxyz"
					    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789.-_:[]") !=
			    strlen(arg1(k)))
				imp_warn(im, k->line, "virtualhost %s (nlb's http-host has letters, digits and .-_:[] only)",
					 arg1(k));
			else
				snprintf(c->host, sizeof(c->host), "%s",
					 arg1(k));
		} else if (kw(k, "url", NULL) && c->type == NLB_CHECK_HTTP) {
			if (urls++)
				imp_warn(im, k->line, "url (nlb checks one path: the first url's)");
			else
				check_url(im, k, c);
		} else if (kw(k, "delay_before_retry", NULL)) {
			imp_warn(im, k->line, "delay_before_retry (nlb-healthd probes at the interval)");
		} else {
			imp_warn(im, k->line, "%s", k->w[0]);
		}
	}
}

static bool check_same(const struct kcheck *a, const struct kcheck *b)
{
	return a->type == b->type && a->timeout == b->timeout &&
	       a->delay == b->delay && a->retry == b->retry &&
	       !strcmp(a->path, b->path) && !strcmp(a->host, b->host) &&
	       !strcmp(a->status, b->status);
}

/*
 * The health check settings of a service, as nlbadm arguments, from the
 * checker of its first real server; its real servers' ports are known.
 */
static char *check_args(struct import *im, const struct vs *vs,
			const struct isvc *s)
{
	const struct kcheck *c = &vs->chk;
	unsigned long interval, timeout;
	char buf[512];
	size_t i, len;
	int port = -1;

	if (!vs->nchecked)
		return strdup("check none");
	/* one port for all: each its own (0), or the same one */
	for (i = 0; i < s->nreals; i++) {
		int p = s->reals[i].check_port == s->reals[i].port ? 0 :
			s->reals[i].check_port;

		if (!s->reals[i].checked) {
			imp_warn(im, s->reals[i].line, "real_server without a checker (nlb checks all the backends of a group alike)");
			continue;
		}
		if (port < 0) {
			port = p;
		} else if (p != port) {
			imp_warn(im, s->reals[i].line, "connect_port %d (nlb checks a group's backends on one port, or each on its own): checked on %d",
				 s->reals[i].check_port, port ? port :
				 s->reals[i].port);
		}
	}
	interval = c->delay ? c->delay : vs->delay ? vs->delay : 60000;
	if (interval < 100)
		interval = 100;
	timeout = c->timeout ? c->timeout : 5000;
	if (timeout < 10)
		timeout = 10;
	if (timeout > interval) {
		imp_warn(im, c->line, "connect_timeout %lums beyond the interval (nlb's timeout is at most the interval): %lums",
			 timeout, interval);
		timeout = interval;
	}
	len = snprintf(buf, sizeof(buf), "check %s",
		       c->type == NLB_CHECK_HTTP ? "http" : "tcp");
	if (port > 0)
		len += snprintf(buf + len, sizeof(buf) - len,
				" check-port %d", port);
	len += snprintf(buf + len, sizeof(buf) - len,
			" interval %lums timeout %lums rise 1 fall %ld",
			interval, timeout,
			c->retry < 0 ? 2 : c->retry + 1 > 100 ? 100 :
			c->retry + 1);
	if (c->type == NLB_CHECK_HTTP) {
		if (*c->path)
			len += snprintf(buf + len, sizeof(buf) - len,
					" http-path %s", c->path);
		if (*c->host)
			len += snprintf(buf + len, sizeof(buf) - len,
					" http-host %s", c->host);
		if (*c->status)
			snprintf(buf + len, sizeof(buf) - len,
				 " http-status %s", c->status);
	}
	return strdup(buf);
}

static void real_server(struct import *im, const struct knode *n,
			struct vs *vs)
{
	struct isvc *s = &vs->s;
	struct kcheck chk;
	bool checked = false;
	struct ireal *r;
	unsigned long v;
	uint16_t port;
	size_t i;
	int fam;
	uint8_t addr[16];

	at(im, n);
	if (n->nw < 2) {
		imp_error(im, n->line, "real_server: missing address");
		return;
	}
	if (imp_host(im, n->line, n->w[1], 0, addr, &fam))
		return;
	port = 0;
	if (n->nw > 2 && imp_port(im, n->line, n->w[2], s->proto, &port))
		return;
	r = imp_real(im, s, n->line);
	r->family = fam;
	memcpy(r->addr, addr, 16);
	r->port = port;
	r->check_port = port;
	for (i = 0; i < n->nkids; i++) {
		const struct knode *k = &n->kids[i];

		at(im, k);
		if (kw(k, "weight", NULL)) {
			if (!uint_arg(im, k, UINT32_MAX, &v))
				r->weight = v;
		} else if (kw(k, "TCP_CHECK", "HTTP_GET") ||
			   kw(k, "SSL_GET", NULL)) {
			if (checked) {
				imp_warn(im, k->line, "%s (nlb checks a backend one way: the first checker's)",
					 k->w[0]);
				continue;
			}
			checked = true;
			r->checked = true;
			checker(im, k, &chk, r);
			if (!vs->nchecked++)
				vs->chk = chk;
			else if (!check_same(&chk, &vs->chk))
				imp_warn(im, k->line, "%s (nlb checks the backends of a group alike: as the %s of line %lu)",
					 k->w[0], vs->chk.name, vs->chk.line);
		} else if (kw(k, "MISC_CHECK", "SMTP_CHECK") ||
			   kw(k, "DNS_CHECK", "UDP_CHECK") ||
			   kw(k, "BFD_CHECK", "PING_CHECK")) {
			imp_warn(im, k->line, "%s (nlb-healthd checks tcp, http, udp and agents)",
				 k->w[0]);
		} else {
			imp_warn(im, k->line, "%s", k->w[0]);
		}
	}
}

/* The settings of a virtual_server block. */
static void vs_settings(struct import *im, const struct knode *n,
			struct vs *vs)
{
	struct isvc *s = &vs->s;
	unsigned long v;
	size_t i;

	s->sched = NLB_SCHED_WLC;	/* IPVS's default */
	s->prefix = -1;
	s->proto = NLB_PROTO_TCP;
	/* protocol first: real server ports are looked up for it */
	for (i = 0; i < n->nkids; i++) {
		const struct knode *k = &n->kids[i];

		if (!kw(k, "protocol", NULL))
			continue;
		at(im, k);
		if (!strcasecmp(arg1(k), "tcp")) {
			s->proto = NLB_PROTO_TCP;
		} else if (!strcasecmp(arg1(k), "udp")) {
			s->proto = NLB_PROTO_UDP;
		} else {
			imp_error(im, k->line, "protocol %s is not supported (nlb balances TCP and UDP)",
				  arg1(k));
			vs->refused = true;
		}
	}
	for (i = 0; i < n->nkids; i++) {
		const struct knode *k = &n->kids[i];

		at(im, k);
		if (kw(k, "protocol", NULL)) {
			continue;
		} else if (kw(k, "lb_algo", "lvs_sched")) {
			if (imp_sched(im, k->line, arg1(k), s))
				vs->refused = true;
		} else if (kw(k, "lb_kind", "lvs_method")) {
			if (strcasecmp(arg1(k), "NAT")) {
				imp_error(im, k->line, "%s %s is not supported: nlb does NAT only",
					  k->w[0], arg1(k));
				vs->refused = true;
			}
		} else if (kw(k, "persistence_timeout", NULL)) {
			if (k->nw < 2) {
				s->persist = 360;	/* keepalived's default */
			} else if (!uint_arg(im, k, UINT32_MAX, &v)) {
				if (!v || v > 86400) {
					imp_error(im, k->line, "persistence_timeout %lu is outside nlb's 1-86400 seconds",
						  v);
					vs->refused = true;
				}
				s->persist = v;
			}
		} else if (kw(k, "persistence_granularity", NULL)) {
			/* family known later: checked per address */
		} else if (kw(k, "real_server", NULL)) {
			real_server(im, k, vs);
		} else if (kw(k, "delay_loop", NULL)) {
			secs_arg(im, k, 3600000, &vs->delay);
		} else if (kw(k, "ops", NULL)) {
			imp_error(im, k->line, "one-packet scheduling (ops) is not supported: nlb schedules each UDP flow once");
			vs->refused = true;
		} else {
			imp_warn(im, k->line, "%s", k->w[0]);
		}
	}
}

static const struct knode *find_group(const struct knode *top,
				      const char *name)
{
	size_t i;

	for (i = 0; i < top->nkids; i++)
		if (kw(&top->kids[i], "virtual_server_group", NULL) &&
		    !strcmp(arg1(&top->kids[i]), name))
			return &top->kids[i];
	return NULL;
}

/* "virtual_server 192.0.2.1 80", or with the entry of its group */
static char *source_of(const struct knode *n, const struct knode *entry)
{
	char buf[512];
	size_t len = 0;
	int i;

	for (i = 0; i < n->nw && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
				i ? " " : "", n->w[i]);
	for (i = 0; entry && i < entry->nw && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
				i ? " " : ": ", entry->w[i]);
	return strdup(buf);
}

/* One service of a virtual_server (or an entry of its group). */
static void vs_service(struct import *im, const struct knode *n,
		       const struct knode *entry, const struct vs *vs,
		       const char *host, const char *portstr,
		       unsigned long line)
{
	const struct knode *gran = NULL;
	struct isvc *s;
	uint8_t addr[16];
	uint16_t port;
	char *file;
	size_t i;
	int fam;

	if (imp_host(im, line, host, 0, addr, &fam) ||
	    imp_port(im, line, portstr, vs->s.proto, &port))
		return;
	if (!port) {
		imp_error(im, line, "port 0 (all-port) services are not supported: a listener has one port");
		return;
	}
	if (imp_find(im, fam, addr, port, vs->s.proto)) {
		imp_error(im, line, "virtual server %s %s is already defined",
			  host, portstr);
		return;
	}
	s = imp_service(im, line, NULL);
	file = s->file;
	*s = vs->s;
	s->file = file;
	s->line = line;
	s->source = source_of(n, entry);
	s->note = vs->s.note ? strdup(vs->s.note) : NULL;
	s->health = vs->s.health ? strdup(vs->s.health) : NULL;
	s->family = fam;
	memcpy(s->addr, addr, 16);
	s->port = port;
	s->reals = NULL;
	s->nreals = 0;
	for (i = 0; i < vs->s.nreals; i++) {
		struct ireal *r = imp_real(im, s, vs->s.reals[i].line);

		*r = vs->s.reals[i];
		if (r->family != fam) {
			imp_error(im, r->line, "real_server of another IP version than its virtual server (nlb does not translate)");
		}
		if (!r->port)
			r->port = port;
		if (!r->check_port)
			r->check_port = r->port;
	}
	free(s->health);
	s->health = check_args(im, vs, s);
	for (i = 0; i < n->nkids; i++)
		if (kw(&n->kids[i], "persistence_granularity", NULL))
			gran = &n->kids[i];
	if (gran && s->persist) {
		at(im, gran);
		imp_mask(im, gran->line, arg1(gran), fam, &s->prefix);
	}
	if (s->sched == NLB_SCHED_MAGLEV && !s->persist && !s->note)
		s->note = strdup("mh hashes the client address; nlb's maglev hashes its port too: add persistence to keep a client on one server");
}

/* "192.0.2.1-10": the addresses of an IPv4 range, in *first and *n. */
static int range4(const char *a, struct in_addr *first, unsigned int *n)
{
	char buf[64], *dash, *end;
	unsigned long last;
	unsigned int lo;

	if (strlen(a) >= sizeof(buf))
		return -1;
	strcpy(buf, a);
	dash = strchr(buf, '-');
	if (!dash)
		return -1;
	*dash = '\0';
	if (inet_pton(AF_INET, buf, first) != 1)
		return -1;
	errno = 0;
	last = strtoul(dash + 1, &end, 10);
	lo = ntohl(first->s_addr) & 0xff;
	if (errno || *end || last > 255 || last < lo)
		return -1;
	*n = last - lo + 1;
	return 0;
}

static void virtual_server(struct import *im, const struct knode *top,
			   const struct knode *n)
{
	const struct knode *g;
	struct vs vs = { 0 };
	struct in_addr first;
	unsigned int cnt, j;
	char a[INET_ADDRSTRLEN];
	size_t i;

	at(im, n);
	if (n->nw >= 2 && !strcmp(n->w[1], "fwmark")) {
		imp_error(im, n->line, "fwmark virtual servers have no nlb equivalent (a listener is an address, protocol and port)");
		return;
	}
	if (n->nw < 3) {
		imp_error(im, n->line, "virtual_server: expected ADDRESS PORT or group NAME");
		return;
	}
	vs_settings(im, n, &vs);
	if (vs.refused)
		goto out;
	at(im, n);
	if (strcmp(n->w[1], "group")) {
		vs_service(im, n, NULL, &vs, n->w[1], n->w[2], n->line);
		goto out;
	}
	g = find_group(top, n->w[2]);
	if (!g) {
		imp_error(im, n->line, "no virtual_server_group %s", n->w[2]);
		goto out;
	}
	for (i = 0; i < g->nkids; i++) {
		const struct knode *e = &g->kids[i];

		at(im, e);
		if (kw(e, "fwmark", NULL)) {
			imp_error(im, e->line, "fwmark entries have no nlb equivalent");
			continue;
		}
		if (e->nw != 2) {
			imp_error(im, e->line, "expected ADDRESS PORT");
			continue;
		}
		if (!strchr(e->w[0], '-')) {
			vs_service(im, n, e, &vs, e->w[0], e->w[1], e->line);
			continue;
		}
		if (range4(e->w[0], &first, &cnt)) {
			imp_error(im, e->line, "invalid address range '%s' (expected A.B.C.D-LAST)",
				  e->w[0]);
			continue;
		}
		for (j = 0; j < cnt; j++) {
			struct in_addr x = {
				.s_addr = htonl(ntohl(first.s_addr) + j)
			};

			inet_ntop(AF_INET, &x, a, sizeof(a));
			vs_service(im, n, e, &vs, a, e->w[1], e->line);
		}
	}
out:
	free(vs.s.reals);
	free(vs.s.note);
	free(vs.s.health);
}

int import_keepalived(struct import *im, FILE *in)
{
	struct klex lx = { 0 };
	struct knode top = { 0 };
	const char *name = im->file;
	size_t i;
	int ret;

	ret = lex_file(im, &lx, in, name);
	parse_block(&lx, &top);
	for (i = 0; i < top.nkids; i++) {
		const struct knode *n = &top.kids[i];

		at(im, n);
		if (kw(n, "virtual_server", NULL))
			virtual_server(im, &top, n);
		else if (kw(n, "virtual_server_group", NULL))
			continue;
		else if (!strncmp(n->w[0], "vrrp_", 5))
			imp_warn(im, n->line, "%s %s (VRRP: keepalived can keep doing it for nlb's VIPs)",
				 n->w[0], arg1(n));
		else
			imp_warn(im, n->line, "%s", n->w[0]);
	}
	im->file = name;
	node_free(&top);
	for (i = 0; i < lx.n; i++)
		free(lx.v[i].s);
	free(lx.v);
	for (i = 0; i < lx.nfiles; i++)
		free(lx.files[i]);
	free(lx.files);
	if (ret)
		pr_err("%s: cannot read: %s", name, strerror(errno));
	return ret;
}
