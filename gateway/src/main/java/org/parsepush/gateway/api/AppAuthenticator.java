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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every API call by its Parse application id and a key, and checks that the
 * key allows the call; the app reaches the service through {@link #CURRENT_APP}, the caller
 * through {@link #CURRENT_CALLER}.
 *
 * <p>The key is the app's master key (everything), one of its per-service API keys
 * ({@code authorization: Bearer <id>.<secret>}, limited to the operations its entry lists)
 * or, when the app allows client push, its client key (channels only). A missing or wrong
 * key is UNAUTHENTICATED (without saying which part was wrong); a request whose
 * {@code app_id} names another app, or that needs an operation the key lacks, is
 * PERMISSION_DENIED, naming the operation. Keys are checked by {@link AppKeys} and never
 * logged or echoed.
 */
public final class AppAuthenticator implements ServerInterceptor {

    /** Metadata carrying the Parse application id. */
    public static final Metadata.Key<String> APPLICATION_ID =
            Metadata.Key.of("x-parse-application-id", Metadata.ASCII_STRING_MARSHALLER);
    /** Metadata carrying the Parse master key. */
    public static final Metadata.Key<String> MASTER_KEY =
            Metadata.Key.of("x-parse-master-key", Metadata.ASCII_STRING_MARSHALLER);
    /** Metadata carrying the Parse client key (client push). */
    public static final Metadata.Key<String> CLIENT_KEY =
            Metadata.Key.of("x-parse-client-key", Metadata.ASCII_STRING_MARSHALLER);
    /** Metadata carrying a per-service API key as {@code Bearer <id>.<secret>}. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** The authenticated app of the current call. */
    public static final Context.Key<AppConfig> CURRENT_APP = Context.key("parse-app");
    /** Who made the current call. */
    public static final Context.Key<Caller> CURRENT_CALLER = Context.key("parse-caller");

    private static final Logger log = LoggerFactory.getLogger(AppAuthenticator.class);
    private static final String BEARER = "bearer ";

    private static final String APP_ID_FIELD = "app_id";

    private final AppKeys keys;

    public AppAuthenticator(AppKeys keys) {
        this.keys = keys;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String appId = headers.get(APPLICATION_ID);
        Optional<Caller> authenticated = keys.authenticate(appId, headers.get(MASTER_KEY),
                bearer(headers.get(AUTHORIZATION)), headers.get(CLIENT_KEY));
        if (authenticated.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription(
                    "missing or invalid credentials: send the Parse application id in x-parse-application-id"
                            + " and the app's master key in x-parse-master-key, or an API key in"
                            + " authorization: Bearer <key>"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Caller caller = authenticated.get();
        String method = call.getMethodDescriptor().getFullMethodName();
        Context context = Context.current().withValue(CURRENT_APP, caller.app()).withValue(CURRENT_CALLER, caller);
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
                String refusal = refusal(caller, method, message);
                if (refusal != null) {
                    closed = true;
                    log.debug("app '{}': {}", appId, refusal);
                    call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
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

    /** Why {@code caller} may not make this call, or null when it may. */
    private static String refusal(Caller caller, String method, Object message) {
        Optional<Operation> needed = RequiredOperation.of(method, message);
        String rpc = RequiredOperation.shortName(method);
        if (needed.isEmpty()) {
            return caller.isMaster() ? null : rpc + " needs the master key";
        }
        return caller.may(needed.get()) ? null : caller.refusal(needed.get(), rpc);
    }

    /** The key of {@code Bearer <key>}, or null. */
    private static String bearer(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).trim();
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
