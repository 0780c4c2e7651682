package org.parsepush.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepeatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachRunReportsBesideTheSummary() {
        assertEquals(Path.of("out", "loadtest-fanout-run2.json"),
                Repeats.runReport(Path.of("out", "loadtest-fanout.json"), 2));
        assertEquals(Path.of("report-run3"), Repeats.runReport(Path.of("report"), 3));
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(3.0, Repeats.median(List.of(5.0, 1.0, 3.0)));
        assertEquals(2.5, Repeats.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void summarisesTheFiguresEveryRunHasAndLeavesTextsOut(@TempDir Path dir) throws Exception {
        List<JsonNode> runs = List.of(
                JSON.readTree("{\"scenario\":\"fanout\",\"cores\":2,\"devices per second\":40000,\"note\":\"a\",\"only once\":1}"),
                JSON.readTree("{\"scenario\":\"fanout\",\"cores\":2,\"devices per second\":52000,\"note\":\"b\"}"),
                JSON.readTree("{\"scenario\":\"fanout\",\"cores\":2,\"devices per second\":45000,\"note\":\"c\"}"));
        Path file = dir.resolve("summary.json");
        Repeats.summarise("fanout", runs).write(file);

        JsonNode summary = JSON.readTree(Files.readString(file));
        assertEquals(3, summary.path("runs").asInt());
        JsonNode rate = summary.path("devices per second");
        assertEquals(45000, rate.path("median").asDouble());
        assertEquals(40000, rate.path("lowest").asDouble());
        assertEquals(52000, rate.path("highest").asDouble());
        assertEquals("[40000.0,52000.0,45000.0]", rate.path("runs").toString());
        assertFalse(summary.has("note"), summary.toString());
        assertFalse(summary.has("only once"), summary.toString());
        assertTrue(summary.path("cores").isNumber(), summary.toString()); // the machine's, not a figure
    }
}
