package org.parsepush.loadtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every scenario once at a small size, so the tool keeps working. No timing is asserted:
 * figures come from real runs on a quiet machine (see the README's performance section).
 */
class ScenariosSmokeTest {

    private static final Path JAR = Path.of("..", "gateway", "target", "parse-push-gateway.jar");

    private static JsonNode run(String... args) throws Exception {
        Options options = Options.parse(args);
        LoadTest.run(options);
        return new ObjectMapper().readTree(options.report().toFile());
    }

    @Test
    void fanoutDeliversEveryDeviceAfterItsWarmUpPushes() throws Exception {
        JsonNode report = run("fanout", "--devices", "2000", "--warm-up", "500", "--warm-up-pushes", "2",
                "--gateway-jar", JAR.toString(), "--report", "target/smoke-fanout.json");
        // The warm-up's devices are gone before the measured push: it reaches exactly the 2,000.
        assertTrue(report.path("apns sent").asLong() + report.path("fcm sent").asLong()
                + report.path("ppns queued (offline devices)").asLong() == 2000, report.toString());
        assertTrue(report.path("warm-up pushes to them").asInt() == 2, report.toString());
        assertTrue(report.path("warm-up devices per second, last push").asDouble() > 0, report.toString());
        assertTrue(report.path("load generator cpu use (of 1 core)").asDouble() > 0, report.toString());
    }

    @Test
    void fanoutThroughADelayedDatabaseDeliversEveryDevice() throws Exception {
        JsonNode report = run("fanout", "--devices", "1500", "--mix", "100/0/0", "--db-delay-ms", "3",
                "--gateway-jar", JAR.toString(), "--report", "target/smoke-fanout-delayed.json");
        assertTrue(report.path("apns sent").asLong() == 1500, report.toString());
        assertTrue(report.path(Bench.DATABASE_DELAY).asInt() == 3, report.toString());
    }

    @Test
    void deliverBatchSendsEveryGivenDeviceAfterItsWarmUp() throws Exception {
        JsonNode report = run("deliver-batch", "--devices", "2500", "--warm-up", "1000", "--mix", "50/50/0",
                "--gateway-jar", JAR.toString(), "--report", "target/smoke-deliver-batch.json");
        assertTrue(report.path("sent").asLong() == 2500, report.toString());
        assertTrue(report.path("warm-up devices per second, last round").asDouble() > 0, report.toString());
        assertTrue(report.path("gateway cpu per device").asDouble() > 0, report.toString());
    }

    @Test
    void transactionalMeasuresAcceptAndDelivery() throws Exception {
        JsonNode report = run("transactional", "--rate", "50", "--seconds", "2", "--warm-up", "50",
                "--gateway-jar", JAR.toString(), "--report", "target/smoke-transactional.json");
        // The 50 warm-up pushes go first, all delivered, and are not counted.
        assertTrue(report.path("pushes accepted").asLong() == 100, report.toString());
        assertTrue(report.path("warm-up pushes delivered (unmeasured, at most 32 in flight)").asLong() == 50,
                report.toString());
        assertTrue(report.path("delivery p99").asDouble() > 0, report.toString());
        assertTrue(report.path("gateway cpu per accepted push").asDouble() > 0, report.toString());
        assertTrue(report.path("gateway busiest threads").asText().contains("grpc"), report.toString());
        assertTrue(report.path("load generator cpu per accepted push").asDouble() > 0, report.toString());
    }

    @Test
    void repeatReportsEveryRunAndTheMedianOfEachFigure() throws Exception {
        JsonNode summary = run("transactional", "--rate", "20", "--seconds", "1", "--repeat", "2",
                "--gateway-jar", JAR.toString(), "--report", "target/smoke-repeat.json");
        JsonNode second = new ObjectMapper().readTree(Path.of("target", "smoke-repeat-run2.json").toFile());
        assertTrue(second.path("pushes accepted").asLong() == 20, second.toString());
        assertTrue(summary.path("runs").asInt() == 2, summary.toString());
        assertTrue(summary.path("pushes accepted").path("median").asLong() == 20, summary.toString());
    }

    @Test
    void ppnsConnectionsReachEveryDevice() throws Exception {
        JsonNode report = run("ppns-connections", "--connections", "50", "--gateway-jar", JAR.toString(),
                "--report", "target/smoke-ppns.json");
        assertTrue(report.path("connections (TLS)").asLong() == 50, report.toString());
        assertTrue(report.path("seconds for one push to reach all").asDouble() > 0, report.toString());
        // 50 connected and 50 / 20 offline: theirs wait in their inboxes.
        assertTrue(report.path("offline installations in the push (queued in their inbox)").asLong() == 2,
                report.toString());
        assertTrue(report.path("seconds after the last handshake until every arrival was settled").asDouble() > 0,
                report.toString());
    }

    @Test
    void parseBaselineSendsTheSameAudienceThroughAllThreeWays() throws Exception {
        // The real Parse Server and @parse/push-adapter, from parse-adapter's npm install.
        JsonNode report = run("parse-baseline", "--devices", "300", "--gateway-jar", JAR.toString(),
                "--report", "target/smoke-parse-baseline.json");
        assertTrue(report.path("gateway: sent").asLong() == 300, report.toString());
        assertTrue(report.path("Parse Server push: sent").asLong() == 300, report.toString());
        assertTrue(report.path("adapter alone: sent").asLong() == 300, report.toString());
        assertTrue(report.path("gateway / Parse Server").asDouble() > 0, report.toString());
        assertTrue(report.path("gateway: cpu seconds").asDouble() > 0, report.toString());
    }

    @Test
    void fcmSdkCeilingSendsThroughTheAdminSdk() throws Exception {
        JsonNode report = run("fcm-sdk", "--seconds", "2", "--report", "target/smoke-fcm-sdk.json");
        assertTrue(report.path("sendEachAsync, SDK's 100 threads, per second").asDouble() > 0, report.toString());
        assertTrue(report.path("send on one thread, per second").asDouble() > 0, report.toString());
    }
}
