package org.parsepush.gateway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.GatewayProcess;
import org.parsepush.gateway.TestPki;
import org.parsepush.gateway.image.LocalContainer.Mount;
import org.parsepush.ppns.device.DeviceEndpoint;
import org.parsepush.ppns.device.DeviceTls;
import org.parsepush.ppns.device.PpnsDeviceClient;

/**
 * The container image that {@code mvn verify} writes (Jib, from scratch: a jlink runtime and
 * its C libraries, see {@code src/main/image/build-root.sh}), checked against the Helm chart
 * and then run as a pod runs it: read-only root, the image's user, a volume for data, a tmpfs
 * on /tmp and a memory limit (see {@link LocalContainer}). {@link RenderedDeploymentReplicasIT}
 * runs it as the chart's rendered Deployment says.
 */
class ContainerImageIT {

    private static final Path CHART = Path.of("..", "helm", "push-gateway").toAbsolutePath().normalize();
    private static final String DATA_DIR = "/var/lib/push-gateway";
    private static final long MIB = 1024 * 1024;
    /** How long a started gateway may take to log a listener's port. */
    private static final Duration LISTENING = Duration.ofSeconds(5);

    @TempDir
    static Path dir;

    static UnpackedImage unpacked;

    @BeforeAll
    static void unpack() throws Exception {
        unpacked = UnpackedImage.get();
    }

    @Test
    void theImageIsWhatTheChartExpects() throws IOException {
        JsonNode chart = yaml(CHART.resolve("Chart.yaml"));
        JsonNode values = yaml(CHART.resolve("values.yaml"));
        ImageTarball image = unpacked.tarball();
        JsonNode config = image.config();

        assertEquals(List.of(values.path("image").path("repository").asText() + ":" + chart.path("appVersion").asText()),
                image.tags(), "the chart's default image is this one");
        assertEquals(System.getProperty("image.name"), image.tags().get(0));
        JsonNode pod = values.path("podSecurityContext");
        assertEquals(pod.path("runAsUser").asText() + ":" + pod.path("runAsGroup").asText(), config.path("User").asText());
        assertTrue(pod.path("runAsUser").asInt() > 0, "not root");
        assertEquals(values.path("config").path("dataDir").asText(), config.path("WorkingDir").asText(),
                "the chart mounts its data volume where the gateway keeps ./data");
        for (int port : List.of(values.path("grpc").path("port").asInt(), values.path("admin").path("port").asInt(),
                values.path("rest").path("port").asInt(), values.path("ppns").path("containerPort").asInt())) {
            assertTrue(config.path("ExposedPorts").has(port + "/tcp"), port + " exposed: " + config.path("ExposedPorts"));
        }
        Map<String, String> env = LocalContainer.environment(config);
        assertTrue(env.getOrDefault("JAVA_TOOL_OPTIONS", "").contains("-XX:MaxRAMPercentage="), env.toString());

        String java = config.path("Entrypoint").get(0).asText();
        Path root = unpacked.root();
        Path resolved = Stream.of(env.get("PATH").split(":")).map(bin -> root.resolve(bin.substring(1)).resolve(java))
                .filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(java + " not on "
                        + env.get("PATH") + " in the image"));
        assertTrue(resolved.startsWith(root.resolve("opt/java/bin")), resolved.toString());
        assertEquals("org.parsepush.gateway.GatewayMain", config.path("Entrypoint").get(3).asText());
    }

    @Test
    void everyNativeLibraryFindsWhatItLinksAgainstInTheImage() throws Exception {
        Path root = unpacked.root();
        List<Path> libraries = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("opt/java"))) {
            files.filter(file -> file.toString().endsWith(".so")).forEach(libraries::add);
        }
        libraries.addAll(nativesOfTheJars(root.resolve("app/libs"), root.resolve("tmp/natives")));
        assertTrue(libraries.size() > 10, "libraries found: " + libraries);
        for (Path library : libraries) {
            // The JVM's own libraries are found where it loaded them from, as in a running JVM.
            String listed = HostCommand.run(List.of("/usr/bin/unshare", "--root=" + root,
                    "/lib64/ld-linux-x86-64.so.2", "--list", "/" + root.relativize(library)),
                    Map.of("LD_LIBRARY_PATH", "/opt/java/lib/server:/opt/java/lib"));
            assertTrue(listed.contains("libc.so.6"), listed);
        }
    }

    @Test
    void theJvmSizesItsHeapFromTheContainersMemoryLimit() throws Exception {
        try (MemoryCgroup limit = MemoryCgroup.limitedTo(512 * MIB)) {
            String settings;
            try (GatewayProcess java = LocalContainer.start(unpacked, limit, List.of(Mount.tmpfs("/tmp")),
                    Map.of(), List.of("java", "-XshowSettings:all", "-version"))) {
                assertEquals(0, java.awaitExit(Duration.ofSeconds(60)), java.output());
                settings = java.output();
            }
            assertTrue(settings.contains("Memory Limit: 512.00M"), settings);
            Matcher heap = Pattern.compile("Max\\. Heap Size \\(Estimated\\): (\\d+(?:\\.\\d+)?)M").matcher(settings);
            assertTrue(heap.find(), settings);
            double share = Double.parseDouble(heap.group(1)) / 512;
            assertTrue(share > 0.6 && share <= 0.75, "heap " + heap.group(1) + " MiB of a 512 MiB limit:\n" + settings);
        }
    }

    @Test
    void theGatewayRunsFromTheImageAsThePodRunsIt() throws Exception {
        Path volume = Files.createTempDirectory(dir, "data");
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")), "image");
        TestPki.Issued certificate = pki.server("ppns");
        Path tls = Files.createDirectories(volume.resolve("tls"));
        Files.copy(certificate.certificate(), tls.resolve("tls.crt"));
        Files.copy(certificate.privateKey(), tls.resolve("tls.key"));
        HostCommand.run("chown", "-R", unpacked.tarball().config().path("User").asText(), volume.toString());
        Map<String, String> env = Map.of(
                "GATEWAY_GRPC__PORT", "0", "GATEWAY_ADMIN__PORT", "0", "GATEWAY_REST__PORT", "0",
                "GATEWAY_PPNS__PORT", "0",
                "GATEWAY_PPNS__CERTIFICATE_CHAIN_FILE", DATA_DIR + "/tls/tls.crt",
                "GATEWAY_PPNS__PRIVATE_KEY_FILE", DATA_DIR + "/tls/tls.key");

        try (MemoryCgroup limit = MemoryCgroup.limitedTo(768 * MIB);
             GatewayProcess gateway = LocalContainer.start(unpacked, limit,
                     List.of(Mount.tmpfs("/tmp"), Mount.volume(volume, DATA_DIR)), env, List.of())) {
            gateway.awaitLine("gateway started", Duration.ofSeconds(90));
            assertTrue(gateway.output().matches("(?s).*PPNS listening on \\S+ \\(TLS via BoringSSL.*"),
                    "netty-tcnative's BoringSSL loads in the image:\n" + gateway.output());
            assertEquals("10001", uidOf(gateway.pid()), "the process runs as the image's user");
            int admin = gateway.port("admin HTTP", LISTENING);
            assertEquals(200, get("http://127.0.0.1:" + admin + "/readyz").statusCode());

            LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            EventLoopGroup group = PpnsDeviceClient.newEventLoopGroup(1);
            try (PpnsDeviceClient device = PpnsDeviceClient.connect(group, new DeviceEndpoint("localhost",
                    gateway.port("PPNS endpoint", LISTENING), DeviceTls.trusting(pki.caCertificate())), received::add)
                    .get(10, TimeUnit.SECONDS)) {
                device.handshake("image-device", "dev-app", null).get(10, TimeUnit.SECONDS);
                HttpResponse<String> push = pushToEveryone(gateway.port("Parse REST push API", LISTENING));
                assertEquals(200, push.statusCode(), push.body());
                String line = received.poll(30, TimeUnit.SECONDS);
                while (line != null && !line.contains("push_id")) {
                    line = received.poll(30, TimeUnit.SECONDS);
                }
                assertTrue(line != null && line.contains("Hello from the image"), "the device got: " + line);
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }

            gateway.terminate();
            gateway.awaitLine("gateway stopped", Duration.ofSeconds(30));
            // 143 is the JVM's status when SIGTERM ends it once its shutdown hooks (the drain) have run.
            assertEquals(128 + 15, gateway.awaitExit(Duration.ofSeconds(30)), "ended by the SIGTERM, after draining");
        }
        assertTrue(Files.exists(volume.resolve("data/embedded-mongo.mv")), "the embedded database wrote to the volume");
    }

    @Test
    void withoutItsVolumeTheGatewaySaysWhereToMountOne() throws Exception {
        try (MemoryCgroup limit = MemoryCgroup.limitedTo(512 * MIB);
             GatewayProcess gateway = LocalContainer.start(unpacked, limit, List.of(Mount.tmpfs("/tmp")),
                     Map.of(), List.of())) {
            assertEquals(2, gateway.awaitExit(Duration.ofSeconds(60)), gateway.output());
            assertTrue(gateway.output().contains("dataDir: cannot create " + DATA_DIR + "/data"), gateway.output());
            assertTrue(gateway.output().contains("mount a volume"), gateway.output());
        }
    }

    /** The Linux x86-64 libraries inside the jars in {@code libs}, copied out to {@code into}. */
    private static List<Path> nativesOfTheJars(Path libs, Path into) throws IOException {
        Files.createDirectories(into);
        List<Path> natives = new ArrayList<>();
        try (Stream<Path> jars = Files.list(libs)) {
            for (Path jar : jars.toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    for (ZipEntry entry : zip.stream().toList()) {
                        String name = entry.getName();
                        if (name.endsWith(".so") && name.matches(".*(x86_64|x86-64).*")) {
                            Path copy = into.resolve(name.substring(name.lastIndexOf('/') + 1));
                            try (InputStream in = zip.getInputStream(entry)) {
                                Files.copy(in, copy);
                            }
                            natives.add(copy);
                        }
                    }
                }
            }
        }
        return natives;
    }

    private static HttpResponse<String> pushToEveryone(int restPort) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + "/parse/push"))
                .header("X-Parse-Application-Id", "dev-app").header("X-Parse-Master-Key", "dev-master-key")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"channels\": [\"\"], \"data\": {\"alert\": \"Hello from the image\"}}"))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String uidOf(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("Uid:")).map(line -> line.split("\\s+")[1]).findFirst().orElseThrow();
    }

    private static JsonNode yaml(Path file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }
}
