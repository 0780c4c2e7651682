package org.parsepush.gateway;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.parsepush.gateway.api.AppAuthenticator;
import org.parsepush.gateway.config.ConfigLoader;
import org.parsepush.gateway.config.GatewayConfig;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;

/**
 * A real gateway started in-process from a YAML configuration, on free loopback ports,
 * with a gRPC channel to it.
 */
public final class TestGateway implements AutoCloseable {

    public static final String APP_ID = "test-app";
    public static final String MASTER_KEY = "test-master-key-3f9a1c";
    /** The app's database. */
    public static final String DATABASE = "testdb";

    private final Gateway gateway;
    private final ManagedChannel channel;

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
    }

    /** The YAML of a gateway on free ports with one app, plus {@code extra} top-level YAML. */
    public static String yaml(Path dataDir, String extra) {
        return yaml(dataDir, extra, "");
    }

    /**
     * The YAML of a gateway on free ports with one app, plus {@code extra} top-level YAML and
     * {@code appExtra} keys of the app (written at the app's indentation, four spaces).
     */
    public static String yaml(Path dataDir, String extra, String appExtra) {
        return """
                dataDir: %s
                grpc: {port: 0}
                admin: {port: 0}
                rest: {port: 0}
                ppns: {port: 0}
                shutdownGraceSeconds: 2
                %s
                apps:
                  - appId: %s
                    masterKey: %s
                    database: %s
                %s
                """.formatted(dataDir, extra, APP_ID, MASTER_KEY, DATABASE, appExtra);
    }

    /** Starts a gateway with the embedded database in {@code dataDir}. */
    public static TestGateway start(Path dataDir) throws IOException {
        return start(dataDir, "");
    }

    /** Starts a gateway from {@link #yaml} with extra top-level YAML. */
    public static TestGateway start(Path dataDir, String extraYaml) throws IOException {
        return start(dataDir, extraYaml, Map.of());
    }

    /** Starts a gateway from {@link #yaml} with extra YAML and {@code GATEWAY_*} overrides. */
    public static TestGateway start(Path dataDir, String extraYaml, Map<String, String> env) throws IOException {
        return startYaml(dataDir, yaml(dataDir, extraYaml), env);
    }

    /** Starts a gateway from complete YAML. */
    public static TestGateway startYaml(Path dataDir, String yaml, Map<String, String> env) throws IOException {
        return startYaml(dataDir, yaml, env, java.time.Clock.systemUTC());
    }

    /** Starts a gateway from complete YAML on the given clock. */
    public static TestGateway startYaml(Path dataDir, String yaml, Map<String, String> env, java.time.Clock clock)
            throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        GatewayConfig config = new ConfigLoader().load(Optional.of(file), env);
        return new TestGateway(Gateway.start(config, clock));
    }

    /** Polls GetPushStatus until the push has finished, or fails after {@code timeout}. */
    public PushStatus awaitFinished(String pushId, Duration timeout) throws InterruptedException {
        PushServiceGrpc.PushServiceBlockingStub stub = authenticated(PushServiceGrpc.newBlockingStub(channel));
        long deadline = System.nanoTime() + timeout.toNanos();
        PushStatus status;
        do {
            status = stub.getPushStatus(GetPushStatusRequest.newBuilder().setPushId(pushId).build());
            if (FINISHED.contains(status.getState())) {
                return status;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("push " + pushId + " did not finish within " + timeout + "; last status: " + status);
    }

    private static final java.util.Set<PushState> FINISHED = java.util.EnumSet.of(PushState.PUSH_STATE_SUCCEEDED,
            PushState.PUSH_STATE_FAILED, PushState.PUSH_STATE_CANCELLED, PushState.PUSH_STATE_EXPIRED);

    /** SendPush as the test app. */
    public String send(SendPushRequest request) {
        return authenticated(PushServiceGrpc.newBlockingStub(channel)).sendPush(request).getPushId();
    }

    public Gateway gateway() {
        return gateway;
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** A stub that authenticates as the test app. */
    public <S extends AbstractStub<S>> S authenticated(S stub) {
        return withKeys(stub, APP_ID, MASTER_KEY);
    }

    /** A stub that sends the given application id and master key (null omits it). */
    public static <S extends AbstractStub<S>> S withKeys(S stub, String appId, String masterKey) {
        Metadata headers = new Metadata();
        if (appId != null) {
            headers.put(AppAuthenticator.APPLICATION_ID, appId);
        }
        if (masterKey != null) {
            headers.put(AppAuthenticator.MASTER_KEY, masterKey);
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** GET on the admin port. */
    public HttpResponse<String> admin(String path) {
        try {
            return HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        gateway.close();
    }
}
