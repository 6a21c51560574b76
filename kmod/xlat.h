/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4 <-> IPv6 packet translation (RFC 7915) for cross-family balancing.
 *
 * Pure skb-level functions: they know nothing of conntrack or of nlb's
 * objects, never look anything up and keep no state. The caller decides
 * every address and port of the translated packet (struct nlb_xlat_tuple)
 * and does the routing and sending. See "Packet translation (RFC 7915)" in
 * Documentation/design.md.
 *
 * Every function returns an enum nlb_xlat_reason. Whenever a translation
 * function returns anything but NLB_XLAT_OK, the packet still holds the
 * original packet, byte for byte (it may have been uncloned, linearized or
 * moved to a larger head, and a CHECKSUM_PARTIAL ICMP message may have had
 * its checksum completed): the caller can send the error the function
 * describes, quoting it, and then drops it.
 *
 * What the caller does around nlb_xlat_6to4() and nlb_xlat_4to6():
 *  - before: have the packet reassembled (nf_defrag) if it can be a
 *    fragment (and pass NLB_XLAT_NO_FRAGMENTS: nf_defrag lets some
 *    malformed fragments through), and confirm or otherwise settle its conntrack entry, whose
 *    reference the translation drops; fill struct nlb_xlat_params, with
 *    the next hop MTUs of the flow's two ends (the translated packet's
 *    route) so that too big packets get the right error;
 *  - on a refusal: nlb_xlat_icmp_send(net, skb, &err, saddr) if err.type
 *    is set (before freeing the packet), count the reason, drop;
 *  - after: route the packet in its new family (skb_dst_set()), orphan
 *    it if it has a local socket, send it (ip_local_out(),
 *    ip6_local_out()); clamp the MSS of translated SYNs by 20 with
 *    nlb_xlat_mss_clamp() so that GSO segments fit.
 */
#ifndef _NLB_XLAT_H
#define _NLB_XLAT_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/types.h>

struct net;

/**
 * enum nlb_xlat_reason - outcome of a translation library function
 * @NLB_XLAT_OK: done
 * @NLB_XLAT_TRUNCATED: a header, or the data a length field announces,
 *	runs past the end of the packet
 * @NLB_XLAT_BAD_LEN: length fields disagree with each other or with the
 *	packet, or the translated packet would not fit its length field
 *	(an IPv6 jumbogram or BIG TCP packet, IPv4 over 65535 bytes)
 * @NLB_XLAT_BAD_HDR: a malformed header: IP version, IHL, IPv4 options,
 *	TCP data offset, extension header chain, GSO metadata
 * @NLB_XLAT_BAD_CSUM: a checksum the library must verify is wrong (IPv4
 *	header, ICMP or ICMPv6 error or echo message), or a UDP checksum over
 *	IPv6 is zero
 * @NLB_XLAT_HOP_LIMIT: the TTL or hop limit would expire; the error to
 *	send is Time Exceeded (none for an ICMP error)
 * @NLB_XLAT_SOURCE_ROUTE: an IPv4 packet with an unexpired source route
 *	option (RFC 7915 4.1); error: Destination Unreachable, Source Route
 *	Failed
 * @NLB_XLAT_UNSUPPORTED_EXTHDR: an IPv6 Routing header with Segments Left
 *	not zero (error: Parameter Problem pointing at Segments Left, RFC 7915
 *	5.1), or an extension header the library cannot skip (error:
 *	Destination Unreachable, administratively prohibited, RFC 7915 5.4)
 * @NLB_XLAT_UNSUPPORTED_PROTO: not TCP, UDP, ICMP or ICMPv6 (error:
 *	administratively prohibited, RFC 7915 4.4 and 5.4)
 * @NLB_XLAT_FRAGMENT: a fragment the library cannot translate alone: an
 *	ICMP fragment, an IPv4 UDP fragment with a zero checksum (RFC 7915
 *	4.5), a GSO packet that is a fragment, or any fragment with
 *	NLB_XLAT_NO_FRAGMENTS
 * @NLB_XLAT_GSO: a GSO type other than TCP and UDP (L4), or tunnelled
 * @NLB_XLAT_ICMP_DROP: an ICMP or ICMPv6 type or code RFC 7915 drops
 *	silently (and no error to send)
 * @NLB_XLAT_ICMP_INNER: an ICMP error whose inner packet cannot be
 *	translated: too short, malformed, an error in an error, not TCP, UDP
 *	or echo, or no inner tuple given
 * @NLB_XLAT_TOO_BIG: the translated packet would exceed the MTU the caller
 *	gave and may not be fragmented; error: Packet Too Big or
 *	Fragmentation Needed with the MTU the sender must use
 * @NLB_XLAT_NOMEM: out of memory
 * @NLB_XLAT_NO_ROUTE: nlb_xlat_icmp_send(): no route back to the sender
 * @NLB_XLAT_RATELIMITED: nlb_xlat_icmp_send(): over the ICMP rate limit
 *	(net.ipv4.icmp_msgs_per_sec, shared with the kernel's own errors)
 * @NLB_XLAT_NO_ERROR: nlb_xlat_icmp_build(): no error may be sent about
 *	this packet (RFC 1122 3.2.2, RFC 4443 2.4: it is an ICMP error, a
 *	non-first fragment, from a non-unicast source or, except for Packet
 *	Too Big, to a multicast destination), or @err is empty
 * @__NLB_XLAT_MAX: number of reasons
 */
enum nlb_xlat_reason {
	NLB_XLAT_OK,
	NLB_XLAT_TRUNCATED,
	NLB_XLAT_BAD_LEN,
	NLB_XLAT_BAD_HDR,
	NLB_XLAT_BAD_CSUM,
	NLB_XLAT_HOP_LIMIT,
	NLB_XLAT_SOURCE_ROUTE,
	NLB_XLAT_UNSUPPORTED_EXTHDR,
	NLB_XLAT_UNSUPPORTED_PROTO,
	NLB_XLAT_FRAGMENT,
	NLB_XLAT_GSO,
	NLB_XLAT_ICMP_DROP,
	NLB_XLAT_ICMP_INNER,
	NLB_XLAT_TOO_BIG,
	NLB_XLAT_NOMEM,
	NLB_XLAT_NO_ROUTE,
	NLB_XLAT_RATELIMITED,
	NLB_XLAT_NO_ERROR,
	__NLB_XLAT_MAX
};

/**
 * struct nlb_xlat_tuple - addresses and ports a translated packet gets
 * @saddr: source address (.ip for IPv4, .in6 for IPv6)
 * @daddr: destination address
 * @sport: TCP or UDP source port; for ICMP echo request and reply: the
 *	identifier
 * @dport: TCP or UDP destination port; unused for ICMP
 *
 * For an ICMP error, the outer tuple gives the addresses of the error
 * itself (the ports are unused) and the inner tuple those of the packet
 * it quotes, which are the flow's addresses and ports as the receiver of
 * the error sent it: the reverse of the reply direction's mapping.
 */
struct nlb_xlat_tuple {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;
	__be16 dport;
};

/* Do not decrement the TTL or hop limit (the packet is the gateway's own). */
#define NLB_XLAT_KEEP_TTL	BIT(0)
/*
 * The caller has packets reassembled: one that is still a fragment (an
 * IPv6 fragment nf_defrag let through as malformed, an IPv4 one from a
 * local IP_NODEFRAG socket) is refused with NLB_XLAT_FRAGMENT, no error.
 */
#define NLB_XLAT_NO_FRAGMENTS	BIT(1)

/**
 * struct nlb_xlat_params - what a translation needs besides the packet
 * @net: namespace of the packet, for IPv4 identifiers (must not be NULL)
 * @outer: addresses and ports of the translated packet
 * @inner: addresses and ports of the packet an ICMP error quotes, once
 *	translated; NULL refuses ICMP errors (NLB_XLAT_ICMP_INNER)
 * @mtu4: MTU of the IPv4 next hop, toward the flow's IPv4 end; 0: unknown
 * @mtu6: MTU of the IPv6 next hop, toward the flow's IPv6 end; 0: unknown
 * @lowest_mtu6: the smallest IPv6 MTU of the network (RFC 7915 4.1): an
 *	IPv4 packet without DF that grows past it is fragmented to it;
 *	0: 1280
 * @flags: NLB_XLAT_KEEP_TTL, NLB_XLAT_NO_FRAGMENTS
 *
 * The MTU of the translated packet's family (@mtu4 for 6->4, @mtu6 for
 * 4->6) is the limit for NLB_XLAT_TOO_BIG; both clamp the MTU of a
 * translated Packet Too Big or Fragmentation Needed (RFC 7915 4.2, 5.2).
 */
struct nlb_xlat_params {
	struct net *net;
	const struct nlb_xlat_tuple *outer;
	const struct nlb_xlat_tuple *inner;
	u32 mtu4;
	u32 mtu6;
	u32 lowest_mtu6;
	u32 flags;
};

/**
 * struct nlb_xlat_icmp - an ICMP error to send to the sender of a packet
 * @type: ICMP or ICMPv6 type, in the family of the packet; 0: none
 * @code: code
 * @info: the MTU (Packet Too Big, Fragmentation Needed) or the pointer
 *	(Parameter Problem), host order; 0 otherwise
 */
struct nlb_xlat_icmp {
	u8 type;
	u8 code;
	u32 info;
};

enum nlb_xlat_reason nlb_xlat_6to4(struct sk_buff *skb,
				   const struct nlb_xlat_params *p,
				   struct nlb_xlat_icmp *err);
enum nlb_xlat_reason nlb_xlat_4to6(struct sk_buff *skb,
				   const struct nlb_xlat_params *p,
				   struct nlb_xlat_icmp *err);
enum nlb_xlat_reason nlb_xlat_mss_clamp(struct sk_buff *skb,
					unsigned int delta);
enum nlb_xlat_reason nlb_xlat_icmp_build(struct net *net,
					 const struct sk_buff *orig,
					 const struct nlb_xlat_icmp *err,
					 const union nf_inet_addr *saddr,
					 struct sk_buff **out);
enum nlb_xlat_reason nlb_xlat_icmp_send(struct net *net,
					struct sk_buff *orig,
					const struct nlb_xlat_icmp *err,
					const union nf_inet_addr *saddr);
const char *nlb_xlat_reason_name(enum nlb_xlat_reason reason);

#endif /* _NLB_XLAT_H */
