package io.canary.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Thresholds;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecoveryTest {
    static final RoutingState V1 = RoutingState.initial("v1", "v2");
    static final RoutingState V2 = V1.next(Weights.split("v1", "v2", 5), "v1", RolloutInfo.NONE, 11, 100);
    static final RoutingState V3 = V2.next(Weights.split("v1", "v2", 25), "v1", RolloutInfo.NONE, 12, 200);

    @Test
    void anEmptyLogStartsFromTheInitialState() {
        Recovery r = Recovery.replay(List.of(), V1);
        assertThat(r.committed()).isEqualTo(V1);
        assertThat(r.inDoubt()).isEmpty();
        assertThat(r.epoch()).isZero();
    }

    @Test
    void theLastCommittedOrSyncedStateWins() {
        Recovery r = Recovery.replay(List.of(new LogRecord.Committed(11, V2), new LogRecord.Synced(V3)), V1);
        assertThat(r.committed()).isEqualTo(V3);
    }

    @Test
    void aPreparedWithoutALaterDecisionIsInDoubt() {
        Recovery r = Recovery.replay(List.of(new LogRecord.Committed(11, V2), new LogRecord.Prepared(12, V3)), V1);
        assertThat(r.committed()).isEqualTo(V2);
        assertThat(r.inDoubt()).contains(new LogRecord.Prepared(12, V3));
    }

    @Test
    void aPreparedSettledByACommitAbortOrSyncIsNotInDoubt() {
        assertThat(Recovery.replay(List.of(new LogRecord.Prepared(11, V2), new LogRecord.Committed(11, V2)), V1).inDoubt()).isEmpty();
        assertThat(Recovery.replay(List.of(new LogRecord.Prepared(11, V2), new LogRecord.Aborted(11, "no")), V1).inDoubt()).isEmpty();
        assertThat(Recovery.replay(List.of(new LogRecord.Prepared(11, V2), new LogRecord.Synced(V3)), V1).inDoubt()).isEmpty();
    }

    @Test
    void theHighestEpochAndTheRolloutRecordsAreKept() {
        LogRecord started = new LogRecord.RolloutStarted("r1", new RolloutPlan("v1", "v2", RolloutPlan.DEFAULT_STEPS,
                Duration.ofSeconds(30), 100, Thresholds.NONE, 2), 5);
        Recovery r = Recovery.replay(List.of(new LogRecord.CoordinatorEpoch(1), started, new LogRecord.CoordinatorEpoch(2)), V1);
        assertThat(r.epoch()).isEqualTo(2);
        assertThat(r.otherRecords()).containsExactly(started);
    }

    @Test
    void aCompactedLogReplaysToTheSameRecovery() {
        List<LogRecord> log = List.of(new LogRecord.CoordinatorEpoch(1), new LogRecord.Prepared(11, V2),
                new LogRecord.Committed(11, V2), new LogRecord.CoordinatorEpoch(2), new LogRecord.Prepared(12, V3));
        Recovery before = Recovery.replay(log, V1);
        List<LogRecord> compact = Recovery.compact(before.epoch(), before.committed(), before.inDoubt(), List.of());
        assertThat(compact).hasSize(3);
        assertThat(Recovery.replay(compact, V1)).isEqualTo(before);
        assertThat(Optional.of(compact.get(2))).contains(new LogRecord.Prepared(12, V3));
    }
}
