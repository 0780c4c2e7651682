package org.parsepush.gateway.api;

import org.parsepush.proto.v1.PushServiceGrpc;

/**
 * The gRPC face of the gateway: translates {@code push.v1} messages to domain calls and
 * domain results back to messages, nothing more. Calls reach it already authenticated
 * ({@link AppAuthenticator#CURRENT_APP}). Methods not overridden yet answer UNIMPLEMENTED.
 */
public final class PushApi extends PushServiceGrpc.PushServiceImplBase {
}
