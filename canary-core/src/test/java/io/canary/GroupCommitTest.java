package io.canary;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.testing.LocalCluster;
import io.canary.time.ManualScheduler;
import io.canary.transport.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Group commit in the node runtime (issue 13): durable records of events that run back to back share
 * one fsync, and nothing the node sends about them leaves before that fsync. A participant (node-b of
 * node-a and node-b) on virtual time, with a transport that checks, at every send, what its disk holds.
 */
class GroupCommitTest {
    static final long TX2 = 42;
    static final long TX3 = 43;
    static final RoutingState V2 = RoutingState.initial("v1", "v2").next(Weights.split("v1", "v2", 5), "v1", RolloutInfo.NONE, TX2, 0);
    static final RoutingState V3 = V2.next(Weights.split("v1", "v2", 10), "v1", RolloutInfo.NONE, TX3, 0);

    final ManualScheduler scheduler = new ManualScheduler(0);
    final MemoryStateLog log = new MemoryStateLog("node-b");

    {
        // A node that has been in term 1 (a log without any term takes part in no transaction until it heard every member).
        log.append(new LogRecord.TermVote(1, "node-a"), true);
    }
    final List<String> notDurableWhenSent = new ArrayList<>();
    final Wire transport = new Wire();

    /** Keeps what the node sent, noting any YES or CommitAck that left before its record was durable. */
    final class Wire implements io.canary.transport.Transport {
        final List<Message> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile Receiver receiver;

        @Override
        public void start(String selfId, Receiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void send(String to, Message message) {
            List<LogRecord> durable = log.durableRecords();
            if (message instanceof Message.Vote v && v.yes() && durable.stream().noneMatch(
                    r -> r instanceof LogRecord.Prepared p && p.txId() == v.txId())) {
                notDurableWhenSent.add("YES of " + v.txId());
            }
            if (message instanceof Message.CommitAck a && durable.stream().noneMatch(
                    r -> r instanceof LogRecord.Committed c && c.txId() == a.txId())) {
                notDurableWhenSent.add("CommitAck of " + a.txId());
            }
            sent.add(message);
        }

        void deliver(String from, Message message) {
            receiver.receive(from, message);
        }

        List<Message.Vote> votes() {
            return sent.stream().filter(m -> m instanceof Message.Vote).map(m -> (Message.Vote) m).toList();
        }

        @Override
        public void close() {
        }
    }

    CanaryNode participant() {
        CanaryNode node = CanaryNode.builder().nodeId("node-b").members(List.of("node-a", "node-b")).coordinatorId("node-a")
                .transport(transport).stateLog(log).scheduler(scheduler).config(LocalCluster.DEFAULT_CONFIG).build().start();
        scheduler.runPending();
        return node;
    }

    @Test
    void aCommitAndTheNextPrepareArrivingTogetherShareOneFsyncAndNothingLeavesBeforeIt() {
        CanaryNode node = participant();
        transport.deliver("node-a", new Message.Prepare(1, TX2, V2));
        scheduler.runPending();
        assertThat(transport.votes()).containsExactly(Message.Vote.yes(1, TX2));
        long before = log.fsyncCount();

        // The coordinator sends Commit(v2) at its decision and Prepare(v3) right behind it: both queued at once.
        transport.deliver("node-a", new Message.Commit(1, TX2, V2));
        transport.deliver("node-a", new Message.Prepare(1, TX3, V3));
        scheduler.runPending();

        assertThat(log.fsyncCount() - before).as("COMMITTED(v2) and PREPARED(v3) in one fsync").isEqualTo(1);
        assertThat(log.durableRecords()).contains(new LogRecord.Committed(TX2, V2), new LogRecord.Prepared(1, TX3, V3));
        assertThat(transport.sent).contains(new Message.CommitAck(1, TX2));
        assertThat(transport.votes()).containsExactly(Message.Vote.yes(1, TX2), Message.Vote.yes(1, TX3));
        assertThat(notDurableWhenSent).as("durable before visible").isEmpty();
        assertThat(node.state()).as("applied once its record was durable").isEqualTo(V2);
        node.close();
    }

    @Test
    void aPromiseThatCannotBeWrittenIsANoVoteAndItsYesNeverLeaves() {
        CanaryNode node = participant();
        log.failAppends(true);
        transport.deliver("node-a", new Message.Prepare(1, TX2, V2));
        scheduler.runPending();

        assertThat(transport.votes()).hasSize(1);
        Message.Vote vote = transport.votes().get(0);
        assertThat(vote.yes()).isFalse();
        assertThat(vote.refusal()).isEqualTo(Message.Refusal.CANNOT_PERSIST);
        // A failed promise is a NO, not a stop: once the disk works again the node promises as before.
        log.failAppends(false);
        transport.deliver("node-a", new Message.Prepare(1, TX2, V2)); // the coordinator asks again
        scheduler.runPending();
        assertThat(transport.votes()).last().isEqualTo(Message.Vote.yes(1, TX2));
        assertThat(notDurableWhenSent).isEmpty();
        node.close();
    }
}
