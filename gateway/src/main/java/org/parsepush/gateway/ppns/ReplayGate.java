package org.parsepush.gateway.ppns;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Holds a new connection's live pushes until its replay has been written, so the device
 * gets what it missed oldest first and live pushes after that. A device reports only the
 * time of the newest push it saw: a live push written in the middle of a replay would make
 * the rest of the replay look seen if the device dropped then, and once the replay ended
 * the device's cursor would go back and the live push come again on its next connection.
 */
final class ReplayGate {

    private record Held(Supplier<CompletableFuture<Boolean>> write, CompletableFuture<Boolean> written) {
    }

    private final List<Held> held = new ArrayList<>();
    private boolean open;
    private boolean failed;

    /** Writes now if the replay is done, else once it is; the future says whether it was written. */
    synchronized CompletableFuture<Boolean> pass(Supplier<CompletableFuture<Boolean>> write) {
        if (open) {
            return write.get();
        }
        CompletableFuture<Boolean> written = new CompletableFuture<>();
        if (failed) {
            written.completeExceptionally(gone());
        } else {
            held.add(new Held(write, written));
        }
        return written;
    }

    /** The replay is written: held pushes go now, in the order they came. */
    synchronized void open() {
        open = true;
        for (Held push : held) {
            push.write().get().whenComplete((wrote, error) -> {
                if (error != null) {
                    push.written().completeExceptionally(error);
                } else {
                    push.written().complete(wrote);
                }
            });
        }
        held.clear();
    }

    /** The connection closed first: held pushes stay in the inbox for the next connection. */
    synchronized void fail() {
        failed = true;
        held.forEach(push -> push.written().completeExceptionally(gone()));
        held.clear();
    }

    private static IOException gone() {
        return new IOException("the connection closed before its replay was written");
    }
}
