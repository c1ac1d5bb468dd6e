package io.meshclient.benchmarks.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A latency-by-percentile chart of every mode (HdrHistogram's classic plot): the x axis is {@code
 * 1/(1-p)} on a log scale, labelled as percentiles, so the median, p99 and p99.9 are evenly spaced.
 */
final class LatencyChart {
  private static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

  private LatencyChart() {}

  static void write(Path png, List<ModeSummary> modes, String subtitle) throws IOException {
    write(png, modes, "Latency by percentile, all modes", subtitle);
  }

  static void write(Path png, List<ModeSummary> modes, String title, String subtitle) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (ModeSummary m : modes) {
      if (m.latency.getTotalCount() == 0) {
        continue;
      }
      XYSeries series = new XYSeries(m.label);
      for (double p : PERCENTILES) {
        series.add(1 / (1 - p / 100), Math.max(1, m.percentileMicros(p)));
      }
      data.addSeries(series);
    }
    LogAxis x = new LogAxis("percentile");
    x.setNumberFormatOverride(new PercentileFormat());
    x.setTickUnit(new NumberTickUnit(1));
    x.setBase(10);
    x.setSmallestValue(1);
    x.setRange(1.6, 14_000);
    LogAxis y = new LogAxis("latency (µs, log scale)");
    y.setBase(10);
    y.setNumberFormatOverride(new DecimalFormat("#,##0"));
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.addSubtitle(new TextTitle(subtitle));
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1100, 650);
  }

  /** Labels {@code 1/(1-p)} as the percentile {@code p}: 10 is "90%", 1000 is "99.9%". */
  private static final class PercentileFormat extends NumberFormat {
    @Override
    public StringBuffer format(double number, StringBuffer to, FieldPosition pos) {
      double p = 100 - 100 / number;
      return to.append(new DecimalFormat("0.###").format(p)).append('%');
    }

    @Override
    public StringBuffer format(long number, StringBuffer to, FieldPosition pos) {
      return format((double) number, to, pos);
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
      throw new UnsupportedOperationException();
    }
  }
}
