package org.parsepush.ppns.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceAddressesTest {

    @Test
    void handsOutLoopbackAddressesFrom127002RoundRobin() {
        SourceAddresses sources = SourceAddresses.loopback(3);

        List<String> handedOut = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            handedOut.add(sources.next().getHostAddress());
        }
        assertEquals(List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.2", "127.0.0.3", "127.0.0.4",
                "127.0.0.2"), handedOut);
        assertEquals(3, sources.count());
    }

    @Test
    void leavesTheChoiceToTheSystemWhenNoneAreGiven() {
        assertNull(SourceAddresses.systemChoice().next());
        assertEquals(0, SourceAddresses.systemChoice().count());
    }

    @Test
    void refusesCountsOutsideTheLoopbackRange() {
        assertThrows(IllegalArgumentException.class, () -> SourceAddresses.loopback(0));
        assertThrows(IllegalArgumentException.class, () -> SourceAddresses.loopback(251));
    }
}
