// SPDX-License-Identifier: MIT
// /info parsing and firmware versions, on every captured gateway.
#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/info.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace meteremu::envoy {
namespace {

std::vector<std::string> Folders() {
    std::vector<std::string> folders;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(METEREMU_FIXTURES_DIR) / "envoy"))
        if (entry.is_directory()) folders.push_back(entry.path().filename().string());
    std::sort(folders.begin(), folders.end());
    return folders;
}

TEST(InfoTest, EveryCapturedInfoParses) {
    auto folders = Folders();
    ASSERT_EQ(folders.size(), 32u);
    for (const auto& folder : folders) {
        SCOPED_TRACE(folder);
        EnvoyInfo info = ParseInfo(test::Fixture("envoy/" + folder + "/info"));
        EXPECT_GE(info.serial.size(), 11u); // 12 digits, some redacted by one
        EXPECT_EQ(info.part_number.substr(0, 4), "800-");
        // The folder is named after the firmware, except where SOURCES.txt says otherwise.
        char letter = info.firmware.Text()[0];
        EXPECT_TRUE(letter == 'D' || letter == 'R' || letter == 'M') << info.firmware.Text();
        EXPECT_EQ(info.firmware.UsesTokens(), folder[0] >= '7') << info.firmware.Text();
    }
}

TEST(InfoTest, ReadsTheDeviceOfACapture) {
    EnvoyInfo info = ParseInfo(test::Fixture("envoy/8.3.5169_with_generator/info"));
    EXPECT_EQ(info.serial, "202439990001");
    EXPECT_EQ(info.part_number, "800-00647-r11");
    EXPECT_EQ(info.firmware.Text(), "D8.3.5169");
    ASSERT_TRUE(info.metered.has_value());
    EXPECT_TRUE(*info.metered);
    EXPECT_FALSE(ParseInfo(test::Fixture("envoy/3.7.0/info")).metered.has_value());
    EXPECT_FALSE(*ParseInfo(test::Fixture("envoy/7.6.175_standard/info")).metered);
}

TEST(InfoTest, ComparesVersionsNumerically) {
    FirmwareVersion version("D8.2.4264");
    EXPECT_TRUE(version.AtLeast(8, 2, 4264));
    EXPECT_TRUE(version.AtLeast(8, 2, 127));
    EXPECT_TRUE(version.AtLeast(7));
    EXPECT_FALSE(version.AtLeast(8, 3));
    EXPECT_FALSE(version.AtLeast(8, 2, 4265));
    EXPECT_TRUE(FirmwareVersion("R3.9.36").AtLeast(3, 9));
    EXPECT_FALSE(FirmwareVersion("R3.9.36").UsesTokens());
    EXPECT_FALSE(FirmwareVersion("M4.2.33").UsesTokens());
    EXPECT_TRUE(FirmwareVersion("D7.0.0").UsesTokens());
    EXPECT_FALSE(FirmwareVersion("D6.99.9999").UsesTokens());
}

TEST(InfoTest, RejectsWhatIsNotAnInfoDocument) {
    EXPECT_THROW(ParseInfo(""), EnvoyError);
    EXPECT_THROW(ParseInfo("<html><body>error</body></html>"), EnvoyError);
    EXPECT_THROW(ParseInfo("<envoy_info><device><sn>1</sn></device></envoy_info>"), EnvoyError);
    EXPECT_THROW(ParseInfo("<envoy_info><device><software>D8.1</software></device>"), EnvoyError);
    EXPECT_THROW(ParseInfo("<envoy_info><device><sn>1</sn><software>beta</software></device>"
                           "</envoy_info>"),
                 EnvoyError);
    EXPECT_THROW(FirmwareVersion("D"), EnvoyError);
}

} // namespace
} // namespace meteremu::envoy
