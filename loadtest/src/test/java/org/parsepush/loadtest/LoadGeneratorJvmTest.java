package org.parsepush.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadGeneratorJvmTest {

    @Test
    void byDefaultTheParallelCollectorWithTheLaunchersHeapFixedAndAThirdYoung() {
        assertEquals(List.of("-XX:+UseParallelGC", "-Xms6144m", "-Xmx6144m", "-Xmn2048m"),
                LoadGeneratorJvm.options(null, 6L << 30, "fanout"));
    }

    @Test
    void theLatencyScenarioGetsACollectorThatDoesNotStopTheClock() {
        assertEquals(List.of("-XX:+UseZGC", "-Xms6144m", "-Xmx6144m"),
                LoadGeneratorJvm.options(null, 6L << 30, "transactional"));
    }

    @Test
    void optionsGivenInTheVariableReplaceTheDefaults() {
        assertEquals(List.of("-XX:+UseG1GC", "-Xmx2g"),
                LoadGeneratorJvm.options("  -XX:+UseG1GC   -Xmx2g ", 6L << 30, "transactional"));
        assertEquals(List.of(), LoadGeneratorJvm.options("", 6L << 30, "fanout"));
    }

    @Test
    void theForkedLoadGeneratorRunsTheScenarioWithItsOwnOptions() throws Exception {
        Path report = Path.of("target", "fork-fcm-sdk.json");
        Files.deleteIfExists(report);

        int exit = LoadGeneratorJvm.run(new String[] {"fcm-sdk", "--seconds", "1", "--report", report.toString()});

        assertEquals(0, exit);
        JsonNode figures = new ObjectMapper().readTree(report.toFile());
        assertTrue(figures.path("load generator jvm").asText().contains("-XX:+UseParallelGC"), figures.toString());
        assertTrue(figures.path("send on one thread, per second").asDouble() > 0, figures.toString());
    }

    @Test
    void aBadOptionFailsInTheForkWithItsExitCode() throws Exception {
        assertEquals(2, LoadGeneratorJvm.run(new String[] {"fanout", "--devices"}));
    }

    @Test
    void askingForHelpIsNotAnError() throws Exception {
        assertEquals(0, LoadGeneratorJvm.run(new String[] {"fanout", "--help"}));
        assertEquals(0, LoadGeneratorJvm.run(new String[] {"-h"}));
    }
}
