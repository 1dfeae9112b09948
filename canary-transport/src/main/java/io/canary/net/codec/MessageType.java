package io.canary.net.codec;

import io.canary.transport.Message;

/**
 * The frame type code of every {@link Message}. Codes are part of the wire protocol: never reuse
 * or renumber one; a new message takes a new code and bumps {@link WireFormat#PROTOCOL_VERSION}.
 */
public enum MessageType {
    PREPARE(16, Message.Prepare.class),
    VOTE(17, Message.Vote.class),
    COMMIT(18, Message.Commit.class),
    COMMIT_ACK(19, Message.CommitAck.class),
    ABORT(20, Message.Abort.class),
    DECISION_QUERY(21, Message.DecisionQuery.class),
    HEARTBEAT(22, Message.Heartbeat.class),
    STATE_SYNC(23, Message.StateSync.class),
    HEALTH_REPORT(24, Message.HealthReport.class),
    VERDICT_REPORT(25, Message.VerdictReport.class),
    FORWARD_REQUEST(26, Message.ForwardRequest.class),
    FORWARD_RESPONSE(27, Message.ForwardResponse.class),
    ABORT_ACK(28, Message.AbortAck.class),
    REQUEST_VOTE(29, Message.RequestVote.class),
    REQUEST_VOTE_REPLY(30, Message.RequestVoteReply.class);

    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final Class<? extends Message> type;

    MessageType(int code, Class<? extends Message> type) {
        this.code = code;
        this.type = type;
    }

    /** The byte in the frame header. */
    public int code() {
        return code;
    }

    /** The message class this code stands for. */
    public Class<? extends Message> messageClass() {
        return type;
    }

    /** The type of a frame code, or null for a code that is no message (Hello, Reject, unknown). */
    public static MessageType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * The type of a message.
     *
     * @throws CodecException for a message class without a code (a new message added to
     *     {@link Message} but not here)
     */
    public static MessageType of(Message m) {
        for (MessageType t : values()) {
            if (t.type == m.getClass()) {
                return t;
            }
        }
        throw new CodecException("no wire type for message " + m.getClass().getName());
    }
}
