// SPDX-License-Identifier: MIT
// A private dbus-daemon standing in for the system bus: the default policy of Debian's
// system.conf (anyone connects; nobody owns a name or calls a method unless a policy file
// lets them) and the project's own policy file (dbus/io.meteremu.Meter1.conf) included, with
// its service user replaced by the user running the test. A daemon started with Environment()
// publishes there, and busctl reaches it with --address=Address().
#pragma once

#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"

#include <memory>
#include <string>
#include <vector>

namespace meteremu::test {

class PrivateBus {
public:
    /// Starts dbus-daemon; throws std::runtime_error when it does not come up within 5 s.
    PrivateBus();

    /// "unix:path=…"
    const std::string& Address() const noexcept { return address_; }
    /// DBUS_SYSTEM_BUS_ADDRESS for a child process.
    std::vector<std::string> Environment() const { return {"DBUS_SYSTEM_BUS_ADDRESS=" + address_}; }
    /// The user name the policy file now names: the one running the test.
    const std::string& DaemonUser() const noexcept { return user_; }

    /// Runs busctl against this bus: `busctl --address=… ARGS…`, bounded by 10 s. With `as`
    /// (a user name) it runs as that user (setpriv; needs root).
    RunResult Busctl(const std::vector<std::string>& arguments, const std::string& as = "") const;

private:
    TempDir dir_;
    std::string address_;
    std::string user_;
    std::unique_ptr<ChildProcess> daemon_;
};

} // namespace meteremu::test
