package org.parsepush.loadtest;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options: {@code <scenario> [--devices N] [--rate R] [--seconds S] [--connections K]
 * [--source-addresses A] [--heap 256m] [--outcomes all|failed|none] [--gateway-jar path] [--report file]
 * [--mix I/A/E] [--baselines all|adapter] [--warm-up W] [--warm-up-pushes P] [--repeat N]
 * [--db-delay-ms D]}.
 */
record Options(String scenario, int devices, int rate, int seconds, int connections, String heap, String outcomes,
               Path gatewayJar, Path report, String mix, String baselines, int sourceAddresses, int warmUp,
               int warmUpPushes, int repeat, int dbDelayMillis) {

    static final String USAGE = """
            usage: java -jar loadtest/target/loadtest.jar <scenario> [options]
              scenarios: fanout | deliver-batch | transactional | ppns-connections | parse-baseline | fcm-sdk | all
              --devices N        installations for fanout and parse-baseline, devices for deliver-batch
                                 (default 100000)
              --rate R           pushes per second offered by transactional (default 2000)
              --seconds S        duration of transactional, and of each of fcm-sdk's two ways (default 20)
              --connections K    PPNS devices for ppns-connections (default 10000)
              --source-addresses A  ppns-connections devices connect from 127.0.0.2 .. 127.0.0.(A+1),
                                 round-robin; 0 lets the system choose 127.0.0.1 (default 4)
              --heap SIZE        the gateway's -Xmx (default 256m)
              --outcomes MODE    the gateway's outcomes.record: all, failed or none (default failed)
              --gateway-jar P    default gateway/target/parse-push-gateway.jar
              --report FILE      JSON report (default loadtest-<scenario>.json)
              --mix I/A/E        fanout's share of iOS/Android/embedded devices, in percent (default 60/30/10;
                                 deliver-batch leaves the embedded ones out)
              --baselines B      parse-baseline's ways besides the gateway: all, or adapter (the adapter
                                 alone, without Parse Server, whose skip-paged queries take the stand-in
                                 database minutes beyond 100,000 installations) (default all)
              --warm-up W        unmeasured work first, so that both processes' JIT compilers are done
                                 before anything is measured: fanout and parse-baseline push through the
                                 gateway to W other installations of the same mix, deliver-batch hands it
                                 W other devices; transactional sends
                                 W pushes as fast as the gateway answers them, 32 at a time, and reports
                                 that rate (default 0: what is measured comes first, but for
                                 transactional's 200 pushes one at a time)
              --warm-up-pushes P fanout, deliver-batch and parse-baseline do their warm-up P times over the
                                 same W devices: code run once per batch or per database round reaches
                                 the JIT's last tier only after thousands of runs, that is after a few
                                 pushes, as in a gateway that has been up for a while (default 1)
              --repeat N         runs each scenario N times, each with a gateway process of its own, writes
                                 each run's report (loadtest-<scenario>-run<k>.json) and reports every
                                 figure's median, lowest and highest; one run can mislead on a machine
                                 whose speed varies from minute to minute (default 1)
              --db-delay-ms D    the gateway reaches the database through a relay that holds each of its
                                 answers D ms, as a database on another machine would be a round trip
                                 away; the load generator's own seeding and checks go direct (default 0:
                                 the gateway goes direct too)
            """;

    /** The scenarios {@code all} runs, in order. */
    static final List<String> SCENARIOS = List.of("fanout", "deliver-batch", "transactional", "ppns-connections",
            "parse-baseline", "fcm-sdk");

    private static final Set<String> NAMES = Set.of("devices", "rate", "seconds", "connections", "source-addresses",
            "heap", "outcomes", "gateway-jar", "report", "mix", "baselines", "warm-up", "warm-up-pushes", "repeat",
            "db-delay-ms");

    /**
     * Reads the command line, refusing what would otherwise be noticed only minutes into a run:
     * an unknown scenario or option, a number that is not one, a bad mix or mode.
     */
    static Options parse(String[] args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException(USAGE);
        }
        String scenario = args[0];
        if (!scenario.equals("all") && !SCENARIOS.contains(scenario)) {
            throw new IllegalArgumentException("unknown scenario " + scenario + "\n" + USAGE);
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("bad option " + args[i] + "\n" + USAGE);
            }
            String name = args[i].substring(2);
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
            values.put(name, args[i + 1]);
        }
        Options options = new Options(scenario, whole(values, "devices", 100_000), whole(values, "rate", 2000),
                whole(values, "seconds", 20), whole(values, "connections", 10_000), values.getOrDefault("heap", "256m"),
                oneOf(values, "outcomes", "failed", "all", "none"),
                Path.of(values.getOrDefault("gateway-jar", "gateway/target/parse-push-gateway.jar")),
                Path.of(values.getOrDefault("report", "loadtest-" + scenario + ".json")),
                values.getOrDefault("mix", "60/30/10"), oneOf(values, "baselines", "all", "adapter"),
                whole(values, "source-addresses", 4), whole(values, "warm-up", 0),
                atLeastOne(values, "warm-up-pushes"), atLeastOne(values, "repeat"), whole(values, "db-delay-ms", 0));
        options.shares(); // refuses a bad --mix now rather than in the forked load generator
        return options;
    }

    private static int whole(Map<String, String> values, String option, int otherwise) {
        String value = values.get(option);
        if (value == null) {
            return otherwise;
        }
        try {
            int number = Integer.parseInt(value);
            if (number < 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option + " needs a whole number of 0 or more, not " + value);
        }
    }

    private static int atLeastOne(Map<String, String> values, String option) {
        int count = whole(values, option, 1);
        if (count < 1) {
            throw new IllegalArgumentException("--" + option + " is at least 1, not " + count);
        }
        return count;
    }

    /** The option's value if it is one of the allowed ones, the first of them when not given. */
    private static String oneOf(Map<String, String> values, String option, String... allowed) {
        String value = values.getOrDefault(option, allowed[0]);
        if (!List.of(allowed).contains(value)) {
            throw new IllegalArgumentException("--" + option + " is one of " + String.join(", ", allowed)
                    + ", not " + value);
        }
        return value;
    }

    Options forScenario(String name) {
        return with(name, report.getFileName().toString().equals("loadtest-all.json")
                ? Path.of("loadtest-" + name + ".json") : report);
    }

    /** The same options, reporting to {@code file}. */
    Options reportingTo(Path file) {
        return with(scenario, file);
    }

    private Options with(String scenario, Path report) {
        return new Options(scenario, devices, rate, seconds, connections, heap, outcomes, gatewayJar, report, mix,
                baselines, sourceAddresses, warmUp, warmUpPushes, repeat, dbDelayMillis);
    }

    /** Whether parse-baseline runs Parse Server's own push path too, not only the adapter alone. */
    boolean withParseServer() {
        return baselines.equals("all");
    }

    /** The fanout mix as shares: iOS, Android, embedded. */
    double[] shares() {
        String[] parts = mix.split("/");
        try {
            if (parts.length == 3) {
                double[] shares = new double[3];
                for (int i = 0; i < 3; i++) {
                    shares[i] = Double.parseDouble(parts[i]) / 100;
                }
                if (shares[0] >= 0 && shares[1] >= 0 && shares[2] >= 0 && shares[0] + shares[1] + shares[2] > 0) {
                    return shares;
                }
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("--mix needs three percentages like 60/30/10, not " + mix);
    }
}
