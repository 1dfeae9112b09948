package io.canary.net.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.model.RoutingState;
import io.canary.net.codec.CodecException;
import io.canary.net.codec.MessageCodec;
import io.canary.net.codec.Samples;
import io.canary.net.codec.WireFormat;
import io.canary.transport.Message;
import org.junit.jupiter.api.Test;

/** The fan-out memo gives the bytes the codec gives, encodes a shared Prepare or Commit once, and keeps no other kind. */
class FrameMemoTest {
    private final MessageCodec codec = new MessageCodec(WireFormat.DEFAULT_MAX_FRAME_BYTES);
    private final FrameMemo memo = new FrameMemo(codec);
    private final RoutingState state = Samples.states().get(0);

    @Test
    void frames_are_the_codecs_bytes_at_every_version() {
        Message.Prepare prepare = new Message.Prepare(7, 7L << 32 | 3, state);
        for (int version = 1; version <= WireFormat.PROTOCOL_VERSION; version++) {
            assertThat(memo.frame(prepare, version)).as("version %d", version).isEqualTo(codec.encodeFrame(prepare, version));
            assertThat(memo.unsealed(prepare, version)).isEqualTo(codec.encodeUnsealed(prepare, version));
        }
    }

    @Test
    void a_shared_prepare_or_commit_is_encoded_once_and_a_heartbeat_does_not_evict_it() {
        Message.Commit commit = new Message.Commit(7, 7L << 32 | 3, state);
        byte[] first = memo.unsealed(commit, WireFormat.PROTOCOL_VERSION);
        Message.Heartbeat beat = new Message.Heartbeat(7, 3, true, 77, 55, false, false, 4, 2);
        byte[] beatBytes = memo.unsealed(beat, WireFormat.PROTOCOL_VERSION);
        assertThat(memo.unsealed(beat, WireFormat.PROTOCOL_VERSION)).isNotSameAs(beatBytes); // heartbeats are not kept
        assertThat(memo.unsealed(commit, WireFormat.PROTOCOL_VERSION)).isSameAs(first);
        // Another instance, even an equal one, is another message: encoded afresh, same bytes.
        Message.Commit equal = new Message.Commit(7, 7L << 32 | 3, state);
        assertThat(memo.unsealed(equal, WireFormat.PROTOCOL_VERSION)).isNotSameAs(first).isEqualTo(first);
        // Another version of the same instance is another frame.
        assertThat(memo.unsealed(equal, 1)).isNotEqualTo(first);
    }

    @Test
    void an_oversized_message_still_fails() {
        FrameMemo small = new FrameMemo(new MessageCodec(WireFormat.MIN_MAX_FRAME_BYTES));
        Message.Abort big = new Message.Abort(7, 7L << 32 | 3, 4, "x".repeat(4_000));
        assertThatThrownBy(() -> small.unsealed(big, WireFormat.PROTOCOL_VERSION)).isInstanceOf(CodecException.class);
    }
}
