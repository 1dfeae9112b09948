package io.canary.internal.protocol;

import static io.canary.internal.protocol.Fixture.A;
import static io.canary.internal.protocol.Fixture.B;
import static io.canary.internal.protocol.Fixture.C;
import static io.canary.internal.protocol.Fixture.CONFIG;
import static io.canary.internal.protocol.Fixture.MEMBERS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The fail-safe lease on the monotonic clock: a member serves the canary only within the lease
 * timeout of a majority-backed coordinator's word and not behind the version it reported; the
 * coordinator only with two-way contact with a majority and no re-driven transaction pending.
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
