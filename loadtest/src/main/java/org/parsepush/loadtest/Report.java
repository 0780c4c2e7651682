package org.parsepush.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/** One scenario's figures: printed for people, written as JSON for tools. */
final class Report {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Fields every report starts with that describe the machine, not the run. */
    private static final Set<String> MACHINE = Set.of("cores", "memoryBytes");

    private final ObjectNode root = JSON.createObjectNode();
    private final StringBuilder summary = new StringBuilder();

    Report(String scenario) {
        root.put("scenario", scenario).put("date", Instant.now().toString())
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("java", System.getProperty("java.version"))
                .put("load generator jvm", LoadGeneratorJvm.describeThisOne())
                .put("memoryBytes", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getTotalMemorySize());
        summary.append("== ").append(scenario).append(" ==\n");
    }

    /** Whether {@code key} is one of the fields that describe the machine rather than the run. */
    static boolean describesTheMachine(String key) {
        return MACHINE.contains(key);
    }

    Report put(String key, double value, String unit) {
        root.put(key, value);
        summary.append(String.format("  %-44s %,14.1f %s%n", key, value, unit));
        return this;
    }

    Report note(String key, String value) {
        root.put(key, value);
        summary.append(String.format("  %-44s %s%n", key, value));
        return this;
    }

    /** A figure measured in several runs: its median, lowest and highest, and every run's value in order. */
    Report spread(String key, List<Double> values) {
        ObjectNode figure = root.putObject(key).put("median", Repeats.median(values))
                .put("lowest", Collections.min(values)).put("highest", Collections.max(values));
        values.forEach(figure.putArray("runs")::add);
        summary.append(String.format("  %-44s %,14.1f median (%,.1f to %,.1f)%n", key, Repeats.median(values),
                Collections.min(values), Collections.max(values)));
        return this;
    }

    void write(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(root));
        System.out.print(summary);
        System.out.println("  report: " + file.toAbsolutePath());
    }
}
