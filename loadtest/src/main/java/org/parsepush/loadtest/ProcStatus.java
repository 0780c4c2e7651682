package org.parsepush.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and memory of a process, from Linux's /proc/&lt;pid&gt;. */
final class ProcStatus {

    private ProcStatus() {
    }

    /** User plus system CPU seconds the process has used so far. */
    static double cpuSeconds(long pid) throws IOException {
        // Fields after the command name, which is in parentheses and may hold spaces.
        String text = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] stat = text.substring(text.lastIndexOf(") ") + 2).split(" ");
        long ticks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
        return ticks / 100.0;
    }

    /** Resident memory now, in bytes. */
    static long residentBytes(long pid) throws IOException {
        return bytes(pid, "VmRSS:");
    }

    /** The high-water mark of resident memory since the process started, in bytes; -1 where unknown. */
    static long peakResidentBytes(long pid) {
        try {
            return bytes(pid, "VmHWM:");
        } catch (IOException e) {
            return -1;
        }
    }

    private static long bytes(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        return -1;
    }
}
