package io.canary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The disk-loss budget's reading of who still holds an abort (session 10's two corrections). */
class DiskLossBudgetTest {
    private static final long TX = 1L << 32 | 3;

    private static MemoryStateLog log(String id, LogRecord... records) {
        MemoryStateLog log = new MemoryStateLog(id);
        for (LogRecord r : records) {
            log.append(r, true);
        }
        return log;
    }

    /** Seed 18005384: the abort's majority was node-a (lost for good), node-b and node-e; node-b's copy may not go. */
    @Test
    void copiesOnMembersLostForGoodCountAsLost() {
        List<String> members = List.of("node-a", "node-b", "node-c", "node-d", "node-e");
        LogRecord.Aborted abort = new LogRecord.Aborted(TX, "", 4);
        Map<String, MemoryStateLog> disks = new TreeMap<>(Map.of("node-a", log("node-a", abort), "node-b", log("node-b", abort),
                "node-c", log("node-c"), "node-d", log("node-d"), "node-e", log("node-e", abort)));
        List<LogRecord> durable = disks.get("node-b").durableRecords();
        assertThat(DiskLossBudget.neededPrefix("node-b", durable, disks, members, Set.of("node-a"), false))
                .as("node-a lost for good: node-b's copy and node-e's are all that meet every later majority").isEqualTo(1);
        disks.put("node-c", log("node-c", abort));
        disks.put("node-d", log("node-d", abort));
        assertThat(DiskLossBudget.neededPrefix("node-b", durable, disks, members, Set.of("node-a"), false))
                .as("three running copies remain besides node-b's: every majority of the four running meets one").isZero();
    }

    /** Seed 20006217: node-a holds only a newer abort of the same version and term, which covers the older one. */
    @Test
    void aNewerAbortOfTheSameVersionCoversAnOlderOne() {
        List<String> members = List.of("node-a", "node-b", "node-c");
        LogRecord.Aborted older = new LogRecord.Aborted(TX, "", 4);
        Map<String, MemoryStateLog> disks = new TreeMap<>(Map.of("node-a", log("node-a", new LogRecord.Aborted(TX + 1, "", 4)),
                "node-b", log("node-b", older), "node-c", log("node-c")));
        List<LogRecord> durable = disks.get("node-b").durableRecords();
        assertThat(DiskLossBudget.neededPrefix("node-b", durable, disks, members, Set.of(), true))
                .as("node-a's newer abort and node-b's copy are the majority: the backup must keep it").isEqualTo(1);
        disks.put("node-a", log("node-a", new LogRecord.Aborted(TX + 1, "", 5)));
        assertThat(DiskLossBudget.neededPrefix("node-b", durable, disks, members, Set.of(), true))
                .as("an abort of another version covers nothing: node-b's was never a majority's").isZero();
    }
}
