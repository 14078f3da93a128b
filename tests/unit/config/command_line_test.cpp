// SPDX-License-Identifier: MIT
#include "build_config.hpp"
#include "config/command_line.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace meteremu {
namespace {

CommandLine Parse(std::initializer_list<const char*> arguments) {
    std::vector<std::string> storage{"meteremu"};
    storage.insert(storage.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : storage)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    return ParseCommandLine(static_cast<int>(storage.size()), argv.data());
}

TEST(CommandLineTest, Defaults) {
    CommandLine line = Parse({});
    EXPECT_EQ(line.config_path, build::kDefaultConfigFile);
    EXPECT_FALSE(line.check_config);
    EXPECT_FALSE(line.demo);
    EXPECT_FALSE(line.log_level);
}

TEST(CommandLineTest, EveryOption) {
    CommandLine line = Parse({"--config=/tmp/x.toml", "--check-config", "--log-level", "debug"});
    EXPECT_EQ(line.config_path, "/tmp/x.toml");
    EXPECT_TRUE(line.check_config);
    EXPECT_EQ(line.log_level, log::Level::Debug);
    EXPECT_TRUE(Parse({"-h"}).help);
    EXPECT_TRUE(Parse({"--version"}).version);
    EXPECT_TRUE(Parse({"--demo"}).demo);
    EXPECT_EQ(Parse({"-c", "a.toml"}).config_path, "a.toml");
}

TEST(CommandLineTest, Mistakes) {
    EXPECT_THROW(Parse({"--bogus"}), UsageError);
    EXPECT_THROW(Parse({"--config"}), UsageError);
    EXPECT_THROW(Parse({"--log-level=loud"}), UsageError);
    EXPECT_THROW(Parse({"--demo", "--config", "a.toml"}), UsageError);
    EXPECT_THROW(Parse({"stray"}), UsageError);
}

TEST(CommandLineTest, StatusIsACommandWithoutTheDaemonsOptions) {
    EXPECT_FALSE(Parse({}).status);
    EXPECT_TRUE(Parse({"status"}).status);
    EXPECT_EQ(Parse({"status", "--log-level=debug"}).log_level, log::Level::Debug);
    EXPECT_THROW(Parse({"status", "--check-config"}), UsageError);
    EXPECT_THROW(Parse({"--config=a.toml", "status"}), UsageError);
    EXPECT_THROW(Parse({"status", "status"}), UsageError);
    EXPECT_NE(HelpText().find("meteremu status"), std::string::npos);
}

TEST(CommandLineTest, MarstekAddCtTakesOnlyItsOwnOptions) {
    CommandLine line = Parse({"marstek-add-ct"});
    EXPECT_TRUE(line.marstek_add_ct);
    EXPECT_EQ(line.ct_type, "HME-4");
    EXPECT_EQ(line.api_url, "");
    line = Parse({"marstek-add-ct", "--ct-type", "HME-3", "--api-url=https://example.org"});
    EXPECT_EQ(line.ct_type, "HME-3");
    EXPECT_EQ(line.api_url, "https://example.org");
    EXPECT_THROW(Parse({"marstek-add-ct", "--ct-type=HME-5"}), UsageError);
    EXPECT_THROW(Parse({"marstek-add-ct", "--config=a.toml"}), UsageError);
    EXPECT_THROW(Parse({"marstek-add-ct", "--demo"}), UsageError);
    EXPECT_THROW(Parse({"--ct-type=HME-3"}), UsageError);
    EXPECT_THROW(Parse({"status", "--api-url=https://example.org"}), UsageError);
    EXPECT_THROW(Parse({"marstek-add-ct", "status"}), UsageError);
}

TEST(CommandLineTest, HelpNamesEveryOption) {
    std::string help = HelpText();
    for (const char* option :
         {"--config", "--check-config", "--demo", "--log-level", "--version", "--help"})
        EXPECT_NE(help.find(option), std::string::npos) << option;
}

} // namespace
} // namespace meteremu
