package io.canary.net;

import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.FrameHeader;
import io.canary.net.codec.Hello;
import io.canary.net.codec.MessageCodec;
import io.canary.net.codec.WireFormat;
import io.canary.net.internal.Authenticator;
import io.canary.net.internal.FrameSeal;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/** The connector's side of a real authenticated handshake, for a test client posing as a member that holds the secret. */
final class FuzzHandshake {
    private FuzzHandshake() {
    }

    /** Runs the handshake on {@code s} as {@code self} towards {@code target}; returns the seal for what we send next. */
    static FrameSeal connect(Socket s, MessageCodec codec, String cluster, String self, String target, ClusterSecret secret)
            throws IOException {
        Authenticator auth = new Authenticator(secret, cluster, self, WireFormat.PROTOCOL_VERSION);
        AuthOffer ours = auth.offer();
        OutputStream out = s.getOutputStream();
        out.write(codec.encodeHello(new Hello(cluster, self, WireFormat.PROTOCOL_VERSION)));
        out.write(codec.encodeAuth(ours));
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        expect(in, WireFormat.TYPE_HELLO);
        byte[] theirs = expect(in, WireFormat.TYPE_AUTH);
        byte[] nonceA = AuthOffer.decode(theirs, 0, theirs.length).nonce();
        byte[] key = secret.pairKey(self, target).orElseThrow();
        out.write(codec.encodeProof(auth.proof(key, Authenticator.Role.CONNECTOR, self, target, ours.nonce(), nonceA)));
        out.flush();
        expect(in, WireFormat.TYPE_PROOF);
        return auth.session(key, self, target, ours.nonce(), nonceA);
    }

    private static byte[] expect(DataInputStream in, int type) throws IOException {
        byte[] header = new byte[WireFormat.HEADER_BYTES];
        in.readFully(header);
        FrameHeader h = FrameHeader.parse(header, WireFormat.DEFAULT_MAX_FRAME_BYTES);
        byte[] payload = new byte[h.length()];
        in.readFully(payload);
        in.readFully(new byte[WireFormat.CHECKSUM_BYTES]);
        if (h.type() != type) {
            throw new IOException("expected frame type " + type + " in the handshake, got " + h.type());
        }
        return payload;
    }
}
