// SPDX-License-Identifier: MIT
// The fault matrix: each failure of
// docs/protocols/envoy.md#failure-modes played by the fake Envoy over real HTTPS against
// three daemons at once, one per on_stale mode (silent, zero, last), each with a fake of its
// own. Through the fault and the recovery every transport (HTTP GET and POST, WebSocket, UDP,
// Shelly.GetStatus) is asked every few hundred milliseconds, and every answer is checked:
// per the mode, never a partial reading, never a reading older than stale_after served as
// fresh, never a stale one pushed. Once the fault clears, fresh data must be back within 5 s
// (an unreachable gateway) or within the documented backoff (rejected token, 5xx, bad data;
// an expired token is looked at again every minute); warnings come once per fault.
//
// One test per fault, the three modes in parallel inside it: the 90 s hang runs once.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/envoy_poller.hpp"
#include "integration/fault_matrix.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using envoy::ErrorKind;

constexpr char kFolder[] = "8.3.5169_with_generator";
/// The firmware update: the gateway reboots into another capture.
constexpr char kUpdatedFolder[] = "8.2.4345_with_device_data";
const char* const kModes[] = {"silent", "zero", "last"};

enum class Fault {
    Refused,
    Hang,
    Slow,
    Unauthorized,
    Forbidden,
    Unavailable,
    Html,
    Truncated,
    Reset,
    FirmwareChange,
    ExpiredToken,
    GatewayReplaced,   ///< another TLS peer (own certificate) at the address
    GatewayDowngraded, ///< a plain-HTTP server claiming firmware 5 at the address
};

struct FaultCase {
    const char* name;
    Fault fault;
    std::chrono::milliseconds hold;     ///< how long the fault lasts
    std::chrono::milliseconds every;    ///< probe period while it lasts
    std::optional<ErrorKind> backoff;   ///< whose documented backoff bounds the recovery
    std::chrono::milliseconds recovery; ///< the bound otherwise (or in addition)
};

/// An expired token is looked at again once a minute (EnvoyPoller's token retry).
constexpr auto kTokenRetry = 60s;

const FaultCase kCases[] = {
    {"refused", Fault::Refused, 4s, 250ms, std::nullopt, 5s},
    {"hang_90s", Fault::Hang, 90s, 1s, std::nullopt, 5s},
    {"slow_5s", Fault::Slow, 12s, 250ms, std::nullopt, 5s},
    {"unauthorized_401", Fault::Unauthorized, 4s, 250ms, ErrorKind::Auth, 5s},
    {"forbidden_403", Fault::Forbidden, 4s, 250ms, ErrorKind::Auth, 5s},
    {"unavailable_503", Fault::Unavailable, 4s, 250ms, ErrorKind::Server, 5s},
    {"html_with_200", Fault::Html, 4s, 250ms, ErrorKind::BadData, 5s},
    {"truncated_json", Fault::Truncated, 4s, 250ms, ErrorKind::BadData, 5s},
    {"reset_mid_body", Fault::Reset, 4s, 250ms, std::nullopt, 5s},
    {"firmware_change", Fault::FirmwareChange, 4s, 250ms, std::nullopt, 5s},
    {"expired_token", Fault::ExpiredToken, 4s, 250ms, std::nullopt, kTokenRetry + 5s},
    // Recovery after `meteremu --forget-gateway`: the next /info is due within the trust
    // backoff (10 s at most).
    {"gateway_replaced", Fault::GatewayReplaced, 4s, 250ms, std::nullopt, 15s},
    {"gateway_downgraded", Fault::GatewayDowngraded, 4s, 250ms, std::nullopt, 5s},
};

/// The fake's own certificate, as EnvoyRig made it (the downgrade gives it back).
TlsMaterial OriginalCertificate(MatrixMeter& meter) {
    auto dir = meter.Rig().Dir().Path();
    return {ReadFile(dir / "envoy-cert.pem"), ReadFile(dir / "envoy-key.pem")};
}

/// kFolder claiming firmware 5, which speaks plain HTTP only.
std::filesystem::path LegacyCopy(MatrixMeter& meter) {
    auto copy = meter.Rig().Dir().Path() / "legacy";
    if (std::filesystem::exists(copy)) return copy;
    std::filesystem::copy(EnvoyFolder(kFolder), copy);
    std::string info = ReadFile(copy / "info");
    info.replace(info.find("D8.3.5169"), 9, "D5.0.62");
    std::ofstream(copy / "info", std::ios::trunc) << info;
    return copy;
}

void ForgetGateway(MatrixMeter& meter) {
    RunResult result =
        RunProgram({"/usr/bin/env", "STATE_DIRECTORY=" + meter.Rig().StateDirectory().string(),
                    METEREMU_BINARY, "--forget-gateway"});
    EXPECT_EQ(result.status, 0) << result.err;
}

void Apply(MatrixMeter& meter, Fault fault) {
    FakeEnvoy& envoy = meter.Envoy();
    switch (fault) {
    case Fault::Refused:
    case Fault::FirmwareChange: // the update reboots the gateway
        envoy.SetDown(true);
        if (fault == Fault::FirmwareChange) // the same gateway: its serial stays
            envoy.SetFolder(CopyWithSerial(meter.Rig().Dir().Path(), kUpdatedFolder,
                                           FolderSerial(EnvoyFolder(kFolder))));
        return;
    case Fault::Hang:
        envoy.SetFault({FaultKind::Hang, 0ms, "", -1});
        return;
    case Fault::Slow:
        meter.NoteDelay(5s);
        envoy.SetFault({FaultKind::Delay, 5s, "", -1});
        return;
    case Fault::Unauthorized:
        envoy.SetFault({FaultKind::Unauthorized, 0ms, "", -1});
        return;
    case Fault::Forbidden:
        envoy.SetFault({FaultKind::Forbidden, 0ms, "", -1});
        return;
    case Fault::Unavailable:
        envoy.SetFault({FaultKind::Unavailable, 0ms, "", -1});
        return;
    case Fault::Html:
        envoy.SetFault({FaultKind::Html, 0ms, "", -1});
        return;
    case Fault::Truncated:
        envoy.SetFault({FaultKind::Truncated, 0ms, "", -1});
        return;
    case Fault::Reset:
        envoy.SetFault({FaultKind::Reset, 0ms, "", -1});
        return;
    case Fault::GatewayReplaced: {
        auto other = meter.Rig().Dir().Path() / "replacement";
        std::filesystem::create_directories(other);
        envoy.Replace(MakeSelfSignedCertificate(other));
        return;
    }
    case Fault::GatewayDowngraded:
        envoy.SetFolder(LegacyCopy(meter));
        envoy.Replace(std::nullopt);
        return;
    case Fault::ExpiredToken:
        // The token expires (the daemon was given one that does, see the test), the Envoy
        // takes only a new one and drops its sessions, as it does when a token ends.
        envoy.SetTokens({"eyJ.replaced.token"});
        envoy.ForgetSessions();
        return;
    }
}

void Clear(MatrixMeter& meter, Fault fault, const std::string& new_token) {
    FakeEnvoy& envoy = meter.Envoy();
    switch (fault) {
    case Fault::Refused:
    case Fault::FirmwareChange:
        envoy.SetDown(false);
        return;
    case Fault::ExpiredToken:
        envoy.SetTokens({new_token}); // the owner pastes a new token into token_file
        meter.WriteToken(new_token);
        return;
    case Fault::GatewayReplaced: // the owner accepts the new gateway
        ForgetGateway(meter);
        return;
    case Fault::GatewayDowngraded: // the real gateway is back
        envoy.SetFolder(EnvoyFolder(kFolder));
        envoy.Replace(OriginalCertificate(meter));
        return;
    default:
        envoy.ClearFault();
        return;
    }
}

/// The requests the fake saw between `from` and `to` that failed (anything but a whole 200).
unsigned FailedRequests(MatrixMeter& meter, Clock::time_point from, Clock::time_point to) {
    unsigned failed = 0;
    for (const auto& request : meter.Envoy().Requests())
        if (request.at >= from && request.at <= to && (request.faulted || request.status != 200))
            ++failed;
    return failed;
}

/// For the untrusted peers: requests that carried the token, and readings delivered.
std::pair<unsigned, unsigned> TokensAndReadings(MatrixMeter& meter, Clock::time_point from,
                                                Clock::time_point to) {
    unsigned tokens = 0, readings = 0;
    for (const auto& request : meter.Envoy().Requests())
        if (request.at >= from && request.at <= to) {
            tokens += request.bearer;
            readings += request.path == "/ivp/meters/readings" && request.status == 200;
        }
    return {tokens, readings};
}

/// The warning and error lines of `log` ("<3>", "<4>"; journal priorities).
std::vector<std::string> Complaints(const std::string& log) {
    std::vector<std::string> lines;
    static const std::regex complaint(R"((?:^|\n)(<[0-4]>[^\n]*))");
    for (std::sregex_iterator it(log.begin(), log.end(), complaint), end; it != end; ++it)
        lines.push_back((*it)[1]);
    return lines;
}

void PrintTo(const FaultCase& fault, std::ostream* out) {
    *out << fault.name;
}

class FaultMatrixTest : public testing::TestWithParam<FaultCase> {};

TEST_P(FaultMatrixTest, EveryTransportAnswersPerModeAndRecovers) {
    const FaultCase& fault = GetParam();
    // For the expired token: one that ends a few seconds into the test.
    auto token_end = std::chrono::system_clock::now() + 8s;
    std::string token = fault.fault == Fault::ExpiredToken ? MakeJwt(token_end, "") : YearToken();
    const std::string new_token = YearToken();
    std::vector<std::unique_ptr<MatrixMeter>> meters;
    for (const char* mode : kModes)
        meters.push_back(std::make_unique<MatrixMeter>(mode, kFolder, token));
    std::string folder_after = kFolder;
    if (fault.fault == Fault::FirmwareChange) {
        folder_after = kUpdatedFolder;
        for (auto& meter : meters)
            meter->Expect({PowersOf(kFolder), PowersOf(kUpdatedFolder)});
    }

    // Fresh data first, on every transport.
    auto started = Clock::now();
    for (auto& meter : meters)
        ASSERT_TRUE(WaitUntil([&] { return meter->Recovered(kFolder, started); }, 15s))
            << meter->Mode() << ":\n"
            << meter->Output();
    for (auto& meter : meters)
        meter->ProbeAll();
    if (fault.fault == Fault::ExpiredToken) std::this_thread::sleep_until(token_end + 500ms);

    // The fault: every transport keeps answering per the mode.
    std::vector<size_t> log_start;
    for (auto& meter : meters)
        log_start.push_back(meter->Output().size());
    auto fault_start = Clock::now();
    for (auto& meter : meters)
        Apply(*meter, fault.fault);
    while (Clock::now() - fault_start < fault.hold) {
        auto round = Clock::now();
        for (auto& meter : meters)
            meter->ProbeAll();
        std::this_thread::sleep_until(round + fault.every);
    }

    // The recovery.
    auto cleared = Clock::now();
    for (auto& meter : meters)
        Clear(*meter, fault.fault, new_token);
    std::map<std::string, double> recovery_s;
    auto limit = fault.recovery + 30s;
    for (auto& meter : meters) {
        bool back = WaitUntil([&] { return meter->Recovered(folder_after, cleared); },
                              std::chrono::duration_cast<std::chrono::milliseconds>(
                                  limit - (Clock::now() - cleared)));
        ASSERT_TRUE(back) << meter->Mode() << " never recovered:\n"
                          << meter->Output().substr(log_start[0]);
        recovery_s[meter->Mode()] = std::chrono::duration<double>(Clock::now() - cleared).count();
    }
    for (auto& meter : meters)
        meter->ProbeAll(); // fresh again on every transport
    for (auto& meter : meters)
        meter->FinishUdp();

    for (size_t i = 0; i < meters.size(); ++i) {
        MatrixMeter& meter = *meters[i];
        double seconds = recovery_s[meter.Mode()];
        // The documented bound: 5 s, or the backoff due after the failures seen, plus a poll.
        double bound = std::chrono::duration<double>(fault.recovery).count();
        if (fault.backoff) {
            unsigned failures = FailedRequests(meter, fault_start, cleared);
            bound = std::max(bound, envoy::RetryDelay(*fault.backoff, failures).count() +
                                        kPollInterval + 1.0);
        }
        EXPECT_LE(seconds, bound) << meter.Mode();
        // Logs: each complaint once, however many requests failed.
        std::string log = meter.Output().substr(log_start[i]);
        auto complaints = Complaints(log);
        std::set<std::string> distinct(complaints.begin(), complaints.end());
        EXPECT_EQ(distinct.size(), complaints.size()) << meter.Mode() << ":\n" << log;
        EXPECT_LE(complaints.size(), 3u) << meter.Mode() << ":\n" << log;
        EXPECT_EQ(log.find(new_token), std::string::npos) << "the token was logged";
        if (fault.fault == Fault::GatewayReplaced || fault.fault == Fault::GatewayDowngraded) {
            auto [tokens, readings] = TokensAndReadings(meter, fault_start + 200ms, cleared);
            EXPECT_EQ(tokens, 0u) << meter.Mode() << ": the token reached the untrusted peer";
            EXPECT_EQ(readings, 0u) << meter.Mode() << ": readings taken from it";
            if (fault.fault == Fault::GatewayReplaced) {
                EXPECT_EQ(Occurrences(log, "is not the Envoy meteremu trusts"), 1)
                    << meter.Mode() << ": one error\n"
                    << log;
            }
        }
    }
    std::printf("fault %s: held %.1f s, recovery silent %.2f s, zero %.2f s, last %.2f s; "
                "%d probe rounds per mode; whole test %.1f s\n",
                fault.name, std::chrono::duration<double>(fault.hold).count(), recovery_s["silent"],
                recovery_s["zero"], recovery_s["last"], meters[0]->Probes(),
                std::chrono::duration<double>(Clock::now() - started).count());
    for (const auto& [mode, seconds] : recovery_s)
        RecordProperty("recovery_ms_" + mode, static_cast<int>(seconds * 1000));
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultMatrixTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<FaultCase>& fault) {
                             return std::string(fault.param.name);
                         });

} // namespace
} // namespace meteremu::test
