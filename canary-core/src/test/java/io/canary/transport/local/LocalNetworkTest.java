package io.canary.transport.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.time.ManualScheduler;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import io.canary.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LocalNetworkTest {
    private final ManualScheduler scheduler = new ManualScheduler(0);
    private final LocalNetwork network = new LocalNetwork(scheduler, 42);

    /** What one node received, as "from:message" with the virtual time of arrival. */
    private static final class Inbox implements Transport.Receiver {
        final List<String> received = new ArrayList<>();
        final List<Long> at = new ArrayList<>();
        final ManualScheduler clock;

        Inbox(ManualScheduler clock) {
            this.clock = clock;
        }

        @Override
        public void receive(String from, Message message) {
            received.add(from + ":" + describe(message));
            at.add(clock.nowMillis());
        }
    }

    private static String describe(Message m) {
        if (m instanceof Message.Heartbeat h) {
            return "hb" + h.committedVersion();
        }
        if (m instanceof Message.CommitAck a) {
            return "ack" + a.txId();
        }
        return m.getClass().getSimpleName();
    }

    private Inbox start(String id) {
        Inbox inbox = new Inbox(scheduler);
        network.transport(id).start(id, inbox);
        return inbox;
    }

    private Transport started(String id, Inbox inbox) {
        Transport t = network.transport(id);
        t.start(id, inbox);
        return t;
    }

    private static Message hb(long v) {
        return new Message.Heartbeat(0, v, true, 0, -1, false, false);
    }

    @Test
    void messagesArriveInSendOrderOnlyWhenTheSchedulerRuns() {
        Transport a = started("a", new Inbox(scheduler));
        Inbox b = start("b");

        for (int i = 1; i <= 5; i++) {
            a.send("b", hb(i));
        }
        assertThat(b.received).isEmpty();

        scheduler.runPending();

        assertThat(b.received).containsExactly("a:hb1", "a:hb2", "a:hb3", "a:hb4", "a:hb5");
        assertThat(network.sentCount()).isEqualTo(5);
        assertThat(network.deliveredCount()).isEqualTo(5);
        assertThat(network.inFlight()).isZero();
    }

    @Test
    void sendToUnknownOrClosedNodeOrFromAClosedTransportIsSilentlyLost() {
        Transport a = started("a", new Inbox(scheduler));
        Transport b = started("b", new Inbox(scheduler));
        Transport unstarted = network.transport("c");
        b.close();

        a.send("b", hb(1));
        a.send("nobody", hb(2));
        unstarted.send("a", hb(3));
        a.close();
        a.send("b", hb(4));
        a.close();
        scheduler.runPending();

        assertThat(network.deliveredCount()).isZero();
        assertThat(network.droppedCount()).isEqualTo(2);
        assertThat(network.runningNodes()).isEmpty();
    }

    @Test
    void restartedNodeReceivesOnItsNewTransportAndACrashedOneIsReplaced() {
        Transport a = started("a", new Inbox(scheduler));
        Inbox firstB = new Inbox(scheduler);
        Transport oldB = started("b", firstB);

        Inbox secondB = start("b"); // restart without closing: the old transport is dead
        a.send("b", hb(1));
        oldB.send("a", hb(2));
        scheduler.runPending();

        assertThat(firstB.received).isEmpty();
        assertThat(secondB.received).containsExactly("a:hb1");
        assertThat(network.runningNodes()).containsExactly("a", "b");
        oldB.close(); // closing the dead one must not unregister the live one
        assertThat(network.runningNodes()).containsExactly("a", "b");
    }

    @Test
    void transportRefusesAnotherIdAndASecondStart() {
        Transport t = network.transport("a");
        assertThatThrownBy(() -> t.start("b", (f, m) -> { })).isInstanceOf(TransportException.class)
                .hasMessage("this local transport was made for a, not for b");
        t.start("a", (f, m) -> { });
        assertThatThrownBy(() -> t.start("a", (f, m) -> { })).isInstanceOf(TransportException.class)
                .hasMessageContaining("already started");
        assertThatThrownBy(() -> network.transport(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeId must not be blank");
    }

    @Test
    void cutLosesOneDirectionOnlyUntilRestored() {
        Inbox a = new Inbox(scheduler);
        Transport ta = started("a", a);
        Inbox b = new Inbox(scheduler);
        Transport tb = started("b", b);

        network.cut("a", "b");
        ta.send("b", hb(1));
        tb.send("a", hb(2));
        scheduler.runPending();
        assertThat(b.received).isEmpty();
        assertThat(a.received).containsExactly("b:hb2");

        network.restore("a", "b");
        ta.send("b", hb(3));
        scheduler.runPending();
        assertThat(b.received).containsExactly("a:hb3");
    }

    @Test
    void partitionCutsBothWaysBetweenSidesAndHealRestoresIt() {
        Transport a = started("a", new Inbox(scheduler));
        Inbox b = new Inbox(scheduler);
        Transport tb = started("b", b);
        Inbox c = new Inbox(scheduler);
        Transport tc = started("c", c);

        network.partition(Set.of("a", "b"), Set.of("c"));
        a.send("b", hb(1));
        a.send("c", hb(2));
        tc.send("b", hb(3));
        tb.send("c", hb(4));
        scheduler.runPending();
        assertThat(b.received).containsExactly("a:hb1");
        assertThat(c.received).isEmpty();

        network.heal();
        a.send("c", hb(5));
        tc.send("b", hb(6));
        scheduler.runPending();
        assertThat(c.received).containsExactly("a:hb5");
        assertThat(b.received).containsExactly("a:hb1", "c:hb6");
    }

    @Test
    void isolatedNodeHearsOnlyItselfUntilReconnected() {
        Inbox a = new Inbox(scheduler);
        Transport ta = started("a", a);
        Inbox b = new Inbox(scheduler);
        Transport tb = started("b", b);

        network.isolate("a");
        ta.send("b", hb(1));
        tb.send("a", hb(2));
        ta.send("a", hb(3));
        scheduler.runPending();
        assertThat(a.received).containsExactly("a:hb3");
        assertThat(b.received).isEmpty();

        network.reconnect("a");
        tb.send("a", hb(4));
        scheduler.runPending();
        assertThat(a.received).containsExactly("a:hb3", "b:hb4");
    }

    @Test
    void messageClassCanBeDroppedOnOneLinkOrEverywhere() {
        Transport a = started("a", new Inbox(scheduler));
        Inbox b = new Inbox(scheduler);
        started("b", b);
        Inbox c = new Inbox(scheduler);
        started("c", c);
        List<String> reasons = new ArrayList<>();
        network.addListener(new NetworkListener() {
            @Override
            public void onDrop(String from, String to, Message message, String reason) {
                reasons.add(reason);
            }
        });

        network.drop("a", "b", Message.CommitAck.class);
        a.send("b", new Message.CommitAck(0, 1));
        a.send("b", hb(1));
        a.send("c", new Message.CommitAck(0, 2));
        network.dropAll(Message.Heartbeat.class);
        a.send("c", hb(2));
        scheduler.runPending();

        assertThat(b.received).containsExactly("a:hb1");
        assertThat(c.received).containsExactly("a:ack2");
        assertThat(reasons).containsExactly("CommitAck is dropped on a->b", "Heartbeat is dropped on every link");
    }

    @Test
    void randomLossIsReproducibleFromTheSeedAndNearTheProbability() {
        List<String> first = lossPattern(7);
        List<String> second = lossPattern(7);
        assertThat(first).isEqualTo(second);
        assertThat(first.size()).isBetween(230, 370); // 1000 sends at p = 0.3
        assertThat(lossPattern(8)).isNotEqualTo(first);
    }

    private static List<String> lossPattern(long seed) {
        List<String> received = heartbeatsUnder(seed, net -> net.dropProbability(0.3), 1000, Duration.ZERO);
        List<String> lost = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            if (!received.contains("a:hb" + i)) {
                lost.add("hb" + i);
            }
        }
        return lost;
    }

    /** What b receives of {@code count} heartbeats from a, in order, under {@code faults}, after {@code wait}. */
    private static List<String> heartbeatsUnder(long seed, Consumer<LocalNetwork> faults, int count, Duration wait) {
        ManualScheduler s = new ManualScheduler(0);
        LocalNetwork net = new LocalNetwork(s, seed);
        Transport a = net.transport("a");
        a.start("a", (f, m) -> { });
        Inbox b = new Inbox(s);
        net.transport("b").start("b", b);
        faults.accept(net);
        for (int i = 0; i < count; i++) {
            a.send("b", hb(i));
        }
        s.advance(wait);
        s.runPending();
        return b.received;
    }

    @Test
    void delayedMessagesArriveWithinTheirRangeAndPerLinkDelayWins() {
        Transport a = started("a", new Inbox(scheduler));
        Inbox b = new Inbox(scheduler);
        started("b", b);
        Inbox c = new Inbox(scheduler);
        started("c", c);

        network.delay(Duration.ofMillis(10), Duration.ofMillis(20));
        network.delay("a", "c", Duration.ofMillis(100), Duration.ofMillis(100));
        for (int i = 0; i < 50; i++) {
            a.send("b", hb(i));
        }
        a.send("c", hb(99));
        scheduler.advance(Duration.ofMillis(9));
        assertThat(b.received).isEmpty();
        scheduler.advance(Duration.ofMillis(11));
        assertThat(b.received).hasSize(50);
        assertThat(b.at).allSatisfy(t -> assertThat(t).isBetween(10L, 20L));
        assertThat(c.received).isEmpty();
        scheduler.advance(Duration.ofMillis(80));
        assertThat(c.at).containsExactly(100L);
    }

    @Test
    void duplicationDeliversTwoCopies() {
        Transport a = started("a", new Inbox(scheduler));
        Inbox b = new Inbox(scheduler);
        started("b", b);

        network.duplicateProbability(1.0);
        a.send("b", hb(1));
        scheduler.runPending();

        assertThat(b.received).containsExactly("a:hb1", "a:hb1");
        assertThat(network.sentCount()).isEqualTo(1);
        assertThat(network.deliveredCount()).isEqualTo(2);
    }

    @Test
    void reorderingLetsLaterMessagesOvertakeEarlierOnesReproducibly() {
        List<String> first = reorderRun(3);
        assertThat(first).hasSize(100).isNotEqualTo(sortedHeartbeats());
        assertThat(reorderRun(3)).isEqualTo(first);
    }

    private static List<String> reorderRun(long seed) {
        return heartbeatsUnder(seed, net -> net.reorder(0.5, Duration.ofMillis(50)), 100, Duration.ofMillis(51));
    }

    private static List<String> sortedHeartbeats() {
        List<String> in = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            in.add("a:hb" + i);
        }
        return in;
    }

    @Test
    void interceptorSeesEveryMessageAndCanDropSome() {
        Transport a = started("a", new Inbox(scheduler));
        Inbox b = new Inbox(scheduler);
        started("b", b);
        List<String> seen = new ArrayList<>();
        network.setInterceptor((from, to, msg) -> {
            seen.add(from + "->" + to + ":" + describe(msg));
            return !(msg instanceof Message.CommitAck);
        });

        a.send("b", hb(1));
        a.send("b", new Message.CommitAck(0, 9));
        scheduler.runPending();

        assertThat(seen).containsExactly("a->b:hb1", "a->b:ack9");
        assertThat(b.received).containsExactly("a:hb1");
    }

    @Test
    void throwingReceiverDoesNotBreakTheNetwork() {
        Transport a = started("a", new Inbox(scheduler));
        network.transport("b").start("b", (f, m) -> {
            throw new IllegalStateException("expected failure in test");
        });
        Inbox c = new Inbox(scheduler);
        started("c", c);
        a.send("b", hb(1));
        a.send("c", hb(2));
        scheduler.runPending();
        assertThat(c.received).containsExactly("a:hb2");
        assertThat(scheduler.failures()).isEmpty();
    }

    @Test
    void badFaultParametersAreRejectedWithTheValue() {
        assertThatThrownBy(() -> network.dropProbability(1.5)).hasMessage("drop probability must be in [0,1], got 1.5");
        assertThatThrownBy(() -> network.delay(Duration.ofMillis(5), Duration.ofMillis(1)))
                .hasMessage("max delay must be >= min delay PT0.005S, got PT0.001S");
        assertThatThrownBy(() -> network.cut("a", "")).hasMessage("to must not be blank");
    }
}
