package io.canary.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state log on disk: {@code <dataDir>/<nodeId>.log}, one {@link LogRecordFormat} line per record.
 *
 * <p>A durable append writes the line and forces the file ({@code fsync} of the data); a buffered one
 * only writes it. {@link #replay()} reads every record. It cuts a torn final line (the bytes after the
 * last line end: an append that a crash interrupted, never acknowledged) with a warning, so the next
 * append starts on a clean line; any other bad line (a complete line whose CRC does not match, that
 * is not UTF-8 or not a record) is damage, and replay refuses it with a {@link LogDamagedException}
 * naming the file and line, leaving the file untouched: silently dropping it and what follows would
 * bring the node back older than the cluster. See {@link LogScan} for the exact rule. {@link #checkpoint} writes a temporary file, forces it, renames it atomically over the log and
 * forces the directory, so a crash leaves either the old log or the new one. The file is locked while
 * open, so two nodes with the same id cannot share a data directory.
 *
 * <p>Threading: meant for the node's protocol thread; methods are synchronized so that a stray call
 * from elsewhere cannot interleave lines.
 *
 * <p>Failure: every I/O error is a {@link StateLogException} whose message names the file and the
 * cause. A failed append is undone (the file is cut back to where the line began) so no torn line is
 * left behind; if even that fails, the log refuses further appends.
 */
public final class FileStateLog implements StateLog {
    private static final System.Logger LOG = System.getLogger(FileStateLog.class.getName());

    private final Path dir;
    private final Path file;
    private final Path temp;
    private FileChannel channel;
    private FileLock lock;
    private long sinceCheckpoint;
    private boolean closed;
    private String broken;
    private Optional<String> replayProblem = Optional.empty();
    private LogStart replayStart = LogStart.EMPTY;

    private FileStateLog(Path dir, Path file, Path temp, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.file = file;
        this.temp = temp;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Opens (creating it and its directory if needed) the log of node {@code nodeId} in {@code dataDir}.
     *
     * @throws StateLogException if the directory or the file cannot be created, opened for writing or
     *     locked, e.g. {@code cannot write state log /x/node-a.log: permission denied}
     * @throws IllegalArgumentException if {@code nodeId} cannot be a file name
     */
    public static FileStateLog open(Path dataDir, String nodeId) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isBlank() || nodeId.contains("/") || nodeId.contains("\\") || nodeId.startsWith(".")) {
            throw new IllegalArgumentException("node id '" + nodeId + "' cannot name a log file");
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        Path file = dir.resolve(nodeId + ".log");
        Path temp = dir.resolve(nodeId + ".log.tmp");
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = lockOrFail(channel, file);
            channel.position(channel.size());
            // A crash during a checkpoint leaves its temporary file; the log itself is intact.
            Files.deleteIfExists(temp);
            return new FileStateLog(dir, file, temp, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw StateLogException.of("write", file, e);
        }
    }

    private static FileLock lockOrFail(FileChannel channel, Path file) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new IOException("it is in use by another node (another process, or this one, has it open)");
        }
        return lock;
    }

    /** The log file. */
    public Path path() {
        return file;
    }

    /**
     * What the last {@link #replay()} found wrong and truncated, e.g. {@code line 7 (byte 812): torn (no
     * line end)}; empty when the log was intact.
     */
    public synchronized Optional<String> replayProblem() {
        return replayProblem;
    }

    /** What the last {@link #replay()} found: no record, intact records, or intact records and a torn tail it cut. */
    public synchronized LogStart replayStart() {
        return replayStart;
    }

    /**
     * {@inheritDoc}
     *
     * @throws LogDamagedException if a line before the torn tail is not an intact record; the file is
     *     left as it was
     */
    @Override
    public synchronized List<LogRecord> replay() {
        checkOpen();
        try {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new IOException("log is too large to replay (" + size + " bytes); checkpoints keep it small");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            channel.position(0);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read the whole file
            }
            LogScan scan = LogScan.of(buffer.array());
            if (scan.damaged()) {
                LogScan.BadLine bad = scan.bad().orElseThrow();
                throw new LogDamagedException(file, bad.line(), bad.reason(), bad.linesAfter(), scan.records().size());
            }
            replayProblem = scan.problem();
            replayStart = scan.records().isEmpty() ? LogStart.EMPTY
                    : scan.bad().isPresent() ? LogStart.TORN_TAIL_DROPPED : LogStart.INTACT;
            if (scan.problem().isPresent()) {
                LOG.log(System.Logger.Level.WARNING, "state log " + file + ": " + scan.problem().get()
                        + "; keeping the " + scan.records().size() + " records before it and truncating "
                        + (scan.totalBytes() - scan.validBytes()) + " bytes");
                channel.truncate(scan.validBytes());
                channel.force(true);
            }
            channel.position(scan.validBytes());
            sinceCheckpoint = 0;
            return scan.records();
        } catch (IOException e) {
            throw StateLogException.of("read", file, e);
        }
    }

    @Override
    public synchronized void append(LogRecord record, boolean durable) {
        Objects.requireNonNull(record, "record");
        checkOpen();
        if (broken != null) {
            throw new StateLogException("cannot append to state log " + file + ": " + broken, new IOException(broken));
        }
        ByteBuffer line = ByteBuffer.wrap((LogRecordFormat.format(record) + "\n").getBytes(StandardCharsets.UTF_8));
        long start;
        try {
            start = channel.position();
        } catch (IOException e) {
            throw StateLogException.of("append to", file, e);
        }
        try {
            while (line.hasRemaining()) {
                channel.write(line);
            }
            if (durable) {
                channel.force(false);
            }
            sinceCheckpoint++;
        } catch (IOException e) {
            undo(start);
            throw StateLogException.of("append to", file, e);
        }
    }

    /** Cuts a half-written line away, so that the next append does not follow a torn one. */
    private void undo(long start) {
        try {
            channel.truncate(start);
            channel.position(start);
        } catch (IOException e) {
            broken = "an earlier write failed and could not be undone (" + StateLogException.describe(e) + ")";
        }
    }

    @Override
    public synchronized void checkpoint(List<LogRecord> records) {
        Objects.requireNonNull(records, "records");
        checkOpen();
        StringBuilder text = new StringBuilder();
        for (LogRecord r : records) {
            text.append(LogRecordFormat.format(r)).append('\n');
        }
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw StateLogException.of("checkpoint", file, e);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw StateLogException.of("checkpoint", file, e);
        }
        forceDirectory();
        reopenAfterCheckpoint();
        sinceCheckpoint = 0;
        broken = null;
    }

    /** Makes the rename durable; not every platform can open a directory, so failure is only logged. */
    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot fsync directory " + dir + ": " + e);
        }
    }

    /** The old channel still points at the replaced file: switch to the new one and move the lock. */
    private void reopenAfterCheckpoint() {
        FileChannel old = channel;
        FileLock oldLock = lock;
        try {
            releaseQuietly(oldLock);
            closeQuietly(old);
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            lock = lockOrFail(channel, file);
            channel.position(channel.size());
        } catch (IOException e) {
            broken = "it was replaced by a checkpoint but could not be reopened (" + StateLogException.describe(e) + ")";
            throw StateLogException.of("reopen", file, e);
        }
    }

    @Override
    public synchronized long recordsSinceCheckpoint() {
        return sinceCheckpoint;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "state log " + file + " could not be flushed on close: " + e);
        }
        releaseQuietly(lock);
        closeQuietly(channel);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("state log " + file + " is closed");
        }
    }

    private static void releaseQuietly(FileLock lock) {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing the channel releases it anyway
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a leftover temporary file is deleted at the next open
        }
    }

    @Override
    public String toString() {
        return "FileStateLog[" + file + "]";
    }
}
