// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the RFC 7915 translation library (kmod/xlat.c), compiled
 * into this module like the scheduler's.
 *
 * Packets are built from scratch into byte buffers by a small builder
 * whose checksums come from the plain RFC 1071 sum below, not from the
 * kernel helpers the library uses. The builder also makes the packet a
 * correct translation must give, so most checks translate a packet and
 * compare it byte for byte with the expected one (an IPv4 identification,
 * which the library chooses, aside). The packets are laid out in skbs in
 * several ways: linear, paged frags, a frag_list, GSO.
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <net/gso.h>

#include "../xlat.c"

#define T_BUF	9216

KUNIT_DEFINE_ACTION_WRAPPER(t_kfree_skb, kfree_skb, struct sk_buff *);

/* RFC 1071: the one's complement sum of big-endian 16-bit words. */
static u32 ref_add(u32 sum, const void *p, unsigned int n)
{
	const u8 *b = p;
	unsigned int i;

	for (i = 0; i + 1 < n; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += b[n - 1] << 8;
	return sum;
}

static u16 ref_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static u32 ref_pseudo(int fam, const u8 *ip, u8 proto, u32 len)
{
	if (fam == 4)
		return ref_add(0, ip + 12, 8) + proto + len;
	return ref_add(0, ip + 8, 32) + (len >> 16) + (len & 0xffff) + proto;
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static u16 get16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static u32 get32(const u8 *p)
{
	return get16(p) << 16 | get16(p + 2);
}

/* Addresses: an IPv6 client and VIP, an IPv4 pool address and backend. */
static void t_a6(union nf_inet_addr *a, u16 net, u16 host)
{
	memset(a, 0, sizeof(*a));
	a->in6.s6_addr16[0] = htons(0x2001);
	a->in6.s6_addr16[1] = htons(0x0db8);
	a->in6.s6_addr16[2] = htons(net);
	a->in6.s6_addr16[7] = htons(host);
}

static void t_a4(union nf_inet_addr *a, u32 host_order)
{
	memset(a, 0, sizeof(*a));
	a->ip = htonl(host_order);
}

/* What the builder makes. */
struct bspec {
	int fam;		/* 4 or 6 */
	u8 proto;		/* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	union nf_inet_addr src, dst;
	u16 sport, dport;	/* ICMP echo: identifier, sequence */
	u8 icmp_type, icmp_code;
	u8 ttl, tos;
	u16 fo;			/* IPv4 flags and fragment offset */
	u16 id;			/* IPv4 identification */
	u32 flow;		/* IPv6 flow label */
	unsigned int plen;	/* payload bytes */
	unsigned int poff;	/* payload pattern offset */
	u32 seq;
	u8 tcpflags;
	u8 seed;
	bool nocsum;		/* UDP over IPv4 without checksum */
	u8 ext[4];		/* IPv6 extension headers, in order */
	unsigned int next;
	u8 sl;			/* segments left of a routing header */
	u8 opts[40];		/* IPv4 options */
	unsigned int optlen;
	u8 tcpopt[40];
	unsigned int tcpoptlen;
};

static u8 t_pattern(const struct bspec *s, unsigned int i)
{
	return s->seed + (i + s->poff) * 7;
}

static unsigned int t_l4hdr(const struct bspec *s)
{
	switch (s->proto) {
	case IPPROTO_TCP:
		return 20 + s->tcpoptlen;
	case IPPROTO_UDP:
		return 8;
	}
	return 8;
}

/* Write the packet @s describes into @b; return its length. */
static unsigned int build(u8 *b, const struct bspec *s)
{
	unsigned int l3, l4len = t_l4hdr(s) + s->plen, len, i, off;
	u8 *l4, last;
	u32 sum;

	if (s->fam == 4) {
		l3 = 20 + s->optlen;
		len = l3 + l4len;
		memset(b, 0, l3);
		b[0] = 0x40 | l3 / 4;
		b[1] = s->tos;
		put16(b + 2, len);
		put16(b + 4, s->id);
		put16(b + 6, s->fo);
		b[8] = s->ttl;
		b[9] = s->proto;
		memcpy(b + 12, &s->src.ip, 4);
		memcpy(b + 16, &s->dst.ip, 4);
		memcpy(b + 20, s->opts, s->optlen);
		put16(b + 10, ~ref_fold(ref_add(0, b, l3)));
	} else {
		l3 = 40 + 8 * s->next;
		len = l3 + l4len;
		memset(b, 0, l3);
		put32(b, 0x60000000 | s->tos << 20 | s->flow);
		put16(b + 4, len - 40);
		b[7] = s->ttl;
		memcpy(b + 8, &s->src.in6, 16);
		memcpy(b + 24, &s->dst.in6, 16);
		last = 6;
		for (i = 0, off = 40; i < s->next; i++, off += 8) {
			b[last] = s->ext[i];
			last = off;
			switch (s->ext[i]) {
			case NEXTHDR_ROUTING:
				b[off + 2] = 4;
				b[off + 3] = s->sl;
				break;
			case NEXTHDR_FRAGMENT:
				break;
			default:	/* a PadN option */
				b[off + 2] = 1;
				b[off + 3] = 4;
			}
		}
		b[last] = s->proto;
	}

	l4 = b + l3;
	memset(l4, 0, t_l4hdr(s));
	for (i = 0; i < s->plen; i++)
		l4[t_l4hdr(s) + i] = t_pattern(s, i);
	switch (s->proto) {
	case IPPROTO_TCP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put32(l4 + 4, s->seq ?: 0x01020304);
		put32(l4 + 8, 0x0a0b0c0d);
		l4[12] = (20 + s->tcpoptlen) / 4 << 4;
		l4[13] = s->tcpflags ?: 0x10;
		put16(l4 + 14, 0xfff0);
		memcpy(l4 + 20, s->tcpopt, s->tcpoptlen);
		sum = ref_pseudo(s->fam, b, IPPROTO_TCP, l4len);
		put16(l4 + 16, ~ref_fold(ref_add(sum, l4, l4len)));
		break;
	case IPPROTO_UDP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, l4len);
		if (s->nocsum)
			break;
		sum = ref_pseudo(s->fam, b, IPPROTO_UDP, l4len);
		put16(l4 + 6, ~ref_fold(ref_add(sum, l4, l4len)) ?: 0xffff);
		break;
	default:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		put16(l4 + 4, s->sport);
		put16(l4 + 6, s->dport);
		sum = s->fam == 6 ? ref_pseudo(6, b, IPPROTO_ICMPV6, l4len) : 0;
		put16(l4 + 2, ~ref_fold(ref_add(sum, l4, l4len)));
	}
	return len;
}

/*
 * An ICMP error from @src to @dst quoting @qlen bytes of @q, with @rest the
 * 4 bytes after the checksum.
 */
static unsigned int build_err(u8 *b, int fam, const union nf_inet_addr *src,
			      const union nf_inet_addr *dst, u8 ttl, u8 type,
			      u8 code, u32 rest, const u8 *q,
			      unsigned int qlen)
{
	struct bspec s = {
		.fam = fam, .src = *src, .dst = *dst, .ttl = ttl,
		.proto = fam == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
		.icmp_type = type, .icmp_code = code,
	};
	unsigned int l3 = fam == 4 ? 20 : 40, len;
	u8 *ic;
	u32 sum;

	len = build(b, &s);
	ic = b + l3;
	put32(ic + 4, rest);
	memcpy(ic + 8, q, qlen);
	len += qlen;
	if (fam == 4) {
		put16(b + 2, len);
		put16(b + 10, 0);
		put16(b + 10, ~ref_fold(ref_add(0, b, 20)));
	} else {
		put16(b + 4, len - 40);
	}
	put16(ic + 2, 0);
	sum = fam == 6 ? ref_pseudo(6, b, IPPROTO_ICMPV6, len - l3) : 0;
	put16(ic + 2, ~ref_fold(ref_add(sum, ic, len - l3)));
	return len;
}

/* The fragment [@off, @off + @n) of an IPv4 datagram without options. */
static unsigned int frag4(u8 *f, const u8 *b, unsigned int off,
			  unsigned int n, bool mf)
{
	memcpy(f, b, 20);
	memcpy(f + 20, b + 20 + off, n);
	put16(f + 2, 20 + n);
	put16(f + 6, (get16(b + 6) & 0x4000) | (mf ? 0x2000 : 0) | off / 8);
	put16(f + 10, 0);
	put16(f + 10, ~ref_fold(ref_add(0, f, 20)));
	return 20 + n;
}

/* Likewise for an IPv6 packet without extension headers. */
static unsigned int frag6(u8 *f, const u8 *b, unsigned int off,
			  unsigned int n, bool mf, u32 id)
{
	memcpy(f, b, 40);
	f[6] = NEXTHDR_FRAGMENT;
	put16(f + 4, 8 + n);
	f[40] = b[6];
	f[41] = 0;
	put16(f + 42, off | (mf ? 1 : 0));
	put32(f + 44, id);
	memcpy(f + 48, b + 40 + off, n);
	return 48 + n;
}

enum t_layout { T_LINEAR, T_PAGED, T_FRAGLIST };

/*
 * An skb holding @len bytes of @b: the first @head bytes linear, the rest
 * linear too, in page frags, or in a frag_list of @chunk-byte skbs.
 */
static struct sk_buff *mk_skb(struct kunit *test, const u8 *b,
			      unsigned int len, enum t_layout lay,
			      unsigned int head, unsigned int chunk,
			      unsigned int headroom)
{
	struct sk_buff *skb, **tail;
	unsigned int off, n;

	if (lay == T_LINEAR)
		head = len;
	skb = alloc_skb(headroom + head, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, t_kfree_skb, skb));
	skb_reserve(skb, headroom);
	skb_put_data(skb, b, head);
	tail = &skb_shinfo(skb)->frag_list;
	for (off = head; off < len; off += n) {
		n = min_t(unsigned int, len - off,
			  lay == T_PAGED ? PAGE_SIZE : chunk);
		if (lay == T_PAGED) {
			struct page *page = alloc_page(GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, page);
			memcpy(page_address(page), b + off, n);
			skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page,
					0, n, PAGE_SIZE);
		} else {
			struct sk_buff *f = alloc_skb(n, GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, f);
			skb_put_data(f, b + off, n);
			*tail = f;
			tail = &f->next;
			skb->len += n;
			skb->data_len += n;
			skb->truesize += f->truesize;
		}
	}
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);
	skb->protocol = (b[0] >> 4) == 4 ? htons(ETH_P_IP) : htons(ETH_P_IPV6);
	return skb;
}

static struct sk_buff *mk_lin(struct kunit *test, const u8 *b,
			      unsigned int len)
{
	return mk_skb(test, b, len, T_LINEAR, 0, 0, 64);
}

static u8 *t_buf(struct kunit *test)
{
	u8 *b = kunit_kzalloc(test, T_BUF, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	return b;
}

/* Copy the packet out of @skb into @b; return its length. */
static unsigned int t_out(struct kunit *test, struct sk_buff *skb, u8 *b)
{
	KUNIT_ASSERT_LE(test, skb->len, T_BUF);
	KUNIT_ASSERT_EQ(test, 0, skb_copy_bits(skb, 0, b, skb->len));
	return skb->len;
}

/* A CHECKSUM_PARTIAL packet's checksum completed, as a device would. */
static void t_finish_partial(struct kunit *test, struct sk_buff *skb, u8 *b,
			     unsigned int len)
{
	int start = skb_checksum_start_offset(skb);
	u16 c;

	KUNIT_ASSERT_GE(test, start, 0);
	KUNIT_ASSERT_LT(test, start + skb->csum_offset + 1, len);
	c = ~ref_fold(ref_add(0, b + start, len - start));
	put16(b + start + skb->csum_offset, c ?: 0xffff);
}

/* Prepare @b (at L4 offset @l4) for CHECKSUM_PARTIAL: pseudo-header sum. */
static void t_partialize(u8 *b, unsigned int len, int fam, unsigned int l4,
			 u8 proto)
{
	unsigned int co = proto == IPPROTO_TCP ? 16 : 6;

	put16(b + l4 + co, ref_fold(ref_pseudo(fam, b, proto, len - l4)));
}

static void t_set_partial(struct sk_buff *skb, unsigned int l4, u8 proto)
{
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + l4;
	skb->csum_offset = proto == IPPROTO_TCP ? 16 : 6;
}

/* An IPv4 header is valid and its checksum right. */
static void t_check_ip4(struct kunit *test, const u8 *b, unsigned int len)
{
	KUNIT_EXPECT_EQ(test, b[0], 0x45);
	KUNIT_EXPECT_EQ(test, get16(b + 2), len);
	KUNIT_EXPECT_EQ(test, ref_fold(ref_add(0, b, 20)), 0xffff);
}

/*
 * Compare a translated IPv4 packet with the expected one, but for the
 * identification and the header checksum (valid, checked here).
 */
static void t_cmp4(struct kunit *test, const u8 *got, u8 *exp,
		   unsigned int len, unsigned int explen)
{
	KUNIT_ASSERT_EQ(test, len, explen);
	t_check_ip4(test, got, len);
	memcpy(exp + 4, got + 4, 2);
	memcpy(exp + 10, got + 10, 2);
	KUNIT_EXPECT_MEMEQ(test, got, exp, len);
}

static void t_cmp6(struct kunit *test, const u8 *got, const u8 *exp,
		   unsigned int len, unsigned int explen)
{
	KUNIT_ASSERT_EQ(test, len, explen);
	KUNIT_EXPECT_MEMEQ(test, got, exp, len);
}

/* The flow of most tests: IPv6 client C6 -> VIP6, IPv4 pool S4 -> B4. */
struct t_flow {
	union nf_inet_addr c6, v6, s4, b4;
	struct nlb_xlat_tuple fwd;	/* 6->4: S4:40000 -> B4:8080 */
	struct nlb_xlat_tuple rev;	/* 4->6: VIP6:80 -> C6:51000 */
	struct nlb_xlat_params p6to4, p4to6;
};

static void t_flow_init(struct t_flow *f)
{
	memset(f, 0, sizeof(*f));
	t_a6(&f->c6, 1, 0x10);
	t_a6(&f->v6, 0, 1);
	t_a4(&f->s4, 0xc0000201);	/* 192.0.2.1 */
	t_a4(&f->b4, 0xc6336414);	/* 198.51.100.20 */
	f->fwd.saddr = f->s4;
	f->fwd.daddr = f->b4;
	f->fwd.sport = htons(40000);
	f->fwd.dport = htons(8080);
	f->rev.saddr = f->v6;
	f->rev.daddr = f->c6;
	f->rev.sport = htons(80);
	f->rev.dport = htons(51000);
	f->p6to4.net = &init_net;
	f->p6to4.outer = &f->fwd;
	f->p4to6.net = &init_net;
	f->p4to6.outer = &f->rev;
}

/* The client's packet (IPv6) and what it becomes (IPv4). */
static void t_spec_fwd(const struct t_flow *f, struct bspec *o,
		       struct bspec *x, u8 proto, unsigned int plen)
{
	*o = (struct bspec){
		.fam = 6, .proto = proto, .src = f->c6, .dst = f->v6,
		.sport = 51000, .dport = 80, .ttl = 64, .tos = 0x28,
		.plen = plen, .seed = 3, .icmp_type = ICMPV6_ECHO_REQUEST,
	};
	*x = *o;
	x->fam = 4;
	x->proto = proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : proto;
	x->src = f->s4;
	x->dst = f->b4;
	x->sport = 40000;
	x->dport = proto == IPPROTO_ICMPV6 ? 80 : 8080;	/* echo: sequence */
	x->ttl = 63;
	x->icmp_type = ICMP_ECHO;
	if (20 + t_l4hdr(x) + plen > 1260)
		x->fo = IP_DF;
}

/* The backend's reply (IPv4) and what it becomes (IPv6). */
static void t_spec_rev(const struct t_flow *f, struct bspec *o,
		       struct bspec *x, u8 proto, unsigned int plen)
{
	*o = (struct bspec){
		.fam = 4, .proto = proto, .src = f->b4, .dst = f->s4,
		.sport = 8080, .dport = 40000, .ttl = 64, .tos = 0x2a,
		.plen = plen, .seed = 9, .fo = IP_DF, .id = 0x1234,
		.icmp_type = ICMP_ECHOREPLY,
	};
	*x = *o;
	x->fam = 6;
	x->proto = proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : proto;
	x->src = f->v6;
	x->dst = f->c6;
	x->sport = 80;
	x->dport = proto == IPPROTO_ICMP ? 40000 : 51000;
	x->ttl = 63;
	x->fo = 0;
	x->id = 0;
	x->icmp_type = ICMPV6_ECHO_REPLY;
}

static struct t_flow *t_flow_new(struct kunit *test)
{
	struct t_flow *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	t_flow_init(f);
	return f;
}

static const char * const t_summed_name[] = {
	"NONE", "UNNECESSARY", "COMPLETE", "PARTIAL"
};

/* One TCP or UDP packet each way, in ip_summed state @st, layout @lay. */
static void t_tcp_udp_one(struct kunit *test, const struct t_flow *f,
			  u8 proto, unsigned int st, enum t_layout lay)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, glen, l4;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;

	/* IPv6 -> IPv4 */
	t_spec_fwd(f, &o, &x, proto, 1000 + st);
	len = build(b, &o);
	l4 = 40;
	if (st == CHECKSUM_PARTIAL)
		t_partialize(b, len, 6, l4, proto);
	skb = mk_skb(test, b, len, lay, 80, 0, 64);
	/* what IPv6 input leaves in the control block must go */
	memset(skb->cb, 0xa5, sizeof(skb->cb));
	IP6CB(skb)->frag_max_size = 0;
	skb->ip_summed = st;
	if (st == CHECKSUM_COMPLETE)
		skb->csum = skb_checksum(skb, 0, len, 0);
	if (st == CHECKSUM_PARTIAL)
		t_set_partial(skb, l4, proto);
	KUNIT_ASSERT_EQ_MSG(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			    NLB_XLAT_OK, "6to4 proto %u %s", proto,
			    t_summed_name[st]);
	KUNIT_EXPECT_EQ(test, err.type, 0);
	KUNIT_EXPECT_EQ(test, ntohs(skb->protocol), ETH_P_IP);
	KUNIT_EXPECT_EQ(test, skb_network_offset(skb), 0);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), 20);
	KUNIT_EXPECT_NULL(test, memchr_inv(skb->cb, 0, sizeof(skb->cb)));
	KUNIT_EXPECT_NE(test, (int)skb->ip_summed, CHECKSUM_COMPLETE);
	glen = t_out(test, skb, g);
	if (st == CHECKSUM_PARTIAL) {
		KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb), 20);
		t_finish_partial(test, skb, g, glen);
	}
	t_cmp4(test, g, e, glen, build(e, &x));

	/* IPv4 -> IPv6 */
	t_spec_rev(f, &o, &x, proto, 1000 + st);
	len = build(b, &o);
	l4 = 20;
	if (st == CHECKSUM_PARTIAL)
		t_partialize(b, len, 4, l4, proto);
	skb = mk_skb(test, b, len, lay, 60, 0, 64);
	memset(skb->cb, 0xa5, sizeof(skb->cb));
	IPCB(skb)->frag_max_size = 0;
	skb->ip_summed = st;
	if (st == CHECKSUM_COMPLETE)
		skb->csum = skb_checksum(skb, 0, len, 0);
	if (st == CHECKSUM_PARTIAL)
		t_set_partial(skb, l4, proto);
	KUNIT_ASSERT_EQ_MSG(test, nlb_xlat_4to6(skb, &f->p4to6, &err),
			    NLB_XLAT_OK, "4to6 proto %u %s", proto,
			    t_summed_name[st]);
	KUNIT_EXPECT_EQ(test, ntohs(skb->protocol), ETH_P_IPV6);
	KUNIT_EXPECT_EQ(test, skb_network_offset(skb), 0);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), 40);
	KUNIT_EXPECT_GE(test, skb_headroom(skb), (unsigned int)NLB_XLAT_LL_ROOM);
	KUNIT_EXPECT_NULL(test, memchr_inv(skb->cb, 0, sizeof(skb->cb)));
	glen = t_out(test, skb, g);
	if (st == CHECKSUM_PARTIAL) {
		KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb), 40);
		t_finish_partial(test, skb, g, glen);
	}
	t_cmp6(test, g, e, glen, build(e, &x));
}

/* TCP and UDP, both ways, in every ip_summed state, linear and paged. */
static void nlb_xlat_tcp_udp(struct kunit *test)
{
	struct t_flow *f = t_flow_new(test);
	unsigned int st;

	for (st = CHECKSUM_NONE; st <= CHECKSUM_PARTIAL; st++) {
		t_tcp_udp_one(test, f, IPPROTO_TCP, st, T_LINEAR);
		t_tcp_udp_one(test, f, IPPROTO_TCP, st, T_PAGED);
		t_tcp_udp_one(test, f, IPPROTO_UDP, st, T_LINEAR);
		t_tcp_udp_one(test, f, IPPROTO_UDP, st, T_PAGED);
	}
}

/* A UDP datagram without checksum gets one over IPv6; none is invalid. */
static void nlb_xlat_udp_zero_csum(struct kunit *test)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, glen;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	t_spec_rev(f, &o, &x, IPPROTO_UDP, 301);
	o.nocsum = true;
	len = build(b, &o);
	skb = mk_skb(test, b, len, T_PAGED, 28, 0, 64);
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err), NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_NE(test, get16(g + 46), 0);
	t_cmp6(test, g, e, glen, build(e, &x));

	/* a fragment without checksum cannot get one */
	o.fo = IP_MF;
	len = build(b, &o);
	skb = mk_lin(test, b, len);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err),
			NLB_XLAT_FRAGMENT);

	/* IPv6 with a zero UDP checksum is not valid */
	t_spec_fwd(f, &o, &x, IPPROTO_UDP, 40);
	len = build(b, &o);
	put16(b + 46, 0);
	skb = mk_lin(test, b, len);
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			NLB_XLAT_BAD_CSUM);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_MEMEQ(test, g, b, len);
}

/* ICMP echo request and reply, both ways, identifier mapped. */
static void nlb_xlat_echo(struct kunit *test)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, glen, i;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	for (i = 0; i < 2; i++) {
		t_spec_fwd(f, &o, &x, IPPROTO_ICMPV6, 56 + i);
		o.icmp_type = i ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST;
		x.icmp_type = i ? ICMP_ECHOREPLY : ICMP_ECHO;
		len = build(b, &o);
		skb = mk_skb(test, b, len, i ? T_PAGED : T_LINEAR, 48, 0, 64);
		KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
				NLB_XLAT_OK);
		glen = t_out(test, skb, g);
		t_cmp4(test, g, e, glen, build(e, &x));

		t_spec_rev(f, &o, &x, IPPROTO_ICMP, 56 + i);
		o.icmp_type = i ? ICMP_ECHOREPLY : ICMP_ECHO;
		x.icmp_type = i ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST;
		len = build(b, &o);
		skb = mk_lin(test, b, len);
		/* an ICMP checksum the device is to fill in */
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_headroom(skb) + 20;
		skb->csum_offset = 2;
		put16(skb->data + 22, 0);
		KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err),
				NLB_XLAT_OK);
		KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_NONE);
		glen = t_out(test, skb, g);
		t_cmp6(test, g, e, glen, build(e, &x));
	}
	/* informational types RFC 7915 does not translate */
	t_spec_fwd(f, &o, &x, IPPROTO_ICMPV6, 8);
	o.icmp_type = NDISC_NEIGHBOUR_SOLICITATION;
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(mk_lin(test, b, len), &f->p6to4,
					    &err), NLB_XLAT_ICMP_DROP);
	KUNIT_EXPECT_EQ(test, err.type, 0);
	t_spec_rev(f, &o, &x, IPPROTO_ICMP, 12);
	o.icmp_type = ICMP_TIMESTAMP;
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &f->p4to6,
					    &err), NLB_XLAT_ICMP_DROP);
}

/* 6->4->6 gives back the original bytes; 4->6->4 all but ID, DF, check. */
static void nlb_xlat_round_trip(struct kunit *test)
{
	static const u8 protos[] = {
		IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6
	};
	u8 *b = t_buf(test), *g = t_buf(test);
	struct nlb_xlat_tuple back6, back4;
	unsigned int i, len, glen;
	struct nlb_xlat_params p;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	back6 = (struct nlb_xlat_tuple){
		.saddr = f->c6, .daddr = f->v6,
		.sport = htons(51000), .dport = htons(80),
	};
	back4 = (struct nlb_xlat_tuple){
		.saddr = f->b4, .daddr = f->s4,
		.sport = htons(8080), .dport = htons(40000),
	};
	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		t_spec_fwd(f, &o, &x, protos[i], 500 + 300 * i);
		len = build(b, &o);
		skb = mk_skb(test, b, len, T_PAGED, 64, 0, 64);
		p = f->p6to4;
		p.flags = NLB_XLAT_KEEP_TTL;
		KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &p, &err),
				NLB_XLAT_OK);
		p = f->p4to6;
		p.outer = &back6;
		p.flags = NLB_XLAT_KEEP_TTL;
		KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &p, &err),
				NLB_XLAT_OK);
		glen = t_out(test, skb, g);
		KUNIT_EXPECT_EQ(test, glen, len);
		KUNIT_EXPECT_MEMEQ(test, g, b, len);

		t_spec_rev(f, &o, &x, protos[i] == IPPROTO_ICMPV6 ?
			   IPPROTO_ICMP : protos[i], 700 + 200 * i);
		o.fo = 0;	/* DF would come back only above 1260 */
		len = build(b, &o);
		skb = mk_skb(test, b, len, T_PAGED, 64, 0, 64);
		p = f->p4to6;
		p.flags = NLB_XLAT_KEEP_TTL;
		KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &p, &err),
				NLB_XLAT_OK);
		p = f->p6to4;
		p.outer = &back4;
		p.flags = NLB_XLAT_KEEP_TTL;
		KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &p, &err),
				NLB_XLAT_OK);
		glen = t_out(test, skb, g);
		t_cmp4(test, g, b, glen, len);
	}
}

/* DF of 6->4 (RFC 7915 5.1), Packet Too Big when the IPv4 MTU is smaller. */
static void nlb_xlat_df_6to4(struct kunit *test)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, glen, plen;
	struct nlb_xlat_icmp err;
	struct nlb_xlat_params p;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	/* 1260 bytes of IPv4: no DF; 1261: DF */
	for (plen = 1220; plen <= 1221; plen++) {
		t_spec_fwd(f, &o, &x, IPPROTO_TCP, plen);
		len = build(b, &o);
		skb = mk_lin(test, b, len);
		KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
				NLB_XLAT_OK);
		glen = t_out(test, skb, g);
		KUNIT_EXPECT_EQ(test, !!(get16(g + 6) & IP_DF),
				glen > NLB_XLAT_DF_MAX);
		t_cmp4(test, g, e, glen, build(e, &x));
	}

	/* DF and bigger than the IPv4 MTU: Packet Too Big, unchanged */
	t_spec_fwd(f, &o, &x, IPPROTO_TCP, 1400);
	len = build(b, &o);
	skb = mk_lin(test, b, len);
	p = f->p6to4;
	p.mtu4 = 1400;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &p, &err), NLB_XLAT_TOO_BIG);
	KUNIT_EXPECT_EQ(test, err.type, ICMPV6_PKT_TOOBIG);
	KUNIT_EXPECT_EQ(test, err.code, 0);
	KUNIT_EXPECT_EQ(test, err.info, 1420);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_EQ(test, glen, len);
	KUNIT_EXPECT_MEMEQ(test, g, b, len);
	KUNIT_EXPECT_EQ(test, ntohs(skb->protocol), ETH_P_IPV6);
	/* a small IPv4 MTU: the PTB says 1280 (and DF goes below 1260) */
	p.mtu4 = 1000;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &p, &err), NLB_XLAT_TOO_BIG);
	KUNIT_EXPECT_EQ(test, err.info, IPV6_MIN_MTU);
	/* it fits */
	p.mtu4 = 1440;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &p, &err), NLB_XLAT_OK);
}

/* DF and fragmentation of 4->6 (RFC 7915 4.1). */
static void nlb_xlat_df_4to6(struct kunit *test)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, glen;
	struct nlb_xlat_icmp err;
	struct nlb_xlat_params p;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	/* DF, too big for the IPv6 next hop: Fragmentation Needed */
	t_spec_rev(f, &o, &x, IPPROTO_TCP, 1460);
	len = build(b, &o);
	skb = mk_lin(test, b, len);
	p = f->p4to6;
	p.mtu6 = 1500;
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(skb, &p, &err), NLB_XLAT_TOO_BIG);
	KUNIT_EXPECT_EQ(test, err.type, ICMP_DEST_UNREACH);
	KUNIT_EXPECT_EQ(test, err.code, ICMP_FRAG_NEEDED);
	KUNIT_EXPECT_EQ(test, err.info, 1480);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_MEMEQ(test, g, b, len);
	p.mtu6 = 1520;
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &p, &err), NLB_XLAT_OK);
	KUNIT_EXPECT_EQ(test, IP6CB(skb)->frag_max_size, 0);
	KUNIT_EXPECT_FALSE(test, skb->ignore_df);

	/* no DF, above 1280: fragmented to 1280 by ip6_fragment() */
	o.fo = 0;
	len = build(b, &o);
	skb = mk_lin(test, b, len);
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &p, &err), NLB_XLAT_OK);
	KUNIT_EXPECT_EQ(test, IP6CB(skb)->frag_max_size, IPV6_MIN_MTU);
	KUNIT_EXPECT_TRUE(test, skb->ignore_df);
	glen = t_out(test, skb, g);
	t_cmp6(test, g, e, glen, build(e, &x));
	/* the operator's lowest IPv6 MTU */
	skb = mk_lin(test, b, len);
	p.lowest_mtu6 = 1400;
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &p, &err), NLB_XLAT_OK);
	KUNIT_EXPECT_EQ(test, IP6CB(skb)->frag_max_size, 1400);

	/* no DF, small: no fragmentation */
	t_spec_rev(f, &o, &x, IPPROTO_TCP, 1200);
	o.fo = 0;
	len = build(b, &o);
	skb = mk_lin(test, b, len);
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err),
			NLB_XLAT_OK);
	KUNIT_EXPECT_EQ(test, IP6CB(skb)->frag_max_size, 0);
}

/* Hop-by-Hop, Destination Options, Routing with no segments left. */
static void nlb_xlat_exthdrs(struct kunit *test)
{
	static const struct {
		u8 ext[4];
		unsigned int n;
		u8 sl;
		enum nlb_xlat_reason r;
		u8 type, code;
		u32 info;
	} cases[] = {
		{ { NEXTHDR_HOP }, 1, 0, NLB_XLAT_OK },
		{ { NEXTHDR_HOP, NEXTHDR_DEST, NEXTHDR_ROUTING, NEXTHDR_DEST },
		  4, 0, NLB_XLAT_OK },
		{ { NEXTHDR_ROUTING }, 1, 0, NLB_XLAT_OK },
		{ { NEXTHDR_HOP, NEXTHDR_ROUTING }, 2, 1,
		  NLB_XLAT_UNSUPPORTED_EXTHDR, ICMPV6_PARAMPROB,
		  ICMPV6_HDR_FIELD, 48 + 3 },
		{ { NEXTHDR_DEST, NEXTHDR_HOP }, 2, 0,
		  NLB_XLAT_UNSUPPORTED_EXTHDR, ICMPV6_DEST_UNREACH,
		  ICMPV6_ADM_PROHIBITED, 0 },
		{ { NEXTHDR_AUTH }, 1, 0, NLB_XLAT_UNSUPPORTED_EXTHDR,
		  ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED, 0 },
		{ { NEXTHDR_MOBILITY }, 1, 0, NLB_XLAT_UNSUPPORTED_EXTHDR,
		  ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED, 0 },
	};
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int i, len, glen;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		t_spec_fwd(f, &o, &x, IPPROTO_UDP, 100);
		memcpy(o.ext, cases[i].ext, sizeof(o.ext));
		o.next = cases[i].n;
		o.sl = cases[i].sl;
		len = build(b, &o);
		skb = mk_skb(test, b, len, T_PAGED, 40, 0, 64);
		KUNIT_EXPECT_EQ_MSG(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
				    cases[i].r, "case %u", i);
		KUNIT_EXPECT_EQ(test, err.type, cases[i].type);
		KUNIT_EXPECT_EQ(test, err.code, cases[i].code);
		KUNIT_EXPECT_EQ(test, err.info, cases[i].info);
		glen = t_out(test, skb, g);
		if (cases[i].r == NLB_XLAT_OK) {
			t_cmp4(test, g, e, glen, build(e, &x));
		} else {
			KUNIT_EXPECT_EQ(test, glen, len);
			KUNIT_EXPECT_MEMEQ(test, g, b, len);
		}
	}
	/* not a transport RFC 7915 translates (GRE), no next header */
	t_spec_fwd(f, &o, &x, IPPROTO_GRE, 20);
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(mk_lin(test, b, len), &f->p6to4,
					    &err), NLB_XLAT_UNSUPPORTED_PROTO);
	KUNIT_EXPECT_EQ(test, err.type, ICMPV6_DEST_UNREACH);
	KUNIT_EXPECT_EQ(test, err.code, ICMPV6_ADM_PROHIBITED);
	b[6] = NEXTHDR_NONE;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(mk_lin(test, b, len), &f->p6to4,
					    &err), NLB_XLAT_UNSUPPORTED_PROTO);
	t_spec_rev(f, &o, &x, IPPROTO_SCTP, 20);
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &f->p4to6,
					    &err), NLB_XLAT_UNSUPPORTED_PROTO);
	KUNIT_EXPECT_EQ(test, err.type, ICMP_DEST_UNREACH);
	KUNIT_EXPECT_EQ(test, err.code, ICMP_PKT_FILTERED);
}

/* Fragments handed over unreassembled, both ways. */
static void nlb_xlat_fragments(struct kunit *test)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	u8 *fb = t_buf(test), *fe = t_buf(test);
	unsigned int len, elen, flen, felen, glen;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	/* IPv6 first fragment: MF, no DF, the low 16 bits of the id */
	t_spec_fwd(f, &o, &x, IPPROTO_TCP, 2000);
	x.fo = 0;
	len = build(b, &o);
	elen = build(e, &x);
	flen = frag6(fb, b, 0, 1232, true, 0xabcd1234);
	felen = frag4(fe, e, 0, 1232, true);
	put16(fe + 4, 0x1234);
	put16(fe + 10, 0);
	put16(fe + 10, ~ref_fold(ref_add(0, fe, 20)));
	skb = mk_lin(test, fb, flen);
	KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err), NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_EQ(test, glen, felen);
	KUNIT_EXPECT_MEMEQ(test, g, fe, felen);	/* checksum of the whole */

	/* IPv6 non-first fragment: only the IP header */
	flen = frag6(fb, b, 1232, len - 40 - 1232, false, 0xabcd1234);
	felen = frag4(fe, e, 1232, elen - 20 - 1232, false);
	put16(fe + 4, 0x1234);
	put16(fe + 10, 0);
	put16(fe + 10, ~ref_fold(ref_add(0, fe, 20)));
	skb = mk_lin(test, fb, flen);
	KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err), NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_EQ(test, glen, felen);
	KUNIT_EXPECT_MEMEQ(test, g, fe, felen);

	/* an atomic fragment: no DF, id copied */
	t_spec_fwd(f, &o, &x, IPPROTO_UDP, 1300);
	x.fo = 0;
	len = build(b, &o);
	elen = build(e, &x);
	flen = frag6(fb, b, 0, len - 40, false, 0x00017777);
	memcpy(fe, e, elen);
	put16(fe + 4, 0x7777);
	put16(fe + 10, 0);
	put16(fe + 10, ~ref_fold(ref_add(0, fe, 20)));
	skb = mk_lin(test, fb, flen);
	KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err), NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_EQ(test, glen, elen);
	KUNIT_EXPECT_MEMEQ(test, g, fe, elen);

	/* refused whole when the caller reassembles */
	{
		struct nlb_xlat_params p = f->p6to4;

		p.flags = NLB_XLAT_NO_FRAGMENTS;
		skb = mk_lin(test, fb, flen);
		KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &p, &err),
				NLB_XLAT_FRAGMENT);
		KUNIT_EXPECT_EQ(test, err.type, 0);
		glen = t_out(test, skb, g);
		KUNIT_EXPECT_EQ(test, glen, flen);
		KUNIT_EXPECT_MEMEQ(test, g, fb, flen);
	}

	/* ICMPv6 in fragments: refused */
	t_spec_fwd(f, &o, &x, IPPROTO_ICMPV6, 200);
	len = build(b, &o);
	flen = frag6(fb, b, 0, 104, true, 1);
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(mk_lin(test, fb, flen), &f->p6to4,
					    &err), NLB_XLAT_FRAGMENT);

	/* IPv4 first and last fragments: a Fragment Header */
	t_spec_rev(f, &o, &x, IPPROTO_UDP, 1800);
	o.fo = 0;
	len = build(b, &o);
	elen = build(e, &x);
	flen = frag4(fb, b, 0, 1480, true);
	felen = frag6(fe, e, 0, 1480, true, 0x1234);
	skb = mk_lin(test, fb, flen);
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err), NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	t_cmp6(test, g, fe, glen, felen);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), 48);
	flen = frag4(fb, b, 1480, len - 20 - 1480, false);
	felen = frag6(fe, e, 1480, elen - 40 - 1480, false, 0x1234);
	skb = mk_lin(test, fb, flen);
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err), NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	t_cmp6(test, g, fe, glen, felen);
	/* refused whole when the caller reassembles */
	{
		struct nlb_xlat_params p = f->p4to6;

		p.flags = NLB_XLAT_NO_FRAGMENTS;
		skb = mk_lin(test, fb, flen);
		KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(skb, &p, &err),
				NLB_XLAT_FRAGMENT);
		KUNIT_EXPECT_EQ(test, err.type, 0);
		glen = t_out(test, skb, g);
		KUNIT_EXPECT_EQ(test, glen, flen);
		KUNIT_EXPECT_MEMEQ(test, g, fb, flen);
	}
	/* a fragment bigger than the IPv6 MTU cannot be cut again */
	{
		struct nlb_xlat_params p = f->p4to6;

		p.mtu6 = 1280;
		flen = frag4(fb, b, 0, 1480, true);
		KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, fb, flen),
						    &p, &err),
				NLB_XLAT_FRAGMENT);
	}
	/* ICMP in fragments: refused */
	t_spec_rev(f, &o, &x, IPPROTO_ICMP, 200);
	o.fo = IP_MF;
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &f->p4to6,
					    &err), NLB_XLAT_FRAGMENT);
}

/* Reassembled packets (a frag_list) get frag_max_size for refragmenting. */
static void nlb_xlat_reassembled(struct kunit *test)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, glen;
	struct nlb_xlat_icmp err;
	struct nlb_xlat_params p;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	t_spec_fwd(f, &o, &x, IPPROTO_UDP, 3000);
	x.fo = 0;
	len = build(b, &o);
	skb = mk_skb(test, b, len, T_FRAGLIST, 1280, 1232, 64);
	IP6CB(skb)->frag_max_size = 1280;
	IP6CB(skb)->flags = IP6SKB_FRAGMENTED;
	KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err), NLB_XLAT_OK);
	KUNIT_EXPECT_TRUE(test, skb_has_frag_list(skb));
	KUNIT_EXPECT_EQ(test, IPCB(skb)->frag_max_size, 1280 - 28);
	KUNIT_EXPECT_EQ(test, IPCB(skb)->flags, 0);
	KUNIT_EXPECT_FALSE(test, skb->ignore_df);
	glen = t_out(test, skb, g);
	t_cmp4(test, g, e, glen, build(e, &x));	/* no DF */

	t_spec_rev(f, &o, &x, IPPROTO_TCP, 2900);
	o.fo = 0;
	len = build(b, &o);
	skb = mk_skb(test, b, len, T_FRAGLIST, 1500, 1480, 64);
	IPCB(skb)->frag_max_size = 1500;
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err), NLB_XLAT_OK);
	KUNIT_EXPECT_EQ(test, IP6CB(skb)->frag_max_size, IPV6_MIN_MTU);
	KUNIT_EXPECT_TRUE(test, skb->ignore_df);
	glen = t_out(test, skb, g);
	t_cmp6(test, g, e, glen, build(e, &x));

	/* DF fragments: as big as they were, plus 28, within the next hop */
	o.fo = IP_DF;
	len = build(b, &o);
	skb = mk_skb(test, b, len, T_FRAGLIST, 1500, 1480, 64);
	IPCB(skb)->frag_max_size = 1500;
	IPCB(skb)->flags = IPSKB_FRAG_PMTU;
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err), NLB_XLAT_OK);
	KUNIT_EXPECT_EQ(test, IP6CB(skb)->frag_max_size, 1528);
	KUNIT_EXPECT_TRUE(test, skb->ignore_df);
	skb = mk_skb(test, b, len, T_FRAGLIST, 1500, 1480, 64);
	IPCB(skb)->frag_max_size = 1500;
	p = f->p4to6;
	p.mtu6 = 1500;
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &p, &err), NLB_XLAT_OK);
	KUNIT_EXPECT_EQ(test, IP6CB(skb)->frag_max_size, 1500);
}

/* IPv4 options are dropped; an unexpired source route is refused. */
static void nlb_xlat_ipv4_options(struct kunit *test)
{
	static const struct {
		u8 opt[12];
		unsigned int len;
		enum nlb_xlat_reason r;
	} cases[] = {
		{ { IPOPT_NOOP, IPOPT_NOOP, IPOPT_NOOP, IPOPT_END }, 4,
		  NLB_XLAT_OK },
		/* record route, room for two addresses */
		{ { IPOPT_RR, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, IPOPT_END }, 12,
		  NLB_XLAT_OK },
		/* loose source route, one address left */
		{ { IPOPT_NOOP, IPOPT_LSRR, 7, 4, 192, 0, 2, 9 }, 8,
		  NLB_XLAT_SOURCE_ROUTE },
		/* strict source route, expired */
		{ { IPOPT_NOOP, IPOPT_SSRR, 7, 8, 192, 0, 2, 9 }, 8,
		  NLB_XLAT_OK },
		/* an option running past the header */
		{ { IPOPT_NOOP, IPOPT_RR, 9, 4, 0, 0, 0, 0 }, 8,
		  NLB_XLAT_BAD_HDR },
		{ { IPOPT_RR, 1, 0, 0 }, 4, NLB_XLAT_BAD_HDR },
	};
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int i, len, glen;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		t_spec_rev(f, &o, &x, IPPROTO_TCP, 77);
		memcpy(o.opts, cases[i].opt, cases[i].len);
		o.optlen = cases[i].len;
		len = build(b, &o);
		skb = mk_lin(test, b, len);
		KUNIT_EXPECT_EQ_MSG(test, nlb_xlat_4to6(skb, &f->p4to6, &err),
				    cases[i].r, "case %u", i);
		glen = t_out(test, skb, g);
		if (cases[i].r == NLB_XLAT_OK) {
			t_cmp6(test, g, e, glen, build(e, &x));
			continue;
		}
		KUNIT_EXPECT_MEMEQ(test, g, b, len);
		if (cases[i].r == NLB_XLAT_SOURCE_ROUTE) {
			KUNIT_EXPECT_EQ(test, err.type, ICMP_DEST_UNREACH);
			KUNIT_EXPECT_EQ(test, err.code, ICMP_SR_FAILED);
		}
	}
}

/* TTL and hop limit: decremented, or "would expire" with the error. */
static void nlb_xlat_hop_limit(struct kunit *test)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, glen;
	struct nlb_xlat_icmp err;
	struct nlb_xlat_params p;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	t_spec_fwd(f, &o, &x, IPPROTO_TCP, 10);
	o.ttl = 1;
	len = build(b, &o);
	skb = mk_lin(test, b, len);
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			NLB_XLAT_HOP_LIMIT);
	KUNIT_EXPECT_EQ(test, err.type, ICMPV6_TIME_EXCEED);
	KUNIT_EXPECT_EQ(test, err.code, ICMPV6_EXC_HOPLIMIT);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_MEMEQ(test, g, b, len);
	/* the gateway's own packet keeps its hop limit */
	p = f->p6to4;
	p.flags = NLB_XLAT_KEEP_TTL;
	KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &p, &err), NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	x.ttl = 1;
	t_cmp4(test, g, e, glen, build(e, &x));

	t_spec_rev(f, &o, &x, IPPROTO_UDP, 10);
	o.ttl = 0;
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &f->p4to6,
					    &err), NLB_XLAT_HOP_LIMIT);
	KUNIT_EXPECT_EQ(test, err.type, ICMP_TIME_EXCEEDED);
	KUNIT_EXPECT_EQ(test, err.code, ICMP_EXC_TTL);

	/* no error about an error */
	len = build_err(b, 4, &f->b4, &f->s4, 1, ICMP_DEST_UNREACH,
			ICMP_PORT_UNREACH, 0, b + 200, 0);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &f->p4to6,
					    &err), NLB_XLAT_HOP_LIMIT);
	KUNIT_EXPECT_EQ(test, err.type, 0);
}

/*
 * GSO packets translated without segmenting, then segmented by the
 * kernel's software GSO: every segment must be a correct packet.
 */
static void t_gso_one(struct kunit *test, bool v6, u8 proto, bool fraglist)
{
	const unsigned int mss = 1300, nseg = 3;
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, l4, hdr, k, glen, seglen;
	struct sk_buff *skb, *segs, *seg;
	struct nlb_xlat_icmp err;
	struct bspec o, x, xs;
	struct t_flow *f;
	u16 id0 = 0;

	f = t_flow_new(test);
	if (v6)
		t_spec_fwd(f, &o, &x, proto, mss * nseg);
	else
		t_spec_rev(f, &o, &x, proto, mss * nseg);
	len = build(b, &o);
	l4 = v6 ? 40 : 20;
	hdr = l4 + t_l4hdr(&o);
	if (fraglist) {
		skb = mk_skb(test, b, len, T_FRAGLIST, hdr + mss, mss, 64);
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb_shinfo(skb)->gso_type = SKB_GSO_FRAGLIST;
	} else {
		t_partialize(b, len, v6 ? 6 : 4, l4, proto);
		skb = mk_skb(test, b, len, T_PAGED, hdr, 0, 64);
		t_set_partial(skb, l4, proto);
	}
	skb_set_transport_header(skb, l4);
	skb_shinfo(skb)->gso_size = mss;
	skb_shinfo(skb)->gso_segs = nseg;
	skb_shinfo(skb)->gso_type |= proto == IPPROTO_UDP ? SKB_GSO_UDP_L4 :
				     v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
	if (v6)
		KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
				NLB_XLAT_OK);
	else
		KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6, &err),
				NLB_XLAT_OK);
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_size, mss);
	KUNIT_EXPECT_TRUE(test, skb_shinfo(skb)->gso_type & SKB_GSO_DODGY);
	if (proto == IPPROTO_TCP) {
		KUNIT_EXPECT_EQ(test, !!(skb_shinfo(skb)->gso_type &
					 SKB_GSO_TCPV4), v6);
		KUNIT_EXPECT_EQ(test, !!(skb_shinfo(skb)->gso_type &
					 SKB_GSO_TCPV6), !v6);
	}
	if (!fraglist) {
		KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_PARTIAL);
		KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb),
				v6 ? 20 : 40);
		glen = t_out(test, skb, g);
		t_finish_partial(test, skb, g, glen);
		x.fo = v6 ? IP_DF : 0;	/* DF: each segment is above 1260 */
		if (v6)
			t_cmp4(test, g, e, glen, build(e, &x));
		else
			t_cmp6(test, g, e, glen, build(e, &x));
	}

	segs = skb_gso_segment(skb, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, segs);
	for (seg = segs, k = 0; seg; seg = seg->next, k++) {
		xs = x;
		xs.plen = mss;
		xs.poff = k * mss;
		xs.seq = 0x01020304 + k * mss;
		xs.fo = v6 ? IP_DF : 0;
		glen = t_out(test, seg, g);
		seglen = build(e, &xs);
		if (v6) {
			if (!k)
				id0 = get16(g + 4);
			KUNIT_EXPECT_EQ(test, get16(g + 4), (u16)(id0 + k));
			t_cmp4(test, g, e, glen, seglen);
		} else {
			t_cmp6(test, g, e, glen, seglen);
		}
	}
	KUNIT_EXPECT_EQ(test, k, nseg);
	kfree_skb_list(segs);
}

static void nlb_xlat_gso(struct kunit *test)
{
	t_gso_one(test, true, IPPROTO_TCP, false);
	t_gso_one(test, false, IPPROTO_TCP, false);
	t_gso_one(test, true, IPPROTO_UDP, false);
	t_gso_one(test, false, IPPROTO_UDP, false);
	t_gso_one(test, true, IPPROTO_TCP, true);
	t_gso_one(test, false, IPPROTO_TCP, true);
}

/* GSO: what is refused, and DF of the segments against the MTU. */
static void nlb_xlat_gso_refused(struct kunit *test)
{
	u8 *b = t_buf(test);
	struct nlb_xlat_icmp err;
	struct nlb_xlat_params p;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;
	unsigned int len;

	f = t_flow_new(test);
	t_spec_fwd(f, &o, &x, IPPROTO_TCP, 4000);
	len = build(b, &o);
	t_partialize(b, len, 6, 40, IPPROTO_TCP);

	skb = mk_lin(test, b, len);
	t_set_partial(skb, 40, IPPROTO_TCP);
	skb_shinfo(skb)->gso_size = 1400;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;	/* wrong family */
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			NLB_XLAT_GSO);
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6 | SKB_GSO_UDP_L4;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			NLB_XLAT_GSO);
	skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4;	/* but TCP */
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			NLB_XLAT_GSO);
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6 | SKB_GSO_GRE;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			NLB_XLAT_GSO);
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6;
	skb->csum_start++;				/* not at TCP */
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			NLB_XLAT_GSO);
	skb->csum_start--;
	/* segments of 20 + 20 + 1400 bytes: DF, too big for 1400 */
	p = f->p6to4;
	p.mtu4 = 1400;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &p, &err), NLB_XLAT_TOO_BIG);
	KUNIT_EXPECT_EQ(test, err.info, 1420);
	p.mtu4 = 1440;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &p, &err), NLB_XLAT_OK);

	/* 4->6 with DF: segments of 40 + 20 + 1400 bytes, too big for 1450 */
	t_spec_rev(f, &o, &x, IPPROTO_TCP, 4000);
	len = build(b, &o);
	t_partialize(b, len, 4, 20, IPPROTO_TCP);
	skb = mk_lin(test, b, len);
	t_set_partial(skb, 20, IPPROTO_TCP);
	skb_shinfo(skb)->gso_size = 1400;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	p = f->p4to6;
	p.mtu6 = 1450;
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(skb, &p, &err), NLB_XLAT_TOO_BIG);
	KUNIT_EXPECT_EQ(test, err.type, ICMP_DEST_UNREACH);
	KUNIT_EXPECT_EQ(test, err.info, 1430);
	p.mtu6 = 1460;
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(skb, &p, &err), NLB_XLAT_OK);
	KUNIT_EXPECT_FALSE(test, skb->ignore_df);
}

/* A nonlinear packet whose linear part ends inside the IP header. */
static void nlb_xlat_nonlinear(struct kunit *test)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	unsigned int len, glen, head;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	for (head = 10; head <= 70; head += 30) {
		t_spec_fwd(f, &o, &x, IPPROTO_TCP, 5000);
		o.tcpoptlen = 12;
		o.tcpopt[0] = TCPOPT_NOP;
		o.tcpopt[1] = TCPOPT_NOP;
		o.tcpopt[2] = TCPOPT_TIMESTAMP;
		o.tcpopt[3] = TCPOLEN_TIMESTAMP;
		x.tcpoptlen = 12;
		memcpy(x.tcpopt, o.tcpopt, 12);
		len = build(b, &o);
		skb = mk_skb(test, b, len, T_PAGED, head, 0, 64);
		KUNIT_ASSERT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
				NLB_XLAT_OK);
		glen = t_out(test, skb, g);
		t_cmp4(test, g, e, glen, build(e, &x));

		t_spec_rev(f, &o, &x, IPPROTO_UDP, 6000);
		len = build(b, &o);
		/* a cloned packet with no headroom: must be copied */
		skb = mk_skb(test, b, len, T_PAGED, head, 0, 0);
		{
			struct sk_buff *clone = skb_clone(skb, GFP_KERNEL);

			KUNIT_ASSERT_NOT_NULL(test, clone);
			KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &f->p4to6,
							    &err),
					NLB_XLAT_OK);
			glen = t_out(test, clone, g);
			KUNIT_EXPECT_MEMEQ(test, g, b, len);	/* untouched */
			kfree_skb(clone);
		}
		glen = t_out(test, skb, g);
		t_cmp6(test, g, e, glen, build(e, &x));
	}
}

/* The flow of the ICMP error tests, as seen from the error's side. */
struct t_err {
	struct t_flow f;
	union nf_inet_addr r4, r6, m6, m4;
	struct nlb_xlat_tuple out4to6, in4to6, out6to4, in6to4;
	struct nlb_xlat_params p4to6, p6to4;
};

static void t_err_init(struct t_err *t)
{
	t_flow_init(&t->f);
	t_a4(&t->r4, 0xcb007109);	/* 203.0.113.9, an IPv4 router */
	t_a6(&t->r6, 2, 9);		/* an IPv6 router */
	t_a6(&t->m6, 0xffff, 9);	/* what the caller maps routers to */
	t_a4(&t->m4, 0xc00002fe);
	/* 4->6: R4 -> S4 about S4:40000 -> B4:8080 */
	t->out4to6 = (struct nlb_xlat_tuple){
		.saddr = t->m6, .daddr = t->f.c6,
	};
	t->in4to6 = (struct nlb_xlat_tuple){
		.saddr = t->f.c6, .daddr = t->f.v6,
		.sport = htons(51000), .dport = htons(80),
	};
	/* 6->4: R6 -> C6 about C6:51000 -> VIP6:80, as if C6 were our pool */
	t->out6to4 = (struct nlb_xlat_tuple){
		.saddr = t->m4, .daddr = t->f.b4,
	};
	t->in6to4 = (struct nlb_xlat_tuple){
		.saddr = t->f.b4, .daddr = t->f.s4,
		.sport = htons(8080), .dport = htons(40000),
	};
	t->p4to6 = t->f.p4to6;
	t->p4to6.outer = &t->out4to6;
	t->p4to6.inner = &t->in4to6;
	t->p6to4 = t->f.p6to4;
	t->p6to4.outer = &t->out6to4;
	t->p6to4.inner = &t->in6to4;
}

static struct t_err *t_err_new(struct kunit *test)
{
	struct t_err *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t_err_init(t);
	return t;
}

/*
 * An ICMPv4 error about the packet @ip (proto, @plen payload bytes, the
 * first @q bytes quoted) and the ICMPv6 error it must become.
 */
static void t_err_4to6(struct kunit *test, struct t_err *t, u8 proto,
		       unsigned int plen, int q, u8 type, u8 code, u32 rest,
		       u8 xtype, u8 xcode, u32 xrest)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	u8 *ib = t_buf(test), *ie = t_buf(test);
	unsigned int ilen, ielen, len, elen, glen, iq, ieq;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;

	/* the quoted packet: ours, S4 -> B4; it was C6 -> VIP6 */
	o = (struct bspec){
		.fam = 4, .proto = proto, .src = t->f.s4, .dst = t->f.b4,
		.sport = 40000, .dport = proto == IPPROTO_ICMP ? 7 : 8080,
		.ttl = 17, .tos = 0x10, .plen = plen, .seed = 5,
		.icmp_type = ICMP_ECHO,
	};
	x = o;
	x.fam = 6;
	x.proto = proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : proto;
	x.src = t->f.c6;
	x.dst = t->f.v6;
	x.sport = 51000;
	x.dport = proto == IPPROTO_ICMP ? 7 : 80;
	x.icmp_type = ICMPV6_ECHO_REQUEST;
	ilen = build(ib, &o);
	ielen = build(ie, &x);
	iq = q < 0 ? ilen : q;
	ieq = iq - 20 + 40;
	KUNIT_ASSERT_LE(test, ieq, ielen);
	len = build_err(b, 4, &t->r4, &t->f.s4, 30, type, code, rest, ib, iq);
	elen = build_err(e, 6, &t->m6, &t->f.c6, 29, xtype, xcode, xrest, ie,
			 min(ieq, IPV6_MIN_MTU - 48));
	skb = mk_skb(test, b, len, T_PAGED, 40, 0, 64);
	KUNIT_ASSERT_EQ_MSG(test, nlb_xlat_4to6(skb, &t->p4to6, &err),
			    NLB_XLAT_OK, "type %u code %u", type, code);
	glen = t_out(test, skb, g);
	t_cmp6(test, g, e, glen, elen);
}

static void t_err_6to4(struct kunit *test, struct t_err *t, u8 proto,
		       unsigned int plen, int q, u8 type, u8 code, u32 rest,
		       u8 xtype, u8 xcode, u32 xrest)
{
	u8 *b = t_buf(test), *e = t_buf(test), *g = t_buf(test);
	u8 *ib = t_buf(test), *ie = t_buf(test);
	unsigned int ilen, len, elen, glen, iq;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o, x;

	/* the quoted packet: ours, C6 -> VIP6 standing for a pool; was B4 */
	o = (struct bspec){
		.fam = 6, .proto = proto, .src = t->f.c6, .dst = t->f.v6,
		.sport = 51000, .dport = proto == IPPROTO_ICMPV6 ? 7 : 80,
		.ttl = 17, .tos = 0x10, .plen = plen, .seed = 6,
		.icmp_type = ICMPV6_ECHO_REPLY,
	};
	x = o;
	x.fam = 4;
	x.proto = proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : proto;
	x.src = t->f.b4;
	x.dst = t->f.s4;
	x.sport = 8080;
	x.dport = proto == IPPROTO_ICMPV6 ? 7 : 40000;
	x.icmp_type = ICMP_ECHOREPLY;
	if (proto == IPPROTO_ICMPV6)
		x.sport = 8080;
	if (20 + t_l4hdr(&x) + plen > 1260)
		x.fo = IP_DF;
	ilen = build(ib, &o);
	build(ie, &x);
	iq = q < 0 ? ilen : q;
	len = build_err(b, 6, &t->r6, &t->f.c6, 30, type, code, rest, ib, iq);
	elen = build_err(e, 4, &t->m4, &t->f.b4, 29, xtype, xcode, xrest, ie,
			 iq - 20);
	if (elen > NLB_XLAT_DF_MAX)
		e[6] |= IP_DF >> 8;
	skb = mk_skb(test, b, len, T_PAGED, 60, 0, 64);
	KUNIT_ASSERT_EQ_MSG(test, nlb_xlat_6to4(skb, &t->p6to4, &err),
			    NLB_XLAT_OK, "type %u code %u", type, code);
	glen = t_out(test, skb, g);
	t_cmp4(test, g, e, glen, elen);
}

/* ICMP errors with their quoted packet, both ways. */
static void nlb_xlat_icmp_errors(struct kunit *test)
{
	struct t_err *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t_err_init(t);
	/* the whole packet quoted, every inner checksum checked */
	t_err_4to6(test, t, IPPROTO_TCP, 100, -1, ICMP_DEST_UNREACH,
		   ICMP_PORT_UNREACH, 0, ICMPV6_DEST_UNREACH,
		   ICMPV6_PORT_UNREACH, 0);
	t_err_4to6(test, t, IPPROTO_UDP, 60, -1, ICMP_TIME_EXCEEDED,
		   ICMP_EXC_FRAGTIME, 0, ICMPV6_TIME_EXCEED, 1, 0);
	t_err_4to6(test, t, IPPROTO_ICMP, 40, -1, ICMP_TIME_EXCEEDED,
		   ICMP_EXC_TTL, 0, ICMPV6_TIME_EXCEED, 0, 0);
	t_err_4to6(test, t, IPPROTO_TCP, 1400, -1, ICMP_DEST_UNREACH,
		   ICMP_FRAG_NEEDED, 1400, ICMPV6_PKT_TOOBIG, 0, 1420);
	t_err_4to6(test, t, IPPROTO_UDP, 20, -1, ICMP_DEST_UNREACH,
		   ICMP_PROT_UNREACH, 0, ICMPV6_PARAMPROB, ICMPV6_UNK_NEXTHDR,
		   6);
	t_err_4to6(test, t, IPPROTO_UDP, 20, -1, ICMP_PARAMETERPROB, 0,
		   9 << 24, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, 6);
	t_err_4to6(test, t, IPPROTO_UDP, 20, -1, ICMP_PARAMETERPROB, 2,
		   16 << 24, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, 24);
	/* RFC 792: header + 8 bytes; the TCP checksum is not quoted */
	t_err_4to6(test, t, IPPROTO_TCP, 500, 28, ICMP_DEST_UNREACH,
		   ICMP_HOST_UNREACH, 0, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE,
		   0);
	t_err_4to6(test, t, IPPROTO_TCP, 500, 40, ICMP_DEST_UNREACH,
		   ICMP_HOST_ANO, 0, ICMPV6_DEST_UNREACH,
		   ICMPV6_ADM_PROHIBITED, 0);
	/* a long quote is cut to 1280 bytes of ICMPv6 */
	t_err_4to6(test, t, IPPROTO_UDP, 1400, -1, ICMP_DEST_UNREACH,
		   ICMP_PORT_UNREACH, 0, ICMPV6_DEST_UNREACH,
		   ICMPV6_PORT_UNREACH, 0);

	t_err_6to4(test, t, IPPROTO_TCP, 100, -1, ICMPV6_DEST_UNREACH,
		   ICMPV6_PORT_UNREACH, 0, ICMP_DEST_UNREACH,
		   ICMP_PORT_UNREACH, 0);
	t_err_6to4(test, t, IPPROTO_UDP, 60, -1, ICMPV6_TIME_EXCEED, 0, 0,
		   ICMP_TIME_EXCEEDED, 0, 0);
	t_err_6to4(test, t, IPPROTO_ICMPV6, 40, -1, ICMPV6_TIME_EXCEED, 1, 0,
		   ICMP_TIME_EXCEEDED, 1, 0);
	t_err_6to4(test, t, IPPROTO_TCP, 1200, -1, ICMPV6_PKT_TOOBIG, 0,
		   1280, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1260);
	t_err_6to4(test, t, IPPROTO_UDP, 20, -1, ICMPV6_PARAMPROB,
		   ICMPV6_HDR_FIELD, 7, ICMP_PARAMETERPROB, 0, 8 << 24);
	t_err_6to4(test, t, IPPROTO_UDP, 20, -1, ICMPV6_PARAMPROB,
		   ICMPV6_HDR_FIELD, 30, ICMP_PARAMETERPROB, 0, 16 << 24);
	t_err_6to4(test, t, IPPROTO_UDP, 20, -1, ICMPV6_PARAMPROB,
		   ICMPV6_UNK_NEXTHDR, 40, ICMP_DEST_UNREACH,
		   ICMP_PROT_UNREACH, 0);
	t_err_6to4(test, t, IPPROTO_TCP, 400, 56, ICMPV6_DEST_UNREACH,
		   ICMPV6_ADM_PROHIBITED, 0, ICMP_DEST_UNREACH, ICMP_HOST_ANO,
		   0);
}

/* RFC 4884 extensions are dropped, the quote's length field too. */
static void nlb_xlat_icmp_extensions(struct kunit *test)
{
	u8 *b = t_buf(test), *q = t_buf(test), *g = t_buf(test);
	struct nlb_xlat_icmp err;
	unsigned int qlen, len, glen;
	struct sk_buff *skb;
	struct bspec o;
	struct t_err *t;

	t = t_err_new(test);
	o = (struct bspec){
		.fam = 4, .proto = IPPROTO_UDP, .src = t->f.s4, .dst = t->f.b4,
		.sport = 40000, .dport = 8080, .ttl = 9, .plen = 200,
	};
	qlen = build(q, &o);
	/* 128 bytes of original datagram, then a 16-byte extension */
	memset(q + 128, 0xee, 16);
	len = build_err(b, 4, &t->r4, &t->f.s4, 30, ICMP_TIME_EXCEEDED, 0,
			32 << 16, q, 144);
	skb = mk_lin(test, b, len);
	KUNIT_ASSERT_EQ(test, nlb_xlat_4to6(skb, &t->p4to6, &err),
			NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_EQ(test, glen, 40 + 8 + 40 + 128 - 20);
	KUNIT_EXPECT_EQ(test, g[44], 0);	/* no length attribute */
	KUNIT_EXPECT_EQ(test, ref_fold(ref_pseudo(6, g, IPPROTO_ICMPV6,
						  glen - 40) +
				       ref_add(0, g + 40, glen - 40)), 0xffff);
	/* a length past the end: a bogus error */
	len = build_err(b, 4, &t->r4, &t->f.s4, 30, ICMP_TIME_EXCEEDED, 0,
			60 << 16, q, 144);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &t->p4to6,
					    &err), NLB_XLAT_ICMP_INNER);
	KUNIT_EXPECT_EQ(test, qlen, 228);
}

/*
 * Reference tables of RFC 7915 4.2 and 5.2; everything else drops. A row
 * with T_ANY takes any code, and T_COPY copies it.
 */
#define T_ANY	0x100
#define T_COPY	0x100

struct t_map {
	u16 type, code, xtype, xcode;
};

static const struct t_map t_map_4to6[] = {
	{ ICMP_ECHO, T_ANY, ICMPV6_ECHO_REQUEST, T_COPY },
	{ ICMP_ECHOREPLY, T_ANY, ICMPV6_ECHO_REPLY, T_COPY },
	{ 3, 0, 1, 0 }, { 3, 1, 1, 0 }, { 3, 2, 4, 1 }, { 3, 3, 1, 4 },
	{ 3, 4, 2, 0 }, { 3, 5, 1, 0 }, { 3, 6, 1, 0 }, { 3, 7, 1, 0 },
	{ 3, 8, 1, 0 }, { 3, 9, 1, 1 }, { 3, 10, 1, 1 }, { 3, 11, 1, 0 },
	{ 3, 12, 1, 0 }, { 3, 13, 1, 1 }, { 3, 15, 1, 1 },
	{ 11, T_ANY, 3, T_COPY },
	{ 12, 0, 4, 0 }, { 12, 2, 4, 0 },
};

static const struct t_map t_map_6to4[] = {
	{ ICMPV6_ECHO_REQUEST, T_ANY, ICMP_ECHO, T_COPY },
	{ ICMPV6_ECHO_REPLY, T_ANY, ICMP_ECHOREPLY, T_COPY },
	{ 1, 0, 3, 1 }, { 1, 1, 3, 10 }, { 1, 2, 3, 1 }, { 1, 3, 3, 1 },
	{ 1, 4, 3, 3 },
	{ 2, T_ANY, 3, 4 },
	{ 3, T_ANY, 11, T_COPY },
	{ 4, 0, 12, 0 }, { 4, 1, 3, 2 },
};

static const struct t_map *t_map_find(const struct t_map *m, unsigned int n,
				      unsigned int type, unsigned int code)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (m[i].type == type &&
		    (m[i].code == T_ANY || m[i].code == code))
			return &m[i];
	return NULL;
}

/* One direction's mapping function against its table, every type/code. */
static unsigned int t_map_check(struct kunit *test,
				bool (*map)(u8, u8, u8 *, u8 *),
				const struct t_map *tab, unsigned int n)
{
	unsigned int type, code, bad = 0;
	const struct t_map *m;
	bool ok;
	u8 t, c;

	for (type = 0; type < 256; type++) {
		for (code = 0; code < 256; code++) {
			m = t_map_find(tab, n, type, code);
			ok = map(type, code, &t, &c);
			if (ok != !!m || (m && (t != m->xtype ||
						c != (m->xcode == T_COPY ?
						      code : m->xcode)))) {
				if (!bad)
					kunit_info(test, "%u/%u: %d %u/%u",
						   type, code, ok, t, c);
				bad++;
			}
		}
	}
	return bad;
}

/* Every type and code, both ways, against the tables. */
static void nlb_xlat_icmp_map_table(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, t_map_check(test, nlb_icmp_map_4to6, t_map_4to6,
					  ARRAY_SIZE(t_map_4to6)), 0);
	KUNIT_EXPECT_EQ(test, t_map_check(test, nlb_icmp_map_6to4, t_map_6to4,
					  ARRAY_SIZE(t_map_6to4)), 0);
}

/* One error of @fam with @type/@code through a packet: @xtype/@xcode? */
static void t_map_packet(struct kunit *test, struct t_err *t, int fam,
			 u8 type, u8 code, u8 xtype, u8 xcode)
{
	u8 *b = t_buf(test), *q = t_buf(test), *g = t_buf(test);
	unsigned int qlen, len, glen;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o = {
		.fam = fam, .proto = IPPROTO_UDP, .src = t->f.s4,
		.dst = t->f.b4, .sport = 40000, .dport = 8080, .ttl = 9,
		.plen = 32,
	};
	u32 rest;

	if (fam == 4) {
		qlen = build(q, &o);
		/* a pointer at the source address, an MTU */
		rest = type == 12 ? 12 << 24 : code == 4 ? 1000 : 0;
		len = build_err(b, 4, &t->r4, &t->f.s4, 30, type, code, rest,
				q, qlen);
		skb = mk_lin(test, b, len);
		KUNIT_ASSERT_EQ_MSG(test, nlb_xlat_4to6(skb, &t->p4to6, &err),
				    NLB_XLAT_OK, "%u/%u", type, code);
		glen = t_out(test, skb, g);
		KUNIT_EXPECT_EQ_MSG(test, g[40], xtype, "%u/%u", type, code);
		KUNIT_EXPECT_EQ_MSG(test, g[41], xcode, "%u/%u", type, code);
		KUNIT_EXPECT_EQ(test, ref_fold(ref_pseudo(6, g, 58, glen - 40) +
					       ref_add(0, g + 40, glen - 40)),
				0xffff);
		return;
	}
	o.src = t->f.c6;
	o.dst = t->f.v6;
	qlen = build(q, &o);
	rest = type == 2 ? 1500 : type == 4 ? 8 : 0;
	len = build_err(b, 6, &t->r6, &t->f.c6, 30, type, code, rest, q,
			qlen);
	skb = mk_lin(test, b, len);
	KUNIT_ASSERT_EQ_MSG(test, nlb_xlat_6to4(skb, &t->p6to4, &err),
			    NLB_XLAT_OK, "%u/%u", type, code);
	glen = t_out(test, skb, g);
	KUNIT_EXPECT_EQ_MSG(test, g[20], xtype, "%u/%u", type, code);
	KUNIT_EXPECT_EQ_MSG(test, g[21], xcode, "%u/%u", type, code);
	KUNIT_EXPECT_EQ(test, ref_fold(ref_add(0, g + 20, glen - 20)), 0xffff);
}

/* Each mapped error type and code, end to end through a packet. */
static void nlb_xlat_icmp_map_packets(struct kunit *test)
{
	u8 *b = t_buf(test), *q = t_buf(test), *g = t_buf(test);
	struct t_err *t = t_err_new(test);
	unsigned int i, qlen, len, c;
	const struct t_map *m;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct bspec o;

	for (i = 0; i < ARRAY_SIZE(t_map_4to6); i++) {
		m = &t_map_4to6[i];
		if (m->type == ICMP_ECHO || m->type == ICMP_ECHOREPLY)
			continue;
		for (c = 0; c < (m->code == T_ANY ? 2 : 1); c++)
			t_map_packet(test, t, 4, m->type,
				     m->code == T_ANY ? c : m->code, m->xtype,
				     m->xcode == T_COPY ? c : m->xcode);
	}
	for (i = 0; i < ARRAY_SIZE(t_map_6to4); i++) {
		m = &t_map_6to4[i];
		if (m->type & ICMPV6_INFOMSG_MASK)
			continue;
		for (c = 0; c < (m->code == T_ANY ? 2 : 1); c++)
			t_map_packet(test, t, 6, m->type,
				     m->code == T_ANY ? c : m->code, m->xtype,
				     m->xcode == T_COPY ? c : m->xcode);
	}

	/* dropped: not translated, packet unchanged, no error to send */
	o = (struct bspec){
		.fam = 4, .proto = IPPROTO_UDP, .src = t->f.s4,
		.dst = t->f.b4, .sport = 40000, .dport = 8080, .ttl = 9,
	};
	qlen = build(q, &o);
	len = build_err(b, 4, &t->r4, &t->f.s4, 30, ICMP_REDIRECT, 1, 0, q,
			qlen);
	skb = mk_lin(test, b, len);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(skb, &t->p4to6, &err),
			NLB_XLAT_ICMP_DROP);
	KUNIT_EXPECT_EQ(test, err.type, 0);
	t_out(test, skb, g);
	KUNIT_EXPECT_MEMEQ(test, g, b, len);
	len = build_err(b, 4, &t->r4, &t->f.s4, 30, ICMP_PARAMETERPROB, 0,
			4 << 24, q, qlen);	/* pointer at the id: n/a */
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &t->p4to6,
					    &err), NLB_XLAT_ICMP_DROP);
}

/* Pointer tables, RFC 7915 figures 3 and 6. */
static void nlb_xlat_icmp_pointers(struct kunit *test)
{
	static const s8 f3[20] = {
		0, 1, 4, 4, -1, -1, -1, -1, 7, 6, -1, -1, 8, 8, 8, 8,
		24, 24, 24, 24,
	};
	unsigned int i;
	int want;

	for (i = 0; i < 256; i++) {
		want = i < ARRAY_SIZE(f3) ? f3[i] : -1;
		KUNIT_EXPECT_EQ_MSG(test, nlb_icmp_ptr_4to6(i), want, "%u", i);
	}
	for (i = 0; i < 300; i++) {
		if (i <= 1)
			want = i;
		else if (i == 4 || i == 5)
			want = 2;
		else if (i == 6)
			want = 9;
		else if (i == 7)
			want = 8;
		else if (i >= 8 && i < 24)
			want = 12;
		else if (i >= 24 && i < 40)
			want = 16;
		else
			want = -1;
		KUNIT_EXPECT_EQ_MSG(test, nlb_icmp_ptr_6to4(i), want, "%u", i);
	}
}

/* The MTU arithmetic of Packet Too Big and Fragmentation Needed. */
static void nlb_xlat_mtu(struct kunit *test)
{
	static const struct {
		u32 tot, plateau;
	} plateaus[] = {
		{ 65535, 32000 }, { 65536, 65535 }, { 32001, 32000 },
		{ 32000, 17914 }, { 9000, 8166 }, { 1500, 1492 },
		{ 1492, 1006 }, { 1280, 1006 }, { 1006, 508 }, { 576, 508 },
		{ 300, 296 }, { 296, 68 }, { 69, 68 }, { 68, 68 }, { 0, 68 },
	};
	struct nlb_xlat_params p = {};
	struct t_err *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(plateaus); i++)
		KUNIT_EXPECT_EQ_MSG(test, nlb_plateau(plateaus[i].tot),
				    plateaus[i].plateau, "%u",
				    plateaus[i].tot);

	/* Fragmentation Needed -> Packet Too Big */
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(1400, 1500, 20, &p), 1420);
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(1400, 1500, 28, &p), 1428);
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(1000, 1500, 20, &p), 1280);
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(0, 1500, 20, &p), 1512);
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(0, 9000, 20, &p), 8186);
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(0, 1400, 20, &p), 1280);
	p.mtu6 = 1500;
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(9000, 9000, 20, &p), 1500);
	p.mtu4 = 1400;
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(9000, 9000, 20, &p), 1420);
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(0, 1500, 20, &p), 1420);
	p.mtu4 = 1100;
	KUNIT_EXPECT_EQ(test, nlb_mtu_4to6(9000, 9000, 20, &p), 1280);

	/* Packet Too Big -> Fragmentation Needed */
	p.mtu4 = 0;
	p.mtu6 = 0;
	KUNIT_EXPECT_EQ(test, nlb_mtu_6to4(1500, 20, &p), 1480);
	KUNIT_EXPECT_EQ(test, nlb_mtu_6to4(1500, 28, &p), 1472);
	KUNIT_EXPECT_EQ(test, nlb_mtu_6to4(1280, 20, &p), 1260);
	KUNIT_EXPECT_EQ(test, nlb_mtu_6to4(70000, 20, &p), 65535);
	KUNIT_EXPECT_EQ(test, nlb_mtu_6to4(50, 20, &p), 68);
	p.mtu4 = 1400;
	KUNIT_EXPECT_EQ(test, nlb_mtu_6to4(1500, 20, &p), 1400);
	p.mtu6 = 1380;
	KUNIT_EXPECT_EQ(test, nlb_mtu_6to4(1500, 20, &p), 1360);

	/* a zero MTU through a whole packet: the quoted total length */
	KUNIT_ASSERT_NOT_NULL(test, t);
	t_err_init(t);
	t_err_4to6(test, t, IPPROTO_UDP, 1472, 100, ICMP_DEST_UNREACH,
		   ICMP_FRAG_NEEDED, 0, ICMPV6_PKT_TOOBIG, 0, 1512);
	t->p4to6.mtu6 = 1500;
	t_err_4to6(test, t, IPPROTO_UDP, 1472, 100, ICMP_DEST_UNREACH,
		   ICMP_FRAG_NEEDED, 0, ICMPV6_PKT_TOOBIG, 0, 1500);
	t->p6to4.mtu4 = 1400;
	t_err_6to4(test, t, IPPROTO_UDP, 100, -1, ICMPV6_PKT_TOOBIG, 0,
		   1500, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400);
}

/* Malformed packets: a reason each, nothing changed, nothing read past. */
struct t_bad {
	const char *name;
	int fam;
	void (*mangle)(u8 *b, unsigned int *len);
	enum nlb_xlat_reason r;
};

static void m6_short(u8 *b, unsigned int *len)
{
	*len = 39;
}

static void m6_version(u8 *b, unsigned int *len)
{
	b[0] = 0x40;
}

static void m6_plen_long(u8 *b, unsigned int *len)
{
	put16(b + 4, get16(b + 4) + 1);
}

static void m6_plen_short(u8 *b, unsigned int *len)
{
	put16(b + 4, get16(b + 4) - 1);
}

static void m6_jumbo(u8 *b, unsigned int *len)
{
	put16(b + 4, 0);
}

static void m6_tcp_doff(u8 *b, unsigned int *len)
{
	b[52] = 4 << 4;
}

static void m6_tcp_doff_long(u8 *b, unsigned int *len)
{
	b[52] = 15 << 4;
	*len = 40 + 40;
	put16(b + 4, 40);
}

static void m6_tcp_trunc(u8 *b, unsigned int *len)
{
	*len = 50;
	put16(b + 4, 10);
}

static void m6_udp_len(u8 *b, unsigned int *len)
{
	b[6] = IPPROTO_UDP;
	put16(b + 44, 9);
}

static void m6_two_frags(u8 *b, unsigned int *len)
{
	memmove(b + 56, b + 40, *len - 40);
	memset(b + 40, 0, 16);
	b[6] = NEXTHDR_FRAGMENT;
	b[40] = NEXTHDR_FRAGMENT;
	b[48] = IPPROTO_TCP;
	*len += 16;
	put16(b + 4, *len - 40);
}

static void m6_ext_trunc(u8 *b, unsigned int *len)
{
	b[6] = NEXTHDR_DEST;
	b[40] = IPPROTO_TCP;
	b[41] = 200;
}

static void m4_short(u8 *b, unsigned int *len)
{
	*len = 19;
}

static void m4_ihl(u8 *b, unsigned int *len)
{
	b[0] = 0x44;
}

static void m4_csum(u8 *b, unsigned int *len)
{
	b[10] ^= 1;
}

static void m4_totlen_long(u8 *b, unsigned int *len)
{
	put16(b + 2, *len + 1);
	put16(b + 10, 0);
	put16(b + 10, ~ref_fold(ref_add(0, b, 20)));
}

static void m4_totlen_short(u8 *b, unsigned int *len)
{
	put16(b + 2, *len - 1);
	put16(b + 10, 0);
	put16(b + 10, ~ref_fold(ref_add(0, b, 20)));
}

static void m4_totlen_zero(u8 *b, unsigned int *len)
{
	put16(b + 2, 0);
	put16(b + 10, 0);
	put16(b + 10, ~ref_fold(ref_add(0, b, 20)));
}

static void m4_ihl_long(u8 *b, unsigned int *len)
{
	b[0] = 0x4f;
	*len = 40;
}

static const struct t_bad t_bad_cases[] = {
	{ "v6 shorter than its header", 6, m6_short, NLB_XLAT_TRUNCATED },
	{ "v6 version 4", 6, m6_version, NLB_XLAT_BAD_HDR },
	{ "v6 payload length past the end", 6, m6_plen_long,
	  NLB_XLAT_TRUNCATED },
	{ "v6 payload length short", 6, m6_plen_short, NLB_XLAT_BAD_LEN },
	{ "v6 jumbogram", 6, m6_jumbo, NLB_XLAT_BAD_LEN },
	{ "v6 TCP data offset 4", 6, m6_tcp_doff, NLB_XLAT_BAD_HDR },
	{ "v6 TCP options past the end", 6, m6_tcp_doff_long,
	  NLB_XLAT_TRUNCATED },
	{ "v6 TCP header cut", 6, m6_tcp_trunc, NLB_XLAT_TRUNCATED },
	{ "v6 UDP length", 6, m6_udp_len, NLB_XLAT_BAD_LEN },
	{ "v6 two fragment headers", 6, m6_two_frags, NLB_XLAT_BAD_HDR },
	{ "v6 extension header past the end", 6, m6_ext_trunc,
	  NLB_XLAT_TRUNCATED },
	{ "v4 shorter than its header", 4, m4_short, NLB_XLAT_TRUNCATED },
	{ "v4 IHL 4", 4, m4_ihl, NLB_XLAT_BAD_HDR },
	{ "v4 header checksum", 4, m4_csum, NLB_XLAT_BAD_CSUM },
	{ "v4 total length past the end", 4, m4_totlen_long,
	  NLB_XLAT_TRUNCATED },
	{ "v4 total length short", 4, m4_totlen_short, NLB_XLAT_BAD_LEN },
	{ "v4 total length 0", 4, m4_totlen_zero, NLB_XLAT_BAD_LEN },
	{ "v4 IHL past the end", 4, m4_ihl_long, NLB_XLAT_TRUNCATED },
};

static void nlb_xlat_malformed(struct kunit *test)
{
	u8 *b = t_buf(test), *g = t_buf(test);
	struct nlb_xlat_icmp err;
	unsigned int i, len, glen;
	struct sk_buff *skb;
	struct bspec o, x;
	struct t_flow *f;
	int r;

	f = t_flow_new(test);
	for (i = 0; i < ARRAY_SIZE(t_bad_cases); i++) {
		const struct t_bad *c = &t_bad_cases[i];

		if (c->fam == 6)
			t_spec_fwd(f, &o, &x, IPPROTO_TCP, 20);
		else
			t_spec_rev(f, &o, &x, IPPROTO_TCP, 20);
		len = build(b, &o);
		c->mangle(b, &len);
		skb = mk_lin(test, b, len);
		r = c->fam == 6 ? nlb_xlat_6to4(skb, &f->p6to4, &err) :
				  nlb_xlat_4to6(skb, &f->p4to6, &err);
		KUNIT_EXPECT_EQ_MSG(test, r, c->r, "%s", c->name);
		KUNIT_EXPECT_EQ(test, err.type, 0);
		glen = t_out(test, skb, g);
		KUNIT_EXPECT_EQ(test, glen, len);
		KUNIT_EXPECT_MEMEQ(test, g, b, len);
		/* and the same packet as the other family */
		r = c->fam == 6 ? nlb_xlat_4to6(skb, &f->p4to6, &err) :
				  nlb_xlat_6to4(skb, &f->p6to4, &err);
		KUNIT_EXPECT_NE_MSG(test, r, NLB_XLAT_OK, "%s, other family",
				    c->name);
	}
	/* not at the network header */
	t_spec_fwd(f, &o, &x, IPPROTO_TCP, 20);
	len = build(b, &o);
	skb = mk_lin(test, b, len);
	skb_set_network_header(skb, 2);
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(skb, &f->p6to4, &err),
			NLB_XLAT_BAD_HDR);
	KUNIT_EXPECT_STREQ(test, nlb_xlat_reason_name(NLB_XLAT_BAD_HDR),
			   "bad-hdr");
	KUNIT_EXPECT_STREQ(test, nlb_xlat_reason_name(__NLB_XLAT_MAX),
			   "unknown");
	for (i = 0; i < __NLB_XLAT_MAX; i++)
		KUNIT_EXPECT_STRNEQ(test, nlb_xlat_reason_name(i), "unknown");
}

/*
 * An ICMP port unreachable of @fam quoting @ql bytes of @qb: the reason
 * @want, and an unchanged packet if refused.
 */
static void t_bogus(struct kunit *test, struct t_err *t, int fam,
		    const u8 *qb, unsigned int ql, enum nlb_xlat_reason want)
{
	u8 *b = t_buf(test), *g = t_buf(test);
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	unsigned int len;
	int r;

	if (fam == 4)
		len = build_err(b, 4, &t->r4, &t->f.s4, 30, ICMP_DEST_UNREACH,
				ICMP_PORT_UNREACH, 0, qb, ql);
	else
		len = build_err(b, 6, &t->r6, &t->f.c6, 30,
				ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0,
				qb, ql);
	skb = mk_lin(test, b, len);
	r = fam == 4 ? nlb_xlat_4to6(skb, &t->p4to6, &err) :
		       nlb_xlat_6to4(skb, &t->p6to4, &err);
	KUNIT_EXPECT_EQ_MSG(test, r, want, "IPv%d, quote of %u", fam, ql);
	KUNIT_EXPECT_EQ(test, err.type, 0);
	t_out(test, skb, g);
	if (want != NLB_XLAT_OK)
		KUNIT_EXPECT_MEMEQ(test, g, b, len);
}

/* Bogus ICMP errors: too short, malformed or unexpected quoted packets. */
static void nlb_xlat_icmp_bogus(struct kunit *test)
{
	u8 *b = t_buf(test), *q = t_buf(test);
	struct nlb_xlat_icmp err;
	struct nlb_xlat_params p;
	unsigned int qlen, len;
	struct bspec o;
	struct t_err *t;

	t = t_err_new(test);
	o = (struct bspec){
		.fam = 4, .proto = IPPROTO_UDP, .src = t->f.s4, .dst = t->f.b4,
		.sport = 40000, .dport = 8080, .ttl = 9, .plen = 8,
	};
	qlen = build(q, &o);
	t_bogus(test, t, 4, q, qlen, NLB_XLAT_OK);
	/* less than 8 bytes of L4 header, no inner header, nothing */
	t_bogus(test, t, 4, q, 27, NLB_XLAT_ICMP_INNER);
	t_bogus(test, t, 4, q, 19, NLB_XLAT_ICMP_INNER);
	t_bogus(test, t, 4, q, 0, NLB_XLAT_ICMP_INNER);
	q[0] = 0x65;				/* version 6 */
	t_bogus(test, t, 4, q, qlen, NLB_XLAT_ICMP_INNER);
	q[0] = 0x4f;				/* IHL past the quote */
	t_bogus(test, t, 4, q, qlen, NLB_XLAT_ICMP_INNER);
	q[0] = 0x45;
	put16(q + 2, 10);			/* total length < IHL */
	t_bogus(test, t, 4, q, qlen, NLB_XLAT_ICMP_INNER);
	put16(q + 2, qlen);
	q[9] = IPPROTO_GRE;
	t_bogus(test, t, 4, q, qlen, NLB_XLAT_ICMP_INNER);
	/* an error quoting an error */
	qlen = build_err(q, 4, &t->f.s4, &t->f.b4, 9, ICMP_DEST_UNREACH,
			 ICMP_PORT_UNREACH, 0, b, 0);
	t_bogus(test, t, 4, q, qlen, NLB_XLAT_ICMP_INNER);
	/* no inner tuple: the caller does not handle errors */
	qlen = build(q, &o);
	p = t->p4to6;
	p.inner = NULL;
	len = build_err(b, 4, &t->r4, &t->f.s4, 30, ICMP_DEST_UNREACH,
			ICMP_PORT_UNREACH, 0, q, qlen);
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &p, &err),
			NLB_XLAT_ICMP_INNER);
	/* a wrong ICMP checksum */
	b[22] ^= 0x40;
	KUNIT_EXPECT_EQ(test, nlb_xlat_4to6(mk_lin(test, b, len), &t->p4to6,
					    &err), NLB_XLAT_BAD_CSUM);

	/* IPv6 */
	o = (struct bspec){
		.fam = 6, .proto = IPPROTO_TCP, .src = t->f.c6, .dst = t->f.v6,
		.sport = 51000, .dport = 80, .ttl = 9, .plen = 8,
	};
	qlen = build(q, &o);
	t_bogus(test, t, 6, q, qlen, NLB_XLAT_OK);
	t_bogus(test, t, 6, q, 47, NLB_XLAT_ICMP_INNER);
	t_bogus(test, t, 6, q, 39, NLB_XLAT_ICMP_INNER);
	q[0] = 0x45;
	t_bogus(test, t, 6, q, qlen, NLB_XLAT_ICMP_INNER);
	q[0] = 0x60;
	q[6] = NEXTHDR_DEST;			/* a header past the quote */
	t_bogus(test, t, 6, q, qlen, NLB_XLAT_ICMP_INNER);
	q[6] = IPPROTO_TCP;
	put16(q + 4, 0);
	q[6] = NEXTHDR_DEST;
	q[40] = IPPROTO_TCP;
	q[41] = 0;
	/* shorter than its own extension headers */
	t_bogus(test, t, 6, q, qlen, NLB_XLAT_ICMP_INNER);
	qlen = build(q, &o);
	q[6] = NEXTHDR_ESP;
	t_bogus(test, t, 6, q, qlen, NLB_XLAT_ICMP_INNER);
	qlen = build_err(q, 6, &t->f.c6, &t->f.v6, 9, ICMPV6_DEST_UNREACH, 0,
			 0, b, 0);
	/* an error in an error */
	t_bogus(test, t, 6, q, qlen, NLB_XLAT_ICMP_INNER);
	qlen = build(q, &o);
	len = build_err(b, 6, &t->r6, &t->f.c6, 30, ICMPV6_PARAMPROB,
			ICMPV6_UNK_OPTION, 0, q, qlen);
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(mk_lin(test, b, len), &t->p6to4,
					    &err), NLB_XLAT_ICMP_DROP);
	len = build_err(b, 6, &t->r6, &t->f.c6, 30, ICMPV6_PARAMPROB,
			ICMPV6_HDR_FIELD, 2, q, qlen);	/* flow label: n/a */
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(mk_lin(test, b, len), &t->p6to4,
					    &err), NLB_XLAT_ICMP_DROP);
	b[42] ^= 0x40;
	KUNIT_EXPECT_EQ(test, nlb_xlat_6to4(mk_lin(test, b, len), &t->p6to4,
					    &err), NLB_XLAT_BAD_CSUM);
}

/*
 * @len bytes at @b, of family @fam, one byte at @at spoilt: refused with
 * NLB_XLAT_BAD_CSUM, no error to send, untouched, linear or paged (the
 * first @head bytes linear); the same trusted once marked verified.
 */
static void t_bad_csum(struct kunit *test, const struct nlb_xlat_params *p,
		       int fam, u8 *b, unsigned int len, unsigned int head,
		       unsigned int at)
{
	u8 *g = t_buf(test);
	struct nlb_xlat_icmp err;
	enum t_layout lay;
	struct sk_buff *skb;
	int r;

	b[at] ^= 0x40;
	for (lay = T_LINEAR; lay <= T_PAGED; lay++) {
		skb = mk_skb(test, b, len, lay, head, 0, 64);
		r = fam == 4 ? nlb_xlat_4to6(skb, p, &err) :
			       nlb_xlat_6to4(skb, p, &err);
		KUNIT_EXPECT_EQ_MSG(test, r, NLB_XLAT_BAD_CSUM,
				    "IPv%d, byte %u, layout %d", fam, at, lay);
		KUNIT_EXPECT_EQ(test, err.type, 0);
		KUNIT_EXPECT_EQ(test, t_out(test, skb, g), len);
		KUNIT_EXPECT_MEMEQ(test, g, b, len);
	}
	/* a checksum the device (or conntrack) verified is not summed again */
	skb = mk_skb(test, b, len, T_PAGED, head, 0, 64);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	r = fam == 4 ? nlb_xlat_4to6(skb, p, &err) :
		       nlb_xlat_6to4(skb, p, &err);
	KUNIT_EXPECT_EQ_MSG(test, r, NLB_XLAT_OK, "IPv%d, byte %u, verified",
			    fam, at);
	b[at] ^= 0x40;
}

/*
 * ICMP errors and echo messages with a wrong ICMP or ICMPv6 checksum (the
 * checksum field, the last byte, the IPv6 pseudo-header's source): never
 * translated into a message with a right one.
 */
static void nlb_xlat_icmp_bad_csum(struct kunit *test)
{
	u8 *b = t_buf(test), *q = t_buf(test);
	unsigned int qlen, len;
	struct bspec o, x;
	struct t_err *t;

	t = t_err_new(test);
	/* echo request 6->4, echo reply 4->6 */
	t_spec_fwd(&t->f, &o, &x, IPPROTO_ICMPV6, 200);
	len = build(b, &o);
	t_bad_csum(test, &t->f.p6to4, 6, b, len, 48, 42);
	t_bad_csum(test, &t->f.p6to4, 6, b, len, 48, len - 1);
	t_bad_csum(test, &t->f.p6to4, 6, b, len, 48, 8);
	t_spec_rev(&t->f, &o, &x, IPPROTO_ICMP, 200);
	len = build(b, &o);
	t_bad_csum(test, &t->f.p4to6, 4, b, len, 28, 22);
	t_bad_csum(test, &t->f.p4to6, 4, b, len, 28, len - 1);

	/* port unreachable about a UDP datagram, both ways */
	o = (struct bspec){
		.fam = 4, .proto = IPPROTO_UDP, .src = t->f.s4,
		.dst = t->f.b4, .sport = 40000, .dport = 8080, .ttl = 9,
		.plen = 100,
	};
	qlen = build(q, &o);
	len = build_err(b, 4, &t->r4, &t->f.s4, 30, ICMP_DEST_UNREACH,
			ICMP_PORT_UNREACH, 0, q, qlen);
	t_bad_csum(test, &t->p4to6, 4, b, len, 40, 22);
	t_bad_csum(test, &t->p4to6, 4, b, len, 40, len - 1);
	o = (struct bspec){
		.fam = 6, .proto = IPPROTO_UDP, .src = t->f.c6,
		.dst = t->f.v6, .sport = 51000, .dport = 80, .ttl = 9,
		.plen = 100,
	};
	qlen = build(q, &o);
	len = build_err(b, 6, &t->r6, &t->f.c6, 30, ICMPV6_DEST_UNREACH,
			ICMPV6_PORT_UNREACH, 0, q, qlen);
	t_bad_csum(test, &t->p6to4, 6, b, len, 60, 42);
	t_bad_csum(test, &t->p6to4, 6, b, len, 60, len - 1);
	t_bad_csum(test, &t->p6to4, 6, b, len, 60, 8);
}

/*
 * Every truncation and random bytes of valid packets, ICMP errors
 * included, their length fields (and ICMP checksums) made to agree so
 * that parsing goes deep: never a crash, never an out-of-bounds read
 * (KASAN), and whatever translates is a well-formed packet.
 */
static void nlb_xlat_fuzz(struct kunit *test)
{
	u8 *b = t_buf(test), *q = t_buf(test), *src = t_buf(test);
	unsigned int n, len, base, iter, k, ok = 0, l3;
	struct nlb_xlat_icmp err;
	struct sk_buff *skb;
	struct rnd_state rnd;
	struct bspec o;
	struct t_err *t;
	int fam, r;

	t = t_err_new(test);
	prandom_seed_state(&rnd, 7915);
	for (fam = 4; fam <= 6; fam += 2) {
		l3 = fam == 4 ? 20 : 40;
		o = (struct bspec){
			.fam = fam, .proto = IPPROTO_TCP, .src = t->f.s4,
			.dst = t->f.b4, .sport = 1, .dport = 2, .ttl = 9,
			.plen = 30,
		};
		if (fam == 6) {
			o.src = t->f.c6;
			o.dst = t->f.v6;
			o.ext[0] = NEXTHDR_HOP;
			o.ext[1] = NEXTHDR_FRAGMENT;
			o.next = 2;
		}
		n = build(q, &o);
		base = build_err(src, fam, fam == 4 ? &t->r4 : &t->r6,
				 fam == 4 ? &t->f.s4 : &t->f.c6, 30,
				 fam == 4 ? ICMP_DEST_UNREACH :
				 ICMPV6_DEST_UNREACH, 3, 0, q, n);
		for (iter = 0; iter < 2000; iter++) {
			len = iter < base ? iter : base;
			memcpy(b, src, len);
			if (iter >= base) {
				for (k = 0; k < 1 + iter % 4; k++)
					b[l3 + prandom_u32_state(&rnd) %
					  (len - l3)] = prandom_u32_state(&rnd);
			}
			if (len >= l3) {
				if (fam == 4) {
					put16(b + 2, len);
					put16(b + 10, 0);
					put16(b + 10,
					      ~ref_fold(ref_add(0, b, 20)));
				} else {
					put16(b + 4, len - 40);
				}
			}
			if (len >= l3 + 4) {
				u32 sum = fam == 6 ?
					  ref_pseudo(6, b, 58, len - l3) : 0;

				put16(b + l3 + 2, 0);
				put16(b + l3 + 2,
				      ~ref_fold(ref_add(sum, b + l3,
							len - l3)));
			}
			skb = mk_skb(test, b, len, iter & 1 ? T_PAGED :
				     T_LINEAR, min(len, 30u), 0, 64);
			r = fam == 4 ? nlb_xlat_4to6(skb, &t->p4to6, &err) :
				       nlb_xlat_6to4(skb, &t->p6to4, &err);
			KUNIT_EXPECT_LT(test, r, __NLB_XLAT_MAX);
			if (r == NLB_XLAT_OK) {
				ok++;
				KUNIT_EXPECT_GE(test, skb->len,
						fam == 4 ? 48u : 28u);
			}
			/* the generated error, if any, builds too */
			if (err.type && r != NLB_XLAT_OK) {
				struct sk_buff *e;

				if (!nlb_xlat_icmp_build(&init_net, skb, &err,
							 fam == 4 ? &t->f.b4 :
							 &t->f.v6, &e))
					kfree_skb(e);
			}
			kunit_release_action(test, t_kfree_skb, skb);
		}
	}
	KUNIT_EXPECT_GT(test, ok, 0);
}

/* MSS clamping of SYN and SYN-ACK, both families. */
struct t_mss {
	u8 opt[12];
	unsigned int len, at;
	u16 mss, delta, want;
	u8 flags;
};

static const struct t_mss t_mss_cases[] = {
	{ { 2, 4, 0x05, 0xb4 }, 4, 0, 1460, 20, 1440, 0x02 },
	/* at an odd offset */
	{ { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 }, 8, 1, 1460, 28, 1432, 0x12 },
	{ { 1, 1, 1, 2, 4, 0x05, 0xa0, 0 }, 8, 3, 1440, 52, 1388, 0x02 },
	/* never below 88, never raised */
	{ { 2, 4, 0x00, 100 }, 4, 0, 100, 20, 88, 0x02 },
	{ { 2, 4, 0x00, 80 }, 4, 0, 80, 20, 80, 0x02 },
	/* not a SYN; no MSS option */
	{ { 2, 4, 0x05, 0xb4 }, 4, 0, 1460, 20, 1460, 0x10 },
	{ { 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1 }, 12, 0, 0, 20, 0, 0x02 },
};

static void t_mss_one(struct kunit *test, const struct t_flow *f,
		      const struct t_mss *c, int fam, bool partial)
{
	u8 *b = t_buf(test), *g = t_buf(test);
	unsigned int len, glen, l3 = fam == 4 ? 20 : 40;
	struct sk_buff *skb;
	struct bspec o, x;

	if (fam == 6)
		t_spec_fwd(f, &o, &x, IPPROTO_TCP, 0);
	else
		t_spec_rev(f, &o, &x, IPPROTO_TCP, 0);
	o.tcpflags = c->flags;
	memcpy(o.tcpopt, c->opt, c->len);
	o.tcpoptlen = c->len;
	len = build(b, &o);
	if (partial)
		t_partialize(b, len, fam, l3, IPPROTO_TCP);
	skb = mk_lin(test, b, len);
	if (partial)
		t_set_partial(skb, l3, IPPROTO_TCP);
	KUNIT_ASSERT_EQ(test, nlb_xlat_mss_clamp(skb, c->delta), NLB_XLAT_OK);
	glen = t_out(test, skb, g);
	if (c->mss)
		KUNIT_EXPECT_EQ_MSG(test, get16(g + l3 + 20 + c->at + 2),
				    c->want, "IPv%d mss %u", fam, c->mss);
	if (partial) {
		/* the device sums the option: the pseudo-header stays */
		KUNIT_EXPECT_EQ(test, get16(g + l3 + 16), get16(b + l3 + 16));
		t_finish_partial(test, skb, g, glen);
	} else if (!c->mss || c->want == c->mss) {
		KUNIT_EXPECT_MEMEQ(test, g, b, len);
	}
	KUNIT_EXPECT_EQ_MSG(test, ref_fold(ref_pseudo(fam, g, IPPROTO_TCP,
						      glen - l3) +
					   ref_add(0, g + l3, glen - l3)),
			    0xffff, "IPv%d mss %u", fam, c->mss);
}

static void nlb_xlat_mss(struct kunit *test)
{
	struct t_flow *f = t_flow_new(test);
	u8 *b = t_buf(test);
	struct bspec o, x;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t_mss_cases); i++) {
		t_mss_one(test, f, &t_mss_cases[i], 4, false);
		t_mss_one(test, f, &t_mss_cases[i], 4, true);
		t_mss_one(test, f, &t_mss_cases[i], 6, false);
		t_mss_one(test, f, &t_mss_cases[i], 6, true);
	}
	t_spec_rev(f, &o, &x, IPPROTO_UDP, 0);
	KUNIT_EXPECT_EQ(test, nlb_xlat_mss_clamp(mk_lin(test, b, build(b, &o)),
						 20),
			NLB_XLAT_UNSUPPORTED_PROTO);
	t_spec_rev(f, &o, &x, IPPROTO_TCP, 0);
	o.tcpflags = 0x02;
	o.tcpoptlen = 4;
	o.tcpopt[0] = 2;
	o.tcpopt[1] = 9;			/* past the header */
	KUNIT_EXPECT_EQ(test, nlb_xlat_mss_clamp(mk_lin(test, b, build(b, &o)),
						 20),
			NLB_XLAT_BAD_HDR);
}

/* The errors the translator sends itself. */
static void nlb_xlat_icmp_make(struct kunit *test)
{
	u8 *b = t_buf(test), *g = t_buf(test);
	struct nlb_xlat_icmp err;
	union nf_inet_addr src;
	unsigned int len, glen;
	struct sk_buff *skb, *e;
	struct bspec o, x;
	struct t_flow *f;

	f = t_flow_new(test);
	/* Packet Too Big from the VIP to the IPv6 client, 1232 quoted */
	t_spec_fwd(f, &o, &x, IPPROTO_TCP, 1400);
	len = build(b, &o);
	skb = mk_skb(test, b, len, T_PAGED, 60, 0, 64);
	err = (struct nlb_xlat_icmp){ ICMPV6_PKT_TOOBIG, 0, 1420 };
	KUNIT_ASSERT_EQ(test, nlb_xlat_icmp_build(&init_net, skb, &err, &f->v6,
						  &e), NLB_XLAT_OK);
	glen = t_out(test, e, g);
	kfree_skb(e);
	KUNIT_EXPECT_EQ(test, glen, IPV6_MIN_MTU);
	KUNIT_EXPECT_EQ(test, g[0] >> 4, 6);
	KUNIT_EXPECT_EQ(test, get16(g + 4), glen - 40);
	KUNIT_EXPECT_EQ(test, g[6], IPPROTO_ICMPV6);
	KUNIT_EXPECT_MEMEQ(test, g + 8, &f->v6.in6, 16);
	KUNIT_EXPECT_MEMEQ(test, g + 24, &f->c6.in6, 16);
	KUNIT_EXPECT_EQ(test, g[40], ICMPV6_PKT_TOOBIG);
	KUNIT_EXPECT_EQ(test, get32(g + 44), 1420);
	KUNIT_EXPECT_MEMEQ(test, g + 48, b, glen - 48);
	KUNIT_EXPECT_EQ(test, ref_fold(ref_pseudo(6, g, 58, glen - 40) +
				       ref_add(0, g + 40, glen - 40)), 0xffff);

	/* Fragmentation Needed, 548 quoted, and a parameter problem */
	t_spec_rev(f, &o, &x, IPPROTO_UDP, 1400);
	len = build(b, &o);
	skb = mk_lin(test, b, len);
	err = (struct nlb_xlat_icmp){ ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				      1480 };
	KUNIT_ASSERT_EQ(test, nlb_xlat_icmp_build(&init_net, skb, &err, &f->s4,
						  &e), NLB_XLAT_OK);
	glen = t_out(test, e, g);
	kfree_skb(e);
	KUNIT_EXPECT_EQ(test, glen, 576);
	t_check_ip4(test, g, glen);
	KUNIT_EXPECT_EQ(test, g[9], IPPROTO_ICMP);
	KUNIT_EXPECT_EQ(test, g[1] & 0xe0, IPTOS_PREC_INTERNETCONTROL);
	KUNIT_EXPECT_MEMEQ(test, g + 12, &f->s4.ip, 4);
	KUNIT_EXPECT_MEMEQ(test, g + 16, &f->b4.ip, 4);
	KUNIT_EXPECT_EQ(test, g[20], ICMP_DEST_UNREACH);
	KUNIT_EXPECT_EQ(test, g[21], ICMP_FRAG_NEEDED);
	KUNIT_EXPECT_EQ(test, get16(g + 26), 1480);
	KUNIT_EXPECT_MEMEQ(test, g + 28, b, glen - 28);
	KUNIT_EXPECT_EQ(test, ref_fold(ref_add(0, g + 20, glen - 20)), 0xffff);
	err = (struct nlb_xlat_icmp){ ICMP_PARAMETERPROB, 0, 9 };
	KUNIT_ASSERT_EQ(test, nlb_xlat_icmp_build(&init_net, skb, &err, &f->s4,
						  &e), NLB_XLAT_OK);
	glen = t_out(test, e, g);
	kfree_skb(e);
	KUNIT_EXPECT_EQ(test, g[24], 9);

	/* no error about an error, a fragment, a non-unicast source */
	err = (struct nlb_xlat_icmp){ ICMP_DEST_UNREACH, ICMP_PKT_FILTERED };
	len = build_err(b, 4, &f->b4, &f->s4, 30, ICMP_DEST_UNREACH,
			ICMP_PORT_UNREACH, 0, b + 500, 0);
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_build(&init_net,
						  mk_lin(test, b, len), &err,
						  &f->s4, &e),
			NLB_XLAT_NO_ERROR);
	t_spec_rev(f, &o, &x, IPPROTO_UDP, 100);
	o.fo = 10;
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_build(&init_net,
						  mk_lin(test, b, len), &err,
						  &f->s4, &e),
			NLB_XLAT_NO_ERROR);
	o.fo = 0;
	t_a4(&o.src, 0xe0000001);
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_build(&init_net,
						  mk_lin(test, b, len), &err,
						  &f->s4, &e),
			NLB_XLAT_NO_ERROR);
	t_spec_fwd(f, &o, &x, IPPROTO_ICMPV6, 10);
	o.icmp_type = ICMPV6_DEST_UNREACH;
	len = build(b, &o);
	err = (struct nlb_xlat_icmp){ ICMPV6_DEST_UNREACH, 1 };
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_build(&init_net,
						  mk_lin(test, b, len), &err,
						  &f->v6, &e),
			NLB_XLAT_NO_ERROR);
	err.type = 0;
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_build(&init_net,
						  mk_lin(test, b, len), &err,
						  &f->v6, &e),
			NLB_XLAT_NO_ERROR);
	KUNIT_EXPECT_NULL(test, e);

	/* sent: routed over lo (the VM has no other route), or no route */
	t_a6(&src, 0, 0);
	src.in6 = in6addr_loopback;
	o.src = src;
	o.dst = src;
	o.icmp_type = ICMPV6_ECHO_REQUEST;
	len = build(b, &o);
	/* not a Packet Too Big, which would change ::1's path MTU */
	err = (struct nlb_xlat_icmp){ ICMPV6_DEST_UNREACH,
				      ICMPV6_ADM_PROHIBITED };
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_send(&init_net,
						 mk_lin(test, b, len), &err,
						 &src),
			NLB_XLAT_OK);
	t_a6(&o.src, 0x99, 1);
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_send(&init_net,
						 mk_lin(test, b, len), &err,
						 &src),
			NLB_XLAT_NO_ROUTE);
	t_spec_rev(f, &o, &x, IPPROTO_UDP, 10);
	t_a4(&o.src, 0x7f000001);
	t_a4(&src, 0x7f000002);
	len = build(b, &o);
	err = (struct nlb_xlat_icmp){ ICMP_DEST_UNREACH, ICMP_PKT_FILTERED };
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_send(&init_net,
						 mk_lin(test, b, len), &err,
						 &src),
			NLB_XLAT_OK);
	t_a4(&o.src, 0xc6336499);
	len = build(b, &o);
	KUNIT_EXPECT_EQ(test, nlb_xlat_icmp_send(&init_net,
						 mk_lin(test, b, len), &err,
						 &src),
			NLB_XLAT_NO_ROUTE);
}

static struct kunit_case nlb_xlat_test_cases[] = {
	KUNIT_CASE(nlb_xlat_tcp_udp),
	KUNIT_CASE(nlb_xlat_udp_zero_csum),
	KUNIT_CASE(nlb_xlat_echo),
	KUNIT_CASE(nlb_xlat_round_trip),
	KUNIT_CASE(nlb_xlat_df_6to4),
	KUNIT_CASE(nlb_xlat_df_4to6),
	KUNIT_CASE(nlb_xlat_exthdrs),
	KUNIT_CASE(nlb_xlat_fragments),
	KUNIT_CASE(nlb_xlat_reassembled),
	KUNIT_CASE(nlb_xlat_ipv4_options),
	KUNIT_CASE(nlb_xlat_hop_limit),
	KUNIT_CASE(nlb_xlat_gso),
	KUNIT_CASE(nlb_xlat_gso_refused),
	KUNIT_CASE(nlb_xlat_nonlinear),
	KUNIT_CASE(nlb_xlat_icmp_errors),
	KUNIT_CASE(nlb_xlat_icmp_extensions),
	KUNIT_CASE(nlb_xlat_icmp_map_table),
	KUNIT_CASE(nlb_xlat_icmp_map_packets),
	KUNIT_CASE(nlb_xlat_icmp_pointers),
	KUNIT_CASE(nlb_xlat_mtu),
	KUNIT_CASE(nlb_xlat_malformed),
	KUNIT_CASE(nlb_xlat_icmp_bogus),
	KUNIT_CASE(nlb_xlat_icmp_bad_csum),
	KUNIT_CASE(nlb_xlat_fuzz),
	KUNIT_CASE(nlb_xlat_mss),
	KUNIT_CASE(nlb_xlat_icmp_make),
	{}
};

static struct kunit_suite nlb_xlat_test_suite = {
	.name = "nlb_xlat",
	.test_cases = nlb_xlat_test_cases,
};

kunit_test_suite(nlb_xlat_test_suite);
