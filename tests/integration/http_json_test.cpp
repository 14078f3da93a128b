// SPDX-License-Identifier: MIT
// The built daemon reading a fake JSON meter (tests/fakes/fake_json_meter) with type =
// "http_json": the Pro 3EM capture through the shelly_gen2 preset behind Digest SHA-256 comes
// out of EM.GetStatus over UDP within 1 ms of its arrival; Basic auth with pointers; a wrong
// password is one "auth refused" line and no reading; and each fault (unreachable, auth
// refused, garbage, missing field, a body over the limit, silence) under every on_stale mode.
#include "fakes/fake_json_meter.hpp"
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>
#include <jansson.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>

namespace meteremu::test {
namespace {

using Clock = std::chrono::steady_clock;
using Auth = FakeJsonMeterOptions::Auth;

constexpr char kPro3emCapture[] = "shelly/sigelly_real_pro3em63_fw2.0.0/rpc_EM.GetStatus_id_0.json";
constexpr char kCapturedPower[] = "\"a_act_power\":1387.1,";
constexpr char kPassword[] = "fake-device-pass-7Q";
constexpr double kStaleAfter = 1.0;

/// The Pro 3EM capture with phase a's power replaced.
std::string Pro3emWithPower(double watts) {
    std::string body = Fixture(kPro3emCapture);
    std::size_t at = body.find(kCapturedPower);
    if (at == std::string::npos) throw std::runtime_error("capture changed");
    char text[64];
    std::snprintf(text, sizeof text, "\"a_act_power\":%.1f,", watts);
    return body.replace(at, std::strlen(kCapturedPower), text);
}

/// Phase powers of an EM.GetStatus reply frame; nullopt for anything else.
std::optional<std::array<double, 3>> PhasePowers(const std::string& frame) {
    json_t* root = json_loads(frame.c_str(), 0, nullptr);
    json_t* result = json_object_get(root, "result");
    std::optional<std::array<double, 3>> powers;
    const char* keys[] = {"a_act_power", "b_act_power", "c_act_power"};
    if (json_is_object(result)) {
        powers.emplace();
        for (std::size_t i = 0; i < 3; ++i) {
            json_t* value = json_object_get(result, keys[i]);
            if (!json_is_number(value)) powers.reset();
            if (!powers) break;
            (*powers)[i] = json_number_value(value);
        }
    }
    json_decref(root);
    return powers;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!condition()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

int Occurrences(const std::string& haystack, const std::string& text) {
    int count = 0;
    for (auto at = haystack.find(text); at != std::string::npos; at = haystack.find(text, at + 1))
        ++count;
    return count;
}

class JsonMeterRig {
public:
    JsonMeterRig(FakeJsonMeterOptions options, std::string body)
        : meter_(std::move(options), std::move(body)) {
        std::filesystem::create_directories(dir_.Path() / "state");
    }

    FakeJsonMeter& Meter() { return meter_; }
    const TempDir& Dir() const { return dir_; }

    /// Starts the daemon with these [backend] keys (type added) and one UDP port.
    void Start(const std::string& backend, const std::string& on_stale = "silent") {
        std::string config = "[frontend]\nmac = \"02:00:5E:10:20:40\"\nlisten_address = "
                             "\"127.0.0.1\"\nhttp_port = 0\nudp_ports = [0]\nmdns = false\n"
                             "on_stale = \"" +
                             on_stale + "\"\n" + kAnswerEveryPoll +
                             "\n[backend]\ntype = \"http_json\"\n" + backend;
        auto path = dir_.Write("meteremu.toml", config);
        daemon_ = StartDaemon(path.string(), {"--log-level", "info"}, std::chrono::seconds(10),
                              {"STATE_DIRECTORY=" + (dir_.Path() / "state").string()});
        udp_port_ = daemon_.UdpPorts(1)[0];
    }

    /// One EM.GetStatus over UDP: the reply frame, or nullopt when none came within `wait`.
    std::optional<std::string>
    Ask(std::chrono::milliseconds wait = std::chrono::milliseconds(300)) {
        std::string request =
            R"({"id":)" + std::to_string(++id_) + R"(,"method":"EM.GetStatus","params":{"id":0}})";
        if (!udp_.Send("127.0.0.1", udp_port_, request)) return std::nullopt;
        auto deadline = Clock::now() + wait;
        while (Clock::now() < deadline) {
            auto reply = udp_.Receive(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - Clock::now() + std::chrono::milliseconds(1)));
            if (!reply) return std::nullopt;
            // A late reply to an earlier probe is not this one's.
            if (reply->text.starts_with(R"({"id":)" + std::to_string(id_) + ","))
                return reply->text;
        }
        return std::nullopt;
    }

    /// Waits until phase a reads `watts`.
    bool WaitForPower(double watts, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return WaitFor(
            [&] {
                auto reply = Ask();
                auto powers = reply ? PhasePowers(*reply) : std::nullopt;
                return powers && (*powers)[0] == watts;
            },
            timeout);
    }

    std::string HttpUrl(const std::string& path) const { return daemon_.Url(path); }
    /// Stops the daemon as systemd does (SIGTERM); its exit status.
    int Stop() { return daemon_.process->Stop(SIGTERM); }

    std::string Output() const {
        return daemon_.process ? daemon_.process->Stderr() + daemon_.process->Stdout() : "";
    }

private:
    TempDir dir_;
    FakeJsonMeter meter_;
    RunningDaemon daemon_;
    UdpClient udp_{"127.0.0.1"};
    std::uint16_t udp_port_ = 0;
    int id_ = 0;
};

std::string ShellyBackend(const JsonMeterRig& rig, const std::string& password_file) {
    return "preset = \"shelly_gen2\"\nhost = \"" + const_cast<JsonMeterRig&>(rig).Meter().Host() +
           "\"\npassword_file = \"" + password_file +
           "\"\npoll_interval = 0.2\nstale_after = " + std::to_string(kStaleAfter) + "\n";
}

FakeJsonMeterOptions ShellyWithDigest() {
    FakeJsonMeterOptions options;
    options.auth = Auth::DigestSha256;
    options.password = kPassword;
    return options;
}

TEST(HttpJsonDaemonTest, ServesThePro3emCaptureOverUdpWithin1MsOfItsArrival) {
    JsonMeterRig rig(ShellyWithDigest(), Fixture(kPro3emCapture));
    auto password_file = rig.Dir().Write("shelly.pass", std::string(kPassword) + "\n");
    rig.Start(ShellyBackend(rig, password_file.string()));
    ASSERT_TRUE(rig.WaitForPower(1387.1)) << rig.Output();
    auto powers = PhasePowers(*rig.Ask());
    ASSERT_TRUE(powers);
    EXPECT_EQ(*powers, (std::array<double, 3>{1387.1, 0.0, 0.0}));

    // Each new sample: the first probe sent more than 1 ms after the fake sent it must carry
    // it (counted from the send, a moment before it arrives: the bound is strict).
    std::vector<double> lags_ms;
    for (int sample = 1; sample <= 9; ++sample) {
        double watts = 1000.0 + sample;
        unsigned number = rig.Meter().SetBody(Pro3emWithPower(watts));
        std::optional<Clock::time_point> last_old_probe;
        bool seen = false;
        for (auto deadline = Clock::now() + std::chrono::seconds(5);
             !seen && Clock::now() < deadline;) {
            auto sent = Clock::now();
            auto reply = rig.Ask(std::chrono::milliseconds(100));
            auto now = reply ? PhasePowers(*reply) : std::nullopt;
            seen = now && (*now)[0] == watts;
            if (!seen) last_old_probe = sent;
        }
        ASSERT_TRUE(seen) << "sample " << watts << " never served\n" << rig.Output();
        auto delivered = rig.Meter().DeliveredAt(number);
        ASSERT_TRUE(delivered);
        double lag =
            last_old_probe
                ? std::chrono::duration<double, std::milli>(*last_old_probe - *delivered).count()
                : 0.0;
        lags_ms.push_back(lag);
    }
    // The median is the path's own cost; a single sample may wait a few ms more for the CPU on
    // a loaded machine (the test and the daemon run niced beside other builds), but never
    // more than one source update.
    std::sort(lags_ms.begin(), lags_ms.end());
    double median = lags_ms[lags_ms.size() / 2];
    RecordProperty("median_ms", std::to_string(median));
    RecordProperty("worst_ms", std::to_string(lags_ms.back()));
    EXPECT_LE(median, 1.0) << "probes sent " << median
                           << " ms after a sample arrived still got the old one (median)";
    EXPECT_LE(lags_ms.back(), 200.0) << "worst " << lags_ms.back() << " ms: over one update";
    // EM.GetStatus has no counters: meteremu integrated them and keeps them at stop.
    EXPECT_EQ(rig.Stop(), 0);
    std::string saved = ReadFile(rig.Dir().Path() / "state" / "http_json-energy.json");
    EXPECT_NE(saved.find("\"import_wh\":["), std::string::npos) << saved;
    EXPECT_EQ(saved.find("\"import_wh\":[0.0000,"), std::string::npos) << saved;
    EXPECT_EQ(rig.Output().find(kPassword), std::string::npos);
}

TEST(HttpJsonDaemonTest, BasicAuthWithPointersAndTheSourcesCounters) {
    FakeJsonMeterOptions options;
    options.auth = Auth::Basic;
    options.user = "reader";
    options.password = kPassword;
    options.path = "/api/v1/data";
    JsonMeterRig rig(options, Fixture("http_json/homewizard-p1_v1_api_v1_data_curated.json"));
    rig.Start("url = \"" + rig.Meter().Url() + "\"\nusername = \"reader\"\npassword = \"" +
              kPassword +
              "\"\nauth = \"basic\"\nphase_power = [\"/active_power_l1_w\", "
              "\"/active_power_l2_w\", \"/active_power_l3_w\"]\nimport_energy = "
              "\"/total_power_import_kwh\"\nexport_energy = \"/total_power_export_kwh\"\n"
              "energy_scale = 1000\npoll_interval = 0.2\n");
    ASSERT_TRUE(rig.WaitForPower(-676)) << rig.Output();
    EXPECT_EQ(*PhasePowers(*rig.Ask()), (std::array<double, 3>{-676, 133, 0}));
    // The meter's own counters (kWh), not integrated ones.
    HttpResult energy = HttpGet(rig.HttpUrl("/rpc/EMData.GetStatus?id=0"));
    EXPECT_NE(energy.body.find("\"a_total_act_energy\":13779338.00,"), std::string::npos)
        << energy.body;
    EXPECT_NE(energy.body.find("\"total_act\":13779338.00,"), std::string::npos) << energy.body;
    EXPECT_EQ(rig.Meter().Refused(), 0);
    EXPECT_EQ(rig.Output().find(kPassword), std::string::npos);
}

TEST(HttpJsonDaemonTest, TasmotaTakesItsLoginInTheQueryAndNeverShowsIt) {
    FakeJsonMeterOptions options;
    options.auth = Auth::TasmotaQuery;
    options.password = kPassword;
    options.path = "/cm";
    JsonMeterRig rig(options, Fixture("http_json/tasmota_status_sml_3phase_syssi_sortedkeys.json"));
    rig.Start("preset = \"tasmota\"\nhost = \"" + rig.Meter().Host() +
              "\"\nsml_meter = \"SML\"\nsml_power = \"curr_w\"\nsml_import_energy = "
              "\"total_kwh\"\nsml_export_energy = \"export_total_kwh\"\npassword = \"" +
              kPassword + "\"\npoll_interval = 0.2\n");
    ASSERT_TRUE(rig.WaitForPower(-141)) << rig.Output();
    EXPECT_EQ(rig.Meter().Refused(), 0);
    HttpResult energy = HttpGet(rig.HttpUrl("/rpc/EMData.GetStatus?id=0"));
    EXPECT_NE(energy.body.find("\"total_act_ret\":406313.80"), std::string::npos) << energy.body;
    rig.Meter().SetPassword("changed");
    ASSERT_TRUE(WaitFor([&] { return rig.Meter().Refused() >= 1; }, std::chrono::seconds(5)));
    ASSERT_TRUE(WaitFor([&] { return Occurrences(rig.Output(), "auth refused") == 1; },
                        std::chrono::seconds(5)));
    EXPECT_EQ(rig.Output().find(kPassword), std::string::npos) << rig.Output();
}

TEST(HttpJsonDaemonTest, AWrongPasswordIsOneAuthRefusedLineAndNoReading) {
    JsonMeterRig rig(ShellyWithDigest(), Fixture(kPro3emCapture));
    auto password_file = rig.Dir().Write("shelly.pass", "not-the-password\n");
    rig.Start(ShellyBackend(rig, password_file.string()));
    ASSERT_TRUE(WaitFor([&] { return rig.Meter().Refused() >= 4; }, std::chrono::seconds(10)))
        << rig.Output();
    EXPECT_FALSE(rig.Ask()) << "a reading without the device's data";
    std::string output = rig.Output();
    EXPECT_EQ(Occurrences(output, "auth refused"), 1) << output;
    EXPECT_EQ(rig.Meter().Served(), 0);
    EXPECT_EQ(output.find("not-the-password"), std::string::npos) << output;
    // The device's password changes to the one configured: readings come back.
    rig.Meter().SetPassword("not-the-password");
    ASSERT_TRUE(rig.WaitForPower(1387.1)) << rig.Output();
    EXPECT_NE(rig.Output().find("are back"), std::string::npos);
}

/// Every fault, one after another, under one on_stale mode: once stale the UDP answer is the
/// mode's (nothing, zeros, or the last reading), and each fault is one warning line.
class HttpJsonFaultTest : public ::testing::TestWithParam<std::string> {};

struct FaultCase {
    const char* name;
    const char* log_words;
    std::function<void(FakeJsonMeter&)> apply;
    std::function<void(FakeJsonMeter&)> clear;
};

std::vector<FaultCase> FaultCases() {
    return {
        {"unreachable", "cannot reach", [](FakeJsonMeter& m) { m.SetDown(true); },
         [](FakeJsonMeter& m) { m.SetDown(false); }},
        {"auth refused", "auth refused", [](FakeJsonMeter& m) { m.SetPassword("rotated"); },
         [](FakeJsonMeter& m) { m.SetPassword(kPassword); }},
        {"garbage", "unparsable payload",
         [](FakeJsonMeter& m) { m.SetFault(FakeJsonMeter::Fault::Garbage); },
         [](FakeJsonMeter& m) { m.SetFault(FakeJsonMeter::Fault::None); }},
        {"missing field", "missing field", [](FakeJsonMeter& m) { m.SetBody(R"({"id":0})"); },
         [](FakeJsonMeter&) {}},
        {"oversized", "larger than",
         [](FakeJsonMeter& m) {
             m.SetBody(R"({"pad":")" + std::string(300 * 1024, 'x') + R"("})");
         },
         [](FakeJsonMeter&) {}},
        {"silence", "timed out", [](FakeJsonMeter& m) { m.SetFault(FakeJsonMeter::Fault::Hang); },
         [](FakeJsonMeter& m) { m.SetFault(FakeJsonMeter::Fault::None); }},
    };
}

TEST_P(HttpJsonFaultTest, EachFaultGoesStaleTheModesWayAndRecovers) {
    const std::string mode = GetParam();
    JsonMeterRig rig(ShellyWithDigest(), Pro3emWithPower(500));
    auto password_file = rig.Dir().Write("shelly.pass", kPassword);
    rig.Start(ShellyBackend(rig, password_file.string()), mode);
    ASSERT_TRUE(rig.WaitForPower(500)) << rig.Output();
    double last = 500;
    for (const FaultCase& fault : FaultCases()) {
        SCOPED_TRACE(mode + ", " + fault.name);
        fault.apply(rig.Meter());
        std::this_thread::sleep_for(
            std::chrono::milliseconds(static_cast<int>(kStaleAfter * 1000) + 700));
        auto reply = rig.Ask();
        auto powers = reply ? PhasePowers(*reply) : std::nullopt;
        if (mode == "silent") {
            EXPECT_FALSE(reply) << *reply;
        } else {
            ASSERT_TRUE(powers) << (reply ? *reply : "no reply");
            double expected = mode == "zero" ? 0.0 : last;
            EXPECT_EQ(*powers, (std::array<double, 3>{expected, 0.0, 0.0}));
        }
        // A hung request is only a failure once its timeout passes.
        EXPECT_TRUE(WaitFor([&] { return Occurrences(rig.Output(), fault.log_words) > 0; },
                            std::chrono::seconds(8)));
        EXPECT_EQ(Occurrences(rig.Output(), fault.log_words), 1) << rig.Output();
        fault.clear(rig.Meter());
        last += 1;
        rig.Meter().SetBody(Pro3emWithPower(last));
        ASSERT_TRUE(rig.WaitForPower(last, std::chrono::seconds(15))) << rig.Output();
    }
    EXPECT_EQ(rig.Output().find(kPassword), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(OnStale, HttpJsonFaultTest, ::testing::Values("silent", "zero", "last"));

} // namespace
} // namespace meteremu::test
