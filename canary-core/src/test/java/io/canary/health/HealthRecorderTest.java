package io.canary.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HealthRecorderTest {
    private final AtomicLong clock = new AtomicLong(5_000_000);
    private final HealthRecorder recorder = new HealthRecorder("node-a", Duration.ofSeconds(30), 6, clock::get);

    @Test
    void snapshotShowsEachTrackedVersionsCountsErrorRateAndPercentiles() {
        recorder.trackVersions(List.of("v1", "v2"));
        for (int i = 0; i < 100; i++) {
            recorder.record("v1", 10_000_000, true);
            recorder.record("v2", 40_000_000, i % 10 != 0);
        }
        clock.addAndGet(2_000);
        HealthSnapshot s = recorder.snapshot();
        assertThat(s.nodeId()).isEqualTo("node-a");
        assertThat(s.takenAt()).isEqualTo(clock.get());
        assertThat(s.windowMillis()).isEqualTo(2_000);
        VersionStats v2 = s.version("v2").stats();
        assertThat(v2.requests()).isEqualTo(100);
        assertThat(v2.errors()).isEqualTo(10);
        assertThat(v2.errorRate()).isEqualTo(0.1);
        assertThat(v2.p95Ms()).isBetween(40 * 0.97, 40 * 1.03);
        assertThat(s.version("v1").stats().p50Ms()).isBetween(10 * 0.97, 10 * 1.03);
    }

    @Test
    void aVersionNotTrackedIsIgnoredAndCounted() {
        recorder.trackVersions(List.of("v1"));
        recorder.record("v9", 1_000_000, true);
        recorder.record("v1", 1_000_000, true);
        assertThat(recorder.ignoredRecords()).isEqualTo(1);
        assertThat(recorder.snapshot().versions()).containsOnlyKeys("v1");
        assertThat(recorder.snapshot().version("v1").requests()).isEqualTo(1);
    }

    @Test
    void retrackingKeepsTheHistoryOfVersionsStillServedAndDropsTheOthers() {
        recorder.trackVersions(List.of("v1", "v2"));
        recorder.record("v1", 1_000_000, true);
        recorder.record("v2", 1_000_000, true);
        recorder.trackVersions(List.of("v2", "v3"));
        HealthSnapshot s = recorder.snapshot();
        assertThat(s.versions()).containsOnlyKeys("v2", "v3");
        assertThat(s.version("v2").requests()).isEqualTo(1);
        assertThat(s.version("v3").requests()).isZero();
    }

    @Test
    void truncateLeavesOnlyTrafficRecordedAfterIt() {
        recorder.trackVersions(List.of("v1", "v2"));
        recorder.record("v2", 1_000_000, false);
        clock.addAndGet(1_000);
        recorder.truncate();
        recorder.record("v2", 1_000_000, true);
        clock.addAndGet(500);
        HealthSnapshot s = recorder.snapshot();
        assertThat(s.version("v2").requests()).isEqualTo(1);
        assertThat(s.version("v2").errors()).isZero();
        assertThat(s.windowMillis()).isEqualTo(500);
    }

    @Test
    void concurrentRecordingIntoTheWindowsLosesNoRequestNorError() throws InterruptedException {
        recorder.trackVersions(List.of("v1", "v2"));
        int threads = 4;
        int perThread = 100_000;
        CountDownLatch go = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                LatencyHistogramTest.awaitQuietly(go);
                for (int i = 0; i < perThread; i++) {
                    recorder.record(i % 2 == 0 ? "v1" : "v2", 1_000L * (i % 5000 + 1), i % 4 != 0);
                }
            });
            workers[t].start();
        }
        go.countDown();
        // Read concurrently too: reads must not disturb the counts.
        for (int i = 0; i < 20; i++) {
            recorder.snapshot();
        }
        for (Thread w : workers) {
            w.join();
        }
        HealthSnapshot s = recorder.snapshot();
        long total = s.version("v1").requests() + s.version("v2").requests();
        assertThat(total).isEqualTo((long) threads * perThread);
        assertThat(s.version("v1").errors() + s.version("v2").errors()).isEqualTo((long) threads * perThread / 4);
        assertThat(s.version("v1").latency().totalCount()).isEqualTo(s.version("v1").requests());
    }

    @Test
    void mirroredTrafficIsKeptApartFromUserTraffic() {
        recorder.trackVersions(List.of("v1", "v2"));
        recorder.record("v1", 10_000_000, true);
        recorder.recordMirror("v2", 80_000_000, false);
        recorder.recordMirror("v2", 80_000_000, true);
        recorder.recordMirror("v9", 1, true);
        HealthSnapshot s = recorder.snapshot();
        assertThat(s.version("v2").requests()).as("a mirror is not user traffic").isZero();
        assertThat(s.mirrors()).containsOnlyKeys("v2");
        assertThat(s.mirror("v2").requests()).isEqualTo(2);
        assertThat(s.mirror("v2").errors()).isEqualTo(1);
        assertThat(s.mirror("v2").stats().p50Ms()).isBetween(80 * 0.97, 80 * 1.03);
        assertThat(s.mirror("v1").requests()).isZero();
        assertThat(recorder.ignoredRecords()).isEqualTo(1);

        // the step counts carry the mirrored copies apart too (what a shadow step is judged on)
        assertThat(s.step().version("v2").requests()).isZero();
        assertThat(s.step().mirrors()).containsOnlyKeys("v2");
        assertThat(s.step().mirror("v2").requests()).isEqualTo(2);
        assertThat(s.step().mirror("v2").errors()).isEqualTo(1);

        recorder.truncate();
        assertThat(recorder.snapshot().mirrors()).as("truncate restarts the mirror windows too").isEmpty();
        recorder.startStep("r#1");
        assertThat(recorder.stepCounts().mirrors()).as("a new step counts its copies from zero").isEmpty();
    }

    @Test
    void recordingDoesNotAllocate() {
        recorder.trackVersions(List.of("v1", "v2"));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        String v2 = new String("v2"); // an equal but not identical name, as a caller would pass
        for (int i = 0; i < 10_000; i++) { // warm up so that class loading is not counted
            recorder.record(v2, i * 1_000L, i % 3 != 0);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1_000_000; i++) {
            recorder.record(v2, i * 1_000L, i % 3 != 0);
            recorder.record("v7", i, true);
            recorder.recordMirror(v2, i * 1_000L, true);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(allocated).as("bytes allocated by 3,000,000 records").isLessThan(4_096);
    }
}
