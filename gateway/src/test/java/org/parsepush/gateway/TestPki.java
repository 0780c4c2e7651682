package org.parsepush.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;

/**
 * A throwaway certificate authority made with the JDK's keytool, issuing server and client
 * certificates as the PEM files the gateway's TLS settings take. Two instances are two
 * unrelated CAs, for "a certificate from another CA is refused".
 */
public final class TestPki {

    private static final String STORE_PASSWORD = "test-store-password";
    private static final Base64.Encoder PEM_BASE64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    /** What a certificate is for. */
    public enum Purpose { SERVER, CLIENT }

    /**
     * One issued certificate.
     *
     * @param certificate the certificate, then the CA (PEM)
     * @param privateKey  its unencrypted PKCS#8 key (PEM)
     * @param keyStore    the key as keytool made it (PKCS#12, alias {@code key})
     */
    public record Issued(Path certificate, Path privateKey, Path keyStore) {
    }

    private final Path dir;
    private final String name;
    private final Path caStore;
    private final Path caCertificate;

    private TestPki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        this.caStore = dir.resolve(name + "-ca.p12");
        this.caCertificate = dir.resolve(name + "-ca.pem");
    }

    /** A new CA named {@code name}; its files go into {@code dir}. */
    public static TestPki create(Path dir, String name) throws IOException, InterruptedException {
        TestPki pki = new TestPki(dir, name);
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "365",
                "-dname", "CN=" + name + " Test CA", "-ext", "bc:c", "-storetype", "PKCS12",
                "-keystore", pki.caStore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", pki.caStore.toString(),
                "-storepass", STORE_PASSWORD, "-file", pki.caCertificate.toString());
        return pki;
    }

    /** The CA certificate (PEM), for clients to trust or for {@code grpc.tls.clientCa}. */
    public Path caCertificate() {
        return caCertificate;
    }

    /** A server certificate for {@code localhost} and {@code 127.0.0.1}, valid for 90 days. */
    public Issued server(String fileName) throws IOException, InterruptedException {
        return issue(fileName, "localhost", Purpose.SERVER, null, 90);
    }

    /** A client certificate with common name {@code commonName}, valid for 90 days. */
    public Issued client(String commonName) throws IOException, InterruptedException {
        return issue(commonName, commonName, Purpose.CLIENT, null, 90);
    }

    /**
     * Issues a certificate.
     *
     * @param startDate keytool's {@code -startdate} (e.g. {@code -40d}), or null for now
     */
    public Issued issue(String fileName, String commonName, Purpose purpose, String startDate, int validityDays)
            throws IOException, InterruptedException {
        Path store = dir.resolve(name + "-" + fileName + ".p12");
        Path request = dir.resolve(name + "-" + fileName + ".csr");
        Path certificate = dir.resolve(name + "-" + fileName + ".pem");
        Files.deleteIfExists(store);
        keytool("-genkeypair", "-alias", "key", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + commonName,
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", STORE_PASSWORD,
                "-keypass", STORE_PASSWORD);
        keytool("-certreq", "-alias", "key", "-keystore", store.toString(), "-storepass", STORE_PASSWORD,
                "-file", request.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", caStore.toString(),
                "-storepass", STORE_PASSWORD, "-infile", request.toString(), "-outfile", certificate.toString(),
                "-rfc", "-validity", Integer.toString(validityDays)));
        if (startDate != null) {
            gencert.addAll(List.of("-startdate", startDate));
        }
        if (purpose == Purpose.SERVER) {
            gencert.addAll(List.of("-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth"));
        } else {
            gencert.addAll(List.of("-ext", "EKU=clientAuth"));
        }
        keytool(gencert.toArray(String[]::new));
        String chainPem = Files.readString(certificate) + Files.readString(caCertificate);
        Path chain = dir.resolve(name + "-" + fileName + "-chain.pem");
        Files.writeString(chain, chainPem);
        Path key = dir.resolve(name + "-" + fileName + "-key.pem");
        Files.writeString(key, pem("PRIVATE KEY", pkcs8(store)));
        return new Issued(chain, key, store);
    }

    /**
     * Writes {@code issued}'s key encrypted with {@code password} the way {@code openssl pkcs8
     * -topk8 -v2 aes-256-cbc} does (PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC).
     */
    public static Path encryptedKey(Issued issued, String password, Path file) throws IOException {
        try {
            byte[] salt = new byte[16];
            byte[] iv = new byte[16];
            new SecureRandom().nextBytes(salt);
            new SecureRandom().nextBytes(iv);
            String algorithm = "PBEWithHmacSHA256AndAES_256";
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.ENCRYPT_MODE, SecretKeyFactory.getInstance(algorithm)
                    .generateSecret(new PBEKeySpec(password.toCharArray())), new PBEParameterSpec(salt, 10_000,
                    new IvParameterSpec(iv)));
            byte[] encrypted = cipher.doFinal(pkcs8(issued.keyStore()));
            // The JDK can read PBES2 but not write its EncryptedPrivateKeyInfo, so the DER is assembled here.
            byte[] pbes2Oid = {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x05, 0x0D};
            byte[] info = der(0x30, der(0x30, pbes2Oid, cipher.getParameters().getEncoded()), der(0x04, encrypted));
            Files.writeString(file, pem("ENCRYPTED PRIVATE KEY", info));
            return file;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt the test key", e);
        }
    }

    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        int length = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] pkcs8(Path store) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, STORE_PASSWORD.toCharArray());
            return keyStore.getKey("key", STORE_PASSWORD.toCharArray()).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key keytool made", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + PEM_BASE64.encodeToString(der) + "\n-----END " + type + "-----\n";
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
