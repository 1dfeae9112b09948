package io.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import io.canary.testing.LocalCluster;
import io.canary.time.ExecutorScheduler;
import io.canary.transport.Message;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The commit linger of the group commit (issue 13, {@code -Dcanary.log.commitLinger}, 3 ms by default): on a real
 * protocol thread a member keeps a group of COMMITTED records open a little, so that the next Prepare's PREPARED
 * shares its fsync; what waits behind the record (the apply, the CommitAck) still waits for it. The member of
 * {@link GroupCommitTest}, on an {@link ExecutorScheduler} instead of virtual time.
 */
class CommitLingerTest {
    final ExecutorScheduler scheduler = new ExecutorScheduler("node-b");
    final MemoryStateLog log = new MemoryStateLog("node-b");
    final CountDownLatch acked = new CountDownLatch(1);
    final CountDownLatch twoVotes = new CountDownLatch(2);
    final CountDownLatch firstVote = new CountDownLatch(1);
    final List<String> notDurableWhenSent = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile long ackedAt;

    {
        log.append(new LogRecord.TermVote(1, "node-a"), true);
    }

    /** Notes any YES or CommitAck that leaves before its record is durable, and when the CommitAck left. */
    final class Wire implements io.canary.transport.Transport {
        volatile Receiver receiver;

        @Override
        public void start(String selfId, Receiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void send(String to, Message message) {
            List<LogRecord> durable = log.durableRecords();
            if (message instanceof Message.Vote v) {
                if (v.yes() && durable.stream().noneMatch(r -> r instanceof LogRecord.Prepared p && p.txId() == v.txId())) {
                    notDurableWhenSent.add("YES of " + v.txId());
                }
                twoVotes.countDown();
                firstVote.countDown();
            }
            if (message instanceof Message.CommitAck a) {
                if (durable.stream().noneMatch(r -> r instanceof LogRecord.Committed c && c.txId() == a.txId())) {
                    notDurableWhenSent.add("CommitAck of " + a.txId());
                }
                ackedAt = System.nanoTime();
                acked.countDown();
            }
        }

        void deliver(String from, Message message) {
            receiver.receive(from, message);
        }

        @Override
        public void close() {
        }
    }

    final Wire wire = new Wire();
    CanaryNode node;

    CanaryNode participant() throws InterruptedException {
        node = CanaryNode.builder().nodeId("node-b").members(List.of("node-a", "node-b")).coordinatorId("node-a")
                .transport(wire).stateLog(log).scheduler(scheduler).config(LocalCluster.DEFAULT_CONFIG).build().start();
        wire.deliver("node-a", new Message.Prepare(1, GroupCommitTest.TX2, GroupCommitTest.V2));
        assertThat(firstVote.await(10, TimeUnit.SECONDS)).as("voted on the first Prepare").isTrue();
        assertThat(awaitOnProtocolThread()).isTrue();
        return node;
    }

    /** True once every task queued on the protocol thread so far has run. */
    boolean awaitOnProtocolThread() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        scheduler.execute(done::countDown);
        return done.await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
        scheduler.close();
    }

    @Test
    void aPrepareArrivingWhileTheCommitLingersSharesItsFsyncAndTheAckWaitsForIt() throws InterruptedException {
        participant();
        long before = log.fsyncCount();
        wire.deliver("node-a", new Message.Commit(1, GroupCommitTest.TX2, GroupCommitTest.V2));
        // Right behind the Commit's event, on the protocol thread, the next Prepare arrives: within the linger.
        scheduler.execute(() -> wire.deliver("node-a", new Message.Prepare(1, GroupCommitTest.TX3, GroupCommitTest.V3)));

        assertThat(acked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(twoVotes.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(awaitOnProtocolThread()).isTrue();
        assertThat(log.fsyncCount() - before).as("COMMITTED(v2) and PREPARED(v3) in one fsync, though they came apart")
                .isEqualTo(1);
        assertThat(log.durableRecords()).contains(new LogRecord.Committed(GroupCommitTest.TX2, GroupCommitTest.V2),
                new LogRecord.Prepared(1, GroupCommitTest.TX3, GroupCommitTest.V3));
        assertThat(notDurableWhenSent).as("durable before visible").isEmpty();
        assertThat(node.state()).isEqualTo(GroupCommitTest.V2);
    }

    @Test
    void aLoneCommitIsForcedWhenItsLingerEndsAndOnlyThenAcknowledgedAndApplied() throws InterruptedException {
        participant();
        long before = log.fsyncCount();
        long deliveredAt = System.nanoTime();
        wire.deliver("node-a", new Message.Commit(1, GroupCommitTest.TX2, GroupCommitTest.V2));

        assertThat(acked.await(10, TimeUnit.SECONDS)).as("forced by the linger's end, no other event needed").isTrue();
        assertThat(awaitOnProtocolThread()).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(ackedAt - deliveredAt)).as("acknowledged after the linger, not before")
                .isGreaterThanOrEqualTo(2);
        assertThat(log.fsyncCount() - before).isEqualTo(1);
        assertThat(notDurableWhenSent).isEmpty();
        assertThat(node.state()).as("applied once durable").isEqualTo(GroupCommitTest.V2);
    }
}
