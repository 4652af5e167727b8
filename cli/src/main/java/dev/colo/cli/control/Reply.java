package dev.colo.cli.control;

import java.util.List;

/** A node's answer: body lines, then ok (with an optional text) or an error with its reason. */
public record Reply(boolean ok, List<String> body, String text) {
    public static Reply ok(String text) {
        return new Reply(true, List.of(), text);
    }

    public static Reply ok(List<String> body, String text) {
        return new Reply(true, List.copyOf(body), text);
    }

    public static Reply error(String reason) {
        return new Reply(false, List.of(), reason);
    }

    /** The wire form: body lines, then the last line. */
    String encode() {
        StringBuilder b = new StringBuilder();
        for (String line : body) {
            b.append(ControlProtocol.BODY).append(oneLine(line)).append('\n');
        }
        if (ok) {
            b.append(ControlProtocol.OK);
            if (text != null && !text.isEmpty()) {
                b.append(' ').append(oneLine(text));
            }
        } else {
            b.append(ControlProtocol.ERROR).append(' ').append(oneLine(text == null || text.isEmpty() ? "failed" : text));
        }
        return b.append('\n').toString();
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
