// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration from a file instead of the kernel, and the changes
 * written as lines of text: for tests of the checker on a host without
 * the nlb module (--config FILE --output FILE). SIGHUP reads the file
 * again, as a resynchronisation would. Lines:
 *
 *   group NAME [check none|tcp|http|udp|agent] [port P] [interval MS]
 *         [timeout MS] [rise N] [fall N] [http-path P] [http-host H]
 *         [http-status CODES] [udp-payload TEXT] [udp-reply 0|1]
 *         [passive 0|1] [passive-fails N] [passive-window MS]
 *   backend GROUP ADDRESS [port P] [weight W] [healthy 0|1]
 *         [agent-weight N] [fails N]
 *
 * (fails: the kernel's count of failed connection starts; a reload with
 * a larger count acts as a failed notification). The state the daemon
 * wrote is kept, as the kernel would keep it: a reload does not undo it.
 * Each change is a line on the output:
 *
 *   GROUP ADDRESS port P [healthy 0|1 reason "..."] [agent-weight N]
 *         [probe-ok 0|1 probe "..."]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "healthd.h"

static char *path;
static FILE *out;

/* What the daemon wrote, as the kernel would keep it. */
struct kept {
	struct kept *next;
	struct backend_info bi;
	bool has_health, has_agent;
};
static struct kept *kept;

static struct kept *kept_find(const struct backend_info *bi, bool add)
{
	struct kept *k;

	for (k = kept; k; k = k->next)
		if (k->bi.port == bi->port && addr_eq(&k->bi.addr, &bi->addr) &&
		    !strcmp(k->bi.group, bi->group))
			return k;
	if (!add)
		return NULL;
	k = xcalloc(1, sizeof(*k));
	k->bi = *bi;
	k->next = kept;
	kept = k;
	return k;
}

static void file_change(const struct backend *b, const struct backend_info *bi,
			const struct backend_change *ch)
{
	char a[INET6_ADDRSTRLEN];
	struct kept *k;

	addr_str(&bi->addr, a, sizeof(a));
	fprintf(out, "%s %s port %u", bi->group, a, bi->port);
	if (ch->set_health || ch->set_agent) {
		k = kept_find(bi, true);
		if (ch->set_health) {
			k->bi.healthy = ch->healthy;
			k->has_health = true;
		}
		if (ch->set_agent) {
			k->bi.agent_weight = ch->agent_weight;
			k->has_agent = true;
		}
	}
	if (ch->set_health)
		fprintf(out, " healthy %d reason \"%s\"", ch->healthy,
			ch->reason);
	if (ch->set_agent)
		fprintf(out, " agent-weight %u", ch->agent_weight);
	if (ch->report)
		fprintf(out, " probe-ok %d probe \"%s\"", ch->probe_ok,
			ch->probe);
	fputc('\n', out);
	stats.writes++;
}

static int num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || !*s || *v > max ? -1 : 0;
}

static int group_line(char **w, int n, unsigned long line)
{
	struct check_cfg c;
	unsigned long v;
	int i;

	check_defaults(&c);
	for (i = 2; i < n; i += 2) {
		const char *k = w[i], *val = i + 1 < n ? w[i + 1] : "";
		int err = 0;

		if (i + 1 >= n) {
			err = -1;
		} else if (!strcmp(k, "check")) {
			static const char *const types[] = {
				"none", "tcp", "http", "udp", "agent"
			};
			for (v = 0; v < ARRAY_SIZE(types); v++)
				if (!strcmp(val, types[v]))
					break;
			err = v == ARRAY_SIZE(types) ? -1 : 0;
			c.type = v;
		} else if (!strcmp(k, "port")) {
			err = num(val, 65535, &v);
			c.port = v;
		} else if (!strcmp(k, "interval")) {
			err = num(val, 3600000, &v) ?: v < 100 ? -1 : 0;
			c.interval = v;
		} else if (!strcmp(k, "timeout")) {
			err = num(val, 3600000, &v) ?: !v ? -1 : 0;
			c.timeout = v;
		} else if (!strcmp(k, "rise")) {
			err = num(val, 100, &v) ?: !v ? -1 : 0;
			c.rise = v;
		} else if (!strcmp(k, "fall")) {
			err = num(val, 100, &v) ?: !v ? -1 : 0;
			c.fall = v;
		} else if (!strcmp(k, "http-path")) {
			snprintf(c.http_path, sizeof(c.http_path), "%s", val);
		} else if (!strcmp(k, "http-host")) {
			snprintf(c.http_host, sizeof(c.http_host), "%s", val);
		} else if (!strcmp(k, "http-status")) {
			snprintf(c.http_status, sizeof(c.http_status), "%s",
				 val);
		} else if (!strcmp(k, "udp-payload")) {
			c.payload_len = strlen(val) < sizeof(c.payload) ?
					strlen(val) : sizeof(c.payload);
			memcpy(c.payload, val, c.payload_len);
		} else if (!strcmp(k, "udp-reply")) {
			err = num(val, 1, &v);
			c.udp_reply = v;
		} else if (!strcmp(k, "passive")) {
			err = num(val, 1, &v);
			c.passive = v;
		} else if (!strcmp(k, "passive-fails")) {
			err = num(val, 100000, &v) ?: !v ? -1 : 0;
			c.passive_fails = v;
		} else if (!strcmp(k, "passive-window")) {
			err = num(val, 3600000, &v) ?: v < 100 ? -1 : 0;
			c.passive_window = v;
		} else {
			err = -1;
		}
		if (err) {
			log_err("%s:%lu: bad %s", path, line, k);
			return -1;
		}
	}
	if (n < 2 || strlen(w[1]) > NLB_NAME_MAX_LEN ||
	    c.timeout > c.interval) {
		log_err("%s:%lu: bad group line", path, line);
		return -1;
	}
	conf_group(w[1], &c);
	return 0;
}

static int backend_line(char **w, int n, unsigned long line)
{
	struct backend_info bi = { .weight = 1, .agent_weight = 100,
				   .enabled = true, .healthy = true };
	bool has_fails = false;
	unsigned long v;
	struct kept *k;
	int i, err = 0;

	if (n < 3 || strlen(w[1]) > NLB_NAME_MAX_LEN ||
	    addr_parse(w[2], &bi.addr)) {
		log_err("%s:%lu: bad backend line", path, line);
		return -1;
	}
	snprintf(bi.group, sizeof(bi.group), "%s", w[1]);
	for (i = 3; i < n && !err; i += 2) {
		if (i + 1 >= n) {
			err = -1;
		} else if (!strcmp(w[i], "port")) {
			err = num(w[i + 1], 65535, &v);
			bi.port = v;
		} else if (!strcmp(w[i], "weight")) {
			err = num(w[i + 1], 255, &v);
			bi.weight = v;
		} else if (!strcmp(w[i], "healthy")) {
			err = num(w[i + 1], 1, &v);
			bi.healthy = v;
		} else if (!strcmp(w[i], "agent-weight")) {
			err = num(w[i + 1], 100, &v);
			bi.agent_weight = v;
		} else if (!strcmp(w[i], "fails")) {
			err = num(w[i + 1], UINT32_MAX, &v);
			bi.fails = v;
			has_fails = true;
		} else {
			err = -1;
		}
	}
	if (err) {
		log_err("%s:%lu: bad backend line", path, line);
		return -1;
	}
	k = kept_find(&bi, false);
	if (k && k->has_health)
		bi.healthy = k->bi.healthy;
	if (k && k->has_agent)
		bi.agent_weight = k->bi.agent_weight;
	if (!conf_backend(&bi)) {
		log_err("%s:%lu: no group %s", path, line, bi.group);
		return -1;
	}
	if (has_fails) {
		bi.has_fails = true;
		conf_backend_failed(&bi);
	}
	return 0;
}

/* Words of a line: blanks separate them, "..." holds blanks. */
static int split(char *s, char **w, int max)
{
	int n = 0;

	while (*s && n < max) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			break;
		if (*s == '"') {
			w[n++] = ++s;
			s = strchr(s, '"');
			if (!s)
				return -1;
		} else {
			w[n++] = s;
			s += strcspn(s, " \t\r\n");
		}
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static int load(void)
{
	char buf[2048], *w[40];
	unsigned long line = 0;
	int n, err = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	conf_begin();
	while (fgets(buf, sizeof(buf), f)) {
		line++;
		n = split(buf, w, ARRAY_SIZE(w));
		if (n < 0) {
			log_err("%s:%lu: unterminated quote", path, line);
			err = -1;
		} else if (!n) {
			continue;
		} else if (!strcmp(w[0], "group")) {
			err |= group_line(w, n, line);
		} else if (!strcmp(w[0], "backend")) {
			err |= backend_line(w, n, line);
		} else {
			log_err("%s:%lu: unknown line", path, line);
			err = -1;
		}
	}
	fclose(f);
	conf_end();
	stats.resyncs++;
	log_info("configuration: %u groups, %u backends, %u probe targets",
		 stats.groups, stats.backends, stats.targets);
	return err;
}

static bool reload_wanted;

void file_reload(void)
{
	reload_wanted = true;
}

static void file_idle(void)
{
	if (reload_wanted) {
		reload_wanted = false;
		load();
	}
	fflush(out);
}

const struct source file_source = {
	.name = "file",
	.change = file_change,
	.flush = file_idle,
};

int file_start(const char *config, const char *output)
{
	path = xstrdup(config);
	out = output && strcmp(output, "-") ? fopen(output, "w") : stdout;
	if (!out) {
		log_err("%s: %s", output, strerror(errno));
		return -1;
	}
	return load();
}

void file_stop(void)
{
	struct kept *k;

	while ((k = kept)) {
		kept = k->next;
		free(k);
	}
	if (out && out != stdout)
		fclose(out);
	out = NULL;
	free(path);
	path = NULL;
}
