// SPDX-License-Identifier: MIT
// [backend] type = "mqtt": what it accepts, and every misconfiguration with FILE:LINE:COL.
#include "backends/mqtt/mqtt_options.hpp"
#include "config/config_loader.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

const MqttOptions& Options(const Config& config) {
    return static_cast<const MqttOptions&>(*config.backend.options);
}

Config Parse(std::string_view keys) {
    return ParseConfig("[backend]\ntype = \"mqtt\"\n" + std::string(keys), "mqtt.toml");
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
        EXPECT_TRUE(text.starts_with("mqtt.toml:" + position + ": ")) << text;
        EXPECT_NE(text.find(words), std::string::npos) << text;
    }
}

TEST(MqttOptionsTest, OneTopicWithDefaults) {
    EXPECT_EQ(Options(Parse("topic = \"t\"\n")).host, "localhost");
    Config config = Parse("broker = \"mqtt://192.168.1.20\"\ntopic = \"meter/power\"\n");
    const MqttOptions& options = Options(config);
    EXPECT_EQ(options.host, "192.168.1.20");
    EXPECT_EQ(options.port, 1883);
    EXPECT_FALSE(options.tls);
    EXPECT_TRUE(options.verify_ssl);
    EXPECT_EQ(options.qos, 0);
    EXPECT_EQ(options.keepalive, 30);
    EXPECT_EQ(options.scale, 1.0);
    ASSERT_EQ(options.channels.size(), 1u);
    EXPECT_EQ(options.channels[0].topic, "meter/power");
    EXPECT_EQ(options.channels[0].pointer.Text(), "");
    EXPECT_FALSE(options.channels[0].phase);
}

TEST(MqttOptionsTest, PerPhaseImportExportWithPointersOverTls) {
    Config config = Parse(R"(broker = "mqtts://[fd00::5]:8884/"
ca_file = "/etc/ssl/broker.pem"
username = "meteremu"
password_file = "/etc/meteremu/mqtt-password"
qos = 1
json_pointer = "/value"
import_topic_a = "p1/a/in"
import_topic_b = "p1/b/in"
import_topic_c = "p1/c/in"
export_topic_a = "p1/a/out"
export_topic_b = "p1/b/out"
export_topic_c = "p1/c/out"
export_json_pointer_c = "/other"
)");
    const MqttOptions& options = Options(config);
    EXPECT_EQ(options.host, "fd00::5");
    EXPECT_EQ(options.port, 8884);
    EXPECT_TRUE(options.tls);
    ASSERT_EQ(options.channels.size(), 6u);
    EXPECT_EQ(options.channels[0].pointer.Text(), "/value");
    EXPECT_EQ(options.channels[5].pointer.Text(), "/other");
    EXPECT_EQ(options.channels[5].measure, mqtt::Measure::Export);
    EXPECT_EQ(options.channels[5].phase, 2u);
}

TEST(MqttOptionsTest, Misconfigurations) {
    ExpectError("broker = \"tcp://host\"\ntopic = \"t\"\n", "3:10", "mqtt://host[:port]");
    ExpectError("broker = \"mqtt://user:pw@host\"\ntopic = \"t\"\n", "3:10", "username");
    ExpectError("broker = \"mqtt://host:99999\"\ntopic = \"t\"\n", "3:10", "mqtt://host[:port]");
    ExpectError("broker = \"mqtt://h\"\n", "1:1", "set topic");
    ExpectError("broker = \"mqtt://h\"\ntopic = \"a/+/b\"\n", "4:9", "wildcards");
    ExpectError("broker = \"mqtt://h\"\ntopic_a = \"a\"\ntopic_b = \"b\"\n", "1:1",
                "has no 'topic_c': goes with topic_a");
    ExpectError("broker = \"mqtt://h\"\ntopic = \"a\"\nimport_topic = \"b\"\n", "5:16",
                "cannot be combined with topic");
    ExpectError("broker = \"mqtt://h\"\ntopic = \"a\"\njson_pointer = \"ENERGY\"\n", "5:16",
                "JSON Pointer");
    ExpectError("broker = \"mqtt://h\"\ntopic = \"a\"\njson_pointer_a = \"/x\"\n", "5:18",
                "has no topic_a");
    ExpectError("broker = \"mqtt://h\"\ntopic = \"a\"\npassword = \"secret\"\n", "5:12",
                "needs username");
    ExpectError("broker = \"mqtt://h\"\ntopic = \"a\"\nusername = \"u\"\npassword = \"p\"\n"
                "password_file = \"/f\"\n",
                "7:17", "not both");
    ExpectError("broker = \"mqtt://h\"\ntopic = \"a\"\nqos = 3\n", "5:7", "qos");
    ExpectError("broker = \"mqtt://h\"\ntopic = \"a\"\nscale = 0\n", "5:9", "other than 0");
}

TEST(MqttOptionsTest, PasswordIsNeverInAnError) {
    try {
        Parse("broker = \"mqtt://h\"\ntopic = \"a\"\npassword = \"hunter2\"\n");
        FAIL();
    } catch (const ConfigInvalid& invalid) {
        for (const auto& diagnostic : invalid.Diagnostics())
            EXPECT_EQ(diagnostic.Format().find("hunter2"), std::string::npos);
    }
}

TEST(MqttOptionsTest, AKnownTypeThisBuildLeftOutSaysSo) {
    std::string left_out = UnknownPluginType("backend", "mqtt", {"envoy", "demo"}, "sma mqtt");
    EXPECT_NE(left_out.find("the mqtt backend is not built in this build"), std::string::npos)
        << left_out;
    EXPECT_NE(left_out.find("\"envoy\", \"demo\""), std::string::npos) << left_out;
    std::string unknown = UnknownPluginType("backend", "mqt", {"envoy", "demo"}, "sma mqtt");
    EXPECT_EQ(unknown, "expected one of \"envoy\", \"demo\"");
}

} // namespace
} // namespace meteremu
