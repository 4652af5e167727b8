package dev.colo.cli.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code --plot}: the chart is written as real SVG or PNG, one line per rule set, the slice said in the title. */
class TunePlotTest {
    @TempDir
    Path tmp;

    private static Document parseXml(Path f) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no network for the SVG DTD
        DocumentBuilder db = dbf.newDocumentBuilder();
        return db.parse(f.toFile());
    }

    @Test
    void svgIsValidXmlAndNamesTheSeries() throws Exception {
        Path f = tmp.resolve(TunePlot.DEFAULT_FILE);
        TunePlot.write(TuneFixtures.grid(), f);
        Document d = parseXml(f);
        assertEquals("svg", d.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", d.getDocumentElement().getNamespaceURI());
        String text = d.getDocumentElement().getTextContent();
        for (String s : new String[] {"no rules", "rules: http-date + header:Server", "recommended: 300 ms", "hold bound 500 ms",
                "compare timeout (ms)", "checkpoints asked", "hold p99 (ms)", "(other settings at the recommended setting's: thin-acks-after 64",
                "no rules: 50: 100, 75; 100: 70, 125", "rules: http-date + header:Server: 50: 64, 55"}) {
            assertTrue(text.contains(s), "'" + s + "' in the SVG's text: " + text);
        }
        assertEquals("title", ((org.w3c.dom.Element) d.getDocumentElement().getElementsByTagNameNS("*", "title").item(0)).getLocalName());
        assertTrue(d.getElementsByTagNameNS("*", "path").getLength() + d.getElementsByTagNameNS("*", "polyline").getLength() > 10,
                "lines are drawn");
        assertFalse(Files.list(tmp).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }

    @Test
    void pngIsReadByImageIo() throws Exception {
        Path f = tmp.resolve("tune.png");
        TunePlot.write(TuneFixtures.grid(), f);
        BufferedImage img = ImageIO.read(f.toFile());
        assertNotNull(img, "ImageIO reads it");
        assertEquals(TunePlot.WIDTH, img.getWidth());
        assertEquals(2 * TunePlot.PANEL_HEIGHT, img.getHeight(), "two panels, one above the other");
        int colors = 0;
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                if (seen.add(img.getRGB(x, y)) && ++colors > 20) {
                    break;
                }
            }
        }
        assertTrue(colors > 20, "something is drawn, not a blank image (" + colors + " colours)");
    }

    @Test
    void linesHoldTheOtherSettingsAtTheRecommendedOnes() {
        TunePlot.Plot p = TunePlot.plot(TuneFixtures.grid());
        assertEquals(TunePlot.Slice.RECOMMENDED, p.slice());
        assertEquals(2, p.lines().size(), "one line per rule set");
        TunePlot.Line none = p.lines().get(0);
        assertEquals("no rules", none.label());
        assertArrayEquals(new double[] {50, 100, 300, 1000, 3000}, none.timeoutMs());
        // thin-acks-after 64 (the recommendation's), not 0 (7 more checkpoints at each timeout)
        assertArrayEquals(new double[] {40 + 60, 40 + 30, 40 + 10, 40 + 3, 40 + 1}, none.checkpoints());
        assertArrayEquals(new double[] {75, 125, 325, 425, 425}, none.holdP99Ms());
    }

    @Test
    void withoutARecommendationEachPointIsTheBestOfItsTimeout() {
        TuneReport g = TuneFixtures.grid();
        TuneReport noRec = new TuneReport(g.outcomes(), null, "no setting met the hold bound", g.candidateRules(), g.realDifferences(),
                g.maxHoldP99Nanos());
        TunePlot.Plot p = TunePlot.plot(noRec);
        assertEquals(TunePlot.Slice.BEST, p.slice());
        assertTrue(p.title().contains("the best per timeout"), p.title());
        assertArrayEquals(new double[] {4 + 60, 4 + 30, 4 + 10, 4 + 3, 4 + 1}, p.lines().get(1).checkpoints());
    }

    @Test
    void aGridWithoutTheRecommendedValuesForEveryRuleSetFallsBackToTheBest() throws Exception {
        TuneReport g = TuneFixtures.grid();
        List<TuneOutcome> some = new ArrayList<>();
        for (TuneOutcome o : g.outcomes()) {
            if (!(o.setting().rules().isEmpty() && o.setting().thinAcksAfter() == 64)) {
                some.add(o);
            }
        }
        TuneReport partial = new TuneReport(some, g.recommended(), g.why(), g.candidateRules(), g.realDifferences(), g.maxHoldP99Nanos());
        TunePlot.Plot p = TunePlot.plot(partial);
        assertEquals(TunePlot.Slice.BEST, p.slice());
        assertArrayEquals(new double[] {47 + 60, 47 + 30, 47 + 10, 47 + 3, 47 + 1}, p.lines().get(0).checkpoints());
        Path f = tmp.resolve("partial.svg");
        TunePlot.write(partial, f);
        assertTrue(parseXml(f).getDocumentElement().getTextContent().contains("the best per timeout"));
    }

    @Test
    void badNamesAndEmptyReportsAreRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TunePlot.write(TuneFixtures.grid(), tmp.resolve("x.pdf")));
        assertTrue(e.getMessage().contains("must end in .svg or .png"), e.getMessage());
        TuneReport empty = new TuneReport(List.of(), null, "", List.of(), List.of(), 0);
        e = assertThrows(IllegalArgumentException.class, () -> TunePlot.write(empty, tmp.resolve("x.svg")));
        assertTrue(e.getMessage().contains("nothing to plot"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("x.svg")));
    }
}
