package org.parsepush.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        return new ConfigLoader().load(Optional.of(file), env);
    }

    private String failure(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> load(yaml, env)).getMessage();
    }

    private static final String ONE_APP = """
            apps:
              - appId: myapp
                masterKey: secret-master
            """;

    @Test
    void defaultsApplyWhenTheFileSaysNothingElse() throws IOException {
        GatewayConfig config = load(ONE_APP, Map.of());
        assertEquals(50051, config.grpc().port());
        assertEquals("127.0.0.1", config.grpc().host());
        assertEquals(8081, config.admin().port());
        assertTrue(config.mongo().embedded());
        assertEquals("parse", config.apps().get(0).database());
        assertTrue(config.apps().get(0).tokenCleanup());
        assertEquals(20, config.shutdownGraceSeconds());
    }

    @Test
    void theApnsWindowFollowsTheConnectionsUnlessSet() throws IOException {
        assertEquals(1500, load(ONE_APP, Map.of()).apns().maxInFlightPerCredential());
        assertEquals(4500, load(ONE_APP + "apns: {connectionsPerCredential: 3}\n", Map.of())
                .apns().maxInFlightPerCredential());
        assertEquals(700, load(ONE_APP + "apns: {connectionsPerCredential: 3, maxInFlightPerCredential: 700}\n",
                Map.of()).apns().maxInFlightPerCredential());
        assertTrue(failure(ONE_APP + "apns: {maxInFlightPerCredential: 0}\n", Map.of())
                .contains("apns.maxInFlightPerCredential must be at least 1"));
    }

    @Test
    void withoutAFileTheDevelopmentAppIsServed() {
        GatewayConfig config = new ConfigLoader().load(Optional.empty(), Map.of());
        assertEquals(1, config.apps().size());
        assertEquals(ConfigLoader.DEV_APP_ID, config.apps().get(0).appId());
        assertEquals(ConfigLoader.DEV_MASTER_KEY, config.apps().get(0).masterKey());
    }

    @Test
    void theDevelopmentAppIsNeverServedBeyondLoopback() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(Optional.empty(),
                Map.of("GATEWAY_GRPC__HOST", "0.0.0.0", "GATEWAY_PPNS__HOST", "10.1.2.3")));
        assertTrue(e.getMessage().contains("grpc.host is 0.0.0.0, but without a configuration file"), e.getMessage());
        assertTrue(e.getMessage().contains("ppns.host is 10.1.2.3"), e.getMessage());
        assertTrue(e.getMessage().contains("GATEWAY_CONFIG"), e.getMessage());
        assertFalse(e.getMessage().contains(ConfigLoader.DEV_MASTER_KEY), "the key is not repeated");
        // Loopback in any spelling is fine, and so is a disabled listener anywhere.
        new ConfigLoader().load(Optional.empty(), Map.of("GATEWAY_GRPC__HOST", "localhost", "GATEWAY_REST__HOST",
                "127.0.0.2", "GATEWAY_PPNS__ENABLED", "false", "GATEWAY_PPNS__HOST", "0.0.0.0"));
    }

    @Test
    void aFileWithoutAppsIsRejected() {
        assertTrue(failure("grpc: {port: 1234}\n", Map.of()).contains("at least one Parse app"));
    }

    @Test
    void anUnknownKeyIsNamedWithItsPath() {
        String message = failure(ONE_APP + "grpc:\n  prot: 5\n", Map.of());
        assertTrue(message.contains("unknown configuration key 'grpc.prot'"), message);
        assertTrue(message.contains("port"), "should list the known keys: " + message);
    }

    @Test
    void anUnknownKeyInsideAnAppIsNamedWithItsIndex() {
        String message = failure(ONE_APP + "    masterkey: typo\n", Map.of());
        assertTrue(message.contains("apps[0].masterkey"), message);
    }

    @Test
    void aMissingCredentialFileIsNamed() {
        String message = failure(ONE_APP + """
                    apns:
                      - topic: com.example.app
                        p12File: /nonexistent/cert.p12
                        p12Password: hunter2
                    fcm:
                      - serviceAccountFile: /nonexistent/firebase.json
                        senderId: "1234567890"
                """, Map.of());
        assertTrue(message.contains("apps[0].apns[0].p12File: file not found: /nonexistent/cert.p12"), message);
        assertTrue(message.contains("apps[0].fcm[0].serviceAccountFile: file not found"), message);
        assertFalse(message.contains("hunter2"), "the password leaked into the error");
    }

    @Test
    void environmentVariablesOverrideTheFile() throws IOException {
        GatewayConfig config = load(ONE_APP, Map.of(
                "GATEWAY_GRPC__PORT", "6000",
                "GATEWAY_MONGO__URI", "mongodb://db.example:27017",
                "GATEWAY_APPS__0__MASTER_KEY", "from-env",
                "GATEWAY_APPS__1__APP_ID", "second",
                "GATEWAY_APPS__1__MASTER_KEY", "k2",
                "GATEWAY_APPS__1__DATABASE", "second",
                "GATEWAY_APPS__1__TOKEN_CLEANUP", "false",
                "HOME", "/root"));
        assertEquals(6000, config.grpc().port());
        assertEquals("mongodb://db.example:27017", config.mongo().uri());
        assertEquals("from-env", config.apps().get(0).masterKey());
        assertEquals("second", config.apps().get(1).appId());
        assertFalse(config.apps().get(1).tokenCleanup());
    }

    @Test
    void anEnvironmentVariableForAnUnknownKeyIsRejected() {
        String message = failure(ONE_APP, Map.of("GATEWAY_GRPC__PROT", "1"));
        assertTrue(message.contains("grpc.prot"), message);
    }

    @Test
    void badValuesAreNamedByKey() {
        String message = failure(ONE_APP + "grpc: {port: fifty}\n", Map.of());
        assertTrue(message.contains("grpc.port"), message);
        message = failure(ONE_APP + "admin: {port: 70000}\n", Map.of());
        assertTrue(message.contains("admin.port must be between 0 and 65535"), message);
    }

    @Test
    void twoAppsCannotShareAnIdOrADatabase() {
        String message = failure("""
                apps:
                  - {appId: a, masterKey: k}
                  - {appId: a, masterKey: k}
                """, Map.of());
        assertTrue(message.contains("appId 'a' is configured twice"), message);
        assertTrue(message.contains("database 'parse' is used by two apps"), message);
    }

    @Test
    void aMissingFileIsNamed() {
        String message = assertThrows(ConfigException.class,
                () -> new ConfigLoader().load(Optional.of(dir.resolve("nope.yaml")), Map.of())).getMessage();
        assertTrue(message.contains("nope.yaml"), message);
    }

    @Test
    void theFileComesFromTheCommandLineOrTheEnvironment() {
        assertEquals(Optional.of(Path.of("a.yaml")), ConfigLoader.configFile(new String[] {"--config", "a.yaml"}, Map.of()));
        assertEquals(Optional.of(Path.of("b.yaml")), ConfigLoader.configFile(new String[0], Map.of("GATEWAY_CONFIG", "b.yaml")));
        assertEquals(Optional.empty(), ConfigLoader.configFile(new String[0], Map.of()));
    }

    @Test
    void grpcTlsIsOffByDefaultAndItsFilesAreChecked() throws IOException {
        assertFalse(load(ONE_APP, Map.of()).grpc().tls().enabled());
        String message = failure(ONE_APP + """
                grpc:
                  tls: {certificate: /nonexistent/server.pem, clientCa: /nonexistent/ca.pem, privateKeyPassword: pw-77}
                """, Map.of());
        assertTrue(message.contains("grpc.tls.certificate: file not found"), message);
        assertTrue(message.contains("grpc.tls.privateKey is required"), message);
        assertTrue(message.contains("grpc.tls.clientCa: file not found"), message);
        assertFalse(message.contains("pw-77"), "the key password leaked into the error");
        message = failure(ONE_APP + "grpc: {tls: {clientCa: /nonexistent/ca.pem}}\n", Map.of());
        assertTrue(message.contains("grpc.tls.certificate is required"), message);
    }

    @Test
    void theAdminPortBindsItsOwnInterface() throws IOException {
        GatewayConfig config = load(ONE_APP + "grpc: {host: 0.0.0.0}\nadmin: {host: 127.0.0.1, port: 9090}\n", Map.of());
        assertEquals("0.0.0.0", config.grpc().host());
        assertEquals("127.0.0.1", config.admin().host());
        assertEquals(9090, config.admin().port());
    }

    @Test
    void clientPushNeedsAClientKeyAndAnApiKeysFileMustExist() throws IOException {
        AppConfig app = load(ONE_APP, Map.of()).apps().get(0);
        assertFalse(app.clientPush());
        String message = failure(ONE_APP + "    clientPush: true\n    apiKeysFile: /nonexistent/keys.yaml\n", Map.of());
        assertTrue(message.contains("apps[0].clientKey is required with clientPush: true"), message);
        assertTrue(message.contains("apps[0].apiKeysFile: file not found: /nonexistent/keys.yaml"), message);
    }

    @Test
    void theLookForPushesParseScheduledCanBeSwitchedOff() throws IOException {
        assertEquals(10_000, load(ONE_APP, Map.of()).jobs().parseScheduledPoll().toMillis());
        assertTrue(load(ONE_APP + "jobs: {parseScheduledPollMillis: 0}\n", Map.of()).jobs().parseScheduledPoll().isZero());
        String message = failure(ONE_APP + "jobs: {parseScheduledPollMillis: 50}\n", Map.of());
        assertTrue(message.contains("jobs.parseScheduledPollMillis must be 0 (never look) or at least 100, got 50"),
                message);
    }

    @Test
    void idempotencyKeysAndFinishedJobsAreKeptForAConfiguredWhile() throws IOException {
        GatewayConfig defaults = load(ONE_APP, Map.of());
        assertEquals(Duration.ofHours(24), defaults.jobs().idempotencyKeyRetention());
        assertEquals(Duration.ofDays(7), defaults.jobs().finishedJobRetention());
        GatewayConfig set = load(ONE_APP + "jobs: {idempotencyKeyRetentionHours: 72, finishedJobRetentionDays: 30}\n",
                Map.of());
        assertEquals(Duration.ofHours(72), set.jobs().idempotencyKeyRetention());
        assertEquals(Duration.ofDays(30), set.jobs().finishedJobRetention());
        String message = failure(ONE_APP + "jobs: {idempotencyKeyRetentionHours: 0, finishedJobRetentionDays: 0}\n",
                Map.of());
        assertTrue(message.contains("jobs.idempotencyKeyRetentionHours must be at least 1, got 0"), message);
        assertTrue(message.contains("jobs.finishedJobRetentionDays must be at least 1, got 0"), message);
    }

    @Test
    void aPushMaySendTwoWindowsAheadOfItsCheckpointUnlessConfigured() throws IOException {
        assertEquals(2, load(ONE_APP, Map.of()).delivery().uncommittedWindows());
        assertEquals(1, load(ONE_APP + "delivery: {uncommittedWindows: 1}\n", Map.of()).delivery().uncommittedWindows());
        String message = failure(ONE_APP + "delivery: {uncommittedWindows: 0}\n", Map.of());
        assertTrue(message.contains("delivery.uncommittedWindows must be at least 1, got 0"), message);
    }
}
