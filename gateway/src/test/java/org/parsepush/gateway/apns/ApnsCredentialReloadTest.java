package org.parsepush.gateway.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.SecretScan;
import org.parsepush.gateway.TestFiles;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * APNs P12 credentials replaced on disk while the gateway runs, against the mock APNs over
 * TLS: a valid new file is used for the next push, anything else is rejected with an error
 * log and the credential in use keeps delivering. Also the certificate expiry metric, and an
 * expired certificate failing only its own devices.
 */
class ApnsCredentialReloadTest {

    static final String TOPIC = "com.example.reload";
    static final String EXPIRED_TOPIC = "com.example.expired";
    static final String HEALTHY_TOPIC = "com.example.healthy";
    static final String PASSWORD = "reload-p12-secret-4e1a";
    static final String OTHER_PASSWORD = "other-p12-secret-90bd";

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static MockApns apns;
    static TestGateway gateway;
    static CapturedLogs logs;
    static Path live;
    static Path renewed;
    static final Set<String> tokens = new CopyOnWriteArraySet<>();
    static int sequence;

    @BeforeAll
    static void start() throws Exception {
        logs = CapturedLogs.capture();
        mongo = TestMongo.start();
        Path trusted = dir.resolve("trusted.pem");
        // Trusted by the mock, but made for another topic: APNs answers BadTopic for the configured one.
        Path wrongTopic = ApnsTestCertificates.p12(dir.resolve("wrong-topic.p12"), "com.example.wrong", PASSWORD,
                null, 2);
        Path expired = ApnsTestCertificates.p12(dir.resolve("expired.p12"), EXPIRED_TOPIC, PASSWORD, "-40d", 10);
        Path healthy = ApnsTestCertificates.p12(dir.resolve("healthy.p12"), HEALTHY_TOPIC, PASSWORD, null, 2);
        // The renewal the test rolls out later; the mock trusts certificates one by one, from its start.
        renewed = ApnsTestCertificates.p12(dir.resolve("renewed.p12"), TOPIC, PASSWORD, null, 2);
        for (Path p12 : List.of(wrongTopic, expired, healthy, renewed)) {
            ApnsTestCertificates.trust(p12, PASSWORD, trusted);
        }
        apns = MockApns.validating(Map.of(TOPIC, tokens, EXPIRED_TOPIC, tokens, HEALTHY_TOPIC, tokens), Map.of(),
                trusted);
        live = dir.resolve("live.p12");
        Files.copy(wrongTopic, live);
        String top = """
                mongo: {uri: "%s"}
                apns: {productionServer: "%s", trustedServerCaFile: "%s"}
                delivery: {initialBackoffMillis: 20, maxBackoffMillis: 200, statusFlushMillis: 50}
                credentialReloadSeconds: 1
                """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir));
        String app = """
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: "%s"}
                      - {topic: %s, p12File: "%s", p12Password: "%s"}
                      - {topic: %s, p12File: "%s", p12Password: "%s"}
                """.formatted(TOPIC, live, PASSWORD, EXPIRED_TOPIC, expired, PASSWORD, HEALTHY_TOPIC, healthy,
                PASSWORD);
        gateway = TestGateway.startYaml(dir.resolve("gateway"), TestGateway.yaml(dir.resolve("gateway"), top, app),
                Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            SecretScan.assertNoneLeaked(logs, gateway, mongo.database("testdb"),
                    List.of(PASSWORD, OTHER_PASSWORD, TestGateway.MASTER_KEY));
        } finally {
            gateway.close();
            apns.close();
            mongo.close();
            logs.close();
        }
    }

    static String device(String channel, String topic) {
        String token = String.format("%064x", 0xabc000L + ++sequence);
        tokens.add(token);
        String id = "dev" + sequence;
        MongoCollection<Document> installations = mongo.database("testdb").getCollection("_Installation");
        installations.insertOne(new Document("_id", id).append("installationId", id + "-inst")
                .append("deviceType", "ios").append("deviceToken", token).append("appIdentifier", topic)
                .append("channels", List.of(channel)).append("_updated_at", new Date()));
        return token;
    }

    static PushStatus push(String channel) throws InterruptedException {
        String pushId = gateway.send(SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setChannels(Channels.newBuilder().addNames(channel)))
                .setDataJson("{\"alert\":\"hi\"}").build());
        return gateway.awaitFinished(pushId, Duration.ofSeconds(30));
    }

    static long count(String text) {
        return logs.text().lines().filter(line -> line.contains(text)).count();
    }

    /** Replaces the live P12 and waits until the gateway has judged it: reloaded or rejected. */
    static void replaceAndAwait(Path newContent, String expectedLog) throws Exception {
        String credential = "credential for topic " + TOPIC;
        long before = logs.text().lines().filter(line -> line.contains(credential) && line.contains(expectedLog)).count();
        TestFiles.replaceWith(live, newContent);
        Await.until(Duration.ofSeconds(20), "'" + expectedLog + "' logged for the " + credential,
                () -> logs.text().lines().filter(line -> line.contains(credential) && line.contains(expectedLog))
                        .count() > before);
    }

    @Test
    void aReplacedP12IsUsedForTheNextPushAndInvalidReplacementsAreRejected() throws Exception {
        String token = device("reload", TOPIC);
        PushStatus before = push("reload");
        assertEquals(Map.of("credential_failed", 1L), before.getFailedPerReasonMap(), "the first file is for another topic");

        replaceAndAwait(renewed, "reloaded from");
        assertEquals(1, push("reload").getNumSent(), "the renewed certificate was not used");
        assertTrue(apns.acceptedByToken().containsKey(token));

        Path corrupt = dir.resolve("corrupt.p12");
        Files.write(corrupt, new byte[] {0x30, 0x03, 0x02, 0x01, 0x03});
        Path otherPassword = ApnsTestCertificates.p12(dir.resolve("other-password.p12"), TOPIC, OTHER_PASSWORD,
                null, 2);
        Path expired = ApnsTestCertificates.p12(dir.resolve("expired-renewal.p12"), TOPIC, PASSWORD, "-20d", 5);
        Path otherTopic = ApnsTestCertificates.p12(dir.resolve("other-topic.p12"), "com.example.someone.else",
                PASSWORD, null, 2);
        replaceAndAwait(corrupt, "rejected");
        replaceAndAwait(otherPassword, "check the file and its password");
        replaceAndAwait(expired, "the new certificate expired on");
        replaceAndAwait(otherTopic, "the new certificate is for topic com.example.someone.else, not " + TOPIC);
        assertEquals(1, push("reload").getNumSent(), "a rejected file replaced the working credential");
    }

    @Test
    void anExpiredCertificateFailsOnlyItsOwnDevicesWithAClearMessage() throws Exception {
        String healthyToken = device("mixed", HEALTHY_TOPIC);
        device("mixed", EXPIRED_TOPIC);
        PushStatus status = push("mixed");
        assertEquals(1, status.getNumSent());
        assertEquals(Map.of("credential_failed", 1L), status.getFailedPerReasonMap());
        assertTrue(status.getErrorMessage().contains("topic " + EXPIRED_TOPIC), status.getErrorMessage());
        assertTrue(status.getErrorMessage().contains("expired on"), status.getErrorMessage());
        assertTrue(apns.acceptedByToken().containsKey(healthyToken));
        assertEquals(1, count("credential for topic " + EXPIRED_TOPIC + " of app 'test-app': the certificate expired on"),
                "the expiry warning is logged once per certificate");
    }

    @Test
    void daysLeftAreAMetricPerCredential() {
        String metrics = gateway.admin("/metrics").body();
        double expired = gauge(metrics, EXPIRED_TOPIC + "/production");
        double healthy = gauge(metrics, HEALTHY_TOPIC + "/production");
        assertTrue(expired < -29 && expired > -31, "days left of a certificate that expired 30 days ago: " + expired);
        assertTrue(healthy > 1.9 && healthy <= 2.0, "days left of a two-day certificate: " + healthy);
        assertTrue(count("credential for topic " + HEALTHY_TOPIC + " of app 'test-app': the certificate expires in") == 1);
    }

    static double gauge(String metrics, String credential) {
        Matcher line = Pattern.compile("push_gateway_credential_expiry_days\\{app=\"test-app\",credential=\""
                + Pattern.quote(credential) + "\",provider=\"apns\"} (\\S+)").matcher(metrics);
        assertTrue(line.find(), "no expiry gauge for " + credential + " in:\n" + metrics);
        return Double.parseDouble(line.group(1));
    }
}
