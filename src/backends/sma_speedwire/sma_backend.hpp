// SPDX-License-Identifier: MIT
// SMA Speedwire as a backend: a thread receives the meter's multicast datagrams (it pushes
// about one a second) and publishes each as a reading. The wait for a datagram is bounded by
// kHeartbeatPeriod, so the thread ticks its heartbeat whether or not the meter talks.
#pragma once

#include "backends/backend.hpp"
#include "backends/poll_loop.hpp"
#include "backends/sma_speedwire/meter_choice.hpp"
#include "backends/sma_speedwire/multicast_socket.hpp"
#include "backends/sma_speedwire/sma_options.hpp"
#include "platform/failure_log.hpp"

#include <array>
#include <mutex>
#include <optional>
#include <set>

namespace meteremu::sma {

struct MeterDatagram;

class SmaSpeedwireBackend final : public Backend {
public:
    SmaSpeedwireBackend(const SmaSpeedwireOptions& options, const BackendContext& context);
    ~SmaSpeedwireBackend() override { Stop(); }

    void Start() override;
    void Stop() noexcept override;
    std::string Describe() const override;
    bool Pushes() const noexcept override { return true; }
    std::string Health() const override;

private:
    enum class Condition { Joining, Waiting, Ok, Silent, CannotListen };

    Seconds ReceiveOnce();
    bool Listen();
    void Handle(const Received& received);
    void Use(const MeterDatagram& meter, const std::string& sender);
    void NoteUnreadable(const std::string& sender, const std::string& reason);
    void CheckSilence();
    void SetCondition(Condition condition);
    std::string InterfaceText() const;

    SmaSpeedwireOptions options_;
    MeterState& state_;
    std::optional<MulticastSocket> socket_;
    std::array<std::uint8_t, 2048> buffer_{};
    MeterChoice choice_;
    std::optional<std::uint32_t> last_ticker_;
    SteadyTime last_datagram_{};
    std::set<std::string> unreadable_senders_;
    log::FailureLog listen_log_;
    log::FailureLog silence_log_;

    mutable std::mutex health_mutex_;
    Condition condition_ = Condition::Joining;
    std::string meter_name_;
    WallTime since_{};

    PollLoop loop_;
};

} // namespace meteremu::sma
