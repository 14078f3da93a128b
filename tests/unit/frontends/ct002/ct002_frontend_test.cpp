// SPDX-License-Identifier: MIT
// type = "ct002" behind its real UDP server, polled as Marstek batteries poll it: the grid
// per phase, the batteries counted and summed per bucket, the CT MAC filter, the reply index,
// freshness, and the keys of its [frontend] table.
#include "config/config_loader.hpp"
#include "frontends/ct002/ct002_frame.hpp"
#include "frontends/ct002/ct002_frontend.hpp"
#include "support/meter_servers.hpp"
#include "unit/frontends/ct002/ct002_client.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

namespace meteremu {
namespace {

using namespace std::chrono_literals;
using ct002::Phase;

using test::kCtMac;
using test::MakeReading;
using test::Options;
using Battery = test::CtBattery;

TEST(Ct002FrontendTest, ReplyCarriesTheGridAndTheBatteriesOnEachPhase) {
    // mode = "relay": as a real CT002, with two batteries on one phase too.
    test::MeterServers servers(ct002_frontend_plugin, Options(true, Ct002Mode::Relay),
                               OnStale::Silent, true);
    servers.state->Publish(MakeReading(400.4, -120.6, 35.0));
    Battery first(servers, "aabbccddee01"), second(servers, "aabbccddee02");
    ASSERT_TRUE(first.Poll(Phase::A, 250));
    auto reply = second.Poll(Phase::A, -60);
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->size(), 24u);
    EXPECT_EQ((*reply)[0], "HME-4");
    EXPECT_EQ((*reply)[1], "02b250a1b2c3");
    EXPECT_EQ((*reply)[2], "HMG-50");
    EXPECT_EQ((*reply)[3], "aabbccddee02");
    EXPECT_EQ(std::vector(reply->begin() + 4, reply->begin() + 8),
              (std::vector<std::string>{"400", "-121", "35", "314"}));
    // Two batteries on A, each divides A's value by 2.
    EXPECT_EQ(std::vector(reply->begin() + 8, reply->begin() + 12),
              (std::vector<std::string>{"2", "0", "0", "0"}));
    EXPECT_EQ((*reply)[12], "-50");
    // Charging: x, A, B, C, ABC; then discharging.
    EXPECT_EQ(std::vector(reply->begin() + 14, reply->end()),
              (std::vector<std::string>{"0", "-60", "0", "0", "0", "0", "250", "0", "0", "0"}));
}

TEST(Ct002FrontendTest, TheStatusPageListsTheBatteriesOfEachMeter) {
    test::MeterServers servers(ct002_frontend_plugin, Options(), OnStale::Silent, true);
    servers.state->Publish(MakeReading(400, 0, 0));
    Battery first(servers, "aabbccddee01"), second(servers, "aabbccddee02");
    ASSERT_TRUE(first.Poll(Phase::A, 250));
    ASSERT_TRUE(second.Poll(Phase::Detecting, -60, "02b250a1b2c3", "HMJ-2"));
    std::string text = servers.bundle->UdpStatusJson(std::chrono::steady_clock::now());
    json_error_t error;
    JsonPtr root(json_loads(text.c_str(), 0, &error));
    ASSERT_TRUE(root) << error.text << "\n" << text;
    json_t* meter = json_array_get(json_object_get(root.get(), "meters"), 0);
    EXPECT_STREQ(json_string_value(json_object_get(meter, "ct_mac")), "02b250a1b2c3");
    json_t* batteries = json_object_get(meter, "batteries");
    ASSERT_EQ(json_array_size(batteries), 2u);
    json_t* detecting = json_array_get(batteries, 1);
    EXPECT_STREQ(json_string_value(json_object_get(detecting, "type")), "HMJ-2");
    EXPECT_STREQ(json_string_value(json_object_get(detecting, "mac")), "aabbccddee02");
    EXPECT_STREQ(json_string_value(json_object_get(detecting, "phase")), "detecting");
    EXPECT_EQ(json_integer_value(json_object_get(detecting, "power_w")), -60);
    EXPECT_TRUE(json_is_null(json_object_get(detecting, "poll_interval_s"))); // one poll yet
    // One battery regulates: relay mode, nobody steered.
    EXPECT_STREQ(json_string_value(json_object_get(meter, "mode")), "relay");
    EXPECT_TRUE(json_is_null(json_object_get(json_array_get(batteries, 0), "target_w")));
}

TEST(Ct002FrontendTest, EveryReplyHasTheNextIndex) {
    test::MeterServers servers(ct002_frontend_plugin, Options(), OnStale::Silent, true);
    servers.state->Publish(MakeReading(10, 0, 0));
    Battery battery(servers, "aabbccddee01");
    auto first = battery.Poll(Phase::A, 0);
    auto second = battery.Poll(Phase::A, 0);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(std::stoi((*second)[13]), (std::stoi((*first)[13]) + 1) % 256);
}

TEST(Ct002FrontendTest, AnswersItsOwnMacAndTheWildcardOnly) {
    test::MeterServers servers(ct002_frontend_plugin, Options(), OnStale::Silent, true);
    servers.state->Publish(MakeReading(10, 0, 0));
    Battery battery(servers, "aabbccddee01");
    auto searching = battery.Poll(Phase::Detecting, 0, "000000000000");
    ASSERT_TRUE(searching);
    EXPECT_EQ((*searching)[1], "02b250a1b2c3");
    EXPECT_TRUE(battery.Poll(Phase::A, 0, "02B250A1B2C3"));
    EXPECT_FALSE(battery.Poll(Phase::A, 0, "02b250ffffff"));
}

TEST(Ct002FrontendTest, WithoutACtMacItEchoesTheMeterAskedFor) {
    test::MeterServers servers(ct002_frontend_plugin, Options(false), OnStale::Silent, true);
    servers.state->Publish(MakeReading(10, 0, 0));
    Battery battery(servers, "aabbccddee01");
    auto reply = battery.Poll(Phase::B, 0, "02b250ffffff");
    ASSERT_TRUE(reply);
    EXPECT_EQ((*reply)[1], "02b250ffffff");
}

TEST(Ct002FrontendTest, ABatteryDetectingItsPhaseGetsTheRealPhases) {
    test::MeterServers servers(ct002_frontend_plugin, Options(), OnStale::Silent, true);
    servers.state->Publish(MakeReading(100, 200, 300));
    Battery battery(servers, "aabbccddee01");
    auto reply = battery.Poll(Phase::Detecting, 40);
    ASSERT_TRUE(reply);
    EXPECT_EQ(std::vector(reply->begin() + 4, reply->begin() + 12),
              (std::vector<std::string>{"100", "200", "300", "600", "0", "0", "0", "0"}));
    EXPECT_EQ((*reply)[19], "40"); // discharging, bucket x
}

TEST(Ct002FrontendTest, SilentWithoutAReadingAndDropsWhatIsNoFrame) {
    test::MeterServers servers(ct002_frontend_plugin, Options(), OnStale::Silent, true);
    Battery battery(servers, "aabbccddee01");
    EXPECT_FALSE(battery.Poll(Phase::A, 0));
    servers.state->Publish(MakeReading(10, 0, 0));
    for (std::string junk : {"hame", "",
                             "\x01\x02"
                             "5|x\x03"
                             "00"}) {
        ASSERT_TRUE(battery.socket.Send("127.0.0.1", battery.port, junk));
        EXPECT_FALSE(battery.socket.Receive(200ms)) << junk;
    }
    EXPECT_TRUE(battery.Poll(Phase::A, 0));
}

TEST(Ct002FrontendTest, ListensOnTheRealMetersPortByDefault) {
    Config config = ParseConfig("[frontend]\ntype = \"ct002\"\nct_mac = \"02:b2:50:a1:b2:c3\"\n"
                                "[backend]\ntype = \"demo\"\n",
                                "ct.toml");
    const FrontendSettings& settings = config.frontends.at(0);
    EXPECT_EQ(settings.listen.udp_ports, (std::vector<std::uint16_t>{12345}));
    const auto& options = static_cast<const Ct002Options&>(*settings.options);
    EXPECT_EQ(options.ct_type, "HME-4");
    EXPECT_EQ(options.ct_macs, std::vector<MacAddress>{kCtMac});
    // Active mode while several batteries regulate, with the simulator's settings.
    EXPECT_EQ(options.mode, Ct002Mode::Auto);
    const ct002::BalanceSettings simulated;
    EXPECT_EQ(options.balance.gain, simulated.gain);
    EXPECT_EQ(options.balance.dc_floor_w, simulated.dc_floor_w);
    EXPECT_EQ(options.balance.pace_w_per_s, simulated.pace_w_per_s);
    EXPECT_TRUE(options.weights.empty());
}

TEST(Ct002FrontendTest, ReadsTheModeTheBalanceAndTheWeights) {
    Config config = ParseConfig("[frontend]\ntype = \"ct002\"\nmode = \"active\"\n"
                                "balance_gain = 0.25\ndc_floor = 100\npace = 40\n"
                                "weights = { \"aabbccddeeff\" = 2, \"11:22:33:44:55:66\" = 0 }\n"
                                "[backend]\ntype = \"demo\"\n",
                                "ct.toml");
    const auto& options = static_cast<const Ct002Options&>(*config.frontends.at(0).options);
    EXPECT_EQ(options.mode, Ct002Mode::Active);
    EXPECT_EQ(options.balance.gain, 0.25);
    EXPECT_EQ(options.balance.dc_floor_w, 100);
    EXPECT_EQ(options.balance.pace_w_per_s, 40);
    ASSERT_EQ(options.weights.size(), 2u);
    // In name order.
    EXPECT_EQ(options.weights[0].battery, (MacAddress{0x11, 0x22, 0x33, 0x44, 0x55, 0x66}));
    EXPECT_EQ(options.weights[0].weight, 0);
    EXPECT_EQ(options.weights[1].battery, (MacAddress{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
    EXPECT_EQ(options.weights[1].weight, 2);
    EXPECT_EQ(static_cast<const Ct002Options&>(
                  *ParseConfig("[frontend]\ntype = \"ct002\"\nmode = \"relay\"\n[backend]\n"
                               "type = \"demo\"\n",
                               "ct.toml")
                       .frontends.at(0)
                       .options)
                  .mode,
              Ct002Mode::Relay);
}

TEST(Ct002FrontendTest, SeveralMetersOnOnePortEachCountTheirOwnBatteries) {
    auto options = Options();
    options->ct_macs.push_back({0x02, 0xb2, 0x50, 0xa1, 0xb2, 0xc4});
    test::MeterServers servers(ct002_frontend_plugin, options, OnStale::Silent, true);
    servers.state->Publish(MakeReading(300, 0, 0));
    Battery first(servers, "aabbccddee01"), second(servers, "aabbccddee02");
    auto one = first.Poll(Phase::A, 100, "02b250a1b2c3");
    auto other = second.Poll(Phase::A, 200, "02b250a1b2c4");
    ASSERT_TRUE(one && other);
    EXPECT_EQ((*one)[1], "02b250a1b2c3");
    EXPECT_EQ((*other)[1], "02b250a1b2c4");
    EXPECT_EQ((*other)[8], "1"); // alone on its meter's phase A
    EXPECT_EQ((*other)[20], "200");
    auto again = first.Poll(Phase::A, 100, "02b250a1b2c3");
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)[8], "1");
    EXPECT_EQ((*again)[20], "100");
    // A battery searching for any meter finds the first.
    auto searching = second.Poll(Phase::Detecting, 0, "000000000000");
    ASSERT_TRUE(searching);
    EXPECT_EQ((*searching)[1], "02b250a1b2c3");
    EXPECT_FALSE(first.Poll(Phase::A, 0, "02b250a1b2c5"));
}

/// Each battery's power as the status page shows it, by MAC, over every meter; empty when the
/// page's JSON does not parse.
std::map<std::string, json_int_t> PowersOnStatusPage(const test::MeterServers& servers) {
    std::string text = servers.bundle->UdpStatusJson(std::chrono::steady_clock::now());
    json_error_t error;
    JsonPtr root(json_loads(text.c_str(), 0, &error));
    std::map<std::string, json_int_t> powers;
    json_t* meters = json_object_get(root.get(), "meters");
    for (std::size_t m = 0; m < json_array_size(meters); ++m) {
        json_t* batteries = json_object_get(json_array_get(meters, m), "batteries");
        for (std::size_t b = 0; b < json_array_size(batteries); ++b) {
            json_t* battery = json_array_get(batteries, b);
            const char* mac = json_string_value(json_object_get(battery, "mac"));
            if (mac) powers[mac] = json_integer_value(json_object_get(battery, "power_w"));
        }
    }
    return powers;
}

TEST(Ct002FrontendTest, TheStatusPageFollowsEveryPoll) {
    test::MeterServers servers(ct002_frontend_plugin, Options(), OnStale::Silent, true);
    servers.state->Publish(MakeReading(400, 100, 0));
    Battery first(servers, "aabbccddee01"), second(servers, "aabbccddee02");
    for (std::int32_t round = 1; round <= 6; ++round) {
        ASSERT_TRUE(first.Poll(Phase::A, 100 * round)) << round;
        // Between two polls of the round: the page has the first's new power already.
        EXPECT_EQ(PowersOnStatusPage(servers)["aabbccddee01"], 100 * round) << round;
        ASSERT_TRUE(second.Poll(Phase::B, -30 * round)) << round;
        using Powers = std::map<std::string, json_int_t>;
        EXPECT_EQ(PowersOnStatusPage(servers),
                  (Powers{{"aabbccddee01", 100 * round}, {"aabbccddee02", -30 * round}}))
            << round;
    }
}

TEST(Ct002FrontendTest, TheStatusPageCatchesUpAfterReadingDuringPolls) {
    auto options = Options();
    options->ct_macs.push_back({0x02, 0xb2, 0x50, 0xa1, 0xb2, 0xc4});
    test::MeterServers servers(ct002_frontend_plugin, options, OnStale::Silent, true);
    servers.state->Publish(MakeReading(400, 0, 0));
    Battery first(servers, "aabbccddee01"), second(servers, "aabbccddee02");
    // The page is read all the time: a poll that finds it reading leaves the copy behind, and
    // a later poll copies all of it.
    std::atomic<bool> stop = false;
    std::thread page([&] {
        while (!stop)
            PowersOnStatusPage(servers);
    });
    constexpr std::int32_t kRounds = 100;
    for (std::int32_t power = 1; power <= kRounds; ++power) {
        ASSERT_TRUE(first.Poll(Phase::A, power, "02b250a1b2c3"));
        ASSERT_TRUE(second.Poll(Phase::A, -power, "02b250a1b2c4"));
    }
    stop = true;
    page.join();
    // Whichever poll found the page reading, the next one brings every meter up to date.
    ASSERT_TRUE(first.Poll(Phase::A, 1000, "02b250a1b2c3"));
    using Powers = std::map<std::string, json_int_t>;
    EXPECT_EQ(PowersOnStatusPage(servers),
              (Powers{{"aabbccddee01", 1000}, {"aabbccddee02", -kRounds}}));
}

std::string FirstError(std::string_view text) {
    try {
        ParseConfig(text, "bad.toml");
    } catch (const ConfigInvalid& invalid) {
        return invalid.Diagnostics().at(0).Format();
    }
    return "accepted";
}

TEST(Ct002FrontendTest, RefusesAnUnknownTypeAndABadOrWildcardMac) {
    EXPECT_EQ(FirstError("[frontend]\ntype = \"ct002\"\nct_type = \"HME-5\"\n[backend]\n"
                         "type = \"demo\"\n"),
              "bad.toml:3:11: frontend.ct_type: expected \"HME-4\" (CT002) or \"HME-3\" (CT003), "
              "the type chosen in the Marstek app");
    const std::string mac_error =
        "frontend.ct_mac: expected the 12 hexadecimal digits of the meter in the Marstek app, "
        "such as \"02b250a1b2c3\", each meter once, or \"\" to answer polls for any meter";
    EXPECT_EQ(FirstError("[frontend]\ntype = \"ct002\"\nct_mac = \"02b250a1b2\"\n[backend]\n"
                         "type = \"demo\"\n"),
              "bad.toml:3:10: " + mac_error);
    EXPECT_EQ(FirstError("[frontend]\ntype = \"ct002\"\nct_mac = \"000000000000\"\n[backend]\n"
                         "type = \"demo\"\n"),
              "bad.toml:3:10: " + mac_error);
    EXPECT_EQ(FirstError("[frontend]\ntype = \"ct002\"\nct_mac = [\"02b250a1b2c3\", "
                         "\"02:B2:50:A1:B2:C3\"]\n[backend]\ntype = \"demo\"\n"),
              "bad.toml:3:27: " + mac_error);
    EXPECT_EQ(FirstError("[frontend]\ntype = \"ct002\"\nct_mac = [\"1\", \"2\", \"3\", \"4\", "
                         "\"5\", \"6\", \"7\", \"8\", \"9\"]\n[backend]\ntype = \"demo\"\n"),
              "bad.toml:3:10: frontend.ct_mac: expected at most 8 meters on one port, got 9");
}

/// The first error of a [frontend] of type ct002 with `lines` added.
std::string Ct002Error(const std::string& lines) {
    return FirstError("[frontend]\ntype = \"ct002\"\n" + lines + "\n[backend]\ntype = \"demo\"\n");
}

TEST(Ct002FrontendTest, RefusesABadModeRegulationGainPaceOrWeight) {
    EXPECT_EQ(Ct002Error("mode = \"fast\""),
              "bad.toml:3:8: frontend.mode: expected \"auto\" (active while several batteries "
              "regulate, else relay), \"relay\" (as a real CT002) or \"active\"");
    EXPECT_EQ(Ct002Error("regulate_on = \"phases\""),
              "bad.toml:3:15: frontend.regulate_on: expected \"sum\" (the steered batteries "
              "share the sum of the phases, as a meter that nets them bills) or \"phase\" (each "
              "phase on its own)");
    EXPECT_EQ(Ct002Error("balance_gain = 2"),
              "bad.toml:3:16: frontend.balance_gain: expected a number from 0 to 1, got 2");
    EXPECT_EQ(Ct002Error("dc_floor = 900"),
              "bad.toml:3:12: frontend.dc_floor: expected a number from 0 to 800, got 900");
    EXPECT_EQ(Ct002Error("pace = -5"),
              "bad.toml:3:8: frontend.pace: expected W per second, 0 or more (0: unpaced), got -5");
    const std::string mac_error =
        ": expected the 12 hexadecimal digits of a battery's MAC, such as \"aabbccddeeff\", "
        "each battery once";
    EXPECT_EQ(Ct002Error("weights = { \"aabbccddee\" = 2 }"),
              "bad.toml:3:13: frontend.weights.aabbccddee" + mac_error);
    // The same battery twice: the second name in name order (upper case first).
    EXPECT_EQ(Ct002Error("weights = { \"aabbccddeeff\" = 2, \"AA:BB:CC:DD:EE:FF\" = 1 }"),
              "bad.toml:3:13: frontend.weights.aabbccddeeff" + mac_error);
    EXPECT_EQ(Ct002Error("weights = { \"aa bb\" = 1 }"),
              "bad.toml:3:13: frontend.weights.\"aa bb\"" + mac_error);
    EXPECT_EQ(Ct002Error("weights = { \"aabbccddeeff\" = -1 }"),
              "bad.toml:3:13: frontend.weights.aabbccddeeff: expected a weight of 0 or more (a "
              "battery not listed weighs 1), got -1");
    EXPECT_EQ(Ct002Error("weights = { \"aabbccddeeff\" = \"2\" }"),
              "bad.toml:3:30: frontend.weights.aabbccddeeff: expected a number, got a string");
    EXPECT_EQ(Ct002Error("weights = [2]"),
              "bad.toml:3:11: frontend.weights: expected a table of numbers ({ name = 1 }), got "
              "an array");
}

} // namespace
} // namespace meteremu
