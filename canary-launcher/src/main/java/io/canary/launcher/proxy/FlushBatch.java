package io.canary.launcher.proxy;

import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * Flushes deferred to the end of the event loop's current batch (Netty engine): a connection that
 * has something to send asks for a flush here instead of flushing at once, and the loop flushes
 * every such connection in one go after it has handled all the connections that were ready.
 *
 * <p>Why: each flush of a small request or answer is a {@code send} on loopback, and a send wakes
 * the reader on the other side (an upstream's worker, or the client). Flushing one by one while the
 * batch is being read interleaves those wake-ups with the reads (the woken process preempts the
 * loop, then the next send wakes it again); sending the batch's writes together lets a woken peer
 * find several requests at once. The number of system calls is unchanged (one send per connection
 * written to), only their grouping in time.
 *
 * <p>How: the first request in a batch queues this loop's flush task ({@link io.netty.channel.EventLoop#execute}
 * from the loop itself: no wake-up), which Netty runs after the I/O events of the iteration.
 *
 * <p>Threading: per event loop (a {@link FastThreadLocal}); call {@link #flushLater} on the
 * channel's own loop only.
 */
final class FlushBatch implements Runnable {
    private static final FastThreadLocal<FlushBatch> LOOP = new FastThreadLocal<>() {
        @Override
        protected FlushBatch initialValue() {
            return new FlushBatch();
        }
    };

    /** Channels to flush at the end of this batch; {@code spare} is the list the last batch used. */
    private ArrayList<Channel> channels = new ArrayList<>();
    private ArrayList<Channel> spare = new ArrayList<>();
    private boolean queued;

    private FlushBatch() {
    }

    /** Flushes {@code c} at the end of its loop's current batch (once, if asked twice in a row). */
    static void flushLater(Channel c) {
        LOOP.get().add(c);
    }

    private void add(Channel c) {
        ArrayList<Channel> list = channels;
        if (!list.isEmpty() && list.get(list.size() - 1) == c) {
            return;
        }
        list.add(c);
        if (!queued) {
            queued = true;
            c.eventLoop().execute(this);
        }
    }

    @Override
    public void run() {
        // A flush may complete an exchange whose next pipelined answer is written at once: that goes
        // into a fresh list, flushed by a task of its own, never lost in the one being walked.
        ArrayList<Channel> now = channels;
        channels = spare;
        queued = false;
        for (int i = 0; i < now.size(); i++) {
            now.get(i).flush();
        }
        now.clear();
        spare = now;
    }
}
