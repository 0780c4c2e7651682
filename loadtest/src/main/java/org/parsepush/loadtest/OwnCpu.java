package org.parsepush.loadtest;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of this process (the load generator: the database and the provider stand-ins),
 * in all and by thread name. On a shared machine the gateway's figures mean little without
 * them: a stand-in thread at a full core is the ceiling, whatever the gateway does.
 */
final class OwnCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long processNanos;
    private final long gcMillis;
    private final long jitMillis;
    private final Map<Long, Long> threadNanos = new HashMap<>();
    private final Map<Long, String> threadNames = new HashMap<>();

    private OwnCpu() {
        processNanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        gcMillis = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        jitMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long nanos = THREADS.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    threadNanos.put(info.getThreadId(), nanos);
                    threadNames.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
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

    /**
     * The busiest thread groups since {@code before}, as "name 1.23 s" (threads named alike
     * but for their numbers are one group), most first; threads born and gone in between are
     * missed.
     */
    String busiestSince(OwnCpu before, int groups) {
        Map<String, Long> byGroup = new HashMap<>();
        threadNanos.forEach((id, nanos) -> byGroup.merge(threadNames.get(id).replaceAll("[-#\\d]+$", ""),
                nanos - before.threadNanos.getOrDefault(id, 0L), Long::sum));
        Map<String, Long> busiest = byGroup.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(groups)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        return busiest.entrySet().stream().map(group -> group.getKey() + " " + String.format("%.1f s", group.getValue() / 1e9))
                .collect(Collectors.joining(", "));
    }
}
