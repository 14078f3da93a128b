// SPDX-License-Identifier: MIT
// The fault matrix's meter: the built daemon under one on_stale mode, polling its own fake
// Envoy over HTTPS, asked over every transport at once (HTTP GET and POST, a WebSocket that
// also collects the NotifyStatus pushes, UDP), with every answer classified and checked
// against what the fake actually delivered: a reading is served as fresh only while one
// arrived within stale_after, never in part, and the stale form is the mode's.
#pragma once

#include "integration/envoy_support.hpp"
#include "support/udp_client.hpp"
#include "support/websocket_client.hpp"

#include <jansson.h>

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace meteremu::test {

using Clock = std::chrono::steady_clock;

/// The grid powers a capture folder maps to (per phase, and the total), as served.
struct FolderPowers {
    std::string folder;
    std::array<double, 3> phases{};
    double total = 0;
};
FolderPowers PowersOf(const std::string& folder);

/// What one answer carried.
enum class Served {
    Fresh,   ///< a whole reading of one of the expected folders
    Zero,    ///< every power 0 (on_stale = zero)
    Error,   ///< the RPC error of on_stale = silent (-114, HTTP 503)
    Nothing, ///< no datagram (UDP under on_stale = silent)
    Invalid, ///< anything else: a partial or invented reading, a wrong error, no answer
};
const char* ServedName(Served served);

/// The matrix's timing: short, so that a whole fault fits in seconds.
inline constexpr double kPollInterval = 0.5;
inline constexpr double kStaleAfter = 2.0;

class MatrixMeter {
public:
    /// Starts a fake Envoy on `folder` and the daemon with `mode`, with `token` in its token
    /// file.
    MatrixMeter(const std::string& mode, const std::string& folder, const std::string& token);

    const std::string& Mode() const noexcept { return mode_; }
    EnvoyRig& Rig() { return rig_; }
    FakeEnvoy& Envoy() { return rig_.Envoy(); }
    /// Writes `token` into the daemon's token file.
    void WriteToken(const std::string& token);
    /// The folders whose readings count as whole (more than one across a firmware change).
    void Expect(std::vector<FolderPowers> folders) { expected_ = std::move(folders); }

    /// From now on, faulted 200s of the fake count as deliveries `delay` late (a Delay fault).
    void NoteDelay(std::chrono::milliseconds delay) { delay_ = delay; }

    /// Asks every transport once and checks each answer (gtest failures name the mode, the
    /// transport and what came), and every NotifyStatus push received meanwhile. UDP replies
    /// are checked as they come (see CollectUdp).
    void ProbeAll();

    /// Waits for the replies to every UDP probe sent so far and checks them.
    void FinishUdp();

    /// Whether the daemon serves a new fresh reading of `folder` (for on_stale = last, whose
    /// stale answers look fresh: a NotifyStatus push after `since`).
    bool Recovered(const std::string& folder, Clock::time_point since);

    /// Everything the daemon logged so far.
    std::string Output() const;
    int Probes() const noexcept { return probes_; }

private:
    struct Delivery {
        Clock::time_point at;
        bool sure; ///< an untouched 200; a delayed one may have timed out at the client
    };

    std::vector<Delivery> Deliveries();
    /// An EM.GetStatus object: which form, and for Fresh the folder it matches.
    std::pair<Served, std::string> Classify(const json_t* meter) const;
    std::pair<Served, std::string> ClassifyFrame(const std::string& frame) const;
    void Check(const char* transport, Served served, Clock::time_point sent,
               Clock::time_point answered, const std::string& raw);
    Served AskHttpGet(std::string& raw);
    Served AskHttpPost(std::string& raw);
    Served AskWebSocket(std::string& raw);
    Served AskShellyStatus(std::string& raw);
    /// Checks the UDP replies that came by `until`, and the probes left without one for
    /// kAnswerWithin.
    void CollectUdp(Clock::time_point until);
    void TakePush(const std::string& frame);
    void DrainPushes();
    std::optional<std::string> ReadResponse(int id, std::chrono::milliseconds timeout);

    std::string mode_;
    EnvoyRig rig_;
    std::filesystem::path token_file_;
    RunningDaemon daemon_;
    std::chrono::milliseconds delay_{0};
    std::uint16_t udp_port_ = 0;
    std::unique_ptr<WebSocketClient> websocket_;
    UdpClient udp_{"127.0.0.1"};
    struct UdpProbe {
        int id;
        Clock::time_point sent;
    };
    std::deque<UdpProbe> pending_udp_; ///< sent, reply not yet seen
    std::vector<FolderPowers> expected_;
    std::vector<std::pair<Clock::time_point, std::string>> pushes_; ///< NotifyStatus em:0
    int next_id_ = 1;
    int probes_ = 0;
};

} // namespace meteremu::test
