// SPDX-License-Identifier: MIT
// Gateway trust through the built daemon (README "Gateway pinning"): the first Envoy that
// accepts the token is pinned; another TLS peer at the same address gets no token, its
// readings are not used and one error says what changed and how to accept it; a token or an
// Enlighten request for another serial is never made; no silent fall back to plain HTTP;
// strings from the gateway reach the log without control characters and cut short.
#include "backends/envoy/gateway_pin.hpp"
#include "fakes/fake_enlighten.hpp"
#include "integration/envoy_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

constexpr char kFolder[] = "8.3.5169_with_generator";
constexpr char kSerial[] = "202439990001"; // <sn> of that folder
constexpr char kOtherFolder[] = "8.2.4345_with_device_data";
constexpr char kOtherSerial[] = "122446001637"; // <sn> of that one
constexpr char kChanged[] = "is not the Envoy meteremu trusts";
constexpr char kStatus[] = "/rpc/EM.GetStatus?id=0";

bool Serving(EnvoyRig& rig, std::chrono::milliseconds timeout = 10s) {
    return WaitUntil([&] { return rig.Get(kStatus).status == 200; }, timeout);
}

int BearerRequests(FakeEnvoy& envoy) {
    int count = 0;
    for (const auto& request : envoy.Requests())
        count += request.bearer;
    return count;
}

RunResult ForgetGateway(const EnvoyRig& rig) {
    return RunProgram({"/usr/bin/env", "STATE_DIRECTORY=" + rig.StateDirectory().string(),
                       METEREMU_BINARY, "--forget-gateway"});
}

/// A copy of a capture folder whose /info has `replace` in place of `find`.
std::filesystem::path EditedInfo(const TempDir& dir, const std::string& folder,
                                 const std::string& find, const std::string& replace) {
    auto copy = dir.Path() / "edited";
    std::filesystem::copy(EnvoyFolder(folder), copy);
    std::string info = ReadFile(copy / "info");
    info.replace(info.find(find), find.size(), replace);
    std::ofstream(copy / "info", std::ios::trunc) << info;
    return copy;
}

TEST(GatewayTrust, ReplacedTlsPeerGetsNoTokenUntilTheOwnerAcceptsIt) {
    EnvoyRig rig(EnvoyFolder(kFolder));
    std::string token = YearToken(kSerial);
    rig.StartDaemon(rig.BackendConfig(token, "poll_interval = 0.2\nstale_after = 2\n"));
    ASSERT_TRUE(Serving(rig)) << rig.Output();
    auto pin_file = envoy::GatewayPinPath(rig.StateDirectory());
    auto pin = envoy::LoadGatewayPin(pin_file);
    ASSERT_TRUE(pin) << rig.Output();
    EXPECT_EQ(pin->serial, kSerial);

    // Another device with its own self-signed certificate takes the address.
    TempDir other;
    rig.Envoy().Replace(MakeSelfSignedCertificate(other.Path()));
    rig.Envoy().ClearRequests();
    ASSERT_TRUE(rig.Daemon().process->WaitForOutput(kChanged, 10s)) << rig.Output();
    std::this_thread::sleep_for(3s); // several retries, and past stale_after
    EXPECT_EQ(BearerRequests(rig.Envoy()), 0) << "the token reached the new peer";
    EXPECT_EQ(rig.Envoy().Count("/ivp/meters/readings"), 0);
    EXPECT_EQ(rig.Get(kStatus).status, 503) << "a reading is served without a trusted gateway";
    std::string log = rig.Output();
    EXPECT_EQ(Occurrences(log, kChanged), 1) << log;
    EXPECT_NE(log.find("certificate key " + pin->key + " is now sha256//"), std::string::npos)
        << log;
    EXPECT_NE(log.find("meteremu --forget-gateway"), std::string::npos) << log;
    EXPECT_NE(log.find(pin_file.string()), std::string::npos) << log;

    // The owner accepts the new gateway; the daemon pins it without a restart.
    RunResult forgot = ForgetGateway(rig);
    EXPECT_EQ(forgot.status, 0) << forgot.err;
    EXPECT_NE(forgot.out.find(pin_file.string()), std::string::npos) << forgot.out;
    ASSERT_TRUE(Serving(rig, 20s)) << rig.Output();
    auto new_pin = envoy::LoadGatewayPin(pin_file);
    ASSERT_TRUE(new_pin);
    EXPECT_NE(new_pin->key, pin->key);
    EXPECT_GT(BearerRequests(rig.Envoy()), 0);
    EXPECT_EQ(rig.Output().find(token), std::string::npos) << "the token was printed";
}

TEST(GatewayTrust, AnotherSerialBehindTheSameAddressIsRefused) {
    EnvoyRig rig(EnvoyFolder(kFolder));
    std::string token = YearToken();
    rig.StartDaemon(rig.BackendConfig(token, "poll_interval = 0.2\n"));
    ASSERT_TRUE(Serving(rig)) << rig.Output();
    TempDir other;
    rig.Envoy().Replace(MakeSelfSignedCertificate(other.Path()));
    rig.Envoy().SetFolder(EnvoyFolder(kOtherFolder));
    rig.Envoy().ClearRequests();
    ASSERT_TRUE(rig.Daemon().process->WaitForOutput(kChanged, 10s)) << rig.Output();
    std::this_thread::sleep_for(1s);
    EXPECT_EQ(BearerRequests(rig.Envoy()), 0);
    EXPECT_NE(rig.Output().find(std::string("serial ") + kSerial + " is now " + kOtherSerial),
              std::string::npos)
        << rig.Output();
}

TEST(GatewayTrust, TokenForAnotherSerialIsNeverSent) {
    EnvoyRig rig(EnvoyFolder(kFolder));
    std::string token = YearToken(kOtherSerial);
    rig.StartDaemon(rig.BackendConfig(token, "poll_interval = 0.2\n"));
    ASSERT_TRUE(rig.Daemon().process->WaitForOutput(
        std::string("is for Envoy ") + kOtherSerial + " but this Envoy is " + kSerial, 10s))
        << rig.Output();
    std::this_thread::sleep_for(2s);
    EXPECT_EQ(BearerRequests(rig.Envoy()), 0) << "a token for another Envoy was sent";
    EXPECT_EQ(rig.Get(kStatus).status, 503);
    EXPECT_EQ(rig.Output().find(token), std::string::npos);
}

TEST(GatewayTrust, NoEnlightenTokenForTheSerialAnotherPeerReports) {
    std::string fresh = YearToken(kOtherSerial);
    FakeEnlighten enlighten("owner@example.com", "hunter2", fresh);
    EnvoyRig rig(EnvoyFolder(kFolder));
    std::string token = YearToken(kSerial);
    rig.StartDaemon(rig.BackendConfig(
        token, "poll_interval = 0.2\nusername = \"owner@example.com\"\npassword = "
               "\"hunter2\"\nenlighten_url = \"" +
                   enlighten.Url() + "\"\nentrez_url = \"" + enlighten.Url() + "\"\n"));
    ASSERT_TRUE(Serving(rig)) << rig.Output();
    // A peer that reports another serial and refuses the token.
    TempDir other;
    rig.Envoy().Replace(MakeSelfSignedCertificate(other.Path()));
    rig.Envoy().SetFolder(EnvoyFolder(kOtherFolder));
    rig.Envoy().SetFault({FaultKind::Unauthorized, 0ms, "/auth/check_jwt", -1});
    rig.Envoy().ClearRequests();
    std::this_thread::sleep_for(5s);
    EXPECT_EQ(enlighten.TokenRequests(), 0)
        << "a token was requested for " << enlighten.LastSerial() << ":\n"
        << rig.Output();
    EXPECT_EQ(BearerRequests(rig.Envoy()), 0);
    EXPECT_EQ(rig.Output().find("hunter2"), std::string::npos);
}

TEST(GatewayTrust, NoFallBackToPlainHttpWithATokenAndVerification) {
    // A plain-HTTP server claiming firmware 5 where an HTTPS gateway with a token should be.
    TempDir fixtures;
    auto folder = EditedInfo(fixtures, "7.3.517_system_2", "D7.3.517", "D5.0.62");
    EnvoyRig rig(folder);
    ASSERT_FALSE(rig.Envoy().Tls());
    rig.StartDaemon(rig.BackendConfig(YearToken(), "verify_ssl = true\npoll_interval = 0.2\n"));
    std::this_thread::sleep_for(3s);
    EXPECT_EQ(rig.Get(kStatus).status, 503) << "readings from a plain-HTTP impostor were served";
    EXPECT_EQ(rig.Envoy().Count("/ivp/meters/readings"), 0);
    EXPECT_EQ(rig.Envoy().Count("/info"), 0) << "plain HTTP was tried";
    EXPECT_NE(rig.Output().find("plain HTTP is not tried: a token, ca_file, verify_ssl"),
              std::string::npos)
        << rig.Output();
}

TEST(GatewayTrust, PlainHttpWithoutAllowHttpIsRefusedAndWithItWarned) {
    TempDir fixtures;
    auto folder = EditedInfo(fixtures, "7.3.517_system_2", "D7.3.517", "D5.0.62");
    {
        EnvoyRig rig(folder);
        rig.StartDaemon(rig.BackendConfig("", "poll_interval = 0.2\n"));
        ASSERT_TRUE(rig.Daemon().process->WaitForOutput("set allow_http = true", 10s))
            << rig.Output();
        std::this_thread::sleep_for(1s);
        EXPECT_EQ(rig.Get(kStatus).status, 503);
        EXPECT_EQ(rig.Envoy().Count("/ivp/meters/readings"), 0);
    }
    EnvoyRig rig(folder);
    rig.StartDaemon(rig.BackendConfig("", "allow_http = true\npoll_interval = 0.2\n"));
    ASSERT_TRUE(Serving(rig)) << rig.Output();
    std::string log = rig.Output();
    EXPECT_EQ(Occurrences(log, "readings come over plain HTTP"), 1) << log;
}

TEST(GatewayTrust, GatewayStringsReachTheLogCleanAndShort) {
    TempDir fixtures;
    std::string long_serial(5000, '7');
    auto folder = EditedInfo(fixtures, kFolder, kSerial, long_serial + "\n<3>forged line\x1b[2J");
    std::string info = ReadFile(folder / "info");
    auto pn = info.find("<pn>") + 4;
    info.insert(pn, "\r\x07PN\x01");
    std::ofstream(folder / "info", std::ios::trunc) << info;
    EnvoyRig rig(folder);
    rig.StartDaemon(rig.BackendConfig(YearToken(), "poll_interval = 0.2\n"));
    ASSERT_TRUE(rig.Daemon().process->WaitForOutput("Envoy 777", 10s)) << rig.Output();
    std::this_thread::sleep_for(1s);
    std::string log = rig.Output();
    EXPECT_EQ(log.find('\x1b'), std::string::npos);
    EXPECT_EQ(log.find('\x07'), std::string::npos);
    EXPECT_EQ(log.find('\x01'), std::string::npos);
    EXPECT_EQ(log.find('\r'), std::string::npos);
    EXPECT_EQ(log.find("\n<3>forged line"), std::string::npos) << "a forged journal line";
    EXPECT_EQ(log.find(std::string(65, '7')), std::string::npos) << "an uncapped serial";
    EXPECT_NE(log.find(std::string(64, '7') + "..."), std::string::npos) << log.substr(0, 2000);
}

} // namespace
} // namespace meteremu::test
