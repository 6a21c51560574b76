// SPDX-License-Identifier: GPL-2.0
/*
 * TCP resets for the connections nlb ends itself (drain timeout).
 *
 * nlb sits in the middle of a DNATed connection and knows, from conntrack's
 * TCP window tracking, the sequence numbers both ends are at. To end the
 * connection it forges one RST to each end, each as if sent by the other
 * end: to the client from the address and port it connected to (the VIP,
 * which may or may not be local), to the backend from the client's address
 * and port as the backend sees them (never local). The segments are built
 * from scratch, routed with a non-local source allowed, marked untracked so
 * that conntrack and NAT leave them alone, and sent by the local output
 * path.
 *
 * Which sequence number: a Linux receiver (RFC 5961) resets the connection
 * only on a RST whose sequence number is exactly rcv_nxt; a RST elsewhere
 * in the window only draws a challenge ACK, and one outside it is dropped.
 * rcv_nxt of the receiver is td_end of the other direction (the highest
 * seq + len, SYN and FIN included, seen from the sender) once everything
 * nlb forwarded has arrived, which holds for an idle connection and for
 * anything still in flight behind the RST on the same path. When a
 * forwarded segment was lost on the way, the receiver's rcv_nxt stays at
 * the hole, which its duplicate ACKs announced: td_maxack of its own
 * direction. So a second RST with that number follows the first when the
 * two differ. Whichever one does not match is ignored or draws one
 * challenge ACK; neither does harm.
 *
 * Why RST|ACK: the ACK field of a RST is ignored in the synchronised states,
 * but a client still in SYN-SENT accepts a RST only if it acknowledges its
 * SYN. So the ACK flag is set, acknowledging everything the receiver sent
 * (td_end of its own direction), whenever that is known, i.e. once
 * conntrack has seen the receiver send. It is left out towards a backend
 * that has not answered yet: a half-open request socket drops a RST|ACK
 * with a wrong acknowledgment but is reset by a bare RST in its window.
 * Stateful firewalls on the way (conntrack) take an ACK equal to the
 * receiver's td_end as they take no ACK at all.
 *
 * Conntrack's window tracking records each end's own sequence numbers, as
 * that end sent them. A connection with sequence adjustment (a PROXY v2
 * header nlb inserted, or another helper's or synproxy's corrections) shows
 * a receiver its peer's numbers moved by the peer direction's correction,
 * so each RST's sequence number is moved the same way (nf_ct_seq_adjust()'s
 * rule, on a copy of the corrections taken under the connection's lock);
 * acknowledgment numbers are the receiver's own and need nothing.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/route.h>
#include <net/tcp.h>

#include "reset.h"
#include "route.h"

/*
 * A fresh skb with a TCP RST and room in front for a network header of
 * @nhlen bytes, which the caller fills in; the network header is set, and
 * the checksum is left to the caller too (it needs the addresses).
 */
static struct sk_buff *nlb_reset_build(unsigned int nhlen, __be16 sport,
				       __be16 dport, u32 seq, u32 ack,
				       u8 flags)
{
	struct sk_buff *skb;
	struct tcphdr *th;

	skb = alloc_skb(MAX_HEADER + nhlen + sizeof(*th), GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_HEADER + nhlen);

	skb_reset_transport_header(skb);
	th = skb_put_zero(skb, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->doff = sizeof(*th) / 4;
	th->rst = !(flags & NLB_RESET_PROBE);
	if (flags & NLB_RESET_ACK) {
		th->ack = 1;
		th->ack_seq = htonl(ack);
	}

	skb_push(skb, nhlen);
	skb_reset_network_header(skb);
	/* Checksum complete in software, nothing left for the device. */
	skb->ip_summed = CHECKSUM_NONE;
	/* Not part of any connection: conntrack and NAT skip it. */
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	return skb;
}

static int nlb_reset_xmit_result(int err)
{
	/* Positive: a NET_XMIT_* code from the queueing layer. */
	return err > 0 ? net_xmit_errno(err) : err;
}

static int nlb_send_reset4(struct net *net, u32 mark, __be32 saddr,
			   __be32 daddr, __be16 sport, __be16 dport, u32 seq,
			   u32 ack, u8 flags)
{
	struct nlb_flow f = {
		.saddr.ip = saddr, .daddr.ip = daddr, .sport = sport,
		.dport = dport, .proto = IPPROTO_TCP, .mark = mark,
	};
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct iphdr *iph;
	struct tcphdr *th;

	dst = nlb_route(net, NFPROTO_IPV4, &f);
	if (IS_ERR(dst))
		return PTR_ERR(dst);

	skb = nlb_reset_build(sizeof(*iph), sport, dport, seq, ack, flags);
	if (!skb) {
		dst_release(dst);
		return -ENOMEM;
	}
	skb_dst_set(skb, dst);
	skb->mark = mark;

	th = tcp_hdr(skb);
	th->check = csum_tcpudp_magic(saddr, daddr, sizeof(*th), IPPROTO_TCP,
				      csum_partial(th, sizeof(*th), 0));

	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = 0;
	iph->tot_len = htons(skb->len);
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(dst);
	iph->protocol = IPPROTO_TCP;
	iph->check = 0;
	iph->saddr = saddr;
	iph->daddr = daddr;
	ip_select_ident(net, skb, NULL);

	/* ip_local_out() computes the header checksum. */
	return nlb_reset_xmit_result(ip_local_out(net, NULL, skb));
}

static int nlb_send_reset6(struct net *net, u32 mark,
			   const struct in6_addr *saddr,
			   const struct in6_addr *daddr, __be16 sport,
			   __be16 dport, u32 seq, u32 ack, u8 flags)
{
	struct nlb_flow f = {
		.saddr.in6 = *saddr, .daddr.in6 = *daddr, .sport = sport,
		.dport = dport, .proto = IPPROTO_TCP, .mark = mark,
	};
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	struct sk_buff *skb;
	struct tcphdr *th;

	dst = nlb_route(net, NFPROTO_IPV6, &f);
	if (IS_ERR(dst))
		return PTR_ERR(dst);

	skb = nlb_reset_build(sizeof(*ip6h), sport, dport, seq, ack, flags);
	if (!skb) {
		dst_release(dst);
		return -ENOMEM;
	}
	skb_dst_set(skb, dst);
	skb->mark = mark;

	th = tcp_hdr(skb);
	th->check = csum_ipv6_magic(saddr, daddr, sizeof(*th), IPPROTO_TCP,
				    csum_partial(th, sizeof(*th), 0));

	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(sizeof(*th));
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;

	return nlb_reset_xmit_result(ip6_local_out(net, NULL, skb));
}

/*
 * nlb_send_reset() - send one TCP RST (or probing ACK) built from scratch
 * @net: network namespace to route and send in
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @mark: routes the segment (and is its skb's mark)
 * @saddr: source address; need not be local to this host
 * @daddr: destination address
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number, host order
 * @ack: acknowledgment number, host order; used with NLB_RESET_ACK only
 * @flags: NLB_RESET_ACK for RST|ACK, 0 for a bare RST; with NLB_RESET_PROBE
 *	a pure ACK instead
 *
 * The segment is a bare 20-byte TCP header in an IPv4 (DF set, TTL of the
 * route) or IPv6 (hop limit of the route) packet, routed in @net with the
 * given source, marked untracked for conntrack and sent by the local output
 * path (LOCAL_OUT and POST_ROUTING hooks included).
 *
 * Context: any context that may send packets (process, BHs disabled or
 * softirq); does not sleep. Not with a conntrack hash lock held: sending
 * can re-enter conntrack (e.g. through a tunnel device).
 * Return: 0 when sent, else a negative errno (nothing left allocated).
 */
static int nlb_send_reset(struct net *net, u8 family, u32 mark,
			  const union nf_inet_addr *saddr,
			  const union nf_inet_addr *daddr,
			  __be16 sport, __be16 dport, u32 seq, u32 ack,
			  u8 flags)
{
	switch (family) {
	case NFPROTO_IPV4:
		return nlb_send_reset4(net, mark, saddr->ip, daddr->ip, sport,
				       dport, seq, ack, flags);
	case NFPROTO_IPV6:
		return nlb_send_reset6(net, mark, &saddr->in6, &daddr->in6,
				       sport, dport, seq, ack, flags);
	default:
		return -EAFNOSUPPORT;
	}
}

/*
 * Address @seg to the sender of tuple @t (the receiver's sending
 * direction), from its peer: the ends swapped.
 */
static void nlb_seg_to(struct nlb_reset_seg *seg,
		       const struct nf_conntrack_tuple *t)
{
	seg->saddr = t->dst.u3;
	seg->daddr = t->src.u3;
	seg->sport = t->dst.u.tcp.port;
	seg->dport = t->src.u.tcp.port;
}

/*
 * A sequence number of the sender whose correction is @adj as its receiver
 * sees it: nf_ct_seq_adjust()'s rule.
 */
static u32 nlb_seq_seen(const struct nf_ct_seqadj *adj, u32 seq)
{
	return seq + (after(seq, adj->correction_pos) ? adj->offset_after :
							adj->offset_before);
}

/*
 * Queue the RSTs to one end of the connection. @to is what conntrack knows
 * of the receiver's own sending, @from of its peer's, whose place the RSTs
 * take; @adj is the peer direction's sequence correction.
 */
static void nlb_reset_add(struct nlb_reset *r,
			  const struct nf_conntrack_tuple *t,
			  const struct ip_ct_tcp_state *from,
			  const struct ip_ct_tcp_state *to,
			  const struct nf_ct_seqadj *adj, u8 state)
{
	struct nlb_reset_seg *seg = &r->segs[r->nsegs];

	/*
	 * Nothing seen from the peer: its sequence numbers are unknown, which
	 * only a client in SYN-SENT does not check (the ACK is what counts).
	 */
	if (!from->td_maxwin && state != TCP_CONNTRACK_SYN_SENT)
		return;

	nlb_seg_to(seg, t);
	seg->seq = nlb_seq_seen(adj, from->td_end);
	seg->ack = 0;
	seg->flags = 0;
	if (to->td_maxwin) {
		seg->ack = to->td_end;
		seg->flags |= NLB_RESET_ACK;
	}
	r->nsegs++;

	/* The receiver may be stuck before a lost segment: see the top. */
	if (from->td_maxwin && (to->flags & IP_CT_TCP_FLAG_MAXACK_SET) &&
	    before(to->td_maxack, from->td_end)) {
		seg[1] = seg[0];
		seg[1].seq = nlb_seq_seen(adj, to->td_maxack);
		r->nsegs++;
	}
}

/*
 * Read a TCP connection's state, what conntrack knows of both directions
 * and their sequence corrections (zero without any), under its lock.
 * False when it is not TCP.
 */
static bool nlb_reset_read(struct nf_conn *ct, u8 *state,
			   struct ip_ct_tcp_state *client,
			   struct ip_ct_tcp_state *backend,
			   struct nf_ct_seqadj adj[IP_CT_DIR_MAX])
{
	const struct nf_conn_seqadj *seqadj;

	if (nf_ct_protonum(ct) != IPPROTO_TCP)
		return false;
	seqadj = test_bit(IPS_SEQ_ADJUST_BIT, &ct->status) ? nfct_seqadj(ct) :
							      NULL;
	spin_lock_bh(&ct->lock);
	*state = ct->proto.tcp.state;
	*client = ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL];
	*backend = ct->proto.tcp.seen[IP_CT_DIR_REPLY];
	if (seqadj)
		memcpy(adj, seqadj->seq, sizeof(seqadj->seq));
	else
		memset(adj, 0, IP_CT_DIR_MAX * sizeof(*adj));
	spin_unlock_bh(&ct->lock);
	return true;
}

/**
 * nlb_reset_prepare() - work out the RSTs that end a TCP connection
 * @ct: the connection's conntrack entry
 * @r: filled with the segments to send (@r->list is left alone)
 * @ends: NLB_RESET_CLIENT, NLB_RESET_BACKEND or both: which ends get RSTs
 *	(a leg of a translated connection has only one of the two)
 *
 * Reads the connection's state and sequence numbers under @ct->lock and
 * describes the RSTs that end it at both ends: to the client, from the
 * address and port it connected to; to the backend, from the client's
 * address and port as the backend sees them (the reply tuple). Send them
 * with nlb_reset_send() later, once no conntrack lock is held.
 *
 * Context: any; takes @ct->lock with spin_lock_bh(), so it is fine in a
 * nf_ct_iterate_cleanup_net() callback (conntrack hash lock held, BHs
 * disabled). The caller holds a reference on @ct or a lock that keeps it.
 * A connection in a flowtable gets the numbers conntrack had when it went
 * in, right only if it has been idle since: nlb takes its own offloaded
 * connections out first (nlb_reset_probe_prepare()), but cannot do so for
 * a flowtable it does not own.
 *
 * Return: true if @r holds RSTs to send; false if @ct is not TCP or its
 * state needs no RST (not open or already closing down: TIME_WAIT, CLOSE).
 */
bool nlb_reset_prepare(struct nf_conn *ct, struct nlb_reset *r, u8 ends)
{
	const struct nf_conntrack_tuple *orig, *reply;
	struct nf_ct_seqadj adj[IP_CT_DIR_MAX];
	struct ip_ct_tcp_state client, backend;
	u8 state;

	if (!nlb_reset_read(ct, &state, &client, &backend, adj))
		return false;
	switch (state) {
	case TCP_CONNTRACK_SYN_SENT:
	case TCP_CONNTRACK_SYN_RECV:
	case TCP_CONNTRACK_ESTABLISHED:
	case TCP_CONNTRACK_FIN_WAIT:
	case TCP_CONNTRACK_CLOSE_WAIT:
	case TCP_CONNTRACK_LAST_ACK:
	case TCP_CONNTRACK_SYN_SENT2:
		break;
	default:
		return false;
	}

	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	r->family = nf_ct_l3num(ct);
	r->mark = nlb_ct_mark(ct);
	r->nsegs = 0;
	/* To the client, in the backend's place. */
	if (ends & NLB_RESET_CLIENT)
		nlb_reset_add(r, orig, &backend, &client,
			      &adj[IP_CT_DIR_REPLY], state);
	/* To the backend, in the client's place. */
	if (ends & NLB_RESET_BACKEND)
		nlb_reset_add(r, reply, &client, &backend,
			      &adj[IP_CT_DIR_ORIGINAL], state);
	return r->nsegs > 0;
}

/*
 * Queue an ACK to one end that makes it tell its numbers: a pure ACK just
 * behind what it has received from its peer (@from's last known end) is
 * outside its window, which a receiver answers with an ACK of its own
 * (RFC 793; Linux at most every tcp_invalid_ratelimit, 500 ms) carrying
 * its next sequence number and what it has received. Should the receiver
 * have moved so far (2 GiB) that the number falls into its window, the
 * ACK is an old duplicate and changes nothing.
 */
static void nlb_probe_add(struct nlb_reset *r,
			  const struct nf_conntrack_tuple *t,
			  const struct ip_ct_tcp_state *from,
			  const struct ip_ct_tcp_state *to,
			  const struct nf_ct_seqadj *adj)
{
	struct nlb_reset_seg *seg = &r->segs[r->nsegs++];

	nlb_seg_to(seg, t);
	seg->seq = nlb_seq_seen(adj, from->td_end - 1);
	seg->ack = to->td_end;
	seg->flags = NLB_RESET_ACK | NLB_RESET_PROBE;
}

/**
 * nlb_reset_probe_prepare() - work out the ACKs that make the ends of an
 * established TCP connection tell conntrack their sequence numbers
 * @ct: the connection's conntrack entry
 * @r: filled with the segments to send (@r->list is left alone)
 *
 * A flowtable that hands a connection back to conntrack clears what
 * conntrack knew of both directions' windows (td_maxwin 0), and conntrack
 * picks each direction up again from its next packet. An idle connection
 * sends none, so its RSTs would have no sequence numbers. This asks each
 * end whose direction conntrack has not seen since for an ACK; its answer
 * passes conntrack (the connection is no longer offloaded), and
 * nlb_reset_prepare() then has the numbers. The segments are sent like the
 * RSTs, with nlb_reset_send().
 *
 * Context: as nlb_reset_prepare().
 * Return: true if @r holds ACKs to send: @ct is an established TCP
 * connection, not in a flowtable, with a direction conntrack has not seen
 * since it left one; false otherwise.
 */
bool nlb_reset_probe_prepare(struct nf_conn *ct, struct nlb_reset *r)
{
	struct nf_ct_seqadj adj[IP_CT_DIR_MAX];
	struct ip_ct_tcp_state client, backend;
	u8 state;

	/* Its answers would pass conntrack by. */
	if (test_bit(IPS_OFFLOAD_BIT, &ct->status) ||
	    !nlb_reset_read(ct, &state, &client, &backend, adj))
		return false;
	if (state != TCP_CONNTRACK_ESTABLISHED ||
	    (client.td_maxwin && backend.td_maxwin))
		return false;

	r->family = nf_ct_l3num(ct);
	r->mark = nlb_ct_mark(ct);
	r->nsegs = 0;
	/* To the client, in the backend's place. */
	if (!client.td_maxwin)
		nlb_probe_add(r, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple,
			      &backend, &client, &adj[IP_CT_DIR_REPLY]);
	/* To the backend, in the client's place. */
	if (!backend.td_maxwin)
		nlb_probe_add(r, &ct->tuplehash[IP_CT_DIR_REPLY].tuple,
			      &client, &backend, &adj[IP_CT_DIR_ORIGINAL]);
	return true;
}

/**
 * nlb_reset_send() - send the RSTs worked out by nlb_reset_prepare()
 * (or the ACKs of nlb_reset_probe_prepare())
 * @net: network namespace of the connection
 * @r: the segments
 *
 * Sends every segment of @r in order, even after a failure. A segment
 * that cannot be sent (no route, no memory) is lost like any packet: the
 * connection's end it was for times out instead.
 *
 * Context: as nlb_send_reset(): does not sleep, but must not run under a
 * conntrack lock (so not inside a walk of the conntrack table).
 */
void nlb_reset_send(struct net *net, const struct nlb_reset *r)
{
	const struct nlb_reset_seg *seg;
	unsigned int i;
	int err;

	for (i = 0; i < r->nsegs; i++) {
		seg = &r->segs[i];
		err = nlb_send_reset(net, r->family, r->mark, &seg->saddr,
				     &seg->daddr, seg->sport, seg->dport,
				     seg->seq, seg->ack, seg->flags);
		if (err)
			net_dbg_ratelimited("nlb: drain reset not sent: %d\n",
					    err);
	}
}
