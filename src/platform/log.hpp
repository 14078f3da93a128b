// SPDX-License-Identifier: MIT
// Log lines on stderr. Under journald (stderr not a terminal) every line starts with its
// syslog priority ("<4>"), so `journalctl -p warning` filters them; on a terminal the
// prefix is left out for readability. Each line names the subsystem ("domain") it is from.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace meteremu::log {

/// The levels map one to one onto syslog priorities.
enum class Level { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

/// A subsystem name, e.g. "http" or "backend/envoy".
struct Domain {
    std::string_view name;
};

void SetLevel(Level level) noexcept;
Level CurrentLevel() noexcept;
bool Enabled(Level level) noexcept;

/// "error", "warning", "notice", "info", "debug" → Level.
std::optional<Level> ParseLevel(std::string_view name) noexcept;
std::string_view LevelName(Level level) noexcept;

/// Forces or forbids the "<N>" priority prefix (default: prefix unless stderr is a tty).
void SetPriorityPrefix(bool enabled) noexcept;

/// Writes one line with a single write(2), so lines from several threads never interleave.
void Write(Level level, const Domain& domain, std::string_view message) noexcept;

template <class... Args>
void Log(Level level, const Domain& domain, const Args&... args) noexcept {
    if (!Enabled(level)) return;
    try {
        std::ostringstream text;
        (text << ... << args);
        Write(level, domain, text.str());
    } catch (...) {
        // Out of memory while formatting a log line: nothing sensible left to do.
    }
}

template <class... Args>
void Error(const Domain& domain, const Args&... args) noexcept {
    Log(Level::Error, domain, args...);
}
template <class... Args>
void Warning(const Domain& domain, const Args&... args) noexcept {
    Log(Level::Warning, domain, args...);
}
template <class... Args>
void Notice(const Domain& domain, const Args&... args) noexcept {
    Log(Level::Notice, domain, args...);
}
template <class... Args>
void Info(const Domain& domain, const Args&... args) noexcept {
    Log(Level::Info, domain, args...);
}
template <class... Args>
void Debug(const Domain& domain, const Args&... args) noexcept {
    Log(Level::Debug, domain, args...);
}

/// Text of an exception and of every exception nested in it, joined by ": ".
std::string DescribeException(const std::exception& error);
std::string DescribeCurrentException() noexcept;

} // namespace meteremu::log
