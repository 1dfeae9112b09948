package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link FlushBatch}: writes go out only when the loop runs its tasks (after the batch's I/O), every
 * connection that asked is flushed, and a flush asked for while the batch is flushed is not lost.
 * Writes go through the pipeline, before any flush is asked for: EmbeddedChannel runs its loop's
 * pending tasks after each of its own operations.
 */
class FlushBatchTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** What reached the channel's wire so far (read without running its loop's tasks, as readOutbound would). */
    private static String sent(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = (ByteBuf) ch.outboundMessages().poll()) != null; ) {
            out.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return out.toString();
    }

    @Test
    void flushesEveryAskingChannelAtTheEndOfTheBatchOnly() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        // One batch per thread (as per event loop in the engine): the task queued on a's loop flushes b too.
        // Every operation on an EmbeddedChannel runs its loop's pending tasks: the writes come first.
        a.pipeline().write(bytes("a1"));
        a.pipeline().write(bytes("a2"));
        b.pipeline().write(bytes("b1"));
        FlushBatch.flushLater(a);
        FlushBatch.flushLater(a); // asked twice in a row: flushed once
        FlushBatch.flushLater(b);
        assertThat(sent(a)).isEmpty(); // nothing before the loop's tasks run
        assertThat(sent(b)).isEmpty();
        a.runPendingTasks();
        assertThat(sent(a)).isEqualTo("a1a2");
        assertThat(sent(b)).isEqualTo("b1");
    }

    @Test
    void aFlushAskedForWhileTheBatchIsFlushedIsNotLost() {
        EmbeddedChannel ch = new EmbeddedChannel();
        // The first answer's completion writes the next (pipelined) answer and asks for a flush again.
        ch.pipeline().write(bytes("first")).addListener(f -> {
            ch.pipeline().write(bytes("-second"));
            FlushBatch.flushLater(ch);
        });
        FlushBatch.flushLater(ch);
        assertThat(sent(ch)).isEmpty();
        ch.runPendingTasks(); // the batch, then the task the flush inside it queued
        ch.runPendingTasks();
        assertThat(sent(ch)).isEqualTo("first-second");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
