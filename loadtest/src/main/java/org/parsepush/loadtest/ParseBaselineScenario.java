package org.parsepush.loadtest;

import com.mongodb.MongoException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.Document;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * The same fan-out to Apple devices three ways, in one run, on one database and one APNs
 * endpoint: through the gateway, through Parse Server's own push path (the real Parse
 * Server 9.10.0 with its stock {@code @parse/push-adapter}), and through that adapter alone,
 * handed the installations in Parse's batches of 100. Reported as rates and ratios, with each
 * process's peak resident memory. The APNs stand-in is warmed first, so no way pays for its JIT;
 * the gateway and the node processes start fresh and are each measured on their first push.
 */
final class ParseBaselineScenario {

    private static final Path SCRIPT = Path.of("loadtest", "parse-baseline", "baseline.js");
    private static final String ALERT = "{\"alert\":\"baseline\"}";
    private static final Duration PUSH_TIMEOUT = Duration.ofMinutes(30);
    /** Enough for the APNs stand-in's JIT to settle (see the README's Pushy ceilings). */
    private static final int STAND_IN_WARM_UP = 200_000;
    /** Shares of iOS, Android and embedded installations: this comparison is Apple's only. */
    private static final double[] APPLE_ONLY = {1.0, 0, 0};
    private static final Pattern ADAPTER_RESULT = Pattern.compile(
            "(\\d+) of (\\d+) in (\\d+) ms, cpu (\\d+) ms, rss (\\d+) kB after loading, peak (\\d+) kB");

    private ParseBaselineScenario() {
    }

    /**
     * One way's outcome: devices sent and failed, seconds from the request to the last answer,
     * and the CPU seconds meanwhile of the process under test and of this one (the database and
     * the APNs stand-in; -1 where not measured).
     */
    private record Run(long sent, long failed, double seconds, long peakResidentBytes, double cpuSeconds,
                       double benchCpuSeconds) {
        double rate() {
            return sent / seconds;
        }
    }

    static void run(Options options) throws Exception {
        Path script = locate();
        try (Bench bench = Bench.start(options, "delivery: {batchSize: 1000}")) {
            int count = options.devices();
            bench.seed(count, APPLE_ONLY[0], APPLE_ONLY[1], "B");
            // A run too small to need it is no steady-state measurement anyway.
            ApnsWarmUp.run(bench.apnsPort, bench.apnsCa, bench.p12, "bench-p12", Bench.TOPIC,
                    Math.min(STAND_IN_WARM_UP, 10 * count));
            FanoutScenario.warmUp(bench, options.warmUp(), options.warmUpPushes(), APPLE_ONLY);
            Run gateway = throughGateway(bench);
            Map<String, String> env = nodeEnvironment(bench);
            Run parseServer = options.withParseServer() ? throughParseServer(script, env, bench) : null;
            AdapterRun adapter = throughAdapterAlone(script, env);
            report(count, gateway, parseServer, adapter)
                    .put("gateway warm-up devices (unmeasured)", options.warmUp(), "")
                    .put("gateway warm-up pushes to them", options.warmUpPushes(), "")
                    .write(options.report());
        }
    }

    private static Run throughGateway(Bench bench) throws Exception {
        CpuWindow cpu = CpuWindow.open(bench.gateway);
        Instant sentAt = Instant.now();
        String pushId = bench.api.sendPush(SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setWhereJson("{\"deviceType\":\"ios\"}"))
                .setDataJson(ALERT).build()).getPushId();
        PushStatus status = bench.awaitFinished(pushId, PUSH_TIMEOUT);
        double seconds = Bench.secondsUntilFinished(sentAt, status);
        cpu.close();
        return new Run(status.getNumSent(), status.getNumFailed(), seconds, bench.gateway.peakResidentBytes(),
                cpu.gatewaySeconds(), cpu.ownSeconds());
    }

    private static Map<String, String> nodeEnvironment(Bench bench) {
        return Map.of("BASELINE_MONGO_URI", bench.mongoUri + "/bench",
                "BASELINE_APP_ID", "baseline-app", "BASELINE_MASTER_KEY", "baseline-master",
                "BASELINE_P12", bench.p12.toString(), "BASELINE_P12_PASSWORD", "bench-p12",
                "BASELINE_TOPIC", Bench.TOPIC, "BASELINE_APNS_PORT", String.valueOf(bench.apnsPort),
                "BASELINE_CA", bench.apnsCa.toString());
    }

    /**
     * One {@code POST /parse/push} to the real Parse Server, timed until its {@code _PushStatus}
     * says it finished, which Parse writes once every batch's APNs answers are counted.
     */
    private static Run throughParseServer(Path script, Map<String, String> env, Bench bench) throws Exception {
        try (NodeProcess server = NodeProcess.start(script, "server", env)) {
            int port = Integer.parseInt(server.awaitLine("parse-server listening on ", Duration.ofMinutes(2)).trim());
            double cpuBefore = server.cpuSeconds();
            OwnCpu benchCpuBefore = OwnCpu.now();
            long start = System.nanoTime();
            String pushId = postPush(port, env);
            Document status = awaitParsePush(bench, pushId);
            double seconds = FanoutScenario.seconds(System.nanoTime() - start);
            return new Run(number(status, "numSent"), number(status, "numFailed"), seconds,
                    server.peakResidentBytes(), server.cpuSeconds() - cpuBefore, OwnCpu.now().secondsSince(benchCpuBefore));
        }
    }

    private static String postPush(int port, Map<String, String> env) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/parse/push"))
                .header("X-Parse-Application-Id", env.get("BASELINE_APP_ID"))
                .header("X-Parse-Master-Key", env.get("BASELINE_MASTER_KEY"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"where\":{\"deviceType\":\"ios\"},\"data\":" + ALERT + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        return response.headers().firstValue("X-Parse-Push-Status-Id")
                .orElseThrow(() -> new IllegalStateException("Parse Server refused the push: " + response.body()));
    }

    /**
     * Polls Parse's {@code _PushStatus} often, so the poll adds little to the measured time. The
     * database may be too busy with Parse's queries to answer in time: then the poll just retries.
     */
    private static Document awaitParsePush(Bench bench, String pushId) throws InterruptedException {
        long deadline = System.nanoTime() + PUSH_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Document status = parsePushStatus(bench, pushId);
            String state = status == null ? null : status.getString("status");
            if ("succeeded".equals(state) || "failed".equals(state)) {
                return status;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new IllegalStateException("Parse Server's push did not finish in " + PUSH_TIMEOUT);
    }

    private static Document parsePushStatus(Bench bench, String pushId) {
        try {
            return bench.database().getCollection("_PushStatus").find(new Document("_id", pushId)).first();
        } catch (MongoException busy) {
            return null;
        }
    }

    /** The adapter alone, and how much of its memory the installation list it was handed takes. */
    private record AdapterRun(Run run, long residentBytesWithInstallations) {
    }

    private static AdapterRun throughAdapterAlone(Path script, Map<String, String> env) throws Exception {
        try (NodeProcess adapter = NodeProcess.start(script, "adapter", env)) {
            String line = adapter.awaitLine("adapter sent ", PUSH_TIMEOUT);
            Matcher result = ADAPTER_RESULT.matcher(line);
            if (!result.matches()) {
                throw new IllegalStateException("unexpected adapter result: " + line);
            }
            long sent = Long.parseLong(result.group(1));
            long handed = Long.parseLong(result.group(2));
            Run run = new Run(sent, handed - sent, Long.parseLong(result.group(3)) / 1000.0,
                    Long.parseLong(result.group(6)) * 1024, Long.parseLong(result.group(4)) / 1000.0, -1);
            return new AdapterRun(run, Long.parseLong(result.group(5)) * 1024);
        }
    }

    private static Report report(int count, Run gateway, Run parseServer, AdapterRun adapter) {
        Report report = new Report("parse-baseline").put("Apple installations", count, "");
        describe(report, "gateway", gateway);
        if (parseServer != null) {
            describe(report, "Parse Server push", parseServer);
        }
        describe(report, "adapter alone", adapter.run());
        report.put("adapter alone: RSS with the list loaded", megabytes(adapter.residentBytesWithInstallations()), "MB");
        if (parseServer != null) {
            report.put("gateway / Parse Server", ratio(gateway, parseServer, count), "x");
        }
        return report.put("gateway / adapter alone", ratio(gateway, adapter.run(), count), "x")
                .note("ratios", "0 where a way did not deliver every device: no valid comparison then")
                .note("loadtest JVM", "runs the database (mongo-java-server) and the APNs stand-in");
    }

    private static void describe(Report report, String way, Run run) {
        report.put(way + ": sent", run.sent(), "")
                .put(way + ": failed", run.failed(), "")
                .put(way + ": seconds", run.seconds(), "s")
                .put(way + ": devices per second", run.rate(), "/s")
                .put(way + ": peak RSS", megabytes(run.peakResidentBytes()), "MB")
                .put(way + ": cpu seconds", run.cpuSeconds(), "s");
        if (run.benchCpuSeconds() >= 0) {
            report.put(way + ": loadtest JVM cpu seconds", run.benchCpuSeconds(), "s");
        }
    }

    /** How many times faster the gateway was; 0 unless both delivered every device. */
    private static double ratio(Run gateway, Run baseline, int count) {
        return gateway.sent() == count && baseline.sent() == count ? gateway.rate() / baseline.rate() : 0;
    }

    private static double megabytes(long bytes) {
        return bytes < 0 ? -1 : bytes / 1e6;
    }

    private static long number(Document doc, String key) {
        return doc != null && doc.get(key) instanceof Number n ? n.longValue() : 0;
    }

    private static Path locate() {
        for (Path candidate : new Path[] {SCRIPT, Path.of("..").resolve(SCRIPT)}) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("loadtest/parse-baseline/baseline.js not found: run from the repository root,"
                + " after npm ci --prefix parse-adapter");
    }
}
