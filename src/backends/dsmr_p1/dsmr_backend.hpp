// SPDX-License-Identifier: MIT
// DSMR P1 as a backend: a thread reads the serial port (the meter pushes a telegram every
// second, DSMR 5, or every ten, DSMR 4 and older), checks each telegram and publishes it as
// a reading. Reads wait at most kHeartbeatPeriod, so the thread ticks its heartbeat whether
// or not the meter sends.
#pragma once

#include "backends/backend.hpp"
#include "backends/dsmr_p1/dsmr_options.hpp"
#include "backends/dsmr_p1/serial_port.hpp"
#include "backends/dsmr_p1/telegram_splitter.hpp"
#include "backends/poll_loop.hpp"
#include "platform/failure_log.hpp"

#include <array>
#include <map>
#include <mutex>
#include <optional>

namespace meteremu::dsmr {

class DsmrP1Backend final : public Backend {
public:
    DsmrP1Backend(const DsmrP1Options& options, const BackendContext& context);
    ~DsmrP1Backend() override { Stop(); }

    void Start() override;
    void Stop() noexcept override;
    std::string Describe() const override;
    bool Pushes() const noexcept override { return true; }
    std::string Health() const override;

private:
    enum class Condition { Opening, Waiting, Ok, Silent, CannotOpen };

    Seconds ReadOnce();
    bool Open();
    void Handle(const SplitEvent& event);
    void Discard(Fault fault, const std::string& reason);
    void Use(const P1Values& values);
    void CheckSilence();
    void SetCondition(Condition condition);

    DsmrP1Options options_;
    MeterState& state_;
    std::optional<SerialPort> port_;
    TelegramSplitter splitter_;
    std::array<char, 4096> buffer_{};
    SteadyTime last_telegram_{};
    std::map<Fault, SteadyTime> last_warned_;
    log::FailureLog port_log_;
    log::FailureLog silence_log_;

    mutable std::mutex health_mutex_;
    Condition condition_ = Condition::Opening;
    std::string meter_;
    WallTime since_{};

    PollLoop loop_;
};

} // namespace meteremu::dsmr
