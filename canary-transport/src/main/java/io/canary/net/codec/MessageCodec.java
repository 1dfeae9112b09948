package io.canary.net.codec;

import io.canary.transport.Message;

/**
 * Binary form of every {@link Message}, and of whole frames. Stateless and thread-safe.
 *
 * <p>Decoding is hostile-input safe: lengths and counts are validated against the payload before
 * anything is allocated for them, and the decoded object graph is bounded by the frame limit
 * (see {@link WireReader#charge}). Every problem is a {@link CodecException} with one clear line.
 */
public final class MessageCodec {
    /**
     * The code of the Heartbeat's appended log position (lastVersion, lastTerm). Appended fields
     * carry explicit codes, never reused; a Heartbeat that ends before it decodes as
     * {@code (committedVersion, 0)}.
     */
    static final int HEARTBEAT_LOG_POSITION = 1;
    /** The code of the Heartbeat's appended promise in doubt (protocol version 4), sent only when it has one. */
    static final int HEARTBEAT_IN_DOUBT = 2;

    private final int maxFrameBytes;

    /** @param maxFrameBytes hard limit of one frame, header included */
    public MessageCodec(int maxFrameBytes) {
        if (maxFrameBytes < WireFormat.MIN_MAX_FRAME_BYTES || maxFrameBytes > WireFormat.MAX_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be in [" + WireFormat.MIN_MAX_FRAME_BYTES + ","
                    + WireFormat.MAX_MAX_FRAME_BYTES + "], got " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The frame limit, header included. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * A complete frame for {@code message} in {@link WireFormat#PROTOCOL_VERSION}.
     *
     * @throws CodecException if the frame would exceed the limit or a string is not valid Unicode
     */
    public byte[] encodeFrame(Message message) {
        return encodeFrame(message, WireFormat.PROTOCOL_VERSION);
    }

    /** A complete frame for {@code message}, with {@code version} in its header. */
    public byte[] encodeFrame(Message message, int version) {
        return finish(headerAndPayload(message, version), version);
    }

    /** Header (with the payload's length filled in) and payload of {@code message}, size-checked. */
    private WireWriter headerAndPayload(Message message, int version) {
        MessageType type = MessageType.of(message);
        WireWriter w = new WireWriter();
        FrameHeader.write(w, version, type.code(), 0);
        writePayload(w, message);
        int length = w.size() - WireFormat.HEADER_BYTES;
        checkSize(length, type.name());
        w.putInt(WireFormat.HEADER_BYTES - 4, length);
        return w;
    }

    /** Appends the checksum if {@code version} has one, and returns the frame. */
    private static byte[] finish(WireWriter w, int version) {
        if (WireFormat.hasChecksum(version)) {
            w.writeChecksum();
        }
        return w.toByteArray();
    }

    /** A complete Hello frame. */
    public byte[] encodeHello(Hello hello) {
        return rawFrame(hello.protocolVersion(), WireFormat.TYPE_HELLO, hello.encode());
    }

    /** A complete auth frame (the second frame each way). */
    public byte[] encodeAuth(AuthOffer offer) {
        return rawFrame(WireFormat.PROTOCOL_VERSION, WireFormat.TYPE_AUTH, offer.encode());
    }

    /** A complete proof frame. */
    public byte[] encodeProof(byte[] proof) {
        return rawFrame(WireFormat.PROTOCOL_VERSION, WireFormat.TYPE_PROOF, proof.clone());
    }

    /**
     * Header and payload of a frame for {@code message}, without its trailers: an authenticated
     * connection appends the tag and the checksum (see {@link WireFormat}).
     */
    public byte[] encodeUnsealed(Message message, int version) {
        return headerAndPayload(message, version).toByteArray();
    }

    /**
     * The complete frame for header and payload from {@link #encodeUnsealed}: with the checksum if {@code version}
     * has one (a copy), else {@code unsealed} itself. Equal to {@link #encodeFrame(Message, int)} of the same message.
     */
    public byte[] finishFrame(byte[] unsealed, int version) {
        if (!WireFormat.hasChecksum(version)) {
            return unsealed;
        }
        return new WireWriter(unsealed.length + WireFormat.CHECKSUM_BYTES).writeBytes(unsealed).writeChecksum().toByteArray();
    }

    /** A complete Reject frame carrying {@code reason}. */
    public byte[] encodeReject(String reason) {
        return rawFrame(WireFormat.PROTOCOL_VERSION, WireFormat.TYPE_REJECT, Hello.encodeReject(reason));
    }

    private byte[] rawFrame(int version, int type, byte[] payload) {
        checkSize(payload.length, "control frame type " + type);
        WireWriter w = new WireWriter(WireFormat.HEADER_BYTES + payload.length + WireFormat.CHECKSUM_BYTES);
        FrameHeader.write(w, version, type, payload.length);
        w.writeBytes(payload);
        return finish(w, version);
    }

    private void checkSize(int payloadLength, String what) {
        if ((long) payloadLength + WireFormat.HEADER_BYTES > maxFrameBytes) {
            throw new CodecException(what + " frame of " + ((long) payloadLength + WireFormat.HEADER_BYTES)
                    + " bytes exceeds the limit of " + maxFrameBytes + " bytes");
        }
    }

    /** The payload of {@code message}, without a header. */
    public byte[] encodePayload(Message message) {
        WireWriter w = new WireWriter();
        writePayload(w, message);
        return w.toByteArray();
    }

    /**
     * Decodes a message payload of frame type {@code type}.
     *
     * @throws CodecException if the type is not a message, the payload is malformed, truncated,
     *     has trailing bytes or would decode to more than the frame limit
     */
    public Message decode(int type, byte[] payload, int offset, int length) {
        MessageType t = MessageType.ofCode(type);
        if (t == null) {
            throw new CodecException("unknown message type " + type);
        }
        WireReader r = new WireReader(payload, offset, length, maxFrameBytes);
        Message m = readPayload(t, r);
        r.expectEnd(t.name());
        return m;
    }

    /**
     * Decodes the rest of {@code r} as a message of frame type {@code type}; the caller reads
     * {@link WireReader#charged()} afterwards to see what the decoded message cost.
     */
    public Message decode(int type, WireReader r) {
        MessageType t = MessageType.ofCode(type);
        if (t == null) {
            throw new CodecException("unknown message type " + type);
        }
        Message m = readPayload(t, r);
        r.expectEnd(t.name());
        return m;
    }

    private static void writePayload(WireWriter w, Message message) {
        if (message instanceof Message.Prepare m) {
            w.writeLong(m.term()).writeLong(m.txId());
            StateCodec.writeState(w, m.proposed());
        } else if (message instanceof Message.Vote m) {
            w.writeLong(m.term()).writeLong(m.txId()).writeBoolean(m.yes()).writeByte(m.refusal().code())
                    .writeString(m.reason());
        } else if (message instanceof Message.Commit m) {
            w.writeLong(m.term()).writeLong(m.txId());
            StateCodec.writeState(w, m.state());
        } else if (message instanceof Message.CommitAck m) {
            w.writeLong(m.term()).writeLong(m.txId());
        } else if (message instanceof Message.Abort m) {
            w.writeLong(m.term()).writeLong(m.txId()).writeLong(m.version()).writeString(m.reason());
        } else if (message instanceof Message.AbortAck m) {
            w.writeLong(m.term()).writeLong(m.txId());
        } else if (message instanceof Message.DecisionQuery m) {
            w.writeLong(m.term()).writeLong(m.txId()).writeLong(m.version());
        } else if (message instanceof Message.Heartbeat m) {
            w.writeLong(m.term()).writeLong(m.committedVersion()).writeBoolean(m.ready()).writeLong(m.sentAt())
                    .writeLong(m.echo()).writeBoolean(m.coordinator()).writeBoolean(m.leaseHolder());
            // Appended fields, each behind its explicit code: a frame that ends before one is an older
            // sender's, and decodes with that field's default.
            w.writeByte(HEARTBEAT_LOG_POSITION).writeLong(m.lastVersion()).writeLong(m.lastTerm());
            if (m.inDoubt().isPresent()) {
                w.writeByte(HEARTBEAT_IN_DOUBT);
                writePrepared(w, m.inDoubt().get());
            }
        } else if (message instanceof Message.StateSync m) {
            w.writeLong(m.term());
            StateCodec.writeState(w, m.state());
        } else if (message instanceof Message.RequestVote m) {
            w.writeLong(m.term()).writeLong(m.lastVersion()).writeLong(m.lastTerm()).writeBoolean(m.preVote());
        } else if (message instanceof Message.RequestVoteReply m) {
            w.writeLong(m.term()).writeBoolean(m.granted()).writeBoolean(m.preVote());
            StateCodec.writeState(w, m.committed());
            w.writeBoolean(m.prepared().isPresent());
            if (m.prepared().isPresent()) {
                writePrepared(w, m.prepared().get());
            }
            w.writeLong(m.abortedTxId()).writeLong(m.abortedVersion());
            w.writeByte(m.relayed().size());
            for (Message.PreparedReport p : m.relayed()) {
                writePrepared(w, p);
            }
        } else if (message instanceof Message.HealthReport m) {
            HealthCodec.writeSnapshot(w, m.snapshot());
        } else if (message instanceof Message.VerdictReport m) {
            w.writeString(m.rolloutId());
            RolloutCodec.writeVerdict(w, m.verdict());
        } else if (message instanceof Message.ForwardRequest m) {
            w.writeLong(m.requestId()).writeLong(m.term());
            RolloutCodec.writeCommand(w, m.command());
        } else if (message instanceof Message.ForwardResponse m) {
            w.writeLong(m.requestId()).writeByte(m.outcome().code());
            StateCodec.writeState(w, m.state());
            w.writeString(m.error());
        } else {
            // Unreachable while every Message has a branch above; MessageCodecTest enumerates them.
            throw new CodecException("no wire form for message " + message.getClass().getName());
        }
    }

    private static Message readPayload(MessageType type, WireReader r) {
        switch (type) {
            case PREPARE: {
                long term = r.readLong("term");
                long txId = r.readLong("txId");
                return new Message.Prepare(term, txId, StateCodec.readState(r));
            }
            case VOTE: {
                long term = r.readLong("term");
                long txId = r.readLong("txId");
                boolean yes = r.readBoolean("vote");
                Message.Refusal refusal = readRefusal(r);
                String reason = r.readString("vote reason");
                if (yes != (refusal == Message.Refusal.NONE)) {
                    throw new CodecException("a YES vote has refusal NONE and a NO another, got yes=" + yes + " " + refusal);
                }
                return new Message.Vote(term, txId, yes, refusal, reason);
            }
            case COMMIT: {
                long term = r.readLong("term");
                long txId = r.readLong("txId");
                return new Message.Commit(term, txId, StateCodec.readState(r));
            }
            case COMMIT_ACK: {
                long term = r.readLong("term");
                return new Message.CommitAck(term, r.readLong("txId"));
            }
            case ABORT: {
                long term = r.readLong("term");
                long txId = r.readLong("txId");
                long version = r.readLong("aborted version");
                return new Message.Abort(term, txId, version, r.readString("abort reason"));
            }
            case ABORT_ACK: {
                long term = r.readLong("term");
                return new Message.AbortAck(term, r.readLong("txId"));
            }
            case DECISION_QUERY: {
                long term = r.readLong("term");
                long txId = r.readLong("txId");
                return new Message.DecisionQuery(term, txId, r.readLong("queried version"));
            }
            case HEARTBEAT: {
                long term = r.readLong("term");
                long version = r.readLong("committed version");
                boolean ready = r.readBoolean("ready");
                long sentAt = r.readLong("sentAt");
                long echo = r.readLong("echo");
                boolean coordinator = r.readBoolean("coordinator");
                boolean leaseHolder = r.readBoolean("leaseHolder");
                long lastVersion = version;
                long lastTerm = 0;
                java.util.Optional<Message.PreparedReport> inDoubt = java.util.Optional.empty();
                int expected = HEARTBEAT_LOG_POSITION;
                while (r.remaining() > 0) {
                    // Appended fields come in the order of their codes, each at most once.
                    int field = r.readUnsignedByte("heartbeat field code");
                    if (field < expected || field > HEARTBEAT_IN_DOUBT) {
                        throw new CodecException("unknown or repeated heartbeat field code " + field + " (known: "
                                + HEARTBEAT_LOG_POSITION + ", " + HEARTBEAT_IN_DOUBT + ", in that order)");
                    }
                    if (field == HEARTBEAT_LOG_POSITION) {
                        lastVersion = r.readLong("last version");
                        lastTerm = r.readLong("last term");
                    } else {
                        inDoubt = java.util.Optional.of(readPrepared(r));
                    }
                    expected = field + 1;
                }
                return new Message.Heartbeat(term, version, ready, sentAt, echo, coordinator, leaseHolder,
                        lastVersion, lastTerm, inDoubt);
            }
            case STATE_SYNC: {
                long term = r.readLong("term");
                return new Message.StateSync(term, StateCodec.readState(r));
            }
            case REQUEST_VOTE: {
                long term = r.readLong("term");
                long lastVersion = r.readLong("last version");
                long lastTerm = r.readLong("last term");
                return new Message.RequestVote(term, lastVersion, lastTerm, r.readBoolean("preVote"));
            }
            case REQUEST_VOTE_REPLY: {
                long term = r.readLong("term");
                boolean granted = r.readBoolean("granted");
                boolean preVote = r.readBoolean("preVote");
                var committed = StateCodec.readState(r);
                java.util.Optional<Message.PreparedReport> prepared = java.util.Optional.empty();
                if (r.readBoolean("has prepared")) {
                    prepared = java.util.Optional.of(readPrepared(r));
                }
                long abortedTx = r.readLong("aborted txId");
                long abortedVersion = r.readLong("aborted version");
                int count = r.readUnsignedByte("relayed count");
                if (count > Message.RequestVoteReply.MAX_RELAYED) {
                    throw new CodecException("relayed count " + count + " exceeds " + Message.RequestVoteReply.MAX_RELAYED);
                }
                java.util.List<Message.PreparedReport> relayed = new java.util.ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    relayed.add(readPrepared(r));
                }
                return new Message.RequestVoteReply(term, granted, preVote, committed, prepared, abortedTx, abortedVersion,
                        relayed);
            }
            case HEALTH_REPORT:
                return new Message.HealthReport(HealthCodec.readSnapshot(r));
            case VERDICT_REPORT: {
                String rolloutId = r.readString("rollout id");
                return new Message.VerdictReport(rolloutId, RolloutCodec.readVerdict(r));
            }
            case FORWARD_REQUEST: {
                long requestId = r.readLong("requestId");
                long term = r.readLong("term");
                return new Message.ForwardRequest(requestId, term, RolloutCodec.readCommand(r));
            }
            case FORWARD_RESPONSE: {
                long requestId = r.readLong("requestId");
                Message.ForwardResponse.Outcome outcome = readOutcome(r);
                var state = StateCodec.readState(r);
                return new Message.ForwardResponse(requestId, outcome, state, r.readString("error"));
            }
            default:
                throw new CodecException("no decoder for message type " + type);
        }
    }

    private static Message.Refusal readRefusal(WireReader r) {
        int code = r.readUnsignedByte("vote refusal");
        try {
            return Message.Refusal.ofCode(code);
        } catch (IllegalArgumentException e) {
            throw new CodecException("unknown vote refusal code " + code);
        }
    }

    private static Message.ForwardResponse.Outcome readOutcome(WireReader r) {
        int code = r.readUnsignedByte("forward outcome");
        Message.ForwardResponse.Outcome outcome = Message.ForwardResponse.Outcome.ofCode(code);
        if (outcome == null) {
            throw new CodecException("unknown forward outcome code " + code);
        }
        return outcome;
    }

    private static void writePrepared(WireWriter w, Message.PreparedReport p) {
        w.writeLong(p.term()).writeLong(p.txId());
        StateCodec.writeState(w, p.proposed());
    }

    private static Message.PreparedReport readPrepared(WireReader r) {
        long term = r.readLong("prepared term");
        long txId = r.readLong("prepared txId");
        return new Message.PreparedReport(term, txId, StateCodec.readState(r));
    }
}
