package org.parsepush.gateway.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The stored form of an API key: {@code sha256:<salt>:<hex>}, where {@code <hex>} is the
 * SHA-256 of the salt's text followed by the whole key ({@code <id>.<secret>}). Keys are
 * 256 random bits, so a salted fast hash is enough: there is nothing to guess by brute
 * force, and checking costs one hash per call. The same value can be made with openssl:
 * {@code printf '%s%s' "$salt" "$key" | openssl dgst -sha256 -r}.
 */
public final class ApiKeyHash {

    /** The only scheme so far; the prefix leaves room for another. */
    public static final String SCHEME = "sha256";
    private static final Pattern FORMAT = Pattern.compile("sha256:([A-Za-z0-9]{16,128}):([0-9a-fA-F]{64})");
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Compared against when the key id is unknown, so the answer takes as long as for a known id. */
    static final ApiKeyHash DECOY = of("decoy.decoy");

    private final String salt;
    private final byte[] digest;

    private ApiKeyHash(String salt, byte[] digest) {
        this.salt = salt;
        this.digest = digest;
    }

    /** Reads {@code sha256:<salt>:<hex>}; the exception message never repeats the value. */
    public static ApiKeyHash parse(String text) {
        var matcher = text == null ? null : FORMAT.matcher(text.trim());
        if (matcher == null || !matcher.matches()) {
            throw new IllegalArgumentException("hash must look like sha256:<salt of 16+ letters or digits>:<64 hex digits>");
        }
        return new ApiKeyHash(matcher.group(1), HexFormat.of().parseHex(matcher.group(2).toLowerCase()));
    }

    /** The hash of {@code key} with a new random salt. */
    public static ApiKeyHash of(String key) {
        byte[] saltBytes = new byte[16];
        RANDOM.nextBytes(saltBytes);
        String salt = HexFormat.of().formatHex(saltBytes);
        return new ApiKeyHash(salt, digest(salt, key));
    }

    /** A new random key for {@code id}: {@code <id>.<43 characters of base64url>} (256 bits). */
    public static String newKey(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("a key id is 1 to 64 letters, digits, '-' or '_'");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return id + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** True for a usable key id. */
    public static boolean isValidId(String id) {
        return id != null && KEY_ID.matcher(id).matches();
    }

    /** The key id of {@code key} ({@code <id>.<secret>}), or null when it has no such shape. */
    static String idOf(String key) {
        int dot = key.indexOf('.');
        if (dot <= 0 || dot == key.length() - 1) {
            return null;
        }
        String id = key.substring(0, dot);
        return isValidId(id) ? id : null;
    }

    /** True when {@code key} is the key this hash was made from; constant time in the key's content. */
    public boolean matches(String key) {
        return MessageDigest.isEqual(digest(salt, key), digest);
    }

    private static byte[] digest(String salt, String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest((salt + key).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The stored form, {@code sha256:<salt>:<hex>}. */
    @Override
    public String toString() {
        return SCHEME + ":" + salt + ":" + HexFormat.of().formatHex(digest);
    }
}
