package org.parsepush.loadtest;

import java.util.List;

/** Runs one benchmark scenario (or all of them) against a gateway in its own process. */
public final class LoadTest {

    private LoadTest() {
    }

    public static void main(String[] args) throws Exception {
        List<String> given = List.of(args);
        if (given.contains("--help") || given.contains("-h")) {
            System.out.print(Options.USAGE);
            return; // nothing started yet, so the JVM ends with status 0
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (!LoadGeneratorJvm.isThisOne()) {
            System.exit(LoadGeneratorJvm.run(args));
        }
        List<String> scenarios = options.scenario().equals("all") ? Options.SCENARIOS : List.of(options.scenario());
        try {
            for (String scenario : scenarios) {
                run(options.forScenario(scenario));
            }
        } catch (Exception e) {
            // Exit even though the failed scenario's threads (its database, its stand-ins) still run.
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** Runs one scenario, or repeats it and reports the medians when {@code --repeat} asks. */
    static void run(Options options) throws Exception {
        if (options.repeat() > 1) {
            Repeats.run(options);
        } else {
            runOnce(options);
        }
    }

    static void runOnce(Options options) throws Exception {
        switch (options.scenario()) {
            case "fanout" -> FanoutScenario.run(options);
            case "deliver-batch" -> DeliverBatchScenario.run(options);
            case "transactional" -> TransactionalScenario.run(options);
            case "ppns-connections" -> PpnsConnectionsScenario.run(options);
            case "parse-baseline" -> ParseBaselineScenario.run(options);
            case "fcm-sdk" -> FcmSdkScenario.run(options);
            // Options.parse has refused any other name: one listed there without a case here is a defect.
            default -> throw new IllegalStateException("no runner for scenario " + options.scenario());
        }
    }
}
