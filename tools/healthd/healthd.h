/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlb-healthd: the health checker of nlb. It follows the configuration of
 * one network namespace (server groups with their check settings, and
 * their backends), probes every backend that a check applies to, applies
 * rise and fall, and sets the backends' health (and, for agent checks,
 * their agent weight) in the kernel.
 *
 *   main.c    options, namespace, signals, statistics
 *   loop.c    the event loop: epoll and timers
 *   conf.c    groups, backends and the probe targets they share;
 *             hysteresis, agent answers, passive signals
 *   probe.c   one probe of a target: tcp, http, udp, agent
 *   kernel.c  the configuration from nlb over generic netlink, and the
 *             writes back (batched)
 *   file.c    the same from a file, for tests without the module
 *   util.c    logging, addresses, time, random numbers
 */
#ifndef HEALTHD_H
#define HEALTHD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "linux/nlb.h"

#define PROG_NAME	"nlb-healthd"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- util.c ---- */

enum { LOG_ERR_ = 3, LOG_WARN_ = 4, LOG_NOTICE_ = 5, LOG_INFO_ = 6,
       LOG_DEBUG_ = 7 };
extern int log_level;
void logmsg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_err(...)	logmsg(LOG_ERR_, __VA_ARGS__)
#define log_warn(...)	logmsg(LOG_WARN_, __VA_ARGS__)
#define log_notice(...)	logmsg(LOG_NOTICE_, __VA_ARGS__)
#define log_info(...)	logmsg(LOG_INFO_, __VA_ARGS__)
#define log_debug(...)	logmsg(LOG_DEBUG_, __VA_ARGS__)

struct naddr {
	int fam;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* "web 192.0.2.1 port 80" */
#define BE_NAME_LEN	(NLB_NAME_MAX_LEN + 64)

uint64_t now_ns(void);
uint64_t rnd(void);
void addr_str(const struct naddr *a, char *buf, size_t len);
int addr_parse(const char *s, struct naddr *a);
bool addr_eq(const struct naddr *a, const struct naddr *b);
uint32_t hash_bytes(uint32_t h, const void *p, size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

/* ---- loop.c ---- */

struct timer {
	uint64_t due;		/* CLOCK_MONOTONIC ns */
	size_t idx;		/* in the heap, 0 when not armed */
	void (*fn)(struct timer *t);
};

struct watch {
	int fd;
	void (*fn)(struct watch *w, uint32_t events);
};

void loop_init(void);
void loop_exit(void);
void timer_arm(struct timer *t, uint64_t due);
void timer_cancel(struct timer *t);
int watch_add(struct watch *w, uint32_t events);
int watch_mod(struct watch *w, uint32_t events);
void watch_del(struct watch *w);
/* Run once: wait for events or the next timer and handle them. */
void loop_once(void);
/* Called before each wait (to flush batched writes). */
extern void (*loop_idle)(void);

/* ---- conf.c ---- */

struct status_range {
	uint16_t lo, hi;
};

/* A group's check settings, as the kernel stores them. */
struct check_cfg {
	uint8_t type;		/* NLB_CHECK_* */
	bool udp_reply;
	bool passive;
	uint16_t port;
	uint32_t interval;	/* ms */
	uint32_t timeout;	/* ms */
	uint32_t rise, fall;
	uint32_t passive_fails;
	uint32_t passive_window;	/* ms */
	char http_path[NLB_HTTP_TEXT_MAX_LEN + 1];
	char http_host[NLB_HTTP_TEXT_MAX_LEN + 1];
	char http_status[64];
	uint16_t payload_len;
	unsigned char payload[NLB_UDP_PAYLOAD_MAX_LEN];
};

void check_defaults(struct check_cfg *c);
int status_parse(const char *s, struct status_range *r, int max);

/* A backend as the kernel reports it. */
struct backend_info {
	char group[NLB_NAME_MAX_LEN + 1];
	struct naddr addr;
	uint16_t port;
	uint8_t weight;
	uint8_t agent_weight;
	bool enabled;
	bool healthy;
	bool draining;
	bool has_fails;		/* the stats had fail-reset or fail-timeout */
	/* from an add or change notification: its counts set the baseline
	 * only of a backend that has none */
	bool first_only;
	uint64_t fails;		/* fail-reset + fail-timeout */
};

/* What the daemon writes to a backend. */
struct backend_change {
	bool set_health;
	bool healthy;
	const char *reason;	/* with set_health */
	bool set_agent;
	uint8_t agent_weight;
	bool report;		/* a probe result */
	bool probe_ok;
	const char *probe;
};

struct backend;
extern bool report_probes;

void conf_begin(void);
void conf_end(void);
void conf_clear(void);
void conf_group(const char *name, const struct check_cfg *cfg);
void conf_group_del(const char *name);
bool conf_backend(const struct backend_info *bi);
void conf_backend_del(const struct backend_info *bi);
void conf_backend_failed(const struct backend_info *bi);
void backend_id(const struct backend *b, struct backend_info *bi);

/* Statistics. */
struct stats {
	uint64_t probes, probes_ok, probes_failed;
	uint64_t missed;	/* intervals skipped: the loop was late */
	uint64_t late_max_ns, late_sum_ns;
	uint64_t changes;	/* health or agent weight changes written */
	uint64_t writes, write_errors;
	uint64_t notifications, resyncs;
	unsigned int groups, backends, targets;
};
extern struct stats stats;
void conf_stats_targets(void (*fn)(const struct naddr *a, uint16_t port,
				   uint8_t type, uint64_t probes,
				   uint64_t missed, unsigned int users,
				   void *arg),
			void *arg);

/* ---- probe.c ---- */

enum probe_result {
	PROBE_OK,
	PROBE_FAIL,
	PROBE_AGENT,		/* an agent answered: see struct agent_answer */
};

/* What an agent's answer says. */
struct agent_answer {
	bool up, down;		/* an explicit state word */
	int weight;		/* 0-100, or -1 when none given */
};

struct probe_params {
	uint8_t type;
	bool udp_reply;
	struct naddr addr;
	uint16_t port;
	uint32_t timeout;	/* ms */
	const char *http_path;
	const char *http_host;	/* empty: the address */
	int nstatus;
	const struct status_range *status;
	const unsigned char *payload;
	uint16_t payload_len;
};

struct probe {
	const struct probe_params *p;
	struct watch w;
	struct timer deadline;
	int phase;
	size_t sent;
	size_t got;
	char req[NLB_HTTP_TEXT_MAX_LEN * 2 + 160];
	size_t req_len;
	char buf[256];
	void (*done)(struct probe *pr, enum probe_result r, const char *text,
		     const struct agent_answer *a);
};

void probe_start(struct probe *pr);
void probe_abort(struct probe *pr);
void probe_timeout(struct probe *pr);
bool probe_running(const struct probe *pr);
int agent_parse(const char *line, struct agent_answer *a, char *text,
		size_t len);
int http_status_line(const char *buf, size_t len);

/* ---- the source of the configuration and sink of changes ---- */

struct source {
	const char *name;
	void (*change)(const struct backend *b, const struct backend_info *bi,
		       const struct backend_change *ch);
	void (*flush)(void);
};
extern const struct source *source;

int kernel_start(void);
void kernel_resync(void);
void kernel_stop(void);
extern const struct source kernel_source;

int file_start(const char *path, const char *out);
void file_reload(void);
void file_stop(void);
extern const struct source file_source;

#endif /* HEALTHD_H */
