package org.parsepush.gateway.image;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A command of the host's (tar, unshare, chown), run to its end. */
final class HostCommand {

    private HostCommand() {
    }

    /** Runs {@code command} with {@code env} added; returns its output, or throws with it if the command failed. */
    static String run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }

    static String run(String... command) throws IOException, InterruptedException {
        return run(List.of(command), Map.of());
    }
}
