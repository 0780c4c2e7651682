package org.parsepush.gateway.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.CapturedLogs;

/** What counts as a change, driven one poll at a time (interval zero: no background thread). */
class CredentialWatcherTest {

    @TempDir
    Path dir;

    @Test
    void onlyANewContentReloadsAndARejectedOneIsNotRetriedUntilItChanges() throws Exception {
        Path file = dir.resolve("credential");
        Files.writeString(file, "one");
        AtomicInteger reloads = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        try (CapturedLogs logs = CapturedLogs.capture();
             CredentialWatcher watcher = new CredentialWatcher(Duration.ZERO)) {
            watcher.watch("the test credential", List.of(file), () -> {
                attempts.incrementAndGet();
                if (Files.readString(file).startsWith("bad")) {
                    throw new IOException("not a credential");
                }
                reloads.incrementAndGet();
            });
            watcher.poll();
            assertEquals(0, attempts.get(), "the content loaded at start is not reloaded");

            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
            watcher.poll();
            assertEquals(0, attempts.get(), "a touch is not a change");

            Files.writeString(file, "two");
            watcher.poll();
            watcher.poll();
            assertEquals(1, reloads.get());

            Files.writeString(file, "bad content");
            watcher.poll();
            watcher.poll();
            assertEquals(2, attempts.get(), "a rejected file is tried once");
            assertTrue(logs.text().contains("the test credential: the changed files were rejected, the previous"
                    + " credential stays in use: not a credential"), logs.text());

            Files.delete(file);
            watcher.poll();
            watcher.poll();
            assertEquals(1, logs.text().lines().filter(line -> line.contains("cannot read")).count(),
                    "a missing file is reported once");
            Files.writeString(file, "three");
            watcher.poll();
            assertEquals(2, reloads.get(), "the file came back with new content");
        }
    }
}
