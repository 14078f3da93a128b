// SPDX-License-Identifier: MIT
#include "config/diagnostics.hpp"

#include <algorithm>

namespace meteremu {
namespace {

std::string Summary(const std::vector<ConfigDiagnostic>& diagnostics) {
    for (const auto& diagnostic : diagnostics)
        if (diagnostic.is_error) return diagnostic.Format();
    return "invalid configuration";
}

} // namespace

std::string ConfigDiagnostic::Format() const {
    std::string text = file;
    if (line > 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
    text += is_error ? ": " : ": warning: ";
    text += message;
    return text;
}

void Diagnostics::Error(std::uint32_t line, std::uint32_t column, std::string message) {
    items_.push_back({file_, line, column, std::move(message), true});
}

void Diagnostics::Warning(std::uint32_t line, std::uint32_t column, std::string message) {
    items_.push_back({file_, line, column, std::move(message), false});
}

bool Diagnostics::HasErrors() const noexcept {
    return std::any_of(items_.begin(), items_.end(), [](const auto& d) { return d.is_error; });
}

ConfigInvalid::ConfigInvalid(std::vector<ConfigDiagnostic> diagnostics)
    : std::runtime_error(Summary(diagnostics)), diagnostics_(std::move(diagnostics)) {}

} // namespace meteremu
