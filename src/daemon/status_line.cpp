// SPDX-License-Identifier: MIT
#include "daemon/status_line.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace meteremu {
namespace {

std::string FormatPower(double watts) {
    char text[32];
    std::snprintf(text, sizeof text, "%+.1f W", std::abs(watts) < 0.05 ? 0.0 : watts);
    return text;
}

std::string FormatClients(std::size_t clients) {
    return std::to_string(clients) + (clients == 1 ? " client" : " clients");
}

/// "zero", or "silent/zero" when the frontends differ.
std::string ServedWhileStale(const std::vector<OnStale>& modes) {
    std::string text;
    for (OnStale mode : modes)
        text += (text.empty() ? "" : "/") + std::string(OnStaleName(mode));
    return text;
}

std::string ReadingPart(const StatusInputs& inputs, SteadyTime now) {
    if (!inputs.latest) return "no reading yet · " + inputs.health;
    Seconds age = now - inputs.latest->received_at;
    std::string age_text = "reading " + FormatAge(age) + " old";
    if (age <= inputs.stale_after)
        return "grid " + FormatPower(inputs.latest->TotalActPower()) + " · " + inputs.health +
               ", " + age_text;
    return "grid stale, serving " + ServedWhileStale(inputs.on_stale) + " · " + inputs.health +
           ", last " + age_text;
}

} // namespace

std::string FormatAge(Seconds age) {
    double seconds = std::max(age.count(), 0.0);
    char text[32];
    if (seconds < 9.95)
        std::snprintf(text, sizeof text, "%.1f s", seconds);
    else if (seconds < 120)
        std::snprintf(text, sizeof text, "%.0f s", seconds);
    else
        std::snprintf(text, sizeof text, "%.0f min", std::floor(seconds / 60));
    return text;
}

std::string FormatStatus(const StatusInputs& inputs, SteadyTime now) {
    return ReadingPart(inputs, now) + " · " + FormatClients(inputs.clients);
}

} // namespace meteremu
