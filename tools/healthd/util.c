// SPDX-License-Identifier: GPL-2.0
/* Logging, addresses, time, random numbers, memory. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "healthd.h"

int log_level = LOG_INFO_;

/*
 * A line on stderr. Under systemd (JOURNAL_STREAM set) it starts with the
 * "<N>" priority prefix journald understands; otherwise with the time.
 */
void logmsg(int level, const char *fmt, ...)
{
	static int journal = -1;
	struct timespec ts;
	struct tm tm;
	va_list ap;
	char buf[1024];
	int n = 0;

	if (level > log_level)
		return;
	if (journal < 0)
		journal = !!getenv("JOURNAL_STREAM");
	if (journal) {
		n = snprintf(buf, sizeof(buf), "<%d>", level);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		n = strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		n += snprintf(buf + n, sizeof(buf) - n, ".%03ld " PROG_NAME ": ",
			      ts.tv_nsec / 1000000);
	}
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", buf);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*, seeded from the kernel. */
uint64_t rnd(void)
{
	static uint64_t s;

	if (!s) {
		if (getrandom(&s, sizeof(s), 0) != sizeof(s))
			s = now_ns() ^ ((uint64_t)getpid() << 32);
		s |= 1;
	}
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return s * 0x2545f4914f6cdd1dULL;
}

void addr_str(const struct naddr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->fam, a->fam == AF_INET ? (const void *)&a->v4 :
		       (const void *)&a->v6, buf, len))
		snprintf(buf, len, "?");
}

int addr_parse(const char *s, struct naddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		a->fam = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->fam = AF_INET6;
		return 0;
	}
	return -1;
}

bool addr_eq(const struct naddr *a, const struct naddr *b)
{
	if (a->fam != b->fam)
		return false;
	if (a->fam == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	return !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

/* FNV-1a */
uint32_t hash_bytes(uint32_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	if (!h)
		h = 2166136261u;
	while (n--) {
		h ^= *c++;
		h *= 16777619u;
	}
	return h;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		log_err("out of memory");
		exit(1);
	}
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		log_err("out of memory");
		exit(1);
	}
	return p;
}
