// SPDX-License-Identifier: MIT
#include "support/feed_backend.hpp"

#include "backends/poll_loop.hpp"
#include "config/config_section.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>

namespace meteremu::test {
namespace {

/// The reading a sample of `watts` on phase A becomes.
Reading FeedReading(double watts) {
    Reading reading;
    PhaseReading& phase = reading[Phase::A];
    phase.voltage = 230;
    phase.act_power = watts;
    phase.aprt_power = std::abs(watts);
    phase.current = phase.aprt_power / phase.voltage;
    phase.power_factor = PowerFactor(phase.act_power, phase.aprt_power);
    phase.frequency = 50;
    reading.measured_at = std::chrono::system_clock::now();
    reading.received_at = std::chrono::steady_clock::now();
    return reading;
}

class FeedBackend final : public Backend {
public:
    FeedBackend(const FeedOptions& options, const BackendContext& context)
        : feed_file_(options.feed_file), state_(context.state),
          poll_interval_(context.poll_interval), loop_("poll-feed", context.heartbeat) {}

    ~FeedBackend() override { Stop(); }

    void Start() override {
        loop_.Start([this](std::stop_token) { return PollOnce(); });
    }

    void Stop() noexcept override { loop_.Stop(); }

    std::string Describe() const override { return "feed test backend (" + feed_file_ + ")"; }

    std::string Health() const override {
        return "feed " + std::to_string(published_.load(std::memory_order_relaxed)) + " samples";
    }

private:
    /// A missing or half-written file is no sample: the writer renames whole files in.
    Seconds PollOnce() {
        std::ifstream file(feed_file_);
        std::uint64_t sequence = 0;
        double watts = 0;
        if (file >> sequence >> watts && sequence != last_sequence_) {
            last_sequence_ = sequence;
            state_.Publish(FeedReading(watts));
            published_.fetch_add(1, std::memory_order_relaxed);
        }
        return poll_interval_;
    }

    std::string feed_file_;
    MeterState& state_;
    Seconds poll_interval_;
    std::uint64_t last_sequence_ = 0;
    std::atomic<std::uint64_t> published_{0};
    PollLoop loop_;
};

std::unique_ptr<BackendOptions> ParseFeed(ConfigSection& section) {
    auto options = std::make_unique<FeedOptions>();
    auto file = section.String("feed_file");
    if (!file || file->empty())
        section.ErrorMissing("feed_file", "the file the samples are read from");
    else
        options->feed_file = *file;
    return options;
}

std::unique_ptr<Backend> CreateFeed(const BackendOptions& options, const BackendContext& context) {
    return std::make_unique<FeedBackend>(static_cast<const FeedOptions&>(options), context);
}

} // namespace

const BackendPlugin feed_backend_plugin{"feed", ParseFeed, CreateFeed};

} // namespace meteremu::test
