package org.parsepush.gateway.apns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * APNs client certificates made for a test with the JDK's keytool, shaped like Apple's:
 * the subject's UID is the topic (bundle id), which is how APNs (and Pushy's mock) decide
 * which topics a certificate may push to.
 */
public final class ApnsTestCertificates {

    private ApnsTestCertificates() {
    }

    /** A self-signed P12 for {@code topic}, protected by {@code password}, valid for two days. */
    public static Path p12(Path dir, String topic, String password) throws IOException, InterruptedException {
        return p12(dir.resolve(topic + ".p12"), topic, password, null, 2);
    }

    /**
     * A self-signed P12 for {@code topic} written to {@code p12}, valid for {@code validityDays}
     * from {@code startDate} (keytool's {@code -startdate}, e.g. {@code -30d}; null for now).
     */
    public static Path p12(Path p12, String topic, String password, String startDate, int validityDays)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", "apns", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", Integer.toString(validityDays),
                "-dname", "UID=" + topic + ", CN=Apple Push Services: " + topic + ", O=Parse Push Gateway Test",
                "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", password, "-keypass", password));
        if (startDate != null) {
            args.addAll(List.of("-startdate", startDate));
        }
        keytool(args.toArray(String[]::new));
        return p12;
    }

    /** Appends the certificate of {@code p12} (PEM) to {@code trusted}, the mock server's trust file. */
    public static void trust(Path p12, String password, Path trusted) throws IOException, InterruptedException {
        Path pem = Files.createTempFile(p12.getParent(), "cert", ".pem");
        keytool("-exportcert", "-rfc", "-alias", "apns", "-keystore", p12.toString(), "-storepass", password,
                "-file", pem.toString());
        Files.writeString(trusted, Files.readString(pem), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }
}
