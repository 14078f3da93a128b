// SPDX-License-Identifier: MIT
#include "backends/envoy/envoy_backend.hpp"

namespace meteremu::envoy {

EnvoyBackend::EnvoyBackend(const EnvoyOptions& options, const BackendContext& context)
    : options_(options),
      poller_(options_, context.state, context.poll_interval, context.state_directory),
      loop_("poll-envoy", context.heartbeat) {}

EnvoyBackend::~EnvoyBackend() {
    Stop();
}

void EnvoyBackend::Start() {
    loop_.Start([this](std::stop_token stop) { return poller_.Poll(stop); });
}

void EnvoyBackend::Stop() noexcept {
    if (stopped_) return;
    stopped_ = true;
    loop_.Stop();
    poller_.Shutdown();
}

std::string EnvoyBackend::Describe() const {
    return "the Envoy at " + options_.host;
}

std::string EnvoyBackend::Health() const {
    return poller_.GetHealth().Summary();
}

SourceFacts EnvoyBackend::Facts() const {
    return poller_.Facts();
}

} // namespace meteremu::envoy
