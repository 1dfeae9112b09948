package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ACCEPTED record of a forwarded change carries the coordinator's wall-clock time, which
 * {@code canary log show} prints as a date; the protocol's own clock is monotonic and would print
 * as a 1970 date on a real node.
 */
class AcceptedRecordClockTest {
    private LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void acceptedRecordOfAForwardedChangeIsStampedWithTheWallClockNotTheMonotonicClock() throws Exception {
        long start = 1_780_000_000_000L;
        cluster = LocalCluster.builder().nodes(3).startMillis(start).build();
        assertThat(cluster.advanceUntil(() -> cluster.node("node-a").isCoordinator() && cluster.allReady(),
                Duration.ofSeconds(5))).isTrue();
        // A wall-clock step forward splits the two clocks apart: the record must follow the wall clock.
        cluster.scheduler().stepWallClock(Duration.ofHours(5));
        long wallBefore = cluster.scheduler().nowMillis();

        CompletableFuture<RoutingState> change = cluster.node("node-b").proposeWeights(Weights.split("v1", "v2", 10));
        assertThat(cluster.advanceUntil(change::isDone, Duration.ofSeconds(3))).isTrue();
        change.get();

        List<LogRecord.RequestAccepted> accepted = cluster.log("node-a").records().stream()
                .filter(LogRecord.RequestAccepted.class::isInstance).map(LogRecord.RequestAccepted.class::cast).toList();
        assertThat(accepted).hasSize(1);
        assertThat(accepted.get(0).from()).isEqualTo("node-b");
        assertThat(accepted.get(0).at()).isBetween(wallBefore, cluster.scheduler().nowMillis());
    }
}
