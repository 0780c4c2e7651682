package org.parsepush.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the load generator in a JVM of its own, started with options chosen for it, the way
 * JMH forks its benchmarks: {@code java -jar loadtest.jar} only starts that JVM and waits.
 *
 * <p>The load generator holds the whole database (mongo-java-server in memory: a million
 * installations and more) and the provider stand-ins, on the same two cores as the gateway
 * under test. With the JVM's default collector (G1) its collector's threads over that heap
 * (concurrent marking, remembered-set refinement, its workers) took 3–8 CPU-s of a 25 s
 * Apple fan-out from the gateway. The parallel collector does no concurrent work; with the heap fixed at its size
 * and a third of it young, the database is copied into the old generation once, while it is
 * seeded, and a measured push only collects young garbage.
 *
 * <p>The transactional scenario measures latency instead, and the parallel collector's
 * young pauses over that heap (150–400 ms here, one or two in a 30 s run) stopped the clock,
 * the database and the FCM stand-in together: every run's slowest push took about 200 ms,
 * whatever the gateway did. It gets ZGC, whose pauses stay under a millisecond, for some
 * more of the load generator's CPU (about 0.2 ms per push).
 *
 * <p>{@code LOADTEST_JVM_ARGS} replaces these options (empty: the JVM's defaults). The
 * gateway's own options are not touched by any of this: they come from
 * {@link GatewayUnderTest} and {@code LOADTEST_GATEWAY_JVM_ARGS}.
 */
final class LoadGeneratorJvm {

    /** Set in the forked JVM, so that it runs the scenarios instead of forking again. */
    static final String FORKED = "parsepush.loadtest.forked";
    static final String OPTIONS_VARIABLE = "LOADTEST_JVM_ARGS";

    private LoadGeneratorJvm() {
    }

    /** Whether this JVM is the load generator (forked, or started with {@code -Dparsepush.loadtest.forked=true}). */
    static boolean isThisOne() {
        return Boolean.getBoolean(FORKED);
    }

    /** Runs {@code args} in a forked load generator and returns its exit code. */
    static int run(String[] args) throws IOException, InterruptedException {
        String scenario = args.length > 0 ? args[0] : "";
        List<String> command = command(options(System.getenv(OPTIONS_VARIABLE), Runtime.getRuntime().maxMemory(),
                scenario), System.getProperty("java.class.path"), args);
        Process process = new ProcessBuilder(command).inheritIO().start();
        Thread stop = new Thread(() -> stop(process), "stop-load-generator");
        Runtime.getRuntime().addShutdownHook(stop);
        int exit = process.waitFor();
        Runtime.getRuntime().removeShutdownHook(stop);
        return exit;
    }

    /**
     * The load generator's JVM options: {@code configured} when given, else a fixed heap of
     * {@code maxHeapBytes} (this launcher's own maximum, so {@code java -Xmx8g -jar loadtest.jar}
     * gives the load generator 8 GB) with ZGC for the transactional scenario and the parallel
     * collector, a third of the heap young, for every other.
     */
    static List<String> options(String configured, long maxHeapBytes, String scenario) {
        if (configured != null) {
            return splitOptions(configured);
        }
        long megabytes = maxHeapBytes >> 20;
        String fixedHeap = "-Xms" + megabytes + "m -Xmx" + megabytes + "m";
        return splitOptions(scenario.equals("transactional") ? "-XX:+UseZGC " + fixedHeap
                : "-XX:+UseParallelGC " + fixedHeap + " -Xmn" + megabytes / 3 + "m");
    }

    /** JVM options as a variable gives them, separated by white space; none when it is blank. */
    static List<String> splitOptions(String options) {
        return options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
    }

    private static List<String> command(List<String> options, String classPath, String[] args) {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.jdkTool("java"));
        command.addAll(options);
        command.addAll(List.of("-D" + FORKED + "=true", "-cp", classPath, LoadTest.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** This JVM's options as given on its command line, for the reports. */
    static String describeThisOne() {
        List<String> given = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        given.removeIf(option -> option.startsWith("-D" + FORKED));
        return given.isEmpty() ? "(the JVM's defaults)" : String.join(" ", given);
    }

    /**
     * Interrupted (Ctrl-C, a timeout): the load generator is asked to stop, so that its own
     * hook stops the gateway it started, and killed only if it does not.
     */
    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
