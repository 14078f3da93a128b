// SPDX-License-Identifier: MIT
// [backend] type = "http_json": what a valid file gives, and every misconfiguration reported at
// its FILE:LINE:COL with what was expected.
#include "backends/http_json/http_json_options.hpp"
#include "config/config_loader.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

/// The options of a parsed configuration; a copy, so the Config may go.
HttpJsonOptions Options(const Config& config) {
    return static_cast<const HttpJsonOptions&>(*config.backend.options);
}

Config Parse(const std::string& keys) {
    return ParseConfig("[backend]\ntype = \"http_json\"\n" + keys, "ok.toml");
}

/// Expects an error at `position` ("LINE:COLUMN", lines counted from the [backend] line as 1)
/// containing `words`.
void ExpectError(const std::string& keys, const std::string& position, const std::string& words) {
    try {
        ParseConfig("[backend]\ntype = \"http_json\"\n" + keys, "bad.toml");
        ADD_FAILURE() << "accepted:\n" << keys;
    } catch (const ConfigInvalid& invalid) {
        std::string all;
        for (const auto& diagnostic : invalid.Diagnostics())
            all += diagnostic.Format() + "\n";
        EXPECT_NE(all.find("bad.toml:" + position + ": "), std::string::npos) << all;
        EXPECT_NE(all.find(words), std::string::npos) << all;
    }
}

TEST(HttpJsonOptionsTest, APresetNeedsOnlyTheHost) {
    auto shelly = Options(Parse("preset = \"shelly_gen2\"\nhost = \"192.168.1.60\"\n"));
    EXPECT_EQ(shelly.url, "http://192.168.1.60/rpc/EM.GetStatus?id=0");
    EXPECT_TRUE(shelly.digest);
    EXPECT_EQ(shelly.map.power.size(), 3u);
    EXPECT_EQ(Options(Parse("preset = \"shelly_gen2_em1\"\nhost = \"h:8080\"\n")).url,
              "http://h:8080/rpc/EM1.GetStatus?id=0");
    EXPECT_EQ(Options(Parse("preset = \"shelly_gen1_3em\"\nhost = \"h\"\n")).url,
              "http://h/status");
    EXPECT_EQ(Options(Parse("preset = \"homewizard_p1\"\nhost = \"h\"\n")).url,
              "http://h/api/v1/data");
    auto tasmota = Options(Parse("preset = \"tasmota\"\nhost = \"h\"\nsml_meter = "
                                 "\"SML\"\nsml_power = \"curr_w\"\n"));
    EXPECT_EQ(tasmota.url, "http://h/cm?cmnd=Status%2010");
    EXPECT_EQ(tasmota.map.power[0].net.Text(), "/StatusSNS/SML/curr_w");
    EXPECT_FALSE(tasmota.digest);
}

TEST(HttpJsonOptionsTest, ShellyGen2LogsInAsAdminWithDigest) {
    auto options = Options(
        Parse("preset = \"shelly_gen2\"\nhost = \"h\"\npassword_file = \"/etc/meteremu/p\"\n"));
    EXPECT_EQ(options.username, "admin");
    EXPECT_TRUE(options.digest);
    auto basic = Options(Parse("url = \"http://h/x\"\npower = \"/p\"\nusername = \"u\"\n"
                               "password = \"secret\"\n"));
    EXPECT_FALSE(basic.digest);
    EXPECT_EQ(basic.password, "secret");
}

TEST(HttpJsonOptionsTest, TasmotaLogsInWithQueryArgumentsAsAdmin) {
    auto tasmota = Options(Parse("preset = \"tasmota\"\nhost = \"h\"\nsml_meter = \"SML\"\n"
                                 "sml_power = \"curr_w\"\npassword = \"pw\"\n"));
    EXPECT_TRUE(tasmota.login_in_query);
    EXPECT_EQ(tasmota.username, "admin");
    EXPECT_EQ(tasmota.url, "http://h/cm?cmnd=Status%2010"); // never the password
}

TEST(HttpJsonOptionsTest, FieldsByPointer) {
    auto phases = Options(Parse("url = \"https://m.local/api\"\nphase_power = [\"/a\", "
                                "\"/b\", \"/c\"]\nscale = 1000\ninvert = true\n"));
    EXPECT_EQ(phases.map.power.size(), 3u);
    EXPECT_EQ(phases.map.scale, 1000);
    EXPECT_TRUE(phases.map.invert);
    EXPECT_TRUE(phases.map.energy.empty());
    auto pairs = Options(Parse(
        "url = \"http://m/\"\nimport_power = \"/in\"\nexport_power = \"/out\"\nimport_energy = "
        "\"/ei\"\nexport_energy = \"/eo\"\nenergy_scale = 1000\n"));
    ASSERT_EQ(pairs.map.power.size(), 1u);
    EXPECT_EQ(pairs.map.power[0].export_->Text(), "/out");
    EXPECT_EQ(pairs.map.energy.size(), 1u);
    EXPECT_EQ(pairs.map.energy_scale, 1000);
}

TEST(HttpJsonOptionsTest, MisconfigurationsAreReportedWhereTheyAre) {
    ExpectError("preset = \"shelly\"\nhost = \"h\"\n", "3:10", "expected one of shelly_gen2");
    ExpectError("preset = \"shelly_gen2\"\n", "1:1", "set host");
    ExpectError("preset = \"shelly_gen2\"\nhost = \"http://h/\"\n", "4:8", "without http://");
    ExpectError("preset = \"shelly_gen2\"\nhost = \"h\"\nurl = \"http://h/\"\n", "5:7",
                "set host only");
    ExpectError("power = \"/p\"\n", "1:1", "set url");
    ExpectError("url = \"ftp://h/\"\npower = \"/p\"\n", "3:7", "starting with http://");
    ExpectError("url = \"http://admin:pw@h/\"\npower = \"/p\"\n", "3:7",
                "must not hold credentials");
    ExpectError("url = \"http://h/cm?user=admin&Password=x\"\npower = \"/p\"\n", "3:7",
                "must not hold credentials");
    ExpectError("url = \"http://h/\"\n", "1:1", "set power");
    ExpectError("url = \"http://h/\"\npower = \"p\"\n", "4:9", "JSON pointer (RFC 6901)");
    ExpectError("url = \"http://h/\"\nphase_power = [\"/a\", \"/b\"]\n", "4:15", "three JSON");
    ExpectError("url = \"http://h/\"\nphase_power = [\"/a\", \"b\", \"/c\"]\n", "4:22",
                "JSON pointer");
    ExpectError("url = \"http://h/\"\nimport_power = \"/i\"\n", "4:16", "needs export_power");
    ExpectError("url = \"http://h/\"\npower = \"/p\"\nphase_power = [\"/a\", \"/b\", \"/c\"]\n",
                "4:9", "choose one of");
    ExpectError("url = \"http://h/\"\npower = \"/p\"\nexport_energy = \"/e\"\n", "5:17",
                "needs import_energy");
    ExpectError("preset = \"shelly_gen2\"\nhost = \"h\"\npower = \"/p\"\n", "5:9",
                "the preset chooses the fields");
    ExpectError("preset = \"tasmota\"\nhost = \"h\"\nsml_meter = \"SML\"\n", "1:1", "sml_power");
    ExpectError("url = \"http://h/\"\npower = \"/p\"\nsml_meter = \"SML\"\n", "5:13",
                "only used with preset = \"tasmota\"");
    ExpectError("url = \"http://h/\"\npower = \"/p\"\nauth = \"ntlm\"\n", "5:8",
                "\"basic\" or \"digest\"");
    ExpectError("url = \"http://h/\"\npower = \"/p\"\npassword = \"pw\"\n", "5:12",
                "needs username");
    ExpectError("url = \"http://h/\"\npower = \"/p\"\nusername = \"u\"\n", "5:12",
                "needs password");
    ExpectError("url = \"http://h/\"\npower = \"/p\"\nusername = \"u\"\npassword = \"a\"\n"
                "password_file = \"/f\"\n",
                "7:17", "not both");
    ExpectError("url = \"http://h/\"\npower = \"/p\"\nscale = 0\n", "5:9", "other than 0");
}

TEST(HttpJsonOptionsTest, ThePasswordIsInNoMessage) {
    try {
        ParseConfig("[backend]\ntype = \"http_json\"\nurl = \"http://h/\"\npower = \"/p\"\n"
                    "password = \"hunter2-secret\"\npassword_file = \"/f\"\n",
                    "bad.toml");
        FAIL() << "accepted";
    } catch (const ConfigInvalid& invalid) {
        for (const auto& diagnostic : invalid.Diagnostics())
            EXPECT_EQ(diagnostic.Format().find("hunter2"), std::string::npos)
                << diagnostic.Format();
    }
}

} // namespace
} // namespace meteremu
