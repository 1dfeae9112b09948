package io.canary.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
    private final ManualScheduler scheduler = new ManualScheduler(1_000);
    private final List<String> ran = new ArrayList<>();

    @Test
    void timeStandsStillUntilAdvanced() {
        assertThat(scheduler.nowMillis()).isEqualTo(1_000);
        scheduler.advance(Duration.ofMillis(250));
        assertThat(scheduler.nowMillis()).isEqualTo(1_250);
        scheduler.advanceTo(5_000);
        assertThat(scheduler.nowMillis()).isEqualTo(5_000);
    }

    @Test
    void tasksRunInDueTimeThenSubmissionOrderWithTheClockAtTheirDueTime() {
        scheduler.schedule(Duration.ofMillis(30), () -> ran.add("c@" + scheduler.nowMillis()));
        scheduler.schedule(Duration.ofMillis(10), () -> ran.add("a@" + scheduler.nowMillis()));
        scheduler.schedule(Duration.ofMillis(10), () -> ran.add("b@" + scheduler.nowMillis()));
        scheduler.schedule(Duration.ofMillis(31), () -> ran.add("late"));

        int count = scheduler.advance(Duration.ofMillis(30));

        assertThat(ran).containsExactly("a@1010", "b@1010", "c@1030");
        assertThat(count).isEqualTo(3);
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        assertThat(scheduler.nextTaskTime()).isEqualTo(OptionalLong.of(1_031));
    }

    @Test
    void tasksScheduledByTasksRunInTheSameAdvanceWhenDue() {
        scheduler.schedule(Duration.ofMillis(10), () -> {
            ran.add("first");
            scheduler.schedule(Duration.ofMillis(5), () -> ran.add("child@" + scheduler.nowMillis()));
            scheduler.execute(() -> ran.add("now@" + scheduler.nowMillis()));
            scheduler.schedule(Duration.ofMillis(100), () -> ran.add("too late"));
        });
        scheduler.schedule(Duration.ofMillis(12), () -> ran.add("second"));

        scheduler.advance(Duration.ofMillis(20));

        assertThat(ran).containsExactly("first", "now@1010", "second", "child@1015");
        assertThat(scheduler.nowMillis()).isEqualTo(1_020);
    }

    @Test
    void executedTasksWaitForRunPendingAndRunInSubmissionOrder() {
        scheduler.execute(() -> ran.add("1"));
        scheduler.execute(() -> {
            ran.add("2");
            scheduler.execute(() -> ran.add("4"));
        });
        scheduler.execute(() -> ran.add("3"));
        assertThat(ran).isEmpty();
        assertThat(scheduler.pendingTasks()).isEqualTo(3);

        scheduler.runPending();

        assertThat(ran).containsExactly("1", "2", "3", "4");
        assertThat(scheduler.nowMillis()).isEqualTo(1_000);
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(scheduler.nextTaskTime()).isEmpty();
    }

    @Test
    void cancelledTaskNeverRunsAndCancelIsIdempotent() {
        Scheduler.Cancellable c = scheduler.schedule(Duration.ofMillis(10), () -> ran.add("cancelled"));
        scheduler.schedule(Duration.ofMillis(20), () -> ran.add("kept"));
        c.cancel();
        c.cancel();

        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        assertThat(scheduler.nextTaskTime()).isEqualTo(OptionalLong.of(1_020));
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("kept");
    }

    @Test
    void cancellingAnAlreadyRunTaskChangesNothing() {
        Scheduler.Cancellable c = scheduler.schedule(Duration.ZERO, () -> ran.add("x"));
        scheduler.runPending();
        c.cancel();
        scheduler.schedule(Duration.ofMillis(1), () -> ran.add("y"));
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        scheduler.advance(Duration.ofMillis(1));
        assertThat(ran).as("x ran once, y was not cancelled by the late cancel").containsExactly("x", "y");
    }

    @Test
    void throwingTaskIsRecordedAndDoesNotStopLaterTasks() {
        scheduler.execute(() -> {
            throw new IllegalStateException("boom");
        });
        scheduler.execute(() -> ran.add("after"));

        scheduler.runPending();

        assertThat(ran).containsExactly("after");
        assertThat(scheduler.failures()).singleElement().extracting(Throwable::getMessage).isEqualTo("boom");
    }

    @Test
    void timeCannotGoBackAndTasksCannotAdvanceTime() {
        assertThatThrownBy(() -> scheduler.advanceTo(999)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("999");
        assertThatThrownBy(() -> scheduler.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);

        scheduler.execute(() -> scheduler.advance(Duration.ofMillis(1)));
        scheduler.runPending();
        assertThat(scheduler.failures()).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(scheduler.nowMillis()).isEqualTo(1_000);
    }

    @Test
    void negativeDelayRunsNowAndSubMillisecondDelayNeverRunsEarly() {
        scheduler.schedule(Duration.ofMillis(-5), () -> ran.add("negative@" + scheduler.nowMillis()));
        scheduler.schedule(Duration.ofNanos(1), () -> ran.add("nano@" + scheduler.nowMillis()));
        scheduler.runPending();
        assertThat(ran).containsExactly("negative@1000");
        scheduler.advance(Duration.ofMillis(1));
        assertThat(ran).containsExactly("negative@1000", "nano@1001");
    }

    @Test
    void sameSubmissionsGiveTheSameRunOrder() {
        List<String> first = runScript();
        assertThat(first).as("50 tasks and the 17 children of every third").hasSize(67);
        assertThat(runScript()).isEqualTo(first);
    }

    private static List<String> runScript() {
        ManualScheduler s = new ManualScheduler(0);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int id = i;
            s.schedule(Duration.ofMillis((i * 7919) % 13), () -> {
                out.add(id + "@" + s.nowMillis());
                if (id % 3 == 0) {
                    s.schedule(Duration.ofMillis(id % 5), () -> out.add("child" + id + "@" + s.nowMillis()));
                }
            });
        }
        s.advance(Duration.ofMillis(100));
        return out;
    }
}
