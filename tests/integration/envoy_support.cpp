// SPDX-License-Identifier: MIT
#include "integration/envoy_support.hpp"

#include <jansson.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <thread>

namespace meteremu::test {

std::filesystem::path EnvoyFolder(const std::string& name) {
    return std::filesystem::path(METEREMU_FIXTURES_DIR) / "envoy" / name;
}

std::vector<std::string> EnvoyFolderNames() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(EnvoyFolder("")))
        if (entry.is_directory()) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string FolderSerial(const std::filesystem::path& folder) {
    std::string info = ReadFile(folder / "info");
    auto start = info.find("<sn>") + 4;
    return info.substr(start, info.find("</sn>") - start);
}

std::filesystem::path CopyWithSerial(const std::filesystem::path& directory,
                                     const std::string& folder, const std::string& serial) {
    auto copy = directory / (folder + "-" + serial);
    if (std::filesystem::exists(copy)) return copy;
    std::filesystem::copy(EnvoyFolder(folder), copy);
    std::string info = ReadFile(copy / "info");
    std::string old_serial = FolderSerial(copy);
    info.replace(info.find("<sn>" + old_serial), old_serial.size() + 4, "<sn>" + serial);
    std::ofstream(copy / "info", std::ios::trunc) << info;
    return copy;
}

bool FolderUsesTokens(const std::filesystem::path& folder) {
    std::string info = ReadFile(folder / "info");
    std::smatch match;
    std::regex software(R"(<software>[A-Z](\d+)\.)");
    return std::regex_search(info, match, software) && std::stoi(match[1]) >= 7;
}

std::optional<double> ReplyNumber(const std::string& body, const std::string& key) {
    json_t* root = json_loads(body.c_str(), 0, nullptr);
    if (!root) return std::nullopt;
    json_t* value = json_object_get(root, key.c_str());
    std::optional<double> number;
    if (json_is_number(value)) number = json_number_value(value);
    json_decref(root);
    return number;
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

int Occurrences(const std::string& haystack, const std::string& text) {
    int count = 0;
    for (size_t at = haystack.find(text); at != std::string::npos; at = haystack.find(text, at + 1))
        ++count;
    return count;
}

std::string YearToken(const std::string& serial) {
    return MakeJwt(std::chrono::system_clock::now() + std::chrono::hours(24 * 365), serial);
}

EnvoyRig::EnvoyRig(const std::filesystem::path& folder) {
    std::filesystem::create_directories(StateDirectory());
    FakeEnvoyOptions options;
    options.folder = folder;
    if (FolderUsesTokens(folder)) options.tls = MakeSelfSignedCertificate(dir_.Path());
    envoy_ = std::make_unique<FakeEnvoy>(std::move(options));
}

std::string EnvoyRig::BackendConfig(const std::string& token, const std::string& extra) const {
    std::string config = "type = \"envoy\"\nhost = \"" + envoy_->Host() + "\"\n";
    if (!token.empty()) config += "token = \"" + token + "\"\n";
    return config + extra;
}

RunningDaemon& EnvoyRig::StartDaemon(const std::string& backend, const std::string& frontend_extra,
                                     std::vector<std::string> environment) {
    std::string config = "[frontend]\nmac = \"02:00:5E:10:20:30\"\nlisten_address = "
                         "\"127.0.0.1\"\nhttp_port = 0\nudp_ports = []\nmdns = false\n" +
                         frontend_extra + "\n[backend]\n" + backend;
    auto path = dir_.Write("meteremu.toml", config);
    environment.push_back("STATE_DIRECTORY=" + StateDirectory().string());
    daemon_ = test::StartDaemon(path.string(), {"--log-level", "info"}, std::chrono::seconds(10),
                                std::move(environment));
    return daemon_;
}

std::string EnvoyRig::Output() const {
    return daemon_.process ? daemon_.process->Stderr() + daemon_.process->Stdout() : "";
}

} // namespace meteremu::test
