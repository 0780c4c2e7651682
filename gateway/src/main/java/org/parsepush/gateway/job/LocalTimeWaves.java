package org.parsepush.gateway.job;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A local-time push is sent in waves: each installation gets it when its own
 * {@code timeZone} reaches the wall-clock time, so every time zone whose local time
 * arrives at the same instant forms one wave. Computed from the JDK's zone rules.
 */
final class LocalTimeWaves {

    private static final List<String> ZONES = new ArrayList<>(new TreeSet<>(ZoneId.getAvailableZoneIds()));
    private static final Set<String> KNOWN = Set.copyOf(ZONES);

    private final LocalDateTime localTime;

    LocalTimeWaves(LocalDateTime localTime) {
        this.localTime = localTime;
    }

    /** Every IANA zone name the gateway knows; other {@code timeZone} values count as missing. */
    static List<String> allZones() {
        return ZONES;
    }

    /** When the local time arrives in {@code zone}. */
    Instant instantIn(String zone) {
        return localTime.atZone(ZoneId.of(zone)).toInstant();
    }

    /** The first wave. */
    Instant first() {
        return ZONES.stream().map(this::instantIn).min(Instant::compareTo).orElseThrow();
    }

    /** The first wave after {@code after}, if any. */
    Optional<Instant> next(Instant after) {
        return ZONES.stream().map(this::instantIn).filter(instant -> instant.isAfter(after)).min(Instant::compareTo);
    }

    /** Zones whose local time arrives in ({@code after}, {@code until}]; {@code after} null means from the start. */
    List<String> zonesBetween(Instant after, Instant until) {
        List<String> due = new ArrayList<>();
        for (String zone : ZONES) {
            Instant instant = instantIn(zone);
            if ((after == null || instant.isAfter(after)) && !instant.isAfter(until)) {
                due.add(zone);
            }
        }
        return due;
    }

    /** Parse's {@code sentPerUTCOffset} key for a zone: the offset in hours, e.g. {@code -5} or {@code 5:30}. */
    String utcOffsetKey(String zone) {
        ZoneOffset offset = ZoneId.of(zone).getRules().getOffset(localTime);
        int seconds = offset.getTotalSeconds();
        int hours = seconds / 3600;
        int minutes = Math.abs(seconds % 3600) / 60;
        String sign = seconds < 0 && hours == 0 ? "-" : "";
        return minutes == 0 ? sign + hours : sign + hours + ":" + String.format("%02d", minutes);
    }

    /** True when {@code zone} is a zone the gateway can schedule for. */
    static boolean known(String zone) {
        return zone != null && KNOWN.contains(zone);
    }
}
