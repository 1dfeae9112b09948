package io.canary.net.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One selector thread: readiness events, tasks handed over from other threads, and timers, all run
 * on that thread in turn, so the connections it serves need no locks. A handler that throws costs
 * its own connection only ({@link Handler#failed}), never the loop.
 */
final class NioLoop implements Runnable {
    /** What a registered channel's key carries: called on the loop thread when the channel is ready. */
    interface Handler {
        void ready(SelectionKey key) throws IOException;

        /** The handler threw {@code e} (a bug, or an I/O failure it did not expect): close what it holds. */
        void failed(Exception e);
    }

    /** Reads go through this one buffer (the loop is single-threaded), then into each connection's decoder. */
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);

    private final NodeContext ctx;
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSequence;
    private volatile boolean stopping;
    private volatile Thread thread;

    NioLoop(NodeContext ctx) throws IOException {
        this.ctx = ctx;
        this.selector = Selector.open();
    }

    void start(Thread t) {
        thread = t;
        t.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop thread soon; from any thread. Dropped once the loop stopped. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Runs {@code task} on the loop thread after {@code delayNanos}; loop thread only. */
    void schedule(long delayNanos, Runnable task) {
        timers.add(new Timer(System.nanoTime() + delayNanos, timerSequence++, task));
    }

    /** Registers {@code ch} (non-blocking) for {@code ops}; loop thread only. */
    SelectionKey register(SelectableChannel ch, int ops, Handler handler) throws IOException {
        return ch.register(selector, ops, handler);
    }

    /** The key of {@code ch} with this loop's selector, or null. */
    SelectionKey keyOf(SelectableChannel ch) {
        return ch.keyFor(selector);
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                long timeout = untilNextTimerMillis();
                if (timeout < 0) {
                    selector.selectNow();
                } else {
                    selector.select(timeout);
                }
                handleReadyKeys();
                runTasks();
                runDueTimers();
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                ctx.log().error("the selector of {} failed: {}; its connections are closed", ctx.selfId, e.toString(), e);
            }
        } finally {
            closeEverything();
        }
    }

    /** 0: wait for an event; negative: a timer is due now; else milliseconds to the next timer. */
    private long untilNextTimerMillis() {
        Timer next = timers.peek();
        if (next == null) {
            return 0;
        }
        long nanos = next.dueNanos - System.nanoTime();
        return nanos <= 0 ? -1 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    private void handleReadyKeys() {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Handler h = (Handler) key.attachment();
            try {
                if (key.isValid()) {
                    h.ready(key);
                }
            } catch (IOException | RuntimeException e) {
                h.failed(e);
            }
        }
    }

    private void runTasks() {
        // Only what was queued before this round: a task that queues another does not starve the selector.
        int n = tasks.size();
        for (int i = 0; i < n; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                return;
            }
            runSafely(r);
        }
    }

    private void runDueTimers() {
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek().dueNanos - now <= 0) {
            runSafely(timers.poll().task);
        }
    }

    private void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            long suppressed = ctx.logLimiter.permit("nio-task-failed");
            if (suppressed >= 0) {
                ctx.log().error("a task of {}'s selector failed{}", ctx.selfId, LogLimiter.suppressedSuffix(suppressed), e);
            }
        }
    }

    /** Stops the loop; it closes every registered channel and the selector on its way out. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    /** Waits for the loop thread until {@code deadlineNanos}; if it is still running, closes everything from here. */
    void join(long deadlineNanos) {
        Thread t = thread;
        if (t != null) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!t.isAlive()) {
                return;
            }
        }
        closeEverything();
    }

    private void closeEverything() {
        try {
            for (SelectionKey k : selector.keys()) {
                NodeContext.closeQuietly(k.channel());
            }
        } catch (RuntimeException ignored) {
            // the key set changed or the selector closed meanwhile: close below releases the rest
        }
        NodeContext.closeQuietly(selector);
        tasks.clear();
    }

    private record Timer(long dueNanos, long sequence, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
