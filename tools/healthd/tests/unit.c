// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of nlb-healthd without peers: the parsers of agent answers,
 * HTTP status lines and status code lists, and the timer heap against a
 * naive reference on random operations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "healthd.h"

const struct source *source;

static int failed, run;

static void check(const char *what, bool ok)
{
	run++;
	if (!ok) {
		failed++;
		printf("FAIL: %s\n", what);
	}
}

static void agent(const char *line, int want_ret, bool up, bool down,
		  int weight, const char *text)
{
	struct agent_answer a;
	char t[NLB_HEALTH_TEXT_MAX_LEN + 1], what[200];
	int ret = agent_parse(line, &a, t, sizeof(t));

	snprintf(what, sizeof(what), "agent '%s': ret %d up %d down %d weight %d text '%s'",
		 line, ret, a.up, a.down, a.weight, t);
	check(what, ret == want_ret && (ret || (a.up == up && a.down == down &&
		     a.weight == weight && !strcmp(t, text))));
}

static void test_agent(void)
{
	agent("up", 0, true, false, -1, "agent up");
	agent("UP\r\n", 0, true, false, -1, "agent up");
	agent("ready", 0, true, false, -1, "agent ready");
	agent("down", 0, false, true, -1, "agent down");
	agent("stopped", 0, false, true, -1, "agent stopped");
	agent("fail", 0, false, true, -1, "agent fail");
	agent("maint", 0, false, true, -1, "agent maint");
	agent("drain", 0, false, false, 0, "agent drain");
	agent("50%", 0, false, false, 50, "agent 50%");
	agent("0%", 0, false, false, 0, "agent 0%");
	agent("100%", 0, false, false, 100, "agent 100%");
	agent("up 75%", 0, true, false, 75, "agent up 75%");
	agent("  up,   25%  ", 0, true, false, 25, "agent up 25%");
	agent("hello up world", 0, true, false, -1, "agent up");
	agent("101%", -1, false, false, 0, "");
	agent("-5%", -1, false, false, 0, "");
	agent("5x%", -1, false, false, 0, "");
	agent("%", -1, false, false, 0, "");
	agent("", -1, false, false, 0, "");
	agent("garbage", -1, false, false, 0, "");
	agent("up down", -1, false, false, 0, "");
	agent("averyveryverylongwordthatisnotknown up", 0, true, false, -1,
	      "agent up");
	/* The text is cut to fit, the answer is not. */
	agent("up 10% drain 20% 30% 40% 50% 60% 70%", 0, true, false, 70,
	      "agent up 10% drain 20% 30% 40%");
	agent("drain 20% 30% 40% 50% up", 0, true, false, 50,
	      "agent drain 20% 30% 40% 50% up");
}

static void status_line(const char *s, int want)
{
	char what[100];
	int got = http_status_line(s, strlen(s));

	snprintf(what, sizeof(what), "status line '%s': %d, want %d", s, got,
		 want);
	check(what, got == want);
}

static void test_http(void)
{
	status_line("HTTP/1.1 200 OK\r\n", 200);
	status_line("HTTP/1.0 503 Service Unavailable\r\n", 503);
	status_line("HTTP/1.1 204\r\n", 204);
	status_line("HTTP/1.1 200\n", 200);
	status_line("HTTP/1.1 200 ", 200);
	status_line("HTTP/1.1 20", 0);
	status_line("HTTP/1.1 200", 0);
	status_line("HTTP/", 0);
	status_line("", 0);
	status_line("HTTX", -1);
	status_line("H", 0);
	status_line("SSH-2.0", -1);
	status_line("HTTP/1.1 2x0 OK", -1);
	status_line("HTTP/1.1 2000 OK", -1);
	status_line("HTTP/11 200 OK", -1);
	status_line("\xff\x00", -1);
}

static void codes(const char *s, int want, int lo0, int hi_last)
{
	struct status_range r[8];
	char what[100];
	int n = status_parse(s, r, 8);

	snprintf(what, sizeof(what), "status codes '%s': %d, want %d", s, n,
		 want);
	check(what, n == want && (n <= 0 || (r[0].lo == lo0 &&
					      r[n - 1].hi == hi_last)));
}

static void test_codes(void)
{
	codes("200", 1, 200, 200);
	codes("200-399", 1, 200, 399);
	codes("200-299,301,404-404", 3, 200, 404);
	codes("100,101,102,103,104,105,106,107", 8, 100, 107);
	codes("100,101,102,103,104,105,106,107,108", -1, 0, 0);
	codes("", -1, 0, 0);
	codes("99", -1, 0, 0);
	codes("600", -1, 0, 0);
	codes("300-200", -1, 0, 0);
	codes("200,", -1, 0, 0);
	codes(",200", -1, 0, 0);
	codes("200-", -1, 0, 0);
	codes("2000", -1, 0, 0);
	codes("200 ", -1, 0, 0);
}

/* The heap against a sorted reference, on random arm/cancel/fire. */
#define NT 500

static struct timer tm[NT];
static int fired_order[NT * 8], nfired;

static void on_timer(struct timer *t)
{
	fired_order[nfired++] = t - tm;
}

/* Always readable: loop_once() does not sleep. */
static void on_ready(struct watch *w, uint32_t events)
{
}

static void test_heap(void)
{
	uint64_t due[NT], base = now_ns() + (1ULL << 40);
	bool armed[NT] = { false };
	struct watch w = { .fn = on_ready };
	int i, k, best, ok = 1;

	loop_init();
	w.fd = eventfd(1, EFD_CLOEXEC);
	watch_add(&w, EPOLLIN);
	for (i = 0; i < NT; i++)
		tm[i].fn = on_timer;
	for (k = 0; k < 20000; k++) {
		i = rnd() % NT;
		if (rnd() % 3) {
			due[i] = base + rnd() % 1000000;
			timer_arm(&tm[i], due[i]);
			armed[i] = true;
		} else {
			timer_cancel(&tm[i]);
			armed[i] = false;
		}
	}
	/* Pop in order: the smallest due of the reference each time. */
	for (;;) {
		best = -1;
		for (i = 0; i < NT; i++)
			if (armed[i] && (best < 0 || due[i] < due[best]))
				best = i;
		if (best < 0)
			break;
		/* make it due now, fire it through the loop */
		for (i = 0; i < NT; i++)
			if (armed[i] && due[i] == due[best] && i != best)
				ok &= tm[i].idx != 0;
		timer_arm(&tm[best], 0);
		nfired = 0;
		loop_once();
		ok &= nfired == 1 && fired_order[0] == best;
		armed[best] = false;
	}
	check("timer heap: random arms and cancels fire in order", ok);
	watch_del(&w);
	close(w.fd);
	loop_exit();
}

int main(void)
{
	test_agent();
	test_http();
	test_codes();
	test_heap();
	if (failed) {
		printf("unit: %d of %d tests failed\n", failed, run);
		return 1;
	}
	printf("unit: %d tests passed\n", run);
	return 0;
}
