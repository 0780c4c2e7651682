package org.parsepush.loadtest;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * The same fan-out to Apple devices three ways, in one run, on one database and one APNs
 * endpoint: through the gateway, through Parse Server's own push path (the real Parse
 * Server 9.10.0 with its stock {@code @parse/push-adapter}), and through that adapter alone,
 * handed the installations in Parse's batches of 100. Reported as rates and ratios.
 */
final class ParseBaselineScenario {

    private static final Path SCRIPT = Path.of("loadtest", "parse-baseline", "baseline.js");

    private ParseBaselineScenario() {
    }

    static void run(Options options) throws Exception {
        Path script = locate();
        try (Bench bench = Bench.start(options, "delivery: {batchSize: 1000}")) {
            int count = options.devices();
            bench.seed(count, 1.0, 0, "B");

            long start = System.nanoTime();
            String pushId = bench.api.sendPush(SendPushRequest.newBuilder()
                    .setTarget(Target.newBuilder().setWhereJson("{\"deviceType\":\"ios\"}"))
                    .setDataJson("{\"alert\":\"baseline\"}").build()).getPushId();
            PushStatus status = bench.awaitFinished(pushId, Duration.ofMinutes(30), () -> { });
            double gatewaySeconds = FanoutScenario.seconds(System.nanoTime() - start);

            Map<String, String> env = Map.of("BASELINE_MONGO_URI", bench.mongoUri + "/bench",
                    "BASELINE_APP_ID", "baseline-app", "BASELINE_MASTER_KEY", "baseline-master",
                    "BASELINE_P12", bench.p12.toString(), "BASELINE_P12_PASSWORD", "bench-p12",
                    "BASELINE_TOPIC", Bench.TOPIC, "BASELINE_APNS_PORT", String.valueOf(bench.apnsPort),
                    "BASELINE_CA", bench.apnsCa.toString());
            ParsePush parse = parseServerPush(script, env, bench);
            double parseSeconds = parse.seconds();
            long parseSent = number(parse.status(), "numSent");

            String adapterLine = node(script, env, "adapter", "adapter sent ", Duration.ofMinutes(30));
            String[] words = adapterLine.split(" ");
            long adapterSent = Long.parseLong(words[2]);
            double adapterSeconds = Long.parseLong(words[4]) / 1000.0;

            double gatewayRate = status.getNumSent() / gatewaySeconds;
            double parseRate = parseSent / parseSeconds;
            double adapterRate = adapterSent / adapterSeconds;
            // Zero sent means the baseline could not reach the APNs stand-in: no ratio then.
            new Report("parse-baseline")
                    .put("Apple installations", count, "")
                    .put("gateway devices per second", gatewayRate, "/s")
                    .put("Parse Server push: sent", parseSent, "")
                    .put("Parse Server push: failed", number(parse.status(), "numFailed"), "")
                    .put("Parse Server push: devices per second", parseRate, "/s")
                    .put("adapter alone: sent", adapterSent, "")
                    .put("adapter alone: devices per second", adapterRate, "/s")
                    .put("gateway / Parse Server", parseSent == 0 ? 0 : gatewayRate / parseRate, "x")
                    .put("gateway / adapter alone", adapterSent == 0 ? 0 : gatewayRate / adapterRate, "x")
                    .write(options.report());
        }
    }

    private record ParsePush(double seconds, Document status) {
    }

    private static long number(Document doc, String key) {
        return doc != null && doc.get(key) instanceof Number n ? n.longValue() : 0;
    }

    /** One POST /parse/push through Parse Server; its finished _PushStatus and how long it took. */
    private static ParsePush parseServerPush(Path script, Map<String, String> env, Bench bench) throws Exception {
        Process server = start(script, env, "server");
        try {
            int port = Integer.parseInt(firstLine(server, "parse-server listening on ", Duration.ofMinutes(2))
                    .substring("parse-server listening on ".length()).trim());
            long start = System.nanoTime();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/parse/push"))
                    .header("X-Parse-Application-Id", env.get("BASELINE_APP_ID"))
                    .header("X-Parse-Master-Key", env.get("BASELINE_MASTER_KEY"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"where\":{\"deviceType\":\"ios\"},"
                            + "\"data\":{\"alert\":\"baseline\"}}")).build(), HttpResponse.BodyHandlers.ofString());
            String pushId = response.headers().firstValue("X-Parse-Push-Status-Id")
                    .orElseThrow(() -> new IllegalStateException("Parse Server refused the push: " + response.body()));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (System.nanoTime() < deadline) {
                Document status = bench.database().getCollection("_PushStatus").find(new Document("_id", pushId)).first();
                if (status != null && ("succeeded".equals(status.getString("status"))
                        || "failed".equals(status.getString("status")))) {
                    return new ParsePush(FanoutScenario.seconds(System.nanoTime() - start), status);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            throw new IllegalStateException("Parse Server's push did not finish");
        } finally {
            server.toHandle().destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String node(Path script, Map<String, String> env, String mode, String prefix, Duration timeout)
            throws Exception {
        Process process = start(script, env, mode);
        try {
            return firstLine(process, prefix, timeout);
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Process start(Path script, Map<String, String> env, String mode) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("node", script.toString(), mode)
                .redirectError(ProcessBuilder.Redirect.appendTo(Path.of(System.getProperty("java.io.tmpdir"),
                        "loadtest-parse-baseline-" + mode + ".log").toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    private static String firstLine(Process process, String prefix, Duration timeout) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                for (String next; (next = reader.readLine()) != null; ) {
                    if (next.startsWith(prefix)) {
                        return next;
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("node exited without saying '" + prefix + "'");
        });
        return line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
