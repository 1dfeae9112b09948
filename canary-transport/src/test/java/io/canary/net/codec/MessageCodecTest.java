package io.canary.net.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.Verdict;
import io.canary.transport.Message;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
    private final MessageCodec codec = new MessageCodec(WireFormat.DEFAULT_MAX_FRAME_BYTES);

    @Test
    void everyMessageTypeHasAWireTypeAndEdgeCaseSamples() {
        // Fails when a message is added to the sealed Message without codec support.
        Set<Class<?>> sampled = Samples.messages().stream().map(Object::getClass).collect(Collectors.toSet());
        for (Class<?> type : Message.class.getPermittedSubclasses()) {
            assertThat(Arrays.stream(MessageType.values()).map(MessageType::messageClass))
                    .as("MessageType code for %s", type.getSimpleName()).contains(type.asSubclass(Message.class));
            assertThat(sampled).as("round-trip sample of %s", type.getSimpleName()).contains(type);
        }
        assertThat(MessageType.values()).hasSameSizeAs(Message.class.getPermittedSubclasses());
    }

    @Test
    void everyCommandTypeHasASample() {
        Set<Class<?>> sampled = Samples.commands().stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(sampled).containsExactlyInAnyOrder(Message.Command.class.getPermittedSubclasses());
    }

    @Test
    void everyMessageRoundTripsThroughAFrameToAnEqualMessage() {
        for (Message m : Samples.messages()) {
            byte[] frame = codec.encodeFrame(m);
            FrameHeader h = FrameHeader.parse(frame, codec.maxFrameBytes());
            assertThat(h.version()).isEqualTo(WireFormat.PROTOCOL_VERSION);
            assertThat(h.type()).isEqualTo(MessageType.of(m).code());
            assertThat(h.length()).isEqualTo(frame.length - WireFormat.HEADER_BYTES - WireFormat.CHECKSUM_BYTES);
            assertThat(readInt(frame, frame.length - 4)).as("CRC32C trailer")
                    .isEqualTo(WireFormat.checksum(frame, 0, frame.length - 4));
            Message decoded = codec.decode(h.type(), frame, WireFormat.HEADER_BYTES, h.length());
            assertThat(decoded).as("round trip of %s", m).isEqualTo(m);
        }
    }

    @Test
    void aHelloWithLongestUnicodeIdsRoundTripsAndALongerIdIsRefused() {
        String longest = "🚀".repeat(Hello.MAX_ID_BYTES / 2); // 256 UTF-16 chars, 512 UTF-8 bytes
        Hello hello = new Hello(longest, longest, 1);
        byte[] payload = hello.encode();
        assertThat(Hello.decode(payload, 0, payload.length)).isEqualTo(hello);

        byte[] tooLong = new Hello("x".repeat(Hello.MAX_ID_BYTES + 1), "node-b", 1).encode();
        assertThatThrownBy(() -> Hello.decode(tooLong, 0, tooLong.length))
                .isInstanceOf(CodecException.class).hasMessage("hello cluster id must be 1..256 characters, got 257");
    }

    @Test
    void helloAndRejectRoundTrip() {
        Hello hello = new Hello("prod-" + Samples.UNICODE, "node-b", Integer.MAX_VALUE);
        byte[] frame = codec.encodeHello(hello);
        FrameHeader h = FrameHeader.parse(frame, codec.maxFrameBytes());
        assertThat(h.type()).isEqualTo(WireFormat.TYPE_HELLO);
        assertThat(Hello.decode(frame, WireFormat.HEADER_BYTES, h.length())).isEqualTo(hello);

        byte[] reject = codec.encodeReject("cluster id 'prod' does not match node-a's cluster id 'test'");
        FrameHeader rh = FrameHeader.parse(reject, codec.maxFrameBytes());
        assertThat(rh.type()).isEqualTo(WireFormat.TYPE_REJECT);
        assertThat(Hello.decodeReject(reject, WireFormat.HEADER_BYTES, rh.length()))
                .isEqualTo("cluster id 'prod' does not match node-a's cluster id 'test'");
    }

    @Test
    void everyTruncationOfEveryMessageIsRejectedWithACodecException() {
        for (Message m : Samples.messages()) {
            byte[] payload = codec.encodePayload(m);
            int type = MessageType.of(m).code();
            // Checking every prefix of the 60 KB histogram sample is slow for nothing: sample it.
            int step = Math.max(1, payload.length / 500);
            for (int len = 0; len < payload.length; len += step) {
                int cut = len;
                if (m instanceof Message.Heartbeat && (cut == OLD_HEARTBEAT_BYTES || cut == HEARTBEAT_WITH_POSITION_BYTES)) {
                    continue; // a boundary between appended fields: an older sender's layout, decodable on purpose (below)
                }
                assertThatThrownBy(() -> codec.decode(type, payload, 0, cut))
                        .as("%s cut to %d of %d bytes", m.getClass().getSimpleName(), cut, payload.length)
                        .isInstanceOf(CodecException.class);
            }
        }
    }

    /** A Heartbeat's payload before the appended log position: term, version, ready, sentAt, echo, two flags. */
    private static final int OLD_HEARTBEAT_BYTES = 8 + 8 + 1 + 8 + 8 + 1 + 1;
    /** The same with the log position (code, version, term) and no promise in doubt. */
    private static final int HEARTBEAT_WITH_POSITION_BYTES = OLD_HEARTBEAT_BYTES + 1 + 8 + 8;

    @Test
    void aHeartbeatCarriesItsLogPositionBehindAnExplicitCodeAndAnOlderSendersHeartbeatStillDecodes() {
        Message.Heartbeat hb = new Message.Heartbeat(4, 3, true, 77, 55, false, false, 4, 2);
        byte[] payload = codec.encodePayload(hb);
        assertThat(payload).hasSize(OLD_HEARTBEAT_BYTES + 1 + 8 + 8);
        assertThat(payload[OLD_HEARTBEAT_BYTES]).as("the field's code").isEqualTo((byte) MessageCodec.HEARTBEAT_LOG_POSITION);
        assertThat(codec.decode(MessageType.HEARTBEAT.code(), payload, 0, payload.length)).isEqualTo(hb);

        assertThat(codec.decode(MessageType.HEARTBEAT.code(), payload, 0, OLD_HEARTBEAT_BYTES))
                .as("no log position: the committed version, term 0, which holds no vote back")
                .isEqualTo(new Message.Heartbeat(4, 3, true, 77, 55, false, false, 3, 0));

        byte[] unknown = payload.clone();
        unknown[OLD_HEARTBEAT_BYTES] = 9;
        assertThatThrownBy(() -> codec.decode(MessageType.HEARTBEAT.code(), unknown, 0, unknown.length))
                .isInstanceOf(CodecException.class)
                .hasMessage("unknown or repeated heartbeat field code 9 (known: 1, 2, in that order)");
    }

    @Test
    void aHeartbeatCarriesItsPromiseInDoubtBehindTheNextCodeOnlyWhenItHasOne() {
        RoutingState s = Samples.states().get(0);
        Message.PreparedReport promise = new Message.PreparedReport(2, 2L << 32 | 7, s);
        Message.Heartbeat withPromise = new Message.Heartbeat(4, 3, true, 77, 55, false, false, 4, 2, java.util.Optional.of(promise));
        byte[] payload = codec.encodePayload(withPromise);
        int positionEnd = HEARTBEAT_WITH_POSITION_BYTES;
        assertThat(payload[positionEnd]).as("the promise's code").isEqualTo((byte) MessageCodec.HEARTBEAT_IN_DOUBT);
        assertThat(codec.decode(MessageType.HEARTBEAT.code(), payload, 0, payload.length)).isEqualTo(withPromise);
        assertThat(codec.encodePayload(new Message.Heartbeat(4, 3, true, 77, 55, false, false, 4, 2)))
                .as("nothing in doubt: no field").hasSize(positionEnd);

        byte[] repeated = Arrays.copyOf(payload, payload.length + 17);
        System.arraycopy(payload, OLD_HEARTBEAT_BYTES, repeated, payload.length, 17);
        assertThatThrownBy(() -> codec.decode(MessageType.HEARTBEAT.code(), repeated, 0, repeated.length))
                .isInstanceOf(CodecException.class)
                .hasMessage("unknown or repeated heartbeat field code 1 (known: 1, 2, in that order)");
    }

    @Test
    void aVoteReplyRelaysAtMostABoundedNumberOfPromises() {
        RoutingState s = Samples.states().get(0);
        Message.RequestVoteReply relaying = new Message.RequestVoteReply(5, false, true, s, java.util.Optional.empty(), 0, 0,
                List.of(new Message.PreparedReport(3, 3L << 32 | 1, s)));
        byte[] payload = codec.encodePayload(relaying);
        assertThat(codec.decode(MessageType.REQUEST_VOTE_REPLY.code(), payload, 0, payload.length)).isEqualTo(relaying);
        byte[] none = codec.encodePayload(new Message.RequestVoteReply(5, false, true, s, java.util.Optional.empty(), 0, 0));
        byte[] tooMany = none.clone();
        tooMany[tooMany.length - 1] = (byte) (Message.RequestVoteReply.MAX_RELAYED + 1);
        assertThatThrownBy(() -> codec.decode(MessageType.REQUEST_VOTE_REPLY.code(), tooMany, 0, tooMany.length))
                .isInstanceOf(CodecException.class)
                .hasMessage("relayed count " + (Message.RequestVoteReply.MAX_RELAYED + 1) + " exceeds " + Message.RequestVoteReply.MAX_RELAYED);
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] payload = Arrays.copyOf(codec.encodePayload(new Message.CommitAck(0, 5)), 17);
        assertThatThrownBy(() -> codec.decode(MessageType.COMMIT_ACK.code(), payload, 0, payload.length))
                .isInstanceOf(CodecException.class).hasMessage("COMMIT_ACK has 1 trailing bytes");
    }

    @Test
    void aHugeCountIsRefusedBeforeAnythingIsAllocated() {
        // A StateSync of a few bytes claiming two billion weights.
        byte[] stateSync = new WireWriter().writeLong(3).writeLong(1).writeByte(1).writeInt(Integer.MAX_VALUE).writeInt(0).toByteArray();
        WireReader r = new WireReader(stateSync, 0, stateSync.length, WireFormat.DEFAULT_MAX_FRAME_BYTES);
        assertThatThrownBy(() -> codec.decode(MessageType.STATE_SYNC.code(), r))
                .isInstanceOf(CodecException.class)
                .hasMessage("weights count 2147483647 needs at least 19327352823 bytes but only 4 remain");
        assertThat(r.charged()).isZero();
    }

    @Test
    void aHugeStringLengthIsRefusedBeforeAnythingIsAllocated() {
        byte[] vote = new WireWriter().writeLong(2).writeLong(1).writeBoolean(false).writeByte(Message.Refusal.BEHIND.code())
                .writeInt(Integer.MAX_VALUE - 3).writeInt(0).toByteArray();
        WireReader r = new WireReader(vote, 0, vote.length, WireFormat.DEFAULT_MAX_FRAME_BYTES);
        assertThatThrownBy(() -> codec.decode(MessageType.VOTE.code(), r))
                .isInstanceOf(CodecException.class)
                .hasMessage("vote reason length 2147483644 exceeds the 4 bytes that remain");
        assertThat(r.charged()).isZero();
    }

    @Test
    void aSparseHistogramWithAHugeBucketIndexIsChargedAndRefusedWithinTheFrameLimit() {
        // One bucket at index 2^31-2 would expand to a 16 GiB dense array.
        WireWriter w = new WireWriter().writeString("node-b").writeLong(0).writeLong(1000).writeInt(1)
                .writeString("v1").writeString("v1").writeLong(1).writeLong(0)
                .writeInt(1).writeInt(Integer.MAX_VALUE - 1).writeLong(1);
        byte[] payload = w.toByteArray();
        WireReader r = new WireReader(payload, 0, payload.length, WireFormat.DEFAULT_MAX_FRAME_BYTES);
        assertThatThrownBy(() -> codec.decode(MessageType.HEALTH_REPORT.code(), r))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("histogram of 2147483647 buckets would need 17179869176 more bytes, over the decode budget of 1048576");
        assertThat(r.charged()).isLessThanOrEqualTo(WireFormat.DEFAULT_MAX_FRAME_BYTES);
    }

    @Test
    void valuesTheModelRefusesAreCodecErrorsNamingTheProblem() {
        byte[] badWeights = new WireWriter().writeInt(1).writeString("v1").writeInt(9999).toByteArray();
        assertThatThrownBy(() -> codec.decode(MessageType.FORWARD_REQUEST.code(),
                concat(new WireWriter().writeLong(1).writeLong(1).writeByte(RolloutCodec.COMMAND_PROPOSE_WEIGHTS).toByteArray(),
                        badWeights), 0, 8 + 8 + 1 + badWeights.length))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("invalid weights: basis points must sum to 10000, got 9999");

        byte[] badBoolean = new WireWriter().writeLong(1).writeLong(1).writeByte(7).toByteArray();
        assertThatThrownBy(() -> codec.decode(MessageType.HEARTBEAT.code(), badBoolean, 0, badBoolean.length))
                .isInstanceOf(CodecException.class).hasMessage("ready: boolean must be 0 or 1, got 7");

        byte[] badAction = new WireWriter().writeLong(1).writeLong(1).writeByte(RolloutCodec.COMMAND_CONTROL_ROLLOUT).writeByte(9)
                .toByteArray();
        assertThatThrownBy(() -> codec.decode(MessageType.FORWARD_REQUEST.code(), badAction, 0, badAction.length))
                .isInstanceOf(CodecException.class).hasMessage("rollout action: unknown code 9 (known: 1, 2, 3, 4)");

        byte[] badUtf8 = new WireWriter().writeLong(1).writeLong(1).writeLong(2).writeInt(2).writeByte(0xC3).writeByte(0x28).toByteArray();
        assertThatThrownBy(() -> codec.decode(MessageType.ABORT.code(), badUtf8, 0, badUtf8.length))
                .isInstanceOf(CodecException.class).hasMessage("abort reason is not valid UTF-8");

        byte[] badRefusal = new WireWriter().writeLong(1).writeLong(1).writeBoolean(false).writeByte(99).writeInt(0).toByteArray();
        assertThatThrownBy(() -> codec.decode(MessageType.VOTE.code(), badRefusal, 0, badRefusal.length))
                .isInstanceOf(CodecException.class).hasMessage("unknown vote refusal code 99");

        assertThatThrownBy(() -> codec.decode(99, new byte[0], 0, 0))
                .isInstanceOf(CodecException.class).hasMessage("unknown message type 99");
    }

    @Test
    void headersWithWrongMagicNegativeOrOversizedLengthAreRefused() {
        byte[] frame = codec.encodeFrame(new Message.CommitAck(0, 1));
        byte[] wrongMagic = frame.clone();
        wrongMagic[0] = 'X';
        assertThatThrownBy(() -> FrameHeader.parse(wrongMagic, 1024))
                .isInstanceOf(CodecException.class).hasMessage("not a Canary frame: magic 0x584e5259, expected 0x434e5259");

        byte[] header = new WireWriter().writeInt(WireFormat.MAGIC).writeShort(1).writeByte(16).writeInt(-5).toByteArray();
        assertThatThrownBy(() -> FrameHeader.parse(header, 1024))
                .isInstanceOf(CodecException.class).hasMessage("frame length is negative: -5");

        byte[] huge = new WireWriter().writeInt(WireFormat.MAGIC).writeShort(1).writeByte(16).writeInt(Integer.MAX_VALUE).toByteArray();
        assertThatThrownBy(() -> FrameHeader.parse(huge, 1 << 20))
                .isInstanceOf(CodecException.class).hasMessage("frame of 2147483658 bytes exceeds the limit of 1048576 bytes");
    }

    @Test
    void aMessageOverTheFrameLimitCannotBeEncoded() {
        MessageCodec small = new MessageCodec(WireFormat.MIN_MAX_FRAME_BYTES);
        Message big = new Message.Abort(1, 1, 2, "x".repeat(2000));
        assertThatThrownBy(() -> small.encodeFrame(big))
                .isInstanceOf(CodecException.class).hasMessage("ABORT frame of 2039 bytes exceeds the limit of 1024 bytes");
    }

    @Test
    void aStringThatIsNotValidUnicodeCannotBeEncoded() {
        assertThatThrownBy(() -> codec.encodeFrame(new Message.Abort(1, 1, 2, "lone \uD800 surrogate")))
                .isInstanceOf(CodecException.class).hasMessageStartingWith("string is not valid Unicode");
    }

    @Test
    void enumsTravelAsPinnedExplicitCodesNotOrdinals() {
        // Codes are the protocol: changing one is a wire break. Every constant must have one.
        assertThat(RolloutCodec.ACTION.codes()).containsExactly(Map.entry(RolloutAction.PAUSE, 1),
                Map.entry(RolloutAction.RESUME, 2), Map.entry(RolloutAction.PROMOTE, 3), Map.entry(RolloutAction.ABORT, 4));
        assertThat(RolloutCodec.DECISION.codes()).containsExactly(Map.entry(Verdict.Decision.PROMOTE, 1),
                Map.entry(Verdict.Decision.HOLD, 2), Map.entry(Verdict.Decision.ROLLBACK, 3));
        assertThat(StateCodec.PHASE.codes()).containsExactly(Map.entry(RolloutInfo.Phase.NONE, 1),
                Map.entry(RolloutInfo.Phase.PROGRESSING, 2), Map.entry(RolloutInfo.Phase.PAUSED, 3),
                Map.entry(RolloutInfo.Phase.COMPLETED, 4), Map.entry(RolloutInfo.Phase.ROLLED_BACK, 5),
                Map.entry(RolloutInfo.Phase.ABORTED, 6));
        assertThat(StateCodec.STATUS.codes()).containsExactly(Map.entry(RoutingState.Status.COMMITTED, 1));
        assertThat(RolloutCodec.JUDGE.codes()).containsExactly(Map.entry(io.canary.rollout.JudgeKind.SEQUENTIAL, 1),
                Map.entry(io.canary.rollout.JudgeKind.THRESHOLD, 2));
        assertThat(RolloutCodec.TIMEOUT.codes()).containsExactly(Map.entry(io.canary.rollout.StepTimeout.ROLL_BACK, 1),
                Map.entry(io.canary.rollout.StepTimeout.PAUSE, 2));
        assertThat(List.of(MessageType.values()).stream().map(MessageType::code))
                .containsExactly(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
        assertThat(List.of(Message.Refusal.values()).stream().map(Message.Refusal::code))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void theForwardOutcomeTravelsByItsExplicitCode() {
        Message.ForwardResponse unknown = new Message.ForwardResponse(5, Message.ForwardResponse.Outcome.UNKNOWN,
                Samples.states().get(0), "the coordinator restarted");
        byte[] payload = codec.encodePayload(unknown);
        assertThat(payload[8]).as("the byte after the request id is the outcome's code").isEqualTo((byte) 3);
        assertThat(codec.decode(MessageType.FORWARD_RESPONSE.code(), payload, 0, payload.length)).isEqualTo(unknown);
        assertThat(List.of(Message.ForwardResponse.Outcome.values()).stream().map(Message.ForwardResponse.Outcome::code))
                .as("pinned wire codes").containsExactly(1, 2, 3, 4);
        Message.ForwardResponse superseded = new Message.ForwardResponse(6, Message.ForwardResponse.Outcome.SUPERSEDED,
                Samples.states().get(0), "weights v2=0.0%");
        byte[] supersededPayload = codec.encodePayload(superseded);
        assertThat(supersededPayload[8]).as("SUPERSEDED travels as code 4").isEqualTo((byte) 4);
        assertThat(codec.decode(MessageType.FORWARD_RESPONSE.code(), supersededPayload, 0, supersededPayload.length))
                .isEqualTo(superseded);

        byte[] bad = payload.clone();
        bad[8] = 0;
        assertThatThrownBy(() -> codec.decode(MessageType.FORWARD_RESPONSE.code(), bad, 0, bad.length))
                .isInstanceOf(CodecException.class).hasMessage("unknown forward outcome code 0");
    }

    @Test
    void anEnumCodeTableMustCoverEveryConstantWithDistinctCodes() {
        assertThatThrownBy(() -> WireEnum.of(Verdict.Decision.class, "verdict decision",
                Map.of(Verdict.Decision.PROMOTE, 1, Verdict.Decision.HOLD, 2)))
                .isInstanceOf(IllegalStateException.class).hasMessage("verdict decision: Decision.ROLLBACK has no wire code");
        assertThatThrownBy(() -> WireEnum.of(Verdict.Decision.class, "verdict decision",
                Map.of(Verdict.Decision.PROMOTE, 1, Verdict.Decision.HOLD, 2, Verdict.Decision.ROLLBACK, 2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("used twice");
        assertThatThrownBy(() -> WireEnum.of(Verdict.Decision.class, "verdict decision",
                Map.of(Verdict.Decision.PROMOTE, 0, Verdict.Decision.HOLD, 2, Verdict.Decision.ROLLBACK, 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("[1,255]");
        byte[] zero = {0};
        assertThatThrownBy(() -> RolloutCodec.DECISION.read(new WireReader(zero, 0, 1, 64)))
                .isInstanceOf(CodecException.class).hasMessage("verdict decision: unknown code 0 (known: 1, 2, 3)");
    }

    @Test
    void everyBitFlipOfAFrameFailsItsChecksum() {
        byte[] frame = codec.encodeFrame(Message.Vote.yes(3, 7));
        int body = frame.length - WireFormat.CHECKSUM_BYTES;
        int sent = readInt(frame, body);
        for (int bit = 0; bit < body * 8; bit++) {
            byte[] b = frame.clone();
            b[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(WireFormat.checksum(b, 0, body)).as("flip of bit %d", bit).isNotEqualTo(sent);
        }
    }

    @Test
    void aVersionOneHelloHasNoChecksumSoAnOldNodeIsStillReadAndRefused() {
        byte[] v1 = codec.encodeHello(new Hello("test", "node-b", 1));
        FrameHeader h = FrameHeader.parse(v1, codec.maxFrameBytes());
        assertThat(v1).hasSize(WireFormat.HEADER_BYTES + h.length());
        assertThat(Hello.decode(v1, WireFormat.HEADER_BYTES, h.length()).protocolVersion()).isEqualTo(1);
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
