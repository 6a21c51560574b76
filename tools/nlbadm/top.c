// SPDX-License-Identifier: GPL-2.0
/*
 * nlbadm top [--interval SECONDS] [--count N]: per listener, group and
 * backend, new connections per second, active connections, bytes per
 * second in and out and refused connections per second by reason, from
 * the differences of the counters between two readings (one dump of each
 * object type per refresh, as a metrics scrape). When a group translates
 * (affinity off or prefer), translated and failed-over connections per
 * second and those a full source pool refused too, and under each group
 * the use of its pools. On a terminal the screen
 * is redrawn in place, like top(1), until q or ^C; otherwise each
 * refresh is printed after the last, which scripts and tests can read.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netlink/attr.h>

#include "nlbadm.h"

static struct termios saved_tio;
static bool tio_saved, screen;

static void restore(void)
{
	if (screen)
		fputs("\033[?25h\033[?1049l", stdout);	/* cursor, main screen */
	fflush(stdout);
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	tio_saved = screen = false;
}

static void on_signal(int sig)
{
	restore();
	_exit(EXIT_OK);
}

static const int stats_attr[CONF_NKINDS] = {
	[CONF_GROUP] = NLB_A_GROUP_STATS,
	[CONF_BACKEND] = NLB_A_BACKEND_STATS,
	[CONF_LISTENER] = NLB_A_LISTENER_STATS,
};

static uint64_t stat(const struct cobj *o, int attr)
{
	struct nla_policy pol[NLB_A_STATS_MAX + 1] = { { 0 } };
	struct nlattr *st[NLB_A_STATS_MAX + 1];
	struct nlattr *nest;
	int a;

	if (!o)
		return 0;
	nest = o->tb[stats_attr[o->kind]];
	for (a = 1; a <= NLB_A_STATS_MAX; a++)
		if (a != NLB_A_STATS_PAD)
			pol[a].type = NLA_U64;
	if (!nest || nla_parse_nested(st, NLB_A_STATS_MAX, nest, pol) ||
	    !st[attr])
		return 0;
	return nla_get_u64(st[attr]);
}

/* 1234 -> "1234", 12345 -> "12.3k", 1.5e6 -> "1.50M": at most 6 wide */
static void human(char *buf, size_t len, double v)
{
	static const char units[] = " kMGTP";
	int u = 0;

	if (v < 0) {
		snprintf(buf, len, "-");
		return;
	}
	while (v >= 10000 && u < 5) {
		v /= 1000;
		u++;
	}
	if (!u)
		snprintf(buf, len, v < 100 && v != floor(v) ? "%.1f" : "%.0f",
			 v);
	else
		snprintf(buf, len, v < 10 ? "%.2f%c" : v < 100 ? "%.1f%c" :
			 "%.0f%c", v, units[u]);
}

/* The rate of a counter between two readings, or -1 (new or reset). */
static double rate(const struct cobj *prev, const struct cobj *cur, int attr,
		   double dt)
{
	uint64_t a, b;

	if (!prev || dt <= 0)
		return -1;
	a = stat(prev, attr);
	b = stat(cur, attr);
	return b < a ? -1 : (double)(b - a) / dt;
}

/* The columns: rates of these counters (-1: active connections). */
static const int rates[] = {
	NLB_A_STATS_CONNS, -1, NLB_A_STATS_IN_BYTES,
	NLB_A_STATS_OUT_BYTES, NLB_A_STATS_DROP_NO_BACKEND,
	NLB_A_STATS_DROP_ERROR,
	/* with translation */
	NLB_A_STATS_TRANSLATED, NLB_A_STATS_FAILOVER_FAMILY,
	NLB_A_STATS_DROP_POOL,
};
static const char *const heads[ARRAY_SIZE(rates)] = {
	"CONN/S", "ACTIVE", "IN-B/S", "OUT-B/S", "NOBE/S", "ERR/S",
	"XLAT/S", "FOVR/S", "NOPOOL/S",
};
#define NCOLS		6	/* without translation */

static void row(FILE *f, const char *label, const struct cobj *prev,
		const struct cobj *cur, double dt, size_t ncols)
{
	char v[16];
	size_t i;

	fprintf(f, "%-40.40s", label);
	for (i = 0; i < ncols; i++) {
		if (rates[i] < 0)
			human(v, sizeof(v), stat(cur, NLB_A_STATS_ACTIVE));
		else
			human(v, sizeof(v), rate(prev, cur, rates[i], dt));
		fprintf(f, " %8s", v);
	}
	fputc('\n', f);
}

static const struct cobj *peer(const struct conf *prev, const struct cobj *o)
{
	long i = prev ? conf_find(prev, o) : -1;

	return i < 0 ? NULL : &prev->v[o->kind][i];
}

/* Whether a group of c translates: its columns are shown. */
static bool translates(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->n[CONF_GROUP]; i++)
		if (c->v[CONF_GROUP][i].tb[NLB_A_GROUP_AFFINITY] &&
		    cobj_u8(&c->v[CONF_GROUP][i], NLB_A_GROUP_AFFINITY) !=
		    NLB_AFFINITY_ON)
			return true;
	return false;
}

/* "  pool4 100.64.0.1-100.64.0.4  used 12 of 258048" for each pool of g */
static void pools(FILE *f, const struct cobj *g)
{
	static const struct {
		int first, last, used, size, af;
		const char *name;
	} p[] = {
		{ NLB_A_GROUP_POOL4_FIRST, NLB_A_GROUP_POOL4_LAST,
		  NLB_A_GROUP_POOL4_USED, NLB_A_GROUP_POOL4_SIZE, AF_INET,
		  "pool4" },
		{ NLB_A_GROUP_POOL6_FIRST, NLB_A_GROUP_POOL6_LAST,
		  NLB_A_GROUP_POOL6_USED, NLB_A_GROUP_POOL6_SIZE, AF_INET6,
		  "pool6" },
	};
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint32_t used, size;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		if (!g->tb[p[i].first])
			continue;
		inet_ntop(p[i].af, nla_data(g->tb[p[i].first]), a, sizeof(a));
		b[0] = '\0';
		if (g->tb[p[i].last])
			inet_ntop(p[i].af, nla_data(g->tb[p[i].last]), b,
				  sizeof(b));
		used = g->tb[p[i].used] ? nla_get_u32(g->tb[p[i].used]) : 0;
		size = g->tb[p[i].size] ? nla_get_u32(g->tb[p[i].size]) : 0;
		fprintf(f, "  %s %s%s%s  used %" PRIu32 " of %" PRIu32 " (%.1f%%)\n",
			p[i].name, a, b[0] ? "-" : "", b, used, size,
			size ? 100.0 * used / size : 0.0);
	}
}

void top_frame(FILE *f, const struct conf *prev, const struct conf *cur,
	       double dt, double interval)
{
	char label[128], a[64], when[32];
	size_t i, j, ncols = translates(cur) ? ARRAY_SIZE(rates) : NCOLS;
	const struct cobj *o, *b;
	time_t t = time(NULL);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&t));
	fprintf(f, "nlb top - %s, every %.1f s, %zu listeners, %zu groups, %zu backends",
		when, interval, cur->n[CONF_LISTENER], cur->n[CONF_GROUP],
		cur->n[CONF_BACKEND]);
	if (cur->itb[NLB_A_INFO_CENSUS_AGE])
		fprintf(f, ", census %.1f s old",
			nla_get_u32(cur->itb[NLB_A_INFO_CENSUS_AGE]) / 1000.0);
	fputs("\n\n", f);
	fprintf(f, "%-40s", "OBJECT");
	for (i = 0; i < ncols; i++)
		fprintf(f, " %8s", heads[i]);
	fputc('\n', f);
	for (i = 0; i < cur->n[CONF_LISTENER]; i++) {
		o = &cur->v[CONF_LISTENER][i];
		snprintf(label, sizeof(label), "listener %s",
			 cobj_str(o, NLB_A_LISTENER_NAME));
		row(f, label, peer(prev, o), o, dt, ncols);
	}
	for (i = 0; i < cur->n[CONF_GROUP]; i++) {
		o = &cur->v[CONF_GROUP][i];
		snprintf(label, sizeof(label), "group %s",
			 cobj_str(o, NLB_A_GROUP_NAME));
		row(f, label, peer(prev, o), o, dt, ncols);
		pools(f, o);
		for (j = 0; j < cur->n[CONF_BACKEND]; j++) {
			b = &cur->v[CONF_BACKEND][j];
			if (strcmp(cobj_str(b, NLB_A_BACKEND_GROUP),
				   cobj_str(o, NLB_A_GROUP_NAME)))
				continue;
			cobj_addr(b, NLB_A_BACKEND_ADDR4, NLB_A_BACKEND_ADDR6,
				  a, sizeof(a));
			snprintf(label, sizeof(label),
				 b->tb[NLB_A_BACKEND_ADDR6] ? "  [%s]:%u%s" :
				 "  %s:%u%s", a,
				 nla_get_u16(cobj_get(b, NLB_A_BACKEND_PORT)),
				 b->draining ? " draining" :
				 !cobj_u8(b, NLB_A_BACKEND_HEALTHY) ? " down" :
				 !cobj_u8(b, NLB_A_BACKEND_ENABLED) ?
				 " disabled" : "");
			row(f, label, peer(prev, b), b, dt, ncols);
		}
	}
}

static int parse_args(int argc, char **argv, double *interval,
		      unsigned long *count)
{
	char *end;
	int i;

	for (i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--interval") && v) {
			errno = 0;
			*interval = strtod(v, &end);
			if (errno || *end || !(*interval >= 0.1) ||
			    *interval > 3600) {
				usage_error("invalid interval '%s' (expected 0.1-3600 seconds)",
					    v);
				return usage_cmd("top");
			}
		} else if (!strcmp(argv[i], "--count") && v) {
			errno = 0;
			*count = strtoul(v, &end, 10);
			if (errno || *end || !*count || v[0] < '0' ||
			    v[0] > '9') {
				usage_error("invalid count '%s' (expected 1 or more)",
					    v);
				return usage_cmd("top");
			}
		} else {
			usage_error(v || (strcmp(argv[i], "--interval") &&
					  strcmp(argv[i], "--count")) ?
				    "unexpected argument '%s'" :
				    "missing value after '%s'", argv[i]);
			return usage_cmd("top");
		}
		i++;
	}
	return 0;
}

/* Wait for the interval; true if q was typed. */
static bool wait_key(double until)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	double left;
	char ch;

	while ((left = until - now_seconds()) > 0) {
		if (!tio_saved) {
			struct timespec ts = {
				.tv_sec = (time_t)left,
				.tv_nsec = (long)((left - (time_t)left) * 1e9),
			};

			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) > 0 &&
		    read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
			return true;
	}
	return false;
}

int top_main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct conf confs[2], *prev = NULL, *cur;
	double interval = 2, t, tprev = 0;
	unsigned long count = 0, n;
	struct termios tio;
	int ret, k = 0;

	ret = parse_args(argc, argv, &interval, &count);
	if (ret)
		return ret;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (isatty(STDOUT_FILENO)) {
		screen = true;
		fputs("\033[?1049h\033[?25l", stdout);	/* alternate screen */
	}
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved_tio)) {
		tio = saved_tio;
		tio.c_lflag &= ~(ICANON | ECHO);
		tio.c_cc[VMIN] = 0;
		tio.c_cc[VTIME] = 0;
		tio_saved = !tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	}
	atexit(restore);
	conf_init(&confs[0]);
	conf_init(&confs[1]);

	/* A first reading, then one frame per interval. */
	for (n = 0; ; n++) {
		cur = &confs[k];
		t = now_seconds();
		ret = conf_read_running(cur) ?: conf_read_info(cur);
		if (ret)
			break;
		if (prev) {
			if (screen)
				fputs("\033[H\033[2J", stdout);
			else if (n > 1)
				fputc('\n', stdout);
			top_frame(stdout, prev, cur, t - tprev, interval);
			fflush(stdout);
			conf_free(prev);
			if (count && n >= count)
				break;
		}
		prev = cur;
		tprev = t;
		k ^= 1;
		if (wait_key(t + interval))
			break;
	}
	conf_free(&confs[0]);
	conf_free(&confs[1]);
	restore();
	return ret;
}
