package org.parsepush.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and memory of a process, from Linux's /proc/&lt;pid&gt;. */
final class ProcStatus {

    private ProcStatus() {
    }

    /** Linux's clock ticks per second, in which /proc counts CPU time (USER_HZ, 100 on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    /** User plus system CPU seconds the process has used so far. */
    static double cpuSeconds(long pid) throws IOException {
        return cpuTicks(Files.readString(Path.of("/proc", String.valueOf(pid), "stat"))) / TICKS_PER_SECOND;
    }

    /** User plus system ticks from the text of a process's or thread's {@code stat} file. */
    static long cpuTicks(String stat) {
        // The fields after the name, which is in parentheses and may hold spaces: utime and
        // stime are the 12th and 13th of them.
        String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
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
