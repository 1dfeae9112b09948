package io.canary.launcher.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CoordinationStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CoordinationLinesTest {
    private static CoordinationStatus coordinator(String id, long term) {
        return new CoordinationStatus(Optional.of(id), term, false, "");
    }

    @Test
    void theStartUpLineSaysWhoCoordinatesInWhichTerm() {
        assertThat(CoordinationLines.describe(coordinator("node-a", 1), "node-b")).isEqualTo("Coordinator: node-a (term 1)");
        assertThat(CoordinationLines.describe(coordinator("node-a", 1), "node-a")).isEqualTo("Coordinator: node-a, this node (term 1)");
        assertThat(CoordinationLines.describe(new CoordinationStatus(Optional.empty(), 0, true, "restarted; not yet current"), "node-a"))
                .isEqualTo("Coordinator: none known yet (election running) (term 0); fail-safe: restarted; not yet current");
    }

    @Test
    void eachChangeOfCoordinatorTermOrFailSafeIsOneLine() {
        CoordinationStatus a1 = coordinator("node-a", 1);
        CoordinationStatus lost = new CoordinationStatus(Optional.empty(), 1, true, "no majority-backed coordinator for 4s");
        CoordinationStatus b2 = coordinator("node-b", 2);

        assertThat(CoordinationLines.changes(a1, a1, "node-b", "v1")).isEmpty();
        assertThat(CoordinationLines.changes(a1, lost, "node-b", "v1")).containsExactly(
                "No coordinator known (term 1): an election is running",
                "Fail-safe: routing every request to the baseline v1: no majority-backed coordinator for 4s");
        assertThat(CoordinationLines.changes(lost, b2, "node-b", "v1")).containsExactly(
                "This node coordinates now (term 2)", "Fail-safe over: routing on the committed weights again");
        assertThat(CoordinationLines.changes(lost, b2, "node-c", "v1")).first().isEqualTo("Coordinator is now node-b (term 2)");
        assertThat(CoordinationLines.changes(b2, coordinator("node-b", 3), "node-c", "v1"))
                .as("a new term of the same coordinator").containsExactly("Coordinator is now node-b (term 3)");
    }
}
