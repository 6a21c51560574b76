// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm import ipvs|keepalived [--dry-run] [--hosts FILE] [FILE]: turn the
 * virtual services of "ipvsadm -S" or keepalived.conf into an nlb
 * configuration, print it (--dry-run) or add it to the running one.
 *
 * Each virtual service (address, protocol, port) becomes a group and a
 * listener of the same name, "PROTO-ADDRESS-PORT" (tcp-192.0.2.1-80,
 * udp-2001:db8::53-53), or "PROTO6-HASH-PORT" when that is longer than
 * nlb's 31 characters (HASH: 8 hex digits of the FNV-1a hash of the 16
 * address bytes). Nothing is applied when any line is refused; refused
 * lines are all reported, with their line numbers.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nlbadm.h"

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		pr_err("out of memory");
		exit(EXIT_KERNEL);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		pr_err("out of memory");
		exit(EXIT_KERNEL);
	}
	return d;
}

static void imp_vmsg(struct import *im, unsigned long line, const char *what,
		     const char *fmt, va_list ap)
{
	fprintf(stderr, PROG_NAME ": %s:%lu: %s", im->file, line, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A line nlb cannot do: the import is refused. */
void imp_error(struct import *im, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_vmsg(im, line, "", fmt, ap);
	va_end(ap);
	im->errors++;
}

/* A statement that is not imported, without changing what nlb does. */
void imp_warn(struct import *im, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_vmsg(im, line, "not imported: ", fmt, ap);
	va_end(ap);
	im->warnings++;
}

struct isvc *imp_service(struct import *im, unsigned long line,
			 const char *source)
{
	struct isvc *s;

	im->svcs = xrealloc(im->svcs, (im->nsvcs + 1) * sizeof(*im->svcs));
	s = &im->svcs[im->nsvcs++];
	memset(s, 0, sizeof(*s));
	s->file = xstrdup(im->file);
	s->line = line;
	s->source = source ? xstrdup(source) : NULL;
	s->sched = NLB_SCHED_WLC;
	s->prefix = -1;
	s->proto = NLB_PROTO_TCP;
	return s;
}

struct isvc *imp_find(struct import *im, int family, const uint8_t *addr,
		      uint16_t port, uint8_t proto)
{
	size_t i;
	struct isvc *s;

	for (i = 0; i < im->nsvcs; i++) {
		s = &im->svcs[i];
		if (s->family == family && s->port == port &&
		    s->proto == proto &&
		    !memcmp(s->addr, addr, family == AF_INET ? 4 : 16))
			return s;
	}
	return NULL;
}

struct ireal *imp_real(struct import *im, struct isvc *s, unsigned long line)
{
	struct ireal *r;

	s->reals = xrealloc(s->reals, (s->nreals + 1) * sizeof(*s->reals));
	r = &s->reals[s->nreals++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->weight = 1;
	return r;
}

/* IPVS's schedulers (also keepalived's lb_algo) as nlb's. */
int imp_sched(struct import *im, unsigned long line, const char *name,
	      struct isvc *s)
{
	static const struct {
		const char *ipvs;
		uint8_t sched;
		bool unweighted;
	} map[] = {
		{ "rr", NLB_SCHED_RR, false },
		{ "wrr", NLB_SCHED_WRR, false },
		{ "lc", NLB_SCHED_WLC, true },
		{ "wlc", NLB_SCHED_WLC, false },
		{ "sh", NLB_SCHED_SH, false },
		{ "mh", NLB_SCHED_MAGLEV, false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (!strcmp(map[i].ipvs, name)) {
			s->sched = map[i].sched;
			s->unweighted = map[i].unweighted;
			return 0;
		}
	}
	imp_error(im, line, "scheduler '%s' has no nlb equivalent (nlb has rr, wrr, wlc for lc and wlc, sh, maglev for mh)",
		  name);
	return -1;
}

/* A name of a hosts(5) file, for --hosts. */
static int hosts_lookup(const char *path, const char *name, int family,
			uint8_t *addr)
{
	char *line = NULL, *p, *tok, *save;
	uint8_t a[16];
	size_t size = 0;
	int fam, found = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (!found && getline(&line, &size, f) >= 0) {
		p = strchr(line, '#');
		if (p)
			*p = '\0';
		tok = strtok_r(line, " \t\r\n", &save);
		if (!tok)
			continue;
		fam = inet_pton(AF_INET, tok, a) == 1 ? AF_INET :
		      inet_pton(AF_INET6, tok, a) == 1 ? AF_INET6 : 0;
		if (fam != family)
			continue;
		while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
			if (!strcasecmp(tok, name)) {
				memcpy(addr, a, 16);
				found = 1;
				break;
			}
		}
	}
	free(line);
	fclose(f);
	return found;
}

/*
 * An address, numeric or a host name (of --hosts, else the resolver),
 * of the given family (0: either; *got says which). Returns 0 or -1.
 */
int imp_host(struct import *im, unsigned long line, const char *name,
	     int family, uint8_t *addr, int *got)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fams[2] = { AF_INET, AF_INET6 }, i, err;

	memset(addr, 0, 16);
	for (i = 0; i < 2; i++) {
		if ((!family || family == fams[i]) &&
		    inet_pton(fams[i], name, addr) == 1) {
			*got = fams[i];
			return 0;
		}
	}
	if (im->hosts) {
		for (i = 0; i < 2; i++) {
			if (family && family != fams[i])
				continue;
			err = hosts_lookup(im->hosts, name, fams[i], addr);
			if (err < 0) {
				imp_error(im, line, "cannot read %s: %s",
					  im->hosts, strerror(-err));
				return -1;
			}
			if (err) {
				*got = fams[i];
				return 0;
			}
		}
	}
	hints.ai_family = family ? family : AF_UNSPEC;
	err = getaddrinfo(name, NULL, &hints, &res);
	if (err) {
		imp_error(im, line, "cannot resolve host '%s': %s", name,
			  gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			memcpy(addr, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
			break;
		}
		if (ai->ai_family == AF_INET6) {
			memcpy(addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
			break;
		}
	}
	*got = ai ? ai->ai_family : 0;
	freeaddrinfo(res);
	if (!ai) {
		imp_error(im, line, "host '%s' has no address", name);
		return -1;
	}
	return 0;
}

/* A port, a number or a service name of /etc/services. */
int imp_port(struct import *im, unsigned long line, const char *name,
	     uint8_t proto, uint16_t *port)
{
	struct servent *se;
	unsigned long v;
	char *end;

	if (isdigit((unsigned char)*name)) {
		errno = 0;
		v = strtoul(name, &end, 10);
		if (errno || *end || v > 65535) {
			imp_error(im, line, "invalid port '%s'", name);
			return -1;
		}
		*port = v;
		return 0;
	}
	se = getservbyname(name, proto == NLB_PROTO_UDP ? "udp" : "tcp");
	if (!se) {
		imp_error(im, line, "unknown service name '%s' (not in /etc/services)",
			  name);
		return -1;
	}
	*port = ntohs(se->s_port);
	return 0;
}

/* A persistence netmask: dotted (IPv4) or a prefix length. */
int imp_mask(struct import *im, unsigned long line, const char *mask,
	     int family, int *prefix)
{
	struct in_addr a;
	unsigned long v;
	uint32_t m;
	char *end;
	int n;

	if (family == AF_INET && strchr(mask, '.')) {
		if (inet_pton(AF_INET, mask, &a) != 1)
			goto bad;
		m = ntohl(a.s_addr);
		for (n = 0; n < 32 && (m & (1U << (31 - n))); n++)
			;
		if (n < 32 && (m << n))
			goto bad;	/* not contiguous */
		*prefix = n;
		return 0;
	}
	errno = 0;
	v = strtoul(mask, &end, 10);
	if (!isdigit((unsigned char)*mask) || errno || *end ||
	    v > (family == AF_INET ? 32U : 128U))
		goto bad;
	*prefix = v;
	return 0;
bad:
	imp_error(im, line, "invalid persistence netmask '%s' (expected %s)",
		  mask, family == AF_INET ?
		  "a contiguous dotted netmask or a prefix length 0-32" :
		  "a prefix length 0-128");
	return -1;
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261U;

	while (n--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

/* The name of the listener and group of a service (see the top). */
void imp_name(const struct isvc *s, char *buf, size_t len)
{
	const char *proto = s->proto == NLB_PROTO_UDP ? "udp" : "tcp";
	char a[INET6_ADDRSTRLEN];

	inet_ntop(s->family, s->addr, a, sizeof(a));
	snprintf(buf, len, "%s-%s-%u", proto, a, s->port);
	if (strlen(buf) > NLB_NAME_MAX_LEN)
		snprintf(buf, len, "%s6-%08x-%u", proto,
			 fnv1a(s->addr, 16), s->port);
}

static void addr_str(int family, const uint8_t *addr, char *buf, size_t len)
{
	inet_ntop(family, addr, buf, len);
}

/* Print the nlbadm configuration of the services. */
void imp_emit(FILE *f, const struct import *im)
{
	static const char *const scheds[] = {
		[NLB_SCHED_RR] = "rr", [NLB_SCHED_WRR] = "wrr",
		[NLB_SCHED_WLC] = "wlc", [NLB_SCHED_SH] = "sh",
		[NLB_SCHED_MAGLEV] = "maglev",
	};
	char name[64], a[INET6_ADDRSTRLEN];
	const struct isvc *s;
	const struct ireal *r;
	uint32_t max, w;
	size_t i, j;

	for (i = 0; i < im->nsvcs; i++) {
		s = &im->svcs[i];
		imp_name(s, name, sizeof(name));
		addr_str(s->family, s->addr, a, sizeof(a));
		fprintf(f, "%s# %s:%lu: %s\n", i ? "\n" : "", s->file,
			s->line, s->source ? s->source : "");
		if (s->note)
			fprintf(f, "# %s\n", s->note);
		max = 0;
		for (j = 0; j < s->nreals; j++)
			if (s->reals[j].weight > max)
				max = s->reals[j].weight;
		if (s->unweighted && max)
			fputs("# lc: least connections, weights 1 (wlc with equal weights)\n",
			      f);
		else if (max > 255)
			fprintf(f, "# weights scaled by 255/%u (nlb's weights are 0-255)\n",
				max);
		fprintf(f, "group add %s ipversion %s sched %s", name,
			s->family == AF_INET6 ? "dualstack" : "ipv4",
			scheds[s->sched]);
		if (s->health)
			fprintf(f, " %s", s->health);
		fputc('\n', f);
		for (j = 0; j < s->nreals; j++) {
			r = &s->reals[j];
			w = r->weight;
			if (s->unweighted)
				w = !!w;
			else if (max > 255)
				/* rounded up: a server that had a share keeps one */
				w = (uint32_t)(((uint64_t)w * 255 + max - 1) / max);
			addr_str(r->family, r->addr, a, sizeof(a));
			fprintf(f, "backend add %s %s port %u weight %u\n",
				name, a, r->port, w);
		}
		addr_str(s->family, s->addr, a, sizeof(a));
		fprintf(f, "listener add %s vip %s proto %s port %u group %s reject icmp",
			name, a, s->proto == NLB_PROTO_UDP ? "udp" : "tcp",
			s->port, name);
		if (s->persist) {
			fprintf(f, " persist %u", s->persist);
			if (s->prefix >= 0)
				fprintf(f, " %s %d", s->family == AF_INET ?
					"persist-prefix4" : "persist-prefix6",
					s->prefix);
		}
		fputc('\n', f);
	}
}

void imp_free(struct import *im)
{
	size_t i;

	for (i = 0; i < im->nsvcs; i++) {
		free(im->svcs[i].reals);
		free(im->svcs[i].file);
		free(im->svcs[i].source);
		free(im->svcs[i].note);
		free(im->svcs[i].health);
	}
	free(im->svcs);
	im->svcs = NULL;
	im->nsvcs = 0;
}

static int import_apply(const char *text, size_t len)
{
	struct conf want, run;
	struct plan *p;
	FILE *f;
	int ret;

	conf_init(&want);
	f = fmemopen((void *)text, len ? len : 1, "r");
	if (!f) {
		pr_err("out of memory");
		return EXIT_KERNEL;
	}
	ret = len ? conf_read_file(&want, f, "<import>") : 0;
	fclose(f);
	if (ret) {
		pr_err("the imported configuration is invalid (a bug: please report it)");
		conf_free(&want);
		return ret;
	}
	ret = conf_read_running(&run);
	if (!ret) {
		p = plan_make(&run, &want, APPLY_MERGE, &ret);
		if (p)
			ret = plan_run(p, stdout);
		plan_free(p);
	}
	conf_free(&run);
	conf_free(&want);
	return ret;
}

int import_main(int argc, char **argv)
{
	struct import im = { 0 };
	const char *path = "-";
	int (*fn)(struct import *, FILE *);
	char *text = NULL;
	size_t len = 0;
	FILE *in = stdin, *out;
	bool path_given = false;
	int i, dry, ret;

	dry = take_dry_run(&argc, argv);
	if (!argc) {
		usage_error("missing what to import (ipvs or keepalived)");
		return usage_cmd("import");
	}
	if (!strcmp(argv[0], "ipvs")) {
		fn = import_ipvs;
	} else if (!strcmp(argv[0], "keepalived")) {
		fn = import_keepalived;
	} else {
		usage_error("cannot import '%s' (expected ipvs or keepalived)",
			    argv[0]);
		return usage_cmd("import");
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hosts")) {
			if (i + 1 == argc) {
				usage_error("missing FILE after '--hosts'");
				return usage_cmd("import");
			}
			im.hosts = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage_error("unknown option '%s'", argv[i]);
			return usage_cmd("import");
		} else if (strcmp(path, "-") || path_given) {
			usage_error("unexpected argument '%s'", argv[i]);
			return usage_cmd("import");
		} else {
			path = argv[i];
			path_given = true;
		}
	}
	if (strcmp(path, "-")) {
		in = fopen(path, "r");
		if (!in) {
			pr_err("cannot open %s: %s", path, strerror(errno));
			return EXIT_USAGE;
		}
		im.file = path;
	} else {
		im.file = "<stdin>";
	}
	ret = fn(&im, in);
	if (in != stdin)
		fclose(in);
	if (!ret && im.errors)
		ret = -1;
	if (ret) {
		pr_err("%s: nothing imported: %d line%s cannot be done by nlb",
		       im.file, im.errors, im.errors == 1 ? "" : "s");
		imp_free(&im);
		return EXIT_USAGE;
	}
	if (!im.nsvcs)
		fprintf(stderr, PROG_NAME ": %s: no virtual service found\n",
			im.file);
	out = open_memstream(&text, &len);
	if (!out) {
		pr_err("out of memory");
		return EXIT_KERNEL;
	}
	imp_emit(out, &im);
	fclose(out);
	imp_free(&im);
	if (dry) {
		fputs(text, stdout);
		fflush(stdout);
		ret = EXIT_OK;
	} else {
		ret = import_apply(text, len);
	}
	free(text);
	return ret;
}
