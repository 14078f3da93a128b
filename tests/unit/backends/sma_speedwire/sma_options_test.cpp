// SPDX-License-Identifier: MIT
// [backend] type = "sma_speedwire": its keys, and every mistake named at FILE:LINE:COL.
#include "backends/sma_speedwire/sma_options.hpp"
#include "config/config_loader.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

const SmaSpeedwireOptions& OptionsOf(const Config& config) {
    return dynamic_cast<const SmaSpeedwireOptions&>(*config.backend.options);
}

std::string Only(std::string_view text) {
    try {
        ParseConfig(text, "sma.toml");
    } catch (const ConfigInvalid& invalid) {
        EXPECT_EQ(invalid.Diagnostics().size(), 1u) << invalid.what();
        return invalid.Diagnostics()[0].Format();
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return "";
}

TEST(SmaOptionsTest, DefaultsListenOnTheDefaultInterfaceForTheFirstMeter) {
    Config config = ParseConfig("[backend]\ntype = \"sma_speedwire\"\n", "sma.toml");
    EXPECT_EQ(OptionsOf(config).interface, "");
    EXPECT_FALSE(OptionsOf(config).serial);
}

TEST(SmaOptionsTest, InterfaceByNameOrAddressAndSerial) {
    Config config = ParseConfig("[backend]\ntype = \"sma_speedwire\"\ninterface = \"eth0\"\n"
                                "serial = \"3011842589\"\n",
                                "sma.toml");
    EXPECT_EQ(OptionsOf(config).interface, "eth0");
    EXPECT_EQ(OptionsOf(config).serial, 3011842589u);
    config = ParseConfig("[backend]\ntype = \"sma_speedwire\"\ninterface = \"192.168.1.20\"\n",
                         "sma.toml");
    EXPECT_EQ(OptionsOf(config).interface, "192.168.1.20");
}

TEST(SmaOptionsTest, MistakesAreNamedWithTheirPosition) {
    EXPECT_EQ(Only("[backend]\ntype = \"sma_speedwire\"\nserial = \"19014x\"\n"),
              "sma.toml:3:10: backend.serial: expected the meter's serial number in digits, as "
              "on its label (\"Serial No.\"), e.g. \"1901429669\"");
    EXPECT_EQ(Only("[backend]\ntype = \"sma_speedwire\"\nserial = \"99999999999\"\n").substr(0, 26),
              "sma.toml:3:10: backend.ser");
    EXPECT_EQ(Only("[backend]\ntype = \"sma_speedwire\"\nserial = 1901429669\n"),
              "sma.toml:3:10: backend.serial: expected a string, got an integer");
    EXPECT_EQ(Only("[backend]\ntype = \"sma_speedwire\"\ninterface = \"eth0/24\"\n"),
              "sma.toml:3:13: backend.interface: expected an interface name such as \"eth0\" or "
              "one of its IPv4 addresses, or \"\" for the default");
    EXPECT_NE(
        Only("[backend]\ntype = \"sma_speedwire\"\nhost = \"x\"\n").find("unknown key 'host'"),
        std::string::npos);
}

} // namespace
} // namespace meteremu
