package org.parsepush.gateway.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A server's TLS files, all PEM: the certificate chain (the server's certificate first, then
 * its intermediates), its private key (PKCS#8, optionally encrypted with a password) and,
 * for mutual TLS, the CA certificates that client certificates must chain to. Without a
 * certificate the server speaks plain text.
 */
public final class TlsConfig {

    private String certificate;
    private String privateKey;
    private String privateKeyPassword;
    private String clientCa;

    /** True when a certificate is configured. */
    public boolean enabled() {
        return certificate != null && !certificate.isBlank();
    }

    /** The PEM certificate chain, or null. */
    public Path certificate() {
        return enabled() ? Path.of(certificate) : null;
    }

    /** The PEM private key ({@code BEGIN PRIVATE KEY} or {@code BEGIN ENCRYPTED PRIVATE KEY}), or null. */
    public Path privateKey() {
        return privateKey == null || privateKey.isBlank() ? null : Path.of(privateKey);
    }

    /** The password of an encrypted private key, or null. Never log it. */
    public String privateKeyPassword() {
        return privateKeyPassword == null || privateKeyPassword.isEmpty() ? null : privateKeyPassword;
    }

    /** The PEM CA certificates client certificates must chain to, or null when clients need none. */
    public Path clientCa() {
        return clientCa == null || clientCa.isBlank() ? null : Path.of(clientCa);
    }

    void collectProblems(String path, List<String> problems) {
        if (!enabled()) {
            if (privateKey() != null || clientCa() != null || privateKeyPassword() != null) {
                problems.add(path + ".certificate is required when " + path + ".privateKey, .privateKeyPassword"
                        + " or .clientCa is set");
            }
            return;
        }
        CredentialFiles.checkReadable(path + ".certificate", certificate, problems);
        if (privateKey() == null) {
            problems.add(path + ".privateKey is required with " + path + ".certificate");
        } else {
            CredentialFiles.checkReadable(path + ".privateKey", privateKey, problems);
        }
        if (clientCa() != null) {
            CredentialFiles.checkReadable(path + ".clientCa", clientCa, problems);
        }
    }
}
