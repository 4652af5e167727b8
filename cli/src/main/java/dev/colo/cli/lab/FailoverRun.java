package dev.colo.cli.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * What one failover scenario showed. Times are milliseconds after the fault (-1: did not happen or not measured).
 *
 * @param promoted          the secondary promoted (its log said {@code -> PROMOTED})
 * @param sessionSurvived   the client's one TCP session broke not and every request was answered by the end
 * @param dataIntact        every reply carried the bytes of its request, in order, none missing
 * @param replyGapMillis    the longest gap between two replies of the session spanning or following the fault
 * @param pingGapMillis     the longest gap between two ping replies spanning or following the fault
 * @param newConnectionMillis when a fresh connection opened after the fault first answered a request
 * @param detectionMillis   when the secondary left RUNNING (it noticed the primary was gone)
 * @param promotionMillis   when the secondary promoted
 * @param primaryWire       frames from the VM's MAC the primary's port sent to the LAN (capture)
 * @param secondaryWire     the same for the secondary's port
 * @param captureSingleReleaser the two capture windows do not overlap (the primary's last frame before the secondary's first)
 * @param countersSingleReleaser the old primary's released counter did not grow once the secondary's did
 * @param oldPrimaryLate    frames the old primary sent after it resumed (frozen) or after the takeover; 0 otherwise
 * @param oldPrimaryFenced  the old primary's last status said FENCED (null: it could not be asked)
 * @param problems          what went against the row's expectation, in words (empty: the row held)
 */
public record FailoverRun(Fault fault, String arbiter, boolean promoted, boolean sessionSurvived, boolean dataIntact,
        long sent, long received, long replyGapMillis, long pingGapMillis, long newConnectionMillis, long detectionMillis,
        long promotionMillis, ReleaseCapture.Window primaryWire, ReleaseCapture.Window secondaryWire,
        boolean captureSingleReleaser, boolean countersSingleReleaser, long oldPrimaryLate, Boolean oldPrimaryFenced,
        String sessionError, List<String> problems) {

    /** Whether the row's expectations held: see {@link FailoverScenario}. */
    public boolean held() {
        return problems.isEmpty();
    }

    /** The expectations of the failover matrix for a run with the witness. */
    static List<String> problems(Fault fault, boolean promoted, boolean sessionSurvived, boolean dataIntact, boolean captureOk,
            boolean countersOk, long oldPrimaryLate, Boolean fenced) {
        List<String> p = new ArrayList<>();
        if (promoted != fault.takeover) {
            p.add(fault.takeover ? "no takeover" : "the secondary took over");
        }
        if (!captureOk) {
            p.add("both nodes released output at once (capture)");
        }
        if (!countersOk) {
            p.add("the old primary's released counter grew after the secondary's (counters)");
        }
        if (oldPrimaryLate > 0) {
            p.add(oldPrimaryLate + " frames from the old primary after the takeover");
        }
        if (!sessionSurvived) {
            p.add("the client's session did not survive");
        }
        if (!dataIntact) {
            p.add("the session's data was not intact");
        }
        if (fault == Fault.PARTITION_WITNESS_SECONDARY_ONLY && !Boolean.TRUE.equals(fenced)) {
            p.add("the old primary did not report FENCED");
        }
        return p;
    }

    /** One line for a log or a failure message. */
    public String summary() {
        return String.format("%s (%s): %s; promoted %s, session %s, data %s (%d/%d), reply gap %d ms, ping gap %d ms, new connection %d ms,"
                        + " detected %d ms, promoted %d ms; primary sent %s, secondary sent %s; old primary late %d, fenced %s; session error %s",
                fault.label, arbiter, held() ? "held" : "FAILED " + problems, promoted, sessionSurvived ? "survived" : "broke",
                dataIntact ? "intact" : "NOT intact", received, sent, replyGapMillis, pingGapMillis, newConnectionMillis, detectionMillis,
                promotionMillis, primaryWire, secondaryWire, oldPrimaryLate, oldPrimaryFenced, sessionError);
    }
}
