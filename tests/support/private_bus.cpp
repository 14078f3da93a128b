// SPDX-License-Identifier: MIT
#include "support/private_bus.hpp"

#include <filesystem>
#include <pwd.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace meteremu::test {
namespace {

constexpr const char* kPolicyName = "io.meteremu.Meter1.conf";

std::string CurrentUser() {
    const passwd* entry = getpwuid(getuid());
    if (!entry) throw std::runtime_error("the user running the test has no name");
    return entry->pw_name;
}

void Substitute(std::string& text, std::string_view placeholder, const std::string& value) {
    auto at = text.find(placeholder);
    if (at == std::string::npos) throw std::runtime_error("no " + std::string(placeholder));
    text.replace(at, placeholder.size(), value);
}

/// The shipped policy, for `user` instead of the package's _meteremu.
std::string PolicyFor(const std::string& user) {
    std::string policy = ReadFile(std::string(METEREMU_SOURCE_DIR) + "/dbus/" + kPolicyName);
    Substitute(policy, "user=\"_meteremu\"", "user=\"" + user + "\"");
    return policy;
}

/// The tests' system bus (support/system_bus.conf.in) with its socket at `socket`.
std::string BusConfig(const std::filesystem::path& socket, const std::filesystem::path& policy) {
    std::string config = ReadFile(std::string(METEREMU_TESTS_DIR) + "/support/system_bus.conf.in");
    Substitute(config, "@LISTEN@", socket.string());
    Substitute(config, "@INCLUDES@", "<include>" + policy.string() + "</include>");
    return config;
}

} // namespace

PrivateBus::PrivateBus() : user_(CurrentUser()) {
    // Others (a test's `setpriv` user) must reach the socket in the test's folder.
    std::filesystem::permissions(dir_.Path(), std::filesystem::perms::owner_all |
                                                  std::filesystem::perms::group_exec |
                                                  std::filesystem::perms::others_exec);
    std::filesystem::path socket = dir_.Path() / "system_bus_socket";
    std::filesystem::path policy = dir_.Write(kPolicyName, PolicyFor(user_));
    std::filesystem::path config = dir_.Write("bus.conf", BusConfig(socket, policy));
    daemon_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "/usr/bin/dbus-daemon", "--config-file=" + config.string(), "--nofork", "--nosyslog"});
    for (int i = 0; i < 100 && !std::filesystem::exists(socket); ++i)
        std::this_thread::sleep_for(50ms);
    if (!std::filesystem::exists(socket))
        throw std::runtime_error("dbus-daemon did not start:\n" + daemon_->Stderr());
    address_ = "unix:path=" + socket.string();
}

RunResult PrivateBus::Busctl(const std::vector<std::string>& arguments,
                             const std::string& as) const {
    std::vector<std::string> command;
    if (!as.empty()) {
        const passwd* user = getpwnam(as.c_str());
        if (!user) throw std::runtime_error("no user " + as);
        command = {"/usr/bin/setpriv", "--reuid=" + std::to_string(user->pw_uid),
                   "--regid=" + std::to_string(user->pw_gid), "--clear-groups"};
    }
    command.emplace_back("/usr/bin/busctl");
    command.push_back("--address=" + address_);
    command.insert(command.end(), arguments.begin(), arguments.end());
    return RunProgram(command, 10s);
}

} // namespace meteremu::test
