package org.parsepush.gateway.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
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
 * A Firebase service-account file replaced while the gateway runs, through the real Admin
 * SDK against the local FCM: a rotated key of the same project is used for the next push
 * (the local token endpoint sees its key id); a broken file or another project's account is
 * rejected with an error log that shows no key material, and delivery carries on.
 */
class FcmCredentialReloadTest {

    static final String SENDER = "333333333333";
    static final String PROJECT = "project-reload";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestMongo mongo;
    static LocalFcm fcm;
    static TestGateway gateway;
    static CapturedLogs logs;
    static Path live;
    static int sequence;

    @BeforeAll
    static void start() throws Exception {
        logs = CapturedLogs.capture();
        mongo = TestMongo.start();
        fcm = LocalFcm.start();
        live = dir.resolve("service-account.json");
        Files.writeString(live, fcm.serviceAccount(PROJECT, "key-one"));
        String top = """
                mongo: {uri: "%s"}
                fcm: {endpoint: "%s"}
                delivery: {initialBackoffMillis: 20, maxBackoffMillis: 200, statusFlushMillis: 50}
                credentialReloadSeconds: 1
                """.formatted(mongo.uri(), fcm.endpoint());
        String app = """
                    fcm:
                      - {senderId: "%s", serviceAccountFile: "%s"}
                """.formatted(SENDER, live);
        gateway = TestGateway.startYaml(dir.resolve("gateway"), TestGateway.yaml(dir.resolve("gateway"), top, app),
                Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        fcm.close();
        mongo.close();
        logs.close();
    }

    static PushStatus pushToNewDevice() throws InterruptedException {
        String channel = "c" + ++sequence;
        mongo.database("testdb").getCollection("_Installation").insertOne(new Document("_id", "a" + sequence)
                .append("deviceType", "android").append("pushType", "gcm").append("deviceToken", "token-" + sequence)
                .append("GCMSenderId", SENDER).append("channels", List.of(channel)).append("_updated_at", new Date()));
        String pushId = gateway.send(SendPushRequest.newBuilder()
                .setTarget(Target.newBuilder().setChannels(Channels.newBuilder().addNames(channel)))
                .setDataJson("{\"alert\":\"hi\"}").build());
        return gateway.awaitFinished(pushId, Duration.ofSeconds(30));
    }

    static void replaceAndAwait(String content, String expectedLog) throws Exception {
        long before = logs.text().lines().filter(line -> line.contains(expectedLog)).count();
        TestFiles.replace(live, content);
        Await.until(Duration.ofSeconds(20), "'" + expectedLog + "' logged",
                () -> logs.text().lines().filter(line -> line.contains(expectedLog)).count() > before);
    }

    @Test
    void aRotatedKeyIsUsedForTheNextPushAndBadFilesAreRejected() throws Exception {
        assertEquals(1, pushToNewDevice().getNumSent());
        assertEquals(List.of("key-one"), fcm.tokenKeyIds());

        replaceAndAwait(fcm.serviceAccount(PROJECT, "key-two"), "reloaded from");
        assertEquals(1, pushToNewDevice().getNumSent());
        assertEquals("key-two", fcm.tokenKeyIds().get(fcm.tokenKeyIds().size() - 1), "the rotated key was not used");

        ObjectNode broken = (ObjectNode) JSON.readTree(fcm.serviceAccount(PROJECT, "key-three"));
        String privateKey = broken.get("private_key").asText();
        String keyMaterial = privateKey.substring(privateKey.indexOf('\n') + 1, privateKey.indexOf('\n') + 40);
        broken.put("private_key", privateKey.substring(0, privateKey.length() / 2));
        replaceAndAwait(broken.toString(), "the changed files were rejected");
        replaceAndAwait(fcm.serviceAccount(PROJECT, "key-four").substring(0, 200), "the changed files were rejected");
        replaceAndAwait(fcm.serviceAccount("another-project", "key-five"),
                "the new service account is for Firebase project 'another-project'");

        assertEquals(1, pushToNewDevice().getNumSent(), "a rejected file replaced the working account");
        assertTrue(fcm.accepted().stream().allMatch(received -> received.projectId().equals(PROJECT)));
        assertFalse(fcm.tokenKeyIds().contains("key-three") || fcm.tokenKeyIds().contains("key-five"));
        SecretScan.assertNoneLeaked(logs, gateway, mongo.database("testdb"),
                List.of(keyMaterial, "BEGIN PRIVATE KEY", LocalFcm.ACCESS_TOKEN));
    }
}
