package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.config.ConfigException;
import org.parsepush.gateway.config.PortInUseException;

/** A gateway that cannot start says why, by configuration key, and leaves nothing running. */
class BadStartTest {

    @TempDir
    Path dataDir;

    private static void assertPortInUse(Path dataDir, String envKey, String configKey) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            PortInUseException e = assertThrows(PortInUseException.class,
                    () -> TestGateway.start(dataDir, "", Map.of(envKey, String.valueOf(port))));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port + " is already in use"), e.getMessage());
            assertTrue(e.getMessage().contains(configKey), e.getMessage());
        }
    }

    @Test
    void aTakenGrpcPortIsNamed() throws Exception {
        assertPortInUse(dataDir, "GATEWAY_GRPC__PORT", "grpc.port");
    }

    @Test
    void aTakenAdminPortIsNamedAndTheGrpcPortIsReleased() throws Exception {
        assertPortInUse(dataDir, "GATEWAY_ADMIN__PORT", "admin.port");
        // Everything started before the failure was stopped: the data directory can be reopened.
        try (TestGateway gateway = TestGateway.start(dataDir)) {
            assertEquals(200, gateway.admin("/readyz").statusCode());
        }
    }

    @Test
    void aTakenEmbeddedDatabasePortIsNamed() throws Exception {
        assertPortInUse(dataDir, "GATEWAY_MONGO__EMBEDDED_PORT", "mongo.embeddedPort");
    }

    @Test
    void aDataDirectoryThatCannotBeMadeIsNamedWithWhatToDo() throws Exception {
        Path underAFile = Files.writeString(dataDir.resolve("a-file"), "").resolve("data");
        ConfigException e = assertThrows(ConfigException.class,
                () -> TestGateway.start(dataDir, "", Map.of("GATEWAY_DATA_DIR", underAFile.toString())));
        assertTrue(e.getMessage().startsWith("dataDir: cannot create " + underAFile + " ("), e.getMessage());
        assertTrue(e.getMessage().contains("mount a volume"), e.getMessage());
    }
}
