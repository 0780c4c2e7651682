package org.parsepush.loadtest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the gateway under test is started; running it is what the scenarios' smoke tests do. */
class GatewayUnderTestTest {

    @Test
    void theGatewayRunsG1UnlessItsExtraOptionsChooseAnotherCollector() {
        assertTrue(GatewayUnderTest.runsG1(List.of()));
        assertTrue(GatewayUnderTest.runsG1(List.of("-XX:+UseG1GC", "-XX:+UseStringDeduplication")));
        assertFalse(GatewayUnderTest.runsG1(List.of("-XX:+UseZGC")));
        assertFalse(GatewayUnderTest.runsG1(List.of("-Xlog:gc", "-XX:+UseParallelGC")));
    }
}
