// SPDX-License-Identifier: MIT
// PlotSvg (report.hpp): plain SVG 1.1 text, one polyline per series and panel.
#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace meteremu::sim {
namespace {

constexpr int kWidth = 1000;
constexpr int kPanelHeight = 240;
constexpr int kLeft = 60;
constexpr int kRight = 10;
constexpr int kTop = 30;
constexpr int kPlotHeight = kPanelHeight - 50;

std::string Number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    return text;
}

/// Whole pixels: the polylines hold thousands of points.
std::string Pixel(double value) {
    return std::to_string(static_cast<long>(std::lround(value)));
}

std::string Escape(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        if (c == '<')
            escaped += "&lt;";
        else if (c == '>')
            escaped += "&gt;";
        else if (c == '&')
            escaped += "&amp;";
        else
            escaped += c;
    }
    return escaped;
}

/// The battery power summed over the batteries, per tick.
std::vector<float> BatteryTotal(const RunTrace& trace) {
    std::vector<float> total(trace.grid_w.size(), 0);
    for (const std::vector<float>& power : trace.battery_w)
        for (std::size_t tick = 0; tick < std::min(total.size(), power.size()); ++tick)
            total[tick] += power[tick];
    return total;
}

struct Scale {
    double low, high;
    int top;
    double Y(double watts) const {
        return top + kPlotHeight * (high - watts) / std::max(1.0, high - low);
    }
};

/// Each pixel column's minimum then maximum: an envelope that keeps oscillation visible.
std::string Envelope(const std::vector<float>& values, const Scale& scale, const char* colour) {
    std::string points;
    int columns = kWidth - kLeft - kRight;
    std::size_t size = values.size();
    for (int column = 0; column < columns && size > 0; ++column) {
        std::size_t begin = size * column / columns, end = size * (column + 1) / columns;
        end = std::max(end, begin + 1);
        auto [low, high] =
            std::minmax_element(values.begin() + begin, values.begin() + std::min(end, size));
        std::string x = Pixel(kLeft + column);
        points += x + "," + Pixel(scale.Y(*low)) + " " + x + "," + Pixel(scale.Y(*high)) + " ";
    }
    return "<polyline fill=\"none\" stroke=\"" + std::string(colour) +
           "\" stroke-width=\"1\" points=\"" + points + "\"/>\n";
}

std::string Axes(const Scale& scale, double seconds, const std::string& label) {
    std::string svg;
    int right = kWidth - kRight;
    svg += "<text x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(scale.top - 6) +
           "\" font-size=\"13\">" + Escape(label) + "</text>\n";
    svg += "<rect x=\"" + std::to_string(kLeft) + "\" y=\"" + Number(scale.Y(25)) + "\" width=\"" +
           std::to_string(right - kLeft) + "\" height=\"" + Number(scale.Y(-25) - scale.Y(25)) +
           "\" fill=\"#e8f5e9\"/>\n";
    for (double watts : {scale.low, 0.0, scale.high}) {
        std::string y = Number(scale.Y(watts));
        svg += "<line x1=\"" + std::to_string(kLeft) + "\" y1=\"" + y + "\" x2=\"" +
               std::to_string(right) + "\" y2=\"" + y + "\" stroke=\"#bbb\"/>\n";
        svg += "<text x=\"" + std::to_string(kLeft - 4) + "\" y=\"" + y +
               "\" font-size=\"11\" text-anchor=\"end\">" + Number(watts) + " W</text>\n";
    }
    std::string bottom = Number(scale.Y(scale.low) + 14);
    svg += "<text x=\"" + std::to_string(right) + "\" y=\"" + bottom +
           "\" font-size=\"11\" text-anchor=\"end\">" + Number(seconds) + " s</text>\n";
    return svg;
}

/// The lowest and highest watts of a panel's grid, load and battery power.
std::pair<double, double> Extent(const PlotPanel& panel) {
    const RunTrace& trace = *panel.trace;
    double low = -100, high = 100;
    for (const std::vector<float>& values : {trace.grid_w, trace.load_w, BatteryTotal(trace)}) {
        if (values.empty()) continue;
        auto [least, most] = std::minmax_element(values.begin(), values.end());
        low = std::min(low, double{*least});
        high = std::max(high, double{*most});
    }
    return {low, high};
}

/// One panel on the watts range shared by every panel, so that swings compare by eye.
std::string Panel(const PlotPanel& panel, int index, std::pair<double, double> watts) {
    const RunTrace& trace = *panel.trace;
    Scale scale{watts.first, watts.second, kTop + index * kPanelHeight + 20};
    double seconds = static_cast<double>(trace.grid_w.size()) * trace.tick_s;
    return Axes(scale, seconds, panel.label) + Envelope(trace.load_w, scale, "#999") +
           Envelope(BatteryTotal(trace), scale, "#1565c0") +
           Envelope(trace.grid_w, scale, "#c62828");
}

} // namespace

std::string PlotSvg(const std::string& title, std::span<const PlotPanel> panels) {
    int height = kTop + static_cast<int>(panels.size()) * kPanelHeight + 10;
    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      std::to_string(kWidth) + "\" height=\"" + std::to_string(height) +
                      "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" "
                      "fill=\"white\"/>\n<text x=\"10\" y=\"20\" font-size=\"15\">" +
                      Escape(title) +
                      " — grid (red), house load (grey), battery (blue), ±25 W band "
                      "(green)</text>\n";
    std::pair<double, double> watts{0, 0};
    for (const PlotPanel& panel : panels) {
        auto [low, high] = Extent(panel);
        watts = {std::min(watts.first, low), std::max(watts.second, high)};
    }
    for (std::size_t index = 0; index < panels.size(); ++index)
        svg += Panel(panels[index], static_cast<int>(index), watts);
    return svg + "</svg>\n";
}

} // namespace meteremu::sim
