package org.parsepush.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads what this JVM itself logs, so a change in the log's format shows here. */
class GcLogTest {

    @TempDir
    Path dir;

    @Test
    void readsThePausesAfterAMarkAndTheHeapBeforeThem() throws Exception {
        Path file = dir.resolve("gc.log");
        GcLog log = new GcLog(file);
        // What the gateway's -Xlog:gc:file=... does from its start, asked of this JVM (jcmd VM.log).
        ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "vmLog", new Object[] {new String[] {"output=file=" + file, "what=gc"}},
                new String[] {String[].class.getName()});
        byte[] garbage = new byte[8 << 20];
        long mark = log.mark();
        System.gc();
        System.gc();

        GcLog.Pauses pauses = log.since(mark);
        assertEquals(2, pauses.count, "two System.gc() pauses");
        assertTrue(pauses.peakHeapBytes >= garbage.length, "the 8 MB array was in use: " + pauses.peakHeapBytes);
        assertTrue(pauses.totalMillis > 0 && pauses.maxMillis <= pauses.totalMillis);
        assertEquals(0, log.since(log.mark()).count, "nothing after the last mark");
    }

    @Test
    void aJvmStartedWithTheOptionLeavesNoOtherFileBehind() throws Exception {
        Path file = Files.createFile(dir.resolve("gateway-gc.log")); // as createTempFile leaves it
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                new GcLog(file).jvmOption(), "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, jvm.waitFor());

        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "only the log itself");
        }
    }
}
