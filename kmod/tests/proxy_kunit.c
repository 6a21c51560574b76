// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PROXY protocol v2 insertion: the header, byte for byte
 * against the specification; the MSS option; and the state machine with
 * conntrack's sequence correction, on simulated connections with loss,
 * reordering and retransmissions, checked against what the backend's TCP
 * would make of them. The unit under test is compiled into this module.
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>

#include "../proxy.c"

/* haproxy's proxy-protocol.txt, section 2.2: signature, then 0x21. */
static const u8 v2_sig_cmd[13] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
	0x21
};

static void nlb_proxy_header_ipv4(struct kunit *test)
{
	static const u8 want[NLB_PROXY_V2_LEN4] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
		0x55, 0x49, 0x54, 0x0a,
		0x21,			/* version 2, PROXY */
		0x11,			/* AF_INET, STREAM */
		0x00, 0x0c,		/* 12 bytes of addresses */
		192, 0, 2, 2,		/* source: the client */
		203, 0, 113, 10,	/* destination: the VIP */
		0x9c, 0x40,		/* source port 40000 */
		0x00, 0x50,		/* destination port 80 */
	};
	struct nlb_proxy_addrs a = {
		.family = NFPROTO_IPV4,
		.src.ip = htonl(0xc0000202),
		.dst.ip = htonl(0xcb00710a),
		.sport = htons(40000),
		.dport = htons(80),
	};
	u8 buf[NLB_PROXY_V2_MAX_LEN + 8];

	memset(buf, 0xaa, sizeof(buf));
	KUNIT_ASSERT_EQ(test, nlb_proxy_v2_build(buf, &a), NLB_PROXY_V2_LEN4);
	KUNIT_EXPECT_MEMEQ(test, buf, want, sizeof(want));
	KUNIT_EXPECT_MEMEQ(test, buf, v2_sig_cmd, sizeof(v2_sig_cmd));
	/* Nothing written past the header. */
	KUNIT_EXPECT_EQ(test, buf[NLB_PROXY_V2_LEN4], 0xaa);
	/* The length field counts what follows the 16-byte fixed part. */
	KUNIT_EXPECT_EQ(test, 16 + (buf[14] << 8 | buf[15]), NLB_PROXY_V2_LEN4);
}

static void nlb_proxy_header_ipv6(struct kunit *test)
{
	static const u8 want[NLB_PROXY_V2_LEN6] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
		0x55, 0x49, 0x54, 0x0a,
		0x21,			/* version 2, PROXY */
		0x21,			/* AF_INET6, STREAM */
		0x00, 0x24,		/* 36 bytes of addresses */
		/* source 2001:db8:1::2 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
		/* destination 2001:db8:ff::10 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
		0xff, 0xff,		/* source port 65535 */
		0x01, 0xbb,		/* destination port 443 */
	};
	struct nlb_proxy_addrs a = {
		.family = NFPROTO_IPV6,
		.sport = htons(65535),
		.dport = htons(443),
	};
	u8 buf[NLB_PROXY_V2_MAX_LEN + 8];

	memcpy(a.src.all, want + 16, 16);
	memcpy(a.dst.all, want + 32, 16);
	memset(buf, 0xaa, sizeof(buf));
	KUNIT_ASSERT_EQ(test, nlb_proxy_v2_build(buf, &a), NLB_PROXY_V2_LEN6);
	KUNIT_EXPECT_MEMEQ(test, buf, want, sizeof(want));
	KUNIT_EXPECT_EQ(test, buf[NLB_PROXY_V2_LEN6], 0xaa);
	KUNIT_EXPECT_EQ(test, 16 + (buf[14] << 8 | buf[15]), NLB_PROXY_V2_LEN6);
}

static void nlb_proxy_header_family(struct kunit *test)
{
	struct nlb_proxy_addrs a = { .family = NFPROTO_ARP };
	u8 buf[NLB_PROXY_V2_MAX_LEN];

	KUNIT_EXPECT_EQ(test, nlb_proxy_v2_build(buf, &a), -EAFNOSUPPORT);
	a.family = NFPROTO_UNSPEC;
	KUNIT_EXPECT_EQ(test, nlb_proxy_v2_build(buf, &a), -EAFNOSUPPORT);
}

struct mss_case {
	const char *what;
	u8 opt[40];
	unsigned int len;
	int at;		/* offset of the MSS value, -1 for none */
};

static void nlb_proxy_mss_option(struct kunit *test)
{
	static const struct mss_case cases[] = {
		{ "Linux SYN-ACK", { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4,
				     5, 6, 7, 8, 1, 3, 3, 7 }, 20, 2 },
		{ "after NOPs and timestamps", { 1, 1, 8, 10, 1, 2, 3, 4, 5, 6,
						 7, 8, 2, 4, 0x05, 0x8c },
		  16, 14 },
		{ "none", { 1, 1, 4, 2, 1, 3, 3, 7 }, 8, -1 },
		{ "behind EOL", { 0, 0, 2, 4, 5, 180, 0, 0 }, 8, -1 },
		{ "length 0", { 8, 0, 2, 4, 5, 180, 0, 0 }, 8, -1 },
		{ "length 1", { 8, 1, 2, 4, 5, 180, 0, 0 }, 8, -1 },
		{ "past the end", { 1, 1, 1, 1, 8, 10, 2, 4 }, 8, -1 },
		{ "truncated MSS", { 1, 1, 1, 1, 1, 1, 2, 4 }, 8, -1 },
		{ "kind alone at the end", { 1, 1, 1, 2 }, 4, -1 },
		{ "MSS of wrong length", { 2, 3, 5, 1, 2, 4, 5, 180 }, 8, 6 },
		{ "empty", { 0 }, 0, -1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u8 opt[40];
		u8 *got;

		memcpy(opt, cases[i].opt, sizeof(opt));
		got = nlb_proxy_mss_opt(opt, cases[i].len);
		if (cases[i].at < 0)
			KUNIT_EXPECT_PTR_EQ_MSG(test, got, (u8 *)NULL, "%s",
						cases[i].what);
		else
			KUNIT_EXPECT_PTR_EQ_MSG(test, got, opt + cases[i].at,
						"%s", cases[i].what);
	}
	KUNIT_EXPECT_EQ(test, nlb_proxy_mss(1460, NLB_PROXY_V2_LEN4), 1432);
	KUNIT_EXPECT_EQ(test, nlb_proxy_mss(1440, NLB_PROXY_V2_LEN6), 1388);
	KUNIT_EXPECT_EQ(test, nlb_proxy_mss(52, NLB_PROXY_V2_LEN6), 52);
	KUNIT_EXPECT_EQ(test, nlb_proxy_mss(0, NLB_PROXY_V2_LEN4), 0);
}

/*
 * Reference: conntrack's sequence adjustment (nf_conntrack_seqadj.c),
 * restated. A client sequence number as the backend gets it, and a
 * backend acknowledgment number as the client gets it.
 */
static u32 ref_seq(const struct nf_ct_seqadj *a, u32 seq)
{
	return seq + (after(seq, a->correction_pos) ? a->offset_after :
						     a->offset_before);
}

static u32 ref_ack(const struct nf_ct_seqadj *a, u32 ack)
{
	return ack - (after(ack - a->offset_before, a->correction_pos) ?
		      a->offset_after : a->offset_before);
}

/* A client segment, as the gateway forwarded it, on its way. */
struct sim_seg {
	u32 seq;	/* the backend's numbers */
	u32 cseq;	/* the client's */
	u16 len;
	bool hdr;	/* it carries the header, then the client's bytes */
	bool rst;
};

#define SIM_DATA	3000
#define SIM_STREAM	(SIM_DATA + NLB_PROXY_V2_MAX_LEN)
#define SIM_FLIGHT	16
#define SIM_MSS		700

/* What becomes of a backend ACK. */
enum { SIM_DELIVERED, SIM_LOST_AFTER, SIM_LOST_BEFORE };

/*
 * One connection: the client's TCP (what it sent and what is acknowledged,
 * its numbers), the gateway (nlb's state and the client direction's
 * correction), and the backend's TCP (the bytes received at each offset of
 * its stream, which all copies of a byte must agree on).
 */
struct sim {
	struct kunit *test;
	struct rnd_state *rnd;
	struct nlb_proxy_ct p;
	struct nf_ct_seqadj adj;
	u8 hdr[NLB_PROXY_V2_MAX_LEN];
	u8 data[SIM_DATA];
	unsigned int dlen;
	u32 isn, snd_una, snd_nxt;	/* client */
	u32 bisn;			/* the backend's ISN+1 == client ISN+1 */
	u8 stream[SIM_STREAM];
	bool have[SIM_STREAM];
	unsigned int rcv;		/* in-order bytes the backend has */
	struct sim_seg flight[SIM_FLIGHT];
	unsigned int nflight;
	unsigned int headers;		/* segments that got the header */
	bool failed;
};

static void sim_fail(struct sim *s, const char *what, u32 a, u32 b)
{
	if (!s->failed)
		KUNIT_FAIL(s->test, "%s (%u, %u), state %u, isn %u", what, a,
			   b, s->p.state, s->isn);
	s->failed = true;
}

static u32 sim_rand(struct sim *s, u32 n)
{
	return prandom_u32_state(s->rnd) % n;
}

/* The byte at offset @off of what the backend must receive. */
static u8 sim_want(const struct sim *s, unsigned int off)
{
	return off < s->p.len ? s->hdr[off] : s->data[off - s->p.len];
}

/* Byte @i of a segment as the gateway forwarded it. */
static u8 sim_byte(const struct sim *s, const struct sim_seg *seg,
		   unsigned int i)
{
	u32 k = seg->cseq - (s->isn + 1);

	if (seg->hdr)
		return i < s->p.len ? s->hdr[i] : s->data[k + i - s->p.len];
	return s->data[k + i];
}

/*
 * The client sends @len bytes of its data from sequence number @seq (0: a
 * pure ACK, or a RST), and the gateway forwards them as nlb_proxy_help()
 * and nf_confirm would.
 */
static void sim_client(struct sim *s, u32 seq, unsigned int len, bool rst)
{
	struct sim_seg *seg;
	bool insert;

	insert = nlb_proxy_step_client(&s->p, &s->adj, seq, rst);
	if (insert) {
		s->p.sent = 1;
		s->headers++;
	}
	if (s->nflight == SIM_FLIGHT)
		return;		/* lost */
	seg = &s->flight[s->nflight++];
	seg->seq = ref_seq(&s->adj, seq);
	seg->cseq = seq;
	seg->len = len + (insert ? s->p.len : 0);
	seg->hdr = insert;
	seg->rst = rst;
	/*
	 * The header is the stream's first bytes; the client's byte k is
	 * the stream's byte len + k, whatever the segment (pure ACKs and
	 * RSTs included: the backend drops those that are behind).
	 */
	if (insert && seg->seq != s->bisn)
		sim_fail(s, "header not at ISN+1", seg->seq, s->bisn);
	if (!insert && seg->seq != seq + s->p.len)
		sim_fail(s, "client segment not moved by the header", seq,
			 seg->seq);
}

/* The backend receives a segment: TCP's acceptance rules, as Linux's. */
static void sim_backend(struct sim *s, const struct sim_seg *seg)
{
	u32 rcv_nxt = s->bisn + s->rcv;
	unsigned int i, off;

	if (seg->rst) {
		if (seg->seq != rcv_nxt)
			sim_fail(s, "RST not at rcv_nxt", seg->seq, rcv_nxt);
		return;
	}
	/* tcp_sequence(): a duplicate ending before rcv_nxt is dropped. */
	if (before(seg->seq + seg->len, rcv_nxt))
		return;
	for (i = 0; i < seg->len; i++) {
		off = seg->seq - s->bisn + i;
		if (off >= s->p.len + s->dlen) {
			sim_fail(s, "byte past the stream", off, seg->seq);
			return;
		}
		/* Every copy of a byte must be the one it stands for. */
		if (sim_byte(s, seg, i) != sim_want(s, off)) {
			sim_fail(s, "wrong byte in the stream", off, seg->seq);
			return;
		}
		s->stream[off] = sim_byte(s, seg, i);
		s->have[off] = true;
	}
	while (s->rcv < s->p.len + s->dlen && s->have[s->rcv])
		s->rcv++;
}

/*
 * The backend acknowledges what it has; the gateway sees the ACK first
 * (nlb_proxy_help(), then the correction), then the client.
 */
static void sim_backend_ack(struct sim *s, unsigned int fate)
{
	u32 ack = s->bisn + s->rcv, cack;

	if (fate == SIM_LOST_BEFORE)
		return;
	nlb_proxy_step_reply(&s->p, ack);
	cack = ref_ack(&s->adj, ack);
	if (s->rcv >= s->p.len ? cack != ack - s->p.len :
				 after(cack, s->isn + 1))
		sim_fail(s, "acknowledgment not moved by the header", ack,
			 cack);
	if (fate == SIM_DELIVERED && after(cack, s->snd_una))
		s->snd_una = cack;
}

/* The network delivers (or loses) one segment in flight, any of them. */
static void sim_deliver(struct sim *s, bool lossy)
{
	unsigned int i = sim_rand(s, s->nflight);
	struct sim_seg seg = s->flight[i];

	s->flight[i] = s->flight[--s->nflight];
	if (!lossy || sim_rand(s, 4))
		sim_backend(s, &seg);
}

/* The client sends: new data, a retransmission, or a pure ACK. */
static void sim_client_send(struct sim *s)
{
	u32 end = s->isn + 1 + s->dlen;
	unsigned int len;
	u32 seq;

	switch (sim_rand(s, 3)) {
	case 0:
		if (s->snd_nxt != end) {
			len = 1 + sim_rand(s, min_t(u32, SIM_MSS,
						    end - s->snd_nxt));
			sim_client(s, s->snd_nxt, len, false);
			s->snd_nxt += len;
			return;
		}
		fallthrough;
	case 1:
		if (s->snd_una != s->snd_nxt) {
			seq = s->snd_una;
			len = min_t(u32, SIM_MSS, s->snd_nxt - seq);
			sim_client(s, seq, 1 + sim_rand(s, len), false);
			return;
		}
		fallthrough;
	default:
		sim_client(s, s->snd_nxt, 0, false);
	}
}

/* One connection of @dlen bytes of client data, random events. */
static void sim_run(struct kunit *test, struct rnd_state *rnd,
		    struct sim *s, unsigned int dlen, u8 family)
{
	struct nlb_proxy_addrs a = { .family = family, .sport = htons(1) };
	unsigned int i, steps;

	memset(s, 0, sizeof(*s));
	s->test = test;
	s->rnd = rnd;
	s->dlen = dlen;
	prandom_bytes_state(rnd, s->data, dlen);
	prandom_bytes_state(rnd, a.src.all, sizeof(a.src.all));
	nlb_proxy_init(&s->p, family);
	KUNIT_ASSERT_EQ(test, nlb_proxy_v2_build(s->hdr, &a), (int)s->p.len);

	/* Sequence numbers near the wrap, now and then. */
	s->isn = sim_rand(s, 2) ? prandom_u32_state(rnd) :
				  (u32)-(int)sim_rand(s, 2 * SIM_STREAM);
	/* The SYN, maybe sent twice; the backend's SYN-ACK acks ISN+1. */
	KUNIT_EXPECT_TRUE(test, nlb_proxy_step_syn(&s->p, &s->adj, s->isn));
	if (sim_rand(s, 2))
		nlb_proxy_step_syn(&s->p, &s->adj, s->isn);
	s->bisn = s->isn + 1;
	s->snd_una = s->isn + 1;
	s->snd_nxt = s->isn + 1;
	nlb_proxy_step_reply(&s->p, s->isn + 1);
	/* The handshake's last ACK. */
	sim_client(s, s->isn + 1, 0, false);

	steps = 200 + sim_rand(s, 400);
	for (i = 0; i < steps && !s->failed; i++) {
		switch (sim_rand(s, 4)) {
		case 0:
			sim_client_send(s);
			break;
		case 1:
		case 2:
			if (s->nflight)
				sim_deliver(s, true);
			break;
		default:
			sim_backend_ack(s, sim_rand(s, 5) < 3 ? SIM_DELIVERED :
					   1 + sim_rand(s, 2));
		}
	}
	/* Then no more loss: everything arrives, the client is done. */
	for (i = 0; i < 10000 && !s->failed; i++) {
		while (s->nflight)
			sim_deliver(s, false);
		sim_backend_ack(s, SIM_DELIVERED);
		if (s->snd_una == s->isn + 1 + s->dlen &&
		    s->rcv == s->p.len + s->dlen)
			break;
		if (s->snd_nxt != s->isn + 1 + s->dlen) {
			sim_client_send(s);
		} else if (s->snd_una != s->snd_nxt) {
			sim_client(s, s->snd_una,
				   min_t(u32, SIM_MSS, s->snd_nxt - s->snd_una),
				   false);
		} else {
			/* a silent client: the header must have gone out */
			sim_client(s, s->snd_nxt, 0, false);
		}
	}
	if (s->failed)
		return;
	KUNIT_EXPECT_EQ(test, s->rcv, s->p.len + s->dlen);
	KUNIT_EXPECT_EQ(test, s->snd_una, s->isn + 1 + s->dlen);
	KUNIT_EXPECT_GT(test, s->headers, 0);
	/*
	 * The client acknowledges or resets: numbers the backend takes (a
	 * RST must be exactly at rcv_nxt), the header's correction final.
	 */
	if (sim_rand(s, 2))
		sim_client(s, s->snd_nxt, 0, false);
	sim_client(s, s->snd_nxt, 0, true);
	KUNIT_EXPECT_EQ(test, s->p.state, NLB_PROXY_CT_DONE);
	while (s->nflight && !s->failed)
		sim_deliver(s, false);
}

static void nlb_proxy_stream(struct kunit *test)
{
	struct sim *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct rnd_state rnd;
	int iter;

	KUNIT_ASSERT_NOT_NULL(test, s);
	prandom_seed_state(&rnd, 11);
	for (iter = 0; iter < 3000; iter++) {
		unsigned int dlen;

		/* A quarter of the clients send nothing (server first). */
		dlen = iter % 4 ? 1 + prandom_u32_state(&rnd) % SIM_DATA : 0;
		sim_run(test, &rnd, s, dlen,
			iter % 2 ? NFPROTO_IPV6 : NFPROTO_IPV4);
		if (s->failed) {
			kunit_info(test, "iteration %d, %u bytes", iter, dlen);
			return;
		}
	}
}

/* The transitions, one by one. */
static void nlb_proxy_steps(struct kunit *test)
{
	struct nf_ct_seqadj adj = {};
	struct nlb_proxy_ct p = {};
	u32 isn = 0xfffffff0;

	nlb_proxy_init(&p, NFPROTO_IPV4);
	KUNIT_EXPECT_EQ(test, p.state, NLB_PROXY_CT_SYN);
	KUNIT_EXPECT_EQ(test, p.len, NLB_PROXY_V2_LEN4);
	/* Before the SYN nothing is inserted, nothing moves. */
	KUNIT_EXPECT_FALSE(test, nlb_proxy_step_client(&p, &adj, isn + 1,
						       false));
	KUNIT_EXPECT_TRUE(test, nlb_proxy_step_syn(&p, &adj, isn));
	KUNIT_EXPECT_EQ(test, p.state, NLB_PROXY_CT_SEND);
	/* A SYN with another ISN before any header: start over. */
	KUNIT_EXPECT_TRUE(test, nlb_proxy_step_syn(&p, &adj, isn + 7));
	KUNIT_EXPECT_TRUE(test, nlb_proxy_step_syn(&p, &adj, isn));
	KUNIT_EXPECT_EQ(test, ref_seq(&adj, isn), isn);
	KUNIT_EXPECT_EQ(test, ref_seq(&adj, isn + 1), isn + 1);
	KUNIT_EXPECT_EQ(test, ref_seq(&adj, isn + 2), isn + 2 + 28);
	/* The handshake ACK and the first data get it; a RST or others not. */
	KUNIT_EXPECT_TRUE(test, nlb_proxy_step_client(&p, &adj, isn + 1,
						      false));
	p.sent = 1;
	KUNIT_EXPECT_FALSE(test, nlb_proxy_step_syn(&p, &adj, isn + 9));
	KUNIT_EXPECT_FALSE(test, nlb_proxy_step_client(&p, &adj, isn + 1,
						       true));
	KUNIT_EXPECT_FALSE(test, nlb_proxy_step_client(&p, &adj, isn + 100,
						       false));
	KUNIT_EXPECT_TRUE(test, nlb_proxy_step_client(&p, &adj, isn + 1,
						      false));
	/* An ACK inside the header changes nothing; one at its end does. */
	nlb_proxy_step_reply(&p, isn + 1 + 27);
	KUNIT_EXPECT_EQ(test, p.state, NLB_PROXY_CT_SEND);
	KUNIT_EXPECT_EQ(test, ref_ack(&adj, isn + 1), isn + 1);
	KUNIT_EXPECT_EQ(test, ref_ack(&adj, isn + 1 + 28), isn + 1);
	nlb_proxy_step_reply(&p, isn + 1 + 28);
	KUNIT_EXPECT_EQ(test, p.state, NLB_PROXY_CT_ACKED);
	/* The next client segment moves the correction and gets nothing. */
	KUNIT_EXPECT_FALSE(test, nlb_proxy_step_client(&p, &adj, isn + 1,
						       false));
	KUNIT_EXPECT_EQ(test, p.state, NLB_PROXY_CT_DONE);
	KUNIT_EXPECT_EQ(test, ref_seq(&adj, isn + 1), isn + 1 + 28);
	KUNIT_EXPECT_EQ(test, ref_seq(&adj, isn + 5), isn + 5 + 28);
	KUNIT_EXPECT_EQ(test, ref_ack(&adj, isn + 1 + 28), isn + 1);
	KUNIT_EXPECT_EQ(test, ref_ack(&adj, isn + 1 + 28 + 9), isn + 1 + 9);
	KUNIT_EXPECT_FALSE(test, nlb_proxy_step_client(&p, &adj, isn + 1,
						       false));
}

static struct kunit_case nlb_proxy_test_cases[] = {
	KUNIT_CASE(nlb_proxy_header_ipv4),
	KUNIT_CASE(nlb_proxy_header_ipv6),
	KUNIT_CASE(nlb_proxy_header_family),
	KUNIT_CASE(nlb_proxy_mss_option),
	KUNIT_CASE(nlb_proxy_steps),
	KUNIT_CASE(nlb_proxy_stream),
	{}
};

static struct kunit_suite nlb_proxy_test_suite = {
	.name = "nlb_proxy",
	.test_cases = nlb_proxy_test_cases,
};

kunit_test_suite(nlb_proxy_test_suite);
