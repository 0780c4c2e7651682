package org.parsepush.gateway.ppns;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.ppns.testing.TestCertificates;

/** The PPNS certificate is replaced on disk: new devices get the new one, nobody is cut off. */
class PpnsCertificateReloadTest {

    @TempDir
    Path dir;

    @Test
    void aNewCertificateServesNewConnectionsAndABrokenOneIsRefused() throws Exception {
        TestCertificates first = TestCertificates.create(Files.createDirectories(dir.resolve("first")));
        TestCertificates second = TestCertificates.create(Files.createDirectories(dir.resolve("second")));
        Path chain = dir.resolve("ppns-chain.pem");
        Path key = dir.resolve("ppns-key.pem");
        install(first.certificateChain(), first.privateKey(), chain, key);
        EventLoopGroup devices = PpnsDeviceClient.newEventLoopGroup(1);
        try (CapturedLogs logs = CapturedLogs.capture();
             TestMongo mongo = TestMongo.start();
             TestGateway gateway = TestGateway.start(dir.resolve("gateway"), """
                     mongo: {uri: "%s"}
                     credentialReloadSeconds: 1
                     ppns: {port: 0, certificateChainFile: "%s", privateKeyFile: "%s", autoRegister: true}
                     """.formatted(mongo.uri(), chain, key), Map.of())) {
            int port = gateway.gateway().ppnsPort();
            TestDevice before = device(devices, port, first.caCertificate(), "reload-before");

            // A key that does not belong to the certificate: refused, the first one stays.
            install(second.certificateChain(), first.privateKey(), chain, key);
            Await.until(Duration.ofSeconds(15), "the mismatched key is rejected", () -> logs.text()
                    .contains("the PPNS endpoint's TLS certificate: the changed files were rejected"));
            assertFalse(logs.text().contains(Files.readString(first.privateKey()).lines().skip(1).findFirst().orElseThrow()),
                    "no key material in the logs");
            device(devices, port, first.caCertificate(), "reload-still-first").close();

            install(second.certificateChain(), second.privateKey(), chain, key);
            Await.until(Duration.ofSeconds(15), "a device trusting the new CA gets in", () -> connects(devices, port,
                    second.caCertificate(), "reload-after"));

            assertThrows(Exception.class, () -> device(devices, port, first.caCertificate(), "reload-old-ca"),
                    "the old certificate is no longer served");
            assertFalse(before.closedWithin(200), "a device connected before the reload stays connected");
            before.client().ping().get(5, TimeUnit.SECONDS);
            before.awaitPong();
            String expiry = gateway.admin("/metrics").body().lines()
                    .filter(line -> line.startsWith("push_gateway_credential_expiry_days{") && line.contains("provider=\"ppns\""))
                    .findFirst().orElseThrow(() -> new AssertionError("the PPNS certificate's expiry is not tracked"));
            assertTrue(Double.parseDouble(expiry.substring(expiry.lastIndexOf(' ') + 1)) > 0, expiry);
            before.close();
        } finally {
            devices.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void install(Path chainSource, Path keySource, Path chain, Path key) throws Exception {
        Files.copy(keySource, key, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(chainSource, chain, StandardCopyOption.REPLACE_EXISTING);
    }

    private static TestDevice device(EventLoopGroup devices, int port, Path ca, String installationId) throws Exception {
        TestDevice device = TestDevice.connect(devices, port, ca, TestDevice.handshake(installationId, TestGateway.APP_ID, null));
        device.awaitPong();
        return device;
    }

    private static boolean connects(EventLoopGroup devices, int port, Path ca, String installationId) {
        try (TestDevice device = device(devices, port, ca, installationId)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
