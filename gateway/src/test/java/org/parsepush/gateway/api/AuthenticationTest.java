package org.parsepush.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parsepush.gateway.CapturedLogs;
import org.parsepush.gateway.TestGateway;
import org.parsepush.proto.v1.GetPushStatusRequest;
import org.parsepush.proto.v1.PushServiceGrpc;
import org.parsepush.proto.v1.PushServiceGrpc.PushServiceBlockingStub;

class AuthenticationTest {

    private static final String WRONG_KEY = "wrong-key-5c7e22";

    @TempDir
    static Path dataDir;
    static CapturedLogs logs;
    static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        logs = CapturedLogs.capture();
        gateway = TestGateway.start(dataDir);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        logs.close();
    }

    private static Status.Code callWith(String appId, String masterKey, String requestAppId) {
        PushServiceBlockingStub stub = TestGateway.withKeys(
                PushServiceGrpc.newBlockingStub(gateway.channel()), appId, masterKey);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.getPushStatus(
                GetPushStatusRequest.newBuilder().setAppId(requestAppId).setPushId("abc").build()));
        return e.getStatus().getCode();
    }

    @Test
    void wrongMasterKeyIsUnauthenticated() {
        assertEquals(Status.Code.UNAUTHENTICATED, callWith(TestGateway.APP_ID, WRONG_KEY, ""));
    }

    @Test
    void missingMasterKeyIsUnauthenticated() {
        assertEquals(Status.Code.UNAUTHENTICATED, callWith(TestGateway.APP_ID, null, ""));
    }

    @Test
    void missingOrUnknownApplicationIdIsUnauthenticated() {
        assertEquals(Status.Code.UNAUTHENTICATED, callWith(null, TestGateway.MASTER_KEY, ""));
        assertEquals(Status.Code.UNAUTHENTICATED, callWith("other-app", TestGateway.MASTER_KEY, ""));
    }

    @Test
    void theRightKeyPassesAuthentication() {
        Status.Code code = callWith(TestGateway.APP_ID, TestGateway.MASTER_KEY, TestGateway.APP_ID);
        assertNotEquals(Status.Code.UNAUTHENTICATED, code);
        assertNotEquals(Status.Code.PERMISSION_DENIED, code);
    }

    @Test
    void aRequestForAnotherAppIsPermissionDenied() {
        assertEquals(Status.Code.PERMISSION_DENIED,
                callWith(TestGateway.APP_ID, TestGateway.MASTER_KEY, "other-app"));
    }

    @Test
    void keysNeverReachTheLogs() {
        callWith(TestGateway.APP_ID, WRONG_KEY, "");
        callWith(TestGateway.APP_ID, TestGateway.MASTER_KEY, "");
        assertTrue(logs.size() > 0, "the gateway logged nothing at all, so the check below would prove nothing");
        String text = logs.text();
        assertFalse(text.contains(WRONG_KEY), "a wrong master key was logged");
        assertFalse(text.contains(TestGateway.MASTER_KEY), "the master key was logged");
    }
}
