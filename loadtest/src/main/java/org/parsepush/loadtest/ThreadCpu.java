package org.parsepush.loadtest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * CPU time of one process's threads, grouped by name, from Linux's /proc/&lt;pid&gt;/task: the
 * same reading for the gateway's process as for the load generator's own. Linux keeps 15
 * characters of a thread's name, so "grpc-default-executor-3" is counted as "grpc-default-ex".
 *
 * <p>Why not a profiler's samples: JFR's sampler looks at a few threads per tick, so a
 * pool of a hundred threads (the Admin SDK's) is seen far less than its share of the CPU.
 */
final class ThreadCpu {


    /** Thread id to its name group and CPU ticks. */
    private final Map<String, Task> threads;

    /** One thread as /proc shows it: its name without the number, and its CPU ticks. */
    private record Task(String group, long ticks) {
    }

    private ThreadCpu(Map<String, Task> threads) {
        this.threads = threads;
    }

    /** The threads of {@code pid} now; empty where /proc cannot be read. */
    static ThreadCpu of(long pid) {
        Map<String, Task> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks) {
                read(task).ifPresent(thread -> threads.put(task.getFileName().toString(), thread));
            }
        } catch (IOException e) {
            // Not Linux, or the process is gone: no breakdown rather than no report.
        }
        return new ThreadCpu(threads);
    }

    static ThreadCpu ofThisProcess() {
        return of(ProcessHandle.current().pid());
    }

    private static Optional<Task> read(Path task) throws IOException {
        String stat;
        try {
            stat = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // the thread ended while we looked
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        return Optional.of(new Task(name.replaceAll("[-#\\d]+$", ""), ProcStatus.cpuTicks(stat)));
    }

    /** CPU seconds of the JIT compilers' threads since {@code before}. */
    double compilerSecondsSince(ThreadCpu before) {
        return groupsSince(before).entrySet().stream().filter(group -> group.getKey().contains("CompilerThre"))
                .mapToLong(Map.Entry::getValue).sum() / ProcStatus.TICKS_PER_SECOND;
    }

    /**
     * The busiest thread groups since {@code before}, as "name 1.2 s" (threads named alike
     * but for their numbers are one group), most first; threads born and gone in between are
     * missed.
     */
    String busiestSince(ThreadCpu before, int groups) {
        return groupsSince(before).entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(groups)
                .map(group -> String.format("%s %.1f s", group.getKey(),
                        group.getValue() / ProcStatus.TICKS_PER_SECOND))
                .collect(Collectors.joining(", "));
    }

    /** Ticks by thread group since {@code before}. */
    private Map<String, Long> groupsSince(ThreadCpu before) {
        Map<String, Long> byGroup = new HashMap<>();
        threads.forEach((id, thread) -> {
            Task earlier = before.threads.get(id);
            boolean same = earlier != null && earlier.group().equals(thread.group()); // ids are reused
            byGroup.merge(thread.group(), thread.ticks() - (same ? earlier.ticks() : 0), Long::sum);
        });
        return byGroup;
    }
}
