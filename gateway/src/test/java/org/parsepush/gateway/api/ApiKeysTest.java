package org.parsepush.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.SecretScan;
import org.parsepush.gateway.TestFiles;
import org.parsepush.gateway.TestGateway;
import org.parsepush.proto.v1.CancelPushRequest;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.DeliverBatchRequest;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.InstallationIds;
import org.parsepush.proto.v1.ListPushesRequest;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushServiceGrpc.PushServiceBlockingStub;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * Per-service API keys and client push over the real gRPC API: each key does what its entry
 * in the app's key file allows and nothing else, and the file can be rotated while the
 * gateway runs.
 */
class ApiKeysTest {

    static final String CLIENT_KEY = "client-key-0d3b9e";

    @TempDir
    static Path dir;
    static Path keysFile;
    static TestGateway gateway;
    static CapturedLogs logs;
    static final List<String> everyKey = new ArrayList<>();
    static String sender;
    static String reader;
    static String querier;
    static String adapter;

    @BeforeAll
    static void start() throws Exception {
        logs = CapturedLogs.capture();
        sender = newKey("sender");
        reader = newKey("reader");
        querier = newKey("querier");
        adapter = newKey("adapter");
        keysFile = dir.resolve("api-keys.yaml");
        Files.writeString(keysFile, entry("sender", sender, "send") + entry("reader", reader, "read, cancel")
                + entry("querier", querier, "send_where") + entry("adapter", adapter, "deliver_batch"));
        String app = """
                    apiKeysFile: "%s"
                    clientPush: true
                    clientKey: %s
                """.formatted(keysFile, CLIENT_KEY);
        gateway = TestGateway.startYaml(dir.resolve("gateway"),
                TestGateway.yaml(dir.resolve("gateway"), "credentialReloadSeconds: 1", app), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        logs.close();
    }

    static String newKey(String id) {
        String key = ApiKeyHash.newKey(id);
        everyKey.add(key);
        return key;
    }

    static String entry(String id, String key, String operations) {
        return "- id: " + id + "\n  hash: " + ApiKeyHash.of(key) + "\n  operations: [" + operations + "]\n";
    }

    static PushServiceBlockingStub withApiKey(String key) {
        Metadata headers = new Metadata();
        headers.put(AppAuthenticator.APPLICATION_ID, TestGateway.APP_ID);
        headers.put(AppAuthenticator.AUTHORIZATION, "Bearer " + key);
        return PushServiceGrpc.newBlockingStub(gateway.channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static PushServiceBlockingStub withClientKey(String key) {
        Metadata headers = new Metadata();
        headers.put(AppAuthenticator.APPLICATION_ID, TestGateway.APP_ID);
        headers.put(AppAuthenticator.CLIENT_KEY, key);
        return PushServiceGrpc.newBlockingStub(gateway.channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static SendPushRequest toChannel() {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder().setChannels(Channels.newBuilder()
                .addNames("news"))).setDataJson("{\"alert\":\"hi\"}").build();
    }

    static SendPushRequest toWhere() {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder().setWhereJson("{\"deviceType\":\"ios\"}"))
                .setDataJson("{\"alert\":\"hi\"}").build();
    }

    static SendPushRequest toInstallations() {
        return SendPushRequest.newBuilder().setTarget(Target.newBuilder().setInstallationIds(
                InstallationIds.newBuilder().addIds("abc123"))).setDataJson("{\"alert\":\"hi\"}").build();
    }

    static StatusRuntimeException refused(Executable call) {
        return assertThrows(StatusRuntimeException.class, call);
    }

    static void assertDenied(String operation, Executable call) {
        Status status = refused(call).getStatus();
        assertEquals(Status.Code.PERMISSION_DENIED, status.getCode(), String.valueOf(status));
        assertTrue(status.getDescription().contains("'" + operation + "'"), status.getDescription());
        for (String key : everyKey) {
            assertFalse(status.getDescription().contains(key.substring(key.indexOf('.') + 1)), "a key was echoed");
        }
    }

    @Test
    void aSendKeyPushesToChannelsAndInstallationsButNotToQueries() {
        assertNotNull(withApiKey(sender).sendPush(toChannel()).getPushId());
        assertNotNull(withApiKey(sender).sendPush(toInstallations()).getPushId());
        assertDenied("send_where", () -> withApiKey(sender).sendPush(toWhere()));
        assertDenied("read", () -> withApiKey(sender).getPushStatus(
                GetPushStatusRequest.newBuilder().setPushId("x").build()));
    }

    @Test
    void aSendWhereKeyMayAlsoSendToChannels() {
        assertNotNull(withApiKey(querier).sendPush(toWhere()).getPushId());
        assertNotNull(withApiKey(querier).sendPush(toChannel()).getPushId());
        assertDenied("cancel", () -> withApiKey(querier).cancelPush(
                CancelPushRequest.newBuilder().setPushId("x").build()));
    }

    @Test
    void aReadKeyReadsButCannotSend() {
        String pushId = TestGateway.withKeys(PushServiceGrpc.newBlockingStub(gateway.channel()), TestGateway.APP_ID,
                TestGateway.MASTER_KEY).sendPush(toChannel()).getPushId();
        assertEquals(pushId, withApiKey(reader).getPushStatus(GetPushStatusRequest.newBuilder().setPushId(pushId)
                .build()).getPushId());
        withApiKey(reader).listPushes(ListPushesRequest.getDefaultInstance());
        assertEquals(Status.Code.NOT_FOUND, refused(() -> withApiKey(reader).cancelPush(
                CancelPushRequest.newBuilder().setPushId("no-such-push").build())).getStatus().getCode());
        assertDenied("send_channels", () -> withApiKey(reader).sendPush(toChannel()));
        assertDenied("deliver_batch", () -> withApiKey(reader).deliverBatch(DeliverBatchRequest.getDefaultInstance()));
    }

    @Test
    void anAdapterKeyDeliversBatchesOnly() {
        withApiKey(adapter).deliverBatch(DeliverBatchRequest.newBuilder().setDataJson("{\"alert\":\"hi\"}").build());
        assertDenied("send_channels", () -> withApiKey(adapter).sendPush(toChannel()));
    }

    @Test
    void aWrongOrMalformedKeyIsUnauthenticated() {
        String wrongSecret = sender.substring(0, sender.indexOf('.') + 1) + "not-the-secret-at-all";
        for (String key : List.of(wrongSecret, "sender", "unknown.secret", "")) {
            assertEquals(Status.Code.UNAUTHENTICATED, refused(() -> withApiKey(key).sendPush(toChannel()))
                    .getStatus().getCode(), "key " + key);
        }
        Metadata otherApp = new Metadata();
        otherApp.put(AppAuthenticator.APPLICATION_ID, "other-app");
        otherApp.put(AppAuthenticator.AUTHORIZATION, "Bearer " + sender);
        assertEquals(Status.Code.UNAUTHENTICATED, refused(() -> PushServiceGrpc.newBlockingStub(gateway.channel())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(otherApp)).sendPush(toChannel()))
                .getStatus().getCode());
    }

    @Test
    void theClientKeyPushesToChannelsOnly() {
        assertNotNull(withClientKey(CLIENT_KEY).sendPush(toChannel()).getPushId());
        assertDenied("send_where", () -> withClientKey(CLIENT_KEY).sendPush(toWhere()));
        assertDenied("send", () -> withClientKey(CLIENT_KEY).sendPush(toInstallations()));
        assertDenied("read", () -> withClientKey(CLIENT_KEY).getPushStatus(
                GetPushStatusRequest.newBuilder().setPushId("x").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, refused(() -> withClientKey("wrong-client-key").sendPush(toChannel()))
                .getStatus().getCode());
    }

    @Test
    void keysAreRotatedFromTheFileWithoutARestartAndABrokenFileKeepsTheLastGoodKeys() throws Exception {
        String rotated = newKey("rotated");
        String before = Files.readString(keysFile);
        try {
            TestFiles.replace(keysFile, before + entry("rotated", rotated, "send"));
            Await.until(Duration.ofSeconds(20), "the new key is accepted", () -> accepted(rotated));

            int linesBefore = logs.size();
            TestFiles.replace(keysFile, before + entry("rotated", rotated, "send")
                    + "- id: broken\n  hash: " + rotated + "\n  operations: [send]\n");
            Await.until(Duration.ofSeconds(20), "the broken file is reported",
                    () -> logs.text().contains("the changed files were rejected") && logs.size() > linesBefore);
            assertTrue(logs.text().contains("key 'broken': hash must look like"), logs.text());
            assertFalse(logs.text().contains(rotated.substring(rotated.indexOf('.') + 1)),
                    "the key pasted into the file reached the logs");
            assertTrue(accepted(rotated), "the last good keys stopped working after a broken file");

            TestFiles.replace(keysFile, before);
            Await.until(Duration.ofSeconds(20), "the removed key is refused", () -> !accepted(rotated));
            assertTrue(accepted(sender), "a key that stayed in the file stopped working");
        } finally {
            TestFiles.replace(keysFile, before);
        }
    }

    static boolean accepted(String key) {
        try {
            withApiKey(key).sendPush(toChannel());
            return true;
        } catch (StatusRuntimeException e) {
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), String.valueOf(e.getStatus()));
            return false;
        }
    }

    @Test
    void noKeyReachesTheLogsTheMetricsOrTheDatabase() {
        aSendKeyPushesToChannelsAndInstallationsButNotToQueries();
        theClientKeyPushesToChannelsOnly();
        var database = gateway.gateway().mongo().database("testdb");
        assertTrue(database.getCollection("_PushStatus").countDocuments() > 0, "no push stored: nothing to scan");
        List<String> secrets = new ArrayList<>(List.of(CLIENT_KEY, TestGateway.MASTER_KEY));
        everyKey.forEach(key -> secrets.add(key.substring(key.indexOf('.') + 1)));
        SecretScan.assertNoneLeaked(logs, gateway, database, secrets);
    }
}
