// SPDX-License-Identifier: MIT
// The built-in simulated household as a backend: one reading every poll_interval.
#include "backends/demo/demo_backend.hpp"

#include "backends/demo/household.hpp"
#include "backends/poll_loop.hpp"
#include "config/config_section.hpp"

namespace meteremu {
namespace {

class DemoBackend final : public Backend {
public:
    DemoBackend(const DemoOptions& options, const BackendContext& context)
        : seed_(options.seed), household_(options.seed), state_(context.state),
          poll_interval_(context.poll_interval), loop_("poll-demo", context.heartbeat) {}

    ~DemoBackend() override { Stop(); }

    void Start() override {
        loop_.Start([this](std::stop_token) { return PollOnce(); });
    }

    void Stop() noexcept override { loop_.Stop(); }

    std::string Describe() const override {
        return "demo household (seed " + std::to_string(seed_) + ")";
    }

    std::string Health() const override { return "demo ok"; }

private:
    Seconds PollOnce() {
        Reading reading = household_.Step(std::chrono::system_clock::now());
        reading.received_at = std::chrono::steady_clock::now();
        state_.Publish(reading);
        return poll_interval_;
    }

    std::uint64_t seed_;
    demo::Household household_;
    MeterState& state_;
    Seconds poll_interval_;
    PollLoop loop_;
};

std::unique_ptr<BackendOptions> ParseDemo(ConfigSection& section) {
    auto options = std::make_unique<DemoOptions>();
    if (auto seed = section.Integer("seed")) {
        if (*seed < 0)
            section.ErrorAt("seed", "expected an integer of 0 or more");
        else
            options->seed = static_cast<std::uint64_t>(*seed);
    }
    return options;
}

std::unique_ptr<Backend> CreateDemo(const BackendOptions& options, const BackendContext& context) {
    return std::make_unique<DemoBackend>(static_cast<const DemoOptions&>(options), context);
}

} // namespace

const BackendPlugin demo_backend_plugin{"demo", ParseDemo, CreateDemo};

} // namespace meteremu
