package org.parsepush.gateway.api;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.parsepush.gateway.config.AppConfig;

/**
 * Authenticates every API call by its Parse application id and master key, the way Parse
 * Server does, and makes the app available to the service through {@link #CURRENT_APP}.
 *
 * <p>A missing or wrong key is UNAUTHENTICATED (without saying which part was wrong); a
 * request whose {@code app_id} names another app is PERMISSION_DENIED. Keys are compared
 * as SHA-256 digests with {@link MessageDigest#isEqual}, in constant time, and are never
 * logged.
 */
public final class AppAuthenticator implements ServerInterceptor {

    /** Metadata carrying the Parse application id. */
    public static final Metadata.Key<String> APPLICATION_ID =
            Metadata.Key.of("x-parse-application-id", Metadata.ASCII_STRING_MARSHALLER);
    /** Metadata carrying the Parse master key. */
    public static final Metadata.Key<String> MASTER_KEY =
            Metadata.Key.of("x-parse-master-key", Metadata.ASCII_STRING_MARSHALLER);
    /** The authenticated app of the current call. */
    public static final Context.Key<AppConfig> CURRENT_APP = Context.key("parse-app");

    private static final String APP_ID_FIELD = "app_id";

    private final Map<String, App> apps = new HashMap<>();

    public AppAuthenticator(List<AppConfig> apps) {
        for (AppConfig app : apps) {
            this.apps.put(app.appId(), new App(app, sha256(app.masterKey())));
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String appId = headers.get(APPLICATION_ID);
        String masterKey = headers.get(MASTER_KEY);
        App app = appId == null ? null : apps.get(appId);
        // Digest even for unknown apps so that timing does not tell which apps exist.
        byte[] given = sha256(masterKey == null ? "" : masterKey);
        if (app == null || masterKey == null || !MessageDigest.isEqual(given, app.masterKeyDigest)) {
            call.close(Status.UNAUTHENTICATED.withDescription(
                    "missing or invalid credentials: send the Parse application id in x-parse-application-id"
                            + " and the app's master key in x-parse-master-key"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Context context = Context.current().withValue(CURRENT_APP, app.config);
        ServerCall.Listener<Q> delegate = Contexts.interceptCall(context, call, headers, next);
        return new SimpleForwardingServerCallListener<>(delegate) {
            private boolean closed;

            @Override
            public void onMessage(Q message) {
                String requested = requestedAppId(message);
                if (!requested.isEmpty() && !requested.equals(appId)) {
                    closed = true;
                    call.close(Status.PERMISSION_DENIED.withDescription("app_id '" + requested
                            + "' does not match the authenticated application id '" + appId + "'"),
                            new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!closed) {
                    super.onHalfClose();
                }
            }
        };
    }

    private static String requestedAppId(Object message) {
        if (message instanceof Message proto) {
            FieldDescriptor field = proto.getDescriptorForType().findFieldByName(APP_ID_FIELD);
            if (field != null && field.getType() == FieldDescriptor.Type.STRING) {
                return (String) proto.getField(field);
            }
        }
        return "";
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private record App(AppConfig config, byte[] masterKeyDigest) {
    }
}
