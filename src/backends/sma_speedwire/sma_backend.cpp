// SPDX-License-Identifier: MIT
#include "backends/sma_speedwire/sma_backend.hpp"

#include "backends/sma_speedwire/speedwire.hpp"
#include "util/log_text.hpp"
#include "util/time_format.hpp"

namespace meteremu::sma {
namespace {

constexpr log::Domain kDomain{"backend/sma_speedwire"};

/// A meter sends once a second; this long without one is worth a line in the log.
constexpr Seconds kSilentAfter{5.0};
/// Between two attempts to join the group (the interface may come up later).
constexpr Seconds kListenRetry{5.0};
/// Senders of unreadable datagrams remembered, so each is logged once as a warning.
constexpr std::size_t kUnreadableRemembered = 16;

std::string MeterText(const MeterDatagram& meter) {
    std::string text = DeviceName(meter.susy_id) + " " + std::to_string(meter.serial);
    if (!meter.firmware.empty()) text += " (firmware " + meter.firmware + ")";
    return text;
}

} // namespace

SmaSpeedwireBackend::SmaSpeedwireBackend(const SmaSpeedwireOptions& options,
                                         const BackendContext& context)
    : options_(options), state_(context.state), choice_(options.serial), listen_log_(kDomain),
      silence_log_(kDomain), loop_("recv-sma", context.heartbeat) {}

void SmaSpeedwireBackend::Start() {
    last_datagram_ = std::chrono::steady_clock::now();
    loop_.Start([this](std::stop_token) { return ReceiveOnce(); });
}

void SmaSpeedwireBackend::Stop() noexcept {
    loop_.Stop();
}

std::string SmaSpeedwireBackend::InterfaceText() const {
    return options_.interface.empty() ? "the default interface" : options_.interface;
}

std::string SmaSpeedwireBackend::Describe() const {
    std::string meter =
        options_.serial ? "meter " + std::to_string(*options_.serial) : "the first meter heard";
    return "SMA Speedwire, " + meter + ", on " + InterfaceText();
}

std::string SmaSpeedwireBackend::Health() const {
    std::lock_guard lock(health_mutex_);
    std::string since = FormatTime(since_, "%H:%M", true);
    switch (condition_) {
    case Condition::Joining:
        return "sma_speedwire: joining the multicast group on " + InterfaceText();
    case Condition::Waiting:
        return "sma_speedwire: waiting for a meter on " + InterfaceText();
    case Condition::Ok:
        return "sma_speedwire ok (" + meter_name_ + ")";
    case Condition::Silent:
        return "sma_speedwire: no datagram from " + meter_name_ + " since " + since;
    case Condition::CannotListen:
        break;
    }
    return "sma_speedwire cannot listen on " + InterfaceText() + " since " + since;
}

void SmaSpeedwireBackend::SetCondition(Condition condition) {
    std::lock_guard lock(health_mutex_);
    if (condition_ != condition) since_ = std::chrono::system_clock::now();
    condition_ = condition;
}

Seconds SmaSpeedwireBackend::ReceiveOnce() {
    if (!socket_ && !Listen()) return kListenRetry;
    try {
        auto received = socket_->Receive(buffer_, kHeartbeatPeriod);
        if (received)
            Handle(*received);
        else
            CheckSilence();
    } catch (const std::exception& error) {
        socket_.reset();
        SetCondition(Condition::CannotListen);
        listen_log_.Failed(std::string("SMA multicast receive failed: ") + error.what());
    }
    return Seconds(0);
}

bool SmaSpeedwireBackend::Listen() {
    try {
        socket_.emplace(options_.interface);
    } catch (const std::exception& error) {
        SetCondition(Condition::CannotListen);
        listen_log_.Failed(std::string("cannot listen for SMA meters: ") + error.what() +
                           "; retrying every 5 s");
        return false;
    }
    listen_log_.Recovered("listening for SMA meters on " + InterfaceText());
    log::Info(kDomain, "listening for SMA meters on ", kMulticastGroup, ":", kMulticastPort, " on ",
              InterfaceText());
    last_datagram_ = std::chrono::steady_clock::now();
    SetCondition(meter_name_.empty() ? Condition::Waiting : Condition::Silent);
    return true;
}

void SmaSpeedwireBackend::Handle(const Received& received) {
    if (received.size > buffer_.size()) {
        NoteUnreadable(received.sender, "longer than any SMA meter datagram");
        return;
    }
    std::optional<MeterDatagram> meter;
    try {
        meter = ParseMeterDatagram(std::span(buffer_).first(received.size));
    } catch (const SpeedwireError& error) {
        NoteUnreadable(received.sender, error.what());
        return;
    }
    if (!meter) return CheckSilence(); // an inverter or another SMA protocol
    switch (choice_.Judge(meter->serial)) {
    case Verdict::First:
        log::Notice(kDomain, "receiving ", MeterText(*meter), " from ", received.sender,
                    options_.serial ? ""
                                    : " (no serial configured: this meter is used, others "
                                      "are ignored)");
        {
            std::lock_guard lock(health_mutex_);
            meter_name_ = DeviceName(meter->susy_id) + " " + std::to_string(meter->serial);
        }
        break;
    case Verdict::IgnoreFirst:
        log::Notice(kDomain, "ignoring ", MeterText(*meter), " from ", received.sender,
                    ": the meter in use is ", *choice_.Chosen());
        return CheckSilence();
    case Verdict::Ignore:
        return CheckSilence();
    case Verdict::Use:
        break;
    }
    Use(*meter, received.sender);
}

void SmaSpeedwireBackend::Use(const MeterDatagram& meter, const std::string& sender) {
    // The same datagram twice (heard through two paths) is one measurement.
    if (last_ticker_ == meter.ticker_ms) return;
    last_ticker_ = meter.ticker_ms;
    Reading reading = ToReading(meter, std::chrono::system_clock::now());
    reading.received_at = std::chrono::steady_clock::now();
    state_.Publish(reading);
    last_datagram_ = reading.received_at;
    silence_log_.Recovered("SMA meter " + std::to_string(meter.serial) + " (" + sender +
                           ") is heard again");
    SetCondition(Condition::Ok);
}

void SmaSpeedwireBackend::NoteUnreadable(const std::string& sender, const std::string& reason) {
    bool first =
        !unreadable_senders_.contains(sender) && unreadable_senders_.size() < kUnreadableRemembered;
    if (first) unreadable_senders_.insert(sender);
    log::Log(first ? log::Level::Warning : log::Level::Debug, kDomain,
             "ignoring an unreadable datagram from ", sender, " on ", kMulticastGroup, ": ",
             LogText(reason));
    CheckSilence();
}

void SmaSpeedwireBackend::CheckSilence() {
    if (silence_log_.Failing()) return;
    if (std::chrono::steady_clock::now() - last_datagram_ < kSilentAfter) return;
    auto chosen = choice_.Chosen();
    std::string who = chosen ? "SMA meter " + std::to_string(*chosen) : "any SMA meter";
    silence_log_.Failed("no datagram from " + who + " on " + InterfaceText() + " for 5 s");
    if (!meter_name_.empty()) SetCondition(Condition::Silent);
}

} // namespace meteremu::sma
