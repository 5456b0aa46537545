// A small SVG line chart for the sweep's figures: several named series of (x, y ± error) points,
// linear or log10 axes with round tick labels, a legend below the plot. Standalone SVG a browser
// opens; every label is placed inside the canvas (the canvas grows with the legend).
// Not here: bars, heatmaps (train/report.cpp has the rank heatmap), interactivity.
#pragma once

#include <string>
#include <vector>

namespace adalora::experiments {

struct ChartPoint {
  double x = 0, y = 0;
  double error = 0;  ///< half-length of a vertical error bar; 0 = none
};

struct ChartSeries {
  std::string label;
  std::vector<ChartPoint> points;  ///< drawn in this order, joined by a line
  bool dashed = false;
  bool markers = true;
  int style = -1;  ///< colour and marker index; < 0: the series' position (series sharing it pair up)
};

struct Chart {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;  ///< log10 axes (points ≤ 0 are dropped)
  std::vector<ChartSeries> series;
};

/// The chart as an SVG document.
std::string chart_svg(const Chart& chart);

}  // namespace adalora::experiments
