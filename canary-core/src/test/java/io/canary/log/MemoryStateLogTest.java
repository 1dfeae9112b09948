package io.canary.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryStateLogTest {
    private static final RoutingState V1 = RoutingState.initial("v1", "v2");
    private static final RoutingState V2 = V1.next(Weights.split("v1", "v2", 5), "v1", V1.rollout(), 7, 1_000);
    private static final LogRecord EPOCH = new LogRecord.CoordinatorEpoch(1);
    private static final LogRecord PREPARED = new LogRecord.Prepared(7, V2);
    private static final LogRecord COMMITTED = new LogRecord.Committed(7, V2);

    private final MemoryStateLog log = new MemoryStateLog("node-a");

    @Test
    void crashLosesAppendsThatWereNotMadeDurable() {
        log.append(EPOCH, true);
        log.append(PREPARED, false);

        log.crash();

        assertThat(log.replay()).containsExactly(EPOCH);
    }

    @Test
    void laterDurableAppendMakesEarlierOnesDurableAsFsyncDoes() {
        log.append(EPOCH, false);
        log.append(PREPARED, false);
        log.append(COMMITTED, true);

        log.crash();

        assertThat(log.replay()).containsExactly(EPOCH, PREPARED, COMMITTED);
    }

    @Test
    void tornCrashDropsTheLastDurableRecordAndTheRestartedNodeCanAppendAgain() {
        log.append(EPOCH, true);
        log.append(PREPARED, true);

        log.crash(true);

        assertThat(log.replay()).containsExactly(EPOCH);
        log.append(COMMITTED, true);
        log.crash();
        assertThat(log.replay()).containsExactly(EPOCH, COMMITTED);
    }

    @Test
    void crashedLogRefusesAppendsUntilReplayed() {
        log.crash();
        assertThatThrownBy(() -> log.append(EPOCH, true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node-a").hasMessageContaining("closed");
        assertThat(log.replay()).isEmpty();
        log.append(EPOCH, true);
        assertThat(log.records()).containsExactly(EPOCH);
    }

    @Test
    void closeFlushesEverything() {
        log.append(EPOCH, false);
        log.close();
        log.crash();
        assertThat(log.replay()).containsExactly(EPOCH);
    }

    @Test
    void checkpointReplacesTheLogDurablyAndResetsTheCounter() {
        log.append(EPOCH, true);
        log.append(PREPARED, true);
        log.append(COMMITTED, false);
        assertThat(log.recordsSinceCheckpoint()).isEqualTo(3);

        log.checkpoint(List.of(EPOCH, COMMITTED));
        assertThat(log.recordsSinceCheckpoint()).isZero();
        log.crash();

        assertThat(log.replay()).containsExactly(EPOCH, COMMITTED);
    }

    @Test
    void failingDiskThrowsStateLogExceptionAndKeepsNothing() {
        log.append(EPOCH, true);
        log.failAppends(true);
        assertThatThrownBy(() -> log.append(PREPARED, true)).isInstanceOf(StateLogException.class)
                .hasMessage("cannot append to state log node-a: simulated disk failure");
        assertThatThrownBy(() -> log.checkpoint(List.of())).isInstanceOf(StateLogException.class);
        log.failAppends(false);
        assertThat(log.records()).containsExactly(EPOCH);
        assertThat(log.fsyncCount()).isEqualTo(1);
    }
}
