package io.canary.net.cluster;

import io.canary.log.FileStateLog;
import io.canary.log.LogRecord;
import io.canary.log.StateLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A {@link FileStateLog} that can crash like its process would: what was appended without
 * {@code durable} since the last durable append is cut off the file (the page cache died with the
 * machine), and optionally the last durable line is torn in half (a crash mid-write).
 */
final class CrashableFileLog implements StateLog {
    private final FileStateLog log;
    private final Path file;
    private long durableBytes;
    private boolean crashed;

    CrashableFileLog(Path dataDir, String nodeId) {
        this.log = FileStateLog.open(dataDir, nodeId);
        this.file = log.path();
    }

    @Override
    public synchronized List<LogRecord> replay() {
        checkAlive();
        List<LogRecord> records = log.replay();
        durableBytes = size();
        return records;
    }

    @Override
    public synchronized void append(LogRecord record, boolean durable) {
        checkAlive();
        log.append(record, durable);
        if (durable) {
            durableBytes = size();
        }
    }

    @Override
    public synchronized void checkpoint(List<LogRecord> records) {
        checkAlive();
        log.checkpoint(records);
        durableBytes = size();
    }

    @Override
    public synchronized long recordsSinceCheckpoint() {
        return log.recordsSinceCheckpoint();
    }

    @Override
    public synchronized void close() {
        if (!crashed) {
            log.close();
        }
    }

    /** Loses the non-durable tail, tears the last durable line if asked, and refuses every later call. */
    synchronized void crash(boolean tearLastRecord) {
        if (crashed) {
            return;
        }
        crashed = true;
        log.close();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            long keep = durableBytes;
            if (tearLastRecord && keep > 0) {
                byte[] content = Files.readAllBytes(file);
                int lastLineStart = (int) keep - 1;
                while (lastLineStart > 0 && content[lastLineStart - 1] != '\n') {
                    lastLineStart--;
                }
                keep = lastLineStart + (keep - lastLineStart) / 2;
            }
            ch.truncate(keep);
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file() {
        return file;
    }

    private long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void checkAlive() {
        if (crashed) {
            throw new IllegalStateException("state log " + file + " crashed");
        }
    }
}
