package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimestampMergeTest {
    @TempDir
    Path tmp;

    private Path write(String name, long... timestamps) throws IOException {
        Path f = tmp.resolve(name);
        try (PacketFileWriter w = PacketFileWriter.pcap(f, LinkType.ETHERNET, 65535, true)) {
            for (long ts : timestamps) {
                byte[] frame = new byte[60];
                frame[0] = (byte) ts;
                w.write(ts, frame, 0, frame.length, frame.length);
            }
        }
        return f;
    }

    @Test
    void framesComeInTimestampOrderWithTiesToTheFirstFile() throws IOException {
        Path a = write("a.pcap", 1, 3, 3, 8);
        Path b = write("b.pcap", 2, 3, 9);
        List<String> order = new ArrayList<>();
        try (PacketFileReader ra = PacketFileReader.open(a); PacketFileReader rb = PacketFileReader.open(b)) {
            TimestampMerge m = new TimestampMerge(ra, rb);
            for (int side; (side = m.next()) >= 0; ) {
                order.add(side + "@" + m.reader(side).timestampNanos());
            }
            assertEquals(-1, m.next(), "stays ended");
            assertTrue(m.errors().isEmpty());
        }
        assertEquals(List.of("0@1", "1@2", "0@3", "0@3", "1@3", "0@8", "1@9"), order);
    }

    @Test
    void aDamagedFileEndsOnlyItselfAndSaysWhere() throws IOException {
        Path a = write("a.pcap", 1, 2, 3, 4);
        byte[] whole = Files.readAllBytes(write("b.pcap", 1, 2, 3, 4));
        Path b = tmp.resolve("cut.pcap");
        Files.write(b, Arrays.copyOf(whole, whole.length - 30));
        int[] count = new int[2];
        try (PacketFileReader ra = PacketFileReader.open(a); PacketFileReader rb = PacketFileReader.open(b)) {
            TimestampMerge m = new TimestampMerge(ra, rb);
            for (int side; (side = m.next()) >= 0; ) {
                count[side]++;
            }
            assertEquals(1, m.errors().size());
            assertTrue(m.errors().get(0).contains("cut.pcap"), m.errors().get(0));
        }
        assertEquals(4, count[0], "the healthy file is read to its end");
        assertEquals(3, count[1], "the frames before the damage are delivered");
    }
}
