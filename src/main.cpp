// SPDX-License-Identifier: MIT
// Command line → configuration → daemon; nothing else.
#include "build_config.hpp"
#include "config/command_line.hpp"
#include "config/config_loader.hpp"
#include "config/config_summary.hpp"
#include "daemon/daemon.hpp"
#include "daemon/signals.hpp"
#include "daemon/supervisor.hpp"
#include "platform/log.hpp"
#include "platform/meter_bus_client.hpp"
#include "platform/systemd.hpp"
#if METEREMU_BACKEND_ENVOY
#include "backends/envoy/gateway_pin.hpp"
#endif
#if METEREMU_MARSTEK_CLOUD
#include "frontends/ct002/add_ct_command.hpp"
#endif
#if METEREMU_BACKEND_ENVOY || METEREMU_MARSTEK_CLOUD
#include "util/curl.hpp"
#endif

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string>

namespace {

using namespace meteremu;

constexpr int kExitUsage = 64;  // EX_USAGE
constexpr int kExitConfig = 78; // EX_CONFIG; the unit does not restart on it

constexpr log::Domain kConfigDomain{""};

void LogDiagnostics(const std::vector<ConfigDiagnostic>& diagnostics) {
    for (const auto& diagnostic : diagnostics)
        log::Write(diagnostic.is_error ? log::Level::Error : log::Level::Warning, kConfigDomain,
                   diagnostic.Format());
}

/// Accepting a replaced gateway: the running daemon reads the pin again before it trusts one.
int ForgetGateway() {
#if METEREMU_BACKEND_ENVOY
    auto file = envoy::GatewayPinPath(StateDirectory());
    if (envoy::ForgetGatewayPin(file))
        std::printf("deleted %s: the next Envoy that accepts the token is trusted\n", file.c_str());
    else
        std::printf("no gateway is pinned (%s does not exist)\n", file.c_str());
    return EXIT_SUCCESS;
#else
    throw UsageError("--forget-gateway: this build has no Envoy backend");
#endif
}

/// `meteremu status`: the running daemon's state from the system bus.
int PrintStatus() {
    try {
        std::fputs(FormatMeterStatus(ReadMeterBus(), std::time(nullptr)).c_str(), stdout);
        return EXIT_SUCCESS;
    } catch (const MeterBusReadError& error) {
        std::fprintf(stderr, "meteremu status: %s\n", error.what());
        return EXIT_FAILURE;
    }
}

/// `meteremu marstek-add-ct` (docs/protocols/marstek-cloud.md).
int AddMarstekCt(const CommandLine& line) {
#if METEREMU_MARSTEK_CLOUD
    try {
        return marstek::RunAddCtCommand(line.api_url, line.ct_type, build::kDefaultConfigFile);
    } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("--api-url: ") + error.what());
    }
#else
    (void)line;
    throw UsageError("marstek-add-ct: this build has no Marstek cloud client");
#endif
}

int Main(const CommandLine& line) {
    if (line.help) {
        std::fputs(HelpText().c_str(), stdout);
        return EXIT_SUCCESS;
    }
    if (line.version) {
        std::printf("meteremu %s\n", build::kVersion);
        return EXIT_SUCCESS;
    }
    if (line.forget_gateway) return ForgetGateway();
    if (line.status) return PrintStatus();
    if (line.marstek_add_ct) return AddMarstekCt(line);
    if (line.log_level) log::SetLevel(*line.log_level);
    Config config = line.demo ? DemoConfig() : LoadConfigFile(line.config_path);
    LogDiagnostics(config.warnings);
    if (line.check_config) {
        std::printf("%s: configuration is valid\n", config.source.c_str());
        for (const std::string& summary : SummaryLines(config))
            std::printf("  %s\n", summary.c_str());
        return EXIT_SUCCESS;
    }
    log::SetLevel(line.log_level.value_or(config.log_level));
    // Process-wide set-up while this is the only thread: the signal mask every thread
    // inherits, and the passed sockets (taking them unsets LISTEN_FDS in the environment).
    BlockDaemonSignals();
    systemd::PassedSockets passed = systemd::TakePassedSockets();
    Daemon daemon(std::move(config), line.log_level);
    return Supervisor(daemon).Run(std::move(passed));
}

} // namespace

int main(int argc, char** argv) {
    try {
#if METEREMU_BACKEND_ENVOY || METEREMU_MARSTEK_CLOUD
        meteremu::CurlGlobal curl; // process-wide, while main is the only thread
#endif
        return Main(ParseCommandLine(argc, argv));
    } catch (const UsageError& error) {
        std::fprintf(stderr, "meteremu: %s\n", error.what());
        return kExitUsage;
    } catch (const ConfigInvalid& error) {
        LogDiagnostics(error.Diagnostics());
        return kExitConfig;
    } catch (const std::exception& error) {
        log::Error(log::Domain{"meteremu"}, log::DescribeException(error));
        return EXIT_FAILURE;
    }
}
