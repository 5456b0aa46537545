#include "adalora/train/report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>

#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"

namespace adalora::train {
namespace {

std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Rough width in pixels of `text` in a sans-serif font of `font_px` (UTF-8: one per code point), to
// size the canvas so that no caption is cut off at the right edge.
int text_width(const std::string& text, double font_px) {
  int64_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return static_cast<int>(std::ceil(static_cast<double>(chars) * font_px * 0.62));
}

// White → dark blue for 0 → 1.
std::string color(double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int r = static_cast<int>(std::lround(247 - fraction * (247 - 8)));
  const int g = static_cast<int>(std::lround(251 - fraction * (251 - 48)));
  const int b = static_cast<int>(std::lround(255 - fraction * (255 - 107)));
  std::ostringstream s;
  s << "rgb(" << r << "," << g << "," << b << ")";
  return s.str();
}

// The frame both line charts share: a width × height SVG with the plot area
// [left, left + plot_w] × [top, top + plot_h], the title above it and the two axes.
constexpr int width = 640, height = 360, left = 60, right = 20, top = 40, bottom = 50;
constexpr double plot_w = width - left - right, plot_h = height - top - bottom;

void line_chart_frame(std::ostream& s, const std::string& title) {
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s << "<text x=\"10\" y=\"22\" font-size=\"15\">" << escape_xml(title) << "</text>\n";
  s << "<line x1=\"" << left << "\" y1=\"" << top + plot_h << "\" x2=\"" << left + plot_w << "\" y2=\"" << top + plot_h
    << "\" stroke=\"black\"/>\n<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\""
    << top + plot_h << "\" stroke=\"black\"/>\n";
}

}  // namespace

MatrixCoordinates matrix_coordinates(const std::string& module_path) {
  std::vector<std::string> parts;
  std::stringstream ss(module_path);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    if (!p.empty() && std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c); })) {
      MatrixCoordinates c;
      c.layer = std::stoll(p);
      for (size_t j = i + 1; j < parts.size(); ++j) c.type += (c.type.empty() ? "" : ".") + parts[j];
      return c;
    }
  }
  return {-1, module_path};
}

void write_rank_pattern_json(const std::string& path, const std::vector<peft::MatrixRank>& ranks,
                             int64_t init_r) {
  io::Json modules = io::Json::object();
  int64_t total = 0;
  for (const auto& r : ranks) {
    modules[r.name] = {{"rank", r.rank}, {"mask", r.mask}};
    total += r.rank;
  }
  io::Json j = {{"init_r", init_r},
                {"total_rank", total},
                {"initial_total_rank", init_r * static_cast<int64_t>(ranks.size())},
                {"modules", modules}};
  io::save_json_file(path, j);
}

std::string rank_heatmap_svg(const std::vector<peft::MatrixRank>& ranks, int64_t init_r,
                             const std::string& title) {
  std::vector<std::string> types;
  int64_t max_layer = -1;
  std::map<std::pair<std::string, int64_t>, int64_t> cell;
  for (const auto& r : ranks) {
    const auto c = matrix_coordinates(r.name);
    if (std::find(types.begin(), types.end(), c.type) == types.end()) types.push_back(c.type);
    max_layer = std::max(max_layer, c.layer);
    cell[{c.type, c.layer}] = r.rank;
  }
  const int64_t columns = std::max<int64_t>(max_layer + 1, 1);
  const int cw = 40, ch = 28, left = 230, top = 50;
  const std::string caption =
      "layer → (cell = final rank of ΔW, initial rank " + std::to_string(init_r) + ")";
  const int width = std::max({left + static_cast<int>(columns) * cw + 20, left + text_width(caption, 12) + 20,
                              10 + text_width(title, 15) + 20});
  const int height = top + static_cast<int>(types.size()) * ch + 50;
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s << "<text x=\"10\" y=\"22\" font-size=\"15\">" << escape_xml(title) << "</text>\n";
  for (int64_t l = 0; l < columns; ++l) {
    s << "<text x=\"" << left + l * cw + cw / 2 << "\" y=\"" << top - 6 << "\" text-anchor=\"middle\">" << l
      << "</text>\n";
  }
  for (size_t t = 0; t < types.size(); ++t) {
    const int y = top + static_cast<int>(t) * ch;
    s << "<text x=\"" << left - 8 << "\" y=\"" << y + ch / 2 + 4 << "\" text-anchor=\"end\">"
      << escape_xml(types[t]) << "</text>\n";
    for (int64_t l = 0; l < columns; ++l) {
      auto it = cell.find({types[t], max_layer < 0 ? -1 : l});
      if (it == cell.end()) continue;
      const double f = init_r > 0 ? static_cast<double>(it->second) / static_cast<double>(init_r) : 0;
      s << "<rect x=\"" << left + l * cw << "\" y=\"" << y << "\" width=\"" << cw - 2 << "\" height=\"" << ch - 2
        << "\" fill=\"" << color(f) << "\"><title>" << escape_xml(types[t]) << ", layer " << l << ": rank "
        << it->second << "</title></rect>\n";
      s << "<text x=\"" << left + l * cw + cw / 2 - 1 << "\" y=\"" << y + ch / 2 + 3 << "\" text-anchor=\"middle\" fill=\""
        << (f > 0.55 ? "white" : "black") << "\">" << it->second << "</text>\n";
    }
  }
  s << "<text x=\"" << left << "\" y=\"" << height - 18 << "\">" << escape_xml(caption) << "</text>\n";
  s << "</svg>\n";
  return s.str();
}

std::string budget_curve_svg(const peft::BudgetSchedule& schedule,
                             const std::vector<std::pair<int64_t, int64_t>>& measured_total_rank,
                             const std::string& title) {
  const int64_t T = std::max<int64_t>(schedule.total_step, 1);
  const double y_max = static_cast<double>(std::max<int64_t>(schedule.init_bgt, 1));
  auto px = [&](double step) { return left + plot_w * step / static_cast<double>(T); };
  auto py = [&](double budget) { return top + plot_h * (1.0 - budget / y_max); };
  std::ostringstream s;
  line_chart_frame(s, title);
  // Phase boundaries: end of warm-up (tinit) and start of the final phase (T − tfinal).
  for (auto [step, label] : {std::pair<int64_t, const char*>{schedule.tinit, "t_i"},
                             {schedule.total_step - schedule.tfinal, "T - t_f"}}) {
    s << "<line x1=\"" << px(step) << "\" y1=\"" << top << "\" x2=\"" << px(step) << "\" y2=\"" << top + plot_h
      << "\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n<text x=\"" << px(step) + 3 << "\" y=\"" << top + 12
      << "\" fill=\"#666\">" << label << "</text>\n";
  }
  s << "<polyline fill=\"none\" stroke=\"rgb(8,48,107)\" stroke-width=\"2\" points=\"";
  const int64_t stride = std::max<int64_t>(1, T / 600);
  for (int64_t t = 0; t <= T; t += stride) s << px(static_cast<double>(t)) << "," << py(schedule.at(t).budget) << " ";
  s << "\"/>\n";
  for (const auto& [step, rank] : measured_total_rank) {
    s << "<circle cx=\"" << px(static_cast<double>(step)) << "\" cy=\"" << py(static_cast<double>(rank))
      << "\" r=\"2.5\" fill=\"rgb(203,24,29)\"/>\n";
  }
  s << "<text x=\"" << left - 6 << "\" y=\"" << top + 4 << "\" text-anchor=\"end\">" << schedule.init_bgt << "</text>\n";
  s << "<text x=\"" << left - 6 << "\" y=\"" << py(schedule.target_bgt) + 4 << "\" text-anchor=\"end\">"
    << schedule.target_bgt << "</text>\n";
  s << "<text x=\"" << left + plot_w << "\" y=\"" << height - 25 << "\" text-anchor=\"end\">step (T = " << T
    << ")</text>\n";
  s << "<text x=\"" << left << "\" y=\"" << height - 8 << "\">line: budget b(t) (total kept singular values); "
       "dots: measured total rank</text>\n";
  s << "</svg>\n";
  return s.str();
}

std::string loss_curve_svg(const std::vector<std::pair<int64_t, double>>& points, int64_t total_steps,
                           const std::string& title, const std::string& y_label) {
  const double T = static_cast<double>(std::max<int64_t>(total_steps, 1));
  double lo = 0, hi = 1;
  if (!points.empty()) {
    lo = hi = points.front().second;
    for (const auto& [step, v] : points) lo = std::min(lo, v), hi = std::max(hi, v);
    lo = std::floor(lo), hi = std::max(std::ceil(hi), lo + 1);
  }
  auto px = [&](double step) { return left + plot_w * step / T; };
  auto py = [&](double v) { return top + plot_h * (1.0 - (v - lo) / (hi - lo)); };
  std::ostringstream s;
  line_chart_frame(s, title);
  // Whole-number grid lines with their labels.
  const int64_t step_y = std::max<int64_t>(1, static_cast<int64_t>((hi - lo) / 6));
  for (double v = lo; v <= hi + 1e-9; v += static_cast<double>(step_y)) {
    s << "<line x1=\"" << left << "\" y1=\"" << py(v) << "\" x2=\"" << left + plot_w << "\" y2=\"" << py(v)
      << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 6 << "\" y=\"" << py(v) + 4 << "\" text-anchor=\"end\">" << v
      << "</text>\n";
  }
  s << "<polyline fill=\"none\" stroke=\"rgb(8,48,107)\" stroke-width=\"2\" points=\"";
  for (const auto& [step, v] : points) s << px(static_cast<double>(step)) << "," << py(v) << " ";
  s << "\"/>\n";
  s << "<text x=\"" << left + plot_w << "\" y=\"" << height - 25 << "\" text-anchor=\"end\">step (of " << total_steps
    << ")</text>\n";
  s << "<text x=\"" << left << "\" y=\"" << height - 8 << "\">" << escape_xml(y_label) << "</text>\n";
  s << "</svg>\n";
  return s.str();
}

}  // namespace adalora::train
