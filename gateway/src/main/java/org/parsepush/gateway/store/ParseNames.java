package org.parsepush.gateway.store;

/**
 * Collection and field names exactly as Parse Server stores them in MongoDB, in one place.
 * See the Parse data notes: objectId is {@code _id}, dates are {@code _created_at} and
 * {@code _updated_at}, pointers are {@code _p_<field>} strings {@code "<Class>$<id>"}.
 */
public final class ParseNames {

    private ParseNames() {
    }

    // Collections.
    public static final String INSTALLATION = "_Installation";
    public static final String PUSH_STATUS = "_PushStatus";
    public static final String AUDIENCE = "_Audience";
    public static final String SCHEMA = "_SCHEMA";

    // Fields every Parse object has.
    public static final String ID = "_id";
    public static final String CREATED_AT = "_created_at";
    public static final String UPDATED_AT = "_updated_at";
    public static final String READ_PERMISSIONS = "_rperm";
    public static final String WRITE_PERMISSIONS = "_wperm";
    public static final String ACL = "_acl";
    public static final String POINTER_PREFIX = "_p_";

    // _Installation.
    public static final String DEVICE_TYPE = "deviceType";
    public static final String DEVICE_TOKEN = "deviceToken";
    public static final String PUSH_TYPE = "pushType";
    public static final String APP_IDENTIFIER = "appIdentifier";
    public static final String GCM_SENDER_ID = "GCMSenderId";
    public static final String CHANNELS = "channels";
    public static final String TIME_ZONE = "timeZone";
    public static final String BADGE = "badge";
    public static final String INSTALLATION_ID = "installationId";

    // _Audience.
    public static final String AUDIENCE_QUERY = "query";
    public static final String AUDIENCE_LAST_USED = "_last_used";
    public static final String AUDIENCE_TIMES_USED = "times_used";
}
