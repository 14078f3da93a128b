// SPDX-License-Identifier: MIT
// meteremu-sim: the closed-loop simulator's command line (docs/simulator.md#running).
//   meteremu-sim --scenario NAME [--battery M] [--source S] [--latency S] [--policy P]
//                [--seed N] [--meter shelly|ct002|ct002-active|ct002-active-phase] [--out DIR]
//   meteremu-sim --matrix [--scenarios A,B] [--batteries A,B] [--seeds N] [--jobs N] [--out DIR]
//   meteremu-sim --fleets [--seeds N] [--out DIR]
#include "fleets.hpp"
#include "matrix_runner.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using meteremu::sim::Meter;
using meteremu::sim::RunOptions;

std::vector<std::string> SplitList(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        if (comma > start) items.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return items;
}

std::vector<std::string> Policies(const std::string& text) {
    return text == "all" ? std::vector<std::string>{} : SplitList(text);
}

Meter MeterNamed(const std::string& name) {
    if (name == "shelly") return Meter::Shelly;
    if (name == "ct002") return Meter::Ct002Relay;
    if (name == "ct002-active") return Meter::Ct002Active;
    if (name == "ct002-active-phase") return Meter::Ct002ActivePhase;
    throw std::invalid_argument("expected shelly, ct002, ct002-active or ct002-active-phase, got " +
                                name);
}

const char kUsage[] =
    "usage: meteremu-sim --scenario NAME [--battery M] [--source S] [--latency S]\n"
    "                    [--policy P|all] [--seed N] [--quantum W] [--dropout P] [--csv]\n"
    "                    [--offset W] [--scale S] [--slew-limit W/s] [--out DIR]\n"
    "                    [--meter shelly|ct002|ct002-active|ct002-active-phase]\n"
    "                    [--balance-gain G] [--balance-pace W/s]\n"
    "       (M: a battery model, or several joined by '+', each on phase A unless @B or @C\n"
    "        follows: hmg50+hmg50, hmg50@A+hmg50@B+hmg50@C)\n"
    "       meteremu-sim --matrix [--scenarios A,B] [--batteries A,B] [--sources A,B]\n"
    "                    [--policies A,B] [--seeds N] [--jobs N] [--out DIR]\n"
    "       meteremu-sim --fleets [--seeds N] [--balance-gain G] [--balance-pace W/s]\n"
    "                    [--out DIR]\n"
    "       meteremu-sim --list\n";

using Setter = void (*)(RunOptions&, const std::string&);

/// Every option that takes a value, and what it sets.
const std::pair<const char*, Setter> kOptions[] = {
    {"--scenario", [](RunOptions& o, const std::string& v) { o.matrix.scenarios = {v}; }},
    {"--scenarios", [](RunOptions& o, const std::string& v) { o.matrix.scenarios = SplitList(v); }},
    {"--battery", [](RunOptions& o, const std::string& v) { o.matrix.batteries = SplitList(v); }},
    {"--batteries", [](RunOptions& o, const std::string& v) { o.matrix.batteries = SplitList(v); }},
    {"--source", [](RunOptions& o, const std::string& v) { o.matrix.sources = SplitList(v); }},
    {"--sources", [](RunOptions& o, const std::string& v) { o.matrix.sources = SplitList(v); }},
    {"--latency",
     [](RunOptions& o, const std::string& v) { o.matrix.latencies_s = {std::stod(v)}; }},
    {"--policy", [](RunOptions& o, const std::string& v) { o.matrix.policies = Policies(v); }},
    {"--policies", [](RunOptions& o, const std::string& v) { o.matrix.policies = Policies(v); }},
    {"--seed", [](RunOptions& o, const std::string& v) { o.first_seed = std::stoull(v); }},
    {"--seeds", [](RunOptions& o, const std::string& v) { o.matrix.seeds = std::stoi(v); }},
    {"--jobs", [](RunOptions& o, const std::string& v) { o.jobs = std::stoi(v); }},
    {"--out", [](RunOptions& o, const std::string& v) { o.out = v; }},
    {"--trace-dir", [](RunOptions& o, const std::string& v) { o.trace_dir = v; }},
    {"--quantum",
     [](RunOptions& o, const std::string& v) { o.matrix.overrides.quantum_w = std::stod(v); }},
    {"--offset", [](RunOptions& o,
                    const std::string& v) { o.matrix.overrides.shaping.offset[0] = std::stod(v); }},
    {"--scale", [](RunOptions& o,
                   const std::string& v) { o.matrix.overrides.shaping.scale[0] = std::stod(v); }},
    {"--slew-limit",
     [](RunOptions& o,
        const std::string& v) { o.matrix.overrides.shaping.slew_limit = std::stod(v); }},
    {"--meter",
     [](RunOptions& o, const std::string& v) { o.matrix.overrides.meter = MeterNamed(v); }},
    {"--balance-gain",
     [](RunOptions& o, const std::string& v) { o.matrix.overrides.balance.gain = std::stod(v); }},
    {"--balance-rate",
     [](RunOptions& o,
        const std::string& v) { o.matrix.overrides.balance.balance_rate_w_per_s = std::stod(v); }},
    {"--balance-pace",
     [](RunOptions& o,
        const std::string& v) { o.matrix.overrides.balance.pace_w_per_s = std::stod(v); }},

    {"--dropout",
     [](RunOptions& o,
        const std::string& v) { o.matrix.overrides.dropout_probability = std::stod(v); }},
};

void ApplyOption(RunOptions& options, const std::string& name, const std::string& value) {
    for (const auto& [option, set] : kOptions) {
        if (name != option) continue;
        try {
            set(options, value);
        } catch (const std::logic_error&) { // std::stod and friends
            throw std::invalid_argument(name + ": expected a number, got \"" + value + "\"");
        }
        return;
    }
    throw std::invalid_argument("unknown option " + name);
}

RunOptions ParseArguments(int argc, char** argv) {
    RunOptions options;
    bool single = false;
    for (int index = 1; index < argc; ++index) {
        std::string name = argv[index];
        if (name == "--matrix") {
            options.matrix_mode = true;
            continue;
        }
        if (name == "--list") {
            options.list = true;
            continue;
        }
        if (name == "--fleets") {
            options.fleets = true;
            continue;
        }
        if (name == "--csv") {
            options.write_csv = true;
            continue;
        }
        if (name == "--help" || name == "-h") throw std::invalid_argument("");
        if (index + 1 >= argc) throw std::invalid_argument(name + " needs a value");
        if (name == "--scenario") single = true;
        ApplyOption(options, name, argv[++index]);
    }
    if (!options.matrix_mode && !options.list && !options.fleets && !single)
        throw std::invalid_argument("give --scenario NAME, --matrix, --fleets or --list");
    if (single && !options.matrix_mode) {
        // One cell unless asked for more: the source's own latency, one seed.
        if (options.matrix.sources.size() == 4) options.matrix.sources = {"1s"};
        if (options.matrix.latencies_s.size() == 3) options.matrix.latencies_s = {};
        if (options.matrix.batteries.empty()) options.matrix.batteries = {"hmg50"};
        options.matrix.seeds = 1;
    }
    return options;
}

} // namespace

int main(int argc, char** argv) {
    RunOptions options;
    try {
        options = ParseArguments(argc, argv);
    } catch (const std::exception& error) {
        if (*error.what()) std::fprintf(stderr, "meteremu-sim: %s\n", error.what());
        std::fputs(kUsage, stderr);
        return 64;
    }
    try {
        if (options.list) {
            std::fputs(meteremu::sim::ListNames().c_str(), stdout);
            return 0;
        }
        std::filesystem::create_directories(options.out);
        std::string table =
            options.fleets
                ? meteremu::sim::RunFleets(options.matrix.seeds, options.matrix.overrides.balance,
                                           options.out, options.trace_dir)
                : meteremu::sim::RunMatrix(options);
        std::fputs(table.c_str(), stdout);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "meteremu-sim: %s\n", error.what());
        return 1;
    }
}
