package org.parsepush.ppns;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.parsepush.ppns.testing.TestCertificates;
import org.parsepush.ppns.testing.TestDevice;
import org.parsepush.ppns.testing.TestServer;

/**
 * Connections that never finish their handshake are closed after the handshake timeout.
 * The timeout is short here, but the device that must keep working is admitted before the
 * silent one connects, so nothing depends on how fast the machine is.
 */
class HandshakeTimeoutTest {

    private static final Duration SHORT = Duration.ofSeconds(4);

    @TempDir
    static Path dir;
    static TestCertificates certificates;
    static EventLoopGroup group;

    private TestServer test;
    private DeviceEndpoint endpoint;

    @BeforeAll
    static void certificatesAndClients() throws Exception {
        certificates = TestCertificates.create(dir);
        group = PpnsDeviceClient.newEventLoopGroup(1);
    }

    @AfterAll
    static void stopClients() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @BeforeEach
    void startServer() throws Exception {
        // The bystander is admitted at once; the installation "undecided" never hears back.
        test = TestServer.start(PpnsSettings.builder()
                        .tls(certificates.certificateChain(), certificates.privateKey())
                        .handshakeTimeout(SHORT),
                handshake -> handshake.installationId().equals("undecided")
                        ? new CompletableFuture<>()
                        : TestServer.knownAppOnly(handshake));
        endpoint = new DeviceEndpoint("localhost", test.port(), DeviceTls.trusting(certificates.caCertificate()));
    }

    @AfterEach
    void stopServer() {
        test.close();
    }

    @Test
    void closesADeviceThatNeverSendsItsHandshake() {
        try (TestDevice bystander = TestDevice.admitted(group, endpoint, "bystander");
             TestDevice silent = TestDevice.connect(group, endpoint)) {
            silent.awaitClosed();

            Eventually.until("the timeout is counted", () -> test.handshakes("timeout") == 1);
            bystander.pingAnswered();
        }
    }

    @Test
    void closesADeviceWhoseAdmissionNeverAnswers() {
        try (TestDevice bystander = TestDevice.admitted(group, endpoint, "bystander");
             TestDevice waiting = TestDevice.connect(group, endpoint)) {
            waiting.client().handshake("undecided", TestServer.APP_ID, null);

            waiting.awaitClosed();
            Eventually.until("the timeout is counted", () -> test.handshakes("timeout") == 1);
            Eventually.until("its slot is free again", () -> test.gauge("ppns.handshakes.pending") == 0);
            bystander.pingAnswered();
        }
    }
}
