package org.parsepush.ppns.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The lines a test device received, in order. */
public final class ReceivedLines implements Consumer<String> {

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    @Override
    public void accept(String line) {
        lines.add(line);
    }

    /** The next line; fails if none arrives by the deadline. */
    public String next() {
        try {
            String line = lines.poll(Eventually.DEADLINE.toNanos(), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("no line arrived");
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted waiting for a line");
        }
    }
}
