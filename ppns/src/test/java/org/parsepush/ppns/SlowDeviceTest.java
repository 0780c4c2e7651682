package org.parsepush.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
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
 * A device that stops reading (an embedded app that stopped polling its socket) is not sent
 * more than the outbound limit: further lines are refused at once, and once it reads again
 * it gets every line that was accepted, whole and in order.
 */
class SlowDeviceTest {

    /** Far more than the kernel's socket buffers on loopback hold. */
    private static final int LINES = 20_000;

    @Test
    void linesForADeviceThatDoesNotReadAreRefusedNotHeld(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        EventLoopGroup group = PpnsDeviceClient.newEventLoopGroup(1);
        try (TestServer test = TestServer.start(PpnsSettings.builder()
                .tls(certificates.certificateChain(), certificates.privateKey()));
             SSLSocket slow = socket(certificates.caCertificate(), test.port());
             TestDevice bystander = TestDevice.admitted(group, new DeviceEndpoint("localhost", test.port(),
                     DeviceTls.trusting(certificates.caCertificate())), "bystander")) {
            BufferedReader in = new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.UTF_8));
            slow.getOutputStream().write((PpnsDeviceClient.handshakeLine("slow", TestServer.APP_ID, null) + "\n{}\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals("{}", in.readLine());
            PpnsConnection connection = test.connection("slow");

            List<CompletableFuture<Void>> sent = new ArrayList<>();
            String data = "{\"alert\":\"" + "x".repeat(900) + "\"}";
            for (int i = 0; i < LINES; i++) {
                sent.add(connection.send(PushLine.of(data, "push" + i, Instant.now())));
            }
            long refused = sent.stream().filter(future -> future.isCompletedExceptionally()
                    && causeOf(future) instanceof DeviceNotReadingException).count();
            assertTrue(refused > 0, "some lines were refused");
            assertFalse(connection.isReading());
            assertEquals(refused, test.counter("ppns.lines.refused"));
            bystander.pingAnswered();

            int received = 0;
            int expected = LINES - (int) refused;
            for (String line; received < expected && (line = in.readLine()) != null; ) {
                assertTrue(line.startsWith("{\"data\":") && line.endsWith("}"), "a whole push line");
                received++;
            }
            assertEquals(expected, received, "every accepted line arrives once the device reads");
            Eventually.until("the device is writable again", connection::isReading);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static Throwable causeOf(CompletableFuture<Void> future) {
        return future.handle((ok, failure) -> failure).join();
    }

    /** A device socket with a small receive buffer that the test reads only when it chooses. */
    private static SSLSocket socket(Path ca, int port) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.setReceiveBufferSize(4096);
        socket.setSoTimeout((int) Eventually.DEADLINE.toMillis());
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        return socket;
    }
}
