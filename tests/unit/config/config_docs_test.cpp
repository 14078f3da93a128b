// SPDX-License-Identifier: MIT
// The documentation keeps up with the code: every configuration key the parsers accept (listed
// by AcceptedConfigKeys(), from the code) has an entry with its type and default in
// meteremu.toml(5) and a line in the shipped etc/meteremu.toml, the two agree on the default,
// and every command-line option is in meteremu(8). A key or option added without its
// documentation, or documentation left behind by a removed one, fails here.
#include "backends/backend.hpp"
#include "config/command_line.hpp"
#include "config/config_loader.hpp"
#include "frontends/frontend.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace meteremu {
namespace {

const std::filesystem::path kSourceDir = METEREMU_SOURCE_DIR;
const std::string kShippedConfig = "etc/meteremu.toml";

/// A part of the configuration: {section, plugin}; "" is the top level or every plugin.
using Part = std::pair<std::string, std::string>;

std::string Describe(const Part& part) {
    std::string text = part.first.empty() ? "the top level" : "[" + part.first + "]";
    return part.second.empty() ? text : text + " type = \"" + part.second + "\"";
}

struct ManEntry {
    std::string type;          ///< "string", "array of integers", ...
    std::string fallback;      ///< "required", or "default *VALUE*"
    std::string default_value; ///< VALUE, empty when required
};

/// The key entries of meteremu.toml(5) per part: "*key* = _type_ (default *value*)" or
/// "(required)" under "# TOP LEVEL", "# [section]" and its "## type = "plugin"" subsections.
std::map<Part, std::map<std::string, ManEntry>> ReadManEntries(const std::string& text) {
    static const std::regex heading(R"re(^# (TOP LEVEL|\[([a-z_]+)\]|.*)$)re");
    static const std::regex plugin_heading(R"re(^## (type = "([a-z0-9_]+)"|.*)$)re");
    static const std::regex entry(
        R"re(^((?:\*[a-z0-9_]+\*, )*\*[a-z0-9_]+\*) = _([a-z ]+)_ \((required|default \*(.*)\*)\)$)re");
    static const std::regex key(R"re(\*([a-z0-9_]+)\*)re");
    std::map<Part, std::map<std::string, ManEntry>> entries;
    std::optional<Part> part;
    std::istringstream lines(text);
    std::smatch match;
    for (std::string line; std::getline(lines, line);) {
        if (std::regex_match(line, match, heading)) {
            part.reset();
            if (match[1] == "TOP LEVEL") part = Part{"", ""};
            if (match[2].matched) part = Part{match[2], ""};
        } else if (part && std::regex_match(line, match, plugin_heading)) {
            part->second = match[2].matched ? match[2].str() : "";
        } else if (part && std::regex_match(line, match, entry)) {
            ManEntry value{match[2], match[3], match[4]};
            std::string keys = match[1];
            for (std::sregex_iterator it(keys.begin(), keys.end(), key), end; it != end; ++it)
                entries[*part][(*it)[1]] = value;
        }
    }
    return entries;
}

struct EtcLine {
    std::string value;
    bool commented = false;
};

/// The key lines ("key = value" or "#key = value") of the shipped file per section.
std::map<std::string, std::map<std::string, EtcLine>> ReadEtcKeys(const std::string& text) {
    static const std::regex section(R"re(^\[([a-z_]+)\]\s*$)re");
    static const std::regex key_line(R"re(^(#?)([a-z0-9_]+) = (.*)$)re");
    std::map<std::string, std::map<std::string, EtcLine>> keys;
    std::string current;
    std::istringstream lines(text);
    std::smatch match;
    for (std::string line; std::getline(lines, line);) {
        if (std::regex_match(line, match, section))
            current = match[1];
        else if (std::regex_match(line, match, key_line))
            keys[current][match[2]] = {match[3], match[1] == "#"};
    }
    return keys;
}

std::string ManPage(const std::string& name) {
    return test::ReadFile(kSourceDir / "man" / (name + ".scd"));
}

std::string ShippedConfig() {
    return test::ReadFile(kSourceDir / kShippedConfig);
}

/// The keys of a section, of every plugin or of the given ones.
std::set<std::string> SectionKeys(const std::string& section,
                                  const std::set<std::string>& plugins = {}) {
    std::set<std::string> keys;
    for (const auto& table : AcceptedConfigKeys())
        if (table.section == section &&
            (plugins.empty() || table.plugin.empty() || plugins.contains(table.plugin)))
            keys.insert(table.keys.begin(), table.keys.end());
    return keys;
}

TEST(AcceptedConfigKeysTest, ListsTheKeysOfEveryTableAndPlugin) {
    std::map<Part, std::set<std::string>> found;
    for (const auto& table : AcceptedConfigKeys())
        found[{table.section, table.plugin}].insert(table.keys.begin(), table.keys.end());
    auto keys = [&](std::string section, std::string plugin) -> const std::set<std::string>& {
        return found[{std::move(section), std::move(plugin)}];
    };
    EXPECT_TRUE(keys("", "").contains("log_level"));
    EXPECT_TRUE(keys("frontend", "").contains("type"));
    EXPECT_TRUE(keys("frontend", "").contains("udp_ports"));
    EXPECT_TRUE(keys("frontend", "shelly").contains("mac"));
    EXPECT_TRUE(keys("backend", "").contains("poll_interval"));
    // host is only looked up with Has() when absent: Has() must count as asking.
    EXPECT_TRUE(keys("backend", "envoy").contains("host"));
    EXPECT_TRUE(keys("backend", "demo").contains("seed"));
    // A plugin's keys are not the section's: seed is demo's alone.
    EXPECT_FALSE(keys("backend", "").contains("seed"));
    EXPECT_FALSE(keys("backend", "envoy").contains("seed"));
    for (auto name : FrontendPluginNames())
        EXPECT_TRUE(found.contains(Part("frontend", name))) << name;
    for (auto name : BackendPluginNames())
        EXPECT_TRUE(found.contains(Part("backend", name))) << name;
}

/// The keys the unknown-key check of a real parse accepts, from its message ("unknown key
/// 'zz_unknown' in [backend]; expected one of: a, b").
std::set<std::string> KeysTheParserAccepts(const std::string& text, const std::string& where) {
    try {
        ParseConfig(text, "keys.toml");
    } catch (const ConfigInvalid& invalid) {
        for (const auto& diagnostic : invalid.Diagnostics()) {
            std::string prefix = "unknown key 'zz_unknown'" + where + "; expected one of: ";
            if (!diagnostic.message.starts_with(prefix)) continue;
            std::set<std::string> keys;
            std::istringstream list(diagnostic.message.substr(prefix.size()));
            for (std::string key; std::getline(list >> std::ws, key, ',');)
                keys.insert(key);
            return keys;
        }
    }
    ADD_FAILURE() << "no unknown-key error for zz_unknown" << where << " in:\n" << text;
    return {};
}

// A key read outside the functions AcceptedConfigKeys() runs would be accepted by the parser
// but missing from the list, and so from the documentation test.
TEST(AcceptedConfigKeysTest, AreWhatTheUnknownKeyCheckAccepts) {
    std::set<std::string> top = SectionKeys("");
    top.insert({"frontend", "backend", "status"});
    EXPECT_EQ(
        KeysTheParserAccepts("zz_unknown = 1\n[backend]\ntype = \"demo\"\n", " at the top level"),
        top);
    EXPECT_EQ(KeysTheParserAccepts("[status]\nzz_unknown = 1\n[backend]\ntype = \"demo\"\n",
                                   " in [status]"),
              SectionKeys("status"));
    for (auto plugin : FrontendPluginNames()) {
        std::string text = "[frontend]\ntype = \"" + std::string(plugin) +
                           "\"\nzz_unknown = 1\n[backend]\ntype = \"demo\"\n";
        EXPECT_EQ(KeysTheParserAccepts(text, " in [frontend]"),
                  SectionKeys("frontend", {std::string(plugin)}))
            << "[frontend] type = " << plugin << ": read every key in ParseFrontendCommon() or "
            << "the plugin's parse(), where AcceptedConfigKeys() finds it";
    }
    for (auto plugin : BackendPluginNames()) {
        std::string text = "[backend]\ntype = \"" + std::string(plugin) + "\"\nzz_unknown = 1\n";
        EXPECT_EQ(KeysTheParserAccepts(text, " in [backend]"),
                  SectionKeys("backend", {std::string(plugin)}))
            << "[backend] type = " << plugin << ": read every key in ParseBackendCommon() or "
            << "the plugin's parse(), where AcceptedConfigKeys() finds it";
    }
}

TEST(ConfigDocsTest, EveryAcceptedKeyHasAManEntryWithTypeAndDefault) {
    auto entries = ReadManEntries(ManPage("meteremu.toml.5"));
    ASSERT_FALSE(entries.empty()) << "no key entries found in meteremu.toml.5.scd";
    for (const auto& table : AcceptedConfigKeys()) {
        Part part{table.section, table.plugin};
        for (const auto& key : table.keys)
            EXPECT_TRUE(entries[part].contains(key))
                << "meteremu.toml.5.scd: " << Describe(part) << " has no entry \"*" << key
                << "* = _type_ (default *value*)\" or \"(required)\"";
    }
}

TEST(ConfigDocsTest, EveryManEntryIsAnAcceptedKey) {
    for (const auto& [part, keys] : ReadManEntries(ManPage("meteremu.toml.5"))) {
        std::set<std::string> accepted =
            SectionKeys(part.first, part.second.empty() ? std::set<std::string>{}
                                                        : std::set<std::string>{part.second});
        for (const auto& [key, entry] : keys)
            EXPECT_TRUE(accepted.contains(key))
                << "meteremu.toml.5.scd documents " << key << " under " << Describe(part)
                << ", which the parser does not accept there";
    }
}

TEST(ConfigDocsTest, EveryAcceptedKeyIsInTheShippedFile) {
    auto lines = ReadEtcKeys(ShippedConfig());
    for (const auto& table : AcceptedConfigKeys())
        for (const auto& key : table.keys)
            EXPECT_TRUE(lines[table.section].contains(key))
                << kShippedConfig << ": no \"#" << key << " = ...\" line in "
                << Describe({table.section, ""}) << " for "
                << Describe({table.section, table.plugin});
}

TEST(ConfigDocsTest, EveryKeyOfTheShippedFileIsAccepted) {
    for (const auto& [section, keys] : ReadEtcKeys(ShippedConfig()))
        for (const auto& [key, line] : keys)
            EXPECT_TRUE(SectionKeys(section).contains(key))
                << kShippedConfig << " has " << key << " in " << Describe({section, ""})
                << ", which the parser does not accept there";
}

TEST(ConfigDocsTest, ShippedFileShowsTheDocumentedDefaults) {
    auto lines = ReadEtcKeys(ShippedConfig());
    for (const auto& [part, keys] : ReadManEntries(ManPage("meteremu.toml.5"))) {
        for (const auto& [key, entry] : keys) {
            if (!lines[part.first].contains(key)) continue; // reported above
            const EtcLine& line = lines[part.first][key];
            if (entry.fallback == "required")
                EXPECT_FALSE(line.commented)
                    << kShippedConfig << ": required " << key << " must not be commented out";
            else
                EXPECT_EQ(line.value, entry.default_value)
                    << kShippedConfig << " shows " << key << " = " << line.value
                    << " but meteremu.toml.5.scd says the default is " << entry.default_value;
        }
    }
}

/// The shipped file's line of `host = ""` (1-based), 0 when there is none.
std::uint32_t HostLine(const std::string& text) {
    std::istringstream lines(text);
    std::uint32_t number = 0;
    for (std::string line; std::getline(lines, line);) {
        ++number;
        if (line == "host = \"\"") return number;
    }
    return 0;
}

TEST(ShippedConfigTest, IsRefusedUntilHostIsSetNamingFileLineAndKey) {
    std::string text = ShippedConfig();
    std::uint32_t host_line = HostLine(text);
    ASSERT_NE(host_line, 0u) << kShippedConfig << " has no 'host = \"\"' line";
    try {
        ParseConfig(text, kShippedConfig);
        FAIL() << kShippedConfig << " was accepted with an empty host";
    } catch (const ConfigInvalid& invalid) {
        ASSERT_EQ(invalid.Diagnostics().size(), 1u) << invalid.what();
        EXPECT_EQ(invalid.Diagnostics()[0].Format(),
                  kShippedConfig + ":" + std::to_string(host_line) +
                      ":8: backend.host: is empty: set it to the Envoy's IP address or host name");
    }
}

/// The shipped file with every commented key line of `keys` (per section) uncommented.
std::string Uncommented(const std::string& text,
                        const std::map<std::string, std::set<std::string>>& keys) {
    static const std::regex section(R"re(^\[([a-z_]+)\]\s*$)re");
    static const std::regex key_line(R"re(^#([a-z0-9_]+) = .*$)re");
    std::string current, result;
    std::istringstream lines(text);
    std::smatch match;
    for (std::string line; std::getline(lines, line);) {
        if (std::regex_match(line, match, section)) current = match[1];
        bool uncomment = std::regex_match(line, match, key_line) && keys.contains(current) &&
                         keys.at(current).contains(match[1]);
        result += (uncomment ? line.substr(1) : line) + "\n";
    }
    return result;
}

TEST(ShippedConfigTest, EveryShownDefaultIsAcceptedWithHostSet) {
    std::string text = ShippedConfig();
    auto lines = ReadEtcKeys(text);
    auto Unquoted = [](std::string value) { return value.substr(1, value.size() - 2); };
    std::map<std::string, std::set<std::string>> keys{
        {"", SectionKeys("")},
        {"frontend", SectionKeys("frontend", {Unquoted(lines["frontend"]["type"].value)})},
        {"backend", SectionKeys("backend", {Unquoted(lines["backend"]["type"].value)})},
    };
    std::string all_defaults = Uncommented(text, keys);
    ASSERT_NE(all_defaults, text) << "no commented key was found to uncomment";
    all_defaults = std::regex_replace(all_defaults, std::regex("\nhost = \"\"\n"),
                                      "\nhost = \"192.0.2.10\"\n");
    try {
        Config config = ParseConfig(all_defaults, kShippedConfig);
        EXPECT_EQ(config.backend.type, "envoy");
    } catch (const ConfigInvalid& invalid) {
        for (const auto& diagnostic : invalid.Diagnostics())
            ADD_FAILURE() << diagnostic.Format();
    }
}

/// The OPTIONS section of meteremu(8).
std::string ManOptions() {
    std::string page = ManPage("meteremu.8");
    auto begin = page.find("\n# OPTIONS\n");
    if (begin == std::string::npos) return "";
    auto end = page.find("\n# ", begin + 1);
    return page.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

TEST(CommandLineDocsTest, EveryOptionIsInTheManPageAndTheHelp) {
    std::string options = ManOptions();
    ASSERT_FALSE(options.empty()) << "meteremu.8.scd has no OPTIONS section";
    std::string help = HelpText();
    auto all = CommandLineOptions();
    ASSERT_GE(all.size(), 6u);
    for (const auto& option : all) {
        std::string name = "*--" + option.long_name + "*";
        if (option.short_name) name = std::string("*-") + option.short_name + "*, " + name;
        if (option.takes_value) name += "=_";
        EXPECT_NE(options.find("\n" + name), std::string::npos)
            << "meteremu.8.scd OPTIONS has no entry starting \"" << name << "\"";
        EXPECT_NE(help.find("--" + option.long_name), std::string::npos)
            << "--help does not mention --" << option.long_name;
    }
}

} // namespace
} // namespace meteremu
