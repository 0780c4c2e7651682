package org.parsepush.gateway.api;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a caller may do with the API. The master key may do everything; an API key only
 * what its entry lists; a client key (with client push on) only {@link #SEND_CHANNELS}.
 * The names are those written in API key files.
 */
public enum Operation {

    /** Pushes to channels. */
    SEND_CHANNELS("send_channels", "push to channels"),
    /** Pushes to channels, installation ids or device tokens: audiences named one by one. */
    SEND("send", "push to channels, installation ids or device tokens"),
    /** Pushes to any audience, where queries and saved audiences included. */
    SEND_WHERE("send_where", "push to where queries and saved audiences"),
    /** GetPushStatus, ListPushes, WatchPush. */
    READ("read", "read push status, lists and outcomes"),
    /** CancelPush. */
    CANCEL("cancel", "cancel pushes"),
    /** DeliverBatch, for Parse Server's push adapter. */
    DELIVER_BATCH("deliver_batch", "deliver batches for Parse Server's adapter");

    private final String configName;
    private final String meaning;

    Operation(String configName, String meaning) {
        this.configName = configName;
        this.meaning = meaning;
    }

    /** The name used in API key files and error messages. */
    public String configName() {
        return configName;
    }

    /** What the operation allows, for error messages. */
    public String meaning() {
        return meaning;
    }

    /**
     * True when {@code granted} allows this operation. Wider sending rights include the
     * narrower ones: a where query can express any channel or id list.
     */
    public boolean grantedBy(Set<Operation> granted) {
        return granted.contains(this)
                || this == SEND_CHANNELS && (granted.contains(SEND) || granted.contains(SEND_WHERE))
                || this == SEND && granted.contains(SEND_WHERE);
    }

    /** The operation with this file name. */
    public static Optional<Operation> named(String name) {
        return Arrays.stream(values()).filter(operation -> operation.configName.equals(name)).findFirst();
    }

    /** Every name, for error messages. */
    public static String names() {
        return Arrays.stream(values()).map(Operation::configName).collect(Collectors.joining(", "));
    }

    /** Every operation. */
    public static Set<Operation> all() {
        return EnumSet.allOf(Operation.class);
    }
}
