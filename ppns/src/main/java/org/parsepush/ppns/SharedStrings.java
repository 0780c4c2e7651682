package org.parsepush.ppns;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of the strings that every connection repeats (its app id, its SDK version), held
 * by tens of thousands of handshakes. Bounded, because devices are not authenticated when
 * they send them: once full, further strings are simply not shared.
 */
final class SharedStrings {

    private final int max;
    private final Map<String, String> known = new ConcurrentHashMap<>();

    SharedStrings(int max) {
        this.max = max;
    }

    /** An equal string seen before, or {@code text} itself; null stays null. */
    String share(String text) {
        if (text == null) {
            return null;
        }
        String shared = known.get(text);
        if (shared != null) {
            return shared;
        }
        if (known.size() >= max) {
            return text;
        }
        shared = known.putIfAbsent(text, text);
        return shared == null ? text : shared;
    }
}
