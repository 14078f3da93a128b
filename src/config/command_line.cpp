// SPDX-License-Identifier: MIT
#include "config/command_line.hpp"

#include "build_config.hpp"

#include <cstring>
#include <getopt.h>

namespace meteremu {
namespace {

enum Option {
    kConfig = 'c',
    kCheckConfig = 'C',
    kDemo = 'd',
    kForgetGateway = 'F',
    kCtType = 't',
    kApiUrl = 'a',
    kLogLevel = 'l',
    kHelp = 'h',
    kVersion = 'V'
};

// ':' first: getopt_long reports a missing value as ':' rather than '?'.
constexpr const char* kShortOptions = ":c:hV";

constexpr option kOptions[] = {
    {"config", required_argument, nullptr, kConfig},
    {"check-config", no_argument, nullptr, kCheckConfig},
    {"demo", no_argument, nullptr, kDemo},
    {"forget-gateway", no_argument, nullptr, kForgetGateway},
    {"ct-type", required_argument, nullptr, kCtType},
    {"api-url", required_argument, nullptr, kApiUrl},
    {"log-level", required_argument, nullptr, kLogLevel},
    {"help", no_argument, nullptr, kHelp},
    {"version", no_argument, nullptr, kVersion},
    {nullptr, 0, nullptr, 0},
};

log::Level ParseLevelArgument(const char* text) {
    if (auto level = log::ParseLevel(text)) return *level;
    throw UsageError(std::string("--log-level: unknown level '") + text +
                     "'; expected error, warning, notice, info or debug");
}

std::string ParseCtType(const char* text) {
    std::string type = text;
    if (type == "HME-4" || type == "HME-3") return type;
    throw UsageError("--ct-type: unknown type '" + type +
                     "'; expected HME-4 (CT002) or HME-3 (CT003)");
}

/// The command after the options, if any: "status" or "marstek-add-ct".
void ApplyCommand(int argc, char** argv, CommandLine& line) {
    if (optind >= argc) return;
    if (std::strcmp(argv[optind], "status") == 0)
        line.status = true;
    else if (std::strcmp(argv[optind], "marstek-add-ct") == 0)
        line.marstek_add_ct = true;
    else
        return;
    ++optind;
}

void CheckCombinations(const CommandLine& line, bool marstek_options) {
    bool daemon_options =
        line.check_config || line.demo || line.forget_gateway || line.config_given;
    if (line.status && (daemon_options || marstek_options))
        throw UsageError("status reads the running daemon over D-Bus and takes no other option");
    if (line.marstek_add_ct && daemon_options)
        throw UsageError("marstek-add-ct takes no option but --ct-type and --api-url");
    if (marstek_options && !line.marstek_add_ct)
        throw UsageError("--ct-type and --api-url go with marstek-add-ct only");
    if (line.demo && line.config_given)
        throw UsageError("--demo runs without a configuration file; drop --config or --demo");
}

void ApplyOption(int option, CommandLine& line) {
    switch (option) {
    case kConfig:
        line.config_path = optarg;
        line.config_given = true;
        break;
    case kCheckConfig:
        line.check_config = true;
        break;
    case kDemo:
        line.demo = true;
        break;
    case kForgetGateway:
        line.forget_gateway = true;
        break;
    case kCtType:
        line.ct_type = ParseCtType(optarg);
        break;
    case kApiUrl:
        line.api_url = optarg;
        break;
    case kLogLevel:
        line.log_level = ParseLevelArgument(optarg);
        break;
    case kHelp:
        line.help = true;
        break;
    case kVersion:
        line.version = true;
        break;
    default:
        throw UsageError("unknown option; see meteremu --help");
    }
}

} // namespace

CommandLine ParseCommandLine(int argc, char** argv) {
    CommandLine line;
    line.config_path = build::kDefaultConfigFile;
    opterr = 0; // we report errors ourselves, once
    optind = 0; // glibc: 0 also resets getopt's internal state between calls
    int option;
    bool marstek_options = false;
    while ((option = getopt_long(argc, argv, kShortOptions, kOptions, nullptr)) != -1) {
        if (option == ':')
            throw UsageError(std::string("option ") + argv[optind - 1] + " needs a value");
        if (option == '?')
            throw UsageError(std::string("unknown option '") + argv[optind - 1] +
                             "'; see meteremu --help");
        marstek_options = marstek_options || option == kCtType || option == kApiUrl;
        ApplyOption(option, line);
    }
    // getopt_long moved the arguments that are no option to the end: at most the command.
    ApplyCommand(argc, argv, line);
    if (optind < argc)
        throw UsageError(std::string("unexpected argument '") + argv[optind] +
                         "'; see meteremu --help");
    CheckCombinations(line, marstek_options);
    return line;
}

std::vector<CommandLineOption> CommandLineOptions() {
    std::vector<CommandLineOption> options;
    for (const option* entry = kOptions; entry->name; ++entry) {
        bool has_short = std::strchr(kShortOptions + 1, entry->val) != nullptr;
        options.push_back({entry->name, has_short ? static_cast<char>(entry->val) : '\0',
                           entry->has_arg == required_argument});
    }
    return options;
}

std::string HelpText() {
    return std::string(
               // clang-format off
               "Usage: meteremu [OPTION]...\n"
               "       meteremu status\n"
               METEREMU_WITH_MARSTEK_CLOUD(
               "       meteremu marstek-add-ct [--ct-type=TYPE] [--api-url=URL]\n")
               "Make an energy data source look like another energy meter on the LAN:\n"
               "poll an Enphase Envoy and answer as a Shelly Pro 3EM.\n"
               "\n"
               "  status                print the running daemon's state (grid power, the\n"
               "                        reading's age, the source, clients, frontends),\n"
               "                        read over D-Bus; exit 1 when it cannot be reached\n"
               METEREMU_WITH_MARSTEK_CLOUD(
               "  marstek-add-ct        create an emulated CT002 (or CT003) meter in your\n"
               "                        Marstek cloud account, so a battery pairs with it:\n"
               "                        asks for the account's e-mail and password (never\n"
               "                        stored) and prints the ct_mac to configure\n")
               "\n"
               "  -c, --config=PATH     configuration file (default ") +
           // clang-format on
           build::kDefaultConfigFile +
           ")\n"
           "      --check-config    validate the configuration and exit: 0 if it is valid,\n"
           "                        78 with FILE:LINE:COLUMN messages if not\n"
           "      --demo            run the built-in simulated household without a\n"
           "                        configuration file: HTTP on 127.0.0.1:8080, UDP on\n"
           "                        127.0.0.1:11010 and 12220, no mDNS\n"
           // clang-format off
           METEREMU_WITH_BACKEND_ENVOY(
           "      --forget-gateway  delete the pinned Envoy (serial and certificate key) from\n"
           "                        the state directory and exit: the next Envoy that\n"
           "                        accepts the token is trusted (a replaced gateway)\n")
           METEREMU_WITH_MARSTEK_CLOUD(
           "      --ct-type=TYPE    marstek-add-ct: HME-4 for a CT002 (the default) or\n"
           "                        HME-3 for a CT003\n"
           "      --api-url=URL     marstek-add-ct: the Marstek cloud's base URL (default\n"
           "                        https://eu.hamedata.com; https:// only)\n")
           // clang-format on
           "      --log-level=LEVEL error, warning, notice, info or debug; overrides\n"
           "                        log_level in the configuration file\n"
           "  -h, --help            show this help and exit\n"
           "  -V, --version         show the version and exit\n"
           "\n"
           "Signals: SIGTERM and SIGINT stop the daemon.\n"
           "Exit status: 0 success, 1 failure, 64 bad command line, 78 configuration error.\n"
           "See meteremu(8) and meteremu.toml(5).\n";
}

} // namespace meteremu
