package org.parsepush.loadtest;

import com.eatthepath.pushy.apns.server.BenchmarkApnsServer;
import com.eatthepath.pushy.apns.server.BenchmarkApnsServerBuilder;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;

/**
 * Everything a scenario runs against, on loopback: the database (mongo-java-server, in this
 * process), fast provider stand-ins (Pushy's BenchmarkApnsServer over TLS, a local FCM
 * endpoint), and the gateway in its own process with a capped heap.
 */
final class Bench implements AutoCloseable {

    /** Shared by every stand-in this process starts; its threads are daemons. */
    private static final EventLoopGroup APNS_STAND_IN_LOOP =
            new NioEventLoopGroup(1, new DefaultThreadFactory("apns-stand-in", true));

    static final String APP_ID = "bench-app";
    static final String MASTER_KEY = "bench-master-key";
    static final String TOPIC = "com.example.bench";
    static final String SENDER_ID = "424242424242";

    final MongoServer mongoServer;
    final MongoClient mongo;
    final BenchmarkApnsServer apns;
    final LocalFcm fcm;
    final GatewayUnderTest gateway;
    final ManagedChannel channel;
    final PushServiceGrpc.PushServiceBlockingStub api;
    final PushServiceGrpc.PushServiceFutureStub asyncApi;
    /** The APNs endpoint, client certificate and CA, for Parse's own adapter in the baseline. */
    int apnsPort;
    Path p12;
    Path apnsCa;
    /** The report's name for {@code --db-delay-ms}. */
    static final String DATABASE_DELAY = "database answers delayed by";
    /** The database as the systems under test reach it: through the relay with {@code --db-delay-ms}. */
    String mongoUri;
    /** The relay between the systems under test and the database with {@code --db-delay-ms}; null without. */
    DatabaseDelay databaseDelay;

    private Bench(MongoServer mongoServer, MongoClient mongo, BenchmarkApnsServer apns, LocalFcm fcm,
                  GatewayUnderTest gateway) {
        this.mongoServer = mongoServer;
        this.mongo = mongo;
        this.apns = apns;
        this.fcm = fcm;
        this.gateway = gateway;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
        Metadata keys = new Metadata();
        keys.put(Metadata.Key.of("x-parse-application-id", Metadata.ASCII_STRING_MARSHALLER), APP_ID);
        keys.put(Metadata.Key.of("x-parse-master-key", Metadata.ASCII_STRING_MARSHALLER), MASTER_KEY);
        var attach = MetadataUtils.newAttachHeadersInterceptor(keys);
        this.api = PushServiceGrpc.newBlockingStub(channel).withInterceptors(attach);
        this.asyncApi = PushServiceGrpc.newFutureStub(channel).withInterceptors(attach);
    }

    /** Starts the stand-ins and the gateway; {@code extraYaml} adds top-level gateway settings. */
    static Bench start(Options options, String extraYaml) throws Exception {
        Path dir = Files.createTempDirectory("push-bench");
        MongoServer mongoServer = new MongoServer(new MemoryBackend());
        mongoServer.bind("127.0.0.1", 0);
        String mongoUri = "mongodb://127.0.0.1:" + mongoServer.getLocalAddress().getPort();
        DatabaseDelay delay = options.dbDelayMillis() == 0 ? null
                : DatabaseDelay.start(mongoServer.getLocalAddress(), options.dbDelayMillis());
        String underTestMongoUri = delay == null ? mongoUri : "mongodb://127.0.0.1:" + delay.port();
        Certificates.ApnsClientCertificate client = Certificates.apnsClient(dir, TOPIC, "bench-p12");
        BenchmarkApnsServer apns = apnsStandIn(client);
        int apnsPort = (Integer) apns.start(0).get(10, TimeUnit.SECONDS);
        Path ca = dir.resolve("apns-ca.pem");
        try (InputStream in = resource("ca.pem")) {
            Files.copy(in, ca);
        }
        Path p12 = client.p12();
        LocalFcm fcm;
        try (InputStream certs = resource("server-certs.pem"); InputStream key = resource("server-key.pem")) {
            fcm = new LocalFcm(certs, key);
        }
        Path serviceAccount = fcm.writeServiceAccount(dir, "bench-project");
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                dataDir: %s
                grpc: {port: 0}
                admin: {port: 0}
                rest: {port: 0}
                mongo: {uri: "%s"}
                apns: {productionServer: "localhost:%d", trustedServerCaFile: "%s"}
                fcm: {endpoint: "%s", trustedServerCaFile: "%s"}
                outcomes: {record: %s}
                %s
                apps:
                  - appId: %s
                    masterKey: %s
                    database: bench
                    apns:
                      - {topic: %s, p12File: "%s", p12Password: bench-p12}
                    fcm:
                      - {senderId: "%s", serviceAccountFile: "%s"}
                """.formatted(dir.resolve("data"), underTestMongoUri, apnsPort, ca, fcm.endpoint(), ca, options.outcomes(),
                extraYaml, APP_ID, MASTER_KEY, TOPIC, p12, SENDER_ID, serviceAccount));
        GatewayUnderTest gateway = GatewayUnderTest.start(options.gatewayJar(), config, options.heap());
        Bench bench = new Bench(mongoServer, MongoClients.create(mongoUri), apns, fcm, gateway);
        bench.apnsPort = apnsPort;
        bench.p12 = p12;
        bench.apnsCa = ca;
        bench.mongoUri = underTestMongoUri;
        bench.databaseDelay = delay;
        return bench;
    }

    /**
     * The APNs stand-in, trusting the client certificate as APNs trusts the ones Apple issued.
     * Without a trusted client chain it would ask for a certificate from the JDK's public CAs:
     * Pushy's client then sends none at all (it offers only a certificate whose issuer was
     * asked for) and gets in unauthenticated, while node-apn sends its certificate anyway and
     * is refused with certificate_unknown.
     */
    private static BenchmarkApnsServer apnsStandIn(Certificates.ApnsClientCertificate client) throws Exception {
        try (InputStream certs = resource("server-certs.pem"); InputStream key = resource("server-key.pem")) {
            // One thread, as the builder would make on its own, but named: its CPU is reported.
            return new BenchmarkApnsServerBuilder().setServerCredentials(certs, key, null)
                    .setEventLoopGroup(APNS_STAND_IN_LOOP)
                    .setTrustedClientCertificateChain(client.certificatePem().toFile()).build();
        }
    }

    private static InputStream resource(String name) {
        InputStream in = Bench.class.getResourceAsStream("/" + name);
        if (in == null) {
            throw new IllegalStateException(name + " is missing from Pushy's test jar");
        }
        return in;
    }

    MongoDatabase database() {
        return mongo.getDatabase("bench");
    }

    /**
     * Seeds installations as Parse stores them: {@code ios} share Apple devices, then
     * Android (FCM) and embedded (PPNS) devices, all in channel {@code all}.
     */
    void seed(int count, double iosShare, double androidShare, String idPrefix) {
        seed(count, iosShare, androidShare, idPrefix, "all");
    }

    /** Seeds as {@link #seed(int, double, double, String)}, the installations in {@code channel} alone. */
    void seed(int count, double iosShare, double androidShare, String idPrefix, String channel) {
        declareInstallationClass();
        MongoCollection<Document> installations = database().getCollection("_Installation");
        Date now = new Date();
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Document doc = new Document("_id", String.format("%s%09d", idPrefix, i)).append("channels", List.of(channel))
                    .append("_created_at", now).append("_updated_at", now);
            switch (kindOf(i, count, iosShare, androidShare)) {
                case IOS -> doc.append("deviceType", "ios").append("deviceToken", appleToken(i))
                        .append("appIdentifier", TOPIC);
                case ANDROID -> doc.append("deviceType", "android").append("pushType", "gcm")
                        .append("deviceToken", fcmToken(i)).append("GCMSenderId", SENDER_ID);
                case EMBEDDED -> doc.append("deviceType", "embedded")
                        .append("installationId", idPrefix.toLowerCase() + "-device-" + i);
            }
            batch.add(doc);
            if (batch.size() == 10_000) {
                installations.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            installations.insertMany(batch);
        }
    }

    /** The kinds of device a benchmark audience mixes. */
    enum Kind { IOS, ANDROID, EMBEDDED }

    /** Device {@code i} of {@code count}: the kinds interleaved in {@code _id} order, as real audiences are. */
    static Kind kindOf(int i, int count, double iosShare, double androidShare) {
        int slot = (int) ((long) i * 7919 % count);
        int ios = (int) (count * iosShare);
        return slot < ios ? Kind.IOS : slot < ios + (int) (count * androidShare) ? Kind.ANDROID : Kind.EMBEDDED;
    }

    static String appleToken(int i) {
        return String.format("%064x", i);
    }

    static String fcmToken(int i) {
        return "fcm-" + i;
    }

    /**
     * The class's entry in {@code _SCHEMA}, which Parse writes when the first installation is
     * saved through it. Parse Server counts a push's audience only in classes it knows: without
     * this entry its push finds no one and finishes at once with nothing sent.
     */
    private void declareInstallationClass() {
        Document schema = new Document("_id", "_Installation").append("objectId", "string")
                .append("createdAt", "date").append("updatedAt", "date").append("installationId", "string")
                .append("deviceType", "string").append("deviceToken", "string").append("pushType", "string")
                .append("GCMSenderId", "string").append("appIdentifier", "string").append("channels", "array");
        database().getCollection("_SCHEMA").replaceOne(new Document("_id", "_Installation"), schema,
                new ReplaceOptions().upsert(true));
    }

    /**
     * Polls the push until it finishes. Four polls a second are enough: the time is taken from
     * the status's {@code finishedAt} ({@link #secondsUntilFinished}), not from when a poll saw
     * it, and each poll costs the gateway a database read.
     */
    PushStatus awaitFinished(String pushId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            PushStatus status = api.getPushStatus(GetPushStatusRequest.newBuilder().setPushId(pushId).build());
            if (status.getState() == PushState.PUSH_STATE_SUCCEEDED || status.getState() == PushState.PUSH_STATE_FAILED) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("push " + pushId + " did not finish in " + timeout + ": " + status);
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    /** Seconds from {@code sentAt}, taken just before {@code SendPush}, until the gateway finished the push. */
    static double secondsUntilFinished(Instant sentAt, PushStatus finished) {
        if (!finished.hasFinishedAt()) {
            throw new IllegalStateException("push " + finished.getPushId() + " finished without finishedAt");
        }
        Instant end = Instant.ofEpochSecond(finished.getFinishedAt().getSeconds(), finished.getFinishedAt().getNanos());
        return Duration.between(sentAt, end).toNanos() / 1e9;
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        gateway.close();
        apns.shutdown().get(10, TimeUnit.SECONDS);
        fcm.close();
        mongo.close();
        if (databaseDelay != null) {
            databaseDelay.close();
        }
        mongoServer.shutdownNow();
    }
}
