// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm metrics [--output FILE]: every counter of every listener, group
 * and backend, and the backends' state, in the Prometheus text exposition
 * format (version 0.0.4), for node_exporter's textfile collector (written
 * to FILE through a temporary file and a rename, so that the collector
 * never reads half of it). The exporter serves the same text.
 *
 * A scrape is one dump of each object type and an info-get: O(objects),
 * never a walk of the conntrack table. The replies carry the counters of
 * the kernel's last (background) census of the table, whose age is
 * exported as nlb_census_age_seconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netlink/attr.h>

#include "nlbadm.h"

/* A counter of the stats nest and how it is exposed. */
struct stat_metric {
	int attr;
	const char *name;	/* after nlb_<kind>_ */
	const char *type;
	const char *help;
	const char *label;	/* extra label "name=value", or NULL */
};

static const struct stat_metric stat_metrics[] = {
	{ NLB_A_STATS_CONNS, "connections_total", "counter",
	  "New connections scheduled.", NULL },
	{ NLB_A_STATS_ACTIVE, "active_connections", "gauge",
	  "Connections alive (exact with track on, else as of the last conntrack census).", NULL },
	{ NLB_A_STATS_IN_PACKETS, "in_packets_total", "counter",
	  "Packets from clients to backends (of live connections; with track on, of ended ones too).", NULL },
	{ NLB_A_STATS_IN_BYTES, "in_bytes_total", "counter",
	  "Bytes from clients to backends (as in_packets_total).", NULL },
	{ NLB_A_STATS_OUT_PACKETS, "out_packets_total", "counter",
	  "Packets from backends to clients (as in_packets_total).", NULL },
	{ NLB_A_STATS_OUT_BYTES, "out_bytes_total", "counter",
	  "Bytes from backends to clients (as in_packets_total).", NULL },
	{ NLB_A_STATS_DROP_NO_BACKEND, "dropped_connections_total", "counter",
	  "New connections refused or dropped, by reason.",
	  "reason=\"no_backend\"" },
	{ NLB_A_STATS_DROP_ERROR, "dropped_connections_total", "counter",
	  "New connections refused or dropped, by reason.",
	  "reason=\"error\"" },
	{ NLB_A_STATS_DROP_POOL, "dropped_connections_total", "counter",
	  "New connections refused or dropped, by reason.",
	  "reason=\"pool\"" },
	{ NLB_A_STATS_PERSISTED, "persisted_connections_total", "counter",
	  "New connections sent to a client's previous backend by persistence.", NULL },
	{ NLB_A_STATS_FAILOPEN, "failopen_connections_total", "counter",
	  "New connections sent to an unhealthy backend because all of the family were down.", NULL },
	{ NLB_A_STATS_DRAINED, "drained_connections_total", "counter",
	  "Connections ended by a drain timeout.", NULL },
	{ NLB_A_STATS_TRANSLATED, "translated_connections_total", "counter",
	  "New connections of a client of one IP version to a backend of the other, translated (RFC 7915).", NULL },
	{ NLB_A_STATS_FAILOVER_FAMILY, "failover_family_connections_total",
	  "counter",
	  "New connections affinity prefer sent to the other IP version, the client's having no backend that could take them.", NULL },
	{ NLB_A_STATS_FAIL_RESET, "failed_connections_total", "counter",
	  "New connections that failed at their start (groups with passive on), by reason: reset by the backend, or no answer within the passive timeout.",
	  "reason=\"reset\"" },
	{ NLB_A_STATS_FAIL_TIMEOUT, "failed_connections_total", "counter",
	  "New connections that failed at their start (groups with passive on), by reason: reset by the backend, or no answer within the passive timeout.",
	  "reason=\"timeout\"" },
};

static const char *const kind_names[CONF_NKINDS] = {
	[CONF_GROUP] = "group",
	[CONF_BACKEND] = "backend",
	[CONF_LISTENER] = "listener",
};

/* The order the families are printed in: listeners first. */
static const int kinds[] = { CONF_LISTENER, CONF_GROUP, CONF_BACKEND };

/* A label value, escaped as the exposition format wants. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void put_label(FILE *f, bool *first, const char *name,
		      const char *value)
{
	fprintf(f, "%s%s=\"", *first ? "" : ",", name);
	put_escaped(f, value);
	fputc('"', f);
	*first = false;
}

/* The labels that name an object (without braces). */
static void put_key(FILE *f, const struct cobj *o, bool *first)
{
	char a[INET6_ADDRSTRLEN], port[8];

	switch (o->kind) {
	case CONF_LISTENER:
		put_label(f, first, "listener", cobj_str(o, NLB_A_LISTENER_NAME));
		break;
	case CONF_GROUP:
		put_label(f, first, "group", cobj_str(o, NLB_A_GROUP_NAME));
		break;
	case CONF_BACKEND:
		put_label(f, first, "group", cobj_str(o, NLB_A_BACKEND_GROUP));
		put_label(f, first, "address",
			  cobj_addr(o, NLB_A_BACKEND_ADDR4, NLB_A_BACKEND_ADDR6,
				    a, sizeof(a)));
		snprintf(port, sizeof(port), "%u",
			 nla_get_u16(cobj_get(o, NLB_A_BACKEND_PORT)));
		put_label(f, first, "port", port);
		put_label(f, first, "family",
			  o->tb[NLB_A_BACKEND_ADDR4] ? "ipv4" : "ipv6");
		break;
	}
}

static void sample(FILE *f, const char *kind, const char *name,
		   const struct cobj *o, const char *extra, uint64_t v)
{
	bool first = true;

	fprintf(f, "nlb_%s_%s{", kind, name);
	put_key(f, o, &first);
	if (extra)
		fprintf(f, "%s%s", first ? "" : ",", extra);
	fprintf(f, "} %" PRIu64 "\n", v);
}

static void family(FILE *f, const char *kind, const char *name,
		   const char *type, const char *help)
{
	fprintf(f, "# HELP nlb_%s_%s %s\n# TYPE nlb_%s_%s %s\n", kind, name,
		help, kind, name, type);
}

/* The stats nest of an object, parsed. */
static bool stats_of(const struct cobj *o, struct nlattr **st)
{
	static struct nla_policy pol[NLB_A_STATS_MAX + 1];
	static const int stats_attr[CONF_NKINDS] = {
		[CONF_GROUP] = NLB_A_GROUP_STATS,
		[CONF_BACKEND] = NLB_A_BACKEND_STATS,
		[CONF_LISTENER] = NLB_A_LISTENER_STATS,
	};
	struct nlattr *nest = o->tb[stats_attr[o->kind]];
	int a;

	for (a = 1; a <= NLB_A_STATS_MAX; a++)
		if (a != NLB_A_STATS_PAD)
			pol[a].type = NLA_U64;
	return nest && nla_parse_nested(st, NLB_A_STATS_MAX, nest, pol) == 0;
}

static void stats_families(FILE *f, const struct conf *c, int kind)
{
	struct nlattr *st[NLB_A_STATS_MAX + 1];
	const struct stat_metric *m;
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(stat_metrics); k++) {
		m = &stat_metrics[k];
		/* a family shared by labels (dropped, by reason) once */
		if (!k || strcmp(m->name, stat_metrics[k - 1].name))
			family(f, kind_names[kind], m->name, m->type, m->help);
		for (i = 0; i < c->n[kind]; i++) {
			const struct cobj *o = &c->v[kind][i];

			if (stats_of(o, st) && st[m->attr])
				sample(f, kind_names[kind], m->name, o, m->label,
				       nla_get_u64(st[m->attr]));
		}
	}
}

/*
 * A gauge from u8/u16/u32 attributes of the objects of a kind that have
 * them: for each of the n attributes, a sample with its label.
 */
static void attrs_family(FILE *f, const struct conf *c, int kind,
			 const char *name, const char *help, const int *attrs,
			 const char *const *extra, size_t n)
{
	const struct cobj *o;
	struct nlattr *a;
	bool any = false;
	size_t i, j;
	uint64_t v;

	for (j = 0; j < n; j++) {
		for (i = 0; i < c->n[kind]; i++) {
			o = &c->v[kind][i];
			a = o->tb[attrs[j]];
			if (!a)
				continue;
			if (!any)
				family(f, kind_names[kind], name, "gauge", help);
			any = true;
			v = nla_len(a) == 1 ? nla_get_u8(a) : nla_len(a) == 2 ?
			    nla_get_u16(a) : nla_get_u32(a);
			sample(f, kind_names[kind], name, o, extra[j], v);
		}
	}
}

/* A gauge in seconds from a u64 attribute in milliseconds since the epoch. */
static void time_family(FILE *f, const struct conf *c, int kind,
			const char *name, const char *help, int attr)
{
	const struct cobj *o;
	bool any = false, first;
	uint64_t v;
	size_t i;

	for (i = 0; i < c->n[kind]; i++) {
		o = &c->v[kind][i];
		if (!o->tb[attr] || !(v = nla_get_u64(o->tb[attr])))
			continue;
		if (!any)
			family(f, kind_names[kind], name, "gauge", help);
		any = true;
		first = true;
		fprintf(f, "nlb_%s_%s{", kind_names[kind], name);
		put_key(f, o, &first);
		fprintf(f, "} %" PRIu64 ".%03u\n", v / 1000,
			(unsigned int)(v % 1000));
	}
}

static void attr_family(FILE *f, const struct conf *c, int kind,
			const char *name, const char *help, int attr)
{
	static const char *const none[] = { NULL };

	attrs_family(f, c, kind, name, help, &attr, none, 1);
}

static void info_family(FILE *f, const struct conf *c)
{
	char a4[INET6_ADDRSTRLEN], a6[INET6_ADDRSTRLEN], port[8];
	const struct arg_spec *s;
	const struct cobj *o;
	const char *name;
	bool first;
	size_t i;

	if (c->n[CONF_LISTENER])
		family(f, "listener", "info", "gauge",
		       "A listener's VIPs, protocol, port and group (value 1).");
	for (i = 0; i < c->n[CONF_LISTENER]; i++) {
		o = &c->v[CONF_LISTENER][i];
		first = true;
		fputs("nlb_listener_info{", f);
		put_key(f, o, &first);
		put_label(f, &first, "group", cobj_str(o, NLB_A_LISTENER_GROUP));
		s = ctype_spec(&ctypes[CONF_LISTENER], NLB_A_LISTENER_PROTO);
		name = choice_name(s->choices, cobj_u8(o, NLB_A_LISTENER_PROTO));
		put_label(f, &first, "proto", name ? name : "");
		snprintf(port, sizeof(port), "%u",
			 o->tb[NLB_A_LISTENER_PORT] ?
			 nla_get_u16(o->tb[NLB_A_LISTENER_PORT]) : 0);
		put_label(f, &first, "port", port);
		put_label(f, &first, "vip4", o->tb[NLB_A_LISTENER_VIP4] ?
			  inet_ntop(AF_INET, nla_data(o->tb[NLB_A_LISTENER_VIP4]),
				    a4, sizeof(a4)) : "");
		put_label(f, &first, "vip6", o->tb[NLB_A_LISTENER_VIP6] ?
			  inet_ntop(AF_INET6, nla_data(o->tb[NLB_A_LISTENER_VIP6]),
				    a6, sizeof(a6)) : "");
		fputs("} 1\n", f);
	}
	if (c->n[CONF_GROUP])
		family(f, "group", "info", "gauge",
		       "A group's IP version, scheduler and IP version affinity (value 1).");
	for (i = 0; i < c->n[CONF_GROUP]; i++) {
		int attrs[] = { NLB_A_GROUP_IPVERSION, NLB_A_GROUP_SCHED,
				NLB_A_GROUP_AFFINITY };
		size_t j;

		o = &c->v[CONF_GROUP][i];
		first = true;
		fputs("nlb_group_info{", f);
		put_key(f, o, &first);
		for (j = 0; j < ARRAY_SIZE(attrs); j++) {
			name = NULL;
			s = ctype_spec(&ctypes[CONF_GROUP], attrs[j]);
			if (s && o->tb[attrs[j]])
				name = choice_name(s->choices,
						   nla_get_u8(o->tb[attrs[j]]));
			put_label(f, &first, s ? s->name : "?",
				  name ? name : "");
		}
		fputs("} 1\n", f);
	}
}

/* The namespace's info: counts, limits and the census (see nlbadm info). */
static void info_families(FILE *f, const struct conf *c)
{
	static const struct {
		int attr;
		const char *name, *type, *help;
		double scale;
		const char *label;
	} m[] = {
		{ NLB_A_INFO_CENSUS_AGE, "nlb_census_age_seconds", "gauge",
		  "Age of the conntrack census that active connections and live packets and bytes come from.",
		  1e-3, NULL },
		{ NLB_A_INFO_CENSUS_DURATION, "nlb_census_duration_seconds", "gauge",
		  "How long the last census of the conntrack table took.",
		  1e-6, NULL },
		{ NLB_A_INFO_CENSUS_PASSES, "nlb_census_passes_total", "counter",
		  "Censuses of the conntrack table completed.", 1, NULL },
		{ NLB_A_INFO_CENSUS_CONNS, "nlb_census_connections", "gauge",
		  "Connections the last census looked at.", 1, NULL },
		{ NLB_A_INFO_LISTENERS, "nlb_objects", "gauge",
		  "Objects configured (backends: draining ones included).", 1,
		  "kind=\"listener\"" },
		{ NLB_A_INFO_GROUPS, "nlb_objects", NULL, NULL, 1,
		  "kind=\"group\"" },
		{ NLB_A_INFO_BACKENDS, "nlb_objects", NULL, NULL, 1,
		  "kind=\"backend\"" },
		{ NLB_A_INFO_MAX_LISTENERS, "nlb_objects_max", "gauge",
		  "Most objects the namespace may have.", 1,
		  "kind=\"listener\"" },
		{ NLB_A_INFO_MAX_GROUPS, "nlb_objects_max", NULL, NULL, 1,
		  "kind=\"group\"" },
		{ NLB_A_INFO_MAX_BACKENDS, "nlb_objects_max", NULL, NULL, 1,
		  "kind=\"backend\"" },
	};
	struct nlattr *a;
	double v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		a = c->itb[m[i].attr];
		if (m[i].help && (a || m[i].label))
			fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m[i].name,
				m[i].help, m[i].name, m[i].type);
		if (!a)
			continue;
		v = nla_len(a) == 8 ? (double)nla_get_u64(a) : nla_get_u32(a);
		if (m[i].label)
			fprintf(f, "%s{%s} %.0f\n", m[i].name, m[i].label, v);
		else if (m[i].scale != 1)
			fprintf(f, "%s %.6f\n", m[i].name, v * m[i].scale);
		else
			fprintf(f, "%s %.0f\n", m[i].name, v);
	}
}

/* Packets the translation path dropped, by reason (info's xlat-drops). */
static void xlat_drops_family(FILE *f, const struct conf *c)
{
	struct nla_policy pol[NLB_A_XLAT_DROPS_MAX + 1] = { { 0 } };
	struct nlattr *tb[NLB_A_XLAT_DROPS_MAX + 1];
	struct nlattr *nest = c->itb[NLB_A_INFO_XLAT_DROPS];
	const struct field *d;
	int a;

	for (a = 1; a <= NLB_A_XLAT_DROPS_MAX; a++)
		if (a != NLB_A_XLAT_DROPS_PAD)
			pol[a].type = NLA_U64;
	if (!nest ||
	    nla_parse_nested(tb, NLB_A_XLAT_DROPS_MAX, nest, pol) < 0)
		return;
	fputs("# HELP nlb_xlat_drops_total Packets of translated connections dropped, by reason.\n"
	      "# TYPE nlb_xlat_drops_total counter\n", f);
	for (d = xlat_drops_obj.fields; d->attr; d++)
		if (tb[d->attr])
			fprintf(f, "nlb_xlat_drops_total{reason=\"%s\"} %" PRIu64 "\n",
				d->key, nla_get_u64(tb[d->attr]));
}

/* The whole exposition of c (NULL: the module is not loaded). */
void metrics_render(FILE *f, const struct conf *c, double seconds)
{
	static const char *const families[] = {
		"family=\"ipv4\"", "family=\"ipv6\"",
	};
	size_t k;

	fputs("# HELP nlb_up Whether the nlb module answered (1) or is not loaded (0).\n"
	      "# TYPE nlb_up gauge\n", f);
	fprintf(f, "nlb_up %d\n", c ? 1 : 0);
	if (!c)
		return;
	info_family(f, c);
	info_families(f, c);
	xlat_drops_family(f, c);
	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		stats_families(f, c, kinds[k]);
	attrs_family(f, c, CONF_GROUP, "backends", "Backends of a group, by family (draining ones not counted).",
		     (const int[]){ NLB_A_GROUP_BACKENDS4,
				    NLB_A_GROUP_BACKENDS6 }, families, 2);
	attr_family(f, c, CONF_GROUP, "listeners", "Listeners using a group.",
		    NLB_A_GROUP_LISTENERS);
	attrs_family(f, c, CONF_GROUP, "pool_used", "Addresses and ports of a group's source pool held by translated connections, by family.",
		     (const int[]){ NLB_A_GROUP_POOL4_USED,
				    NLB_A_GROUP_POOL6_USED }, families, 2);
	attrs_family(f, c, CONF_GROUP, "pool_size", "Addresses times ports of a group's source pool, by family.",
		     (const int[]){ NLB_A_GROUP_POOL4_SIZE,
				    NLB_A_GROUP_POOL6_SIZE }, families, 2);
	attr_family(f, c, CONF_BACKEND, "weight", "A backend's weight (0-255).",
		    NLB_A_BACKEND_WEIGHT);
	attr_family(f, c, CONF_BACKEND, "enabled", "A backend's administrative state (1 enabled).",
		    NLB_A_BACKEND_ENABLED);
	attr_family(f, c, CONF_BACKEND, "healthy", "A backend's health state (1 up, 0 down).",
		    NLB_A_BACKEND_HEALTHY);
	attr_family(f, c, CONF_BACKEND, "agent_weight_percent", "The share of its weight a backend's agent check gives it (0-100).",
		    NLB_A_BACKEND_AGENT_WEIGHT);
	attr_family(f, c, CONF_BACKEND, "probe_ok", "Whether the health checker's last probe of a backend succeeded (1) or failed (0).",
		    NLB_A_BACKEND_PROBE_OK);
	time_family(f, c, CONF_BACKEND, "probe_timestamp_seconds", "When the health checker last reported a probe of a backend (Unix time).",
		    NLB_A_BACKEND_PROBE_TIME);
	time_family(f, c, CONF_BACKEND, "health_changed_timestamp_seconds", "When a backend's health state last changed (Unix time).",
		    NLB_A_BACKEND_HEALTH_TIME);
	attr_family(f, c, CONF_GROUP, "passive", "Whether a group counts its backends' failed connection starts (1).",
		    NLB_A_GROUP_PASSIVE);
	attr_family(f, c, CONF_BACKEND, "draining", "1 for a deleted backend whose connections drain.",
		    NLB_A_BACKEND_DRAINING);
	attr_family(f, c, CONF_BACKEND, "drain_left_seconds", "Seconds until a draining backend's connections are ended.",
		    NLB_A_BACKEND_DRAIN_LEFT);
	fputs("# HELP nlb_scrape_duration_seconds Time taken to read the counters from the kernel.\n"
	      "# TYPE nlb_scrape_duration_seconds gauge\n", f);
	fprintf(f, "nlb_scrape_duration_seconds %.6f\n", seconds);
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Read the running configuration and render it into a string (malloc'd).
 * Without the module, nlb_up 0. Returns 0, or an exit status after a
 * message.
 */
int metrics_text(char **text, size_t *len)
{
	struct conf c;
	double t0 = now_seconds();
	FILE *f;
	int ret;

	f = open_memstream(text, len);
	if (!f) {
		pr_err("out of memory");
		return EXIT_KERNEL;
	}
	ret = nl_try_open();
	if (ret) {
		metrics_render(f, NULL, 0);
		fclose(f);
		return ret == -ENOENT ? EXIT_OK : nl_report();
	}
	ret = conf_read_running(&c) ?: conf_read_info(&c);
	if (ret) {
		/*
		 * The module went away, say (the error is printed): nlb_up 0,
		 * and a new socket next time.
		 */
		nl_shut();
		metrics_render(f, NULL, 0);
		ret = EXIT_OK;
	} else {
		metrics_render(f, &c, now_seconds() - t0);
	}
	conf_free(&c);
	fclose(f);
	return ret;
}

int metrics_main(int argc, char **argv)
{
	const char *out = NULL;
	char *text = NULL, tmp[4096];
	size_t len = 0;
	FILE *f;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--output") && i + 1 < argc) {
			out = argv[++i];
		} else {
			usage_error(!strcmp(argv[i], "--output") ?
				    "missing FILE after '%s'" :
				    "unexpected argument '%s'", argv[i]);
			return usage_cmd("metrics");
		}
	}
	ret = metrics_text(&text, &len);
	if (ret) {
		free(text);
		return ret;
	}
	if (!out) {
		fwrite(text, 1, len, stdout);
		fflush(stdout);
		free(text);
		return ferror(stdout) ? EXIT_KERNEL : EXIT_OK;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
	f = fopen(tmp, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		pr_err("cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(text);
		return EXIT_KERNEL;
	}
	free(text);
	if (rename(tmp, out)) {
		pr_err("cannot rename %s to %s: %s", tmp, out, strerror(errno));
		unlink(tmp);
		return EXIT_KERNEL;
	}
	return EXIT_OK;
}
