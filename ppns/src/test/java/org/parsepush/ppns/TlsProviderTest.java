package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

/** Which TLS implementation serves the devices, and that the JDK fallback behaves the same on the wire. */
class TlsProviderTest {

    @TempDir
    static Path dir;
    static TestCertificates certificates;
    static EventLoopGroup group;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.create(dir);
        group = PpnsDeviceClient.newEventLoopGroup(1);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static PpnsSettings.Builder tls() {
        return PpnsSettings.builder().tls(certificates.certificateChain(), certificates.privateKey());
    }

    /** The project ships BoringSSL for Linux x86-64, where CI runs: there it must load. */
    @Test
    void servesWithOpenSslWhereItsLibraryShips() throws Exception {
        boolean shipped = System.getProperty("os.name").startsWith("Linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        try (TestServer test = TestServer.start(tls())) {
            assertEquals(shipped, OpenSsl.isAvailable(), "netty-tcnative loads where it ships");
            assertEquals(OpenSsl.isAvailable(), test.server().usesOpenSsl());
        }
    }

    @Test
    void fallsBackToTheJdkAndStillAdmitsTls12And13ButNot11() throws Exception {
        try (TestServer test = TestServer.start(tls().openSsl(false))) {
            assertFalse(test.server().usesOpenSsl());
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                DeviceTls only = new DeviceTls(SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                        .protocols(protocol).trustManager(certificates.caCertificate().toFile()).build(), true);
                try (TestDevice device = TestDevice.admitted(group, new DeviceEndpoint("localhost", test.port(), only),
                        "device-" + protocol)) {
                    device.pingAnswered();
                }
            }

            LegacyTls.assertRefusesTls11(test.port());
            Eventually.until("the failed TLS handshake is counted", () -> test.handshakes("tls_failed") == 1);
            assertTrue(test.handshakes("accepted") == 2);
        }
    }
}
