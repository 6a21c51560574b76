// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm import ipvs: the rules "ipvsadm -S" (or -S -n) prints, one
 * command a line:
 *
 *   -A -t|-u ADDRESS:PORT -s SCHED [-p [TIMEOUT] [-M NETMASK]] [-b FLAGS]
 *   -a -t|-u ADDRESS:PORT -r ADDRESS[:PORT] -m [-w WEIGHT]
 *
 * with IPv6 addresses in brackets, host and service names (without -n),
 * and the long options ipvsadm also takes. What nlb cannot do is refused
 * with the reason: direct routing (-g, ipvsadm's default) and tunnelling
 * (-i), fwmark (-f) and SCTP services, port 0 (all-port) services, other
 * schedulers, persistence engines, one-packet scheduling, connection
 * thresholds.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nlbadm.h"

#define MAX_TOKENS	64

/* "[2001:db8::1]:80", "192.0.2.1:80", "www:http"; port optional if !need */
static int parse_addrport(struct import *im, unsigned long line,
			  const char *arg, uint8_t proto, bool need_port,
			  int *family, uint8_t *addr, uint16_t *port,
			  bool *has_port)
{
	char host[256], *colon;
	const char *portstr = NULL;
	int want = AF_INET;
	size_t n;

	*has_port = false;
	if (arg[0] == '[') {
		colon = strchr(arg, ']');
		n = colon ? (size_t)(colon - arg - 1) : 0;
		if (!colon || n >= sizeof(host) || (colon[1] && colon[1] != ':'))
			goto bad;
		memcpy(host, arg + 1, n);
		host[n] = '\0';
		if (colon[1])
			portstr = colon + 2;
		want = AF_INET6;
	} else {
		if (strlen(arg) >= sizeof(host))
			goto bad;
		strcpy(host, arg);
		colon = strrchr(host, ':');
		if (colon) {
			*colon = '\0';
			portstr = colon + 1;
		}
	}
	if (!host[0] || (portstr && !*portstr))
		goto bad;
	if (!portstr && need_port) {
		imp_error(im, line, "'%s' lacks a port", arg);
		return -1;
	}
	if (imp_host(im, line, host, want, addr, family))
		return -1;
	if (portstr) {
		if (imp_port(im, line, portstr, proto, port))
			return -1;
		*has_port = true;
	}
	return 0;
bad:
	imp_error(im, line, "invalid address '%s' (expected ADDRESS:PORT, [IPV6]:PORT)",
		  arg);
	return -1;
}

static bool is_opt(const char *tok, const char *s, const char *l)
{
	return (s && !strcmp(tok, s)) || (l && !strcmp(tok, l));
}

/* A number option's value: 0 and *v, or -1 after an error. */
static int number(struct import *im, unsigned long line, const char *opt,
		  const char *val, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = val && isdigit((unsigned char)*val) ? strtoul(val, &end, 10) : 0;
	if (!val || !isdigit((unsigned char)*val) || errno || *end ||
	    *v > max) {
		imp_error(im, line, "invalid value '%s' of %s", val ? val : "",
			  opt);
		return -1;
	}
	return 0;
}

struct rule {
	bool add_service;
	uint8_t proto;
	const char *svc, *real, *sched, *mask, *flags, *persist;
	bool persistent, fwmark, sctp, masq;
	const char *method;	/* -g or -i, refused */
	unsigned long weight;
	bool has_weight;
};

/* One line's options into r. Returns 0 or -1 (reported). */
static int parse_rule(struct import *im, unsigned long line, int n,
		      char **tok, struct rule *r)
{
	unsigned long v;
	int i;

	memset(r, 0, sizeof(*r));
	r->add_service = is_opt(tok[0], "-A", "--add-service");
	for (i = 1; i < n; i++) {
		const char *t = tok[i], *val = i + 1 < n ? tok[i + 1] : NULL;

		if (is_opt(t, "-t", "--tcp-service") ||
		    is_opt(t, "-u", "--udp-service")) {
			r->proto = t[1] == 't' || t[2] == 't' ?
				   NLB_PROTO_TCP : NLB_PROTO_UDP;
			r->svc = val;
			i++;
		} else if (is_opt(t, NULL, "--sctp-service")) {
			imp_error(im, line, "SCTP services are not supported (nlb balances TCP and UDP)");
			return -1;
		} else if (is_opt(t, "-f", "--fwmark-service")) {
			imp_error(im, line, "fwmark services have no nlb equivalent (a listener is an address, protocol and port)");
			return -1;
		} else if (is_opt(t, "-s", "--scheduler")) {
			r->sched = val;
			i++;
		} else if (is_opt(t, "-p", "--persistent")) {
			r->persistent = true;
			if (val && isdigit((unsigned char)*val)) {
				r->persist = val;
				i++;
			}
		} else if (is_opt(t, "-M", "--netmask")) {
			r->mask = val;
			i++;
		} else if (is_opt(t, "-b", "--sched-flags")) {
			r->flags = val;
			i++;
		} else if (is_opt(t, "-r", "--real-server")) {
			r->real = val;
			i++;
		} else if (is_opt(t, "-m", "--masquerading")) {
			r->masq = true;
		} else if (is_opt(t, "-g", "--gatewaying")) {
			r->method = "direct routing (-g)";
		} else if (is_opt(t, "-i", "--ipip")) {
			r->method = "tunnelling (-i)";
		} else if (is_opt(t, "-w", "--weight")) {
			if (number(im, line, t, val, UINT32_MAX, &r->weight))
				return -1;
			r->has_weight = true;
			i++;
		} else if (is_opt(t, "-x", "--u-threshold") ||
			   is_opt(t, "-y", "--l-threshold")) {
			if (number(im, line, t, val, UINT32_MAX, &v))
				return -1;
			if (v) {
				imp_error(im, line, "connection thresholds (%s) are not supported",
					  t);
				return -1;
			}
			i++;
		} else if (is_opt(t, "pe", "--pe")) {
			imp_error(im, line, "persistence engine '%s' is not supported",
				  val ? val : "");
			return -1;
		} else if (is_opt(t, "ops", "--ops") || is_opt(t, "-o", NULL)) {
			imp_error(im, line, "one-packet scheduling (ops) is not supported: nlb schedules each UDP flow once");
			return -1;
		} else if (!strncmp(t, "--tun-", 6)) {
			imp_error(im, line, "tunnel options (%s) are not supported: nlb does NAT only",
				  t);
			return -1;
		} else if (is_opt(t, "-6", "--ipv6")) {
			/* only with -f: refused there */
		} else {
			imp_error(im, line, "unknown option '%s'", t);
			return -1;
		}
		if (i >= n) {
			imp_error(im, line, "missing value after '%s'", t);
			return -1;
		}
	}
	if (!r->svc) {
		imp_error(im, line, "missing service (-t or -u ADDRESS:PORT)");
		return -1;
	}
	return 0;
}

/* The flags of -b: what nlb does anyway, or refused. */
static int sched_flags(struct import *im, unsigned long line,
		       const char *flags, struct isvc *s)
{
	char buf[256], *tok, *save;

	if (strlen(flags) >= sizeof(buf)) {
		imp_error(im, line, "invalid scheduler flags");
		return -1;
	}
	strcpy(buf, flags);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "sh-fallback") || !strcmp(tok, "mh-fallback"))
			continue;	/* nlb never picks an unavailable backend */
		if (!strcmp(tok, "mh-port") && s->sched == NLB_SCHED_MAGLEV)
			continue;	/* nlb's maglev hashes the port */
		imp_error(im, line, "scheduler flag '%s' is not supported", tok);
		return -1;
	}
	return 0;
}

static void add_service(struct import *im, unsigned long line,
			const char *text, const struct rule *r)
{
	struct isvc *s, tmp = { 0 };
	unsigned long v;
	bool has_port;

	if (parse_addrport(im, line, r->svc, r->proto, true, &tmp.family,
			   tmp.addr, &tmp.port, &has_port))
		return;
	if (imp_find(im, tmp.family, tmp.addr, tmp.port, r->proto)) {
		imp_error(im, line, "service %s is already defined", r->svc);
		return;
	}
	s = imp_service(im, line, text);
	s->family = tmp.family;
	memcpy(s->addr, tmp.addr, 16);
	s->port = tmp.port;
	s->proto = r->proto;
	if (!s->port) {
		imp_error(im, line, "port 0 (all-port) services are not supported: a listener has one port");
		return;
	}
	if (imp_sched(im, line, r->sched ? r->sched : "wlc", s))
		return;
	if (s->sched == NLB_SCHED_MAGLEV && !r->persistent &&
	    !(r->flags && strstr(r->flags, "mh-port")))
		s->note = strdup("mh hashes the client address; nlb's maglev hashes its port too: add persistence to keep a client on one server");
	if (r->flags && sched_flags(im, line, r->flags, s))
		return;
	if (r->persistent) {
		s->persist = 360;	/* ipvsadm's default */
		if (r->persist) {
			if (number(im, line, "-p", r->persist, UINT32_MAX, &v))
				return;
			if (v > 86400 || !v) {
				imp_error(im, line, "persistence timeout %lu is outside nlb's 1-86400 seconds",
					  v);
				return;
			}
			s->persist = v;
		}
		if (r->mask &&
		    imp_mask(im, line, r->mask, s->family, &s->prefix))
			return;
	} else if (r->mask) {
		imp_error(im, line, "-M without -p");
	}
}

static void add_server(struct import *im, unsigned long line,
		       const struct rule *r)
{
	int family;
	uint8_t addr[16];
	uint16_t port;
	bool has_port;
	struct isvc *s;
	struct ireal *rs;
	size_t j;

	if (parse_addrport(im, line, r->svc, r->proto, true, &family, addr,
			   &port, &has_port))
		return;
	s = imp_find(im, family, addr, port, r->proto);
	if (!s) {
		imp_error(im, line, "no service %s (its -A line must come first)",
			  r->svc);
		return;
	}
	if (!r->real) {
		imp_error(im, line, "missing real server (-r ADDRESS[:PORT])");
		return;
	}
	if (r->method || !r->masq) {
		imp_error(im, line, "%s is not supported: nlb does NAT (-m) only",
			  r->method ? r->method :
			  "direct routing (no -m: ipvsadm's default is -g)");
		return;
	}
	if (parse_addrport(im, line, r->real, r->proto, false, &family, addr,
			   &port, &has_port))
		return;
	if (family != s->family) {
		imp_error(im, line, "real server %s is of another IP version than its service (nlb does not translate)",
			  r->real);
		return;
	}
	if (!has_port)
		port = s->port;
	for (j = 0; j < s->nreals; j++) {
		if (s->reals[j].port == port &&
		    !memcmp(s->reals[j].addr, addr, 16)) {
			imp_error(im, line, "real server %s is already in the service",
				  r->real);
			return;
		}
	}
	rs = imp_real(im, s, line);
	rs->family = family;
	memcpy(rs->addr, addr, 16);
	rs->port = port;
	if (r->has_weight)
		rs->weight = r->weight;
}

int import_ipvs(struct import *im, FILE *in)
{
	char *line = NULL, *text, *tok[MAX_TOKENS], *p, *save;
	unsigned long lineno = 0;
	struct rule r;
	size_t size = 0;
	ssize_t len;
	int n;

	while ((len = getline(&line, &size, in)) >= 0) {
		lineno++;
		while (len && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		for (text = line; isspace((unsigned char)*text); text++)
			;
		if (!*text || *text == '#')
			continue;
		p = strdup(text);
		if (!p)
			break;
		n = 0;
		for (tok[n] = strtok_r(p, " \t", &save); tok[n] && n < MAX_TOKENS - 1;
		     tok[n] = strtok_r(NULL, " \t", &save))
			n++;
		if (is_opt(tok[0], "-C", "--clear")) {
			/* clearing IPVS means nothing to nlb */
		} else if (!is_opt(tok[0], "-A", "--add-service") &&
			   !is_opt(tok[0], "-a", "--add-server")) {
			imp_error(im, lineno, "'%s' is not a rule of ipvsadm -S (only -A and -a lines are)",
				  tok[0]);
		} else if (!parse_rule(im, lineno, n, tok, &r)) {
			if (r.add_service)
				add_service(im, lineno, text, &r);
			else
				add_server(im, lineno, &r);
		}
		free(p);
	}
	free(line);
	if (ferror(in)) {
		pr_err("%s: cannot read: %s", im->file, strerror(errno));
		return -1;
	}
	return 0;
}
