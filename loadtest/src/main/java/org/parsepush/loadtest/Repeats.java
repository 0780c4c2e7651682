package org.parsepush.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one scenario several times and reports each figure's median, lowest and highest.
 * On this kind of shared machine the same run varies by up to a factor of two from one
 * minute to the next, so a target near the middle is met in some runs and missed in others;
 * the median of a handful says which side it is on, and the range says how far to trust it.
 */
final class Repeats {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Repeats() {
    }

    /** Runs {@code options}' scenario {@code options.repeat()} times, then writes the summary to its report. */
    static void run(Options options) throws Exception {
        List<JsonNode> runs = new ArrayList<>();
        for (int k = 1; k <= options.repeat(); k++) {
            Path file = runReport(options.report(), k);
            System.out.printf("-- %s, run %d of %d --%n", options.scenario(), k, options.repeat());
            LoadTest.runOnce(options.reportingTo(file));
            runs.add(JSON.readTree(file.toFile()));
        }
        summarise(options.scenario(), runs).write(options.report());
    }

    /** {@code loadtest-fanout.json} becomes {@code loadtest-fanout-run2.json}. */
    static Path runReport(Path report, int k) {
        String name = report.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String run = dot < 0 ? name + "-run" + k : name.substring(0, dot) + "-run" + k + name.substring(dot);
        return report.resolveSibling(run);
    }

    /** Every figure the runs have in common, as its median, lowest and highest; texts are left out. */
    static Report summarise(String scenario, List<JsonNode> runs) {
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        for (JsonNode run : runs) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = run.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isNumber() && !Report.describesTheMachine(field.getKey())) {
                    figures.computeIfAbsent(field.getKey(), key -> new ArrayList<>())
                            .add(field.getValue().asDouble());
                }
            }
        }
        Report report = new Report(scenario).put("runs", runs.size(), "");
        figures.forEach((key, values) -> {
            if (values.size() == runs.size()) {
                report.spread(key, values);
            }
        });
        return report;
    }

    /** The middle value, or the mean of the two middle ones. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
