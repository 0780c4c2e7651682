package org.parsepush.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link GatewayMain} in a process of its own (same class path as the tests, or the container
 * image), for what only a real process shows: exit codes, SIGTERM, a capped heap.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private GatewayProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "gateway-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java [jvmArgs] GatewayMain --config file} with extra environment. */
    public static GatewayProcess start(Path configFile, Map<String, String> env, String... jvmArgs)
            throws IOException {
        return start(List.of("--config", configFile.toString()), env, jvmArgs);
    }

    /** Starts {@code java [jvmArgs] GatewayMain [args]} with extra environment (e.g. GATEWAY_CONFIG). */
    public static GatewayProcess start(List<String> args, Map<String, String> env, String... jvmArgs)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        // The production logging setup, not the tests' quieter one that is on the same class path.
        command.add("-Dlogback.configurationFile=logback.xml");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayMain.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return start(builder);
    }

    /** Starts the gateway as {@code builder} says (another launcher: the container image). */
    public static GatewayProcess start(ProcessBuilder builder) throws IOException {
        return new GatewayProcess(builder.redirectErrorStream(true).start());
    }

    private void readOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                output.add(line);
            }
        } catch (IOException e) {
            output.add("<output closed: " + e + ">");
        }
    }

    /** Waits for an output line matching {@code regex}; returns its first group (or the line). */
    public String awaitLine(String regex, Duration timeout) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            for (; seen < output.size(); seen++) {
                Matcher matcher = pattern.matcher(output.get(seen));
                if (matcher.find()) {
                    return matcher.groupCount() > 0 ? matcher.group(1) : matcher.group();
                }
            }
            if (!process.isAlive() && seen == output.size()) {
                break;
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new AssertionError("no line matching /" + regex + "/ within " + timeout + "; output:\n" + output());
    }

    /**
     * The loopback port a listener logged it was bound to ({@code "gRPC API"}, {@code "admin HTTP"},
     * {@code "PPNS endpoint"}, {@code "Parse REST push API"}), waiting for the line up to {@code timeout}.
     */
    public int port(String listener, Duration timeout) throws InterruptedException {
        return Integer.parseInt(awaitLine(listener + "[^:]* listening on 127\\.0\\.0\\.1:(\\d+)", timeout));
    }

    /** Everything printed so far. */
    public String output() {
        return String.join("\n", output);
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    /** Sends SIGTERM (through the handle: Process.destroy would also close our end of its output). */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Kills the process at once (SIGKILL): nothing it did not persist survives. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Waits for the process to exit and returns its status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the gateway process did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
