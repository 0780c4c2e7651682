package org.parsepush.loadtest;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * CPU time of this process (the load generator: the database and the provider stand-ins),
 * in all and by thread name. On a shared machine the gateway's figures mean little without
 * them: a stand-in thread at a full core is the ceiling, whatever the gateway does.
 */
final class OwnCpu {

    private final long processNanos;
    private final long gcMillis;
    private final long jitMillis;
    private final ThreadCpu threads = ThreadCpu.ofThisProcess();

    private OwnCpu() {
        processNanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        gcMillis = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        jitMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    static OwnCpu now() {
        return new OwnCpu();
    }

    /** The process's CPU seconds between {@code before} and this snapshot. */
    double secondsSince(OwnCpu before) {
        return (processNanos - before.processNanos) / 1e9;
    }

    /**
     * Where the time went that no Java thread shows: the collector's time in its collections
     * and the JIT compilers' time, since {@code before}.
     */
    String gcAndJitSince(OwnCpu before) {
        return String.format("gc %.1f s, jit %.1f s", (gcMillis - before.gcMillis) / 1e3,
                (jitMillis - before.jitMillis) / 1e3);
    }

    /** The busiest thread groups since {@code before}, as {@link ThreadCpu#busiestSince} gives them. */
    String busiestSince(OwnCpu before, int groups) {
        return threads.busiestSince(before.threads, groups);
    }
}
