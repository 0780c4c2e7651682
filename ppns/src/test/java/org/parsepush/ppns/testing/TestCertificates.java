package org.parsepush.ppns.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA and a server certificate it signed for {@code localhost} and
 * {@code 127.0.0.1}, made with the JDK's keytool, as the PEM files a PPNS server takes.
 * Clients in tests trust only this CA, so they check the chain and the host name for real.
 *
 * @param caCertificate    the CA certificate (PEM), for clients to trust
 * @param certificateChain the server certificate, then the CA (PEM)
 * @param privateKey       the server's private key (PKCS#8 PEM)
 */
public record TestCertificates(Path caCertificate, Path certificateChain, Path privateKey) {

    private static final String PASSWORD = "test-password";

    /** Writes the files into {@code dir}. */
    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        Path caStore = dir.resolve("ca.p12");
        Path serverStore = dir.resolve("server.p12");
        Path request = dir.resolve("server.csr");
        Path serverCertificate = dir.resolve("server.pem");
        Path caCertificate = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=PPNS Test CA", "-ext", "bc:c", "-storetype", "PKCS12",
                "-keystore", caStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-storetype", "PKCS12",
                "-keystore", serverStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-keystore", serverStore.toString(), "-storepass", PASSWORD,
                "-file", request.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASSWORD,
                "-infile", request.toString(), "-outfile", serverCertificate.toString(), "-rfc", "-validity", "2",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASSWORD,
                "-file", caCertificate.toString());

        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, Files.readString(serverCertificate) + Files.readString(caCertificate));
        Path key = dir.resolve("server-key.pem");
        Files.writeString(key, privateKeyPem(serverStore));
        return new TestCertificates(caCertificate, chain, key);
    }

    private static String privateKeyPem(Path store) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, PASSWORD.toCharArray());
            Key key = keyStore.getKey("server", PASSWORD.toCharArray());
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(key.getEncoded());
            return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key keytool made", e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
