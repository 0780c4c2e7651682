package org.parsepush.gateway.apns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.TestFiles;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/** A p8 signing key instead of a certificate: APNs (the mock) checks the signed provider token. */
class ApnsTokenAuthTest {

    static final String TOPIC = "com.example.token";

    @TempDir
    Path dir;

    static KeyPair signingKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String p8(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void aPushIsDeliveredWithAP8SigningKey() throws Exception {
        assertEquals(1, deliverWith(signingKey(), null), "the p8 key was not accepted");
    }

    @Test
    void aReplacedP8FileIsUsedForTheNextPush() throws Exception {
        KeyPair revoked = signingKey();
        assertEquals(1, deliverWith(signingKey(), revoked), "the new p8 key was not used after the file changed");
    }

    /**
     * Starts a gateway whose p8 file holds {@code first} (or the accepted key when null), and
     * when {@code first} is given, checks APNs refuses it, then replaces the file with the key
     * APNs knows. Returns how many devices the last push reached.
     */
    private long deliverWith(KeyPair pair, KeyPair first) throws Exception {
        Path p8 = dir.resolve("AuthKey_KEY1234567.p8");
        Files.writeString(p8, p8(first == null ? pair : first));
        ApnsVerificationKey key = new ApnsVerificationKey("KEY1234567", "TEAM123456", (ECPublicKey) pair.getPublic());
        String token = String.format("%064x", 0x70c3L);
        // Any PEM the server may trust: clients of this test present no certificate.
        Path trusted = dir.resolve("trusted.pem");
        ApnsTestCertificates.trust(ApnsTestCertificates.p12(dir, "unused.client", "unused-pw"), "unused-pw", trusted);
        try (TestMongo mongo = TestMongo.start();
             MockApns apns = MockApns.validatingTokens(Map.of(TOPIC, Set.of(token)), key, trusted)) {
            mongo.database("testdb").getCollection("_Installation").insertOne(new Document("_id", "tok1")
                    .append("deviceType", "ios").append("deviceToken", token).append("channels", List.of("p8"))
                    .append("_updated_at", new Date()));
            String top = """
                    mongo: {uri: "%s"}
                    apns: {productionServer: "%s", trustedServerCaFile: "%s"}
                    credentialReloadSeconds: 1
                    """.formatted(mongo.uri(), apns.address(), MockApns.writeServerCa(dir));
            String app = """
                        apns:
                          - {topic: %s, p8File: "%s", keyId: KEY1234567, teamId: TEAM123456}
                    """.formatted(TOPIC, p8);
            Path data = dir.resolve("gateway");
            long sent;
            try (CapturedLogs logs = CapturedLogs.capture();
                 TestGateway gateway = TestGateway.startYaml(data, TestGateway.yaml(data, top, app), Map.of())) {
                if (first != null) {
                    assertEquals(Map.of("credential_failed", 1L), push(gateway).getFailedPerReasonMap(),
                            "APNs should refuse a key it does not know");
                    TestFiles.replace(p8, p8(pair));
                    Await.until(Duration.ofSeconds(20), "the new p8 file is loaded",
                            () -> logs.text().contains("topic " + TOPIC + " of app 'test-app': reloaded from"));
                }
                PushStatus status = push(gateway);
                assertEquals(1, status.getNumSent(), "failed: " + status.getFailedPerReasonMap() + " " + status.getErrorMessage());
                assertEquals(List.of(token), apns.accepted().stream().map(MockApns.Received::token).toList());
                // One event-loop thread per connection; a replaced credential keeps its own
                // through its grace period, for the answers still on their way.
                assertEquals(first == null ? 1 : 2, credentialThreads(), "the credential's event-loop threads");
                sent = status.getNumSent();
            }
            // The credential's own loops, and those of a credential replaced by a reload, end with the gateway.
            Await.until(Duration.ofSeconds(10), "the APNs credential's threads end", () -> credentialThreads() == 0);
            return sent;
        }
    }

    private static long credentialThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("apns-" + TOPIC + "-production"))
                .count();
    }

    private static PushStatus push(TestGateway gateway) throws InterruptedException {
        return gateway.awaitFinished(gateway.send(SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setChannels(Channels.newBuilder().addNames("p8")))
                .setDataJson("{\"alert\":\"signed\"}").build()), Duration.ofSeconds(30));
    }
}
