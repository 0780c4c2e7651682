package org.parsepush.gateway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.Await;
import org.parsepush.gateway.GatewayProcess;
import org.parsepush.gateway.TestGateway;
import org.parsepush.gateway.TestMongo;
import org.parsepush.gateway.image.LocalContainer.Mount;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.PpnsDeviceClient;
import org.parsepush.proto.v1.Channels;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushState;
import org.parsepush.proto.v1.PushStatus;
import org.parsepush.proto.v1.SendPushRequest;
import org.parsepush.proto.v1.Target;

/**
 * Two replicas started from the container image as the Helm chart's Deployment starts them:
 * its command (the image's entrypoint), its environment (secret references filled with test
 * values, JAVA_TOOL_OPTIONS included), its ConfigMap mounted read-only where GATEWAY_CONFIG
 * looks, its emptyDir volumes, and the container's memory limit (see {@link LocalContainer}),
 * only moved to loopback and free ports. PPNS devices connected to either replica each get a
 * push exactly once, whichever replica runs its job.
 */
class RenderedDeploymentReplicasIT {

    /** How long a started gateway may take to log a listener's port. */
    private static final Duration LISTENING = Duration.ofSeconds(5);
    private static final Path HELM_TEST = Path.of("..", "helm", "test").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void twoRenderedReplicasShareJobsAndDevices() throws Exception {
        JsonNode rendered = render();
        try (TestMongo mongo = TestMongo.start()) {
            mongo.embeddedDevices("r", "rendered-device-", 20, "fleet");
            // By a name only the container's /etc/hosts knows: name resolution works in the image.
            Map<String, String> secrets = Map.of("GATEWAY_MONGO__URI",
                    mongo.uri().replace("127.0.0.1", LocalContainer.TEST_HOST),
                    "GATEWAY_APPS__0__MASTER_KEY", TestGateway.MASTER_KEY);
            long memoryLimit = bytes(rendered.path("memoryLimit").asText());
            try (MemoryCgroup limitA = MemoryCgroup.limitedTo(memoryLimit);
                 MemoryCgroup limitB = MemoryCgroup.limitedTo(memoryLimit);
                 GatewayProcess a = replica(rendered, secrets, "a", limitA);
                 GatewayProcess b = replica(rendered, secrets, "b", limitB)) {
                int ppnsA = a.port("PPNS endpoint", LISTENING);
                int ppnsB = b.port("PPNS endpoint", LISTENING);
                EventLoopGroup group = PpnsDeviceClient.newEventLoopGroup(1);
                List<String> lines = new CopyOnWriteArrayList<>();
                List<PpnsDeviceClient> devices = new ArrayList<>();
                try {
                    for (int i = 0; i < 20; i++) {
                        String id = "rendered-device-" + i;
                        PpnsDeviceClient device = PpnsDeviceClient.connect(group, DeviceEndpoint.plainTcp("127.0.0.1",
                                i % 2 == 0 ? ppnsA : ppnsB), line -> {
                                    if (line.contains("push_id")) {
                                        lines.add(id);
                                    }
                                }).get(10, TimeUnit.SECONDS);
                        device.handshake(id, "test-app", null).get(5, TimeUnit.SECONDS);
                        devices.add(device);
                    }
                    var directory = mongo.database("testdb").getCollection("push_gateway_ppns_connections");
                    Await.until(Duration.ofSeconds(15), "the 20 devices in the replicas' shared directory",
                            () -> directory.countDocuments() >= 20);
                    PushStatus status = pushThrough(a.port("gRPC API", LISTENING));
                    Await.until(Duration.ofSeconds(15), "the push at every device", () -> lines.size() >= 20);
                    TimeUnit.MILLISECONDS.sleep(500); // a second delivery would arrive now
                    assertEquals(20, lines.size(), "deliveries: " + lines);
                    assertEquals(20, lines.stream().distinct().count(), "a device got the push twice: " + lines);
                    assertEquals(PushState.PUSH_STATE_SUCCEEDED, status.getState());
                    assertEquals(20, status.getNumSent() + status.getNumQueued());
                } finally {
                    devices.forEach(PpnsDeviceClient::close);
                    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
                }
            }
        }
    }

    private static JsonNode render() throws Exception {
        Process node = new ProcessBuilder("node", "deployment-env.js", "local-replicas-values.yaml")
                .directory(HELM_TEST.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = node.getInputStream().readAllBytes();
        assertTrue(node.waitFor(60, TimeUnit.SECONDS) && node.exitValue() == 0,
                "rendering failed: run npm ci --prefix helm/test first (the README's test command does)");
        return new ObjectMapper().readTree(out);
    }

    /** The rendered container, secrets filled in, moved to loopback and free ports. */
    private GatewayProcess replica(JsonNode rendered, Map<String, String> secrets, String name, MemoryCgroup limit)
            throws Exception {
        UnpackedImage image = UnpackedImage.get();
        JsonNode config = image.tarball().config();
        JsonNode user = rendered.path("user");
        assertEquals(user.path("uid").asText() + ":" + user.path("gid").asText(), config.path("User").asText(),
                "the pod runs as the image's user");
        assertTrue(rendered.path("secretFiles").isEmpty(), "these values mount no credential files");

        Path configFile = Path.of(rendered.path("gatewayYamlPath").asText());
        Path configMap = Files.createDirectories(dir.resolve(name + "-config"));
        Files.writeString(configMap.resolve(configFile.getFileName().toString()), rendered.path("gatewayYaml").asText());
        List<Mount> mounts = new ArrayList<>(List.of(Mount.readOnly(configMap, configFile.getParent().toString())));
        for (JsonNode emptyDir : rendered.path("emptyDirs")) {
            Path volume = Files.createDirectories(dir.resolve(name + "-volume-" + mounts.size()));
            HostCommand.run("chown", config.path("User").asText(), volume.toString()); // the pod's fsGroup does this
            mounts.add(Mount.volume(volume, emptyDir.asText()));
        }

        Map<String, String> env = new HashMap<>();
        for (JsonNode variable : rendered.path("env")) {
            String key = variable.path("name").asText();
            env.put(key, variable.has("secretKeyRef") ? secrets.get(key) : variable.path("value").asText());
        }
        env.put("GATEWAY_JOBS__REPLICA_ID", "replica-" + name);
        for (String listener : List.of("GRPC", "ADMIN", "REST", "PPNS")) {
            env.put("GATEWAY_" + listener + "__HOST", "127.0.0.1");
            env.put("GATEWAY_" + listener + "__PORT", "0");
        }
        assertTrue(env.values().stream().allMatch(value -> value != null), "a rendered secret has no test value: " + env);
        List<String> command = new ArrayList<>();
        rendered.path("command").forEach(part -> command.add(part.asText()));
        rendered.path("args").forEach(part -> command.add(part.asText()));
        GatewayProcess process = LocalContainer.start(image, limit, mounts, env, command);
        process.awaitLine("gateway started", Duration.ofSeconds(90));
        return process;
    }

    /** A Kubernetes memory quantity in bytes: {@code 512Mi}, {@code 1Gi}. */
    static long bytes(String quantity) {
        Map<String, Long> units = Map.of("Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30);
        String unit = quantity.length() > 2 ? quantity.substring(quantity.length() - 2) : "";
        return units.containsKey(unit)
                ? Long.parseLong(quantity.substring(0, quantity.length() - 2)) * units.get(unit)
                : Long.parseLong(quantity);
    }

    private static PushStatus pushThrough(int grpcPort) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        try {
            var stub = TestGateway.withKeys(PushServiceGrpc.newBlockingStub(channel), "test-app", TestGateway.MASTER_KEY);
            String pushId = stub.sendPush(SendPushRequest.newBuilder().setTarget(Target.newBuilder()
                    .setChannels(Channels.newBuilder().addNames("fleet"))).setDataJson("{\"alert\":\"fleet\"}").build())
                    .getPushId();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            PushStatus status;
            do {
                TimeUnit.MILLISECONDS.sleep(100);
                status = stub.getPushStatus(GetPushStatusRequest.newBuilder().setPushId(pushId).build());
            } while (status.getState() != PushState.PUSH_STATE_SUCCEEDED && System.nanoTime() < deadline);
            return status;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
