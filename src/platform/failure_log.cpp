// SPDX-License-Identifier: MIT
#include "platform/failure_log.hpp"

namespace meteremu::log {

std::string FormatDuration(std::chrono::steady_clock::duration duration) {
    long long seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
    if (seconds < 60) return std::to_string(seconds) + " s";
    if (seconds < 3600) {
        std::string text = std::to_string(seconds / 60) + " min";
        if (seconds % 60) text += " " + std::to_string(seconds % 60) + " s";
        return text;
    }
    std::string text = std::to_string(seconds / 3600) + " h";
    if (seconds % 3600 / 60) text += " " + std::to_string(seconds % 3600 / 60) + " min";
    return text;
}

void FailureLog::Failed(std::string_view message) noexcept {
    if (failing_) {
        ++count_;
        Debug(domain_, message, " (failure ", count_, " in a row)");
        return;
    }
    failing_ = true;
    count_ = 1;
    since_ = std::chrono::steady_clock::now();
    since_wall_ = std::chrono::system_clock::now();
    Warning(domain_, message);
}

void FailureLog::Recovered(std::string_view message) noexcept {
    if (!failing_) return;
    failing_ = false;
    try {
        Notice(domain_, message, " after ",
               FormatDuration(std::chrono::steady_clock::now() - since_), " (", count_,
               count_ == 1 ? " failed attempt)" : " failed attempts)");
    } catch (...) {
    }
    count_ = 0;
}

} // namespace meteremu::log
