package org.p2pdns.node.intro;

import java.net.InetSocketAddress;
import java.util.List;
import org.p2pdns.node.identity.NodeId;

/**
 * The messages of the introduction protocol (first byte 0x60..0x6f, see docs/introduction-server.md), one record per
 * message. {@link IntroCodec} turns them into bytes and back.
 */
public sealed interface IntroMessage {

    /** Protocol version carried in the second byte of every message. */
    int VERSION = 1;

    /** Wire type of this message (first byte). */
    int type();

    /**
     * Node to server: "I am this key, bound on these local endpoints". Signed by the node key over a domain-separated
     * encoding of every field before the signature; the server records the source address as the reflexive endpoint.
     * {@code cookie} is the one from the last REGISTERED at this address, 0 when none.
     */
    record Register(long requestId, byte[] publicKey, long timestampMillis, int wantPeers, long cookie,
                    List<InetSocketAddress> locals, byte[] signature) implements IntroMessage {
        public Register {
            locals = List.copyOf(locals);
            if (publicKey.length != 32 || signature.length != 64) {
                throw new IllegalArgumentException("key is 32 bytes, signature 64");
            }
            if (wantPeers < 0 || wantPeers > 255 || locals.size() > PeerInfo.MAX_LOCALS) {
                throw new IllegalArgumentException("wantPeers in 0..255, at most 4 locals");
            }
        }

        @Override
        public int type() {
            return IntroCodec.REGISTER;
        }

        public NodeId nodeId() {
            return NodeId.ofPublicKey(publicKey);
        }
    }

    /**
     * Server to node: registration accepted; the address the server saw, how long it lasts, an address cookie (echoed
     * in later requests it proves the node receives at that address, which lifts the anti-amplification cap on
     * replies) and a sample of live peers.
     */
    record Registered(long requestId, InetSocketAddress observed, int ttlSeconds, long cookie, List<PeerInfo> peers)
            implements IntroMessage {
        public Registered {
            peers = List.copyOf(peers);
        }

        @Override
        public int type() {
            return IntroCodec.REGISTERED;
        }
    }

    /** Node to server: "send me up to {@code want} live peers" (the node must be registered from this address). */
    record PeersRequest(long requestId, NodeId nodeId, int want, long cookie) implements IntroMessage {
        @Override
        public int type() {
            return IntroCodec.PEERS_REQUEST;
        }
    }

    /** Server to node: a random sample of live peers. */
    record Peers(long requestId, List<PeerInfo> peers) implements IntroMessage {
        public Peers {
            peers = List.copyOf(peers);
        }

        @Override
        public int type() {
            return IntroCodec.PEERS;
        }
    }

    /** Node A to server: "introduce me to {@code targetId}". */
    record Rendezvous(long requestId, NodeId nodeId, NodeId targetId) implements IntroMessage {
        @Override
        public int type() {
            return IntroCodec.RENDEZVOUS;
        }
    }

    /**
     * Server to both sides of a rendezvous, sent at the same moment: "punch towards {@code peer} now"; {@code token}
     * identifies the attempt in PUNCH probes; {@code initiator} is true for the side that asked.
     */
    record PunchNow(long requestId, long token, boolean initiator, PeerInfo peer) implements IntroMessage {
        @Override
        public int type() {
            return IntroCodec.PUNCH_NOW;
        }
    }

    /** Node to server: forward {@code payload} to {@code toId} (the sender must be registered from this address). */
    record Relay(NodeId fromId, NodeId toId, byte[] payload) implements IntroMessage {
        @Override
        public int type() {
            return IntroCodec.RELAY;
        }
    }

    /** Server to node: {@code payload} relayed from {@code fromId}. */
    record Relayed(NodeId fromId, byte[] payload) implements IntroMessage {
        @Override
        public int type() {
            return IntroCodec.RELAYED;
        }
    }

    /** Server to node: the request {@code requestId} was refused (0 when the request could not be decoded). */
    record Error(long requestId, IntroError error) implements IntroMessage {
        @Override
        public int type() {
            return IntroCodec.ERROR;
        }
    }
}
