// SPDX-License-Identifier: MIT
#include "backends/dsmr_p1/dsmr_backend.hpp"

#include "util/log_text.hpp"
#include "util/time_format.hpp"

namespace meteremu::dsmr {
namespace {

constexpr log::Domain kDomain{"backend/dsmr_p1"};

/// Between two attempts to open the port (a USB cable plugged in later).
constexpr Seconds kReopenAfter{5.0};
/// Each kind of discarded telegram is a warning at most this often, debug in between: a
/// noisy line may spoil one telegram a second for days.
constexpr auto kWarnEvery = std::chrono::hours(1);

const char* FaultName(Fault fault) {
    switch (fault) {
    case Fault::Checksum:
        return "its CRC does not match";
    case Fault::CutShort:
        return "it was cut short";
    case Fault::TooLong:
        return "it has no end";
    case Fault::Malformed:
        return "it cannot be read";
    case Fault::Missing:
        return "it has no electricity power";
    }
    return "";
}

} // namespace

DsmrP1Backend::DsmrP1Backend(const DsmrP1Options& options, const BackendContext& context)
    : options_(options), state_(context.state), port_log_(kDomain), silence_log_(kDomain),
      loop_("recv-dsmr", context.heartbeat) {}

void DsmrP1Backend::Start() {
    last_telegram_ = std::chrono::steady_clock::now();
    loop_.Start([this](std::stop_token) { return ReadOnce(); });
}

void DsmrP1Backend::Stop() noexcept {
    loop_.Stop();
}

std::string DsmrP1Backend::Describe() const {
    return "DSMR " + options_.dsmr_version + " P1 port " + options_.device;
}

std::string DsmrP1Backend::Health() const {
    std::lock_guard lock(health_mutex_);
    std::string since = FormatTime(since_, "%H:%M", true);
    switch (condition_) {
    case Condition::Opening:
        return "dsmr_p1: opening " + options_.device;
    case Condition::Waiting:
        return "dsmr_p1: waiting for a telegram on " + options_.device;
    case Condition::Ok:
        return "dsmr_p1 ok (" + meter_ + ")";
    case Condition::Silent:
        return "dsmr_p1: no telegram since " + since;
    case Condition::CannotOpen:
        break;
    }
    return "dsmr_p1 cannot read " + options_.device + " since " + since;
}

void DsmrP1Backend::SetCondition(Condition condition) {
    std::lock_guard lock(health_mutex_);
    if (condition_ != condition) since_ = std::chrono::system_clock::now();
    condition_ = condition;
}

Seconds DsmrP1Backend::ReadOnce() {
    if (!port_ && !Open()) return kReopenAfter;
    std::vector<SplitEvent> events;
    try {
        splitter_.Feed(port_->Read(buffer_, kHeartbeatPeriod), events);
    } catch (const std::exception& error) {
        port_.reset();
        splitter_ = TelegramSplitter();
        SetCondition(Condition::CannotOpen);
        port_log_.Failed(std::string("P1 port failed: ") + error.what() + "; reopening every 5 s");
        return kReopenAfter;
    }
    for (const SplitEvent& event : events)
        Handle(event);
    CheckSilence();
    return Seconds(0);
}

bool DsmrP1Backend::Open() {
    try {
        port_.emplace(options_.device, options_.Format());
    } catch (const std::exception& error) {
        SetCondition(Condition::CannotOpen);
        port_log_.Failed(std::string("cannot read the P1 port: ") + error.what() +
                         "; trying again every 5 s");
        return false;
    }
    port_log_.Recovered("P1 port " + options_.device + " is open");
    log::Info(kDomain, "reading DSMR ", options_.dsmr_version, " telegrams from ", options_.device,
              options_.CrcRequired() ? " (115200 baud 8N1)" : " (9600 baud 7E1)");
    SetCondition(meter_.empty() ? Condition::Waiting : Condition::Silent);
    return true;
}

void DsmrP1Backend::Handle(const SplitEvent& event) {
    if (!event.complete) return Discard(event.fault, std::to_string(event.text.size()) + " bytes");
    try {
        CheckTelegram(event.text, options_.CrcRequired());
        Use(ParseTelegram(event.text));
    } catch (const TelegramError& error) {
        Discard(error.Kind(), error.what());
    }
}

void DsmrP1Backend::Discard(Fault fault, const std::string& reason) {
    auto now = std::chrono::steady_clock::now();
    auto last = last_warned_.find(fault);
    bool warn = last == last_warned_.end() || now - last->second >= kWarnEvery;
    if (warn) last_warned_[fault] = now;
    log::Log(warn ? log::Level::Warning : log::Level::Debug, kDomain, "discarded a telegram from ",
             options_.device, ": ", FaultName(fault), " (", LogText(reason, 96), ")");
}

void DsmrP1Backend::Use(const P1Values& values) {
    Reading reading = ToReading(values, std::chrono::system_clock::now());
    reading.received_at = std::chrono::steady_clock::now();
    state_.Publish(reading);
    last_telegram_ = reading.received_at;
    if (meter_.empty()) {
        log::Notice(kDomain, "receiving telegrams of meter ", LogText(values.meter), " on ",
                    options_.device);
        std::lock_guard lock(health_mutex_);
        meter_ = LogText(values.meter);
    }
    silence_log_.Recovered("telegrams on " + options_.device + " are back");
    SetCondition(Condition::Ok);
}

void DsmrP1Backend::CheckSilence() {
    // DSMR 5 sends every second, older versions every ten.
    Seconds silent_after = Seconds(options_.dsmr_version == "5" ? 5.0 : 30.0);
    if (silence_log_.Failing()) return;
    if (std::chrono::steady_clock::now() - last_telegram_ < silent_after) return;
    silence_log_.Failed("no good telegram on " + options_.device + " for " +
                        std::to_string(static_cast<int>(silent_after.count())) + " s");
    if (!meter_.empty()) SetCondition(Condition::Silent);
}

} // namespace meteremu::dsmr
