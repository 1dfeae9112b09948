package io.canary.log;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The records of a log file's bytes, up to the first line that is torn (no line end), not UTF-8, or not
 * a valid record. Shared by {@link FileStateLog} (which truncates there) and {@link LogHistory} (which
 * only reports it).
 *
 * @param records the intact records, oldest first
 * @param validBytes length of the intact prefix: where the file should be truncated
 * @param totalBytes length of what was scanned
 * @param problem what ended the scan early, e.g. {@code line 7 (byte 812): torn (no line end)}; empty
 *     when every byte belonged to an intact record
 */
record LogScan(List<LogRecord> records, long validBytes, long totalBytes, Optional<String> problem) {

    static LogScan of(byte[] data) {
        List<LogRecord> records = new ArrayList<>();
        int start = 0;
        int lineNo = 1;
        while (start < data.length) {
            int end = indexOf(data, (byte) '\n', start);
            if (end < 0) {
                return stop(records, start, data.length, lineNo, "torn (no line end)", 0);
            }
            try {
                String line = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, start, end - start)).toString();
                records.add(LogRecordFormat.parse(line));
            } catch (CharacterCodingException e) {
                return stop(records, start, data.length, lineNo, "not UTF-8", linesAfter(data, end + 1));
            } catch (LogFormatException e) {
                return stop(records, start, data.length, lineNo, e.getMessage(), linesAfter(data, end + 1));
            }
            start = end + 1;
            lineNo++;
        }
        return new LogScan(List.copyOf(records), data.length, data.length, Optional.empty());
    }

    private static LogScan stop(List<LogRecord> records, int at, int total, int lineNo, String why, int after) {
        String problem = "line " + lineNo + " (byte " + at + "): " + why
                + (after > 0 ? "; " + after + " more line" + (after == 1 ? "" : "s") + " after it" : "");
        return new LogScan(List.copyOf(records), at, total, Optional.of(problem));
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
