// SPDX-License-Identifier: MIT
// [backend] type = "home_assistant": what it accepts, and every misconfiguration with
// FILE:LINE:COL.
#include "backends/home_assistant/ha_options.hpp"
#include "config/config_loader.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace meteremu {
namespace {

const HomeAssistantOptions& Options(const Config& config) {
    return static_cast<const HomeAssistantOptions&>(*config.backend.options);
}

Config Parse(std::string_view keys) {
    return ParseConfig("[backend]\ntype = \"home_assistant\"\n" + std::string(keys), "ha.toml");
}

/// Exactly one error, at `position` ("LINE:COLUMN") of the keys (the third line is 3), with
/// `words` in it.
void ExpectError(std::string_view keys, const std::string& position, const std::string& words) {
    try {
        Parse(keys);
        ADD_FAILURE() << "accepted:\n" << keys;
    } catch (const ConfigInvalid& invalid) {
        ASSERT_EQ(invalid.Diagnostics().size(), 1u) << invalid.Diagnostics()[0].Format();
        std::string text = invalid.Diagnostics()[0].Format();
        EXPECT_TRUE(text.starts_with("ha.toml:" + position + ": ")) << text;
        EXPECT_NE(text.find(words), std::string::npos) << text;
    }
}

/// Unsets SUPERVISOR_TOKEN for a test, or sets it; restores it after.
class SupervisorToken {
public:
    explicit SupervisorToken(const char* value) {
        if (const char* old = std::getenv(home_assistant::kSupervisorTokenVariable)) old_ = old;
        if (value)
            ::setenv(home_assistant::kSupervisorTokenVariable, value, 1);
        else
            ::unsetenv(home_assistant::kSupervisorTokenVariable);
    }
    ~SupervisorToken() {
        if (old_)
            ::setenv(home_assistant::kSupervisorTokenVariable, old_->c_str(), 1);
        else
            ::unsetenv(home_assistant::kSupervisorTokenVariable);
    }

private:
    std::optional<std::string> old_;
};

TEST(HaOptionsTest, OneNetEntity) {
    SupervisorToken none(nullptr);
    Config config = Parse("url = \"http://homeassistant.local:8123/\"\ntoken = \"secret\"\n"
                          "entity = \"sensor.grid_power\"\n");
    const HomeAssistantOptions& options = Options(config);
    EXPECT_EQ(options.url, "http://homeassistant.local:8123");
    EXPECT_EQ(WebSocketUrlOf(options.url), "ws://homeassistant.local:8123/api/websocket");
    EXPECT_EQ(options.token, "secret");
    EXPECT_FALSE(options.invert);
    ASSERT_EQ(options.entities.size(), 1u);
    EXPECT_EQ(options.entities[0].entity_id, "sensor.grid_power");
    EXPECT_EQ(options.entities[0].measure, home_assistant::Measure::Net);
    EXPECT_FALSE(options.entities[0].phase);
}

TEST(HaOptionsTest, PerPhaseImportExportWithATokenFile) {
    SupervisorToken none(nullptr);
    Config config = Parse(R"(url = "http://192.168.1.10:8123"
token_file = "/etc/meteremu/ha-token"
invert = true
import_entity_a = "sensor.p1_import_l1"
import_entity_b = "sensor.p1_import_l2"
import_entity_c = "sensor.p1_import_l3"
export_entity_a = "sensor.p1_export_l1"
export_entity_b = "sensor.p1_export_l2"
export_entity_c = "sensor.p1_export_l3"
)");
    const HomeAssistantOptions& options = Options(config);
    EXPECT_EQ(options.token_file, "/etc/meteremu/ha-token");
    EXPECT_TRUE(options.invert);
    ASSERT_EQ(options.entities.size(), 6u);
    EXPECT_EQ(options.entities[5].entity_id, "sensor.p1_export_l3");
    EXPECT_EQ(options.entities[5].measure, home_assistant::Measure::Export);
    EXPECT_EQ(options.entities[5].phase, 2u);
}

TEST(HaOptionsTest, TheAddOnEnvironmentNeedsNoUrlNorToken) {
    SupervisorToken supervisor("from-the-supervisor");
    Config config = Parse("entity = \"sensor.grid_power\"\n");
    EXPECT_EQ(Options(config).url, "http://supervisor/core");
    EXPECT_EQ(WebSocketUrlOf(Options(config).url), "ws://supervisor/core/websocket");
    EXPECT_TRUE(Options(config).token.empty()) << "read when the backend starts";
}

TEST(HaOptionsTest, Misconfigurations) {
    SupervisorToken none(nullptr);
    const std::string ok = "token = \"t\"\nentity = \"sensor.grid\"\n";
    ExpectError("token = \"t\"\nentity = \"sensor.grid\"\n", "1:1", "set url");
    ExpectError("url = \"https://ha:8123\"\n" + ok, "3:7", "ws:// only");
    ExpectError("url = \"ha:8123\"\n" + ok, "3:7", "expected http://host[:port]");
    ExpectError("url = \"http://user@ha\"\n" + ok, "3:7", "expected http://host[:port]");
    ExpectError("url = \"http://ha\"\nentity = \"sensor.grid\"\n", "1:1",
                "set token or token_file");
    ExpectError("url = \"http://ha\"\ntoken = \"\"\nentity = \"sensor.grid\"\n", "4:9", "is empty");
    ExpectError("url = \"http://ha\"\n" + ok + "token_file = \"/f\"\n", "6:14", "not both");
    ExpectError("url = \"http://ha\"\ntoken = \"t\"\n", "1:1", "set entity");
    ExpectError("url = \"http://ha\"\ntoken = \"t\"\nentity = \"Grid Power\"\n", "5:10",
                "expected an entity id");
    ExpectError("url = \"http://ha\"\ntoken = \"t\"\nentity = \"sensor.a.b\"\n", "5:10",
                "expected an entity id");
    ExpectError("url = \"http://ha\"\n" + ok + "entity_a = \"sensor.a\"\n", "6:12",
                "cannot be combined with entity");
    ExpectError("url = \"http://ha\"\ntoken = \"t\"\nimport_entity = \"sensor.in\"\n", "1:1",
                "no 'export_entity': goes with import_entity");
    ExpectError("url = \"http://ha\"\ntoken = \"t\"\nentity_b = \"sensor.b\"\n", "5:12",
                "is missing its companions");
    ExpectError("url = \"http://ha\"\n" + ok + "invert = \"yes\"\n", "6:10",
                "expected true or false");
    ExpectError("url = \"http://ha\"\n" + ok + "entity_id = \"sensor.x\"\n", "6:1", "");
}

} // namespace
} // namespace meteremu
