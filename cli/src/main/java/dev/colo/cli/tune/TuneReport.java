package dev.colo.cli.tune;

import java.util.List;

/**
 * A sweep's result: every setting's outcome (in grid order), the recommended one (null when none meets the
 * hold bound) and why, the rules it found candidates for, and the divergences no rule may excuse (each a
 * sentence: "real difference: payload byte 12 of connection ..., with its hexdump").
 */
public record TuneReport(List<TuneOutcome> outcomes, TuneOutcome recommended, String why, List<String> candidateRules,
        List<String> realDifferences, long maxHoldP99Nanos) {
    public TuneReport {
        outcomes = List.copyOf(outcomes);
        candidateRules = List.copyOf(candidateRules);
        realDifferences = List.copyOf(realDifferences);
    }
}
