package io.canary.log;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The records of a log file's bytes, up to the first line that is not an intact record. Shared by
 * {@link FileStateLog} (which truncates a torn tail and refuses damage) and {@link LogHistory} (which
 * only reports them).
 *
 * <p>What counts as what, precisely. A <em>line</em> is the bytes up to and including a {@code '\n'}.
 * The bytes after the last {@code '\n'} (if any) are the <em>torn final line</em>: an append writes
 * its line and its {@code '\n'} in one write and fsyncs after it, so a line without its end was never
 * acknowledged, whatever its content, and dropping it loses nothing a peer was promised. Every line
 * that has its {@code '\n'} must be a valid UTF-8 record with a matching CRC; one that is not is
 * <em>damage</em> (bit rot, a bad sector, a hand edit), even when it is the last line, because the
 * node wrote it whole and may have acted on it.
 *
 * @param records the intact records before the first bad line, oldest first
 * @param validBytes length of the intact prefix: where a torn tail is cut
 * @param totalBytes length of what was scanned
 * @param bad the first line that is not an intact record; empty when every byte belongs to one
 */
record LogScan(List<LogRecord> records, long validBytes, long totalBytes, Optional<BadLine> bad) {

    /**
     * A line that is not an intact record.
     *
     * @param line its 1-based line number
     * @param offset its first byte
     * @param reason why, e.g. {@code crc mismatch: ...} or {@code torn (no line end)}
     * @param torn true for the torn final line (no {@code '\n'} after it), false for damage
     * @param linesAfter how many lines follow it (always 0 when torn)
     */
    record BadLine(int line, long offset, String reason, boolean torn, int linesAfter) {
        /** {@code line 7 (byte 812): crc mismatch ...; 3 more lines after it}. */
        String describe() {
            return "line " + line + " (byte " + offset + "): " + reason
                    + (linesAfter > 0 ? "; " + linesAfter + " more line" + (linesAfter == 1 ? "" : "s") + " after it" : "");
        }
    }

    /** What ended the scan early, e.g. {@code line 7 (byte 812): torn (no line end)}. */
    Optional<String> problem() {
        return bad.map(BadLine::describe);
    }

    /** True when the scan stopped at damage, not at a torn final line. */
    boolean damaged() {
        return bad.isPresent() && !bad.get().torn();
    }

    static LogScan of(byte[] data) {
        List<LogRecord> records = new ArrayList<>();
        int start = 0;
        int lineNo = 1;
        while (start < data.length) {
            int end = indexOf(data, (byte) '\n', start);
            if (end < 0) {
                return stop(records, start, data.length, new BadLine(lineNo, start, "torn (no line end)", true, 0));
            }
            try {
                String line = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, start, end - start)).toString();
                records.add(LogRecordFormat.parse(line));
            } catch (CharacterCodingException e) {
                return stop(records, start, data.length, new BadLine(lineNo, start, "not UTF-8", false,
                        linesAfter(data, end + 1)));
            } catch (LogFormatException e) {
                return stop(records, start, data.length, new BadLine(lineNo, start, e.getMessage(), false,
                        linesAfter(data, end + 1)));
            }
            start = end + 1;
            lineNo++;
        }
        return new LogScan(List.copyOf(records), data.length, data.length, Optional.empty());
    }

    private static LogScan stop(List<LogRecord> records, int at, int total, BadLine bad) {
        return new LogScan(List.copyOf(records), at, total, Optional.of(bad));
    }

    private static int linesAfter(byte[] data, int from) {
        int count = 0;
        int start = from;
        while (start < data.length) {
            int end = indexOf(data, (byte) '\n', start);
            count++;
            start = end < 0 ? data.length : end + 1;
        }
        return count;
    }

    private static int indexOf(byte[] data, byte b, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
