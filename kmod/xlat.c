// SPDX-License-Identifier: GPL-2.0
/*
 * Stateless IPv4 <-> IPv6 packet translation as RFC 7915 describes it, for
 * balancing clients of one family over backends of the other.
 *
 * nlb_xlat_6to4() and nlb_xlat_4to6() rewrite one packet in place: the IP
 * header, the TCP or UDP ports or the ICMP echo identifier, ICMP types and
 * codes and the packet an ICMP error quotes, and every checksum, to the
 * addresses and ports the caller chose. They check the whole packet first
 * and change it only once it is known to be translatable, so that a
 * refused packet is left as it was.
 *
 * The transport header never moves. The new IP header (for an ICMP error
 * also the ICMP header and the quoted packet's new IP header) is written
 * right in front of it, over the old headers or into the headroom, and
 * skb->data moves to its start. The payload, paged frags and a frag_list
 * stay untouched, and the csum_start of a CHECKSUM_PARTIAL packet, which
 * counts from skb->head, stays right.
 *
 * Checksums are updated incrementally, so a wrong checksum stays wrong:
 * the library never launders a corrupt packet. Only an IPv4 UDP datagram
 * without checksum gets one computed, and ICMP errors, whose quoted packet
 * changes size, are verified and then computed from scratch. ICMP echo
 * messages are verified too (then fixed incrementally): a corrupt one is
 * refused (NLB_XLAT_BAD_CSUM) rather than sent on still bad.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/minmax.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xfrm.h>

#include "xlat.h"

/* RFC 7915 5.1: a translated IPv4 packet gets DF only above this size. */
#define NLB_XLAT_DF_MAX		1260
/* The smallest IPv4 MTU (RFC 791). */
#define NLB_XLAT_MIN_MTU4	68
/* The most an ICMPv4 error is (RFC 1812 4.3.2.3); ICMPv6: IPV6_MIN_MTU. */
#define NLB_XLAT_ICMP4_MAX	576
/* Link-layer headroom kept in front of a 4->6 packet (Ethernet + VLAN). */
#define NLB_XLAT_LL_ROOM	32
/* The largest IPv4 packet. */
#define NLB_XLAT_MAX_LEN4	0xffff
/* An MSS is never clamped below this (TCP_MIN_MSS). */
#define NLB_XLAT_MSS_MIN	88
/* What a fragment grows by from IPv4 to IPv6 (header + Fragment Header). */
#define NLB_XLAT_FRAG_GROWTH	(sizeof(struct ipv6hdr) + \
				 sizeof(struct frag_hdr) - sizeof(struct iphdr))

/* What the parsers learn about a packet (outer). */
struct nlb_pkt {
	unsigned int len;	/* IP packet length, == skb->len */
	unsigned int l3len;	/* IP header, options, extension headers */
	unsigned int l4hdr;	/* L4 header bytes; 0 in a non-first fragment */
	u32 frag_id;		/* IPv4 identification, IPv6 fragment id */
	u16 frag_off;		/* fragment offset, 8-byte units */
	u8 proto;		/* IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 */
	u8 ttl;
	u8 tos;
	u8 icmp_type;
	u8 icmp_code;
	bool frag;		/* IPv4 MF or offset; IPv6 Fragment Header */
	bool mf;
	bool df;		/* IPv4 DF */
	bool icmp_err;		/* an ICMP error message */
	bool udp_zero;		/* a UDP checksum of zero */
	bool srr;		/* IPv4: an unexpired source route option */
};

/* What the inner parsers learn about the packet an ICMP error quotes. */
struct nlb_inner {
	unsigned int l3len;	/* IP header and extension headers */
	unsigned int l4len;	/* L4 length its IP header claims */
	unsigned int tot;	/* IPv4: total length it claims */
	u32 frag_id;
	u16 frag_off;
	u8 proto;
	u8 ttl;
	u8 tos;
	bool frag;
	bool mf;
	union {
		struct in6_addr a6[2];
		__be32 a4[2];
	};
};

static const char * const nlb_xlat_reason_names[__NLB_XLAT_MAX] = {
	[NLB_XLAT_OK] = "ok",
	[NLB_XLAT_TRUNCATED] = "truncated",
	[NLB_XLAT_BAD_LEN] = "bad-len",
	[NLB_XLAT_BAD_HDR] = "bad-hdr",
	[NLB_XLAT_BAD_CSUM] = "bad-csum",
	[NLB_XLAT_HOP_LIMIT] = "hop-limit",
	[NLB_XLAT_SOURCE_ROUTE] = "source-route",
	[NLB_XLAT_UNSUPPORTED_EXTHDR] = "unsupported-exthdr",
	[NLB_XLAT_UNSUPPORTED_PROTO] = "unsupported-proto",
	[NLB_XLAT_FRAGMENT] = "fragment",
	[NLB_XLAT_GSO] = "gso",
	[NLB_XLAT_ICMP_DROP] = "icmp-drop",
	[NLB_XLAT_ICMP_INNER] = "icmp-inner",
	[NLB_XLAT_TOO_BIG] = "too-big",
	[NLB_XLAT_NOMEM] = "nomem",
	[NLB_XLAT_NO_ROUTE] = "no-route",
	[NLB_XLAT_RATELIMITED] = "ratelimited",
	[NLB_XLAT_NO_ERROR] = "no-error",
};

/**
 * nlb_xlat_reason_name() - short name of a reason, for counters and logs
 * @reason: an enum nlb_xlat_reason
 *
 * Return: a static string such as "truncated", "unknown" when out of range.
 */
const char *nlb_xlat_reason_name(enum nlb_xlat_reason reason)
{
	if ((unsigned int)reason >= __NLB_XLAT_MAX)
		return "unknown";
	return nlb_xlat_reason_names[reason];
}

static void nlb_set_err(struct nlb_xlat_icmp *err, u8 type, u8 code,
			u32 info)
{
	err->type = type;
	err->code = code;
	err->info = info;
}

/* ICMPv4 informational types: errors may be sent about these. */
static bool nlb_icmp4_info(u8 type)
{
	switch (type) {
	case ICMP_ECHOREPLY:
	case ICMP_ECHO:
	case 9:		/* router advertisement */
	case 10:	/* router solicitation */
	case ICMP_TIMESTAMP ... ICMP_ADDRESSREPLY:
		return true;
	}
	return false;
}

/*
 * Type and code mapping, RFC 7915 4.2 (ICMPv4 -> ICMPv6). False: drop.
 * The MTU of Packet Too Big and the pointers are mapped separately.
 */
static bool nlb_icmp_map_4to6(u8 type, u8 code, u8 *t6, u8 *c6)
{
	*c6 = code;
	switch (type) {
	case ICMP_ECHO:
		*t6 = ICMPV6_ECHO_REQUEST;
		return true;
	case ICMP_ECHOREPLY:
		*t6 = ICMPV6_ECHO_REPLY;
		return true;
	case ICMP_TIME_EXCEEDED:
		*t6 = ICMPV6_TIME_EXCEED;
		return true;
	case ICMP_PARAMETERPROB:
		/* code 1 (missing option) and others: dropped */
		if (code != 0 && code != 2)
			return false;
		*t6 = ICMPV6_PARAMPROB;
		*c6 = ICMPV6_HDR_FIELD;
		return true;
	case ICMP_DEST_UNREACH:
		*t6 = ICMPV6_DEST_UNREACH;
		switch (code) {
		case ICMP_NET_UNREACH:
		case ICMP_HOST_UNREACH:
		case ICMP_SR_FAILED:
		case ICMP_NET_UNKNOWN:
		case ICMP_HOST_UNKNOWN:
		case ICMP_HOST_ISOLATED:
		case ICMP_NET_UNR_TOS:
		case ICMP_HOST_UNR_TOS:
			*c6 = ICMPV6_NOROUTE;
			return true;
		case ICMP_PROT_UNREACH:
			*t6 = ICMPV6_PARAMPROB;
			*c6 = ICMPV6_UNK_NEXTHDR;
			return true;
		case ICMP_PORT_UNREACH:
			*c6 = ICMPV6_PORT_UNREACH;
			return true;
		case ICMP_FRAG_NEEDED:
			*t6 = ICMPV6_PKT_TOOBIG;
			*c6 = 0;
			return true;
		case ICMP_NET_ANO:
		case ICMP_HOST_ANO:
		case ICMP_PKT_FILTERED:
		case ICMP_PREC_CUTOFF:
			*c6 = ICMPV6_ADM_PROHIBITED;
			return true;
		}
		return false;	/* 14 (precedence violation), unknown */
	}
	return false;
}

/* Type and code mapping, RFC 7915 5.2 (ICMPv6 -> ICMPv4). False: drop. */
static bool nlb_icmp_map_6to4(u8 type, u8 code, u8 *t4, u8 *c4)
{
	*c4 = code;
	switch (type) {
	case ICMPV6_ECHO_REQUEST:
		*t4 = ICMP_ECHO;
		return true;
	case ICMPV6_ECHO_REPLY:
		*t4 = ICMP_ECHOREPLY;
		return true;
	case ICMPV6_TIME_EXCEED:
		*t4 = ICMP_TIME_EXCEEDED;
		return true;
	case ICMPV6_PKT_TOOBIG:
		*t4 = ICMP_DEST_UNREACH;
		*c4 = ICMP_FRAG_NEEDED;
		return true;
	case ICMPV6_PARAMPROB:
		if (code == ICMPV6_HDR_FIELD) {
			*t4 = ICMP_PARAMETERPROB;
			*c4 = 0;
			return true;
		}
		if (code == ICMPV6_UNK_NEXTHDR) {
			*t4 = ICMP_DEST_UNREACH;
			*c4 = ICMP_PROT_UNREACH;
			return true;
		}
		return false;	/* 2 (unrecognized option), unknown */
	case ICMPV6_DEST_UNREACH:
		*t4 = ICMP_DEST_UNREACH;
		switch (code) {
		case ICMPV6_NOROUTE:
		case ICMPV6_NOT_NEIGHBOUR:	/* beyond scope of source */
		case ICMPV6_ADDR_UNREACH:
			*c4 = ICMP_HOST_UNREACH;
			return true;
		case ICMPV6_ADM_PROHIBITED:
			*c4 = ICMP_HOST_ANO;
			return true;
		case ICMPV6_PORT_UNREACH:
			*c4 = ICMP_PORT_UNREACH;
			return true;
		}
		return false;
	}
	return false;	/* MLD, ND, unknown informational and errors */
}

/* Parameter Problem pointer, RFC 7915 figure 3 (IPv4 -> IPv6); -1: n/a. */
static int nlb_icmp_ptr_4to6(u32 ptr)
{
	switch (ptr) {
	case 0:		/* version, IHL */
	case 1:		/* type of service */
		return ptr;
	case 2 ... 3:	/* total length */
		return offsetof(struct ipv6hdr, payload_len);
	case 8:		/* TTL */
		return offsetof(struct ipv6hdr, hop_limit);
	case 9:		/* protocol */
		return offsetof(struct ipv6hdr, nexthdr);
	case 12 ... 15:
		return offsetof(struct ipv6hdr, saddr);
	case 16 ... 19:
		return offsetof(struct ipv6hdr, daddr);
	}
	return -1;
}

/* Parameter Problem pointer, RFC 7915 figure 6 (IPv6 -> IPv4); -1: n/a. */
static int nlb_icmp_ptr_6to4(u32 ptr)
{
	switch (ptr) {
	case 0:		/* version, traffic class */
	case 1:		/* traffic class, flow label */
		return ptr;
	case 4 ... 5:	/* payload length */
		return offsetof(struct iphdr, tot_len);
	case 6:		/* next header */
		return offsetof(struct iphdr, protocol);
	case 7:		/* hop limit */
		return offsetof(struct iphdr, ttl);
	case 8 ... 23:
		return offsetof(struct iphdr, saddr);
	case 24 ... 39:
		return offsetof(struct iphdr, daddr);
	}
	return -1;
}

/* RFC 1191 section 7 plateaus, largest first. */
static const u16 nlb_plateaus[] = {
	65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68
};

/*
 * The IPv4 path MTU a Fragmentation Needed without one (a pre-RFC 1191
 * router) suggests: the largest plateau below the quoted total length.
 */
static u32 nlb_plateau(u32 tot_len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nlb_plateaus); i++)
		if (nlb_plateaus[i] < tot_len)
			return nlb_plateaus[i];
	return NLB_XLAT_MIN_MTU4;
}

/*
 * Fragmentation Needed -> Packet Too Big (RFC 7915 4.2): min(MTU + delta,
 * IPv6 next hop, IPv4 next hop + delta), where delta is what the quoted
 * packet grows by (20, 28 with a Fragment Header). A zero MTU is replaced
 * by a plateau. The result is at least 1280, as no IPv6 link is smaller
 * (RFC 8200 5) and a host ignores less (RFC 8021).
 */
static u32 nlb_mtu_4to6(u32 mtu, u32 tot_len, int delta,
			const struct nlb_xlat_params *p)
{
	s64 m;

	if (!mtu)
		mtu = nlb_plateau(tot_len);
	m = (s64)mtu + delta;
	if (p->mtu6)
		m = min_t(s64, m, p->mtu6);
	if (p->mtu4)
		m = min_t(s64, m, (s64)p->mtu4 + delta);
	return max_t(s64, m, IPV6_MIN_MTU);
}

/*
 * Packet Too Big -> Fragmentation Needed (RFC 7915 5.2): min(MTU - delta,
 * IPv4 next hop, IPv6 next hop - delta), where delta is what the quoted
 * packet shrinks by (20, 28 with a Fragment Header, more with other
 * extension headers), clamped to the 16 bits of the field.
 */
static u32 nlb_mtu_6to4(u32 mtu, int delta, const struct nlb_xlat_params *p)
{
	s64 m = (s64)mtu - delta;

	if (p->mtu4)
		m = min_t(s64, m, p->mtu4);
	if (p->mtu6)
		m = min_t(s64, m, (s64)p->mtu6 - delta);
	return clamp_t(s64, m, NLB_XLAT_MIN_MTU4, 0xffff);
}

static u8 nlb_ttl(const struct nlb_xlat_params *p, u8 ttl)
{
	return p->flags & NLB_XLAT_KEEP_TTL ? ttl : ttl - 1;
}

/* Checksum arithmetic: one's complement sums of what changes. */
static __wsum nlb_sum4(__be32 s, __be32 d)
{
	return csum_add((__force __wsum)s, (__force __wsum)d);
}

static __wsum nlb_sum6(const struct in6_addr *s, const struct in6_addr *d)
{
	return csum_partial(s, sizeof(*s), csum_partial(d, sizeof(*d), 0));
}

/* The ICMPv6 pseudo-header of a message of @len bytes. */
static __wsum nlb_pseudo_icmp6(const struct in6_addr *s,
			       const struct in6_addr *d, u32 len)
{
	return csum_add(nlb_sum6(s, d),
			csum_add((__force __wsum)htonl(len),
				 (__force __wsum)htonl(IPPROTO_ICMPV6)));
}

/* The change of a 16-bit word at an even offset. */
static __wsum nlb_diff16(__be16 from, __be16 to)
{
	return csum_sub(csum_unfold((__force __sum16)to),
			csum_unfold((__force __sum16)from));
}

/*
 * Fix the checksum at @check for a change of @pdiff in the pseudo-header
 * and @ldiff in the covered bytes. A CHECKSUM_PARTIAL checksum holds only
 * the pseudo-header sum, and the device sums the covered bytes.
 */
static void nlb_csum_fix(__sum16 *check, bool partial, __wsum pdiff,
			 __wsum ldiff, bool udp)
{
	if (partial) {
		*check = ~csum_fold(csum_add(csum_unfold(*check), pdiff));
		return;
	}
	if (udp && !*check)
		return;	/* no checksum (IPv4 only): see nlb_udp6_csum() */
	*check = csum_fold(csum_add(csum_add(pdiff, ldiff),
				    ~csum_unfold(*check)));
	if (udp && !*check)
		*check = CSUM_MANGLED_0;
}

/* Replace the TCP or UDP ports at @ports and fix the checksum. */
static void nlb_ports(__be16 *ports, __sum16 *check, bool partial,
		      const struct nlb_xlat_tuple *t, __wsum pdiff, bool udp)
{
	__wsum ldiff = csum_add(nlb_diff16(ports[0], t->sport),
				nlb_diff16(ports[1], t->dport));

	ports[0] = t->sport;
	ports[1] = t->dport;
	if (check)
		nlb_csum_fix(check, partial, pdiff, ldiff, udp);
}

/*
 * ICMP echo request or reply <-> ICMPv6: new type and identifier, and the
 * pseudo-header @pdiff the checksum gains (4->6) or loses (6->4). The
 * checksum is never CHECKSUM_PARTIAL here.
 */
static void nlb_echo(u8 *l4, u8 type, __be16 id, __wsum pdiff)
{
	struct icmphdr *h = (struct icmphdr *)l4;
	__wsum d;

	d = csum_add(pdiff, nlb_diff16(htons(h->type << 8 | h->code),
				       htons(type << 8 | h->code)));
	d = csum_add(d, nlb_diff16(h->un.echo.id, id));
	h->type = type;
	h->un.echo.id = id;
	h->checksum = csum_fold(csum_add(d, ~csum_unfold(h->checksum)));
}

static u8 nlb_echo_type_6to4(u8 type)
{
	return type == ICMPV6_ECHO_REQUEST ? ICMP_ECHO : ICMP_ECHOREPLY;
}

static u8 nlb_echo_type_4to6(u8 type)
{
	return type == ICMP_ECHO ? ICMPV6_ECHO_REQUEST : ICMPV6_ECHO_REPLY;
}

/*
 * Rewrite the outer L4 header for @t: @pdiff is the change of the TCP/UDP
 * pseudo-header, @idiff the ICMPv6 pseudo-header an echo gains or loses.
 */
static void nlb_l4_rewrite(struct sk_buff *skb, const struct nlb_pkt *pk,
			   const struct nlb_xlat_tuple *t, __wsum pdiff,
			   __wsum idiff, u8 echo_type)
{
	bool partial = skb->ip_summed == CHECKSUM_PARTIAL;
	u8 *l4 = skb->data + pk->l3len;

	if (!pk->l4hdr)
		return;		/* a non-first fragment */
	switch (pk->proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = (struct tcphdr *)l4;

		nlb_ports(&th->source, &th->check, partial, t, pdiff, false);
		break;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = (struct udphdr *)l4;

		nlb_ports(&uh->source, &uh->check, partial, t, pdiff, true);
		break;
	}
	default:
		nlb_echo(l4, echo_type, t->sport, idiff);
	}
}

/*
 * Rewrite the quoted packet's L4 header at @l4 (@avail bytes of it are
 * there) for @t. Its checksum, if quoted, is a full one; a TCP checksum
 * is fixed only if the quote reaches it, a zero UDP checksum stays zero.
 */
static void nlb_inner_l4_rewrite(u8 *l4, unsigned int avail,
				 const struct nlb_inner *in,
				 const struct nlb_xlat_tuple *t, __wsum pdiff,
				 __wsum idiff, u8 echo_type)
{
	switch (in->proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = (struct tcphdr *)l4;
		bool check = avail >= offsetofend(struct tcphdr, check);

		nlb_ports(&th->source, check ? &th->check : NULL, false, t,
			  pdiff, false);
		break;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = (struct udphdr *)l4;

		nlb_ports(&uh->source, &uh->check, false, t, pdiff, true);
		break;
	}
	default:
		nlb_echo(l4, echo_type, t->sport, idiff);
	}
}

/*
 * Whether the ICMP or ICMPv6 message from @off to the end of the packet
 * (its IPv6 pseudo-header included) has a right checksum. One the device
 * or the stack has verified (CHECKSUM_UNNECESSARY, skb->csum_valid: e.g.
 * conntrack's or nf_nat's nf_ip_checksum()) is not summed again, nor a
 * local one still to be filled in (CHECKSUM_PARTIAL). Any layout.
 */
static bool nlb_icmp_csum_ok(struct sk_buff *skb, unsigned int off, bool v6)
{
	unsigned int len = skb->len - off;
	__wsum sum;

	if (skb_csum_unnecessary(skb))
		return true;
	sum = skb_checksum(skb, off, len, 0);
	if (v6)
		return !csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
					&ipv6_hdr(skb)->daddr, len,
					IPPROTO_ICMPV6, sum);
	return !csum_fold(sum);
}

/*
 * A CHECKSUM_PARTIAL packet must have its checksum at the L4 header's
 * checksum field for an incremental fix; anything else (an ICMP message,
 * an odd offset) is resolved in software first. Done before anything is
 * rewritten; it changes only the checksum field.
 */
static enum nlb_xlat_reason nlb_csum_prepare(struct sk_buff *skb,
					     const struct nlb_pkt *pk)
{
	unsigned int check;
	int start;

	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return NLB_XLAT_OK;
	if (!pk->l4hdr)
		return NLB_XLAT_BAD_HDR;	/* a non-first fragment */
	start = skb_checksum_start_offset(skb);
	if (pk->proto == IPPROTO_TCP || pk->proto == IPPROTO_UDP) {
		check = pk->proto == IPPROTO_TCP ?
			offsetof(struct tcphdr, check) :
			offsetof(struct udphdr, check);
		if (start == pk->l3len && skb->csum_offset == check)
			return NLB_XLAT_OK;
	}
	if (skb_is_gso(skb))
		return NLB_XLAT_GSO;
	/* what skb_checksum_help() would warn about */
	if (start < (int)pk->l3len ||
	    start + skb->csum_offset + sizeof(__sum16) > skb_headlen(skb))
		return NLB_XLAT_BAD_HDR;
	return skb_checksum_help(skb) ? NLB_XLAT_NOMEM : NLB_XLAT_OK;
}

/* GSO packets: only TCP and UDP (L4) of the packet's own family. */
static enum nlb_xlat_reason nlb_gso_check(const struct sk_buff *skb,
					  const struct nlb_pkt *pk, bool v6)
{
	const unsigned int common = SKB_GSO_DODGY | SKB_GSO_TCP_ECN |
				    SKB_GSO_UDP_L4 | SKB_GSO_FRAGLIST;
	unsigned int type, tcp = v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
	unsigned int ok = common | tcp | (v6 ? 0 : SKB_GSO_TCP_FIXEDID);

	if (!skb_is_gso(skb))
		return NLB_XLAT_OK;
	if (pk->frag)
		return NLB_XLAT_FRAGMENT;
	type = skb_shinfo(skb)->gso_type;
	if (skb->encapsulation || (type & ~ok))
		return NLB_XLAT_GSO;
	if (!(type & tcp) == !(type & SKB_GSO_UDP_L4))
		return NLB_XLAT_GSO;	/* neither or both */
	if (pk->proto != (type & tcp ? IPPROTO_TCP : IPPROTO_UDP))
		return NLB_XLAT_GSO;
	return NLB_XLAT_OK;
}

/* Segments a GSO packet will be cut into (for IPv4 identifiers). */
static int nlb_segs(const struct sk_buff *skb, const struct nlb_pkt *pk)
{
	unsigned int payload = pk->len - pk->l3len - pk->l4hdr;

	if (!skb_is_gso(skb))
		return 1;
	return max_t(unsigned int, 1,
		     DIV_ROUND_UP(payload, skb_shinfo(skb)->gso_size));
}

static void nlb_gso_flip(struct sk_buff *skb, unsigned int from,
			 unsigned int to)
{
	struct skb_shared_info *si = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return;
	if (si->gso_type & from) {
		si->gso_type &= ~(from | SKB_GSO_TCP_FIXEDID);
		si->gso_type |= to;
	}
	/*
	 * GSO must not trust the packet's geometry any more: recount the
	 * segments, and no fraglist fast path, which would send each
	 * member's own (untranslated) headers.
	 */
	si->gso_type |= SKB_GSO_DODGY;
}

/* Metadata of a packet that changed family. */
static void nlb_finish(struct sk_buff *skb, __be16 protocol,
		       unsigned int thoff)
{
	skb->protocol = protocol;
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	skb_reset_mac_header(skb);
	skb_reset_mac_len(skb);
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
	memset(skb->cb, 0, sizeof(skb->cb));
	nf_reset_ct(skb);
	skb_dst_drop(skb);
	skb_clear_tstamp(skb);
	skb_clear_hash(skb);
}

/* Checks common to every L4 header the parsers accept. */
static enum nlb_xlat_reason nlb_parse_l4(const struct sk_buff *skb,
					 struct nlb_pkt *pk)
{
	unsigned int l4len = pk->len - pk->l3len;

	if (pk->frag && pk->frag_off) {
		if (pk->proto != IPPROTO_TCP && pk->proto != IPPROTO_UDP)
			return NLB_XLAT_FRAGMENT;
		return NLB_XLAT_OK;	/* no L4 header in this fragment */
	}
	switch (pk->proto) {
	case IPPROTO_TCP: {
		const struct tcphdr *th;
		struct tcphdr _th;

		th = skb_header_pointer(skb, pk->l3len, sizeof(_th), &_th);
		if (!th)
			return NLB_XLAT_TRUNCATED;
		if (th->doff < sizeof(*th) / 4)
			return NLB_XLAT_BAD_HDR;
		pk->l4hdr = th->doff * 4;
		if (pk->l4hdr > l4len)
			return NLB_XLAT_TRUNCATED;
		return NLB_XLAT_OK;
	}
	case IPPROTO_UDP: {
		const struct udphdr *uh;
		struct udphdr _uh;

		uh = skb_header_pointer(skb, pk->l3len, sizeof(_uh), &_uh);
		if (!uh)
			return NLB_XLAT_TRUNCATED;
		if (!pk->frag && ntohs(uh->len) != l4len)
			return NLB_XLAT_BAD_LEN;
		pk->l4hdr = sizeof(*uh);
		pk->udp_zero = !uh->check;
		return NLB_XLAT_OK;
	}
	default: {	/* ICMP, ICMPv6 */
		const u8 *h;
		u8 _h[8];

		if (pk->frag)
			return NLB_XLAT_FRAGMENT;
		h = skb_header_pointer(skb, pk->l3len, sizeof(_h), _h);
		if (!h)
			return NLB_XLAT_TRUNCATED;
		pk->l4hdr = sizeof(_h);
		pk->icmp_type = h[0];
		pk->icmp_code = h[1];
		pk->icmp_err = pk->proto == IPPROTO_ICMPV6 ?
			       !(h[0] & ICMPV6_INFOMSG_MASK) :
			       !nlb_icmp4_info(h[0]);
		return NLB_XLAT_OK;
	}
	}
}

/* IPv6 header and extension headers (RFC 7915 5.1). */
static enum nlb_xlat_reason nlb_parse6(const struct sk_buff *skb,
				       struct nlb_pkt *pk,
				       struct nlb_xlat_icmp *err)
{
	unsigned int off = sizeof(struct ipv6hdr);
	const struct ipv6hdr *ip6;
	struct ipv6hdr _ip6;
	u8 nexthdr;

	ip6 = skb_header_pointer(skb, 0, sizeof(_ip6), &_ip6);
	if (!ip6)
		return NLB_XLAT_TRUNCATED;
	if (ip6->version != 6)
		return NLB_XLAT_BAD_HDR;
	if (!ip6->payload_len)
		return NLB_XLAT_BAD_LEN;	/* jumbogram, BIG TCP */
	pk->len = sizeof(*ip6) + ntohs(ip6->payload_len);
	if (skb->len < pk->len)
		return NLB_XLAT_TRUNCATED;
	if (skb->len > pk->len)
		return NLB_XLAT_BAD_LEN;
	pk->ttl = ip6->hop_limit;
	pk->tos = ipv6_get_dsfield(ip6);
	nexthdr = ip6->nexthdr;

	for (;;) {
		switch (nexthdr) {
		case NEXTHDR_TCP:
		case NEXTHDR_UDP:
		case NEXTHDR_ICMP:
			pk->l3len = off;
			pk->proto = nexthdr;
			return nlb_parse_l4(skb, pk);
		case NEXTHDR_HOP:
			if (off != sizeof(*ip6))
				goto exthdr;	/* only first (RFC 8200 4.1) */
			fallthrough;
		case NEXTHDR_DEST:
		case NEXTHDR_ROUTING: {
			const u8 *h;
			u8 _h[8];

			if (pk->frag && pk->frag_off)
				goto proto;	/* not in this fragment */
			h = skb_header_pointer(skb, off, sizeof(_h), _h);
			if (!h)
				return NLB_XLAT_TRUNCATED;
			if (nexthdr == NEXTHDR_ROUTING && h[3]) {
				/* segments left: points at it (RFC 7915 5.1) */
				nlb_set_err(err, ICMPV6_PARAMPROB,
					    ICMPV6_HDR_FIELD, off + 3);
				return NLB_XLAT_UNSUPPORTED_EXTHDR;
			}
			nexthdr = h[0];
			off += ipv6_optlen((const struct ipv6_opt_hdr *)h);
			if (off > pk->len)
				return NLB_XLAT_TRUNCATED;
			break;
		}
		case NEXTHDR_FRAGMENT: {
			const struct frag_hdr *fh;
			struct frag_hdr _fh;

			if (pk->frag)
				return NLB_XLAT_BAD_HDR;
			fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
			if (!fh)
				return NLB_XLAT_TRUNCATED;
			pk->frag = true;
			pk->frag_off = ntohs(fh->frag_off) >> 3;
			pk->mf = fh->frag_off & htons(IP6_MF);
			pk->frag_id = ntohl(fh->identification);
			nexthdr = fh->nexthdr;
			off += sizeof(*fh);
			break;
		}
		case NEXTHDR_AUTH:
		case NEXTHDR_MOBILITY:
		case 139:	/* HIP */
		case 140:	/* shim6 */
		case 253:	/* experimental (RFC 3692) */
		case 254:
			goto exthdr;
		default:
			goto proto;
		}
	}

exthdr:
	nlb_set_err(err, ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED, 0);
	return NLB_XLAT_UNSUPPORTED_EXTHDR;
proto:
	nlb_set_err(err, ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED, 0);
	return NLB_XLAT_UNSUPPORTED_PROTO;
}

/*
 * IPv4 options are dropped (RFC 7915 4.1) but must be well formed; an
 * unexpired (loose or strict) source route refuses the packet.
 * Return: 0, 1 for an unexpired source route, -1 when malformed.
 */
static int nlb_opts4(const u8 *opt, unsigned int n)
{
	while (n) {
		unsigned int len;

		if (opt[0] == IPOPT_END)
			break;
		if (opt[0] == IPOPT_NOOP) {
			opt++;
			n--;
			continue;
		}
		if (n < 2)
			return -1;
		len = opt[1];
		if (len < 2 || len > n)
			return -1;
		if (opt[0] == IPOPT_LSRR || opt[0] == IPOPT_SSRR) {
			if (len < 3)
				return -1;
			if (opt[2] <= len)	/* the pointer: an address left */
				return 1;
		}
		opt += len;
		n -= len;
	}
	return 0;
}

/* IPv4 header (RFC 7915 4.1). */
static enum nlb_xlat_reason nlb_parse4(const struct sk_buff *skb,
				       struct nlb_pkt *pk,
				       struct nlb_xlat_icmp *err)
{
	const struct iphdr *iph;
	unsigned int ihl;
	u8 _h[60];
	u16 fo;
	int opts;

	iph = skb_header_pointer(skb, 0, sizeof(*iph), _h);
	if (!iph)
		return NLB_XLAT_TRUNCATED;
	if (iph->version != 4 || iph->ihl < 5)
		return NLB_XLAT_BAD_HDR;
	ihl = iph->ihl * 4;
	if (ihl > sizeof(*iph)) {
		iph = skb_header_pointer(skb, 0, ihl, _h);
		if (!iph)
			return NLB_XLAT_TRUNCATED;
	}
	if (ip_fast_csum(iph, iph->ihl))
		return NLB_XLAT_BAD_CSUM;
	pk->len = ntohs(iph->tot_len);
	if (pk->len < ihl)
		return NLB_XLAT_BAD_LEN;	/* also BIG TCP's zero */
	if (skb->len < pk->len)
		return NLB_XLAT_TRUNCATED;
	if (skb->len > pk->len)
		return NLB_XLAT_BAD_LEN;
	opts = nlb_opts4((const u8 *)(iph + 1), ihl - sizeof(*iph));
	if (opts < 0)
		return NLB_XLAT_BAD_HDR;
	pk->srr = opts;
	fo = ntohs(iph->frag_off);
	pk->df = fo & IP_DF;
	pk->mf = fo & IP_MF;
	pk->frag_off = fo & IP_OFFSET;
	pk->frag = pk->mf || pk->frag_off;
	pk->frag_id = ntohs(iph->id);
	pk->ttl = iph->ttl;
	pk->tos = iph->tos;
	pk->l3len = ihl;
	pk->proto = iph->protocol;
	switch (pk->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
		return nlb_parse_l4(skb, pk);
	}
	nlb_set_err(err, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0);
	return NLB_XLAT_UNSUPPORTED_PROTO;
}

/*
 * The IPv6 packet an ICMPv6 error quotes: @n bytes at @b, possibly
 * truncated. Extension headers must lie within the quote, and of the L4
 * header, unless it is a non-first fragment, its first 8 bytes.
 */
static bool nlb_inner6(const u8 *b, unsigned int n, struct nlb_inner *in)
{
	const struct ipv6hdr *ip6 = (const struct ipv6hdr *)b;
	unsigned int off = sizeof(*ip6), plen;
	u8 nexthdr;

	if (n < off || ip6->version != 6)
		return false;
	plen = ntohs(ip6->payload_len);
	nexthdr = ip6->nexthdr;
	for (;;) {
		switch (nexthdr) {
		case NEXTHDR_TCP:
		case NEXTHDR_UDP:
		case NEXTHDR_ICMP:
			goto l4;
		case NEXTHDR_HOP:
			if (off != sizeof(*ip6))
				return false;
			fallthrough;
		case NEXTHDR_DEST:
		case NEXTHDR_ROUTING:
			if (in->frag_off || off + 8 > n)
				return false;
			if (nexthdr == NEXTHDR_ROUTING && b[off + 3])
				return false;
			nexthdr = b[off];
			off += ipv6_optlen((const struct ipv6_opt_hdr *)(b + off));
			if (off > n)
				return false;
			break;
		case NEXTHDR_FRAGMENT: {
			const struct frag_hdr *fh;

			if (in->frag || off + sizeof(*fh) > n)
				return false;
			fh = (const struct frag_hdr *)(b + off);
			in->frag = true;
			in->frag_off = ntohs(fh->frag_off) >> 3;
			in->mf = fh->frag_off & htons(IP6_MF);
			in->frag_id = ntohl(fh->identification);
			nexthdr = fh->nexthdr;
			off += sizeof(*fh);
			break;
		}
		default:
			return false;
		}
	}
l4:
	if (plen < off - sizeof(*ip6))
		return false;
	if (!in->frag_off) {
		if (n - off < 8)
			return false;
		/* an error about an error, or about ND: nothing we sent */
		if (nexthdr == NEXTHDR_ICMP && b[off] != ICMPV6_ECHO_REQUEST &&
		    b[off] != ICMPV6_ECHO_REPLY)
			return false;
	}
	in->l3len = off;
	in->l4len = plen - (off - sizeof(*ip6));
	in->proto = nexthdr;
	in->ttl = ip6->hop_limit;
	in->tos = ipv6_get_dsfield(ip6);
	in->a6[0] = ip6->saddr;
	in->a6[1] = ip6->daddr;
	return true;
}

/* The IPv4 packet an ICMPv4 error quotes, likewise. */
static bool nlb_inner4(const u8 *b, unsigned int n, struct nlb_inner *in)
{
	const struct iphdr *iph = (const struct iphdr *)b;
	unsigned int ihl;
	u16 fo;

	if (n < sizeof(*iph) || iph->version != 4 || iph->ihl < 5)
		return false;
	ihl = iph->ihl * 4;
	in->tot = ntohs(iph->tot_len);
	if (ihl > n || in->tot < ihl)
		return false;
	fo = ntohs(iph->frag_off);
	in->mf = fo & IP_MF;
	in->frag_off = fo & IP_OFFSET;
	in->frag = in->mf || in->frag_off;
	in->frag_id = ntohs(iph->id);
	in->proto = iph->protocol;
	switch (in->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
		break;
	default:
		return false;
	}
	if (!in->frag_off) {
		if (n - ihl < 8)
			return false;
		if (in->proto == IPPROTO_ICMP && b[ihl] != ICMP_ECHO &&
		    b[ihl] != ICMP_ECHOREPLY)
			return false;
	}
	in->l3len = ihl;
	in->l4len = in->tot - ihl;
	in->ttl = iph->ttl;
	in->tos = iph->tos;
	in->a4[0] = iph->saddr;
	in->a4[1] = iph->daddr;
	return true;
}

static void nlb_put_ip4(struct iphdr *iph, u8 tos, unsigned int tot_len,
			__be16 frag_off, u8 ttl, u8 proto, __be32 saddr,
			__be32 daddr)
{
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = tos;
	iph->tot_len = htons(tot_len);
	iph->id = 0;
	iph->frag_off = frag_off;
	iph->ttl = ttl;
	iph->protocol = proto;
	iph->check = 0;
	iph->saddr = saddr;
	iph->daddr = daddr;
}

static void nlb_put_ip6(struct ipv6hdr *ip6, u8 tclass,
			unsigned int payload_len, u8 nexthdr, u8 hop_limit,
			const struct in6_addr *saddr,
			const struct in6_addr *daddr)
{
	ip6_flow_hdr(ip6, tclass, 0);
	ip6->payload_len = htons(payload_len);
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = hop_limit;
	ip6->saddr = *saddr;
	ip6->daddr = *daddr;
}

static void nlb_put_frag(struct frag_hdr *fh, u8 nexthdr, u16 off, bool mf,
			 u32 id)
{
	fh->nexthdr = nexthdr;
	fh->reserved = 0;
	fh->frag_off = htons(off << 3 | (mf ? IP6_MF : 0));
	fh->identification = htonl(id);
}

/* Move skb->data to @start, a new header in the head in front of L4. */
static void nlb_move_data(struct sk_buff *skb, u8 *start)
{
	if (start < skb->data)
		__skb_push(skb, skb->data - start);
	else
		__skb_pull(skb, start - skb->data);
}

/* RFC 4884: the quoted packet ends where the length attribute says. */
static bool nlb_icmp_ext_end(unsigned int *end, unsigned int inner,
			     unsigned int len, unsigned int unit)
{
	unsigned int qend = inner + len * unit;

	if (!len)
		return true;
	if (qend > *end)
		return false;
	*end = qend;
	return true;
}

/* ICMPv6 error -> ICMPv4 error (RFC 7915 5.2, 5.3). */
static enum nlb_xlat_reason nlb_6to4_icmp_err(struct sk_buff *skb,
					      const struct nlb_xlat_params *p,
					      const struct nlb_pkt *pk)
{
	const struct nlb_xlat_tuple *t = p->outer, *it = p->inner;
	unsigned int ic = pk->l3len, inner = ic + sizeof(struct icmp6hdr);
	unsigned int end = pk->len, il4, tot, ilen;
	struct nlb_inner in = {};
	const struct icmp6hdr *h6;
	enum nlb_xlat_reason r;
	struct icmphdr *h4;
	struct iphdr *iph;
	u8 type, code, *d;
	__wsum pdiff;
	u32 info = 0;
	__be16 fo;
	int ptr;

	if (!it)
		return NLB_XLAT_ICMP_INNER;
	if (!nlb_icmp_map_6to4(pk->icmp_type, pk->icmp_code, &type, &code))
		return NLB_XLAT_ICMP_DROP;
	if (skb_ensure_writable(skb, skb->len))
		return NLB_XLAT_NOMEM;
	r = nlb_csum_prepare(skb, pk);
	if (r)
		return r;
	if (!nlb_icmp_csum_ok(skb, ic, true))
		return NLB_XLAT_BAD_CSUM;
	d = skb->data;
	h6 = (const struct icmp6hdr *)(d + ic);
	/* RFC 4884 extensions (64-bit words) are not translated: dropped */
	if ((pk->icmp_type == ICMPV6_DEST_UNREACH ||
	     pk->icmp_type == ICMPV6_TIME_EXCEED) &&
	    !nlb_icmp_ext_end(&end, inner, d[ic + 4], 8))
		return NLB_XLAT_ICMP_INNER;
	if (!nlb_inner6(d + inner, end - inner, &in))
		return NLB_XLAT_ICMP_INNER;
	il4 = inner + in.l3len;
	end = min(end, il4 + in.l4len);
	if (pk->icmp_type == ICMPV6_PKT_TOOBIG) {
		info = nlb_mtu_6to4(ntohl(h6->icmp6_mtu),
				    in.l3len - sizeof(struct iphdr), p);
	} else if (type == ICMP_PARAMETERPROB) {
		ptr = nlb_icmp_ptr_6to4(ntohl(h6->icmp6_pointer));
		if (ptr < 0)
			return NLB_XLAT_ICMP_DROP;
		info = ptr;
	}

	/* Nothing fails from here on. */
	if (!in.frag_off) {
		pdiff = csum_sub(nlb_sum4(it->saddr.ip, it->daddr.ip),
				 nlb_sum6(&in.a6[0], &in.a6[1]));
		nlb_inner_l4_rewrite(d + il4, end - il4, &in, it, pdiff,
				     csum_sub(0, nlb_pseudo_icmp6(&in.a6[0],
								  &in.a6[1],
								  in.l4len)),
				     nlb_echo_type_6to4(d[il4]));
	}
	ilen = in.l4len + sizeof(*iph);
	if (in.frag)
		fo = htons(in.frag_off | (in.mf ? IP_MF : 0));
	else
		fo = ilen > NLB_XLAT_DF_MAX ? htons(IP_DF) : 0;
	iph = (struct iphdr *)(d + il4 - sizeof(*iph));
	nlb_put_ip4(iph, in.tos, ilen, fo, in.ttl,
		    in.proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : in.proto,
		    it->saddr.ip, it->daddr.ip);
	iph->id = in.frag ? htons(in.frag_id) : 0;
	ip_send_check(iph);

	h4 = (struct icmphdr *)((u8 *)iph - sizeof(*h4));
	memset(h4, 0, sizeof(*h4));
	h4->type = type;
	h4->code = code;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		h4->un.frag.mtu = htons(info);
	else if (type == ICMP_PARAMETERPROB)
		h4->un.gateway = htonl(info << 24);

	tot = end - il4 + 2 * sizeof(*iph) + sizeof(*h4);
	iph = (struct iphdr *)((u8 *)h4 - sizeof(*iph));
	nlb_put_ip4(iph, pk->tos, tot,
		    tot > NLB_XLAT_DF_MAX ? htons(IP_DF) : 0,
		    nlb_ttl(p, pk->ttl), IPPROTO_ICMP, t->saddr.ip,
		    t->daddr.ip);
	__ip_select_ident(p->net, iph, 1);
	ip_send_check(iph);

	nlb_move_data(skb, (u8 *)iph);
	skb_trim(skb, tot);
	h4->checksum = ip_compute_csum(h4, tot - sizeof(*iph));
	skb->ip_summed = CHECKSUM_NONE;
	nlb_finish(skb, htons(ETH_P_IP), sizeof(*iph));
	skb->ignore_df = 0;
	return NLB_XLAT_OK;
}

/* TCP, UDP, ICMP echo: IPv6 -> IPv4 (RFC 7915 5.1, 5.3). */
static enum nlb_xlat_reason nlb_6to4_plain(struct sk_buff *skb,
					   const struct nlb_xlat_params *p,
					   const struct nlb_pkt *pk,
					   struct nlb_xlat_icmp *err)
{
	unsigned int tot = pk->len - pk->l3len + sizeof(struct iphdr);
	unsigned int reasm = IP6CB(skb)->frag_max_size, seg = tot;
	const struct nlb_xlat_tuple *t = p->outer;
	struct in6_addr old[2];
	enum nlb_xlat_reason r;
	__be16 frag_off = 0;
	struct iphdr *iph;
	__wsum pdiff;
	bool df;

	if (tot > NLB_XLAT_MAX_LEN4)
		return NLB_XLAT_BAD_LEN;
	if (skb_is_gso(skb))
		seg = sizeof(*iph) + pk->l4hdr + skb_shinfo(skb)->gso_size;
	/*
	 * DF (RFC 7915 5.1): none for a fragment (the IPv6 sender fragments,
	 * so IPv4 may too), which includes what the caller reassembled,
	 * else only above 1260 bytes, so that a host told 1280 by a Packet
	 * Too Big can still get through a smaller IPv4 MTU.
	 */
	df = !pk->frag && !reasm && seg > NLB_XLAT_DF_MAX;
	if (df && p->mtu4 && seg > p->mtu4) {
		nlb_set_err(err, ICMPV6_PKT_TOOBIG, 0,
			    max_t(u32, IPV6_MIN_MTU,
				  p->mtu4 + pk->l3len - sizeof(*iph)));
		return NLB_XLAT_TOO_BIG;
	}
	if (skb_ensure_writable(skb, pk->l3len + pk->l4hdr))
		return NLB_XLAT_NOMEM;
	r = nlb_csum_prepare(skb, pk);
	if (r)
		return r;

	/* Nothing fails from here on. */
	memcpy(old, &ipv6_hdr(skb)->saddr, sizeof(old));
	pdiff = csum_sub(nlb_sum4(t->saddr.ip, t->daddr.ip),
			 nlb_sum6(&old[0], &old[1]));
	nlb_l4_rewrite(skb, pk, t, pdiff,
		       csum_sub(0, nlb_pseudo_icmp6(&old[0], &old[1],
						    pk->len - pk->l3len)),
		       nlb_echo_type_6to4(pk->icmp_type));

	if (pk->frag)
		frag_off = htons(pk->frag_off | (pk->mf ? IP_MF : 0));
	else if (df)
		frag_off = htons(IP_DF);
	iph = (struct iphdr *)(skb->data + pk->l3len - sizeof(*iph));
	nlb_put_ip4(iph, pk->tos, tot, frag_off, nlb_ttl(p, pk->ttl),
		    pk->proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : pk->proto,
		    t->saddr.ip, t->daddr.ip);
	if (pk->frag)
		iph->id = htons(pk->frag_id);	/* its low 16 bits */
	else
		__ip_select_ident(p->net, iph, nlb_segs(skb, pk));
	ip_send_check(iph);

	nlb_move_data(skb, (u8 *)iph);
	nlb_finish(skb, htons(ETH_P_IP), sizeof(*iph));
	/*
	 * A reassembled packet: ip_do_fragment() cuts it into fragments no
	 * bigger than the IPv6 ones were, less the 28 bytes the IPv6 and
	 * Fragment Headers took more than the IPv4 header.
	 */
	if (reasm)
		IPCB(skb)->frag_max_size =
			reasm > NLB_XLAT_FRAG_GROWTH + NLB_XLAT_MIN_MTU4 ?
			reasm - NLB_XLAT_FRAG_GROWTH : NLB_XLAT_MIN_MTU4;
	skb->ignore_df = 0;
	nlb_gso_flip(skb, SKB_GSO_TCPV6, SKB_GSO_TCPV4);
	return NLB_XLAT_OK;
}

/**
 * nlb_xlat_6to4() - translate an IPv6 packet into IPv4, in place
 * @skb: the packet; skb->data at the IPv6 header and skb->cb its IP6CB (as
 *	in a netfilter hook), reassembled or not
 * @p: the new addresses and ports, MTUs, flags
 * @err: filled with the ICMPv6 error to send to the packet's source when
 *	the reason says there is one (@err->type 0: none)
 *
 * Translates TCP, UDP, ICMPv6 echo request and reply, and the ICMPv6
 * errors RFC 7915 5.2 maps (with their quoted packet, translated with
 * @p->inner). Hop-by-Hop, Destination Options and Routing headers with no
 * segments left are skipped; a Fragment Header is translated (DF clear,
 * MF, offset and identification copied); a non-first TCP or UDP fragment
 * gets only its IP header translated. The hop limit is decremented (see
 * NLB_XLAT_KEEP_TTL), the traffic class copied, the flow label dropped.
 *
 * On success the packet is an IPv4 packet to @p->outer: skb->protocol,
 * network and transport headers are set (no link-layer header), the
 * control block (IPCB) is zeroed except for frag_max_size, the conntrack
 * reference, the route, the timestamp and the hash are dropped, the mark
 * and the socket are kept; a GSO packet is now SKB_GSO_TCPV4 (or
 * UDP_L4) with SKB_GSO_DODGY and the same gso_size. A packet the caller
 * reassembled (IP6CB(skb)->frag_max_size) has no DF and
 * IPCB(skb)->frag_max_size 28 bytes smaller, so that ip_fragment() cuts it
 * no bigger than it came. The caller then routes it (skb_dst_set()),
 * orphans a local socket's packet and sends it, e.g. with ip_local_out().
 * With @p->mtu4 given, a packet with DF that would not fit is refused
 * with Packet Too Big instead (as ip_fragment() would send Fragmentation
 * Needed to the translated source, the gateway).
 *
 * Context: any; the caller holds what keeps @p->net alive.
 * Return: NLB_XLAT_OK, or why the packet, unchanged, cannot be translated.
 */
enum nlb_xlat_reason nlb_xlat_6to4(struct sk_buff *skb,
				   const struct nlb_xlat_params *p,
				   struct nlb_xlat_icmp *err)
{
	struct nlb_pkt pk = {};
	enum nlb_xlat_reason r;

	memset(err, 0, sizeof(*err));
	if (skb_network_offset(skb))
		return NLB_XLAT_BAD_HDR;
	r = nlb_parse6(skb, &pk, err);
	if (r)
		return r;
	if ((p->flags & NLB_XLAT_NO_FRAGMENTS) && pk.frag)
		return NLB_XLAT_FRAGMENT;
	r = nlb_gso_check(skb, &pk, true);
	if (r)
		return r;
	if (!(p->flags & NLB_XLAT_KEEP_TTL) && pk.ttl <= 1) {
		if (!pk.icmp_err)
			nlb_set_err(err, ICMPV6_TIME_EXCEED,
				    ICMPV6_EXC_HOPLIMIT, 0);
		return NLB_XLAT_HOP_LIMIT;
	}
	if (pk.proto == IPPROTO_ICMPV6) {
		if (pk.icmp_err)
			return nlb_6to4_icmp_err(skb, p, &pk);
		if (pk.icmp_type != ICMPV6_ECHO_REQUEST &&
		    pk.icmp_type != ICMPV6_ECHO_REPLY)
			return NLB_XLAT_ICMP_DROP;
		/* its checksum is fixed incrementally: check it first */
		if (!nlb_icmp_csum_ok(skb, pk.l3len, true))
			return NLB_XLAT_BAD_CSUM;
	}
	/* a zero UDP checksum is not valid over IPv6 (RFC 8200 8.1) */
	if (pk.udp_zero && skb->ip_summed != CHECKSUM_PARTIAL)
		return NLB_XLAT_BAD_CSUM;
	return nlb_6to4_plain(skb, p, &pk, err);
}

/* ICMPv4 error -> ICMPv6 error (RFC 7915 4.2, 4.3). */
static enum nlb_xlat_reason nlb_4to6_icmp_err(struct sk_buff *skb,
					      const struct nlb_xlat_params *p,
					      const struct nlb_pkt *pk)
{
	const struct nlb_xlat_tuple *t = p->outer, *it = p->inner;
	unsigned int ic = pk->l3len, inner = ic + sizeof(struct icmphdr);
	unsigned int end = pk->len, il4, pre, len, h6i;
	struct nlb_inner in = {};
	const struct icmphdr *h4;
	struct icmp6hdr *h6;
	struct ipv6hdr *ip6;
	enum nlb_xlat_reason r;
	u8 type, code, *d;
	u32 info = 0;
	int ptr;

	if (!it)
		return NLB_XLAT_ICMP_INNER;
	if (!nlb_icmp_map_4to6(pk->icmp_type, pk->icmp_code, &type, &code))
		return NLB_XLAT_ICMP_DROP;
	if (skb_ensure_writable(skb, skb->len))
		return NLB_XLAT_NOMEM;
	r = nlb_csum_prepare(skb, pk);
	if (r)
		return r;
	if (!nlb_icmp_csum_ok(skb, ic, false))
		return NLB_XLAT_BAD_CSUM;
	d = skb->data;
	h4 = (const struct icmphdr *)(d + ic);
	/* RFC 4884 extensions (32-bit words) are not translated: dropped */
	if (!nlb_icmp_ext_end(&end, inner, d[ic + 5], 4))
		return NLB_XLAT_ICMP_INNER;
	if (!nlb_inner4(d + inner, end - inner, &in))
		return NLB_XLAT_ICMP_INNER;
	il4 = inner + in.l3len;
	end = min(end, il4 + in.l4len);
	h6i = sizeof(*ip6) + (in.frag ? sizeof(struct frag_hdr) : 0);
	if (type == ICMPV6_PKT_TOOBIG) {
		info = nlb_mtu_4to6(ntohs(h4->un.frag.mtu), in.tot,
				    (int)h6i - (int)in.l3len, p);
	} else if (type == ICMPV6_PARAMPROB && code == ICMPV6_UNK_NEXTHDR) {
		info = offsetof(struct ipv6hdr, nexthdr);
	} else if (type == ICMPV6_PARAMPROB) {
		ptr = nlb_icmp_ptr_4to6(d[ic + 4]);
		if (ptr < 0)
			return NLB_XLAT_ICMP_DROP;
		info = ptr;
	}
	pre = sizeof(*ip6) + sizeof(*h6) + h6i;
	if (pre > il4 && skb_cow(skb, pre - il4 + NLB_XLAT_LL_ROOM))
		return NLB_XLAT_NOMEM;

	/* Nothing fails from here on. */
	d = skb->data;
	if (!in.frag_off)
		nlb_inner_l4_rewrite(d + il4, end - il4, &in, it,
				     csum_sub(nlb_sum6(&it->saddr.in6,
						       &it->daddr.in6),
					      nlb_sum4(in.a4[0], in.a4[1])),
				     nlb_pseudo_icmp6(&it->saddr.in6,
						      &it->daddr.in6,
						      in.l4len),
				     nlb_echo_type_4to6(d[il4]));
	ip6 = (struct ipv6hdr *)(d + il4 - h6i);
	if (in.frag) {
		nlb_put_ip6(ip6, in.tos, in.l4len + sizeof(struct frag_hdr),
			    NEXTHDR_FRAGMENT, in.ttl, &it->saddr.in6,
			    &it->daddr.in6);
		nlb_put_frag((struct frag_hdr *)(ip6 + 1),
			     in.proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 :
			     in.proto, in.frag_off, in.mf, in.frag_id);
	} else {
		nlb_put_ip6(ip6, in.tos, in.l4len,
			    in.proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 :
			    in.proto, in.ttl, &it->saddr.in6, &it->daddr.in6);
	}

	h6 = (struct icmp6hdr *)((u8 *)ip6 - sizeof(*h6));
	memset(h6, 0, sizeof(*h6));
	h6->icmp6_type = type;
	h6->icmp6_code = code;
	if (type == ICMPV6_PKT_TOOBIG)
		h6->icmp6_mtu = htonl(info);
	else if (type == ICMPV6_PARAMPROB)
		h6->icmp6_pointer = htonl(info);

	/* at most the IPv6 minimum MTU (RFC 4443 2.4 (c)) */
	len = min_t(unsigned int, pre + end - il4, IPV6_MIN_MTU);
	ip6 = (struct ipv6hdr *)((u8 *)h6 - sizeof(*ip6));
	nlb_put_ip6(ip6, pk->tos, len - sizeof(*ip6), IPPROTO_ICMPV6,
		    nlb_ttl(p, pk->ttl), &t->saddr.in6, &t->daddr.in6);

	nlb_move_data(skb, (u8 *)ip6);
	skb_trim(skb, len);
	h6->icmp6_cksum = csum_ipv6_magic(&t->saddr.in6, &t->daddr.in6,
					  len - sizeof(*ip6), IPPROTO_ICMPV6,
					  csum_partial(h6, len - sizeof(*ip6),
						       0));
	skb->ip_summed = CHECKSUM_NONE;
	nlb_finish(skb, htons(ETH_P_IPV6), sizeof(*ip6));
	skb->ignore_df = 0;
	return NLB_XLAT_OK;
}

/* An IPv4 UDP datagram without checksum gets one for IPv6 (RFC 7915 4.5). */
static void nlb_udp6_csum(struct sk_buff *skb, unsigned int thoff,
			  const struct nlb_xlat_tuple *t)
{
	struct udphdr *uh = (struct udphdr *)(skb->data + thoff);
	unsigned int len = skb->len - thoff;

	uh->check = 0;
	uh->check = csum_ipv6_magic(&t->saddr.in6, &t->daddr.in6, len,
				    IPPROTO_UDP,
				    skb_checksum(skb, thoff, len, 0));
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
}

/* TCP, UDP, ICMP echo: IPv4 -> IPv6 (RFC 7915 4.1, 4.3). */
static enum nlb_xlat_reason nlb_4to6_plain(struct sk_buff *skb,
					   const struct nlb_xlat_params *p,
					   const struct nlb_pkt *pk,
					   struct nlb_xlat_icmp *err)
{
	unsigned int h6 = sizeof(struct ipv6hdr) +
			  (pk->frag ? sizeof(struct frag_hdr) : 0);
	unsigned int lowest = p->lowest_mtu6 ?: IPV6_MIN_MTU;
	unsigned int len = pk->len - pk->l3len + h6, seg = len;
	unsigned int reasm = IPCB(skb)->frag_max_size, frag6 = 0;
	const struct nlb_xlat_tuple *t = p->outer;
	u8 proto = pk->proto == IPPROTO_ICMP ? IPPROTO_ICMPV6 : pk->proto;
	enum nlb_xlat_reason r;
	struct ipv6hdr *ip6;
	__be32 old[2];

	if (skb_is_gso(skb))
		seg = h6 + pk->l4hdr + skb_shinfo(skb)->gso_size;
	if (pk->frag) {
		/* a fragment cannot be fragmented again, it has its header */
		if (p->mtu6 && len > p->mtu6)
			return NLB_XLAT_FRAGMENT;
	} else if (reasm) {
		/*
		 * Reassembled by the caller: ip6_fragment() cuts it into
		 * fragments no bigger than the IPv4 ones were (plus the 28
		 * bytes they grow by), without DF also no bigger than the
		 * lowest IPv6 MTU, never bigger than the next hop's.
		 */
		frag6 = reasm + NLB_XLAT_FRAG_GROWTH;
		if (!pk->df)
			frag6 = min(frag6, lowest);
		if (p->mtu6)
			frag6 = min(frag6, p->mtu6);
	} else if (pk->df) {
		if (p->mtu6 && seg > p->mtu6) {
			nlb_set_err(err, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				    max_t(int, NLB_XLAT_MIN_MTU4,
					  (int)p->mtu6 - (int)h6 +
					  (int)pk->l3len));
			return NLB_XLAT_TOO_BIG;
		}
	} else if (!skb_is_gso(skb) && len > lowest) {
		/* no DF: fragmented to the lowest IPv6 MTU (RFC 7915 4.1) */
		frag6 = p->mtu6 ? min(lowest, p->mtu6) : lowest;
	}
	if (!pskb_may_pull(skb, pk->l3len + pk->l4hdr))
		return NLB_XLAT_NOMEM;
	if (skb_cow(skb, (h6 > pk->l3len ? h6 - pk->l3len : 0) +
			 NLB_XLAT_LL_ROOM))
		return NLB_XLAT_NOMEM;
	r = nlb_csum_prepare(skb, pk);
	if (r)
		return r;

	/* Nothing fails from here on. */
	memcpy(old, &ip_hdr(skb)->saddr, sizeof(old));
	nlb_l4_rewrite(skb, pk, t,
		       csum_sub(nlb_sum6(&t->saddr.in6, &t->daddr.in6),
				nlb_sum4(old[0], old[1])),
		       nlb_pseudo_icmp6(&t->saddr.in6, &t->daddr.in6,
					pk->len - pk->l3len),
		       nlb_echo_type_4to6(pk->icmp_type));

	ip6 = (struct ipv6hdr *)(skb->data + pk->l3len - h6);
	if (pk->frag) {
		nlb_put_ip6(ip6, pk->tos, len - sizeof(*ip6),
			    NEXTHDR_FRAGMENT, nlb_ttl(p, pk->ttl),
			    &t->saddr.in6, &t->daddr.in6);
		nlb_put_frag((struct frag_hdr *)(ip6 + 1), proto,
			     pk->frag_off, pk->mf, pk->frag_id);
	} else {
		nlb_put_ip6(ip6, pk->tos, len - sizeof(*ip6), proto,
			    nlb_ttl(p, pk->ttl), &t->saddr.in6,
			    &t->daddr.in6);
	}
	nlb_move_data(skb, (u8 *)ip6);
	if (pk->udp_zero && skb->ip_summed != CHECKSUM_PARTIAL)
		nlb_udp6_csum(skb, h6, t);
	nlb_finish(skb, htons(ETH_P_IPV6), h6);
	IP6CB(skb)->frag_max_size = frag6;
	skb->ignore_df = !pk->df || frag6;
	nlb_gso_flip(skb, SKB_GSO_TCPV4, SKB_GSO_TCPV6);
	return NLB_XLAT_OK;
}

/**
 * nlb_xlat_4to6() - translate an IPv4 packet into IPv6, in place
 * @skb: the packet; skb->data at the IPv4 header and skb->cb its IPCB (as
 *	in a netfilter hook), reassembled or not
 * @p: the new addresses and ports, MTUs, flags
 * @err: filled with the ICMPv4 error to send to the packet's source when
 *	the reason says there is one (@err->type 0: none)
 *
 * Translates TCP, UDP, ICMP echo request and reply, and the ICMP errors
 * RFC 7915 4.2 maps (with their quoted packet, translated with
 * @p->inner). IPv4 options are dropped. An IPv4 fragment (MF or an offset)
 * gets a Fragment Header (identification and offset copied); a non-first
 * TCP or UDP fragment only its IP header. A UDP datagram with a zero
 * checksum gets one computed. The TTL is decremented (see
 * NLB_XLAT_KEEP_TTL), the type of service copied to the traffic class,
 * the flow label is 0.
 *
 * Fragmentation on output: with DF, a packet bigger than @p->mtu6 is
 * refused with Fragmentation Needed; without DF and bigger than the
 * lowest IPv6 MTU it is left to ip6_fragment() (skb->ignore_df and
 * IP6CB(skb)->frag_max_size set to the lowest MTU, RFC 7915 4.1); a
 * packet the caller reassembled is refragmented no bigger than its
 * fragments were. A GSO packet's segments grow by 20 bytes with the same
 * gso_size: with DF they are checked against @p->mtu6 as above, without
 * DF ip6_finish_output() fragments those that do not fit.
 *
 * On success the packet is an IPv6 packet to @p->outer, its metadata set
 * as nlb_xlat_6to4() describes (IP6CB zeroed but for frag_max_size).
 *
 * Context: any; the caller holds what keeps @p->net alive.
 * Return: NLB_XLAT_OK, or why the packet, unchanged, cannot be translated.
 */
enum nlb_xlat_reason nlb_xlat_4to6(struct sk_buff *skb,
				   const struct nlb_xlat_params *p,
				   struct nlb_xlat_icmp *err)
{
	struct nlb_pkt pk = {};
	enum nlb_xlat_reason r;

	memset(err, 0, sizeof(*err));
	if (skb_network_offset(skb))
		return NLB_XLAT_BAD_HDR;
	r = nlb_parse4(skb, &pk, err);
	if (r)
		return r;
	if ((p->flags & NLB_XLAT_NO_FRAGMENTS) && pk.frag)
		return NLB_XLAT_FRAGMENT;
	r = nlb_gso_check(skb, &pk, false);
	if (r)
		return r;
	if (!(p->flags & NLB_XLAT_KEEP_TTL) && pk.ttl <= 1) {
		if (!pk.icmp_err)
			nlb_set_err(err, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		return NLB_XLAT_HOP_LIMIT;
	}
	if (pk.srr) {
		if (!pk.icmp_err)
			nlb_set_err(err, ICMP_DEST_UNREACH, ICMP_SR_FAILED, 0);
		return NLB_XLAT_SOURCE_ROUTE;
	}
	if (pk.proto == IPPROTO_ICMP) {
		if (pk.icmp_err)
			return nlb_4to6_icmp_err(skb, p, &pk);
		if (pk.icmp_type != ICMP_ECHO && pk.icmp_type != ICMP_ECHOREPLY)
			return NLB_XLAT_ICMP_DROP;
		if (!nlb_icmp_csum_ok(skb, pk.l3len, false))
			return NLB_XLAT_BAD_CSUM;
	}
	/* no checksum: only an unfragmented datagram gets one (RFC 7915 4.5) */
	if (pk.udp_zero && pk.frag && skb->ip_summed != CHECKSUM_PARTIAL)
		return NLB_XLAT_FRAGMENT;
	return nlb_4to6_plain(skb, p, &pk, err);
}

/**
 * nlb_xlat_mss_clamp() - lower the MSS option of a TCP SYN
 * @skb: an IPv4 or IPv6 packet, skb->data at the IP header
 * @delta: bytes to take off the MSS, e.g. 20 for a 4<->6 translation or
 *	the size of a PROXY v2 header
 *
 * A SYN or SYN-ACK's MSS option becomes MSS - @delta, but not below 88
 * (TCP_MIN_MSS) and never higher than it was; the checksum is fixed
 * (nothing to do for CHECKSUM_PARTIAL, whose device sums the option). A
 * packet that is no SYN or has no MSS option is left alone: the peer then
 * assumes 536 (IPv4) or 1220 (IPv6), small enough. Usable before or after
 * translation.
 *
 * Return: NLB_XLAT_OK (also when nothing changed), or a reason.
 */
enum nlb_xlat_reason nlb_xlat_mss_clamp(struct sk_buff *skb,
					unsigned int delta)
{
	unsigned int thoff, doff, i, len;
	const struct tcphdr *th;
	struct tcphdr _th;
	u8 *opt, _v;
	u16 mss, new;
	const u8 *v;

	if (skb_network_offset(skb))
		return NLB_XLAT_BAD_HDR;
	v = skb_header_pointer(skb, 0, 1, &_v);
	if (!v)
		return NLB_XLAT_TRUNCATED;
	if (*v >> 4 == 4) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);
		if (!iph)
			return NLB_XLAT_TRUNCATED;
		if (iph->ihl < 5)
			return NLB_XLAT_BAD_HDR;
		if (iph->protocol != IPPROTO_TCP)
			return NLB_XLAT_UNSUPPORTED_PROTO;
		if (iph->frag_off & htons(IP_OFFSET))
			return NLB_XLAT_OK;
		thoff = iph->ihl * 4;
	} else if (*v >> 4 == 6) {
		__be16 fo;
		u8 nexthdr;
		int off;

		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
			return NLB_XLAT_TRUNCATED;
		nexthdr = ipv6_hdr(skb)->nexthdr;
		off = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nexthdr,
				       &fo);
		if (off < 0)
			return NLB_XLAT_BAD_HDR;
		if (nexthdr != IPPROTO_TCP)
			return NLB_XLAT_UNSUPPORTED_PROTO;
		if (fo & htons(IP6_OFFSET))
			return NLB_XLAT_OK;
		thoff = off;
	} else {
		return NLB_XLAT_BAD_HDR;
	}

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		return NLB_XLAT_TRUNCATED;
	if (!th->syn)
		return NLB_XLAT_OK;
	doff = th->doff * 4;
	if (doff < sizeof(*th))
		return NLB_XLAT_BAD_HDR;
	if (thoff + doff > skb->len)
		return NLB_XLAT_TRUNCATED;
	if (doff == sizeof(*th))
		return NLB_XLAT_OK;
	if (skb_ensure_writable(skb, thoff + doff))
		return NLB_XLAT_NOMEM;

	opt = skb->data + thoff;
	for (i = sizeof(*th); i < doff; i += len) {
		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			len = 1;
			continue;
		}
		if (i + 1 >= doff)
			return NLB_XLAT_BAD_HDR;
		len = opt[i + 1];
		if (len < 2 || i + len > doff)
			return NLB_XLAT_BAD_HDR;
		if (opt[i] != TCPOPT_MSS || len != TCPOLEN_MSS)
			continue;
		mss = opt[i + 2] << 8 | opt[i + 3];
		if (mss <= NLB_XLAT_MSS_MIN)
			return NLB_XLAT_OK;
		new = mss > delta + NLB_XLAT_MSS_MIN ? mss - delta :
		      NLB_XLAT_MSS_MIN;
		opt[i + 2] = new >> 8;
		opt[i + 3] = new & 0xff;
		/* at an odd offset, the value's bytes swap places in the sum */
		if (i & 1) {
			mss = swab16(mss);
			new = swab16(new);
		}
		inet_proto_csum_replace2(&((struct tcphdr *)opt)->check, skb,
					 htons(mss), htons(new), false);
		return NLB_XLAT_OK;
	}
	return NLB_XLAT_OK;
}

/* May an ICMPv4 error be sent about this packet? (RFC 1122 3.2.2) */
static bool nlb_icmp4_allowed(const struct sk_buff *orig,
			      const struct iphdr *iph)
{
	const u8 *type;
	u8 _type;

	if (ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr) ||
	    ipv4_is_multicast(iph->saddr) || ipv4_is_lbcast(iph->saddr) ||
	    ipv4_is_zeronet(iph->saddr))
		return false;
	if (iph->frag_off & htons(IP_OFFSET))
		return false;
	if (iph->protocol != IPPROTO_ICMP)
		return true;
	type = skb_header_pointer(orig, iph->ihl * 4, 1, &_type);
	return type && nlb_icmp4_info(*type);
}

/* May an ICMPv6 error be sent about this packet? (RFC 4443 2.4 (e)) */
static bool nlb_icmp6_allowed(const struct sk_buff *orig,
			      const struct ipv6hdr *ip6, u8 type)
{
	int st = ipv6_addr_type(&ip6->saddr);
	const u8 *t;
	__be16 fo;
	u8 nexthdr = ip6->nexthdr, _t;
	int off;

	if (st == IPV6_ADDR_ANY || (st & IPV6_ADDR_MULTICAST))
		return false;
	if (ipv6_addr_is_multicast(&ip6->daddr) && type != ICMPV6_PKT_TOOBIG)
		return false;
	off = ipv6_skip_exthdr(orig, sizeof(*ip6), &nexthdr, &fo);
	if (off < 0 || (fo & htons(IP6_OFFSET)))
		return false;
	if (nexthdr != IPPROTO_ICMPV6)
		return true;
	t = skb_header_pointer(orig, off, 1, &_t);
	return t && (*t & ICMPV6_INFOMSG_MASK) && *t != NDISC_REDIRECT;
}

static enum nlb_xlat_reason nlb_icmp4_build(struct net *net,
					    const struct sk_buff *orig,
					    const struct nlb_xlat_icmp *err,
					    __be32 saddr,
					    struct sk_buff **out)
{
	const struct iphdr *oiph;
	struct sk_buff *skb;
	struct icmphdr *h;
	struct iphdr _iph, *iph;
	unsigned int quote;

	oiph = skb_header_pointer(orig, 0, sizeof(_iph), &_iph);
	if (!oiph)
		return NLB_XLAT_TRUNCATED;
	if (oiph->ihl < 5)
		return NLB_XLAT_BAD_HDR;
	if (!nlb_icmp4_allowed(orig, oiph))
		return NLB_XLAT_NO_ERROR;
	quote = min_t(unsigned int, orig->len,
		      NLB_XLAT_ICMP4_MAX - sizeof(*iph) - sizeof(*h));
	skb = alloc_skb(LL_MAX_HEADER + sizeof(*iph) + sizeof(*h) + quote,
			GFP_ATOMIC);
	if (!skb)
		return NLB_XLAT_NOMEM;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put(skb, sizeof(*iph));
	skb_set_transport_header(skb, sizeof(*iph));
	h = skb_put_zero(skb, sizeof(*h));
	if (skb_copy_bits(orig, 0, skb_put(skb, quote), quote)) {
		kfree_skb(skb);
		return NLB_XLAT_TRUNCATED;
	}
	nlb_put_ip4(iph, (oiph->tos & IPTOS_TOS_MASK) |
			 IPTOS_PREC_INTERNETCONTROL,
		    skb->len, 0, READ_ONCE(net->ipv4.sysctl_ip_default_ttl),
		    IPPROTO_ICMP, saddr, oiph->saddr);
	__ip_select_ident(net, iph, 1);
	ip_send_check(iph);
	h->type = err->type;
	h->code = err->code;
	if (err->type == ICMP_DEST_UNREACH && err->code == ICMP_FRAG_NEEDED)
		h->un.frag.mtu = htons(err->info);
	else if (err->type == ICMP_PARAMETERPROB)
		h->un.gateway = htonl(err->info << 24);
	h->checksum = ip_compute_csum(h, sizeof(*h) + quote);
	skb->protocol = htons(ETH_P_IP);
	skb->mark = IP4_REPLY_MARK(net, orig->mark);
	*out = skb;
	return NLB_XLAT_OK;
}

static enum nlb_xlat_reason nlb_icmp6_build(struct net *net,
					    const struct sk_buff *orig,
					    const struct nlb_xlat_icmp *err,
					    const struct in6_addr *saddr,
					    struct sk_buff **out)
{
	const struct ipv6hdr *oip6;
	struct ipv6hdr _ip6, *ip6;
	struct sk_buff *skb;
	struct icmp6hdr *h;
	unsigned int quote, len;

	oip6 = skb_header_pointer(orig, 0, sizeof(_ip6), &_ip6);
	if (!oip6)
		return NLB_XLAT_TRUNCATED;
	if (!nlb_icmp6_allowed(orig, oip6, err->type))
		return NLB_XLAT_NO_ERROR;
	quote = min_t(unsigned int, orig->len,
		      IPV6_MIN_MTU - sizeof(*ip6) - sizeof(*h));
	len = sizeof(*h) + quote;
	skb = alloc_skb(LL_MAX_HEADER + sizeof(*ip6) + len, GFP_ATOMIC);
	if (!skb)
		return NLB_XLAT_NOMEM;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	ip6 = skb_put(skb, sizeof(*ip6));
	skb_set_transport_header(skb, sizeof(*ip6));
	h = skb_put_zero(skb, sizeof(*h));
	if (skb_copy_bits(orig, 0, skb_put(skb, quote), quote)) {
		kfree_skb(skb);
		return NLB_XLAT_TRUNCATED;
	}
	nlb_put_ip6(ip6, 0, len, IPPROTO_ICMPV6,
		    READ_ONCE(net->ipv6.devconf_all->hop_limit), saddr,
		    &oip6->saddr);
	h->icmp6_type = err->type;
	h->icmp6_code = err->code;
	if (err->type == ICMPV6_PKT_TOOBIG)
		h->icmp6_mtu = htonl(err->info);
	else if (err->type == ICMPV6_PARAMPROB)
		h->icmp6_pointer = htonl(err->info);
	h->icmp6_cksum = csum_ipv6_magic(&ip6->saddr, &ip6->daddr, len,
					 IPPROTO_ICMPV6,
					 csum_partial(h, len, 0));
	skb->protocol = htons(ETH_P_IPV6);
	skb->mark = IP6_REPLY_MARK(net, orig->mark);
	*out = skb;
	return NLB_XLAT_OK;
}

/**
 * nlb_xlat_icmp_build() - build an ICMP error about a packet
 * @net: namespace (IPv4 identifier, default TTL and hop limit, reply mark)
 * @orig: the packet the error is about, untranslated, skb->data at its IP
 *	header; not changed
 * @err: the error, in @orig's family, as a translation function or the
 *	caller filled it
 * @saddr: source address of the error (.ip or .in6); the caller chooses
 *	it, e.g. the address @orig was sent to
 * @out: the new packet on success
 *
 * The error goes to @orig's source and quotes as much of @orig as fits in
 * 576 (ICMPv4) or 1280 (ICMPv6) bytes. It carries @orig's conntrack entry
 * (nf_ct_attach(), as the kernel's own errors do), so that conntrack
 * relates it to the connection and NAT translates the quoted packet.
 * No error is built about an ICMP error, a non-first fragment, a packet
 * from a non-unicast source or (except Packet Too Big) to a multicast or
 * broadcast destination. The packet has no route: see
 * nlb_xlat_icmp_send().
 *
 * Return: NLB_XLAT_OK with *@out set, or NLB_XLAT_NO_ERROR,
 * NLB_XLAT_NOMEM, NLB_XLAT_TRUNCATED, NLB_XLAT_BAD_HDR.
 */
enum nlb_xlat_reason nlb_xlat_icmp_build(struct net *net,
					 const struct sk_buff *orig,
					 const struct nlb_xlat_icmp *err,
					 const union nf_inet_addr *saddr,
					 struct sk_buff **out)
{
	enum nlb_xlat_reason r;
	const u8 *v;
	u8 _v;

	*out = NULL;
	if (!err->type)
		return NLB_XLAT_NO_ERROR;
	v = skb_header_pointer(orig, 0, 1, &_v);
	if (!v)
		return NLB_XLAT_TRUNCATED;
	if (*v >> 4 == 4)
		r = nlb_icmp4_build(net, orig, err, saddr->ip, out);
	else if (*v >> 4 == 6)
		r = nlb_icmp6_build(net, orig, err, &saddr->in6, out);
	else
		return NLB_XLAT_BAD_HDR;
	if (!r)
		nf_ct_attach(*out, orig);
	return r;
}

/* Errors the kernel never rate-limits either (icmp_ratemask, RFC 4443). */
static bool nlb_icmp_exempt(const struct sk_buff *skb,
			    const struct nlb_xlat_icmp *err)
{
	if (skb->protocol == htons(ETH_P_IP))
		return err->type == ICMP_DEST_UNREACH &&
		       err->code == ICMP_FRAG_NEEDED;
	return err->type == ICMPV6_PKT_TOOBIG;
}

/**
 * nlb_xlat_icmp_send() - build, route and send an ICMP error about a packet
 * @net: namespace to route and send in
 * @orig: the packet the error is about (see nlb_xlat_icmp_build()); not
 *	changed or consumed
 * @err: the error
 * @saddr: source address of the error; need not be local
 *
 * Builds the error with nlb_xlat_icmp_build(), routes it to @orig's source
 * (an output route, which unlike icmp_send() needs no route on @orig and
 * takes any source address; the link for a link-local destination is the
 * one @orig came in on), sets the TTL or hop limit of the route and sends
 * it with ip_local_out() or ip6_local_out(), so that LOCAL_OUT and
 * POST_ROUTING see it. Errors other than Packet Too Big and Fragmentation
 * Needed count against the kernel's ICMP rate limit
 * (net.ipv4.icmp_msgs_per_sec and _burst, shared with both families' own
 * errors). Call it before @orig is translated or freed.
 *
 * Context: softirq or process context, under rcu_read_lock() or not.
 * Return: NLB_XLAT_OK when sent (delivery is not reported), or why not.
 */
enum nlb_xlat_reason nlb_xlat_icmp_send(struct net *net,
					struct sk_buff *orig,
					const struct nlb_xlat_icmp *err,
					const union nf_inet_addr *saddr)
{
	enum nlb_xlat_reason r;
	struct dst_entry *dst;
	struct sk_buff *skb;
	bool limit;

	r = nlb_xlat_icmp_build(net, orig, err, saddr, &skb);
	if (r)
		return r;
	limit = !nlb_icmp_exempt(skb, err);
	if (limit && !icmp_global_allow(net)) {
		kfree_skb(skb);
		return NLB_XLAT_RATELIMITED;
	}
	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr *iph = ip_hdr(skb);
		struct flowi4 fl4 = {
			.daddr = iph->daddr,
			.saddr = iph->saddr,
			.flowi4_proto = IPPROTO_ICMP,
			.flowi4_mark = skb->mark,
			.flowi4_flags = FLOWI_FLAG_ANYSRC,
			.fl4_icmp_type = err->type,
			.fl4_icmp_code = err->code,
		};
		struct rtable *rt = ip_route_output_flow(net, &fl4, NULL);

		if (IS_ERR(rt)) {
			kfree_skb(skb);
			return NLB_XLAT_NO_ROUTE;
		}
		skb_dst_set(skb, &rt->dst);
		iph->ttl = ip4_dst_hoplimit(&rt->dst);
		ip_send_check(iph);
		if (limit)
			icmp_global_consume(net);
		ip_local_out(net, NULL, skb);
		return NLB_XLAT_OK;
	}

	{
		struct ipv6hdr *ip6 = ipv6_hdr(skb);
		struct flowi6 fl6 = {
			.daddr = ip6->daddr,
			.saddr = ip6->saddr,
			.flowi6_proto = IPPROTO_ICMPV6,
			.flowi6_mark = skb->mark,
			.fl6_icmp_type = err->type,
			.fl6_icmp_code = err->code,
		};

		if (ipv6_addr_type(&ip6->daddr) & IPV6_ADDR_LINKLOCAL)
			fl6.flowi6_oif = orig->skb_iif;
		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			kfree_skb(skb);
			return NLB_XLAT_NO_ROUTE;
		}
		dst = xfrm_lookup(net, dst, flowi6_to_flowi(&fl6), NULL, 0);
		if (IS_ERR(dst)) {
			kfree_skb(skb);
			return NLB_XLAT_NO_ROUTE;
		}
		skb_dst_set(skb, dst);
		ip6->hop_limit = ip6_dst_hoplimit(dst);
		if (limit)
			icmp_global_consume(net);
		ip6_local_out(net, NULL, skb);
		return NLB_XLAT_OK;
	}
}
