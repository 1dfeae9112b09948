package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.CodecException;
import io.canary.net.codec.Hello;
import io.canary.net.codec.WireFormat;

/**
 * The connector's side of the handshake as a state machine without I/O (the NIO twin of
 * {@link Dialer#dial}'s exchange): our Hello and auth frame, the peer's, then (with a secret) our
 * proof first and the peer's after it. Same checks and the same lines. One per connection attempt,
 * on the selector thread.
 */
final class ConnectorHandshake {
    /** The peer, or we, refused the connection; the message is the line both logs show. */
    static final class Refused extends RuntimeException {
        /** What to send the peer before closing (a Reject frame), or null. */
        final byte[] reject;

        Refused(String line, byte[] reject) {
            super(line, null, false, false);
            this.reject = reject;
        }
    }

    /** What a frame led to: bytes to send (maybe none), and once the handshake is done, the connection's seal. */
    record Step(byte[] send, boolean open, FrameSeal seal) {
        static final Step WAIT = new Step(null, false, null);
    }

    private enum Stage { HELLO, AUTH, PROOF, DONE }

    private final NodeContext ctx;
    private final String peerId;
    private final HostPort address;
    private final AuthOffer ours;
    private Stage stage = Stage.HELLO;
    private byte[] pairKey;
    private byte[] nonceA;

    ConnectorHandshake(NodeContext ctx, String peerId, HostPort address) {
        this.ctx = ctx;
        this.peerId = peerId;
        this.address = address;
        this.ours = ctx.auth.offer();
    }

    /** Our Hello and auth frame, sent as soon as TCP is up. */
    byte[] first() {
        byte[] hello = ctx.codec.encodeHello(ctx.handshake.hello());
        byte[] auth = ctx.codec.encodeAuth(ours);
        byte[] both = java.util.Arrays.copyOf(hello, hello.length + auth.length);
        System.arraycopy(auth, 0, both, hello.length, auth.length);
        return both;
    }

    /**
     * The peer's next handshake frame.
     *
     * @throws Refused if either side refuses the other
     * @throws CodecException if the peer spoke garbage
     */
    Step onFrame(FrameReader.Frame f) {
        switch (stage) {
            case HELLO -> {
                byte[] hello = expect(f, WireFormat.TYPE_HELLO, "a Hello");
                String problem = ctx.handshake.problemWithOutbound(Hello.decode(hello, 0, hello.length), peerId,
                        address.toString());
                if (problem != null) {
                    throw refuse(problem);
                }
                stage = Stage.AUTH;
                return Step.WAIT;
            }
            case AUTH -> {
                byte[] auth = expect(f, WireFormat.TYPE_AUTH, "its auth frame");
                AuthOffer offer = AuthOffer.decode(auth, 0, auth.length);
                String problem = ctx.auth.problemWithMode(peerId, offer.mode());
                if (problem != null) {
                    throw refuse(problem);
                }
                if (offer.mode() == AuthOffer.Mode.NONE) {
                    stage = Stage.DONE;
                    return new Step(null, true, null);
                }
                pairKey = ctx.auth.key(peerId).orElse(null);
                if (pairKey == null) {
                    throw refuse(ctx.auth.noKey(peerId));
                }
                nonceA = offer.nonce();
                stage = Stage.PROOF;
                return new Step(ctx.codec.encodeProof(ctx.auth.proof(pairKey, Authenticator.Role.CONNECTOR, ctx.selfId,
                        peerId, ours.nonce(), nonceA)), false, null);
            }
            case PROOF -> {
                byte[] proof = AuthOffer.decodeProof(expect(f, WireFormat.TYPE_PROOF, "its proof"), 0, AuthOffer.PROOF_BYTES);
                if (!ctx.auth.verify(pairKey, Authenticator.Role.ACCEPTOR, ctx.selfId, peerId, ours.nonce(), nonceA, proof)) {
                    // No Reject: a peer that verified our proof holds our pair key, so this one is no member; just close.
                    throw new Refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId + ": "
                            + Authenticator.badProof(peerId, ctx.selfId), null);
                }
                stage = Stage.DONE;
                return new Step(null, true, ctx.auth.session(pairKey, ctx.selfId, peerId, ours.nonce(), nonceA));
            }
            default -> throw new CodecException("unexpected data from " + peerId + " after the handshake");
        }
    }

    /** The peer's frame, which must be of {@code type}; a Reject is the peer refusing us. */
    private byte[] expect(FrameReader.Frame f, int type, String what) {
        if (f.header().type() == WireFormat.TYPE_REJECT) {
            String reason = Printable.of(Hello.decodeReject(f.payload(), 0, f.payload().length), 300);
            throw new Refused("connection to " + peerId + " at " + address + " rejected by " + peerId + ": " + reason, null);
        }
        if (f.header().type() != type) {
            throw new CodecException("expected " + what + " from " + peerId + ", got frame type " + f.header().type());
        }
        return f.payload();
    }

    /** Why we refuse the peer: the line our log shows, and the Reject that tells the peer. */
    private Refused refuse(String problem) {
        return new Refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId + ": " + problem,
                ctx.codec.encodeReject(problem));
    }
}
