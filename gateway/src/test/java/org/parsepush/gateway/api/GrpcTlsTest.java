package org.parsepush.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.SecretScan;
import org.parsepush.gateway.TestFiles;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestPki;
import org.parsepush.gateway.config.ConfigException;
import org.parsepush.gateway.tls.PemFiles;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.PushServiceGrpc;

/**
 * The gRPC API over TLS and mutual TLS, reached by a real gRPC client over loopback: the
 * server certificate and client certificates come from CAs made for the test.
 */
class GrpcTlsTest {

    private static final String KEY_PASSWORD = "tls-key-password-8d1f";

    @TempDir
    static Path dir;
    static TestPki trustedCa;
    static TestPki otherCa;
    static TestPki.Issued server;
    static TestPki.Issued client;
    static TestPki.Issued stranger;
    static CapturedLogs logs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        logs = CapturedLogs.capture();
        trustedCa = TestPki.create(dir, "trusted");
        otherCa = TestPki.create(dir, "other");
        server = trustedCa.server("grpc-server");
        client = trustedCa.client("billing-service");
        stranger = otherCa.client("billing-service");
    }

    @AfterAll
    static void noSecretLogged() {
        assertTrue(logs.size() > 0, "nothing was logged, so the check proves nothing");
        assertFalse(logs.text().contains(KEY_PASSWORD), "the TLS key password reached the logs");
        logs.close();
    }

    private static Map<String, String> tls(Path key, String password, Path clientCa) {
        var env = new java.util.HashMap<String, String>();
        env.put("GATEWAY_GRPC__TLS__CERTIFICATE", server.certificate().toString());
        env.put("GATEWAY_GRPC__TLS__PRIVATE_KEY", key.toString());
        if (password != null) {
            env.put("GATEWAY_GRPC__TLS__PRIVATE_KEY_PASSWORD", password);
        }
        if (clientCa != null) {
            env.put("GATEWAY_GRPC__TLS__CLIENT_CA", clientCa.toString());
        }
        return env;
    }

    /** GetPushStatus for an unknown push over a channel: NOT_FOUND proves the call reached the API. */
    private static Status.Code call(TestGateway gateway, SslContextBuilder clientTls) throws Exception {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress("localhost", gateway.gateway().grpcPort());
        if (clientTls == null) {
            builder.usePlaintext();
        } else {
            builder.sslContext(GrpcSslContexts.configure(clientTls).build());
        }
        ManagedChannel channel = builder.build();
        try {
            var stub = TestGateway.withKeys(PushServiceGrpc.newBlockingStub(channel), TestGateway.APP_ID,
                    TestGateway.MASTER_KEY).withDeadlineAfter(20, TimeUnit.SECONDS);
            return assertThrows(StatusRuntimeException.class, () -> stub.getPushStatus(
                    GetPushStatusRequest.newBuilder().setPushId("no-such-push").build())).getStatus().getCode();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static SslContextBuilder trusting() {
        return SslContextBuilder.forClient().trustManager(trustedCa.caCertificate().toFile());
    }

    private static SslContextBuilder presenting(TestPki.Issued certificate) {
        return trusting().keyManager(certificate.certificate().toFile(), certificate.privateKey().toFile());
    }

    @Test
    void aClientOverTlsReachesTheApiAndPlainTextIsRefused() throws Exception {
        Path encryptedKey = TestPki.encryptedKey(server, KEY_PASSWORD, dir.resolve("grpc-server-encrypted.pem"));
        try (TestGateway gateway = TestGateway.start(dir.resolve("tls"), "credentialReloadSeconds: 1",
                tls(encryptedKey, KEY_PASSWORD, null))) {
            assertEquals(Status.Code.NOT_FOUND, call(gateway, trusting()));
            assertEquals(Status.Code.UNAVAILABLE, call(gateway, null));

            // The reload path: a key encrypted with another password is refused without naming either.
            String otherPassword = "other-" + KEY_PASSWORD;
            TestFiles.replaceWith(encryptedKey, TestPki.encryptedKey(server, otherPassword,
                    dir.resolve("grpc-server-other-password.pem")));
            Await.until(Duration.ofSeconds(20), "the key with another password is rejected",
                    () -> logs.text().contains("the changed files were rejected, the previous credential stays in use: "
                            + encryptedKey + ": the private key cannot be decrypted: wrong password?"));
            assertEquals(Status.Code.NOT_FOUND, call(gateway, trusting()), "the loaded key stays in use");
            SecretScan.assertNoneLeaked(logs, gateway, gateway.gateway().mongo().database("testdb"),
                    List.of(KEY_PASSWORD, otherPassword));
        }
    }

    @Test
    void mutualTlsAdmitsOnlyClientsWithACertificateFromTheTrustedCa() throws Exception {
        try (TestGateway gateway = TestGateway.start(dir.resolve("mtls"), "",
                tls(server.privateKey(), null, trustedCa.caCertificate()))) {
            assertEquals(Status.Code.NOT_FOUND, call(gateway, presenting(client)), "trusted client certificate");
            assertEquals(Status.Code.UNAVAILABLE, call(gateway, trusting()), "no client certificate");
            assertEquals(Status.Code.UNAVAILABLE, call(gateway, presenting(stranger)),
                    "a client certificate from another CA");
        }
    }

    /** The certificate a new TLS connection to the gateway's gRPC port is served. */
    private static X509Certificate served(TestGateway gateway) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore roots = KeyStore.getInstance("PKCS12");
        roots.load(null, null);
        roots.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(
                Files.newInputStream(trustedCa.caCertificate())));
        trust.init(roots);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost",
                gateway.gateway().grpcPort())) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestartAndABrokenOneIsNot() throws Exception {
        TestPki.Issued renewed = trustedCa.server("grpc-server-renewed");
        Path certificate = dir.resolve("live-chain.pem");
        Path key = dir.resolve("live-key.pem");
        Files.copy(server.certificate(), certificate);
        Files.copy(server.privateKey(), key);
        Map<String, String> env = new java.util.HashMap<>(tls(key, null, null));
        env.put("GATEWAY_GRPC__TLS__CERTIFICATE", certificate.toString());
        env.put("GATEWAY_PPNS__CERTIFICATE_CHAIN_FILE", server.certificate().toString());
        env.put("GATEWAY_PPNS__PRIVATE_KEY_FILE", server.privateKey().toString());
        BigInteger first = PemFiles.certificates(server.certificate()).get(0).getSerialNumber();
        BigInteger second = PemFiles.certificates(renewed.certificate()).get(0).getSerialNumber();
        try (TestGateway gateway = TestGateway.start(dir.resolve("renewal"), "credentialReloadSeconds: 1", env)) {
            assertEquals(first, served(gateway).getSerialNumber());
            String metrics = gateway.admin("/metrics").body();
            for (String provider : List.of("grpc", "ppns")) {
                Matcher gauge = Pattern.compile("push_gateway_credential_expiry_days\\{app=\"\",credential=\"server\","
                        + "provider=\"" + provider + "\"} (\\S+)").matcher(metrics);
                assertTrue(gauge.find(), "no expiry gauge for the " + provider + " certificate:\n" + metrics);
                double days = Double.parseDouble(gauge.group(1));
                assertTrue(days > 89 && days <= 90, provider + " certificate of 90 days: " + days);
            }

            // Certificate and key are two files written one after the other, as a renewal does.
            TestFiles.replaceWith(key, renewed.privateKey());
            TestFiles.replaceWith(certificate, renewed.certificate());
            Await.until(Duration.ofSeconds(20), "the renewed certificate is served",
                    () -> uncheckedSerial(gateway).equals(second));
            assertEquals(Status.Code.NOT_FOUND, call(gateway, trusting()), "calls work on the renewed certificate");

            TestFiles.replace(certificate, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            Await.until(Duration.ofSeconds(20), "the broken certificate is rejected",
                    () -> logs.text().contains("the gRPC API's TLS certificate: the changed files were rejected"));
            assertEquals(second, served(gateway).getSerialNumber(), "a broken file replaced the served certificate");
        }
    }

    private static BigInteger uncheckedSerial(TestGateway gateway) {
        try {
            return served(gateway).getSerialNumber();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aWrongKeyPasswordStopsTheStartWithoutRevealingIt() throws Exception {
        Path encryptedKey = TestPki.encryptedKey(server, KEY_PASSWORD, dir.resolve("grpc-server-encrypted-2.pem"));
        String wrong = "wrong-" + KEY_PASSWORD;
        ConfigException e = assertThrows(ConfigException.class,
                () -> TestGateway.start(dir.resolve("wrong-password"), "", tls(encryptedKey, wrong, null)));
        assertTrue(e.getMessage().contains("grpc.tls"), e.getMessage());
        assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY_PASSWORD), e.getMessage());
        assertFalse(logs.text().contains(wrong), "the wrong password reached the logs");
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsRefused() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TestGateway.start(dir.resolve("mismatch"), "", tls(client.privateKey(), null, null)));
        assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
    }
}
