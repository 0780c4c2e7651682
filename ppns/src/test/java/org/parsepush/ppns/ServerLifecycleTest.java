package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.testing.Eventually;
import org.parsepush.ppns.testing.TestDevice;
import org.parsepush.ppns.testing.TestServer;

/** Starting, stopping and the transports. */
class ServerLifecycleTest {

    static EventLoopGroup group;

    @BeforeAll
    static void clients() {
        group = PpnsDeviceClient.newEventLoopGroup(1);
    }

    @AfterAll
    static void stopClients() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void stopClosesEveryConnectionAndFreesThePort() throws Exception {
        TestServer test = TestServer.start(PpnsSettings.builder().plainTcp());
        int port = test.port();
        try (TestDevice device = TestDevice.admitted(group, DeviceEndpoint.plainTcp("127.0.0.1", port), "device")) {
            test.close();

            device.awaitClosed();
            assertEquals(1, test.disconnected.size());
            assertEquals(1, test.disconnects("server_stop"));
            try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
                assertEquals(port, again.getLocalPort());
            }
        }
    }

    @Test
    void servesDevicesOnNioWhenNativeTransportIsOff() throws Exception {
        try (TestServer nio = TestServer.start(PpnsSettings.builder().plainTcp().nativeTransport(false));
             TestDevice device = TestDevice.admitted(group, DeviceEndpoint.plainTcp("127.0.0.1", nio.port()), "nio")) {
            assertFalse(nio.server().usesNativeTransport());
            device.pingAnswered();
        }
    }

    /** On the default transport: a native library that does not match its classes fails exactly here. */
    @Test
    void refusesAPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            PpnsServer server = new PpnsServer(PpnsSettings.builder().plainTcp().port(taken.getLocalPort()).build(),
                    TestServer::knownAppOnly, ConnectionListener.NONE);

            assertThrows(BindException.class, server::start);
        }
    }

    @Test
    void namesAMissingCertificateFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing.pem");
        PpnsServer server = new PpnsServer(PpnsSettings.builder().tls(missing, missing).build(),
                TestServer::knownAppOnly, ConnectionListener.NONE);

        IOException failure = assertThrows(IOException.class, server::start);
        assertTrue(failure.getMessage().contains(missing.toString()), failure.getMessage());
    }

    @Test
    void neverFallsBackToPlainTcpByOmission() {
        assertThrows(IllegalStateException.class, () -> PpnsSettings.builder().build());
    }

    @Test
    void closesAnIdleDevice() throws Exception {
        try (TestServer test = TestServer.start(PpnsSettings.builder().plainTcp()
                .handshakeTimeout(Duration.ofSeconds(3))
                .idleTimeout(Duration.ofSeconds(4)));
             TestDevice device = TestDevice.admitted(group, DeviceEndpoint.plainTcp("127.0.0.1", test.port()), "quiet")) {
            device.awaitClosed();

            Eventually.until("the idle disconnect is counted", () -> test.disconnects("idle") == 1);
        }
    }

    @Test
    void keepsADeviceThatPingsPastTheIdleTimeout() throws Exception {
        try (TestServer test = TestServer.start(PpnsSettings.builder().plainTcp()
                .handshakeTimeout(Duration.ofSeconds(1))
                .idleTimeout(Duration.ofSeconds(2)));
             TestDevice chatty = TestDevice.admitted(group, DeviceEndpoint.plainTcp("127.0.0.1", test.port()), "chatty");
             TestDevice quiet = TestDevice.admitted(group, DeviceEndpoint.plainTcp("127.0.0.1", test.port()), "quiet")) {
            // Pings every half second: four times inside each idle timeout.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < until) {
                chatty.pingAnswered();
                TimeUnit.MILLISECONDS.sleep(500);
            }

            quiet.awaitClosed();
            assertFalse(chatty.client().closed().isDone(), "the device that pinged is still connected");
            chatty.pingAnswered();
            assertEquals(1, test.disconnects("idle"));
        }
    }
}
