package dev.colo.checkpoint.arbiter;

import java.util.Objects;

/** Turns one request line into its reply line; knows nothing of sockets, so every input case is easy to test. */
final class WitnessRequests {
    /** More digits than this could overflow a long; such a ttl is out of range anyway. */
    private static final int MAX_TTL_DIGITS = 18;

    private final LeaseTable leases;

    WitnessRequests(LeaseTable leases) {
        this.leases = Objects.requireNonNull(leases, "leases");
    }

    String answer(String line) {
        String[] words = line.trim().split("[ \t]+");
        if (words.length == 0 || words[0].isEmpty()) {
            return WitnessProtocol.error("empty request");
        }
        return switch (words[0]) {
            case WitnessProtocol.CLAIM -> claim(words, false);
            case WitnessProtocol.RENEW -> claim(words, true);
            case WitnessProtocol.RELEASE -> release(words);
            case WitnessProtocol.STATUS -> status(words);
            default -> WitnessProtocol.error("unknown request (expected CLAIM, RENEW, RELEASE or STATUS)");
        };
    }

    private String claim(String[] words, boolean renewal) {
        if (words.length != 4) {
            return WitnessProtocol.error("usage: " + words[0] + " <cluster> <node> <ttlMillis>");
        }
        String badName = checkNames(words[1], words[2]);
        if (badName != null) {
            return badName;
        }
        long ttl = parseTtl(words[3]);
        if (!WitnessProtocol.isValidTtl(ttl)) {
            return WitnessProtocol.error("ttlMillis must be a number in " + WitnessProtocol.MIN_TTL_MILLIS + ".."
                    + WitnessProtocol.MAX_TTL_MILLIS);
        }
        LeaseTable.Outcome outcome;
        try {
            outcome = leases.claim(words[1], words[2], ttl, renewal);
        } catch (IllegalStateException full) {
            return WitnessProtocol.error(full.getMessage());
        }
        return outcome.accepted()
                ? WitnessProtocol.granted(words[1], words[2], ttl)
                : WitnessProtocol.denied(words[1], outcome.lease().holder(), outcome.lease().remainingMillis());
    }

    private String release(String[] words) {
        if (words.length != 3) {
            return WitnessProtocol.error("usage: RELEASE <cluster> <node>");
        }
        String badName = checkNames(words[1], words[2]);
        if (badName != null) {
            return badName;
        }
        LeaseTable.Outcome outcome = leases.release(words[1], words[2]);
        return outcome.accepted()
                ? WitnessProtocol.RELEASED
                : WitnessProtocol.denied(words[1], outcome.lease().holder(), outcome.lease().remainingMillis());
    }

    private String status(String[] words) {
        if (words.length != 2) {
            return WitnessProtocol.error("usage: STATUS <cluster>");
        }
        if (!WitnessProtocol.isValidName(words[1])) {
            return badNameError("cluster");
        }
        LeaseTable.Lease lease = leases.status(words[1]);
        return lease == null ? WitnessProtocol.FREE : WitnessProtocol.holder(lease.holder(), lease.remainingMillis());
    }

    private static String checkNames(String cluster, String node) {
        if (!WitnessProtocol.isValidName(cluster)) {
            return badNameError("cluster");
        }
        if (!WitnessProtocol.isValidName(node)) {
            return badNameError("node");
        }
        return null;
    }

    private static String badNameError(String what) {
        return WitnessProtocol.error(what + " must be 1.." + WitnessProtocol.MAX_NAME_LENGTH
                + " printable ASCII characters");
    }

    /** The ttl, or -1 when it is not a plain decimal number (which then fails the range check). */
    private static long parseTtl(String text) {
        if (text.isEmpty() || text.length() > MAX_TTL_DIGITS || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }
}
