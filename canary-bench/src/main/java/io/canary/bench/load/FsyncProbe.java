package io.canary.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The disk's floor under any durable commit: append one ~120-byte line and {@code force(false)}
 * (fdatasync, what Canary's state log does per durable record), {@code --count} times, one at a time.
 * A Canary commit waits for at least two of these in sequence (PREPARED on the participants, then
 * COMMIT on the coordinator); an etcd put for one (the leader's and followers' WAL writes overlap).
 */
@Command(name = "fsync-probe", mixinStandardHelpOptions = true, description = "Latency of append + fdatasync.")
public final class FsyncProbe implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "directory to write a scratch file in") Path dir;
    @Option(names = "--count", defaultValue = "500", description = "appends") int count;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FsyncProbe()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("fsync-probe.log");
        LatencySamples samples = new LatencySamples(count);
        byte[] line = ("PREPARED tx=4294967297 version=2 weights=v1:9000,v2:1000 baseline=v1 rollout=- crc=0a1b2c3d"
                + " padding-to-a-realistic-record-length\n").getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                ch.write(ByteBuffer.wrap(line));
                ch.force(false);
                samples.add(System.nanoTime() - t0);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "RESULT fsync count=%d per_second=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f mean_ms=%.3f",
                count, count / seconds, samples.percentileMillis(50), samples.percentileMillis(99),
                samples.percentileMillis(99.9), samples.percentileMillis(100), samples.meanMillis()));
        return 0;
    }
}
