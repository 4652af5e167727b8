package dev.colo.cli.replay;

/** Hexdump lines with an ASCII column; the first differing byte is bracketed. */
public final class Hexdump {
    private Hexdump() {
    }

    public static String render(byte[] bytes, int mark, String indent) {
        StringBuilder sb = new StringBuilder();
        for (int row = 0; row < bytes.length; row += 16) {
            sb.append(indent).append(String.format("%04x ", row));
            StringBuilder ascii = new StringBuilder();
            for (int i = row; i < row + 16; i++) {
                if (i < bytes.length) {
                    int b = bytes[i] & 0xff;
                    sb.append(i == mark ? '[' : ' ').append(String.format("%02x", b)).append(i == mark ? ']' : ' ');
                    ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
                } else {
                    sb.append("    ");
                }
            }
            sb.append(' ').append(ascii).append('\n');
        }
        return sb.toString();
    }
}
