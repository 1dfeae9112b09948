package io.canary.internal.protocol;

import static io.canary.internal.protocol.Fixture.A;
import static io.canary.internal.protocol.Fixture.B;
import static io.canary.internal.protocol.Fixture.C;
import static io.canary.internal.protocol.Fixture.CONFIG;
import static io.canary.internal.protocol.Fixture.MEMBERS;
import static io.canary.internal.protocol.Fixture.V1;
import static io.canary.internal.protocol.Fixture.coordinatorHeartbeat;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fail-safe lease on the monotonic clock: a member serves the canary only within the lease
 * timeout of a majority-backed coordinator's word and not behind the version it reported; the
 * coordinator only with two-way contact with a majority and no re-driven transaction pending. A
 * member's lease runs from its own heartbeat that the coordinator echoes, never from an arrival, and
 * the deadline handed to the router is exactly when the lease problem appears.
 */
class LeaseTest {
    private final Lease lease = new Lease(CONFIG);
    private final long timeout = CONFIG.leaseTimeout().toMillis();

    @Test
    void aMemberThatNeverHeardACoordinatorRoutesFailSafeAndSaysWhy() {
        assertThat(lease.memberProblem(0, 1, "")).contains("election under way");
        assertThat(lease.memberProblem(0, 1, B)).contains("not yet confirmed current by the coordinator node-b");
    }

    @Test
    void theLeaseLastsTheLeaseTimeoutFromTheCoordinatorsLastWord() {
        lease.granted(1_000, 4);
        assertThat(lease.memberProblem(1_000, 4, B)).isEmpty();
        assertThat(lease.memberProblem(1_000 + timeout, 4, B)).isEmpty();
        assertThat(lease.memberProblem(1_000 + timeout + 1, 4, B)).contains("no word from a coordinator backed by a majority for");
    }

    @Test
    void theLeaseRunsFromTheEchoedSendTimeAndNeverMovesBack() {
        lease.granted(1_000, 4);
        lease.granted(600, 3); // an older heartbeat, reordered: proves less
        assertThat(lease.memberProblem(1_000 + timeout, 4, B)).isEmpty();
        assertThat(lease.memberProblem(1_000 + timeout + 1, 4, B)).isNotEmpty();
        assertThat(lease.coordinatorVersion()).isEqualTo(4);
    }

    @Test
    void aMembersDeadlineIsTheMomentItsLeaseProblemAppears() {
        Membership membership = new Membership(B, MEMBERS, CONFIG, 0);
        assertThat(lease.deadline(500, null, membership, 4, A)).as("no lease: now").isEqualTo(500);
        lease.granted(1_000, 4);
        long deadline = lease.deadline(1_200, null, membership, 4, A);
        assertThat(deadline).isEqualTo(1_000 + timeout);
        assertThat(lease.memberProblem(deadline, 4, A)).isEmpty();
        assertThat(lease.memberProblem(deadline + 1, 4, A)).isNotEmpty();
        assertThat(lease.deadline(1_200, null, membership, 3, A)).as("behind: no lease now").isEqualTo(1_200);
    }

    @Test
    void theCoordinatorsDeadlineIsTheLeaseTimeoutAfterItsMajorityThNewestTwoWayContact() {
        Membership membership = new Membership(A, List.of(A, B, C, "node-d", "node-e"), CONFIG, 0);
        Fixture.contact(membership, B, 100);
        Fixture.contact(membership, C, 300);
        Fixture.contact(membership, "node-d", 200);
        Coordinator reign = new Coordinator(A, CONFIG, 1, Fixture.participant(A, V1), membership, new Replies(), () -> 0);
        // itself, node-c (300), node-d (200): the third newest contact is 200
        long deadline = lease.deadline(400, reign, membership, 1, A);
        assertThat(deadline).isEqualTo(200 + timeout);
        assertThat(Lease.coordinatorProblem(membership, deadline, CONFIG, true)).isEmpty();
        assertThat(Lease.coordinatorProblem(membership, deadline + 1, CONFIG, true)).isNotEmpty();
        assertThat(lease.deadline(deadline + 1, reign, membership, 1, A)).isEqualTo(deadline + 1);
    }

    @Test
    void withTheLeaseOnlyCheckedOnEventsTheRouterIsGivenNoDeadline() {
        lease.plant(Set.of(PlantedBug.LEASE_ONLY_CHECKED_ON_EVENTS));
        lease.granted(1_000, 4);
        assertThat(lease.deadline(1_100, null, new Membership(B, MEMBERS, CONFIG, 0), 4, A)).isEqualTo(Long.MAX_VALUE);
    }

    /**
     * The pause: node-b's heartbeat of 1,100 was echoed by node-a in a heartbeat that reached node-b
     * only after node-b stood still for longer than the lease (it queued meanwhile). Renewing the
     * lease from the arrival would let node-b serve the canary on the word of a coordinator that may
     * have lost its majority long ago; from the echoed send time it has no lease.
     */
    @Test
    void aHeartbeatThatQueuedDuringAPauseRenewsNothing() {
        ProtocolNode b = new ProtocolNode(B, MEMBERS, A, Set.of(), CONFIG,
                Recovery.replay(List.of(new LogRecord.TermVote(1, A)), V1), 1, () -> 0);
        b.start(1_000);
        b.onMessage(A, coordinatorHeartbeat(1, V1.version(), 50_000, 1_100), 1_150);
        assertThat(b.coordination(1_150).failSafe()).isFalse();
        assertThat(b.leaseDeadline(1_150)).isEqualTo(1_100 + timeout);

        long resumed = 1_100 + timeout + 2_000;
        b.onMessage(A, coordinatorHeartbeat(1, V1.version(), 50_200, 1_100), resumed);
        assertThat(b.coordination(resumed).failSafe()).as("renewed from the arrival").isTrue();
        assertThat(b.coordination(resumed).failSafeReason()).contains("no word from a coordinator backed by a majority");
        assertThat(b.leaseDeadline(resumed)).isEqualTo(resumed);

        b.onMessage(A, coordinatorHeartbeat(1, V1.version(), 50_400, resumed - 10), resumed + 20); // echoes a fresh one
        assertThat(b.coordination(resumed + 20).failSafe()).isFalse();
        assertThat(b.leaseDeadline(resumed + 20)).isEqualTo(resumed - 10 + timeout);
    }

    @Test
    void anEchoFromBeforeThisIncarnationStartedOrFromTheFutureGrantsNothing() {
        ProtocolNode b = new ProtocolNode(B, MEMBERS, A, Set.of(), CONFIG,
                Recovery.replay(List.of(new LogRecord.TermVote(1, A)), V1), 1, () -> 0);
        b.start(1_000);
        b.onMessage(A, coordinatorHeartbeat(1, V1.version(), 50_000, 900), 1_050);
        assertThat(b.coordination(1_050).failSafe()).isTrue();
        b.onMessage(A, coordinatorHeartbeat(1, V1.version(), 50_000, 2_000), 1_060);
        assertThat(b.coordination(1_060).failSafe()).isTrue();
    }

    @Test
    void aMemberBehindTheCoordinatorsVersionRoutesFailSafeUntilCaughtUp() {
        lease.granted(1_000, 5);
        assertThat(lease.memberProblem(1_100, 4, B)).contains("behind the coordinator (committed version 4 < 5)");
        assertThat(lease.memberProblem(1_100, 5, B)).isEmpty();
    }

    @Test
    void aNewTermRevokesTheLease() {
        lease.granted(1_000, 5);
        lease.revoke();
        assertThat(lease.memberProblem(1_100, 5, "")).isNotEmpty();
        assertThat(lease.coordinatorVersion()).isEqualTo(-1);
    }

    @Test
    void theCoordinatorNeedsTwoWayContactWithAMajorityAndNoTransactionLeftInDoubt() {
        Membership membership = new Membership(A, MEMBERS, CONFIG, 0);
        assertThat(Lease.coordinatorProblem(membership, 100, CONFIG, true))
                .isEqualTo("the coordinator has two-way contact with only 1 of 3 members (a majority is 2)");
        Fixture.contact(membership, C, 100);
        assertThat(Lease.coordinatorProblem(membership, 100, CONFIG, true)).isEmpty();
        assertThat(Lease.coordinatorProblem(membership, 100 + timeout + 1, CONFIG, true)).contains("only 1 of 3");
        assertThat(Lease.coordinatorProblem(membership, 100, CONFIG, false)).contains("still finishing a transaction");
    }
}
