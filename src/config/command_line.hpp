// SPDX-License-Identifier: MIT
#pragma once

#include "platform/log.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace meteremu {

struct CommandLine {
    std::string config_path;
    bool config_given = false;
    bool check_config = false;
    bool demo = false;
    bool help = false;
    bool version = false;
    std::optional<log::Level> log_level;
};

/// A command line that cannot be understood; what() says why.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Throws UsageError.
CommandLine ParseCommandLine(int argc, char** argv);

/// The --help text.
std::string HelpText();

} // namespace meteremu
