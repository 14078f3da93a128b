// SPDX-License-Identifier: MIT
#pragma once

#include "platform/log.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace meteremu {

struct CommandLine {
    std::string config_path;
    bool config_given = false;
    bool check_config = false;
    bool demo = false;
    bool forget_gateway = false;
    bool help = false;
    /// `meteremu status`: print the running daemon's state, read over D-Bus.
    bool status = false;
    /// `meteremu marstek-add-ct`: create a meter in the owner's Marstek cloud account.
    bool marstek_add_ct = false;
    /// --ct-type: "HME-4" (CT002) or "HME-3" (CT003).
    std::string ct_type = "HME-4";
    /// --api-url: the Marstek cloud's base URL; empty for the default.
    std::string api_url;
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

struct CommandLineOption {
    std::string long_name; ///< "config" for --config
    char short_name;       ///< 'c' for -c, '\0' when there is none
    bool takes_value;
};

/// Every option ParseCommandLine understands, from the table it parses with (for the test that
/// meteremu(8) documents them all).
std::vector<CommandLineOption> CommandLineOptions();

/// The --help text.
std::string HelpText();

} // namespace meteremu
