package org.parsepush.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.PushServiceGrpc;

/** The real gateway, started on free ports with its embedded database. */
class GatewayStartupTest {

    @TempDir
    static Path dataDir;
    static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = TestGateway.start(dataDir);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
    }

    @Test
    void healthReportsServingForTheServerAndThePushService() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(gateway.channel());
        assertEquals(ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().build()).getStatus());
        assertEquals(ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().setService(PushServiceGrpc.SERVICE_NAME).build())
                        .getStatus());
    }

    @Test
    void reflectionListsThePushService() throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(gateway.channel())
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        answer.complete(response);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        List<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList()
                .stream().map(ServiceResponse::getName).toList();
        requests.onCompleted();
        assertTrue(services.contains("push.v1.PushService"), "services: " + services);
        assertTrue(services.contains("grpc.health.v1.Health"), "services: " + services);
    }

    @Test
    void metricsAreServedAsPrometheusTextWithGrpcServerMeters() {
        try {
            gateway.authenticated(PushServiceGrpc.newBlockingStub(gateway.channel()))
                    .getPushStatus(GetPushStatusRequest.newBuilder().setPushId("nope").build());
        } catch (StatusRuntimeException expected) {
            // Any answer will do: the call itself is what gets metered.
        }
        HttpResponse<String> metrics = gateway.admin("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String body = metrics.body();
        assertTrue(body.contains("grpc_server_processing_duration_seconds_count{"), body);
        assertTrue(body.contains("method=\"GetPushStatus\""), body);
        assertTrue(body.contains("jvm_memory_used_bytes"), body);
        // The database as the driver sees it: the start-up's index builds were timed, and the pool counted.
        assertTrue(body.contains("mongodb_driver_commands_seconds_count{") && body.contains("command=\"createIndexes\""), body);
        assertTrue(body.contains("mongodb_driver_pool_size{"), body);
    }

    @Test
    void readyAndHealthyWhileTheDatabaseAnswers() {
        assertEquals(200, gateway.admin("/readyz").statusCode());
        assertEquals(200, gateway.admin("/healthz").statusCode());
    }
}
