package dev.colo.checkpoint.arbiter;

/** What came of one CLAIM: the witness's answer, or why there was none. */
record ClaimReply(Kind kind, String holder, long remainingMillis, String detail) {
    enum Kind {
        /** The lease is ours. */
        GRANTED,
        /** Another node holds the lease. */
        DENIED,
        /** The witness answered ERROR: it says nothing about who holds the lease. */
        REFUSED,
        /** No usable answer (connection failed, timed out, or the reply made no sense). */
        UNREACHABLE
    }

    static ClaimReply unreachable(String why) {
        return new ClaimReply(Kind.UNREACHABLE, null, 0, why);
    }

    /** Reads the witness's reply to {@code CLAIM cluster node ...}; anything unexpected counts as unreachable. */
    static ClaimReply parse(String line, String cluster, String node) {
        String[] words = line.split(" ");
        switch (words[0]) {
            case WitnessProtocol.GRANTED:
                if (words.length == 4 && words[1].equals(cluster) && words[2].equals(node)) {
                    return new ClaimReply(Kind.GRANTED, node, 0, line);
                }
                break;
            case WitnessProtocol.DENIED:
                if (words.length == 4 && words[1].equals(cluster)) {
                    return new ClaimReply(Kind.DENIED, words[2], parseMillis(words[3]), line);
                }
                break;
            case WitnessProtocol.ERROR:
                return new ClaimReply(Kind.REFUSED, null, 0, line.substring(WitnessProtocol.ERROR.length()).strip());
            default:
                break;
        }
        return unreachable("unexpected reply from the witness: '" + abbreviate(line) + "'");
    }

    private static long parseMillis(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1; // unknown; only shown in messages
        }
    }

    private static String abbreviate(String line) {
        final int shown = 80;
        return line.length() <= shown ? line : line.substring(0, shown) + "...";
    }
}
