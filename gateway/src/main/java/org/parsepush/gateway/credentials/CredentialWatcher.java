package org.parsepush.gateway.credentials;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads credentials when their files change, without a restart: every few seconds it
 * hashes each watched file and, when the content of a group of files differs from what was
 * last seen, asks the owner to reload them.
 *
 * <p>Polling the content rather than using a {@code WatchService} is deliberate: Kubernetes
 * updates mounted Secrets by swapping a symlink, which file events on container volumes
 * report unreliably, and a content hash ignores a mere {@code touch}. An owner rejects a
 * bad file by throwing; the error is logged (its message must never contain secret
 * material) and the owner keeps its previous credential. A rejected file is not tried again
 * until it changes once more.
 */
public final class CredentialWatcher implements AutoCloseable {

    /** Loads the changed files; throws, with a message free of secrets, to keep the previous credential. */
    @FunctionalInterface
    public interface Reload {
        void reload() throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(CredentialWatcher.class);

    private final Duration interval;
    private final List<Watched> watched = new CopyOnWriteArrayList<>();
    private final List<Runnable> afterPoll = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService poller;

    /** A watcher polling every {@code interval}; zero turns watching off (files are read only at start). */
    public CredentialWatcher(Duration interval) {
        this.interval = interval;
    }

    /**
     * Watches {@code files} together: a change to any of them reloads {@code what}.
     * The current content counts as already loaded.
     */
    public void watch(String what, List<Path> files, Reload reload) {
        watched.add(new Watched(what, List.copyOf(files), reload, fingerprint(files)));
    }

    /** Runs {@code task} after every poll (expiry checks ride along). */
    public void afterEachPoll(Runnable task) {
        afterPoll.add(task);
    }

    /** Starts polling, unless the interval is zero. */
    public synchronized void start() {
        if (interval.isZero() || poller != null) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("credential-watch", true));
        poller.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass over every watched group; public for tools and tests that cannot wait for the schedule. */
    public synchronized void poll() {
        for (Watched entry : watched) {
            try {
                entry.check();
            } catch (RuntimeException e) {
                log.error("checking {} for changes failed: {}", entry.what, e.toString());
            }
        }
        for (Runnable task : afterPoll) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("credential check failed: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    /** SHA-256 of each file's content, null for a file that cannot be read right now. */
    private static List<byte[]> fingerprint(List<Path> files) {
        List<byte[]> hashes = new ArrayList<>(files.size());
        for (Path file : files) {
            try {
                hashes.add(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
            } catch (IOException e) {
                hashes.add(null);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
        }
        return hashes;
    }

    private static final class Watched {
        final String what;
        final List<Path> files;
        final Reload reload;
        List<byte[]> seen;
        boolean reportedMissing;

        Watched(String what, List<Path> files, Reload reload, List<byte[]> seen) {
            this.what = what;
            this.files = files;
            this.reload = reload;
            this.seen = seen;
        }

        void check() {
            List<byte[]> now = fingerprint(files);
            int missing = now.indexOf(null);
            if (missing >= 0) {
                // Mid-rotation (a Secret's symlink being swapped) or deleted: keep what works, say so once.
                if (!reportedMissing) {
                    reportedMissing = true;
                    log.warn("{}: cannot read {}; the loaded credential stays in use", what, files.get(missing));
                }
                return;
            }
            reportedMissing = false;
            if (same(now, seen)) {
                return;
            }
            seen = now;
            try {
                reload.reload();
                log.info("{}: reloaded from {} after a change", what, files);
            } catch (NoSuchFileException e) {
                log.error("{}: the changed files were rejected, the previous credential stays in use: file not found: {}",
                        what, e.getFile());
            } catch (Exception e) {
                log.error("{}: the changed files were rejected, the previous credential stays in use: {}",
                        what, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }

        private static boolean same(List<byte[]> a, List<byte[]> b) {
            for (int i = 0; i < a.size(); i++) {
                if (b.get(i) == null || !Arrays.equals(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }
}
