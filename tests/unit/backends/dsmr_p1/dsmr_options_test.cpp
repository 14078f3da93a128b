// SPDX-License-Identifier: MIT
// [backend] type = "dsmr_p1": its keys, and every mistake named at FILE:LINE:COL.
#include "backends/dsmr_p1/dsmr_options.hpp"
#include "config/config_loader.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

const DsmrP1Options& OptionsOf(const Config& config) {
    return dynamic_cast<const DsmrP1Options&>(*config.backend.options);
}

std::string Only(std::string_view text) {
    try {
        ParseConfig(text, "p1.toml");
    } catch (const ConfigInvalid& invalid) {
        EXPECT_EQ(invalid.Diagnostics().size(), 1u) << invalid.what();
        return invalid.Diagnostics()[0].Format();
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return "";
}

TEST(DsmrOptionsTest, DefaultsAreDsmr5OnTtyUsb0) {
    Config config = ParseConfig("[backend]\ntype = \"dsmr_p1\"\n", "p1.toml");
    EXPECT_EQ(OptionsOf(config).device, "/dev/ttyUSB0");
    EXPECT_EQ(OptionsOf(config).dsmr_version, "5");
    EXPECT_TRUE(OptionsOf(config).CrcRequired());
    EXPECT_EQ(OptionsOf(config).Format(), dsmr::LineFormat::Baud115200_8N1);
}

TEST(DsmrOptionsTest, OlderVersionsReadAt9600Baud7E1WithoutCrc) {
    for (const char* version : {"2.2", "3"}) {
        Config config = ParseConfig(std::string("[backend]\ntype = \"dsmr_p1\"\ndevice = "
                                                "\"/dev/serial/by-id/usb-P1\"\ndsmr_version = \"") +
                                        version + "\"\n",
                                    "p1.toml");
        EXPECT_EQ(OptionsOf(config).device, "/dev/serial/by-id/usb-P1");
        EXPECT_FALSE(OptionsOf(config).CrcRequired()) << version;
        EXPECT_EQ(OptionsOf(config).Format(), dsmr::LineFormat::Baud9600_7E1) << version;
    }
    Config config = ParseConfig("[backend]\ntype = \"dsmr_p1\"\ndsmr_version = \"4\"\n", "p1.toml");
    EXPECT_TRUE(OptionsOf(config).CrcRequired());
}

TEST(DsmrOptionsTest, MistakesAreNamedWithTheirPosition) {
    EXPECT_EQ(Only("[backend]\ntype = \"dsmr_p1\"\ndsmr_version = \"5.0\"\n"),
              "p1.toml:3:16: backend.dsmr_version: expected \"5\" or \"4\" (115200 baud 8N1, "
              "telegrams with a CRC), \"3\" or \"2.2\" (9600 baud 7E1, no CRC)");
    EXPECT_EQ(Only("[backend]\ntype = \"dsmr_p1\"\ndevice = \"ttyUSB0\"\n"),
              "p1.toml:3:10: backend.device: expected the serial port's path, e.g. "
              "\"/dev/ttyUSB0\" (better: its /dev/serial/by-id/... name)");
    EXPECT_EQ(Only("[backend]\ntype = \"dsmr_p1\"\ndsmr_version = 5\n"),
              "p1.toml:3:16: backend.dsmr_version: expected a string, got an integer");
}

} // namespace
} // namespace meteremu
