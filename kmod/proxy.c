// SPDX-License-Identifier: GPL-2.0
/*
 * The client's address for the backend: a PROXY protocol v2 header
 * (haproxy's specification) inserted into the TCP stream, before the
 * client's first byte.
 *
 * The header is built here (nlb_proxy_v2_build()) and inserted by nlb's
 * conntrack helper, whose .help runs in nf_confirm (the last hook of
 * POST_ROUTING and LOCAL_IN) before conntrack's own sequence adjustment
 * (nf_ct_seq_adjust()), as nf_nat_ftp mangles its PORT commands: a client
 * segment's sequence number is still the client's own when .help sees it.
 *
 * Where the header goes: into every client segment whose sequence number is
 * the client's ISN+1 while the backend has not acknowledged the header.
 * That is the ACK that completes the handshake (so a server that speaks
 * first, as SMTP or MySQL do, gets the header without waiting for client
 * data), the client's first data segment, which has the same sequence
 * number, and retransmissions of either: all carry the same bytes at the
 * same sequence numbers, so whichever arrives first, and any overlap, gives
 * the backend the same stream.
 *
 * Sequence numbers: conntrack's seqadj extension holds one correction per
 * direction (a position, an offset at and before it, an offset after it).
 * From the client's SYN on, the client direction's is "after ISN+1, add the
 * header's length": a segment at ISN+1 carries the header and keeps its
 * number, every later one moves by the length, in both directions (the
 * backend's ACKs and SACK blocks move back). It is set at the SYN, before
 * any other client segment can pass, so that a later segment overtaking a
 * lost first one is moved too.
 *
 * Once the backend has acknowledged the header, a client segment at ISN+1
 * without the header must move instead (a pure ACK of a client that has
 * sent nothing yet, its RST, a retransmission of data after the backend
 * acknowledged only the header): the correction becomes "after ISN, add the
 * length" and the header is no longer inserted. The change is made by the
 * next client segment's .help, under the connection's lock, so that it never
 * falls between another client segment's insertion and its adjustment: a
 * connection's packets of one direction pass nf_confirm one after the other
 * (the order nf_nat_ftp's corrections rely on too). For a connection that
 * sends nothing more, the census makes the change before a drain reset,
 * and the module's unload once the helper no longer runs.
 *
 * conntrack checks a backend segment's SACK blocks with the correction of
 * its cumulative ACK; while the header is missing, the backend's SACKs of
 * later data look to it like acknowledgments of data never sent, so the
 * backend's direction gets conntrack's liberal window tracking.
 *
 * The backend's SYN-ACK announces an MSS lowered by the header's length, so
 * that a full-sized first segment with the header still fits.
 *
 * Not covered: data in the SYN (TCP Fast Open). It is removed from the SYN,
 * so the backend acknowledges the SYN alone and the client sends the data
 * again after the handshake, behind the header (the round trip TFO saves
 * is lost, nothing else). Segments of a connection on the loopback device
 * (a client on the gateway to a backend on the gateway): nf_confirm does
 * not adjust their sequence numbers, so they get no header.
 */
#include <linux/skbuff.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/netfilter/nf_nat_helper.h>

#include "proxy.h"

/* Some connection was given a header since the module was loaded. */
static bool nlb_proxy_in_use;

static const u8 nlb_proxy_v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/**
 * nlb_proxy_v2_build() - build a PROXY protocol v2 header
 * @buf: at least NLB_PROXY_V2_MAX_LEN bytes
 * @a: the client's family, addresses and ports
 *
 * The header: the 12-byte signature, version 2 with the PROXY command
 * (0x21), TCP over the client's family (0x11 IPv4, 0x21 IPv6), the length
 * of the address block (12 or 36, big endian), then the source (client) and
 * destination (VIP) addresses and ports, in network byte order. No TLVs.
 *
 * Return: the header's length (NLB_PROXY_V2_LEN4 or _LEN6), or
 * -EAFNOSUPPORT for another family.
 */
int nlb_proxy_v2_build(u8 *buf, const struct nlb_proxy_addrs *a)
{
	unsigned int alen;
	u8 *p = buf + 16;

	switch (a->family) {
	case NFPROTO_IPV4:
		alen = sizeof(a->src.ip);
		buf[13] = 0x11;
		break;
	case NFPROTO_IPV6:
		alen = sizeof(a->src.in6);
		buf[13] = 0x21;
		break;
	default:
		return -EAFNOSUPPORT;
	}
	memcpy(buf, nlb_proxy_v2_sig, sizeof(nlb_proxy_v2_sig));
	buf[12] = 0x21;
	buf[14] = 0;
	buf[15] = 2 * alen + 4;
	memcpy(p, a->src.all, alen);
	memcpy(p + alen, a->dst.all, alen);
	memcpy(p + 2 * alen, &a->sport, 2);
	memcpy(p + 2 * alen + 2, &a->dport, 2);
	return 16 + 2 * alen + 4;
}

/**
 * nlb_proxy_addrs_of() - what the header of a connection says
 * @ct: a same-family connection, or the client's leg of a translated one
 * @a: set to its original tuple: the client's family, address and port, the
 *	VIP and the listener's port
 */
void nlb_proxy_addrs_of(const struct nf_conn *ct, struct nlb_proxy_addrs *a)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	a->family = nf_ct_l3num(ct);
	a->src = t->src.u3;
	a->dst = t->dst.u3;
	a->sport = t->src.u.tcp.port;
	a->dport = t->dst.u.tcp.port;
}

/*
 * The client direction's correction while the header is being sent: after
 * ISN+1, add its length; a segment at ISN+1 carries it and keeps its number.
 */
static void nlb_proxy_adj_send(struct nf_ct_seqadj *adj, u32 isn, u8 len)
{
	adj->correction_pos = isn + 1;
	adj->offset_before = 0;
	adj->offset_after = len;
}

/* Once the backend has the header: every segment from ISN+1 on moves. */
static void nlb_proxy_adj_done(struct nf_ct_seqadj *adj, u32 isn, u8 len)
{
	adj->correction_pos = isn;
	adj->offset_before = 0;
	adj->offset_after = len;
}

/*
 * The state machine, on the connection's state and its client direction's
 * correction, under ct->lock (pure, for KUnit).
 *
 * A client SYN: its sequence number is the ISN. A SYN sent again before any
 * header went out (another ISN, if the client restarted) starts over.
 * Return: whether the correction was set.
 */
static bool nlb_proxy_step_syn(struct nlb_proxy_ct *p,
			       struct nf_ct_seqadj *adj, u32 seq)
{
	if (p->state != NLB_PROXY_CT_SYN &&
	    (p->state != NLB_PROXY_CT_SEND || p->sent))
		return false;
	p->isn = seq;
	p->state = NLB_PROXY_CT_SEND;
	nlb_proxy_adj_send(adj, seq, p->len);
	return true;
}

/*
 * Any other client segment. A RST never carries the header: it only ends
 * the connection if its number is the one the backend expects.
 * Return: whether it gets the header.
 */
static bool nlb_proxy_step_client(struct nlb_proxy_ct *p,
				  struct nf_ct_seqadj *adj, u32 seq, bool rst)
{
	if (p->state == NLB_PROXY_CT_ACKED) {
		nlb_proxy_adj_done(adj, p->isn, p->len);
		p->state = NLB_PROXY_CT_DONE;
	}
	return p->state == NLB_PROXY_CT_SEND && !rst && seq == p->isn + 1;
}

/* A backend segment acknowledging @ack (the backend's own numbers). */
static void nlb_proxy_step_reply(struct nlb_proxy_ct *p, u32 ack)
{
	if (p->state == NLB_PROXY_CT_SEND && p->sent &&
	    !before(ack, p->isn + 1 + p->len))
		p->state = NLB_PROXY_CT_ACKED;
}

/* The MSS a SYN-ACK announcing @mss announces once the header is taken. */
static u16 nlb_proxy_mss(u16 mss, u8 len)
{
	return mss > len ? mss - len : mss;
}

/*
 * The value of the MSS option in the TCP options @opt[0..@len), or NULL.
 * A malformed option list ends the search.
 */
static u8 *nlb_proxy_mss_opt(u8 *opt, unsigned int len)
{
	unsigned int i = 0;

	while (i < len) {
		switch (opt[i]) {
		case TCPOPT_EOL:
			return NULL;
		case TCPOPT_NOP:
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return NULL;
		if (opt[i] == TCPOPT_MSS && opt[i + 1] == TCPOLEN_MSS)
			return opt + i + 2;
		i += opt[i + 1];
	}
	return NULL;
}

/* Lower the MSS option of the backend's SYN-ACK by the header's length. */
static void nlb_proxy_clamp_mss(struct sk_buff *skb, unsigned int protoff,
				u8 len)
{
	unsigned int hlen;
	struct tcphdr *th;
	u16 mss, lower;
	u8 *opt;

	if (skb_ensure_writable(skb, protoff + sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + protoff);
	hlen = __tcp_hdrlen(th);
	if (hlen <= sizeof(*th) || skb_ensure_writable(skb, protoff + hlen))
		return;
	th = (struct tcphdr *)(skb->data + protoff);
	opt = nlb_proxy_mss_opt((u8 *)(th + 1), hlen - sizeof(*th));
	if (!opt)
		return;
	mss = opt[0] << 8 | opt[1];
	lower = nlb_proxy_mss(mss, len);
	if (lower == mss)
		return;
	opt[0] = lower >> 8;
	opt[1] = lower & 0xff;
	inet_proto_csum_replace2(&th->check, skb, htons(mss), htons(lower),
				 false);
}

/* The client direction's correction, or NULL. */
static struct nf_ct_seqadj *nlb_proxy_adj(struct nf_conn *ct)
{
	struct nf_conn_seqadj *seqadj = nfct_seqadj(ct);

	return seqadj ? &seqadj->seq[IP_CT_DIR_ORIGINAL] : NULL;
}

/*
 * The client's SYN (before confirmation): its ISN, the correction, and
 * the data of a TCP Fast Open SYN removed.
 */
static unsigned int nlb_proxy_syn(struct sk_buff *skb, unsigned int protoff,
				  struct nf_conn *ct,
				  enum ip_conntrack_info ctinfo,
				  struct nlb_proxy_ct *p,
				  const struct tcphdr *th)
{
	struct nf_ct_seqadj *adj = nlb_proxy_adj(ct);
	unsigned int datalen;
	char none = 0;
	bool ours;

	if (th->ack)
		return NF_ACCEPT;
	/* nf_confirm does not adjust loopback packets: no header then. */
	if (!adj || nf_is_loopback_packet(skb)) {
		WRITE_ONCE(p->state, NLB_PROXY_CT_DONE);
		return NF_ACCEPT;
	}
	spin_lock_bh(&ct->lock);
	ours = nlb_proxy_step_syn(p, adj, ntohl(th->seq));
	/*
	 * conntrack checks the backend's SACK blocks with the correction
	 * of its cumulative ACK (nf_ct_seq_offset(ack - 1)): while the
	 * header is missing (lost, or overtaken), the backend SACKs later
	 * data with an ACK of ISN+1 and conntrack would take the blocks
	 * for acknowledgments of data not sent yet, mark the segment
	 * invalid and leave it untranslated (the client would answer with
	 * a RST). Such old segments can come late, so the backend's side of
	 * the connection keeps liberal window tracking.
	 */
	if (ours)
		ct->proto.tcp.seen[IP_CT_DIR_REPLY].flags |=
			IP_CT_TCP_FLAG_BE_LIBERAL;
	spin_unlock_bh(&ct->lock);
	if (!ours)
		return NF_ACCEPT;
	set_bit(IPS_SEQ_ADJUST_BIT, &ct->status);

	datalen = skb->len - protoff - __tcp_hdrlen(th);
	if (!datalen)
		return NF_ACCEPT;
	/*
	 * Fast Open: the backend would take the data before the header.
	 * Without it, it acknowledges the SYN only and the client sends the
	 * data again at ISN+1, where the header goes.
	 */
	if (!__nf_nat_mangle_tcp_packet(skb, ct, ctinfo, protoff, 0, datalen,
					&none, 0, false))
		return NF_DROP;
	return NF_ACCEPT;
}

/* Put the header in front of a client segment's payload. */
static unsigned int nlb_proxy_insert(struct sk_buff *skb,
				     unsigned int protoff, struct nf_conn *ct,
				     enum ip_conntrack_info ctinfo,
				     struct nlb_proxy_ct *p,
				     const struct nlb_proxy_addrs *a,
				     bool *first)
{
	u8 hdr[NLB_PROXY_V2_MAX_LEN];
	struct nlb_proxy_addrs own;
	struct tcphdr *th;
	int len;

	if (!a) {
		nlb_proxy_addrs_of(ct, &own);
		a = &own;
	}
	len = nlb_proxy_v2_build(hdr, a);
	if (len != p->len) {
		net_warn_ratelimited("nlb: PROXY header of %d bytes, %u expected\n",
				     len, p->len);
		return NF_DROP;
	}
	/*
	 * The IP length field, whatever the family; a GRO packet this big
	 * is dropped and comes again as the segments it was made of.
	 */
	if (skb->len + len > IP_MAX_MTU) {
		net_dbg_ratelimited("nlb: no room for the PROXY header in a %u-byte packet\n",
				    skb->len);
		return NF_DROP;
	}
	/* The seqadj correction is set already: no adjustment here. */
	if (!__nf_nat_mangle_tcp_packet(skb, ct, ctinfo, protoff, 0, 0,
					(const char *)hdr, len, false))
		return NF_DROP;
	if (skb_is_gso(skb)) {
		th = (struct tcphdr *)(skb->data + protoff);
		skb_shinfo(skb)->gso_segs =
			DIV_ROUND_UP(skb->len - protoff - __tcp_hdrlen(th),
				     skb_shinfo(skb)->gso_size);
	}
	spin_lock_bh(&ct->lock);
	*first = !p->sent;
	p->sent = 1;
	spin_unlock_bh(&ct->lock);
	return NF_ACCEPT;
}

/**
 * nlb_proxy_prepare() - give a new connection what the header needs
 * @ct: the connection, not confirmed yet
 *
 * Adds conntrack's seqadj extension, which must exist before confirmation
 * (nf_nat_setup_info() adds it only to connections that have a helper
 * already). Call before the helper extension is added: adding an extension
 * may move the others.
 *
 * Return: 0 or -ENOMEM.
 */
int nlb_proxy_prepare(struct nf_conn *ct)
{
	if (nfct_seqadj(ct) || nfct_seqadj_ext_add(ct))
		return 0;
	return -ENOMEM;
}

/**
 * nlb_proxy_init() - make a connection one that sends the header
 * @p: its state, in its helper data
 * @family: the client's family (NFPROTO_IPV4 or NFPROTO_IPV6), which sets
 *	the header's length
 */
void nlb_proxy_init(struct nlb_proxy_ct *p, u8 family)
{
	p->isn = 0;
	p->state = NLB_PROXY_CT_SYN;
	p->len = family == NFPROTO_IPV4 ? NLB_PROXY_V2_LEN4 :
					  NLB_PROXY_V2_LEN6;
	p->sent = 0;
	if (!READ_ONCE(nlb_proxy_in_use))
		WRITE_ONCE(nlb_proxy_in_use, true);
}

/**
 * nlb_proxy_help() - a connection's packet, from its helper's .help
 * @skb: the packet, at its network header
 * @protoff: offset of its TCP header
 * @ct: its connection, prepared by nlb_proxy_prepare()
 * @ctinfo: its conntrack info
 * @p: the connection's state, from nlb_proxy_init()
 * @a: what the header says, or NULL for the connection's original tuple
 *	(client and VIP of a same-family connection); its family must be the
 *	one given to nlb_proxy_init()
 * @first: set when this packet carries the connection's first header
 *
 * Client direction: the SYN gives the ISN and sets the sequence correction
 * (its Fast Open data removed); segments at ISN+1 get the header until the
 * backend has acknowledged it, then the correction moves. Backend
 * direction: the SYN-ACK's MSS is lowered by the header's length; ACKs
 * tell when the header has arrived.
 *
 * Call before conntrack's sequence adjustment of the packet: from .help in
 * nf_confirm, or for a packet that does not reach nf_confirm, just before
 * nlb_proxy_seq_adjust(). Runs under RCU, in softirq or with BHs enabled;
 * takes ct->lock.
 *
 * Return: NF_ACCEPT, or NF_DROP when a header could not be inserted (no
 * memory, or no room in a 64 KiB packet): the client sends the segment
 * again.
 */
unsigned int nlb_proxy_help(struct sk_buff *skb, unsigned int protoff,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			    struct nlb_proxy_ct *p,
			    const struct nlb_proxy_addrs *a, bool *first)
{
	struct nf_ct_seqadj *adj;
	const struct tcphdr *th;
	struct tcphdr _th;
	bool insert;
	u8 state;

	*first = false;
	state = READ_ONCE(p->state);
	if (state == NLB_PROXY_CT_OFF || state == NLB_PROXY_CT_DONE ||
	    nf_ct_protonum(ct) != IPPROTO_TCP)
		return NF_ACCEPT;
	/* ICMP errors are .help'ed too (IP_CT_RELATED): not TCP segments. */
	if (ctinfo != IP_CT_NEW && ctinfo != IP_CT_ESTABLISHED &&
	    ctinfo != IP_CT_ESTABLISHED_REPLY)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;

	if (CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY) {
		if (state != NLB_PROXY_CT_SEND || !th->ack)
			return NF_ACCEPT;
		if (th->syn) {
			nlb_proxy_clamp_mss(skb, protoff, p->len);
			return NF_ACCEPT;
		}
		spin_lock_bh(&ct->lock);
		nlb_proxy_step_reply(p, ntohl(th->ack_seq));
		spin_unlock_bh(&ct->lock);
		return NF_ACCEPT;
	}

	if (th->syn)
		return nlb_proxy_syn(skb, protoff, ct, ctinfo, p, th);
	adj = nlb_proxy_adj(ct);
	if (!adj)
		return NF_ACCEPT;
	spin_lock_bh(&ct->lock);
	insert = nlb_proxy_step_client(p, adj, ntohl(th->seq), th->rst);
	spin_unlock_bh(&ct->lock);
	if (!insert)
		return NF_ACCEPT;
	return nlb_proxy_insert(skb, protoff, ct, ctinfo, p, a, first);
}

/**
 * nlb_proxy_seq_adjust() - conntrack's sequence adjustment of a packet
 * that does not pass nf_confirm
 * @skb: the packet, at its network header
 * @protoff: offset of its TCP header
 * @ct: its connection
 * @ctinfo: its conntrack info
 *
 * What nf_confirm does after .help, for a packet taken before it (a reply
 * stolen at PRE_ROUTING for translation): its sequence and acknowledgment
 * numbers and SACK blocks moved by the connection's corrections, if it has
 * any. Call after nlb_proxy_help() on the same packet.
 *
 * Return: true, or false when the packet could not be made writable (drop
 * it).
 */
bool nlb_proxy_seq_adjust(struct sk_buff *skb, unsigned int protoff,
			  struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	if (nf_ct_protonum(ct) != IPPROTO_TCP ||
	    (ctinfo != IP_CT_ESTABLISHED && ctinfo != IP_CT_ESTABLISHED_REPLY) ||
	    !test_bit(IPS_SEQ_ADJUST_BIT, &ct->status) ||
	    nf_is_loopback_packet(skb))
		return true;
	return nf_ct_seq_adjust(skb, ct, ctinfo, protoff);
}

/**
 * nlb_proxy_settle() - make a connection's sequence correction final
 * @ct: the connection
 * @p: its state
 *
 * For a connection whose packets nlb's helper no longer sees (the helper
 * unregistered or removed by ctnetlink), or before its numbers are read to
 * reset it: a header the backend acknowledged gets its final correction, so
 * that conntrack alone carries the connection on. Call with ct->lock held,
 * and, but before a reset, only once no CPU can be in .help for @ct.
 *
 * Return: true if conntrack alone can carry the connection; false while
 * the header is still being sent (the backend may or may not have it: the
 * connection must end).
 */
bool nlb_proxy_settle(struct nf_conn *ct, struct nlb_proxy_ct *p)
{
	struct nf_ct_seqadj *adj;

	lockdep_assert_held(&ct->lock);
	switch (p->state) {
	case NLB_PROXY_CT_ACKED:
		adj = nlb_proxy_adj(ct);
		if (adj)
			nlb_proxy_adj_done(adj, p->isn, p->len);
		p->state = NLB_PROXY_CT_DONE;
		return true;
	case NLB_PROXY_CT_SEND:
		return false;
	default:
		return true;
	}
}

/**
 * nlb_proxy_used() - whether any connection was given a header state
 * since the module was loaded
 *
 * Return: true if so.
 */
bool nlb_proxy_used(void)
{
	return READ_ONCE(nlb_proxy_in_use);
}
