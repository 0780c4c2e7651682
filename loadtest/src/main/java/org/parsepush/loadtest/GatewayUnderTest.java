package org.parsepush.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as its own process with a capped heap, so its figures are its own: ports read
 * from its log, CPU time and resident memory from /proc, JVM meters from its /metrics.
 */
final class GatewayUnderTest implements AutoCloseable {

    /** A collector other than G1 chosen in LOADTEST_GATEWAY_JVM_ARGS: its log is not one {@link GcLog} reads. */
    private static final Pattern OTHER_COLLECTOR = Pattern.compile("-XX:\\+Use(Serial|Parallel|Z|Shenandoah|Epsilon)GC");
    private static final Pattern LISTENING = Pattern.compile("(gRPC API|admin HTTP|PPNS endpoint|Parse REST push API)"
            + "[^:]* listening on [0-9.]+:(\\d+)");

    private final Process process;
    private final GcLog gcLog;
    /** Whether the gateway runs G1, whose pause lines {@link GcLog} reads. */
    private final boolean g1;
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final StringBuffer log = new StringBuffer();

    private GatewayUnderTest(Process process, GcLog gcLog, boolean g1, Writer logCopy) {
        this.process = process;
        this.gcLog = gcLog;
        this.g1 = g1;
        Thread reader = new Thread(() -> readLog(logCopy), "gateway-log");
        reader.setDaemon(true);
        reader.start();
    }

    static GatewayUnderTest start(Path jar, Path config, String heap) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it with mvn -q -DskipTests"
                    + " package -pl gateway -am, and run from the repository root or give --gateway-jar");
        }
        // Extra JVM options for the gateway under test, e.g. a profiler: -XX:StartFlightRecording=...
        List<String> extra = LoadGeneratorJvm.splitOptions(System.getenv().getOrDefault("LOADTEST_GATEWAY_JVM_ARGS", ""));
        boolean g1 = runsG1(extra);
        GcLog gcLog = new GcLog(Files.createTempFile("gateway-gc", ".log"));
        List<String> command = new java.util.ArrayList<>(List.of(ChildProcesses.jdkTool("java"), "-Xmx" + heap));
        if (g1) {
            command.add("-XX:+UseG1GC");
        }
        command.add(gcLog.jvmOption());
        command.addAll(extra);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        Writer logCopy = logCopy();
        Process process = ChildProcesses.adopt(new ProcessBuilder(command).redirectErrorStream(true).start());
        GatewayUnderTest gateway = new GatewayUnderTest(process, gcLog, g1, logCopy);
        if (!gateway.awaitStarted(TimeUnit.SECONDS.toNanos(90))) {
            gateway.close();
            throw new IllegalStateException("the gateway did not start:\n" + gateway.log);
        }
        return gateway;
    }

    /** Whether the gateway runs G1 with these extra options: unless they choose another collector. */
    static boolean runsG1(List<String> extraOptions) {
        return extraOptions.stream().noneMatch(option -> OTHER_COLLECTOR.matcher(option).matches());
    }

    /**
     * Where the gateway's output is copied: the file LOADTEST_GATEWAY_LOG names, appended to, the
     * way to see afterwards what the gateway did during a run; else nowhere.
     */
    private static Writer logCopy() throws IOException {
        String file = System.getenv("LOADTEST_GATEWAY_LOG");
        if (file == null || file.isEmpty()) {
            return Writer.nullWriter();
        }
        return Files.newBufferedWriter(Path.of(file), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Reads the gateway's output for its ports and its start, copying it to {@link #logCopy()}. */
    private void readLog(Writer copy) {
        try (copy; BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
            for (String line; (line = reader.readLine()) != null; ) {
                copy.write(line);
                copy.write('\n');
                if (log.length() < 200_000) {
                    log.append(line).append('\n');
                }
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    ports.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
                }
                if (line.contains("gateway started")) {
                    started.countDown();
                }
            }
        } catch (IOException ignored) {
            // The process ended.
        }
    }

    int grpcPort() {
        return ports.get("gRPC API");
    }

    int ppnsPort() {
        return ports.get("PPNS endpoint");
    }

    int adminPort() {
        return ports.get("admin HTTP");
    }

    /** User plus system CPU seconds the gateway process has used so far. */
    double cpuSeconds() throws IOException {
        return ProcStatus.cpuSeconds(process.pid());
    }

    /** Waits until the gateway listens; false when it exits first (a bad JVM option) or takes too long. */
    private boolean awaitStarted(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!started.await(200, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    /** The gateway's CPU time by thread, now. */
    ThreadCpu threads() {
        return ThreadCpu.of(process.pid());
    }

    /** The gateway process's resident memory, in bytes. */
    long residentBytes() throws IOException {
        return ProcStatus.residentBytes(process.pid());
    }

    /** A place in the gateway's GC log, for {@link #reportHeapAndPausesSince}. */
    long gcLogMark() throws IOException {
        return gcLog.mark();
    }

    /**
     * Adds the gateway's peak heap and GC pauses since {@code gcLogMark} to {@code report}:
     * read from its GC log, so measuring them costs the gateway nothing while it works.
     */
    void reportHeapAndPausesSince(long gcLogMark, Report report) throws IOException, InterruptedException {
        if (!g1) {
            report.note("gateway gc pauses and peak heap", "not read: the gateway runs another collector than G1");
            return;
        }
        GcLog.Pauses pauses = gcLog.since(gcLogMark);
        // What was allocated after the last pause is not in the log: it may be the peak.
        double heapNow = metric("jvm_memory_used_bytes", "area=\"heap\"");
        report.put("gateway peak heap", Math.max(pauses.peakHeapBytes, heapNow) / 1e6, "MB")
                .put("gateway gc pauses", pauses.count, "")
                .put("gateway gc pause total", pauses.totalMillis, "ms")
                .put("gateway gc pause max", pauses.maxMillis, "ms");
    }

    /** The gateway process's peak resident memory since it started, in bytes; -1 where unknown. */
    long peakResidentBytes() {
        return ProcStatus.peakResidentBytes(process.pid());
    }

    /** Runs a {@code jcmd} diagnostic command against the gateway, e.g. {@code GC.run}; returns its output. */
    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> line = new java.util.ArrayList<>(List.of(
                ChildProcesses.jdkTool("jcmd"), String.valueOf(process.pid())));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return output;
    }

    /** The sum of a Prometheus metric's samples whose labels contain {@code labelFilter}. */
    double metric(String name, String labelFilter) throws IOException, InterruptedException {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(labelFilter) || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Override
    public void close() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        ChildProcesses.forget(process);
        gcLog.delete();
    }
}
