package org.parsepush.loadtest;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway and Node processes a run starts do not outlive the load generator, also when
 * it is interrupted (Ctrl-C, a timeout): a gateway left running would hold its ports and
 * take CPU from the next run.
 */
final class ChildProcesses {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "stop-child-processes"));
    }

    private ChildProcesses() {
    }

    /** Stops {@code process} when the load generator exits, unless {@link #forget} was called first. */
    static Process adopt(Process process) {
        RUNNING.add(process);
        return process;
    }

    /** The path of a tool of the JDK this runs on ({@code java}, {@code jcmd}, {@code keytool}). */
    static String jdkTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    /** For a process already stopped, or being stopped, the usual way. */
    static void forget(Process process) {
        RUNNING.remove(process);
    }
}
