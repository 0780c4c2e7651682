package org.parsepush.gateway.ppns;

import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.bson.Document;
import org.parsepush.gateway.config.PortInUseException;
import org.parsepush.gateway.config.PpnsConfig;
import org.parsepush.gateway.tls.PemFiles;
import org.parsepush.ppns.Admission;
import org.parsepush.ppns.ConnectionListener;
import org.parsepush.ppns.Handshake;
import org.parsepush.ppns.PpnsConnection;
import org.parsepush.ppns.PpnsServer;
import org.parsepush.ppns.PpnsSettings;
import org.parsepush.ppns.Rejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's PPNS endpoint: the Netty server from {@code ppns/}, plus what makes it part
 * of the gateway. It admits devices of known apps and installations, replays a connecting
 * device's inbox, keeps the shared connection registry current, and delivers pushes other
 * replicas hand to it. Each push is written at most once per connection.
 */
public final class PpnsEndpoint implements ConnectionListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PpnsEndpoint.class);
    private static final int REPLAY_LIMIT = 1000;
    private static final int REMEMBERED_PUSHES = 32;
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    private final PpnsConfig config;
    private final String replica;
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicLong lastLineMillis = new java.util.concurrent.atomic.AtomicLong();
    private final PpnsServer server;
    private final ScheduledExecutorService work;
    private final Map<String, PpnsApp> apps = new ConcurrentHashMap<>();
    private final Map<PpnsConnection, Set<String>> written = new ConcurrentHashMap<>();
    private final Map<PpnsConnection, ReplayGate> replaying = new ConcurrentHashMap<>();
    private volatile X509Certificate served;
    private final Counter live;
    private final Counter replayed;
    private final Counter handedOver;
    private final AtomicLong inboxSize = new AtomicLong();

    /** An app's PPNS collections, and the batched database work its devices' comings and goings cause. */
    record PpnsApp(MongoDatabase database, Inbox inbox, ConnectionDirectory directory, InstallationCheck admission,
                   ArrivalsAndDepartures arrivals) {
    }

    public PpnsEndpoint(PpnsConfig config, String replica, Clock clock, MeterRegistry registry) {
        this.config = config;
        this.replica = replica;
        this.clock = clock;
        PpnsSettings.Builder settings = PpnsSettings.builder().host(config.listener().host())
                .port(config.listener().port()).maxLineBytes(config.maxLineBytes())
                .handshakeTimeout(config.handshakeTimeout()).idleTimeout(config.idleTimeout())
                .maxPendingHandshakes(config.maxPendingHandshakes())
                .maxConnectionsPerAddress(config.maxConnectionsPerAddress()).openSsl(config.openSsl()).meterRegistry(registry);
        if (config.certificateChainFile() != null) {
            settings.tls(config.certificateChainFile(), config.privateKeyFile());
        } else {
            settings.plainTcp();
        }
        this.server = new PpnsServer(settings.build(), this::admit, this);
        // Admission, registration and replay wait on the database: several of them at once.
        this.work = Executors.newScheduledThreadPool(8, new io.netty.util.concurrent.DefaultThreadFactory("ppns-work", true));
        this.live = pushes(registry, "live");
        this.replayed = pushes(registry, "replay");
        this.handedOver = pushes(registry, "handed_over");
        Gauge.builder("gateway.ppns.inbox.size", inboxSize::get)
                .description("Pushes kept for PPNS devices (all apps), as of the last purge").register(registry);
        Gauge.builder("gateway.ppns.arrivals.pending", replaying::size)
                .description("Devices connected whose missed pushes are not yet replayed; their live pushes wait")
                .register(registry);
    }

    private static Counter pushes(MeterRegistry registry, String path) {
        return Counter.builder("gateway.ppns.pushes").description("Push lines written to PPNS devices, by path")
                .tag("path", path).register(registry);
    }

    /** Serves an app's devices; its PPNS collections live in its database. */
    public PpnsApp register(String appId, MongoDatabase database) {
        Inbox inbox = new Inbox(database);
        ConnectionDirectory directory = new ConnectionDirectory(database, config.registryRefresh());
        InstallationCheck admission = new InstallationCheck(database, config.autoRegister(), clock, work);
        ArrivalsAndDepartures arrivals = new ArrivalsAndDepartures(inbox, directory, replica, clock, REPLAY_LIMIT,
                heldHere(appId), this::replay, work);
        PpnsApp app = new PpnsApp(database, inbox, directory, admission, arrivals);
        apps.put(appId, app);
        return app;
    }

    public void start() throws IOException {
        for (PpnsApp app : apps.values()) {
            try {
                app.inbox().createIndexes();
                app.directory().createIndexes();
            } catch (RuntimeException e) {
                log.warn("cannot create the PPNS inbox and directory indexes yet: {}", e.toString());
            }
        }
        try {
            server.start();
        } catch (BindException e) {
            throw new PortInUseException("ppns.port", config.listener().host(), config.listener().port());
        }
        long poll = config.deliveryPoll().toMillis();
        work.scheduleWithFixedDelay(guarded(this::deliverHandedOver), poll, poll, TimeUnit.MILLISECONDS);
        long refresh = config.registryRefresh().toMillis();
        work.scheduleWithFixedDelay(guarded(this::refreshDirectory), refresh, refresh, TimeUnit.MILLISECONDS);
        work.scheduleWithFixedDelay(guarded(this::purge), 0, PURGE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        work.execute(this::indexInstallationIds);
        if (config.certificateChainFile() != null) {
            served = PemFiles.certificates(config.certificateChainFile()).get(0);
        }
        log.info("PPNS endpoint listening on {}:{} ({})", config.listener().host(), server.port(),
                config.certificateChainFile() == null ? "plain TCP" : "TLS");
    }

    public int port() {
        return server.port();
    }

    /** The certificate new connections are served, or null without TLS. */
    public X509Certificate servedCertificate() {
        return served;
    }

    /**
     * Serves new connections the certificate and key files as they are now, when they load,
     * belong together and have not expired; otherwise throws and the certificate in use stays.
     * Connections already open keep theirs.
     */
    public void reloadCertificate() throws IOException {
        X509Certificate next = PemFiles.certificates(config.certificateChainFile()).get(0);
        PemFiles.checkKeyMatches(PemFiles.privateKey(config.privateKeyFile(), null), next, config.privateKeyFile());
        // Judged by the wall clock, as devices judge it, not by the scheduling clock.
        if (next.getNotAfter().toInstant().isBefore(Instant.now())) {
            throw new IOException(config.certificateChainFile() + ": the new certificate expired on "
                    + next.getNotAfter().toInstant());
        }
        server.reloadTls();
        served = next;
    }

    /**
     * The {@code time} for the next push's lines: now, but always later than the previous one
     * by at least a millisecond. A device only reports the time of the newest push it saw and
     * gets what is newer on reconnecting, so two pushes sharing a millisecond (or a late push
     * carrying its older scheduled time) would be skipped; unique, rising times keep that
     * cursor exact for pushes sent from this replica.
     */
    Instant nextLineTime() {
        long now = clock.millis();
        return Instant.ofEpochMilli(lastLineMillis.updateAndGet(previous -> Math.max(now, previous + 1)));
    }

    Instant now() {
        return clock.instant();
    }

    String replica() {
        return replica;
    }

    Duration deliveryPoll() {
        return config.deliveryPoll();
    }

    int maxPushBytes() {
        return config.maxPushBytes();
    }

    Duration inboxRetention() {
        return config.inboxRetention();
    }

    ScheduledExecutorService work() {
        return work;
    }

    /** Whether this replica holds a connection for an installation id of the app now. */
    private Predicate<String> heldHere(String appId) {
        return installationId -> local(appId, installationId).isPresent();
    }

    /** This replica's connection for a device, if it holds one. */
    Optional<PpnsConnection> local(String appId, String installationId) {
        return server.connections().find(appId, installationId);
    }

    /** Writes a push to a connection unless this connection already got it; true once written. */
    private CompletableFuture<Boolean> writeOnce(PpnsConnection connection, String pushId, String line) {
        Set<String> seen = written.computeIfAbsent(connection, c -> new LinkedHashSet<>());
        synchronized (seen) {
            if (!seen.add(pushId)) {
                return CompletableFuture.completedFuture(false);
            }
            if (seen.size() > REMEMBERED_PUSHES) {
                seen.remove(seen.iterator().next());
            }
        }
        return connection.send(line).thenApply(done -> true);
    }

    private CompletableFuture<Admission> admit(Handshake handshake) {
        PpnsApp app = apps.get(handshake.applicationId());
        if (app == null) {
            return CompletableFuture.completedFuture(Admission.reject(Rejection.UNKNOWN_APPLICATION));
        }
        return app.admission().admit(handshake);
    }

    /**
     * Writes a push to a device connected here, after the replay of what it missed (see
     * {@link ReplayGate}); true once written, false if the connection already had it.
     */
    CompletableFuture<Boolean> deliverLive(PpnsConnection connection, String pushId, String line) {
        ReplayGate gate = replaying.get(connection);
        return gate == null ? writeOnce(connection, pushId, line) : gate.pass(() -> writeOnce(connection, pushId, line));
    }

    @Override
    public void connected(PpnsConnection connection) {
        replaying.put(connection, new ReplayGate());
        apps.get(connection.applicationId()).arrivals().arrived(connection);
    }

    @Override
    public void disconnected(PpnsConnection connection) {
        written.remove(connection);
        ReplayGate gate = replaying.remove(connection);
        if (gate != null) {
            gate.fail();
        }
        apps.get(connection.applicationId()).arrivals().departed(connection.installationId());
    }

    private void replay(PpnsConnection connection, List<Document> missed) {
        replayFrom(connection, missed, 0);
    }

    private void replayDone(PpnsConnection connection) {
        ReplayGate gate = replaying.remove(connection);
        if (gate != null) {
            gate.open();
        }
    }

    /**
     * Replays one line at a time, each once the previous one reached the socket, so a long
     * backlog stays within the device's outbound limit. A device that stops reading stalls
     * its own replay; what was not written stays in its inbox for its next connection.
     */
    private void replayFrom(PpnsConnection connection, List<Document> missed, int next) {
        if (next >= missed.size() || !connection.isOpen()) {
            replayDone(connection);
            return;
        }
        Document entry = missed.get(next);
        writeOnce(connection, entry.getString(Inbox.PUSH_ID), entry.getString(Inbox.LINE)).whenComplete((wrote, error) -> {
            if (error != null) {
                replayDone(connection);
                return;
            }
            if (wrote) {
                replayed.increment();
            }
            replayFrom(connection, missed, next + 1);
        });
    }

    void countLive() {
        live.increment();
    }

    /** Pushes whose jobs ran on other replicas, for devices connected here. */
    private void deliverHandedOver() {
        apps.forEach((appId, app) -> {
            List<Document> entries = app.inbox().handedTo(replica, 1000);
            List<Object> delivered = new ArrayList<>();
            List<Object> leftForReplay = new ArrayList<>();
            for (Document entry : entries) {
                Optional<PpnsConnection> connection = local(appId, entry.getString(Inbox.INSTALLATION_ID));
                if (connection.isPresent()) {
                    deliverLive(connection.get(), entry.getString(Inbox.PUSH_ID), entry.getString(Inbox.LINE));
                    handedOver.increment();
                    delivered.add(entry.get("_id"));
                } else {
                    leftForReplay.add(entry.get("_id"));
                }
            }
            app.inbox().settle(delivered, leftForReplay, replica);
        });
    }

    /**
     * Keeps this replica's directory entries alive and lets go of those whose devices left
     * without their departure written (the database was away then).
     */
    private void refreshDirectory() {
        Instant now = clock.instant();
        apps.forEach((appId, app) -> {
            app.directory().refresh(replica, now);
            Predicate<String> heldHere = heldHere(appId);
            app.directory().entriesOf(replica, installationId -> {
                if (!heldHere.test(installationId)) {
                    app.arrivals().departed(installationId);
                }
            });
        });
    }

    /** Off the start-up path: an index build on a large collection blocks until it is done. */
    private void indexInstallationIds() {
        apps.forEach((appId, app) -> app.admission().installationIdIndex().ensureOrWarn(appId,
                "every batch of PPNS handshakes reads the whole collection. Create an index on installationId by hand"));
    }

    private void purge() {
        long size = 0;
        for (PpnsApp app : apps.values()) {
            app.inbox().purgeExpired(clock.instant());
            size += app.inbox().size();
        }
        inboxSize.set(size);
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("PPNS background work failed, will retry: {}", e.toString());
            }
        };
    }

    /**
     * Closes the devices' connections spread over {@code over}, then stops: on a rolling update
     * the devices reconnect to the other replicas a few at a time instead of all at once.
     */
    public void drain(Duration over) throws InterruptedException {
        List<PpnsConnection> connections = server.connections().stream().toList();
        if (!connections.isEmpty() && !over.isZero()) {
            long stepNanos = over.toNanos() / connections.size();
            long start = System.nanoTime();
            for (int i = 0; i < connections.size(); i++) {
                long wait = start + i * stepNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                connections.get(i).close();
            }
            log.info("PPNS: {} devices let go over {} s", connections.size(), over.toSeconds());
        }
        close();
    }

    @Override
    public void close() {
        server.stop();
        work.shutdownNow();
    }
}
