#include "adalora/experiments/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace adalora::experiments {
namespace {

constexpr int kWidth = 680, kLeft = 80, kRight = 30, kTop = 44, kPlotHeight = 300;
constexpr int kLegendLine = 18;
// A colour-blind-safe palette (Okabe–Ito), cycled.
const char* const kColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
                               "#F0E442"};

// Marker shapes, cycled with a period (5) coprime to the palette's (8): 40 series before a
// colour-and-shape pair repeats, and points that coincide stay distinguishable.
constexpr int kShapes = 5;

std::string marker_svg(int shape, double x, double y, const char* color) {
  static const char* const kNames[kShapes] = {"circle", "square", "triangle", "diamond", "ring"};
  std::ostringstream s;
  const double r = 3.5;
  s << "<g class=\"marker-" << kNames[shape % kShapes] << "\">";
  switch (shape % kShapes) {
    case 0:
      s << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"" << r << "\" fill=\"" << color << "\"/>";
      break;
    case 1:
      s << "<rect x=\"" << x - r << "\" y=\"" << y - r << "\" width=\"" << 2 * r << "\" height=\"" << 2 * r
        << "\" fill=\"" << color << "\"/>";
      break;
    case 2:
      s << "<polygon points=\"" << x << "," << y - 1.3 * r << " " << x - 1.2 * r << "," << y + r << " "
        << x + 1.2 * r << "," << y + r << "\" fill=\"" << color << "\"/>";
      break;
    case 3:
      s << "<polygon points=\"" << x << "," << y - 1.4 * r << " " << x + 1.4 * r << "," << y << " " << x << ","
        << y + 1.4 * r << " " << x - 1.4 * r << "," << y << "\" fill=\"" << color << "\"/>";
      break;
    default:  // an open circle
      s << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"" << r << "\" fill=\"white\" stroke=\"" << color
        << "\" stroke-width=\"1.5\"/>";
  }
  s << "</g>\n";
  return s.str();
}

std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// Tick labels: 0.725, 50, 120k, 4.8M; 1e-05 for tiny values.
std::string number(double v) {
  std::ostringstream s;
  const double a = std::fabs(v);
  if (a >= 1e6) s << std::setprecision(3) << v / 1e6 << "M";
  else if (a >= 1e4) s << std::setprecision(3) << v / 1e3 << "k";
  else if (a != 0 && a < 1e-3) s << std::setprecision(2) << v;
  else s << std::setprecision(4) << v;
  return s.str();
}

// An axis: data range → pixels, with tick values.
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;
  double to_unit(double v) const {  // 0 … 1 across the axis
    const double a = log ? std::log10(v) : v;
    return (a - lo) / (hi - lo);
  }
  std::vector<double> ticks() const {
    std::vector<double> out;
    if (log) {
      // Powers of ten; over fewer than 3 decades also 2× and 5× (else a 0.13 … 10 axis shows 1 and 10).
      const bool fine = hi - lo < 3;
      for (double e = std::floor(lo); e <= hi + 1e-9; e += 1) {
        for (double m : {1.0, 2.0, 5.0}) {
          if (m != 1.0 && !fine) continue;
          const double a = e + std::log10(m);
          if (a >= lo - 1e-9 && a <= hi + 1e-9) out.push_back(std::pow(10.0, a));
        }
      }
      if (out.size() < 2) out = {std::pow(10.0, lo), std::pow(10.0, hi)};
      return out;
    }
    const double raw = (hi - lo) / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
      if (m * mag >= raw) { step = m * mag; break; }
    }
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
    }
    return out;
  }
};

Axis make_axis(std::vector<double> values, bool log) {
  Axis a;
  a.log = log;
  if (log) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !(v > 0); }), values.end());
    for (double& v : values) v = std::log10(v);
  }
  if (values.empty()) return a;
  a.lo = *std::min_element(values.begin(), values.end());
  a.hi = *std::max_element(values.begin(), values.end());
  const double pad = a.hi > a.lo ? 0.06 * (a.hi - a.lo) : (log ? 0.5 : std::max(std::fabs(a.lo) * 0.1, 0.5));
  a.lo -= pad, a.hi += pad;
  return a;
}

}  // namespace

std::string chart_svg(const Chart& chart) {
  std::vector<double> xs, ys;
  for (const auto& s : chart.series) {
    for (const auto& p : s.points) {
      xs.push_back(p.x);
      ys.push_back(p.y - p.error);
      ys.push_back(p.y + p.error);
    }
  }
  const Axis ax = make_axis(xs, chart.log_x), ay = make_axis(ys, chart.log_y);
  const double plot_w = kWidth - kLeft - kRight;
  const int legend_top = kTop + kPlotHeight + 48;
  const int height = legend_top + static_cast<int>(chart.series.size()) * kLegendLine + 12;
  auto px = [&](double x) { return kLeft + plot_w * ax.to_unit(x); };
  auto py = [&](double y) { return kTop + kPlotHeight * (1 - ay.to_unit(y)); };
  auto visible = [&](const ChartPoint& p) { return (!chart.log_x || p.x > 0) && (!chart.log_y || p.y > 0); };

  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s << "<text x=\"10\" y=\"24\" font-size=\"15\">" << escape_xml(chart.title) << "</text>\n";
  for (double t : ax.ticks()) {
    s << "<line x1=\"" << px(t) << "\" y1=\"" << kTop << "\" x2=\"" << px(t) << "\" y2=\"" << kTop + kPlotHeight
      << "\" stroke=\"#e4e4e4\"/>\n<text x=\"" << px(t) << "\" y=\"" << kTop + kPlotHeight + 16
      << "\" text-anchor=\"middle\">" << number(t) << "</text>\n";
  }
  for (double t : ay.ticks()) {
    s << "<line x1=\"" << kLeft << "\" y1=\"" << py(t) << "\" x2=\"" << kLeft + plot_w << "\" y2=\"" << py(t)
      << "\" stroke=\"#e4e4e4\"/>\n<text x=\"" << kLeft - 6 << "\" y=\"" << py(t) + 4 << "\" text-anchor=\"end\">"
      << number(t) << "</text>\n";
  }
  s << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << plot_w << "\" height=\"" << kPlotHeight
    << "\" fill=\"none\" stroke=\"black\"/>\n";
  s << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << kTop + kPlotHeight + 34 << "\" text-anchor=\"middle\">"
    << escape_xml(chart.x_label) << (chart.log_x ? " (log scale)" : "") << "</text>\n";
  s << "<text transform=\"translate(16," << kTop + kPlotHeight / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
    << escape_xml(chart.y_label) << (chart.log_y ? " (log scale)" : "") << "</text>\n";
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const auto& series = chart.series[i];
    const int style = series.style >= 0 ? series.style : static_cast<int>(i);
    const char* color = kColors[style % (sizeof kColors / sizeof *kColors)];
    const std::string dash = series.dashed ? " stroke-dasharray=\"6 4\"" : "";
    s << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\"" << dash << " points=\"";
    for (const auto& p : series.points) {
      if (visible(p)) s << px(p.x) << "," << py(p.y) << " ";
    }
    s << "\"/>\n";
    for (const auto& p : series.points) {
      if (!visible(p)) continue;
      if (p.error > 0) {
        s << "<line x1=\"" << px(p.x) << "\" y1=\"" << py(p.y - p.error) << "\" x2=\"" << px(p.x) << "\" y2=\""
          << py(p.y + p.error) << "\" stroke=\"" << color << "\" stroke-width=\"1.5\"/>\n";
      }
      if (series.markers) {
        s << marker_svg(style, px(p.x), py(p.y), color);
      }
    }
    const int y = legend_top + static_cast<int>(i) * kLegendLine;
    s << "<line x1=\"" << kLeft << "\" y1=\"" << y - 4 << "\" x2=\"" << kLeft + 28 << "\" y2=\"" << y - 4
      << "\" stroke=\"" << color << "\" stroke-width=\"2\"" << dash << "/>\n<text x=\"" << kLeft + 36 << "\" y=\""
      << y << "\">" << escape_xml(series.label) << "</text>\n";
    if (series.markers) s << marker_svg(style, kLeft + 14, y - 4, color);
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace adalora::experiments
