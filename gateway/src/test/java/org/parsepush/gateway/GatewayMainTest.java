package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway as its own process: started by its main class, stopped by SIGTERM. */
class GatewayMainTest {

    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @Test
    void startsServesAndStopsGracefullyOnSigterm() throws Exception {
        Path config = dataDir.resolve("gateway.yaml");
        Files.writeString(config, TestGateway.yaml(dataDir, ""));
        try (GatewayProcess process = GatewayProcess.start(config, Map.of())) {
            int port = process.port("gRPC API", START);
            process.awaitLine("gateway started", START);
            assertTrue(process.output().contains("Netty leak detection: simple, one buffer in 1024 traced"),
                    process.output());

            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            process.terminate();
            process.awaitLine("gateway stopped", Duration.ofSeconds(30));
            process.awaitExit(Duration.ofSeconds(30));
            assertTrue(process.output().contains("gateway stopping"), process.output());
        }
    }

    @Test
    void aBadConfigurationFailsFastWithTheProblemNamed() throws Exception {
        Path config = dataDir.resolve("gateway.yaml");
        Files.writeString(config, TestGateway.yaml(dataDir, "grpcc: {port: 1}"));
        try (GatewayProcess process = GatewayProcess.start(config, Map.of())) {
            assertEquals(2, process.awaitExit(START));
            assertTrue(process.output().contains("unknown configuration key 'grpcc'"), process.output());
        }
    }

    @Test
    void keepsTheLeakSamplingAnOperatorGives() throws Exception {
        Path config = dataDir.resolve("gateway.yaml");
        Files.writeString(config, TestGateway.yaml(dataDir, "grpcc: {port: 1}"));
        try (GatewayProcess process = GatewayProcess.start(config, Map.of(),
                "-Dio.netty.leakDetection.samplingInterval=64", "-Dio.netty.leakDetection.level=paranoid")) {
            assertEquals(2, process.awaitExit(START));
            assertTrue(process.output().contains("Netty leak detection: paranoid, one buffer in 64 traced"),
                    process.output());
        }
    }
}
