package org.parsepush.gateway.push;

/** How urgently providers deliver. DEFAULT lets the payload decide, as Parse does. */
public enum Priority {
    /** High for visible notifications, normal for background-only pushes. */
    DEFAULT,
    /** APNs 10, FCM high. */
    HIGH,
    /** APNs 5, FCM normal. */
    NORMAL
}
