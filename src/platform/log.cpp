// SPDX-License-Identifier: MIT
#include "platform/log.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <exception>
#include <unistd.h>

namespace meteremu::log {
namespace {

std::atomic<Level> current_level{Level::Info};

// -1: decide on first use (prefix unless stderr is a terminal), 0: never, 1: always.
std::atomic<int> prefix_mode{-1};

bool UsePrefix() noexcept {
    int mode = prefix_mode.load(std::memory_order_relaxed);
    if (mode < 0) {
        mode = isatty(STDERR_FILENO) ? 0 : 1;
        prefix_mode.store(mode, std::memory_order_relaxed);
    }
    return mode == 1;
}

constexpr std::array<std::string_view, 5> kNames{"error", "warning", "notice", "info", "debug"};

void WriteAll(std::string_view data) noexcept {
    while (!data.empty()) {
        ssize_t n = ::write(STDERR_FILENO, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        data.remove_prefix(static_cast<size_t>(n));
    }
}

void AppendNested(std::string& out, const std::exception& error) {
    out += error.what();
    try {
        std::rethrow_if_nested(error);
    } catch (const std::exception& nested) {
        out += ": ";
        AppendNested(out, nested);
    } catch (...) {
        out += ": unknown error";
    }
}

} // namespace

void SetLevel(Level level) noexcept {
    current_level.store(level, std::memory_order_relaxed);
}

Level CurrentLevel() noexcept {
    return current_level.load(std::memory_order_relaxed);
}

bool Enabled(Level level) noexcept {
    return static_cast<int>(level) <= static_cast<int>(CurrentLevel());
}

std::optional<Level> ParseLevel(std::string_view name) noexcept {
    for (size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name)
            return static_cast<Level>(static_cast<int>(Level::Error) + static_cast<int>(i));
    return std::nullopt;
}

std::string_view LevelName(Level level) noexcept {
    return kNames[static_cast<size_t>(static_cast<int>(level) - static_cast<int>(Level::Error))];
}

void SetPriorityPrefix(bool enabled) noexcept {
    prefix_mode.store(enabled ? 1 : 0);
}

void Write(Level level, const Domain& domain, std::string_view message) noexcept {
    try {
        std::string line;
        line.reserve(message.size() + domain.name.size() + 8);
        if (UsePrefix()) {
            line += '<';
            line += static_cast<char>('0' + static_cast<int>(level));
            line += '>';
        }
        if (!domain.name.empty()) {
            line += domain.name;
            line += ": ";
        }
        // journald starts a new entry at every newline; keep one message on one line.
        for (char c : message)
            line += (c == '\n' || c == '\r') ? ' ' : c;
        line += '\n';
        WriteAll(line);
    } catch (...) {
        WriteAll(message);
    }
}

std::string DescribeException(const std::exception& error) {
    std::string text;
    AppendNested(text, error);
    return text;
}

std::string DescribeCurrentException() noexcept {
    try {
        throw;
    } catch (const std::exception& error) {
        return DescribeException(error);
    } catch (...) {
        return "unknown error";
    }
}

} // namespace meteremu::log
