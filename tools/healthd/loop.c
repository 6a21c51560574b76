// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop: one epoll set for every socket, and timers in a binary
 * min-heap (O(log n) to arm, cancel or fire), so that thousands of probes
 * and their deadlines cost no scan. epoll_wait() sleeps until the first
 * timer is due, rounded up to the millisecond.
 *
 * Handlers of socket events only act on their own socket (a probe) or set
 * a flag (the configuration's sockets): the configuration, which may free
 * probes, changes in loop_idle(), between two waits, never while the
 * events of one wait are being handled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "healthd.h"

static int epfd = -1;
/* heap[1..n]: heap[i]->due <= heap[2i]->due, heap[2i+1]->due */
static struct timer **heap;
static size_t heap_n, heap_cap;

void (*loop_idle)(void);

void loop_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		log_err("epoll_create1: %s", strerror(errno));
		exit(1);
	}
}

void loop_exit(void)
{
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
	free(heap);
	heap = NULL;
	heap_n = heap_cap = 0;
}

static void heap_set(size_t i, struct timer *t)
{
	heap[i] = t;
	t->idx = i;
}

static void sift_up(size_t i)
{
	struct timer *t = heap[i];

	while (i > 1 && heap[i / 2]->due > t->due) {
		heap_set(i, heap[i / 2]);
		i /= 2;
	}
	heap_set(i, t);
}

static void sift_down(size_t i)
{
	struct timer *t = heap[i];
	size_t c;

	for (;;) {
		c = 2 * i;
		if (c > heap_n)
			break;
		if (c + 1 <= heap_n && heap[c + 1]->due < heap[c]->due)
			c++;
		if (heap[c]->due >= t->due)
			break;
		heap_set(i, heap[c]);
		i = c;
	}
	heap_set(i, t);
}

void timer_cancel(struct timer *t)
{
	size_t i = t->idx;
	struct timer *last;

	if (!i)
		return;
	t->idx = 0;
	last = heap[heap_n--];
	if (i > heap_n)
		return;
	heap_set(i, last);
	sift_up(i);
	sift_down(last->idx);
}

void timer_arm(struct timer *t, uint64_t due)
{
	timer_cancel(t);
	t->due = due;
	if (heap_n + 1 >= heap_cap) {
		heap_cap = heap_cap ? 2 * heap_cap : 256;
		heap = realloc(heap, heap_cap * sizeof(*heap));
		if (!heap) {
			log_err("out of memory");
			exit(1);
		}
	}
	heap_set(++heap_n, t);
	sift_up(heap_n);
}

int watch_add(struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

int watch_mod(struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void watch_del(struct watch *w)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

static void run_timers(void)
{
	uint64_t now = now_ns();
	struct timer *t;

	while (heap_n && heap[1]->due <= now) {
		t = heap[1];
		timer_cancel(t);
		t->fn(t);
	}
}

void loop_once(void)
{
	struct epoll_event ev[256];
	uint64_t now;
	int n, i, ms = -1;

	run_timers();
	if (loop_idle)
		loop_idle();
	if (heap_n) {
		now = now_ns();
		ms = heap[1]->due <= now ? 0 :
		     (int)((heap[1]->due - now + 999999) / 1000000);
	}
	n = epoll_wait(epfd, ev, ARRAY_SIZE(ev), ms);
	if (n < 0) {
		if (errno != EINTR)
			log_err("epoll_wait: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		struct watch *w = ev[i].data.ptr;

		w->fn(w, ev[i].events);
	}
}
