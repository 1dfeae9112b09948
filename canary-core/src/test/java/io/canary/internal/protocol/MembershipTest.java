package io.canary.internal.protocol;

import static io.canary.internal.protocol.Fixture.A;
import static io.canary.internal.protocol.Fixture.B;
import static io.canary.internal.protocol.Fixture.C;
import static io.canary.internal.protocol.Fixture.CONFIG;
import static io.canary.internal.protocol.Fixture.MEMBERS;
import static io.canary.internal.protocol.Fixture.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.PeerStatus;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Reachability as node-a's {@link Membership} sees it: two-way evidence only (a peer must echo
 * something this node sent, within the peer timeout), on the monotonic clock, so that neither a
 * one-way link nor a wall-clock step makes a dead peer look alive.
 */
class MembershipTest {
    private static final long START = 10_000;
    private final Membership membership = new Membership(A, MEMBERS, CONFIG, START);
    private final long timeout = CONFIG.peerTimeout().toMillis();

    @Test
    void aPeerWhoseHeartbeatsArriveButNeverEchoOursIsNotReachable() {
        for (long t = START; t < START + 3_000; t += 200) {
            membership.onHeartbeat(B, heartbeat(1, 1, t, -1), t); // node-b hears nothing of ours
        }
        assertThat(membership.isReachable(B, START + 3_000)).as("one-way: its messages arrive, ours do not").isFalse();
        assertThat(membership.heardWithin(B, START + 3_000, timeout)).as("it is heard, though").isTrue();
    }

    @Test
    void anEchoOfOurSendTimeIsTwoWayContactUntilThePeerTimeout() {
        long sentAt = START + 100; // our heartbeat's monotonic send time
        membership.onHeartbeat(B, heartbeat(1, 1, 55, sentAt), START + 150);
        assertThat(membership.isReachable(B, START + 150)).isTrue();
        assertThat(membership.isReachable(B, sentAt + timeout)).isTrue();
        assertThat(membership.isReachable(B, sentAt + timeout + 1)).as("measured from our send, not its arrival").isFalse();
        assertThat(membership.inContactCount(START + 150, timeout)).isEqualTo(2); // node-a itself and node-b
        assertThat(membership.majority()).isEqualTo(2);
    }

    @Test
    void anEchoFromBeforeThisIncarnationStartedOrFromTheFutureIsNoEvidence() {
        membership.onHeartbeat(B, heartbeat(1, 1, 5, START - 1), START + 10); // an earlier process's clock
        membership.onHeartbeat(C, heartbeat(1, 1, 5, START + 999), START + 10); // a time we never sent
        assertThat(membership.isReachable(B, START + 10)).isFalse();
        assertThat(membership.isReachable(C, START + 10)).isFalse();
    }

    @Test
    void ourHeartbeatsEchoEachPeersNewestSendTime() {
        membership.onHeartbeat(B, heartbeat(1, 4, 777, -1), START + 10);
        membership.onHeartbeat(B, heartbeat(1, 4, 700, -1), START + 11); // reordered: the older one is not echoed
        List<Effect> tick = membership.onHeartbeatTick(2, 5, true, true, true, START + 200);
        List<Message.Heartbeat> sent = Fx.sent(tick, Message.Heartbeat.class);
        assertThat(Fx.recipients(tick, Message.Heartbeat.class)).containsExactly(B, C);
        assertThat(sent).allMatch(h -> h.term() == 2 && h.committedVersion() == 5 && h.sentAt() == START + 200
                && h.coordinator() && h.leaseHolder());
        assertThat(sent.get(0).echo()).isEqualTo(777);
        assertThat(sent.get(1).echo()).as("never heard node-c").isEqualTo(-1);
        assertThat(membership.reportedVersion(B)).isEqualTo(4);
        assertThat(membership.reportedVersion(C)).isEqualTo(-1);
    }

    @Test
    void aWallClockStepMakesNeitherADeadPeerLookAliveNorALivePeerLookDead() {
        AtomicLong wall = new AtomicLong(1_700_000_000_000L);
        AtomicLong monotonic = new AtomicLong(START);
        ProtocolNode node = new ProtocolNode(A, MEMBERS, A, java.util.Set.of(), CONFIG,
                Recovery.replay(List.of(), RoutingState.initial("v1", "v2")), 1, wall::get);
        node.start(monotonic.get());
        // node-b answers our first heartbeat, then dies; node-c keeps answering.
        node.onMessage(B, heartbeat(0, 1, 1, START), START + 5);
        for (long t = START + 200; t <= START + 3_000; t += 200) {
            monotonic.set(t);
            node.onMessage(C, heartbeat(0, 1, t, t - 200), t);
        }
        for (long step : new long[] {-30_000, 3_600_000}) { // NTP sets the clock back, then an hour forward
            wall.addAndGet(step);
            List<PeerStatus> view = node.view(monotonic.get());
            assertThat(view).filteredOn(p -> p.nodeId().equals(B)).singleElement()
                    .satisfies(p -> assertThat(p.reachable()).as("dead node-b after a step of %d ms", step).isFalse());
            assertThat(view).filteredOn(p -> p.nodeId().equals(C)).singleElement()
                    .satisfies(p -> assertThat(p.reachable()).as("live node-c after a step of %d ms", step).isTrue());
        }
    }

    @Test
    void aMemberLeftOutOfACommitIsStaleUntilItReportsTheVersion() {
        membership.markStale(C);
        membership.markStale(A);
        assertThat(membership.isStale(C)).isTrue();
        assertThat(membership.isStale(A)).as("never this node itself").isFalse();
        membership.caughtUp(C, 4, 5);
        assertThat(membership.isStale(C)).isTrue();
        membership.caughtUp(C, 5, 5);
        assertThat(membership.isStale(C)).isFalse();
    }
}
