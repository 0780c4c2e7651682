package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.DeviceTls;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.testing.Eventually;
import org.parsepush.ppns.testing.LegacyTls;
import org.parsepush.ppns.testing.TestCertificates;
import org.parsepush.ppns.testing.TestDevice;
import org.parsepush.ppns.testing.TestServer;

/** The endpoint over real TLS, with devices that trust only the test CA and check the host name. */
class PpnsServerTest {

    private static final String LINUX_DEVICE = "842dde71-308f-4f63-a66e-801f181f61ba";

    @TempDir
    static Path dir;
    static TestCertificates certificates;
    static EventLoopGroup group;

    private TestServer test;
    private DeviceEndpoint endpoint;

    @BeforeAll
    static void certificatesAndClients() throws Exception {
        certificates = TestCertificates.create(dir);
        group = PpnsDeviceClient.newEventLoopGroup(2);
    }

    @AfterAll
    static void stopClients() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @BeforeEach
    void startServer() throws Exception {
        test = TestServer.start(tls(), TestServer::knownAppOnly);
        endpoint = new DeviceEndpoint("localhost", test.port(), DeviceTls.trusting(certificates.caCertificate()));
    }

    private static PpnsSettings.Builder tls() {
        return PpnsSettings.builder().tls(certificates.certificateChain(), certificates.privateKey());
    }

    @AfterEach
    void stopServer() {
        test.close();
    }

    @Test
    void admitsAHandshakeAndRegistersTheConnection() {
        try (TestDevice device = TestDevice.connect(group, endpoint)) {
            device.client().handshake(LINUX_DEVICE.toUpperCase(), TestServer.APP_ID, null);

            assertEquals("{}", device.lines().next(), "the ping sent right after the handshake is answered");
            PpnsConnection connection = test.connection(LINUX_DEVICE);
            assertEquals(TestServer.APP_ID, connection.applicationId());
            assertEquals(LINUX_DEVICE, connection.installationId(), "lower-cased as Parse stores it");
            assertEquals("e1.0.0", connection.handshake().sdkVersion());
            assertNull(connection.handshake().last());
            assertEquals(List.of(connection), test.connected);
            assertEquals(1, test.handshakes("accepted"));
            assertEquals(1, test.gauge("ppns.connections.open"));
            assertTrue(test.meters.get("ppns.bytes").tag("direction", "in").counter().count() > 0);
            assertTrue(test.meters.get("ppns.bytes").tag("direction", "out").counter().count() > 0);
            Eventually.until("no handshake is pending", () -> test.gauge("ppns.handshakes.pending") == 0);
        }
    }

    @Test
    void answersEveryPing() {
        try (TestDevice device = TestDevice.admitted(group, endpoint, "pinger")) {
            for (int i = 0; i < 3; i++) {
                device.pingAnswered();
            }
            Eventually.until("four pings are counted", () -> test.counter("ppns.pings") == 4);
        }
    }

    @Test
    void deliversASentLineAsExactlyOneLine() {
        try (TestDevice device = TestDevice.admitted(group, endpoint, "receiver")) {
            PushLine push = PushLine.of("{\"alert\":\"demo push 1\"}", "ZX1JVl5ael", Instant.parse("2016-02-16T22:00:00Z"));

            Eventually.get("sending", test.connection("receiver").send(push));
            device.client().ping();

            assertEquals("{\"data\":{\"alert\":\"demo push 1\"},\"push_id\":\"ZX1JVl5ael\","
                    + "\"time\":\"2016-02-16T22:00:00.000Z\"}", device.lines().next());
            assertEquals("{}", device.lines().next(), "nothing came between the push and the ping's answer");
            assertEquals("2016-02-16T22:00:00.000Z", device.client().lastPushTime());
            assertEquals(1, test.counter("ppns.lines.written"));
        }
    }

    @Test
    void refusesToSendWhatWouldNotArriveAsOneLine() {
        try (TestDevice device = TestDevice.admitted(group, endpoint, "strict")) {
            PpnsConnection connection = test.connection("strict");

            assertThrows(IllegalArgumentException.class, () -> connection.send("{}\n{}"));
            assertThrows(IllegalArgumentException.class, () -> connection.send("{}\r"));
            assertThrows(IllegalArgumentException.class, () -> connection.send(" {}"));
            assertThrows(IllegalArgumentException.class, () -> connection.send(""));
            device.pingAnswered();
        }
    }

    /**
     * The Linux SDK handles only the first line of a TLS record. The JDK's SSLSocket, like
     * its SSL_read, returns at most one record per read, so each read must hold exactly one
     * line, also when a ping's answer and pushes are written at the same moment.
     */
    @Test
    void writesEachLineInItsOwnTlsRecord() throws Exception {
        try (SSLSocket socket = linuxSdkSocket()) {
            OutputStream out = socket.getOutputStream();
            out.write((PpnsDeviceClient.handshakeLine("record-reader", TestServer.APP_ID, null) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write("{}\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("{}\n", readOnce(socket));
            PpnsConnection connection = test.connection("record-reader");

            int pushes = 20;
            out.write("{}\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < pushes; i++) {
                connection.send(PushLine.of("{\"n\":" + i + "}", "push" + i, Instant.now()));
            }

            for (int i = 0; i < pushes + 1; i++) {
                String read = readOnce(socket);
                assertEquals(read.length() - 1, read.indexOf('\n'), "one whole line per record: " + read);
            }
        }
    }

    private SSLSocket linuxSdkSocket() throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream ca = Files.newInputStream(certificates.caCertificate())) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", test.port());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) Eventually.DEADLINE.toMillis());
        return socket;
    }

    private static String readOnce(SSLSocket socket) throws IOException {
        byte[] buffer = new byte[PpnsDeviceClient.MAX_LINE_BYTES];
        int read = socket.getInputStream().read(buffer);
        assertTrue(read > 0, "the connection is open");
        return new String(buffer, 0, read, StandardCharsets.UTF_8);
    }

    @Test
    void acceptsCrLfSpacesAnyKeyOrderAndUnknownKeys() {
        try (TestDevice device = TestDevice.connect(group, endpoint)) {
            device.client().sendRaw("{ \"v\" : \"a1.13.0\" , \"future\": {\"x\": [1, 2]},"
                    + " \"oauth_key\": \"test-app\", \"installation_id\" : \"Android-1\","
                    + " \"last\": \"2016-02-16T22:00:00.000Z\", \"last_seen\": [\"ZX1JVl5ael\"],"
                    + " \"ignore_after\": \"2016-02-01T00:00:00.000Z\", \"ack_keep_alive\": true}\r\n{ }\r\n");

            assertEquals("{}", device.lines().next());
            Handshake handshake = test.connection("android-1").handshake();
            assertEquals(new Handshake("android-1", TestServer.APP_ID, "a1.13.0",
                    Instant.parse("2016-02-16T22:00:00Z"), List.of("ZX1JVl5ael"),
                    Instant.parse("2016-02-01T00:00:00Z"), true), handshake);
            device.client().sendRaw("{}\r\n");
            assertEquals("{}", device.lines().next());
        }
    }

    @Test
    void ignoresUnknownMessagesButClosesOnLinesThatAreNotJson() {
        try (TestDevice device = TestDevice.admitted(group, endpoint, "chatty")) {
            device.client().sendLine("{\"hello\":\"server\"}");
            device.pingAnswered();

            device.client().sendLine("hello server");
            device.awaitClosed();
            Eventually.until("the disconnect is counted", () -> test.disconnects("malformed") == 1);
        }
    }

    @Test
    void aNewConnectionReplacesTheOldOne() {
        try (TestDevice first = TestDevice.admitted(group, endpoint, "roamer");
             TestDevice second = TestDevice.admitted(group, endpoint, "roamer")) {
            first.awaitClosed();

            PpnsConnection current = test.connection("roamer");
            assertEquals(2, test.connected.size());
            assertSame(test.connected.get(1), current);
            Eventually.until("the old connection is reported gone", () -> test.disconnected.contains(test.connected.get(0)));
            Eventually.until("the replacement is counted", () -> test.disconnects("replaced") == 1);
            assertEquals(1, test.server().connections().count());
            second.pingAnswered();
        }
    }

    @Test
    void closesAMalformedHandshake() {
        try (TestDevice bystander = TestDevice.admitted(group, endpoint, "bystander");
             TestDevice notJson = TestDevice.connect(group, endpoint);
             TestDevice noInstallation = TestDevice.connect(group, endpoint)) {
            notJson.client().sendLine("GET / HTTP/1.1");
            noInstallation.client().sendLine("{\"oauth_key\":\"test-app\",\"v\":\"e1.0.0\",\"last\":null}");

            notJson.awaitClosed();
            noInstallation.awaitClosed();
            Eventually.until("both are counted", () -> test.handshakes("malformed") == 2);
            bystander.pingAnswered();
        }
    }

    @Test
    void closesADeviceOfAnUnknownApp() {
        try (TestDevice bystander = TestDevice.admitted(group, endpoint, "bystander");
             TestDevice stranger = TestDevice.connect(group, endpoint)) {
            stranger.client().handshake("stranger", "someone-elses-app", null);

            stranger.awaitClosed();
            Eventually.until("the rejection is counted", () -> test.handshakes("unknown_app") == 1);
            assertFalse(test.server().connections().find("someone-elses-app", "stranger").isPresent());
            bystander.pingAnswered();
        }
    }

    @Test
    void closesAnOverLongLineBeforeAndAfterAdmission() {
        String tooLong = "{\"installation_id\":\"" + "x".repeat(PpnsSettings.DEFAULT_MAX_LINE_BYTES) + "\"}";
        try (TestDevice bystander = TestDevice.admitted(group, endpoint, "bystander");
             TestDevice flooder = TestDevice.connect(group, endpoint);
             TestDevice admitted = TestDevice.admitted(group, endpoint, "admitted")) {
            flooder.client().sendLine(tooLong);
            admitted.client().sendLine(tooLong);

            flooder.awaitClosed();
            admitted.awaitClosed();
            Eventually.until("the handshake is counted", () -> test.handshakes("line_too_long") == 1);
            Eventually.until("the disconnect is counted", () -> test.disconnects("line_too_long") == 1);
            bystander.pingAnswered();
        }
    }

    @Test
    void closesADeviceWhenAdmissionFails() throws Exception {
        test.close();
        test = TestServer.start(tls(), handshake -> CompletableFuture.failedFuture(new IllegalStateException("database down")));
        endpoint = new DeviceEndpoint("localhost", test.port(), endpoint.tls());
        try (TestDevice device = TestDevice.connect(group, endpoint)) {
            device.client().handshake("unlucky", TestServer.APP_ID, null);

            device.awaitClosed();
            Eventually.until("the failure is counted", () -> test.handshakes("admission_failed") == 1);
        }
    }

    @Test
    void selectsNoAlpnProtocolWhenTheDeviceOffersH2() throws Exception {
        DeviceTls offersH2 = new DeviceTls(SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(certificates.caCertificate().toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, "h2", "http/1.1"))
                .build(), true);
        try (TestDevice curl = TestDevice.connect(group, new DeviceEndpoint("localhost", test.port(), offersH2))) {
            String protocol = curl.client().applicationProtocol();

            assertTrue(protocol == null || protocol.equals("http/1.1"), "selected " + protocol);
            curl.client().handshake("curl-device", TestServer.APP_ID, null);
            assertEquals("{}", curl.lines().next());
        }
    }

    @Test
    void acceptsTls12() throws Exception {
        DeviceTls tls12 = new DeviceTls(SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.2")
                .trustManager(certificates.caCertificate().toFile())
                .build(), true);
        try (TestDevice device = TestDevice.connect(group, new DeviceEndpoint("localhost", test.port(), tls12))) {
            device.client().handshake("tls12-device", TestServer.APP_ID, null);
            assertEquals("{}", device.lines().next());
        }
    }

    /** The server runs on OpenSSL here (see TlsProviderTest for the JDK): TLS 1.1 is refused. */
    @Test
    void refusesTls11() throws IOException {
        LegacyTls.assertRefusesTls11(test.port());
        Eventually.until("the failed TLS handshake is counted", () -> test.handshakes("tls_failed") == 1);
    }
}
