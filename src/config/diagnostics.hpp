// SPDX-License-Identifier: MIT
// Configuration problems, each with the file, line and column it is about, printed the way
// compilers do ("meteremu.toml:12:17: backend.poll_interval: expected ...") so editors can
// jump to them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace meteremu {

struct ConfigDiagnostic {
    std::string file;
    std::uint32_t line = 0; ///< 1-based; 0 when the problem is with the file as a whole
    std::uint32_t column = 0;
    std::string message;
    bool is_error = true;

    /// "FILE:LINE:COLUMN: message", or "FILE:LINE:COLUMN: warning: message".
    std::string Format() const;
};

class Diagnostics {
public:
    explicit Diagnostics(std::string file) : file_(std::move(file)) {}

    void Error(std::uint32_t line, std::uint32_t column, std::string message);
    void Warning(std::uint32_t line, std::uint32_t column, std::string message);

    bool HasErrors() const noexcept;
    const std::vector<ConfigDiagnostic>& Items() const noexcept { return items_; }
    const std::string& File() const noexcept { return file_; }

private:
    std::string file_;
    std::vector<ConfigDiagnostic> items_;
};

/// Thrown when a configuration has at least one error; carries every diagnostic found.
class ConfigInvalid : public std::runtime_error {
public:
    explicit ConfigInvalid(std::vector<ConfigDiagnostic> diagnostics);
    const std::vector<ConfigDiagnostic>& Diagnostics() const noexcept { return diagnostics_; }

private:
    std::vector<ConfigDiagnostic> diagnostics_;
};

} // namespace meteremu
