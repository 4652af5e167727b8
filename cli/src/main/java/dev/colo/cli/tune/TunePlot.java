package dev.colo.cli.tune;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

/**
 * {@code colo tune --plot FILE}: what the sweep found, drawn with XChart. Two panels over the compare timeout
 * (x, milliseconds, logarithmic when the timeouts span a decade): the checkpoints asked over all pairs (top)
 * and the hold time p99 of released output (bottom, with the hold bound), one line per rule set, the
 * recommended setting marked. The other grid dimensions (thin-acks-after, min-checkpoint-interval,
 * max-queued-packets) are held at the recommended setting's values when every rule set was tried with them;
 * otherwise each point is the best of its rule set and timeout (fewest checkpoints, then lowest hold p99). The
 * title says which.
 *
 * <p>{@code .svg}: vector graphics through VectorGraphics2D (the library behind XChart's VectorGraphicsEncoder),
 * the two charts painted one above the other into one document, which gets a {@code <title>} and a {@code <desc>}
 * listing the series and their points (XChart draws glyphs as outlines, so the SVG has no text of its own);
 * {@code .png}: XChart's BitmapEncoder, the two
 * charts in a grid. Headless: no display is needed.
 */
public final class TunePlot {
    /** The default file name ({@code --plot} without one). */
    public static final String DEFAULT_FILE = "colo-tune.svg";
    static final int WIDTH = 1100;
    static final int PANEL_HEIGHT = 420;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
        new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0x7f7f7f), new Color(0xbcbd22)};

    private TunePlot() {
    }

    /** How the points of a line were chosen. */
    enum Slice { RECOMMENDED, BEST }

    /** One line: a rule set's points, by timeout (ms). */
    record Line(String label, List<String> rules, double[] timeoutMs, double[] checkpoints, double[] holdP99Ms) {
    }

    /** What is drawn: the lines, how they were chosen, the title saying so. */
    record Plot(Slice slice, String title, List<Line> lines) {
    }

    /** Writes the chart to {@code file}: SVG when its name ends in .svg, PNG when .png. */
    public static void write(TuneReport report, Path file) throws IOException {
        boolean svg = isSvg(file);
        Plot plot = plot(report);
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYChart top = chart(plot, report, true);
        XYChart bottom = chart(plot, report, false);
        Path tmp = file.toAbsolutePath().resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))) {
                if (svg) {
                    VectorGraphics2D g = new VectorGraphics2D();
                    top.paint(g, WIDTH, PANEL_HEIGHT);
                    g.translate(0, PANEL_HEIGHT);
                    bottom.paint(g, WIDTH, PANEL_HEIGHT);
                    ByteArrayOutputStream doc = new ByteArrayOutputStream();
                    new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, WIDTH, 2 * PANEL_HEIGHT)).writeTo(doc);
                    withTitle(doc.toByteArray(), plot, report, out);
                } else {
                    BitmapEncoder.saveBitmap(List.of(top, bottom), 2, 1, out, BitmapEncoder.BitmapFormat.PNG);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Checks the file's name before a sweep is run for it: true for .svg, false for .png.
     *
     * @throws IllegalArgumentException any other name, with the reason
     */
    public static boolean isSvg(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        if (!svg && !name.endsWith(".png")) {
            throw new IllegalArgumentException("plot file " + file + ": the name must end in .svg or .png (that picks the format)");
        }
        return svg;
    }

    /**
     * XChart draws every glyph as an outline, so the SVG holds no text: give it a {@code <title>} (the chart's) and a
     * {@code <desc>} (every series and its points), for screen readers, search and grep.
     */
    private static void withTitle(byte[] svg, Plot plot, TuneReport report, OutputStream out) throws IOException {
        try {
            DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
            dbf.setNamespaceAware(true);
            dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            Document d = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
            Element root = d.getDocumentElement();
            String ns = root.getNamespaceURI();
            Element title = d.createElementNS(ns, "title");
            title.setTextContent(plot.title());
            Element desc = d.createElementNS(ns, "desc");
            desc.setTextContent(describe(plot, report));
            root.insertBefore(desc, root.getFirstChild());
            root.insertBefore(title, desc);
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            if (d.getDoctype() != null) {
                t.setOutputProperty(OutputKeys.DOCTYPE_PUBLIC, d.getDoctype().getPublicId());
                t.setOutputProperty(OutputKeys.DOCTYPE_SYSTEM, d.getDoctype().getSystemId());
            }
            t.transform(new DOMSource(d), new StreamResult(out));
        } catch (ParserConfigurationException | SAXException | TransformerException e) {
            throw new IOException("the SVG drawn for the plot did not parse back: " + e.getMessage(), e);
        }
    }

    /** The data, as text: each line's points (timeout: checkpoints, hold p99). */
    static String describe(Plot plot, TuneReport report) {
        StringBuilder b = new StringBuilder("Points are compare timeout (ms): checkpoints asked, hold p99 (ms).");
        for (Line l : plot.lines()) {
            b.append("\n").append(l.label()).append(':');
            for (int i = 0; i < l.timeoutMs().length; i++) {
                b.append(i == 0 ? " " : "; ").append(num(l.timeoutMs()[i])).append(": ").append(num(l.checkpoints()[i])).append(", ")
                        .append(num(l.holdP99Ms()[i]));
            }
        }
        TuneOutcome rec = report.recommended();
        b.append("\n").append(rec == null ? "recommended: none" : "recommended: " + TuneConfigWriter.millis(rec.setting().compareTimeoutNanos())
                + ", " + label(rec.setting().rules()) + ": " + rec.checkpoints() + " checkpoints, hold p99 " + TuneConfigWriter.millis(rec.holdP99Nanos()));
        if (report.maxHoldP99Nanos() > 0) {
            b.append("\nhold bound ").append(TuneConfigWriter.millis(report.maxHoldP99Nanos()));
        }
        return b.toString();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }

    /** The lines to draw, chosen from the report's outcomes. */
    static Plot plot(TuneReport report) {
        if (report.outcomes().isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: the sweep has no outcomes");
        }
        Map<List<String>, List<TuneOutcome>> byRules = new LinkedHashMap<>();
        for (TuneOutcome o : report.outcomes()) {
            byRules.computeIfAbsent(o.setting().rules(), k -> new ArrayList<>()).add(o);
        }
        TuneOutcome rec = report.recommended();
        Slice slice = Slice.BEST;
        if (rec != null && byRules.values().stream().allMatch(os -> os.stream().anyMatch(o -> sameOthers(o.setting(), rec.setting())))) {
            slice = Slice.RECOMMENDED;
        }
        List<Line> lines = new ArrayList<>();
        Comparator<TuneOutcome> best = Comparator.comparingLong(TuneOutcome::checkpoints).thenComparingLong(TuneOutcome::holdP99Nanos);
        for (Map.Entry<List<String>, List<TuneOutcome>> e : byRules.entrySet()) {
            TreeMap<Long, TuneOutcome> byTimeout = new TreeMap<>();
            for (TuneOutcome o : e.getValue()) {
                if (slice == Slice.RECOMMENDED && !sameOthers(o.setting(), rec.setting())) {
                    continue;
                }
                byTimeout.merge(o.setting().compareTimeoutNanos(), o, (a, b) -> best.compare(a, b) <= 0 ? a : b);
            }
            int n = byTimeout.size();
            double[] x = new double[n];
            double[] ck = new double[n];
            double[] hold = new double[n];
            int i = 0;
            for (TuneOutcome o : byTimeout.values()) {
                x[i] = o.setting().compareTimeoutNanos() / 1e6;
                ck[i] = o.checkpoints();
                hold[i] = o.holdP99Nanos() / 1e6;
                i++;
            }
            lines.add(new Line(label(e.getKey()), e.getKey(), x, ck, hold));
        }
        String title;
        if (slice == Slice.RECOMMENDED) {
            TuneSetting s = rec.setting();
            title = "checkpoints by compare timeout (other settings at the recommended setting's: thin-acks-after " + s.thinAcksAfter()
                    + ", min-checkpoint-interval " + TuneConfigWriter.millis(s.minCheckpointIntervalNanos()) + ", max-queued-packets "
                    + s.maxQueuedPackets() + ")";
        } else {
            title = "checkpoints by compare timeout (other settings: the best per timeout and rule set, fewest checkpoints,"
                    + " then lowest hold p99)";
        }
        return new Plot(slice, title, lines);
    }

    private static boolean sameOthers(TuneSetting a, TuneSetting b) {
        return a.thinAcksAfter() == b.thinAcksAfter() && a.minCheckpointIntervalNanos() == b.minCheckpointIntervalNanos()
                && a.maxQueuedPackets() == b.maxQueuedPackets();
    }

    static String label(List<String> rules) {
        return rules.isEmpty() ? "no rules" : "rules: " + String.join(" + ", rules);
    }

    private static XYChart chart(Plot plot, TuneReport report, boolean checkpoints) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT)
                .title(checkpoints ? plot.title() : "hold time p99 of released output (virtual time) by compare timeout")
                .xAxisTitle("compare timeout (ms)").yAxisTitle(checkpoints ? "checkpoints asked (all pairs)" : "hold p99 (ms)").build();
        Styler s = c.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setChartBackgroundColor(Color.WHITE);
        s.setChartTitleFont(s.getChartTitleFont().deriveFont(11f));
        s.setMarkerSize(7);
        s.setAntiAlias(true);
        double min = Double.MAX_VALUE;
        double max = 0;
        double yMax = 0;
        for (Line l : plot.lines()) {
            for (int i = 0; i < l.timeoutMs().length; i++) {
                min = Math.min(min, l.timeoutMs()[i]);
                max = Math.max(max, l.timeoutMs()[i]);
                yMax = Math.max(yMax, checkpoints ? l.checkpoints()[i] : l.holdP99Ms()[i]);
            }
        }
        c.getStyler().setXAxisLogarithmic(min > 0 && max / min >= 10);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setXAxisDecimalPattern("#,##0.###");
        c.getStyler().setYAxisDecimalPattern(checkpoints ? "#,##0" : "#,##0.###");
        int k = 0;
        for (Line l : plot.lines()) {
            if (l.timeoutMs().length == 0) {
                continue;
            }
            XYSeries series = c.addSeries(l.label(), l.timeoutMs(), checkpoints ? l.checkpoints() : l.holdP99Ms());
            Color color = COLORS[k++ % COLORS.length];
            series.setLineColor(color);
            series.setMarkerColor(color);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        TuneOutcome rec = report.recommended();
        if (rec != null) {
            double v = checkpoints ? rec.checkpoints() : rec.holdP99Nanos() / 1e6;
            yMax = Math.max(yMax, v);
            XYSeries r = c.addSeries("recommended: " + TuneConfigWriter.millis(rec.setting().compareTimeoutNanos()) + ", "
                    + label(rec.setting().rules()), new double[] {rec.setting().compareTimeoutNanos() / 1e6}, new double[] {v});
            r.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            r.setMarker(SeriesMarkers.DIAMOND);
            r.setMarkerColor(Color.BLACK);
        }
        if (!checkpoints && report.maxHoldP99Nanos() > 0) {
            double bound = report.maxHoldP99Nanos() / 1e6;
            yMax = Math.max(yMax, bound);
            XYSeries b = c.addSeries("hold bound " + TuneConfigWriter.millis(report.maxHoldP99Nanos()),
                    new double[] {min, max}, new double[] {bound, bound});
            b.setLineColor(Color.GRAY);
            b.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            b.setMarker(SeriesMarkers.NONE);
        }
        if (yMax <= 0) {
            c.getStyler().setYAxisMax(1.0); // all zero: an axis from 0 to 1, not a degenerate one
        }
        return c;
    }
}
