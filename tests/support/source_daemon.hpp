// SPDX-License-Identifier: MIT
// The built daemon fed by a source a test runs (an MQTT broker, a fake Home Assistant): one
// Pro 3EM on a loopback UDP port that answers every poll, polled as a Marstek polls it, and
// its log. The push sources' tests share it; each writes its own [backend] table.
#pragma once

#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "support/udp_client.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace meteremu::test {

/// Active power of phases a, b and c in a reply; -1 where the reply has none.
using Powers = std::array<double, 3>;

class SourceDaemon {
public:
    /// Where the test writes the files its [backend] names (passwords, tokens) before Start;
    /// also the daemon's STATE_DIRECTORY.
    TempDir& Dir() noexcept { return dir_; }

    /// Starts the daemon: a [frontend] with `mac` and `on_stale`, then `backend` (the whole
    /// [backend] table, header included). Fails the test by exception when it does not start.
    void Start(const std::string& mac, const std::string& on_stale, const std::string& backend);

    /// The reply to one EM.GetStatus, or nullopt when none came in `timeout`.
    std::optional<std::string>
    Poll(std::chrono::milliseconds timeout = std::chrono::milliseconds(300));
    /// The reply to one request over UDP, or nullopt when none came in `timeout`.
    std::optional<std::string>
    Call(const std::string& request,
         std::chrono::milliseconds timeout = std::chrono::milliseconds(300));

    static Powers PowersOf(const std::string& reply);

    /// Polls until a reply shows `powers`; when it came, or nullopt after `timeout`.
    std::optional<std::chrono::steady_clock::time_point>
    WaitForPowers(Powers powers, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// Polls until no reply comes (on_stale = "silent"); whether that happened in `timeout`.
    bool WaitForSilence(std::chrono::milliseconds timeout);

    std::string Log() const;
    /// How often `words` appear in the log.
    std::size_t CountLines(const std::string& words) const;
    bool WaitForLog(const std::string& pattern,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    TempDir dir_;
    RunningDaemon daemon_;
    std::uint16_t udp_port_ = 0;
    UdpClient battery_{"127.0.0.1"};
};

} // namespace meteremu::test
