// report.cpp: the text table, the CSV and the SVG plots. See report.hpp.
#include "report.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <set>

namespace ipcbench {

const Cell *find_cell(const Results &r, const std::string &mechanism, const std::string &kind,
                      size_t size) {
  for (const auto &c : r.cells)
    if (c.mechanism == mechanism && c.kind == kind && c.size == size) return &c;
  return nullptr;
}

std::string size_label(size_t n) {
  if (n >= (1u << 20) && n % (1u << 20) == 0) return fmt::format("{} MiB", n >> 20);
  if (n >= 1024 && n % 1024 == 0) return fmt::format("{} KiB", n >> 10);
  return fmt::format("{} B", n);
}

std::string num(double v) {
  double a = std::fabs(v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 10) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  if (a >= 0.1) return fmt::format("{:.3f}", v);
  return fmt::format("{:.4f}", v);
}

namespace {

// "median [min .. max]" of a cell of this kind, "n/a", or "-" when the kind does not apply.
std::string spread(const Cell *c) {
  if (!c) return fmt::format("{:>7}", "-");
  if (!c->stats) return fmt::format("{:>7}", "n/a");
  return fmt::format("{:>7} [{} .. {}]", num(c->stats->median), num(c->stats->min), num(c->stats->max));
}

// The sizes any cell of `mechanism` has, ascending.
std::vector<size_t> sizes_of(const Results &r, const std::string &mechanism) {
  std::set<size_t> s;
  for (const auto &c : r.cells)
    if (c.mechanism == mechanism && (c.kind == "latency" || c.kind == "throughput")) s.insert(c.size);
  return {s.begin(), s.end()};
}

// A CSV field, quoted when it holds a comma or a quote.
std::string csv_field(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

// Text made safe for XML.
std::string xml(const std::string &s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

// How one line of a plot looks.
struct Style {
  std::string color;
  std::string dash;  // stroke-dasharray, empty for solid
  double width;
};

// Each row's style: a fixed color per IPC mechanism, black and grey for the references.
Style style_of(const Results &r, const std::string &mechanism) {
  static const char *palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                  "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  if (mechanism == r.memcpy_row) return {"#000000", "8 4", 2.5};
  if (mechanism.rfind("memcpy", 0) == 0) return {"#999999", "2 3", 1.5};
  if (mechanism == "spin") return {"#555555", "10 3 2 3", 2};
  if (mechanism == "futex") return {"#000000", "8 4", 2};
  const auto &all = all_mechanisms();
  for (size_t i = 0; i < all.size(); ++i)
    if (mechanism == all[i].name) return {palette[i % std::size(palette)], "", 2};
  return {"#bcbd22", "", 2};
}

// The legend's words for a row.
std::string legend_label(const Results &r, const std::string &mechanism, const std::string &kind) {
  std::string label = mechanism;
  if (mechanism == r.memcpy_row) label += " (1 core, same routine)";
  else if (mechanism.rfind("memcpy", 0) == 0) label += " (1 core, not used)";
  else if (mechanism == "spin") label += " (ring, busy-wait)";
  else if (mechanism == "futex") label += " (0 B wake-up pair)";
  for (const auto &c : r.cells)
    if (c.mechanism == mechanism && c.kind == kind && !c.stats)
      return label + fmt::format(" (n/a from {})", size_label(c.size));
  return label;
}

// A decade's label: 0.001, 0.1, 1, 10, 1000.
std::string decade_label(int d) {
  if (d >= 0) return "1" + std::string(static_cast<size_t>(d), '0');
  return "0." + std::string(static_cast<size_t>(-d - 1), '0') + "1";
}

// Plot geometry: the plot area inside the picture, and both log axes.
struct Frame {
  double left = 90, top = 78, right = 720, bottom = 520;
  double x_lo = 0, x_hi = 1;  // log2 of the size range
  int y_lo = 0, y_hi = 1;     // log10 decades
  double x(size_t size) const {
    return left + (std::log2(static_cast<double>(size)) - x_lo) / (x_hi - x_lo) * (right - left);
  }
  double y(double v) const {
    return bottom - (std::log10(v) - y_lo) / (y_hi - y_lo) * (bottom - top);
  }
};

// The frame that holds every positive value of these cells.
Frame frame_for(const std::vector<const Cell *> &cells) {
  Frame f;
  double lo = 1e300, hi = 0;
  size_t smin = SIZE_MAX, smax = 0;
  for (const Cell *c : cells) {
    if (!c->stats || c->stats->min <= 0) continue;
    lo = std::min(lo, c->stats->min);
    hi = std::max(hi, c->stats->max);
    if (c->size > 0) {
      smin = std::min(smin, c->size);
      smax = std::max(smax, c->size);
    }
  }
  if (hi <= 0) lo = 1, hi = 10;
  if (smax == 0) smin = 64, smax = 1 << 20;
  f.x_lo = std::log2(static_cast<double>(smin)) - 0.4;
  f.x_hi = std::log2(static_cast<double>(smax)) + 0.4;
  f.y_lo = static_cast<int>(std::floor(std::log10(lo)));
  f.y_hi = static_cast<int>(std::ceil(std::log10(hi)));
  if (f.y_hi <= f.y_lo) f.y_hi = f.y_lo + 1;
  return f;
}

// The grid, its labels and the axis titles.
std::string svg_axes(const Frame &f, const std::vector<size_t> &sizes, const std::string &y_title) {
  std::string s;
  for (int d = f.y_lo; d <= f.y_hi; ++d) {
    double v = std::pow(10.0, d);
    s += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#bbbbbb" stroke-width="1"/>)"
                     "\n",
                     f.left, f.y(v), f.right, f.y(v));
    s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="12" text-anchor="end" fill="#333333">{}</text>)"
                     "\n",
                     f.left - 8, f.y(v) + 4, decade_label(d));
    if (d == f.y_hi) break;
    for (int k : {2, 5})
      s += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#e5e5e5" stroke-width="1"/>)"
                       "\n",
                       f.left, f.y(k * v), f.right, f.y(k * v));
  }
  for (size_t n : sizes) {
    s += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#e5e5e5" stroke-width="1"/>)"
                     "\n",
                     f.x(n), f.top, f.x(n), f.bottom);
    s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="12" text-anchor="middle" fill="#333333">{}</text>)"
                     "\n",
                     f.x(n), f.bottom + 18, xml(size_label(n)));
  }
  s += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="none" stroke="#333333" stroke-width="1"/>)"
                   "\n",
                   f.left, f.top, f.right - f.left, f.bottom - f.top);
  s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="13" text-anchor="middle" fill="#000000">message size (log scale)</text>)"
                   "\n",
                   (f.left + f.right) / 2, f.bottom + 42);
  s += fmt::format(R"svg(<text x="22" y="{:.1f}" font-size="13" text-anchor="middle" fill="#000000" transform="rotate(-90 22 {:.1f})">{}</text>)svg"
                   "\n",
                   (f.top + f.bottom) / 2, (f.top + f.bottom) / 2, xml(y_title));
  return s;
}

// One row's line: a polyline through its medians, min..max bars and dots.
std::string svg_series(const Frame &f, const std::string &mechanism, const Style &st,
                       const std::vector<const Cell *> &cells) {
  std::string points, marks;
  for (const Cell *c : cells) {
    if (!c->stats || c->stats->min <= 0) continue;
    double x = f.x(c->size);
    points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", x, f.y(c->stats->median));
    marks += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="1.2" stroke-opacity="0.6"/>)"
                         "\n",
                         x, f.y(c->stats->min), x, f.y(c->stats->max), st.color);
    marks += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" fill="{}"/>)"
                         "\n",
                         x, f.y(c->stats->median), st.color);
  }
  std::string dash = st.dash.empty() ? "" : fmt::format(R"( stroke-dasharray="{}")", st.dash);
  return fmt::format(R"(<polyline id="series-{}" fill="none" stroke="{}" stroke-width="{}"{} points="{}"/>)"
                     "\n",
                     xml(mechanism), st.color, st.width, dash, points) +
         marks;
}

// A horizontal reference line across the plot (the futex round trip).
std::string svg_level(const Frame &f, const std::string &mechanism, const Style &st, const Cell &c) {
  if (!c.stats || c.stats->median <= 0)
    return fmt::format(R"(<polyline id="series-{}" fill="none" stroke="{}" points=""/>)"
                       "\n",
                       xml(mechanism), st.color);
  double y = f.y(c.stats->median);
  return fmt::format(R"(<polyline id="series-{}" fill="none" stroke="{}" stroke-width="{}" stroke-dasharray="{}" points="{:.1f},{:.1f} {:.1f},{:.1f}"/>)"
                     "\n",
                     xml(mechanism), st.color, st.width, st.dash, f.left, y, f.right, y);
}

}  // namespace

std::string text_table(const Results &r) {
  std::string s = fmt::format("{:<13} {:>7}   {:<27} {:<27} {}\n", "mechanism", "size",
                              "round trip, us", "throughput, GB/s", "note");
  s += fmt::format("{:<13} {:>7}   {:<27} {:<27}\n", "", "", "median [min .. max]", "median [min .. max]");
  for (const auto &m : r.order) {
    for (size_t n : sizes_of(r, m)) {
      const Cell *lat = find_cell(r, m, "latency", n);
      const Cell *thr = find_cell(r, m, "throughput", n);
      std::string note;
      for (const Cell *c : {lat, thr})
        if (c && !c->note.empty() && note.find(c->note) == std::string::npos)
          note += (note.empty() ? "" : "; ") + c->note;
      s += fmt::format("{:<13} {:>7}   {:<27} {:<27} {}\n", m, size_label(n), spread(lat), spread(thr),
                       note);
    }
    s += "\n";
  }
  return s;
}

std::string csv(const Results &r) {
  std::string s = "kind,mechanism,size_bytes,trials,median,min,q1,q3,max,unit,copy,note\n";
  for (const auto &c : r.cells) {
    bool latency = c.kind.size() >= 7 && c.kind.compare(c.kind.size() - 7, 7, "latency") == 0;
    std::string unit = latency ? "us" : "GB/s";
    if (c.stats)
      s += fmt::format("{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{}\n", c.kind, c.mechanism,
                       c.size, c.stats->trials, c.stats->median, c.stats->min, c.stats->q1, c.stats->q3,
                       c.stats->max, unit, c.copy, csv_field(c.note));
    else
      s += fmt::format("{},{},{},0,,,,,,{},{},{}\n", c.kind, c.mechanism, c.size, unit, c.copy,
                       csv_field(c.note.empty() ? "n/a" : "n/a: " + c.note));
  }
  return s;
}

std::string svg_plot(const Results &r, const std::string &kind) {
  bool thr = kind == "throughput";
  // The rows that have cells of this kind, and those cells.
  std::vector<std::pair<std::string, std::vector<const Cell *>>> rows;
  std::vector<const Cell *> all;
  std::set<size_t> sizes;
  for (const auto &m : r.order) {
    std::vector<const Cell *> cells;
    for (const auto &c : r.cells)
      if (c.mechanism == m && c.kind == kind) cells.push_back(&c);
    if (cells.empty()) continue;
    std::sort(cells.begin(), cells.end(), [](const Cell *a, const Cell *b) { return a->size < b->size; });
    for (const Cell *c : cells) {
      all.push_back(c);
      if (c->stats && c->size > 0) sizes.insert(c->size);
    }
    rows.emplace_back(m, cells);
  }
  Frame f = frame_for(all);
  const double width = 1000, height = 600;
  std::string s = R"(<?xml version="1.0" encoding="UTF-8"?>)"
                  "\n";
  s += fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">)"
                   "\n",
                   width, height);
  s += fmt::format(R"(<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>)"
                   "\n",
                   width, height);
  std::string title = thr ? "ipcbench: one-way throughput against message size"
                          : "ipcbench: round-trip latency against message size";
  s += fmt::format(R"(<text x="{:.1f}" y="28" font-size="18" font-weight="bold" text-anchor="middle" fill="#000000">{}</text>)"
                   "\n",
                   width / 2, xml(title));
  std::string sub = fmt::format("dots: medians; bars: min..max over the trials; both axes logarithmic; "
                                "shm copies with {}",
                                r.copy_used);
  s += fmt::format(R"(<text x="{:.1f}" y="48" font-size="12" text-anchor="middle" fill="#333333">{}</text>)"
                   "\n",
                   width / 2, xml(sub));
  s += fmt::format(R"(<text x="{:.1f}" y="64" font-size="11" text-anchor="middle" fill="#555555">{}</text>)"
                   "\n",
                   width / 2, xml(r.machine));
  s += svg_axes(f, {sizes.begin(), sizes.end()},
                thr ? "throughput, GB/s (10⁹ bytes/s, log scale)" : "round trip, microseconds (log scale)");
  double ly = f.top + 10;
  for (const auto &[m, cells] : rows) {
    Style st = style_of(r, m);
    bool level = cells.size() == 1 && cells[0]->size == 0;
    s += level ? svg_level(f, m, st, *cells[0]) : svg_series(f, m, st, cells);
    std::string dash = st.dash.empty() ? "" : fmt::format(R"( stroke-dasharray="{}")", st.dash);
    s += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="{}"{}/>)"
                     "\n",
                     f.right + 18, ly, f.right + 46, ly, st.color, st.width, dash);
    s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="12" fill="#000000">{}</text>)"
                     "\n",
                     f.right + 52, ly + 4, xml(legend_label(r, m, kind)));
    ly += 22;
  }
  s += "</svg>\n";
  return s;
}

}  // namespace ipcbench
