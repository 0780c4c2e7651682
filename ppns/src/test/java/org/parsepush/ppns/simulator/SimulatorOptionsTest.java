package org.parsepush.ppns.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.parsepush.ppns.simulator.SimulatorOptions.UsageException;

class SimulatorOptionsTest {

    @Test
    void defaultsToOneTlsDeviceThatPingsLikeTheLinuxSdk() throws Exception {
        SimulatorOptions options = SimulatorOptions.parse("--port", "8253", "--app-id", "app");

        assertEquals("127.0.0.1", options.host());
        assertEquals(1, options.installationIds().size());
        assertFalse(options.plainTcp());
        assertFalse(options.trustAll());
        assertNull(options.last());
        assertEquals(Duration.ofMinutes(14), options.pingInterval());
        assertEquals(Duration.ofSeconds(5), options.reconnectDelay());
        assertEquals(0, options.sourceAddresses(), "the system chooses the source address");
    }

    @Test
    void spreadsOverSourceAddressesWhenAsked() throws Exception {
        assertEquals(3, SimulatorOptions.parse("--port", "1", "--app-id", "app", "--source-addresses", "3")
                .sourceAddresses());
        assertThrows(UsageException.class, () -> SimulatorOptions.parse("--port", "1", "--app-id", "app",
                "--source-addresses", "0"));
        assertThrows(UsageException.class, () -> SimulatorOptions.parse("--port", "1", "--app-id", "app",
                "--source-addresses", "251"));
    }

    @Test
    void usesTheGivenIdsAndGeneratesTheRest() throws Exception {
        SimulatorOptions options = SimulatorOptions.parse("--port", "1", "--app-id", "app", "--devices", "3",
                "--installation-id", "first", "--installation-id", "second", "--plain");

        assertEquals(List.of("first", "second"), options.installationIds().subList(0, 2));
        assertEquals(3, options.installationIds().stream().distinct().count());
        assertTrue(options.plainTcp());
    }

    @Test
    void refusesCommandLinesThatCannotRun() {
        assertThrows(UsageException.class, () -> SimulatorOptions.parse("--app-id", "app"));
        assertThrows(UsageException.class, () -> SimulatorOptions.parse("--port", "1"));
        assertThrows(UsageException.class, () -> SimulatorOptions.parse("--port", "x", "--app-id", "app"));
        assertThrows(UsageException.class, () -> SimulatorOptions.parse("--port", "1", "--app-id", "app", "--bogus"));
        assertThrows(UsageException.class, () -> SimulatorOptions.parse("--port", "1", "--app-id", "app",
                "--ca", "ca.pem", "--trust-all"));
        assertThrows(UsageException.class, () -> SimulatorOptions.parse("--port", "1", "--app-id", "app",
                "--devices", "1", "--installation-id", "a", "--installation-id", "b"));
    }
}
