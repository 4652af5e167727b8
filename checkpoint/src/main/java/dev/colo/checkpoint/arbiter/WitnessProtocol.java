package dev.colo.checkpoint.arbiter;

/**
 * The witness line protocol, shared by {@link WitnessServer} and {@link WitnessClient}.
 *
 * <p>UTF-8 text, one request per line, one reply line per request:
 * <pre>
 * CLAIM &lt;cluster&gt; &lt;node&gt; &lt;ttlMillis&gt;  -> GRANTED &lt;cluster&gt; &lt;node&gt; &lt;ttlMillis&gt;
 *                                    | DENIED &lt;cluster&gt; &lt;holder&gt; &lt;remainingMillis&gt;
 * RENEW &lt;cluster&gt; &lt;node&gt; &lt;ttlMillis&gt;  -> as CLAIM, from a node that holds the lease; the only claim a
 *                                      restarted witness grants on a free lease during its quiet period
 * RELEASE &lt;cluster&gt; &lt;node&gt;            -> RELEASED | DENIED &lt;cluster&gt; &lt;holder&gt; &lt;remainingMillis&gt;
 * STATUS &lt;cluster&gt;                    -> HOLDER &lt;node&gt; &lt;remainingMillis&gt; | FREE
 * anything else                       -> ERROR &lt;reason&gt;
 * </pre>
 * Cluster and node names are 1 to {@value #MAX_NAME_LENGTH} printable ASCII characters without spaces.
 */
final class WitnessProtocol {
    static final String CLAIM = "CLAIM";
    static final String RENEW = "RENEW";
    static final String RELEASE = "RELEASE";
    static final String STATUS = "STATUS";

    static final String GRANTED = "GRANTED";
    static final String DENIED = "DENIED";
    static final String RELEASED = "RELEASED";
    static final String HOLDER = "HOLDER";
    static final String FREE = "FREE";
    static final String ERROR = "ERROR";

    /** Longest request or reply line in bytes, without the line end; longer requests break the framing. */
    static final int MAX_LINE_BYTES = 512;
    static final int MAX_NAME_LENGTH = 128;
    /** Shorter leases would expire between the holder's renewals on an ordinary network. */
    static final long MIN_TTL_MILLIS = 100;
    /** Longer leases would leave a cluster without a primary for minutes after a crash. */
    static final long MAX_TTL_MILLIS = 60_000;

    private WitnessProtocol() {
    }

    /** Whether a name is usable as a cluster or node id: non-empty printable ASCII without spaces, bounded. */
    static boolean isValidName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /** Rejects ids the witness would refuse, before anything is sent. */
    static String requireValidName(String what, String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_NAME_LENGTH
                    + " printable ASCII characters without spaces, got '" + name + "'");
        }
        return name;
    }

    static boolean isValidTtl(long ttlMillis) {
        return ttlMillis >= MIN_TTL_MILLIS && ttlMillis <= MAX_TTL_MILLIS;
    }

    static String claim(String cluster, String node, long ttlMillis) {
        return CLAIM + ' ' + cluster + ' ' + node + ' ' + ttlMillis;
    }

    static String renew(String cluster, String node, long ttlMillis) {
        return RENEW + ' ' + cluster + ' ' + node + ' ' + ttlMillis;
    }

    static String release(String cluster, String node) {
        return RELEASE + ' ' + cluster + ' ' + node;
    }

    static String status(String cluster) {
        return STATUS + ' ' + cluster;
    }

    static String granted(String cluster, String node, long ttlMillis) {
        return GRANTED + ' ' + cluster + ' ' + node + ' ' + ttlMillis;
    }

    static String denied(String cluster, String holder, long remainingMillis) {
        return DENIED + ' ' + cluster + ' ' + holder + ' ' + remainingMillis;
    }

    static String holder(String node, long remainingMillis) {
        return HOLDER + ' ' + node + ' ' + remainingMillis;
    }

    static String error(String reason) {
        return ERROR + ' ' + reason;
    }
}
