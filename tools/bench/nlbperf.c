// SPDX-License-Identifier: GPL-2.0
/*
 * nlbperf: the TCP/UDP traffic tool of nlb's benchmark.
 *
 * One binary, five modes, all single threaded around one epoll set, all
 * with IPv4 and IPv6 literal addresses ("[v6]" brackets and "%scope" are
 * accepted). Results are one line of JSON on stdout; diagnostics go to
 * stderr prefixed "nlbperf:". Bad arguments exit 2. SIGTERM and SIGINT
 * end every mode cleanly.
 *
 * server   -p PORT [-a ADDR]... [-r RESPBYTES]
 *     TCP server, on "::" dual-stack by default (0.0.0.0 if the host has
 *     no IPv6). For each connection: read a request (any 1 or more
 *     bytes), write RESPBYTES bytes (default 64), then read and discard
 *     until EOF and close, so the client is the one to close first.
 *     A connection that never sends a request (see "hold") is kept until
 *     the peer closes it. Per-connection errors are counted, never fatal.
 *     On SIGTERM/SIGINT prints {"accepted","answered","resets","errors"}
 *     and exits 0.
 *
 * client   -d ADDR -p PORT [-c CONC] [-t SECONDS] [-s SRCADDR]... [--rst]
 *          [-r RESPBYTES] [-w TIMEOUT_MS]
 *     TCP connection-rate client: CONC (16) connections in flight, each
 *     connect, send a 16 byte request, read RESPBYTES (64, must match the
 *     server), close (--rst: SO_LINGER {1, 0}, the close sends a RST).
 *     Runs SECONDS (5), then finishes the connections in flight, for at
 *     most 2 s more (those still open then are "aborted"). -s binds each
 *     new socket to the next source address, round robin, port chosen at
 *     connect (IP_BIND_ADDRESS_NO_PORT). A connection that takes longer
 *     than TIMEOUT_MS (3000) is an error. Latency is connect() to the last
 *     response byte, CLOCK_MONOTONIC, kept in a log-linear histogram
 *     (buckets < 0.8% wide). Prints
 *     {"conns","errors","seconds","rate","p50_us","p90_us","p99_us",
 *      "max_us","mean_us","aborted"}, rate = conns / seconds; errors by
 *     cause go to stderr. Exits 0 if any connection completed, else 1.
 *
 * udpecho  -p PORT [-a ADDR]...
 *     UDP echo server ("::" dual-stack by default): each datagram goes back
 *     to its sender, same payload, sent from the address it was sent to
 *     (IP_PKTINFO / IPV6_PKTINFO). recvmmsg/sendmmsg in batches of 32.
 *     On SIGTERM/SIGINT prints {"received","echoed"} and exits 0.
 *
 * udpprime -d ADDR -p PORT -s SRCADDR --sport MIN-MAX [-w TIMEOUT_MS]
 *          [-R RETRIES] [-W WINDOW]
 *     For each source port MIN..MAX: a UDP socket bound to SRCADDR:port,
 *     connected to ADDR:PORT, sends an 18 byte datagram and waits for the
 *     same bytes back, resending after TIMEOUT_MS (500) up to RETRIES (3)
 *     times. WINDOW (256) ports are in flight at once. Gives every flow of
 *     a later packet generator run a reply, so conntrack has them
 *     established. Prints {"flows","replied","failed","seconds"}; exits 0
 *     if every flow got its reply, 1 otherwise.
 *
 * hold     -d ADDR -p PORT -n N [-s SRCADDR]... [-t SECONDS] [-c INFLIGHT]
 *          [-w TIMEOUT_MS] [--rst]
 *     Opens N TCP connections, at most INFLIGHT (256) connects at a time,
 *     sends nothing. Once every attempt is over prints
 *     {"open","failed","closed"} ("closed": opened, then closed by the
 *     peer) and flushes stdout, then holds them for SECONDS (default: until
 *     SIGTERM/SIGINT) and closes them all; it ends early when none is left
 *     open. Exits 0 if none failed, else 1.
 *
 * Every mode raises RLIMIT_NOFILE to its hard limit (hold, as root, to
 * N + 1024 if that is more).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define NSEC		1000000000ULL
#define MSEC		1000000ULL
#define MAX_EVENTS	256
#define BACKLOG		4096

/* ---- messages, exits ---------------------------------------------- */

static const char *mode_name = "";

static void vmsg(const char *fmt, va_list ap)
{
	fputs("nlbperf: ", stderr);
	if (*mode_name)
		fprintf(stderr, "%s: ", mode_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2))) msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(1);
}

static const char usage_text[] =
"usage: nlbperf MODE [OPTIONS]\n"
"\n"
"  nlbperf server   -p PORT [-a ADDR]... [-r RESPBYTES]\n"
"  nlbperf client   -d ADDR -p PORT [-c CONC] [-t SECONDS] [-s SRCADDR]...\n"
"                   [--rst] [-r RESPBYTES] [-w TIMEOUT_MS]\n"
"  nlbperf udpecho  -p PORT [-a ADDR]...\n"
"  nlbperf udpprime -d ADDR -p PORT -s SRCADDR --sport MIN-MAX\n"
"                   [-w TIMEOUT_MS] [-R RETRIES] [-W WINDOW]\n"
"  nlbperf hold     -d ADDR -p PORT -n N [-s SRCADDR]... [-t SECONDS]\n"
"                   [-c INFLIGHT] [-w TIMEOUT_MS] [--rst]\n"
"\n"
"  -a, --addr ADDR       listen address (repeatable; default :: dual-stack)\n"
"  -d, --dest ADDR       destination address\n"
"  -p, --port PORT       listen or destination port\n"
"  -r, --resp BYTES      response size (server and client must agree; 64)\n"
"  -c, --conc N          client: connections in flight (16);\n"
"                        hold: connects in flight (256)\n"
"  -t, --time SECONDS    client: run time (5); hold: hold time (until killed)\n"
"  -s, --src ADDR        source address (client, hold: repeatable, rotated)\n"
"      --rst             close with a RST (SO_LINGER 0) instead of a FIN\n"
"  -w, --timeout MS      client, hold: per-connection timeout (3000);\n"
"                        udpprime: reply timeout per try (500)\n"
"      --sport MIN-MAX   udpprime: source port range, inclusive\n"
"  -R, --retries N       udpprime: resends after the first try (3)\n"
"  -W, --window N        udpprime: ports in flight (256)\n"
"  -n, --num N           hold: connections to open\n"
"  -h, --help            this text\n"
"\n"
"Results: one line of JSON on stdout. Bad arguments exit 2.\n";

static void __attribute__((noreturn)) usage_exit(int code)
{
	fputs(usage_text, code ? stderr : stdout);
	exit(code);
}

static void __attribute__((format(printf, 1, 2), noreturn))
bad_arg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputs("Try 'nlbperf --help'.\n", stderr);
	exit(2);
}

/* ---- numbers, time -------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static unsigned long parse_ulong(const char *what, const char *s,
				 unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		bad_arg("%s: '%s' is not a number", what, s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		bad_arg("%s: '%s' is not a number in %lu..%lu", what, s,
			min, max);
	return v;
}

/* Seconds, fractions allowed, as nanoseconds. */
static uint64_t parse_seconds(const char *what, const char *s)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e6)
		bad_arg("%s: '%s' is not a time in seconds (0..1000000]",
			what, s);
	return (uint64_t)(v * NSEC);
}

/* ---- addresses ------------------------------------------------------ */

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct addrlist {
	struct addr *v;
	size_t n;
	size_t next;		/* round robin position */
};

static int addr_family(const struct addr *a)
{
	return a->ss.ss_family;
}

static void addr_set_port(struct addr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
}

static const char *addr_str(const struct addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1], serv[8];

	if (getnameinfo((const struct sockaddr *)&a->ss, a->len, host,
			sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (a->ss.ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%s", host, serv);
	else
		snprintf(buf, len, "%s:%s", host, serv);
	return buf;
}

/* An IPv4 or IPv6 literal; "[...]" and "%scope" allowed for IPv6. */
static bool parse_addr(const char *s, struct addr *a)
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	if (n >= sizeof(buf))
		return false;
	if (s[0] == '[' && n > 2 && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, s, n + 1);
	}
	if (s[0] != '[' && inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		a->len = sizeof(*sin);
		return true;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		a->len = sizeof(*sin6);
		return true;
	}
	if (strchr(buf, '%')) {
		struct addrinfo hints = {
			.ai_family = AF_INET6,
			.ai_flags = AI_NUMERICHOST,
			.ai_socktype = SOCK_DGRAM,
		};
		struct addrinfo *res;

		if (getaddrinfo(buf, NULL, &hints, &res))
			return false;
		memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
		a->len = res->ai_addrlen;
		freeaddrinfo(res);
		return true;
	}
	return false;
}

static void addrlist_add(struct addrlist *l, const char *what, const char *s)
{
	struct addr *v;

	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		die("out of memory");
	l->v = v;
	if (!parse_addr(s, &l->v[l->n]))
		bad_arg("%s: '%s' is not an IPv4 or IPv6 address", what, s);
	l->n++;
}

static void addrlist_set_port(struct addrlist *l, uint16_t port)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		addr_set_port(&l->v[i], port);
}

/* Every source address must be of the destination's family. */
static void check_sources(const struct addrlist *src, const struct addr *dst)
{
	char b[80];
	size_t i;

	for (i = 0; i < src->n; i++)
		if (addr_family(&src->v[i]) != addr_family(dst))
			bad_arg("source %s is not of the destination's family",
				addr_str(&src->v[i], b, sizeof(b)));
}

/* ---- process setup -------------------------------------------------- */

static volatile sig_atomic_t stop_flag;
static sigset_t wait_mask;	/* SIGINT, SIGTERM unblocked: epoll_pwait */

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/*
 * SIGINT and SIGTERM stay blocked except inside epoll_pwait(), so a
 * signal can never fall between checking stop_flag and going to sleep.
 */
static void setup_signals(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
}

static int wait_events(int ep, struct epoll_event *evs, int timeout_ms)
{
	int n = epoll_pwait(ep, evs, MAX_EVENTS, timeout_ms, &wait_mask);

	if (n < 0) {
		if (errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		n = 0;
	}
	return n;
}

/* Milliseconds to sleep until deadline, at least 1, at most cap. */
static int ms_until(uint64_t now, uint64_t deadline, int cap)
{
	uint64_t ms;

	if (deadline <= now)
		return 0;
	ms = (deadline - now + MSEC - 1) / MSEC;
	return ms > (uint64_t)cap ? cap : (int)ms;
}

/* Soft limit to the hard one; as root, to want if that is more. */
static void raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (want > rl.rlim_max && geteuid() == 0) {
		struct rlimit big = { want, want };

		if (!setrlimit(RLIMIT_NOFILE, &big))
			return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (want > rl.rlim_cur)
		msg("warning: open file limit %llu is below %llu",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)want);
}

static int new_epoll(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		die("epoll_create1: %s", strerror(errno));
	return ep;
}

static int setint(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

/* A non-blocking TCP socket for dst, bound to the next source if any. */
static int tcp_socket_to(const struct addr *dst, struct addrlist *src,
			 bool rst)
{
	int fd = socket(addr_family(dst),
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err;

	if (fd < 0)
		return -1;
	if (rst) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	if (src->n) {
		const struct addr *s = &src->v[src->next++ % src->n];

		setint(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
		if (bind(fd, (const struct sockaddr *)&s->ss, s->len)) {
			err = errno;
			close(fd);
			errno = err;
			return -1;
		}
	}
	return fd;
}

/* ---- latency histogram ---------------------------------------------- */

/*
 * Log-linear: values below 256 have a bucket each, above that every
 * power of two is cut in 128 buckets, so a bucket is less than 0.8% of
 * its values wide. Values are nanoseconds.
 */
#define H_SUB_BITS	7
#define H_SUB		(1U << H_SUB_BITS)
#define H_BUCKETS	((64 - H_SUB_BITS + 1) * H_SUB)

struct hist {
	uint64_t b[H_BUCKETS];
	uint64_t n, max, sum;
};

static unsigned int h_index(uint64_t v)
{
	unsigned int shift;

	if (v < 2 * H_SUB)
		return (unsigned int)v;
	shift = 63 - (unsigned int)__builtin_clzll(v) - H_SUB_BITS;
	return (shift + 1) * H_SUB + (unsigned int)(v >> shift) - H_SUB;
}

static uint64_t h_low(unsigned int i)
{
	unsigned int shift;

	if (i < 2 * H_SUB)
		return i;
	shift = i / H_SUB - 1;
	return (uint64_t)(H_SUB + i % H_SUB) << shift;
}

static uint64_t h_width(unsigned int i)
{
	return i < 2 * H_SUB ? 1 : 1ULL << (i / H_SUB - 1);
}

static void h_add(struct hist *h, uint64_t v)
{
	h->b[h_index(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

/* Value at quantile q (0..1]: the middle of its bucket, at most max. */
static uint64_t h_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (!h->n)
		return 0;
	rank = (uint64_t)(q * (double)h->n);
	if ((double)rank < q * (double)h->n)
		rank++;
	if (rank < 1)
		rank = 1;
	for (i = 0; i < H_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	if (i == H_BUCKETS)
		return h->max;
	v = h_low(i) + (h_width(i) - 1) / 2;
	return v > h->max ? h->max : v;
}

static double ns_to_us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

/* ---- error counting ------------------------------------------------- */

#define ERRNO_SLOTS	160

struct errcount {
	uint64_t total;
	uint64_t by_errno[ERRNO_SLOTS];
	uint64_t timeout, eof, other;
};

enum { ERR_TIMEOUT = -1, ERR_EOF = -2 };

static void err_add(struct errcount *e, int code)
{
	e->total++;
	if (code == ERR_TIMEOUT)
		e->timeout++;
	else if (code == ERR_EOF)
		e->eof++;
	else if (code > 0 && code < ERRNO_SLOTS)
		e->by_errno[code]++;
	else
		e->other++;
}

static void err_report(const struct errcount *e, const char *what)
{
	char line[1024];
	size_t n = 0;
	int i;

	if (!e->total)
		return;
	n += snprintf(line + n, sizeof(line) - n, "%llu %s:",
		      (unsigned long long)e->total, what);
	for (i = 0; i < ERRNO_SLOTS && n < sizeof(line); i++)
		if (e->by_errno[i])
			n += snprintf(line + n, sizeof(line) - n, " %s %llu,",
				      strerror(i),
				      (unsigned long long)e->by_errno[i]);
	if (e->timeout && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " timeout %llu,",
			      (unsigned long long)e->timeout);
	if (e->eof && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n,
			      " EOF before the full response %llu,",
			      (unsigned long long)e->eof);
	if (e->other && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " other %llu,",
			      (unsigned long long)e->other);
	if (n < sizeof(line) && line[n - 1] == ',')
		line[n - 1] = '\0';
	msg("%s", line);
}

/* ---- option parsing ------------------------------------------------- */

enum { OPT_RST = 1000, OPT_SPORT };

static const struct option long_opts[] = {
	{ "addr",	required_argument,	NULL, 'a' },
	{ "dest",	required_argument,	NULL, 'd' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "resp",	required_argument,	NULL, 'r' },
	{ "conc",	required_argument,	NULL, 'c' },
	{ "time",	required_argument,	NULL, 't' },
	{ "src",	required_argument,	NULL, 's' },
	{ "timeout",	required_argument,	NULL, 'w' },
	{ "retries",	required_argument,	NULL, 'R' },
	{ "window",	required_argument,	NULL, 'W' },
	{ "num",	required_argument,	NULL, 'n' },
	{ "rst",	no_argument,		NULL, OPT_RST },
	{ "sport",	required_argument,	NULL, OPT_SPORT },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	struct addrlist listen;		/* -a */
	struct addrlist src;		/* -s */
	struct addr dst;		/* -d */
	bool have_dst, have_port, have_num, have_time, have_conc, have_wait;
	bool rst;
	uint16_t port;
	unsigned long resp;
	unsigned long conc;
	uint64_t time_ns;
	unsigned long wait_ms;
	unsigned long retries;
	unsigned long window;
	unsigned long num;
	unsigned long sport_min, sport_max;
	bool have_sport;
};

/* Options each mode takes, as their short letters (long-only: R, S). */
struct mode {
	const char *name;
	const char *allowed;	/* option letters; 'X' is --rst, 'S' --sport */
	int (*run)(struct opts *o);
};

static void parse_sport(struct opts *o, const char *s)
{
	const char *dash = strchr(s, '-');
	char lo[16];

	if (dash) {
		if ((size_t)(dash - s) >= sizeof(lo))
			bad_arg("--sport: '%s' is not MIN-MAX", s);
		memcpy(lo, s, (size_t)(dash - s));
		lo[dash - s] = '\0';
		o->sport_min = parse_ulong("--sport", lo, 1, 65535);
		o->sport_max = parse_ulong("--sport", dash + 1, 1, 65535);
	} else {
		o->sport_min = parse_ulong("--sport", s, 1, 65535);
		o->sport_max = o->sport_min;
	}
	if (o->sport_min > o->sport_max)
		bad_arg("--sport: '%s': MIN is above MAX", s);
	o->have_sport = true;
}

static const char *opt_name(int c)
{
	const struct option *l;

	for (l = long_opts; l->name; l++)
		if (l->val == c)
			return l->name;
	return "?";
}

static void parse_opts(const struct mode *m, int argc, char **argv,
		       struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->resp = 64;
	o->retries = 3;
	o->window = 256;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":a:d:p:r:c:t:s:w:R:W:n:h",
				long_opts, NULL)) != -1) {
		int letter = c == OPT_RST ? 'X' : c == OPT_SPORT ? 'S' : c;

		if (c == 'h')
			usage_exit(0);
		if (c == '?')
			bad_arg("unknown option '%s'", argv[optind - 1]);
		if (c == ':')
			bad_arg("option '%s' needs a value", argv[optind - 1]);
		if (!strchr(m->allowed, letter))
			bad_arg("option --%s does not apply to %s",
				opt_name(c), m->name);
		switch (c) {
		case 'a':
			addrlist_add(&o->listen, "-a", optarg);
			break;
		case 'd':
			if (!parse_addr(optarg, &o->dst))
				bad_arg("-d: '%s' is not an IPv4 or IPv6 address",
					optarg);
			o->have_dst = true;
			break;
		case 'p':
			o->port = (uint16_t)parse_ulong("-p", optarg, 1, 65535);
			o->have_port = true;
			break;
		case 'r':
			o->resp = parse_ulong("-r", optarg, 0, 64UL << 20);
			break;
		case 'c':
			o->conc = parse_ulong("-c", optarg, 1, 1000000);
			o->have_conc = true;
			break;
		case 't':
			o->time_ns = parse_seconds("-t", optarg);
			o->have_time = true;
			break;
		case 's':
			addrlist_add(&o->src, "-s", optarg);
			break;
		case 'w':
			o->wait_ms = parse_ulong("-w", optarg, 1, 3600000);
			o->have_wait = true;
			break;
		case 'R':
			o->retries = parse_ulong("-R", optarg, 0, 100);
			break;
		case 'W':
			o->window = parse_ulong("-W", optarg, 1, 65536);
			break;
		case 'n':
			o->num = parse_ulong("-n", optarg, 1, 10000000);
			o->have_num = true;
			break;
		case OPT_RST:
			o->rst = true;
			break;
		case OPT_SPORT:
			parse_sport(o, optarg);
			break;
		}
	}
	if (optind < argc)
		bad_arg("unexpected argument '%s'", argv[optind]);
	if (!o->have_port)
		bad_arg("-p PORT is required");
	if (strchr(m->allowed, 'd') && !o->have_dst)
		bad_arg("-d ADDR is required");
	if (o->have_dst)
		addr_set_port(&o->dst, o->port);
	if (o->have_dst)
		check_sources(&o->src, &o->dst);
}

/* ---- server --------------------------------------------------------- */

enum { K_FREE, K_LISTEN, K_CONN };
enum { S_REQ, S_RESP, S_DRAIN };

struct sconn {
	uint8_t kind;
	uint8_t state;
	uint8_t pollout;
	uint32_t sent;
};

static struct server {
	int ep;
	int reserve_fd;		/* given up to shed a connection at EMFILE */
	char *resp;
	uint32_t resp_len;
	struct sconn *tab;	/* indexed by fd */
	size_t tab_n;
	uint64_t accepted, answered, resets, errors;
	bool emfile_warned;
} srv;

static bool srv_tab_fit(int fd)
{
	size_t n = srv.tab_n ? srv.tab_n : 1024;
	struct sconn *t;

	if ((size_t)fd < srv.tab_n)
		return true;
	while (n <= (size_t)fd)
		n *= 2;
	t = realloc(srv.tab, n * sizeof(*t));
	if (!t)
		return false;
	memset(t + srv.tab_n, 0, (n - srv.tab_n) * sizeof(*t));
	srv.tab = t;
	srv.tab_n = n;
	return true;
}

/*
 * One listening socket. "::" is dual-stack unless IPv4 listeners are
 * asked for too. Returns -1 with errno set.
 */
static int srv_listen(const struct addr *a, bool dual, int type)
{
	int fd = socket(addr_family(a), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err;

	if (fd < 0)
		return -1;
	setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (addr_family(a) == AF_INET6)
		setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, !dual);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) ||
	    (type == SOCK_STREAM && listen(fd, BACKLOG))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/*
 * The listening sockets of -a, or of "::" dual-stack (0.0.0.0 when the
 * host has no IPv6). Calls add(fd) for each.
 */
static void open_listeners(struct opts *o, int type, void (*add)(int fd))
{
	bool any_v4 = false;
	char b[80];
	size_t i;
	int fd;

	if (!o->listen.n) {
		struct addr any;

		parse_addr("::", &any);
		addr_set_port(&any, o->port);
		fd = srv_listen(&any, true, type);
		if (fd < 0 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
			parse_addr("0.0.0.0", &any);
			addr_set_port(&any, o->port);
			fd = srv_listen(&any, false, type);
		}
		if (fd < 0)
			die("listen on %s: %s", addr_str(&any, b, sizeof(b)),
			    strerror(errno));
		add(fd);
		return;
	}
	addrlist_set_port(&o->listen, o->port);
	for (i = 0; i < o->listen.n; i++)
		if (addr_family(&o->listen.v[i]) == AF_INET)
			any_v4 = true;
	for (i = 0; i < o->listen.n; i++) {
		const struct addr *a = &o->listen.v[i];

		fd = srv_listen(a, !any_v4, type);
		if (fd < 0)
			die("listen on %s: %s", addr_str(a, b, sizeof(b)),
			    strerror(errno));
		add(fd);
	}
}

static void srv_add_listener(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (!srv_tab_fit(fd))
		die("out of memory");
	srv.tab[fd].kind = K_LISTEN;
	if (epoll_ctl(srv.ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
}

static void srv_close(int fd)
{
	srv.tab[fd].kind = K_FREE;
	close(fd);
}

static void srv_fail(int fd, int err)
{
	if (err == ECONNRESET)
		srv.resets++;
	else
		srv.errors++;
	srv_close(fd);
}

static void srv_watch(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	epoll_ctl(srv.ep, EPOLL_CTL_MOD, fd, &ev);
}

static void srv_conn_io(int fd)
{
	struct sconn *c = &srv.tab[fd];
	static char buf[16384];
	ssize_t n;
	int i;

	if (c->state == S_REQ) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0) {		/* closed without a request: hold */
			srv_close(fd);
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				srv_fail(fd, errno);
			return;
		}
		c->state = S_RESP;
		c->sent = 0;
	}
	if (c->state == S_RESP) {
		while (c->sent < srv.resp_len) {
			n = send(fd, srv.resp + c->sent, srv.resp_len - c->sent,
				 MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN) {
					srv_fail(fd, errno);
					return;
				}
				if (!c->pollout) {
					srv_watch(fd, EPOLLOUT);
					c->pollout = 1;
				}
				return;
			}
			c->sent += (uint32_t)n;
		}
		srv.answered++;
		c->state = S_DRAIN;
		if (c->pollout) {
			srv_watch(fd, EPOLLIN | EPOLLRDHUP);
			c->pollout = 0;
		}
	}
	/* S_DRAIN: whatever else comes, until EOF; bounded per wakeup */
	for (i = 0; i < 16; i++) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0)
			continue;
		if (n == 0)
			srv_close(fd);
		else if (errno != EAGAIN && errno != EINTR)
			srv_fail(fd, errno);
		return;
	}
}

static void srv_accept(int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	int i, fd;

	for (i = 0; i < 256; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			switch (errno) {
			case EAGAIN:
				return;
			case EINTR:
			case ECONNABORTED:
			case EPROTO:
			case ENETDOWN:
			case ENOPROTOOPT:
			case EHOSTDOWN:
			case ENONET:
			case EHOSTUNREACH:
			case EOPNOTSUPP:
			case ENETUNREACH:
				continue;
			case EMFILE:
			case ENFILE:
				srv.errors++;
				if (!srv.emfile_warned) {
					msg("accept: %s (shedding connections)",
					    strerror(errno));
					srv.emfile_warned = true;
				}
				if (srv.reserve_fd < 0)
					return;
				/* take it, to close it: the listener must
				 * not stay readable for ever */
				close(srv.reserve_fd);
				fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
				if (fd >= 0)
					close(fd);
				srv.reserve_fd = open("/dev/null",
						      O_RDONLY | O_CLOEXEC);
				continue;
			default:
				srv.errors++;
				return;
			}
		}
		if (!srv_tab_fit(fd)) {
			srv.errors++;
			close(fd);
			continue;
		}
		ev.data.fd = fd;
		if (epoll_ctl(srv.ep, EPOLL_CTL_ADD, fd, &ev)) {
			srv.errors++;
			close(fd);
			continue;
		}
		srv.tab[fd].kind = K_CONN;
		srv.tab[fd].state = S_REQ;
		srv.tab[fd].pollout = 0;
		srv.tab[fd].sent = 0;
		srv.accepted++;
	}
}

static int run_server(struct opts *o)
{
	struct epoll_event evs[MAX_EVENTS];
	uint32_t i;
	int n, k;

	srv.ep = new_epoll();
	srv.resp_len = (uint32_t)o->resp;
	srv.resp = malloc(srv.resp_len ? srv.resp_len : 1);
	if (!srv.resp)
		die("out of memory");
	for (i = 0; i < srv.resp_len; i++)
		srv.resp[i] = "0123456789abcdef"[i % 16];
	if (srv.resp_len)
		srv.resp[srv.resp_len - 1] = '\n';
	open_listeners(o, SOCK_STREAM, srv_add_listener);
	srv.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	while (!stop_flag) {
		n = wait_events(srv.ep, evs, -1);
		for (k = 0; k < n; k++) {
			int fd = evs[k].data.fd;

			if (srv.tab[fd].kind == K_LISTEN)
				srv_accept(fd);
			else if (srv.tab[fd].kind == K_CONN)
				srv_conn_io(fd);
		}
	}
	printf("{\"accepted\":%llu,\"answered\":%llu,\"resets\":%llu,"
	       "\"errors\":%llu}\n",
	       (unsigned long long)srv.accepted,
	       (unsigned long long)srv.answered,
	       (unsigned long long)srv.resets,
	       (unsigned long long)srv.errors);
	fflush(stdout);
	return 0;
}

/* ---- client --------------------------------------------------------- */

#define REQ_LEN		16
static const char request[REQ_LEN + 1] = "nlbperf request\n";

enum { C_IDLE, C_SEND, C_RECV };

struct cslot {
	int fd;
	uint8_t state;
	uint8_t sent;
	uint32_t got;
	uint64_t t0;
};

static struct client {
	struct opts *o;
	int ep;
	struct cslot *slots;
	uint32_t *idle;		/* idle slot numbers */
	uint32_t nidle, active;
	uint64_t conns, aborted;
	uint64_t timeout_ns;
	struct errcount err;
	struct hist h;
} cl;

static void cl_end(uint32_t i, int err)
{
	struct cslot *s = &cl.slots[i];

	if (err)
		err_add(&cl.err, err);
	else {
		h_add(&cl.h, now_ns() - s->t0);
		cl.conns++;
	}
	close(s->fd);
	s->fd = -1;
	s->state = C_IDLE;
	cl.active--;
	cl.idle[cl.nidle++] = i;
}

/* Returns false when the slot could not start (already counted). */
static bool cl_start(uint32_t i)
{
	struct cslot *s = &cl.slots[i];
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
		.data.u32 = i,
	};
	const struct addr *d = &cl.o->dst;
	int fd;

	fd = tcp_socket_to(d, &cl.o->src, cl.o->rst);
	if (fd < 0) {
		err_add(&cl.err, errno);
		return false;
	}
	s->t0 = now_ns();
	if (connect(fd, (const struct sockaddr *)&d->ss, d->len) &&
	    errno != EINPROGRESS) {
		err_add(&cl.err, errno);
		close(fd);
		return false;
	}
	/* edge triggered: the add reports a connection already up */
	if (epoll_ctl(cl.ep, EPOLL_CTL_ADD, fd, &ev)) {
		err_add(&cl.err, errno);
		close(fd);
		return false;
	}
	s->fd = fd;
	s->state = C_SEND;
	s->sent = 0;
	s->got = 0;
	cl.active++;
	return true;
}

static void cl_io(uint32_t i, uint32_t events)
{
	struct cslot *s = &cl.slots[i];
	static char buf[65536];
	ssize_t n;

	if (s->state == C_IDLE)
		return;		/* ended earlier in this batch */
	if (s->state == C_SEND) {
		n = send(s->fd, request + s->sent, REQ_LEN - s->sent,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				int e = 0;
				socklen_t l = sizeof(e);

				if ((events & (EPOLLERR | EPOLLHUP)) &&
				    !getsockopt(s->fd, SOL_SOCKET, SO_ERROR,
						&e, &l) && e)
					cl_end(i, e);
				return;
			}
			cl_end(i, errno);
			return;
		}
		s->sent += (uint8_t)n;
		if (s->sent < REQ_LEN)
			return;
		if (!cl.o->resp) {
			cl_end(i, 0);
			return;
		}
		s->state = C_RECV;
	}
	for (;;) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n > 0) {
			s->got += (uint32_t)n;
			if (s->got >= cl.o->resp) {
				cl_end(i, 0);
				return;
			}
			continue;
		}
		if (n == 0)
			cl_end(i, ERR_EOF);
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN)
			cl_end(i, errno);
		return;
	}
}

static void cl_timeouts(uint64_t now)
{
	uint32_t i;

	for (i = 0; i < cl.o->conc; i++)
		if (cl.slots[i].state != C_IDLE &&
		    now > cl.slots[i].t0 + cl.timeout_ns)
			cl_end(i, ERR_TIMEOUT);
}

static int run_client(struct opts *o)
{
	struct epoll_event evs[MAX_EVENTS];
	uint64_t start, now, end, hard, next_scan, elapsed;
	bool backoff = false;
	double secs;
	uint32_t i;
	int n, k;

	cl.o = o;
	if (!o->have_conc)
		o->conc = 16;
	if (!o->have_time)
		o->time_ns = 5 * NSEC;
	cl.timeout_ns = (o->have_wait ? o->wait_ms : 3000) * MSEC;
	raise_nofile(o->conc + 64);
	cl.ep = new_epoll();
	cl.slots = calloc(o->conc, sizeof(*cl.slots));
	cl.idle = calloc(o->conc, sizeof(*cl.idle));
	if (!cl.slots || !cl.idle)
		die("out of memory");
	for (i = 0; i < o->conc; i++) {
		cl.slots[i].fd = -1;
		cl.idle[i] = (uint32_t)o->conc - 1 - i;
	}
	cl.nidle = (uint32_t)o->conc;

	start = now_ns();
	end = start + o->time_ns;
	hard = end + 2 * NSEC;
	next_scan = start + 10 * MSEC;
	for (;;) {
		now = now_ns();
		if (stop_flag && end > now) {
			end = now;
			hard = now + 2 * NSEC;
		}
		if (now < end && cl.nidle) {
			/* idle slots start; those that fail wait a round */
			uint32_t todo = cl.nidle, keep = 0;

			for (i = 0; i < todo; i++)
				if (!cl_start(cl.idle[i]))
					cl.idle[keep++] = cl.idle[i];
			cl.nidle = keep;
			backoff = keep > 0;
		}
		if (now >= end && !cl.active)
			break;
		if (now >= hard) {
			for (i = 0; i < o->conc; i++)
				if (cl.slots[i].state != C_IDLE) {
					close(cl.slots[i].fd);
					cl.slots[i].state = C_IDLE;
					cl.aborted++;
				}
			break;
		}
		if (now >= next_scan) {
			cl_timeouts(now);
			next_scan = now + 10 * MSEC;
		}
		n = wait_events(cl.ep, evs,
				backoff ? 1 :
				ms_until(now, now < end ? end : hard, 10));
		for (k = 0; k < n; k++)
			cl_io(evs[k].data.u32, evs[k].events);
	}
	elapsed = now_ns() - start;
	secs = (double)elapsed / NSEC;
	printf("{\"conns\":%llu,\"errors\":%llu,\"seconds\":%.3f,"
	       "\"rate\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
	       "\"p99_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f,"
	       "\"aborted\":%llu}\n",
	       (unsigned long long)cl.conns, (unsigned long long)cl.err.total,
	       secs, (double)cl.conns / secs,
	       ns_to_us(h_quantile(&cl.h, 0.50)),
	       ns_to_us(h_quantile(&cl.h, 0.90)),
	       ns_to_us(h_quantile(&cl.h, 0.99)),
	       ns_to_us(cl.h.max),
	       cl.h.n ? ns_to_us(cl.h.sum / cl.h.n) : 0.0,
	       (unsigned long long)cl.aborted);
	fflush(stdout);
	err_report(&cl.err, "errors");
	return cl.conns ? 0 : 1;
}

/* ---- udpecho -------------------------------------------------------- */

#define U_BATCH		32
#define U_BUFSZ		65536
#define U_CMSG		(CMSG_SPACE(sizeof(struct in6_pktinfo)) + \
			 CMSG_SPACE(sizeof(struct in_pktinfo)))

union u_cbuf {
	char buf[U_CMSG];
	struct cmsghdr align;
};

static struct {
	int ep;
	uint64_t received, echoed;
	char data[U_BATCH][U_BUFSZ];
	struct sockaddr_storage names[U_BATCH];
	union u_cbuf cin[U_BATCH], cout[U_BATCH];
	struct iovec iov[U_BATCH];
	struct mmsghdr in[U_BATCH], out[U_BATCH];
} ue;

static void ue_add(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname: %s", strerror(errno));
	/* a v6 socket reports v4 destinations as v4-mapped IPV6_PKTINFO */
	if (ss.ss_family == AF_INET6)
		setint(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	else
		setint(fd, IPPROTO_IP, IP_PKTINFO, 1);
	if (epoll_ctl(ue.ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
}

/* The reply's source: the address the datagram was sent to. */
static socklen_t ue_reply_cmsg(struct msghdr *in, union u_cbuf *out)
{
	struct cmsghdr *c, *o = &out->align;

	memset(out, 0, sizeof(*out));
	for (c = CMSG_FIRSTHDR(in); c; c = CMSG_NXTHDR(in, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if (IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr))
				return 0;
			pi.ipi6_ifindex = 0;
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_ifindex = 0;
			pi.ipi_addr.s_addr = 0;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

static void ue_io(int fd)
{
	int i, n, m, done, r;

	for (i = 0; i < U_BATCH; i++) {
		struct msghdr *h = &ue.in[i].msg_hdr;

		ue.iov[i].iov_base = ue.data[i];
		ue.iov[i].iov_len = U_BUFSZ;
		memset(h, 0, sizeof(*h));
		h->msg_name = &ue.names[i];
		h->msg_namelen = sizeof(ue.names[i]);
		h->msg_iov = &ue.iov[i];
		h->msg_iovlen = 1;
		h->msg_control = ue.cin[i].buf;
		h->msg_controllen = sizeof(ue.cin[i]);
	}
	n = recvmmsg(fd, ue.in, U_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return;
	ue.received += (uint64_t)n;
	for (i = 0, m = 0; i < n; i++) {
		struct msghdr *h = &ue.in[i].msg_hdr;
		struct msghdr *oh = &ue.out[m].msg_hdr;

		if (h->msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			continue;
		ue.iov[i].iov_len = ue.in[i].msg_len;
		memset(oh, 0, sizeof(*oh));
		oh->msg_name = h->msg_name;
		oh->msg_namelen = h->msg_namelen;
		oh->msg_iov = &ue.iov[i];
		oh->msg_iovlen = 1;
		oh->msg_controllen = ue_reply_cmsg(h, &ue.cout[m]);
		oh->msg_control = oh->msg_controllen ? ue.cout[m].buf : NULL;
		m++;
	}
	/* a datagram the kernel refuses is skipped, not retried */
	for (done = 0; done < m;) {
		r = sendmmsg(fd, ue.out + done, (unsigned int)(m - done),
			     MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			done++;
			continue;
		}
		ue.echoed += (uint64_t)r;
		done += r;
	}
}

static int run_udpecho(struct opts *o)
{
	struct epoll_event evs[MAX_EVENTS];
	int n, k;

	ue.ep = new_epoll();
	open_listeners(o, SOCK_DGRAM, ue_add);
	while (!stop_flag) {
		n = wait_events(ue.ep, evs, -1);
		for (k = 0; k < n; k++)
			ue_io(evs[k].data.fd);
	}
	printf("{\"received\":%llu,\"echoed\":%llu}\n",
	       (unsigned long long)ue.received,
	       (unsigned long long)ue.echoed);
	fflush(stdout);
	return 0;
}

/* ---- udpprime ------------------------------------------------------- */

#define PRIME_LEN	18

struct pslot {
	int fd;
	uint16_t port;
	uint8_t tries;
	char payload[PRIME_LEN + 1];
	uint64_t deadline;
};

static int run_udpprime(struct opts *o)
{
	struct epoll_event evs[MAX_EVENTS];
	unsigned long window = o->window;
	unsigned long tries_max = o->retries + 1;
	uint64_t wait_ns = (o->have_wait ? o->wait_ms : 500) * MSEC;
	uint64_t flows, replied = 0, failed = 0, start, now, next_dl;
	uint64_t fail_setup = 0, fail_noreply = 0, refused = 0;
	struct addr src;
	struct pslot *slots;
	unsigned long next_port, busy = 0, i;
	int ep, n, k, first_err = 0;

	if (o->src.n != 1)
		bad_arg("-s SRCADDR is required, once");
	if (!o->have_sport)
		bad_arg("--sport MIN-MAX is required");
	src = o->src.v[0];
	flows = o->sport_max - o->sport_min + 1;
	if (window > flows)
		window = (unsigned long)flows;
	raise_nofile(window + 64);
	ep = new_epoll();
	slots = calloc(window, sizeof(*slots));
	if (!slots)
		die("out of memory");
	for (i = 0; i < window; i++)
		slots[i].fd = -1;

	next_port = o->sport_min;
	start = now_ns();
	while ((next_port <= o->sport_max || busy) && !stop_flag) {
		now = now_ns();
		/* fill the window */
		for (i = 0; i < window && next_port <= o->sport_max; i++) {
			struct pslot *s = &slots[i];
			struct epoll_event ev = { .events = EPOLLIN };
			int fd;

			if (s->fd >= 0)
				continue;
			s->port = (uint16_t)next_port++;
			addr_set_port(&src, s->port);
			fd = socket(addr_family(&src),
				    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (fd < 0 ||
			    bind(fd, (struct sockaddr *)&src.ss, src.len) ||
			    connect(fd, (struct sockaddr *)&o->dst.ss,
				    o->dst.len)) {
				if (!first_err)
					first_err = errno;
				if (fd >= 0)
					close(fd);
				failed++;
				fail_setup++;
				continue;
			}
			ev.data.u32 = (uint32_t)i;
			if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
				die("epoll_ctl: %s", strerror(errno));
			s->fd = fd;
			s->tries = 0;
			s->deadline = now;	/* send now, below */
			snprintf(s->payload, sizeof(s->payload),
				 "nlbperfprime:%05u", s->port);
			busy++;
		}
		/* sends: first tries and resends; give-ups */
		next_dl = UINT64_MAX;
		for (i = 0; i < window; i++) {
			struct pslot *s = &slots[i];

			if (s->fd < 0)
				continue;
			if (s->deadline <= now) {
				if (s->tries >= tries_max) {
					close(s->fd);
					s->fd = -1;
					busy--;
					failed++;
					fail_noreply++;
					continue;
				}
				s->tries++;
				s->deadline = now + wait_ns;
				if (send(s->fd, s->payload, PRIME_LEN, 0) < 0 &&
				    errno == ECONNREFUSED)
					refused++;
			}
			if (s->deadline < next_dl)
				next_dl = s->deadline;
		}
		if (!busy)
			continue;
		n = wait_events(ep, evs, ms_until(now, next_dl, 1000));
		for (k = 0; k < n; k++) {
			struct pslot *s = &slots[evs[k].data.u32];
			char buf[64];
			ssize_t r;

			if (s->fd < 0)
				continue;
			r = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (r < 0) {
				if (errno == ECONNREFUSED)
					refused++;
				continue;
			}
			if (r != PRIME_LEN || memcmp(buf, s->payload, PRIME_LEN))
				continue;	/* not our echo */
			close(s->fd);
			s->fd = -1;
			busy--;
			replied++;
		}
	}
	now = now_ns();
	for (i = 0; i < window; i++)
		if (slots[i].fd >= 0) {
			close(slots[i].fd);
			failed++;
		}
	failed += o->sport_max + 1 - next_port;	/* interrupted: not tried */
	printf("{\"flows\":%llu,\"replied\":%llu,\"failed\":%llu,"
	       "\"seconds\":%.3f}\n",
	       (unsigned long long)flows, (unsigned long long)replied,
	       (unsigned long long)failed, (double)(now - start) / NSEC);
	fflush(stdout);
	if (fail_setup)
		msg("%llu ports could not be set up (first: %s)",
		    (unsigned long long)fail_setup, strerror(first_err));
	if (fail_noreply)
		msg("%llu ports got no reply after %lu tries%s",
		    (unsigned long long)fail_noreply, tries_max,
		    refused ? " (ICMP port unreachable seen)" : "");
	return replied == flows ? 0 : 1;
}

/* ---- hold ----------------------------------------------------------- */

enum { H_CONNECTING = 1, H_OPEN, H_DONE };

struct hconn {
	int fd;
	uint8_t state;
	uint64_t t0;
};

static int run_hold(struct opts *o)
{
	struct epoll_event evs[MAX_EVENTS];
	unsigned long inflight_max = o->have_conc ? o->conc : 256;
	uint64_t timeout_ns = (o->have_wait ? o->wait_ms : 3000) * MSEC;
	uint64_t now, hold_end = UINT64_MAX, next_scan = 0;
	unsigned long next = 0, scan_lo = 0, inflight = 0, i;
	unsigned long open_n = 0, failed = 0, closed = 0;
	struct errcount err;
	struct hconn *hc;
	bool reported = false;
	int ep, n, k;

	if (!o->have_num)
		bad_arg("-n N is required");
	memset(&err, 0, sizeof(err));
	raise_nofile(o->num + 1024);
	ep = new_epoll();
	hc = calloc(o->num, sizeof(*hc));
	if (!hc)
		die("out of memory");

	while (!stop_flag) {
		now = now_ns();
		while (next < o->num && inflight < inflight_max) {
			struct hconn *h = &hc[next];
			struct epoll_event ev = {
				.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP,
				.data.u32 = (uint32_t)next,
			};

			next++;
			h->state = H_DONE;
			h->fd = tcp_socket_to(&o->dst, &o->src, o->rst);
			if (h->fd < 0) {
				err_add(&err, errno);
				failed++;
				continue;
			}
			h->t0 = now;
			if ((connect(h->fd, (struct sockaddr *)&o->dst.ss,
				     o->dst.len) && errno != EINPROGRESS) ||
			    epoll_ctl(ep, EPOLL_CTL_ADD, h->fd, &ev)) {
				err_add(&err, errno);
				close(h->fd);
				failed++;
				continue;
			}
			h->state = H_CONNECTING;
			inflight++;
		}
		if (!reported && next == o->num && !inflight) {
			printf("{\"open\":%lu,\"failed\":%lu,\"closed\":%lu}\n",
			       open_n, failed, closed);
			fflush(stdout);
			err_report(&err, "failed");
			reported = true;
			if (o->have_time)
				hold_end = now + o->time_ns;
		}
		if (now >= hold_end || (reported && !open_n))
			break;	/* time is up, or nothing (left) to hold */
		if (inflight && now >= next_scan) {
			while (scan_lo < next && hc[scan_lo].state != H_CONNECTING)
				scan_lo++;
			for (i = scan_lo; i < next; i++)
				if (hc[i].state == H_CONNECTING &&
				    now > hc[i].t0 + timeout_ns) {
					close(hc[i].fd);
					hc[i].state = H_DONE;
					inflight--;
					failed++;
					err_add(&err, ERR_TIMEOUT);
				}
			next_scan = now + 10 * MSEC;
		}
		n = wait_events(ep, evs,
				inflight ? 10 : hold_end == UINT64_MAX ? -1 :
				ms_until(now, hold_end, 1000));
		for (k = 0; k < n; k++) {
			struct hconn *h = &hc[evs[k].data.u32];
			struct epoll_event ev = {
				.events = EPOLLIN | EPOLLRDHUP,
				.data.u32 = evs[k].data.u32,
			};
			char buf[256];
			socklen_t l = sizeof(int);
			int e = 0;
			ssize_t r;

			if (h->state == H_CONNECTING) {
				if (!(evs[k].events & (EPOLLOUT | EPOLLERR |
						       EPOLLHUP)))
					continue;
				inflight--;
				if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR,
					       &e, &l) || e ||
				    (evs[k].events & EPOLLHUP)) {
					err_add(&err, e ? e : ECONNRESET);
					close(h->fd);
					h->state = H_DONE;
					failed++;
					continue;
				}
				h->state = H_OPEN;
				open_n++;
				epoll_ctl(ep, EPOLL_CTL_MOD, h->fd, &ev);
				if (!(evs[k].events & (EPOLLIN | EPOLLRDHUP)))
					continue;
			}
			if (h->state != H_OPEN)
				continue;
			r = recv(h->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (r > 0 || (r < 0 && (errno == EAGAIN ||
						errno == EINTR)))
				continue;
			close(h->fd);	/* closed or reset by the peer */
			h->state = H_DONE;
			open_n--;
			closed++;
		}
	}
	if (!reported) {
		printf("{\"open\":%lu,\"failed\":%lu,\"closed\":%lu}\n",
		       open_n, failed + (o->num - next) + inflight, closed);
		fflush(stdout);
		err_report(&err, "failed");
	}
	if (closed)
		msg("%lu connections were closed by the peer", closed);
	for (i = 0; i < next; i++)
		if (hc[i].state == H_OPEN || hc[i].state == H_CONNECTING)
			close(hc[i].fd);
	return reported && !failed ? 0 : 1;
}

/* ---- main ----------------------------------------------------------- */

static const struct mode modes[] = {
	{ "server",	"apr",			run_server },
	{ "client",	"dpctsXrw",		run_client },
	{ "udpecho",	"ap",			run_udpecho },
	{ "udpprime",	"dpsSwRW",		run_udpprime },
	{ "hold",	"dpnstcwX",		run_hold },
};

int main(int argc, char **argv)
{
	const struct mode *m = NULL;
	struct opts o;
	size_t i;

	if (argc < 2)
		usage_exit(2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		usage_exit(0);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[1], modes[i].name))
			m = &modes[i];
	if (!m)
		bad_arg("unknown mode '%s'", argv[1]);
	mode_name = m->name;
	parse_opts(m, argc - 1, argv + 1, &o);
	setup_signals();
	raise_nofile(0);
	return m->run(&o);
}
