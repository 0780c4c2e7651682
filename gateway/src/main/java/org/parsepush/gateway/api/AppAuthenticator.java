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
import java.util.Optional;
import org.parsepush.gateway.config.AppConfig;

/**
 * Authenticates every API call by its Parse application id and master key, the way Parse
 * Server does, and makes the app available to the service through {@link #CURRENT_APP}.
 *
 * <p>A missing or wrong key is UNAUTHENTICATED (without saying which part was wrong); a
 * request whose {@code app_id} names another app is PERMISSION_DENIED. Keys are checked by
 * {@link AppKeys} and never logged.
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

    private final AppKeys keys;

    public AppAuthenticator(AppKeys keys) {
        this.keys = keys;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String appId = headers.get(APPLICATION_ID);
        Optional<AppConfig> app = keys.authenticate(appId, headers.get(MASTER_KEY));
        if (app.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription(
                    "missing or invalid credentials: send the Parse application id in x-parse-application-id"
                            + " and the app's master key in x-parse-master-key"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Context context = Context.current().withValue(CURRENT_APP, app.get());
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
}
