package org.parsepush.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One mode of {@code loadtest/parse-baseline/baseline.js} in its own node process. Its standard
 * output is read for as long as it runs, so a chatty process never blocks on (or dies of) a
 * full or closed pipe; its errors go to a log file in the temporary directory.
 */
final class NodeProcess implements AutoCloseable {

    private static final String END = "\u0000end";

    private final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private NodeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread reader = new Thread(this::readOutput, "node-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static NodeProcess start(Path script, String mode, Map<String, String> env) throws IOException {
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "loadtest-parse-baseline-" + mode + ".log");
        ProcessBuilder builder = new ProcessBuilder("node", script.toString(), mode)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(env);
        return new NodeProcess(ChildProcesses.adopt(builder.start()), log);
    }

    private void readOutput() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // The process ended.
        }
        lines.add(END);
    }

    /** The first line of output starting with {@code prefix}, without the prefix. */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                throw new IllegalStateException("node " + (line == null ? "did not say '" : "exited without saying '")
                        + prefix + "' in time; its errors:\n" + tail(log));
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
    }

    /** User plus system CPU seconds the process has used so far. */
    double cpuSeconds() throws IOException {
        return ProcStatus.cpuSeconds(process.pid());
    }

    /** The process's peak resident memory so far (Linux's VmHWM), in bytes; -1 where unknown. */
    long peakResidentBytes() {
        return ProcStatus.peakResidentBytes(process.pid());
    }

    private static String tail(Path file) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "";
        return text.substring(Math.max(0, text.length() - 4000));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        ChildProcesses.forget(process);
    }
}
