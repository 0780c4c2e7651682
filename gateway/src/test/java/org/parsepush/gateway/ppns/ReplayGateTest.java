package org.parsepush.gateway.ppns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ReplayGateTest {

    private final List<String> socket = new ArrayList<>();

    private Supplier<CompletableFuture<Boolean>> write(String line) {
        return () -> {
            socket.add(line);
            return CompletableFuture.completedFuture(true);
        };
    }

    @Test
    void livePushesWaitForTheReplayAndThenGoInTheOrderTheyCame() {
        ReplayGate gate = new ReplayGate();
        CompletableFuture<Boolean> first = gate.pass(write("live-1"));
        CompletableFuture<Boolean> second = gate.pass(write("live-2"));
        socket.add("replayed-1");
        socket.add("replayed-2");
        assertFalse(first.isDone(), "a live push went out before the replay ended");

        gate.open();

        assertEquals(List.of("replayed-1", "replayed-2", "live-1", "live-2"), socket);
        assertTrue(first.join() && second.join());
        gate.pass(write("live-3")).join();
        assertEquals("live-3", socket.get(4), "after the replay, live pushes go at once");
    }

    @Test
    void aConnectionThatClosesFirstLeavesItsHeldPushesUnwritten() {
        ReplayGate gate = new ReplayGate();
        CompletableFuture<Boolean> held = gate.pass(write("live-1"));

        gate.fail();

        assertTrue(held.isCompletedExceptionally());
        assertTrue(gate.pass(write("live-2")).isCompletedExceptionally());
        assertEquals(List.of(), socket);
    }
}
