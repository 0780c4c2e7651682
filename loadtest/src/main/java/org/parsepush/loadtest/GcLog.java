package org.parsepush.loadtest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's GC log ({@code -Xlog:gc}), read for one stretch of a run: the heap in use
 * just before each pause is that cycle's peak, so the largest of them is the run's peak heap,
 * measured without asking the gateway anything (a metrics scrape four times a second cost it
 * a twentieth of its CPU).
 */
final class GcLog {

    /** {@code ... Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 5.123ms}. */
    private static final Pattern PAUSE = Pattern.compile(
            " Pause .*?(\\d+)([KMG])->\\d+[KMG]\\(\\d+[KMG]\\) ([\\d.]+)ms$");

    private final Path file;

    GcLog(Path file) {
        this.file = file;
    }

    /**
     * The JVM option that writes this log. Without {@code filecount=0} the JVM would move the
     * existing (empty, temporary) file aside as {@code <file>.0} and leave that behind.
     */
    String jvmOption() {
        return "-Xlog:gc:file=" + file + "::filecount=0";
    }

    /** A place in the log; {@link #since} reads what was written after it. */
    long mark() throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /** The pauses logged after {@code mark}. */
    Pauses since(long mark) throws IOException {
        Pauses pauses = new Pauses();
        try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
            log.seek(mark);
            byte[] rest = new byte[(int) (log.length() - mark)];
            log.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                Matcher pause = PAUSE.matcher(line.strip());
                if (pause.find()) {
                    pauses.add(bytes(Long.parseLong(pause.group(1)), pause.group(2)),
                            Double.parseDouble(pause.group(3)));
                }
            }
        }
        return pauses;
    }

    /** Removes the log once its process has ended; a leftover temporary file is harmless. */
    void delete() {
        file.toFile().delete();
    }

    private static long bytes(long amount, String unit) {
        return switch (unit) {
            case "K" -> amount << 10;
            case "M" -> amount << 20;
            default -> amount << 30;
        };
    }

    /** GC pauses over a stretch of the run. */
    static final class Pauses {
        long count;
        double totalMillis;
        double maxMillis;
        /** The most heap in use when a pause began: the stretch's peak, to the log's megabyte. */
        long peakHeapBytes;

        void add(long heapBefore, double millis) {
            count++;
            totalMillis += millis;
            maxMillis = Math.max(maxMillis, millis);
            peakHeapBytes = Math.max(peakHeapBytes, heapBefore);
        }
    }
}
